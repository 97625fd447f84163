// The member's own account: profile (name, language), password (rules stated), and MFA:
// set up with a QR code of the otpauth URI (and the secret as text), confirm with a code,
// recovery codes shown once; disable with the password and a code.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { t } from "../i18n/index.js";
import { patch, post } from "../api.js";
import { useSession } from "../session.js";
import { Checkbox, Field, Notice, Select, Submit, useForm } from "../ui/form.js";
import { Page } from "../ui/page.js";
import { QrCode } from "../ui/qr.js";
import { PASSWORD_FIELDS } from "./password_reset.js";

/** The second factor as the API takes it: six digits are a code from the app, anything else a recovery code. */
const factor = (value) => (/^\s*\d{6}\s*$/.test(value) ? { otp: value.trim() } : { recovery_code: value.trim() });

const FACTOR_FIELDS = { invalid_credentials: "current_password", reauthentication_failed: "current_password", mfa_required: "otp", otp_invalid: "otp" };

export function Account() {
  return html`<${Page} title=${t("account.title")}>
    <${Profile} />
    <${Notifications} />
    <${Password} />
    <${Mfa} />
  </${Page}>`;
}

function Profile() {
  const { me, reload } = useSession();
  const [saved, setSaved] = useState(false);
  const form = useForm({ name: me.name || "", locale: me.locale || "en" }, { invalid_locale: "locale" });
  const submit = (e) =>
    form.submit(e, async (v) => {
      setSaved(false);
      await patch("account/profile", v);
      await reload();
      setSaved(true);
    });
  return html`<form class="card" onSubmit=${submit} aria-labelledby="profile-h" novalidate>
    <h2 id="profile-h">${t("account.profile")}</h2>
    <p>${t("field.email")}: <strong>${me.email}</strong> · ${t(`role.${me.role}`)}</p>
    <${Notice} error=${form.formError} />
    ${saved && html`<${Notice} kind="ok">${t("common.saved")}</${Notice}>`}
    <${Field} label=${t("field.name")} name="name" autocomplete="name" value=${form.values.name} onInput=${form.set("name")} error=${form.errors.name} />
    <${Select} label=${t("field.language")} name="locale" value=${form.values.locale} onInput=${form.set("locale")} error=${form.errors.locale}
      options=${[["en", "English"], ["es", "Español"]]} />
    <${Submit} busy=${form.busy}>${t("common.save")}</${Submit}>
  </form>`;
}

/** The new-order email (`PATCH account/notifications`, shown in `me`); hidden until the API has it. */
function Notifications() {
  const { me, reload } = useSession();
  const [saved, setSaved] = useState(false);
  // `new_order_email` at the top of `me`, or under `notifications`
  const current = me.new_order_email ?? (me.notifications && me.notifications.new_order_email);
  const form = useForm({ new_order_email: Boolean(current) });
  if (current === undefined || current === null) return null;
  const submit = (e) =>
    form.submit(e, async (v) => {
      setSaved(false);
      await patch("account/notifications", { new_order_email: v.new_order_email });
      await reload();
      setSaved(true);
    });
  return html`<form class="card" onSubmit=${submit} aria-labelledby="notifications-h" novalidate>
    <h2 id="notifications-h">${t("account.notifications")}</h2>
    <${Notice} error=${form.formError} />
    ${saved && html`<${Notice} kind="ok">${t("common.saved")}</${Notice}>`}
    <${Checkbox} label=${t("account.new_order_email")} name="new_order_email" checked=${form.values.new_order_email}
      onInput=${form.set("new_order_email")} />
    <${Submit} busy=${form.busy}>${t("common.save")}</${Submit}>
  </form>`;
}

function Password() {
  const { me } = useSession();
  const [saved, setSaved] = useState(false);
  const form = useForm({ current_password: "", new_password: "", otp: "" }, { ...PASSWORD_FIELDS, ...FACTOR_FIELDS });
  const submit = (e) =>
    form.submit(e, async (v) => {
      setSaved(false);
      const body = { current_password: v.current_password, new_password: v.new_password };
      if (me.mfa_enabled) Object.assign(body, factor(v.otp));
      await post("account/password", body);
      form.setValues({ current_password: "", new_password: "", otp: "" });
      setSaved(true);
    });
  return html`<form class="card" onSubmit=${submit} aria-labelledby="password-h" novalidate>
    <h2 id="password-h">${t("account.password")}</h2>
    <${Notice} error=${form.formError} />
    ${saved && html`<${Notice} kind="ok">${t("account.password_changed")}</${Notice}>`}
    <${Field} label=${t("field.current_password")} name="current_password" type="password" autocomplete="current-password" required
      value=${form.values.current_password} onInput=${form.set("current_password")} error=${form.errors.current_password} />
    <${Field} label=${t("field.new_password")} name="new_password" type="password" autocomplete="new-password" required
      hint=${t("password.rules")} value=${form.values.new_password} onInput=${form.set("new_password")} error=${form.errors.new_password} />
    ${me.mfa_enabled &&
    html`<${Field} label=${t("field.second_factor")} name="otp" autocomplete="one-time-code" required
      value=${form.values.otp} onInput=${form.set("otp")} error=${form.errors.otp} />`}
    <${Submit} busy=${form.busy}>${t("account.change_password")}</${Submit}>
  </form>`;
}

function Mfa() {
  const { me, reload } = useSession();
  const [setup, setSetup] = useState(null); // {secret, otpauth_uri}
  const [codes, setCodes] = useState(null); // recovery codes, shown once
  const start = useForm({ current_password: "", otp: "" }, FACTOR_FIELDS);
  const confirm = useForm({ otp: "" }, { otp_invalid: "otp", mfa_code_invalid: "otp", "code_*": "otp" });
  const disable = useForm({ current_password: "", otp: "" }, FACTOR_FIELDS);

  if (codes) {
    return html`<section class="card" aria-labelledby="mfa-h">
      <h2 id="mfa-h">${t("mfa.title")}</h2>
      <${Notice} kind="ok">${t("mfa.enabled_now")}</${Notice}>
      <p>${t("mfa.recovery_intro")}</p>
      <ul class="codes" aria-label=${t("mfa.recovery_codes")}>${codes.map((c) => html`<li><code>${c}</code></li>`)}</ul>
      <button type="button" class="primary" onClick=${async () => { setCodes(null); setSetup(null); await reload(); }}>${t("mfa.saved_codes")}</button>
    </section>`;
  }
  if (setup) {
    const submit = (e) =>
      confirm.submit(e, async (v) => {
        const answer = await post("account/mfa/enable", { otp: v.otp });
        setCodes(answer.recovery_codes || []);
      });
    return html`<section class="card" aria-labelledby="mfa-h">
      <h2 id="mfa-h">${t("mfa.title")}</h2>
      <p>${t("mfa.scan")}</p>
      <${QrCode} text=${setup.otpauth_uri} label=${t("mfa.qr_label")} />
      <p>${t("mfa.secret_text")} <code class="secret">${setup.secret}</code></p>
      <p><a class="otpauth" href=${setup.otpauth_uri}>${t("mfa.open_app")}</a></p>
      <form onSubmit=${submit} novalidate>
        <${Notice} error=${confirm.formError} />
        <${Field} label=${t("field.otp")} name="otp" inputmode="numeric" autocomplete="one-time-code" required
          value=${confirm.values.otp} onInput=${confirm.set("otp")} error=${confirm.errors.otp} />
        <${Submit} busy=${confirm.busy}>${t("mfa.confirm")}</${Submit}>
        <button type="button" class="link" onClick=${() => setSetup(null)}>${t("common.cancel")}</button>
      </form>
    </section>`;
  }
  if (me.mfa_enabled) {
    const submit = (e) =>
      disable.submit(e, async (v) => {
        await post("account/mfa/disable", { current_password: v.current_password, ...factor(v.otp) });
        disable.setValues({ current_password: "", otp: "" });
        await reload();
      });
    return html`<form class="card" onSubmit=${submit} aria-labelledby="mfa-h" novalidate>
      <h2 id="mfa-h">${t("mfa.title")}</h2>
      <p>${t("mfa.is_on")}</p>
      <${Notice} error=${disable.formError} />
      <${Field} label=${t("field.current_password")} name="current_password" type="password" autocomplete="current-password" required
        value=${disable.values.current_password} onInput=${disable.set("current_password")} error=${disable.errors.current_password} />
      <${Field} label=${t("field.second_factor")} name="otp" autocomplete="one-time-code" required
        value=${disable.values.otp} onInput=${disable.set("otp")} error=${disable.errors.otp} />
      <${Submit} busy=${disable.busy}>${t("mfa.disable")}</${Submit}>
    </form>`;
  }
  const submit = (e) =>
    start.submit(e, async (v) => {
      const answer = await post("account/mfa/setup", { current_password: v.current_password });
      start.setValues({ current_password: "", otp: "" });
      setSetup(answer);
    });
  return html`<form class="card" onSubmit=${submit} aria-labelledby="mfa-h" novalidate>
    <h2 id="mfa-h">${t("mfa.title")}</h2>
    <p>${me.mfa_required ? t("mfa.required") : t("mfa.is_off")}</p>
    <${Notice} error=${start.formError} />
    <${Field} label=${t("field.current_password")} name="current_password" type="password" autocomplete="current-password" required
      value=${start.values.current_password} onInput=${start.set("current_password")} error=${start.errors.current_password} />
    <${Submit} busy=${start.busy}>${t("mfa.set_up")}</${Submit}>
  </form>`;
}
