// The dashboard's entry: asks who is signed in, picks the screen for the URL, and keeps
// the member's language. Brand hosts show the brand's dashboard; the platform host its
// sign-up and the super admin's brand switch (`<body data-site>`, set by the worker).
import { render } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { html } from "./html.js";
import { get, post, onSessionEnded, setCsrfToken } from "./api.js";
import { setLocale, t } from "./i18n/index.js";
import { interceptLinks, match, navigate, nextAfterSignIn, useLocation } from "./router.js";
import { SessionContext, can } from "./session.js";
import { Layout, PlainLayout } from "./layout.js";
import { screens, platformScreens } from "./screens/index.js";
import { NotFound } from "./screens/not_found.js";
import { Page, Loading } from "./ui/page.js";

const site = document.body.dataset.site === "platform" ? "platform" : "brand";

function find(list, path) {
  for (const s of list) {
    const params = match(s.path, path);
    if (params) return { screen: s, params };
  }
  return null;
}

function Redirect({ to }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return html`<${PlainLayout}><${Loading} /></${PlainLayout}>`;
}

function App() {
  const here = useLocation();
  const path = here.split("?")[0];
  const [me, setMe] = useState(undefined); // undefined: asking; null: signed out

  const reload = useCallback(async () => {
    if (site === "platform") return setMe(null);
    try {
      const who = await get("account/me", { noRefresh: false });
      setCsrfToken(who.csrf_token);
      setLocale(who.locale);
      setMe(who);
      return who;
    } catch (e) {
      setMe(null);
      return null;
    }
  }, []);

  useEffect(() => {
    reload();
  }, [reload]);
  useEffect(() => onSessionEnded(() => setMe(null)), []);

  const signOut = useCallback(async () => {
    try {
      await post("auth/logout");
    } catch {
      // the session may be over already: signed out either way
    }
    setCsrfToken(null);
    setMe(null);
    navigate("/admin/sign-in");
  }, []);

  if (me === undefined) return html`<${PlainLayout}><${Loading} /></${PlainLayout}>`;

  const list = site === "platform" ? platformScreens : screens;
  const found = find(list, path);
  const session = { me, site, reload, signOut };

  if (site === "brand" && !me && !(found && found.screen.public)) {
    // the screen asked for is opened again after sign-in
    const next = path === "/admin" ? "" : `?next=${encodeURIComponent(here)}`;
    return html`<${Redirect} to=${`/admin/sign-in${next}`} />`;
  }
  if (site === "brand" && me && found && found.screen.signedOutOnly) {
    return html`<${Redirect} to=${nextAfterSignIn()} />`;
  }

  let view;
  if (!found) view = html`<${NotFound} />`;
  else if (me && !can(me, found.screen.permission)) {
    view = html`<${Page} title=${t("common.not_allowed_title")}><p>${t("common.not_allowed")}</p></${Page}>`;
  } else {
    const Screen = found.screen.view;
    view = html`<${Screen} params=${found.params} key=${path} />`;
  }
  const framed = me && site === "brand" ? html`<${Layout} here=${here}>${view}</${Layout}>` : html`<${PlainLayout}>${view}</${PlainLayout}>`;
  return html`<${SessionContext.Provider} value=${session}>${framed}</${SessionContext.Provider}>`;
}

interceptLinks();
render(html`<${App} />`, document.getElementById("app"));
