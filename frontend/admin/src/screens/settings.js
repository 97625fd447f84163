// The shop's settings: name, logo (upload with progress), theme colours (the API refuses
// pairs below WCAG AA 4.5:1; the refusal shows next to the colours it names), language,
// currency, support email, the legal pages in each language, and publishing ("coming
// soon" until the owner publishes). Only admins may change them; others read them.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { t } from "../i18n/index.js";
import { ApiError, patch, post, put } from "../api.js";
import { can, useSession } from "../session.js";
import { Field, Notice, Select, Submit, useForm } from "../ui/form.js";
import { Loaded, Page, useResource } from "../ui/page.js";
import { ActionNotice, TextArea, UploadField, useAction } from "../ui/kit.js";

const COLOURS = ["primary", "background", "text"];
const LANGUAGES = ["en", "es"];
const LEGAL = ["privacy", "terms", "returns"];
const CURRENCIES = ["USD", "EUR", "GBP", "MXN", "CAD", "AUD", "CHF", "SEK", "DKK", "NOK", "PLN", "BRL", "ARS", "CLP", "COP", "JPY"];
/** Who may change settings: the API lets admins only (the permission admins alone hold). */
const MANAGE = "manage_members";

export function Settings() {
  const { me } = useSession();
  const settings = useResource("admin/settings");
  const [data, setData] = useState(null);
  const s = data || settings.data;
  const edit = can(me, MANAGE);
  return html`<${Page} title=${t("settings.title")}>
    ${!edit && html`<p class="hint">${t("settings.read_only")}</p>`}
    <${Loaded} resource=${{ ...settings, data: s }}>
      ${(s) => html`
        <${Publish} settings=${s} edit=${edit} onChange=${(p) => setData({ ...s, ...p })} />
        <${General} settings=${s} edit=${edit} onChange=${setData} />
        <${Logo} settings=${s} edit=${edit} onChange=${(p) => setData({ ...s, ...p })} />
        <${Legal} settings=${s} edit=${edit} />`}
    </${Loaded}>
  </${Page}>`;
}

function Publish({ settings, edit, onChange }) {
  const action = useAction();
  const flip = () => action.run(async () => onChange(await post("admin/settings/publish", { published: !settings.published })),
    settings.published ? t("settings.unpublished_now") : t("settings.published_now"));
  return html`<section class="card" aria-labelledby="publish-h">
    <h2 id="publish-h">${t("settings.publishing")}</h2>
    <p class="publish-state">${settings.published ? t("settings.is_published") : t("settings.is_coming_soon")}</p>
    <${ActionNotice} action=${action} />
    ${edit && html`<button type="button" class=${settings.published ? "danger" : "primary"} onClick=${flip} disabled=${action.busy}>
      ${settings.published ? t("settings.unpublish") : t("settings.publish")}</button>`}
  </section>`;
}

const generalForm = (s) => ({
  name: s.name,
  locale: s.locale,
  currency: s.currency,
  support_email: s.support_email || "",
  primary: (s.theme && s.theme.primary) || "#0b57d0",
  background: (s.theme && s.theme.background) || "#ffffff",
  text: (s.theme && s.theme.text) || "#1a1a1a",
});

function General({ settings, edit, onChange }) {
  const form = useForm(generalForm(settings), { invalid_email: "support_email", currency_locked: "currency", invalid_theme: "primary" });
  const [saved, setSaved] = useState(false);
  const [contrast, setContrast] = useState(null); // {fields, text}
  const submit = (e) =>
    form.submit(e, async (v) => {
      setSaved(false);
      setContrast(null);
      const body = { name: v.name.trim(), locale: v.locale, support_email: v.support_email.trim(), theme: { primary: v.primary, background: v.background, text: v.text } };
      if (v.currency !== settings.currency) body.currency = v.currency;
      try {
        const next = await patch("admin/settings", body);
        onChange(next);
        setSaved(true);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        // "theme.text: contrast 2.10:1 against theme.background is below 4.5:1 …" and
        // "theme.primary: a colour as #rrggbb" name the colour to change first (err.field);
        // a contrast also marks what it was drawn against
        const against = err.code === "low_contrast" ? /against theme\.([a-z_]+)/.exec(err.message || "") : null;
        const fields = [err.field && err.field.replace(/^theme\./, ""), against && against[1]].filter((f) => COLOURS.includes(f));
        if (err.code === "low_contrast" || fields.length) {
          setContrast({ fields: fields.length ? fields : ["text", "background"], text: err.code === "low_contrast" ? t("error.low_contrast", { detail: err.message.replace(/^[^:]+: /, "") }) : err.text });
          return;
        }
        throw err;
      }
    });
  const f = (name) => ({ name, value: form.values[name], onInput: form.set(name), error: form.errors[name], disabled: !edit });
  const colourError = (c) => (contrast && contrast.fields.includes(c) ? contrast.text : form.errors[c]);
  return html`<form class="card" aria-labelledby="general-h" onSubmit=${submit} novalidate>
    <h2 id="general-h">${t("settings.general")}</h2>
    <${Notice} error=${form.formError} />
    ${saved && html`<${Notice} kind="ok">${t("common.saved")}</${Notice}>`}
    <${Field} label=${t("settings.name")} ...${f("name")} />
    <div class="grid-fields">
      <${Select} label=${t("settings.locale")} ...${f("locale")} options=${LANGUAGES.map((l) => [l, t(`language.${l}`)])} />
      <${Select} label=${t("settings.currency")} ...${f("currency")} disabled=${!edit || settings.has_orders}
        hint=${settings.has_orders ? t("settings.currency_locked") : t("signup.currency_hint")}
        options=${(CURRENCIES.includes(settings.currency) ? CURRENCIES : [settings.currency, ...CURRENCIES]).map((c) => [c, c])} />
    </div>
    <${Field} label=${t("settings.support_email")} type="email" hint=${t("settings.support_email_hint")} ...${f("support_email")} />
    <fieldset class="colours">
      <legend>${t("settings.theme")}</legend>
      <p class="hint">${t("settings.theme_hint")}</p>
      <div class="grid-fields">
        ${COLOURS.map((c) => html`<${Field} label=${t(`settings.colour_${c}`)} type="color" ...${f(c)} error=${colourError(c)} />`)}
      </div>
    </fieldset>
    ${edit && html`<${Submit} busy=${form.busy}>${t("common.save")}</${Submit}>`}
  </form>`;
}

function Logo({ settings, edit, onChange }) {
  const [done, setDone] = useState(false);
  return html`<section class="card" aria-labelledby="logo-h">
    <h2 id="logo-h">${t("settings.logo")}</h2>
    ${settings.logo_url ? html`<img class="logo-preview" src=${settings.logo_url} alt=${t("settings.logo_alt", { name: settings.name })} />` : html`<p>${t("settings.no_logo")}</p>`}
    ${done && html`<${Notice} kind="ok">${t("settings.logo_saved")}</${Notice}>`}
    ${edit && html`<${UploadField} label=${t("settings.upload_logo")} hint=${t("catalog.upload_hint")} accept="image/jpeg,image/png,image/webp,image/gif"
      path="admin/settings/logo" onDone=${(a) => { setDone(true); onChange({ logo_url: a.logo_url }); }} />`}
  </section>`;
}

function Legal({ settings, edit }) {
  return html`<section class="card" aria-labelledby="legal-h">
    <h2 id="legal-h">${t("settings.legal")}</h2>
    <p class="hint">${t("settings.legal_hint")}</p>
    ${LEGAL.map((kind) => html`<fieldset class="legal">
      <legend>${t(`legal.${kind}`)}</legend>
      ${LANGUAGES.map((lang) => html`<${LegalPage} key=${`${kind}-${lang}`} kind=${kind} lang=${lang} edit=${edit}
        body=${(settings.legal && settings.legal[kind] && settings.legal[kind][lang]) || ""} />`)}
    </fieldset>`)}
  </section>`;
}

function LegalPage({ kind, lang, body, edit }) {
  const form = useForm({ body });
  const [saved, setSaved] = useState(false);
  const submit = (e) =>
    form.submit(e, async (v) => {
      setSaved(false);
      await put(`admin/settings/legal/${kind}/${lang}`, { body: v.body });
      setSaved(true);
    });
  const label = t("settings.legal_in", { page: t(`legal.${kind}`), language: t(`language.${lang}`) });
  return html`<form class="legal-page" onSubmit=${submit} novalidate aria-label=${label}>
    <${Notice} error=${form.formError} />
    <${TextArea} label=${label} name=${`legal-${kind}-${lang}`} rows="5" value=${form.values.body} onInput=${form.set("body")} error=${form.errors.body} readonly=${!edit} />
    ${edit && html`<div class="actions"><${Submit} busy=${form.busy}>${t("settings.save_page")}</${Submit}>
      ${saved && html`<span role="status" class="muted">${t("common.saved")}</span>`}</div>`}
  </form>`;
}
