// The signed-in frame: skip link, brand name, navigation (only the screens the member's
// role may open), account and sign-out, the billing banner, then the screen.
import { html } from "./html.js";
import { t } from "./i18n/index.js";
import { can, useSession } from "./session.js";
import { screens } from "./screens/index.js";
import { BillingBanner } from "./screens/billing.js";

export function Layout({ here, children }) {
  const { me, signOut } = useSession();
  const path = here.split("?")[0];
  const nav = screens.filter((s) => s.nav && !s.public && can(me, s.permission)).sort((a, b) => (a.order || 100) - (b.order || 100));
  const current = (s) => path === s.path || (s.path !== "/admin" && path.startsWith(`${s.path}/`));
  return html`<div class="shell">
    <a class="skip" href="#main">${t("app.skip")}</a>
    <header class="top">
      <a class="brand" href="/admin">${me.brand.name}</a>
      <span class="who">${me.email} · ${t(`role.${me.role}`)}</span>
      <button type="button" class="link" onClick=${signOut}>${t("app.sign_out")}</button>
    </header>
    <nav class="side" aria-label=${t("app.navigation")}>
      <ul>
        ${nav.map((s) => html`<li><a href=${s.path} aria-current=${current(s) ? "page" : undefined}>${t(s.nav)}</a></li>`)}
      </ul>
    </nav>
    <main id="main" tabindex="-1">
      ${me.mfa_required && !me.mfa_enabled && ["brand_admin", "super_admin"].includes(me.role) &&
      html`<div class="banner banner-error" role="status">${t("mfa.required")} <a href="/admin/account">${t("nav.account")}</a></div>`}
      ${can(me, "manage_billing") && html`<${BillingBanner} />`}
      ${children}
    </main>
  </div>`;
}

/** The frame of the screens before sign-in (and of the platform host). */
export function PlainLayout({ children }) {
  return html`<div class="plain">
    <a class="skip" href="#main">${t("app.skip")}</a>
    <main id="main" tabindex="-1">${children}</main>
  </div>`;
}
