// Form pieces every screen uses: labelled fields whose errors are tied to the input
// (aria-invalid, aria-describedby), a form-level alert, and useForm, which runs a submit
// and puts the API's error next to the field it names (or above the form).
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { t } from "../i18n/index.js";
import { ApiError } from "../api.js";

let ids = 0;
const nextId = (name) => `f-${name}-${++ids}`;

export function Field({ label, name, type = "text", value, onInput, error, hint, id, ...rest }) {
  const [own] = useState(() => id || nextId(name));
  const described = [hint ? `${own}-hint` : null, error ? `${own}-error` : null].filter(Boolean).join(" ") || undefined;
  return html`<div class="field">
    <label for=${own}>${label}</label>
    ${hint && html`<p class="hint" id=${`${own}-hint`}>${hint}</p>`}
    <input id=${own} name=${name} type=${type} value=${value ?? ""} onInput=${(e) => onInput && onInput(e.currentTarget.value)}
      aria-invalid=${error ? "true" : undefined} aria-describedby=${described} ...${rest} />
    ${error && html`<p class="field-error" id=${`${own}-error`}>${error}</p>`}
  </div>`;
}

export function Select({ label, name, value, onInput, options, error, hint, ...rest }) {
  const [own] = useState(() => nextId(name));
  const described = [hint ? `${own}-hint` : null, error ? `${own}-error` : null].filter(Boolean).join(" ") || undefined;
  return html`<div class="field">
    <label for=${own}>${label}</label>
    ${hint && html`<p class="hint" id=${`${own}-hint`}>${hint}</p>`}
    <select id=${own} name=${name} value=${value} onChange=${(e) => onInput && onInput(e.currentTarget.value)}
      aria-invalid=${error ? "true" : undefined} aria-describedby=${described} ...${rest}>
      ${options.map(([v, text]) => html`<option value=${v} selected=${v === value}>${text}</option>`)}
    </select>
    ${error && html`<p class="field-error" id=${`${own}-error`}>${error}</p>`}
  </div>`;
}

export function Checkbox({ label, name, checked, onInput, ...rest }) {
  const [own] = useState(() => nextId(name));
  return html`<div class="field field-check">
    <input id=${own} type="checkbox" name=${name} checked=${checked} onChange=${(e) => onInput && onInput(e.currentTarget.checked)} ...${rest} />
    <label for=${own}>${label}</label>
  </div>`;
}

/** A form-level message: an error (role=alert) or a notice (role=status). */
export function Notice({ error, children, kind }) {
  if (!error && !children) return null;
  if (error) return html`<div class="notice notice-error" role="alert">${error}</div>`;
  return html`<div class=${`notice notice-${kind || "ok"}`} role="status">${children}</div>`;
}

/**
 * Form state and submission. `fields`: initial values. `codeFields`: extra error code → field
 * (e.g. {password_too_short: "password"}; "password_*" and "*_domain" match a code's start or end). submit(run) runs `run(values)`; an ApiError lands on its field or the form.
 */
export function useForm(fields, codeFields = {}) {
  const [values, setValues] = useState(fields);
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name) => (v) => setValues((old) => ({ ...old, [name]: v }));
  const fieldOf = (e) => {
    if (e.field && e.field in values) return e.field;
    // "theme.text" is the form's "text" when the form holds the object's fields flat
    const leaf = e.field && e.field.split(".").pop();
    if (leaf && leaf in values) return leaf;
    if (codeFields[e.code]) return codeFields[e.code];
    for (const [pattern, field] of Object.entries(codeFields)) {
      if (pattern.endsWith("*") && e.code.startsWith(pattern.slice(0, -1))) return field;
      if (pattern.startsWith("*") && e.code.endsWith(pattern.slice(1))) return field;
    }
    return null;
  };
  async function submit(event, run) {
    if (event) event.preventDefault();
    if (busy) return undefined;
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      return await run(values);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      const field = fieldOf(e);
      if (field) setErrors({ [field]: e.text });
      else setFormError(e.text);
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return { values, setValues, set, errors, formError, setFormError, busy, submit };
}

export function Submit({ busy, children }) {
  return html`<button type="submit" class="primary" disabled=${busy} aria-busy=${busy ? "true" : undefined}>
    ${busy ? t("common.working") : children}
  </button>`;
}
