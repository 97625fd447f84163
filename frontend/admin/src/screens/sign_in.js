// Sign in on this brand's host: email and password, then — when the member has MFA on —
// a code from the authenticator app or a recovery code (the API answers 401 mfa_required
// only after a right password).
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { t } from "../i18n/index.js";
import { post, setCsrfToken } from "../api.js";
import { query } from "../router.js";
import { useSession } from "../session.js";
import { Field, Notice, Submit, useForm } from "../ui/form.js";
import { Page } from "../ui/page.js";

export function SignIn() {
  const { reload } = useSession();
  const form = useForm({ email: "", password: "", otp: "", recovery_code: "" }, { mfa_required: "otp", "invalid_email": "email" });
  const [step, setStep] = useState("password"); // password | mfa
  const [useRecovery, setUseRecovery] = useState(false);

  const submit = (e) =>
    form.submit(e, async (v) => {
      const body = { email: v.email, password: v.password };
      if (step === "mfa") {
        if (useRecovery) body.recovery_code = v.recovery_code;
        else body.otp = v.otp;
      }
      try {
        const answer = await post("auth/login", body, { noRefresh: true });
        setCsrfToken(answer.csrf_token);
        // signed in: the app leaves this screen for `next` (nextAfterSignIn)
        await reload();
      } catch (err) {
        if (err.code === "mfa_required" && step === "password") {
          setStep("mfa");
          return;
        }
        throw err;
      }
    });

  const v = form.values;
  return html`<${Page} title=${step === "mfa" ? t("sign_in.mfa_title") : t("sign_in.title")}>
    <form class="card narrow" onSubmit=${submit} novalidate>
      ${query().get("welcome") && html`<${Notice} kind="ok">${t("sign_in.welcome")}</${Notice}>`}
      ${query().get("switch") && html`<${Notice} kind="ok">${t("sign_in.switch")}</${Notice}>`}
      <${Notice} error=${form.formError} />
      ${step === "password"
        ? html`
            <${Field} label=${t("field.email")} name="email" type="email" autocomplete="username" required
              value=${v.email} onInput=${form.set("email")} error=${form.errors.email} />
            <${Field} label=${t("field.password")} name="password" type="password" autocomplete="current-password" required
              value=${v.password} onInput=${form.set("password")} error=${form.errors.password} />`
        : useRecovery
          ? html`<${Field} label=${t("field.recovery_code")} name="recovery_code" autocomplete="off" required
              value=${v.recovery_code} onInput=${form.set("recovery_code")} error=${form.errors.otp} hint=${t("sign_in.recovery_hint")} />`
          : html`<${Field} label=${t("field.otp")} name="otp" inputmode="numeric" autocomplete="one-time-code" required
              value=${v.otp} onInput=${form.set("otp")} error=${form.errors.otp} hint=${t("sign_in.otp_hint")} />`}
      <${Submit} busy=${form.busy}>${t("sign_in.submit")}</${Submit}>
      ${step === "mfa" &&
      html`<button type="button" class="link" onClick=${() => setUseRecovery(!useRecovery)}>
        ${useRecovery ? t("sign_in.use_otp") : t("sign_in.use_recovery")}
      </button>`}
    </form>
    <p><a href="/admin/forgot-password">${t("sign_in.forgot")}</a></p>
  </${Page}>`;
}
