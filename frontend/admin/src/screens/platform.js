// The platform's host: a brand owner signs up (the shop's name, address, currency and
// language; their email and password), enters the code emailed to them, and lands on their
// shop's dashboard sign-in. Super admins reach a brand here too: they sign in on that brand's
// own host (sessions belong to one brand's host), which records `brand_switched` in its
// audit log.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { t } from "../i18n/index.js";
import { post } from "../api.js";
import { navigate, query } from "../router.js";
import { Field, Notice, Select, Submit, useForm } from "../ui/form.js";
import { Page } from "../ui/page.js";
import { PASSWORD_FIELDS } from "./password_reset.js";

const CURRENCIES = ["USD", "EUR", "GBP", "MXN", "CAD", "AUD", "CHF", "SEK", "DKK", "NOK", "JPY", "BRL", "ARS", "CLP", "COP"];

/** `slug.platform-host` on this page's scheme and port (development serves every host on one port). */
function brandUrl(host, path) {
  return `${location.protocol}//${host}${location.port ? `:${location.port}` : ""}${path}`;
}

/** The shop's address from its name: lower case, a–z 0–9 and dashes. */
function slugOf(name) {
  return name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40);
}

export function PlatformHome() {
  return html`<${Page} title=${t("platform.title")}>
    <p>${t("platform.intro")}</p>
    <ul class="cards">
      <li><a href="/admin/sign-up">${t("platform.start")}</a></li>
      <li><a href="/admin/brands">${t("platform.to_brand")}</a></li>
    </ul>
  </${Page}>`;
}

export function SignUp() {
  const [slugTouched, setSlugTouched] = useState(false);
  const form = useForm(
    { brand_name: "", slug: "", currency: "USD", language: "en", email: "", password: "" },
    { ...PASSWORD_FIELDS, "password_*": "password", slug_taken: "slug", invalid_slug: "slug", reserved_slug: "slug", invalid_brand_name: "brand_name",
      reserved_brand_name: "brand_name", invalid_email: "email", invalid_currency: "currency", invalid_language: "language" },
  );
  const v = form.values;
  const submit = (e) =>
    form.submit(e, async (values) => {
      const body = { ...values, locale: values.language };
      const answer = await post("auth/signup", body);
      navigate(`/admin/sign-up/verify?email=${encodeURIComponent(values.email)}&host=${encodeURIComponent(answer.host)}`);
    });
  return html`<${Page} title=${t("signup.title")}>
    <form class="card narrow" onSubmit=${submit} novalidate>
      <${Notice} error=${form.formError} />
      <${Field} label=${t("signup.brand_name")} name="brand_name" autocomplete="organization" required value=${v.brand_name}
        onInput=${(x) => form.setValues((o) => ({ ...o, brand_name: x, slug: slugTouched ? o.slug : slugOf(x) }))} error=${form.errors.brand_name} />
      <${Field} label=${t("signup.slug")} name="slug" required value=${v.slug} hint=${t("signup.slug_hint", { host: `${v.slug || "…"}.${location.hostname}` })}
        onInput=${(x) => { setSlugTouched(true); form.set("slug")(x); }} error=${form.errors.slug} />
      <${Select} label=${t("signup.currency")} name="currency" value=${v.currency} onInput=${form.set("currency")} error=${form.errors.currency}
        options=${CURRENCIES.map((c) => [c, c])} hint=${t("signup.currency_hint")} />
      <${Select} label=${t("signup.language")} name="language" value=${v.language} onInput=${form.set("language")} error=${form.errors.language}
        options=${[["en", "English"], ["es", "Español"]]} />
      <${Field} label=${t("field.email")} name="email" type="email" autocomplete="email" required value=${v.email}
        onInput=${form.set("email")} error=${form.errors.email} />
      <${Field} label=${t("field.password")} name="password" type="password" autocomplete="new-password" required value=${v.password}
        hint=${t("password.rules")} onInput=${form.set("password")} error=${form.errors.password} />
      <${Submit} busy=${form.busy}>${t("signup.submit")}</${Submit}>
    </form>
  </${Page}>`;
}

export function SignUpVerify() {
  const q = query();
  const host = q.get("host") || "";
  const [resent, setResent] = useState(false);
  const form = useForm({ email: q.get("email") || "", code: "" }, { code_invalid: "code", invalid_email: "email" });
  const submit = (e) =>
    form.submit(e, async (v) => {
      await post("auth/verify-email", v);
      // the owner's session lives on the shop's own host: sign in there
      location.assign(brandUrl(host, `/admin/sign-in?welcome=1`));
    });
  const resend = async () => {
    setResent(false);
    try {
      await post("auth/resend-verification", { email: form.values.email });
      setResent(true);
    } catch (e) {
      form.setFormError(e.text);
    }
  };
  return html`<${Page} title=${t("verify.title")}>
    <form class="card narrow" onSubmit=${submit} novalidate>
      <p>${t("verify.intro", { email: form.values.email })}</p>
      <${Notice} error=${form.formError} />
      ${resent && html`<${Notice} kind="ok">${t("verify.resent")}</${Notice}>`}
      <${Field} label=${t("field.email")} name="email" type="email" autocomplete="email" required value=${form.values.email}
        onInput=${form.set("email")} error=${form.errors.email} />
      <${Field} label=${t("field.code")} name="code" inputmode="numeric" autocomplete="one-time-code" required value=${form.values.code}
        onInput=${form.set("code")} error=${form.errors.code} />
      <${Submit} busy=${form.busy}>${t("verify.submit")}</${Submit}>
      <button type="button" class="link" onClick=${resend}>${t("verify.resend")}</button>
    </form>
  </${Page}>`;
}

/**
 * The super admin's brand switch: the shop's address (or its slug on this platform) →
 * that host's sign-in. Signing in there as a platform super admin who is no member of
 * the brand is recorded as `brand_switched` in the brand's audit log.
 */
export function SwitchBrand() {
  const form = useForm({ brand: "" });
  const submit = (e) =>
    form.submit(e, async (v) => {
      const typed = v.brand.trim().toLowerCase().replace(/^https?:\/\//, "").replace(/\/.*$/, "").replace(/:\d+$/, "");
      if (!/^[a-z0-9.-]+$/.test(typed)) {
        form.setFormError(t("switch.invalid"));
        return;
      }
      const host = typed.includes(".") ? typed : `${typed}.${location.hostname}`;
      location.assign(brandUrl(host, "/admin/sign-in?switch=1"));
    });
  return html`<${Page} title=${t("switch.title")}>
    <form class="card narrow" onSubmit=${submit} novalidate>
      <p>${t("switch.intro")}</p>
      <${Notice} error=${form.formError} />
      <${Field} label=${t("switch.brand")} name="brand" required autocomplete="off" hint=${t("switch.hint", { example: `acme.${location.hostname}` })}
        value=${form.values.brand} onInput=${form.set("brand")} error=${form.errors.brand} />
      <${Submit} busy=${form.busy}>${t("switch.submit")}</${Submit}>
    </form>
  </${Page}>`;
}
