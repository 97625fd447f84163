// Forgot password (a code by email; the answer is the same whether or not the address has
// an account) and reset with that code. The password rules are stated where it is chosen.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { t } from "../i18n/index.js";
import { post } from "../api.js";
import { navigate, query } from "../router.js";
import { Field, Notice, Submit, useForm } from "../ui/form.js";
import { Page } from "../ui/page.js";

export const PASSWORD_FIELDS = { "password_*": "new_password" };

export function ForgotPassword() {
  const form = useForm({ email: query().get("email") || "" }, { invalid_email: "email" });
  const submit = (e) =>
    form.submit(e, async (v) => {
      await post("auth/forgot-password", { email: v.email });
      navigate(`/admin/reset-password?email=${encodeURIComponent(v.email)}&sent=1`);
    });
  return html`<${Page} title=${t("forgot.title")}>
    <form class="card narrow" onSubmit=${submit} novalidate>
      <p>${t("forgot.intro")}</p>
      <${Notice} error=${form.formError} />
      <${Field} label=${t("field.email")} name="email" type="email" autocomplete="username" required
        value=${form.values.email} onInput=${form.set("email")} error=${form.errors.email} />
      <${Submit} busy=${form.busy}>${t("forgot.submit")}</${Submit}>
    </form>
    <p><a href="/admin/sign-in">${t("common.back_to_sign_in")}</a></p>
  </${Page}>`;
}

export function ResetPassword() {
  const q = query();
  const [done, setDone] = useState(false);
  const form = useForm({ email: q.get("email") || "", code: "", new_password: "" }, { ...PASSWORD_FIELDS, code_invalid: "code", invalid_email: "email" });
  const submit = (e) =>
    form.submit(e, async (v) => {
      await post("auth/reset-password", v);
      setDone(true);
    });
  if (done) {
    return html`<${Page} title=${t("reset.title")}>
      <${Notice} kind="ok">${t("reset.done")}</${Notice}>
      <p><a href="/admin/sign-in">${t("common.back_to_sign_in")}</a></p>
    </${Page}>`;
  }
  return html`<${Page} title=${t("reset.title")}>
    <form class="card narrow" onSubmit=${submit} novalidate>
      ${q.get("sent") && html`<${Notice} kind="ok">${t("reset.sent")}</${Notice}>`}
      <${Notice} error=${form.formError} />
      <${Field} label=${t("field.email")} name="email" type="email" autocomplete="username" required
        value=${form.values.email} onInput=${form.set("email")} error=${form.errors.email} />
      <${Field} label=${t("field.code")} name="code" inputmode="numeric" autocomplete="one-time-code" required
        value=${form.values.code} onInput=${form.set("code")} error=${form.errors.code} />
      <${Field} label=${t("field.new_password")} name="new_password" type="password" autocomplete="new-password" required
        hint=${t("password.rules")} value=${form.values.new_password} onInput=${form.set("new_password")} error=${form.errors.new_password} />
      <${Submit} busy=${form.busy}>${t("reset.submit")}</${Submit}>
    </form>
    <p><a href="/admin/sign-in">${t("common.back_to_sign_in")}</a></p>
  </${Page}>`;
}
