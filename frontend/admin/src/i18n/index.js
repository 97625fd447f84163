// English and Spanish, by the member's locale (`me.locale`; before sign-in, the page's
// <html lang>, which the worker sets from the brand's language). Strings live in en.js and
// es.js, one flat table each: `t("members.invite")`, with `{name}` placeholders.
import en from "./en.js";
import es from "./es.js";

const tables = { en, es };
let current = document.documentElement.lang === "es" ? "es" : "en";

export function setLocale(locale) {
  current = tables[locale] ? locale : "en";
  document.documentElement.lang = current;
}

export function locale() {
  return current;
}

/** The string for `key` in the current language (English, then the key, when missing). */
export function t(key, vars) {
  let s = tables[current][key] ?? tables.en[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

/** A timestamp (RFC 3339) in the member's language, date and time. */
export function formatDateTime(value) {
  if (!value) return "—";
  const d = new Date(value);
  return isNaN(d) ? String(value) : d.toLocaleString(current === "es" ? "es-ES" : "en-US", { dateStyle: "medium", timeStyle: "short" });
}

export function formatDate(value) {
  if (!value) return "—";
  const d = new Date(value);
  return isNaN(d) ? String(value) : d.toLocaleDateString(current === "es" ? "es-ES" : "en-US", { dateStyle: "medium" });
}

/** Integer minor units + ISO currency → "$12.00" / "12,00 €". */
export function formatMoney(amount, currency) {
  if (amount === null || amount === undefined) return "—";
  const f = new Intl.NumberFormat(current === "es" ? "es-ES" : "en-US", { style: "currency", currency: currency || "USD" });
  const digits = f.resolvedOptions().maximumFractionDigits;
  return f.format(amount / 10 ** digits);
}
