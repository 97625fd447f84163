// The first screen after sign-in. A placeholder until the overview screen (orders,
// revenue, low stock, subscription) takes its place in screens/index.js.
import { html } from "../html.js";
import { t } from "../i18n/index.js";
import { Page } from "../ui/page.js";
import { can, useSession } from "../session.js";
import { screens } from "./index.js";

export function Home() {
  const { me } = useSession();
  const links = screens.filter((s) => s.nav && s.path !== "/admin" && can(me, s.permission));
  return html`<${Page} title=${t("home.title", { brand: me.brand.name })}>
    <p>${t("home.intro", { name: me.name || me.email })}</p>
    <ul class="cards">
      ${links.map((s) => html`<li><a href=${s.path}>${t(s.nav)}</a></li>`)}
    </ul>
  </${Page}>`;
}
