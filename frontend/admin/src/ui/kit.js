// Pieces the catalog, orders, customers, devices and settings screens share: money typed
// as decimals (the API speaks integer minor units), option values as "size=M, colour=Red",
// cursor-paginated lists ("Show more"), uploads with a progress bar (api.js `upload`), downloads with a
// "preparing" state, and a small action runner that reports errors next to what failed.
import { useCallback, useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { t } from "../i18n/index.js";
import { ApiError, api, get, qs, upload } from "../api.js";

/** Digits after the decimal point of a currency (JPY 0, USD 2, …). */
export function currencyDigits(currency) {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency: currency || "USD" }).resolvedOptions().maximumFractionDigits;
  } catch {
    return 2;
  }
}

/** "12.50" / "12,50" → 1250 minor units; "" → null; anything else → NaN. */
export function toMinor(text, currency) {
  const s = String(text ?? "").trim().replace(",", ".");
  if (!s) return null;
  if (!/^\d+(\.\d+)?$/.test(s)) return NaN;
  const digits = currencyDigits(currency);
  const [whole, frac = ""] = s.split(".");
  if (frac.length > digits) return NaN;
  return Number(whole) * 10 ** digits + Number((frac + "0".repeat(digits)).slice(0, digits) || 0);
}

/** 1250 → "12.50" (for an input's value). */
export function fromMinor(amount, currency) {
  if (amount === null || amount === undefined) return "";
  const digits = currencyDigits(currency);
  return digits ? (amount / 10 ** digits).toFixed(digits) : String(amount);
}

/** {"size":"M","colour":"Red"} → "size=M, colour=Red". */
export function optionsText(options) {
  return Object.entries(options || {}).map(([k, v]) => `${k}=${v}`).join(", ");
}

/** "size=M, colour=Red" → {size:"M", colour:"Red"}; null when a part has no "=". */
export function parseOptions(text) {
  const out = {};
  for (const part of String(text || "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const i = part.indexOf("=");
    if (i <= 0) return null;
    out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/** {"EUR": 1200} → "EUR=12.00". */
export function pricesText(prices) {
  return Object.entries(prices || {}).map(([c, a]) => `${c}=${fromMinor(a, c)}`).join(", ");
}

/** "EUR=12.00, GBP=10" → {EUR:1200, GBP:1000}; null when a part is malformed. */
export function parsePrices(text) {
  const out = {};
  for (const part of String(text || "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Za-z]{3})\s*=\s*(.+)$/.exec(part);
    if (!m) return null;
    const code = m[1].toUpperCase();
    const minor = toMinor(m[2], code);
    if (minor === null || Number.isNaN(minor)) return null;
    out[code] = minor;
  }
  return out;
}

/** A client-side refusal shaped like the API's, so useForm puts it next to its field. */
export function fieldError(field, key) {
  const e = new ApiError(422, "invalid_field", `${field}: ${t(key)}`);
  return e;
}

/**
 * A list the API pages with `next_cursor`: `path` without cursor; `params` the filters
 * (re-loaded from the first page when they change). → {items, more, loadMore, loading, error, reload}.
 */
export function useCursorList(path, params) {
  const key = path + qs(params);
  const [state, setState] = useState({ items: null, cursor: null, loading: true, error: null });
  const load = useCallback(
    async (cursor) => {
      setState((s) => ({ ...s, loading: true, error: null }));
      try {
        const page = await get(path + qs({ ...params, cursor }));
        setState((s) => ({ items: cursor && s.items ? [...s.items, ...page.items] : page.items, cursor: page.next_cursor || null, loading: false, error: null }));
      } catch (error) {
        setState((s) => ({ ...s, loading: false, error }));
      }
    },
    [key],
  );
  useEffect(() => {
    setState({ items: null, cursor: null, loading: true, error: null });
    load(null);
  }, [load]);
  return { ...state, more: Boolean(state.cursor), loadMore: () => load(state.cursor), reload: () => load(null) };
}

/** The "Show more" button and the list's loading/error states. */
export function ListFooter({ list }) {
  return html`
    ${list.error && html`<div class="notice notice-error" role="alert">${list.error.text}</div>`}
    ${list.loading && html`<p class="loading" role="status">${t("common.loading")}</p>`}
    ${list.more && !list.loading && html`<button type="button" onClick=${list.loadMore}>${t("common.more")}</button>`}`;
}

/** A file input that uploads the chosen file with a progress bar. */
export function UploadField({ label, hint, accept, path, onDone, disabled }) {
  const [progress, setProgress] = useState(null);
  const [error, setError] = useState(null);
  const [id] = useState(() => `up-${Math.random().toString(36).slice(2)}`);
  async function choose(e) {
    const file = e.currentTarget.files && e.currentTarget.files[0];
    const input = e.currentTarget;
    if (!file) return;
    setError(null);
    setProgress(0);
    try {
      const answer = await upload("POST", typeof path === "function" ? path(file) : path, file, setProgress);
      await onDone(answer);
    } catch (err) {
      setError(err instanceof ApiError ? err.text : String(err));
    } finally {
      setProgress(null);
      input.value = "";
    }
  }
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return html`<div class="field upload">
    <label for=${id}>${label}</label>
    ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
    <input id=${id} type="file" accept=${accept} onChange=${choose} disabled=${disabled || progress !== null}
      aria-invalid=${error ? "true" : undefined} aria-describedby=${described} />
    ${progress !== null &&
    html`<div class="progress-row" role="status">
      <progress max="100" value=${Math.round(progress * 100)} aria-label=${t("upload.progress")}></progress>
      <span>${progress >= 1 ? t("upload.processing") : t("upload.percent", { n: Math.round(progress * 100) })}</span>
    </div>`}
    ${error && html`<p class="field-error" id=${`${id}-error`}>${error}</p>`}
  </div>`;
}

/**
 * A download of `path` (GET, cookies) saved as `filename`, showing "Preparing…" and the
 * bytes received while the server builds it.
 */
export function DownloadButton({ path, filename, children }) {
  const [state, setState] = useState(null); // null | {received} | {error}
  async function go() {
    setState({ received: 0 });
    try {
      const r = await api("GET", path, undefined, { raw: true });
      const total = Number(r.headers.get("content-length")) || 0;
      const chunks = [];
      let received = 0;
      if (r.body && r.body.getReader) {
        const reader = r.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks.push(value);
          received += value.length;
          setState({ received, total });
        }
      } else chunks.push(new Uint8Array(await r.arrayBuffer()));
      const blob = new Blob(chunks, { type: r.headers.get("content-type") || "text/csv" });
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = filename;
      document.body.appendChild(a);
      a.click();
      setTimeout(() => {
        URL.revokeObjectURL(a.href);
        a.remove();
      }, 1000);
      setState({ done: true });
    } catch (e) {
      setState({ error: e instanceof ApiError ? e.text : String(e) });
    }
  }
  const busy = state && state.received !== undefined;
  return html`<div class="download">
    <button type="button" onClick=${go} disabled=${busy} aria-busy=${busy ? "true" : undefined}>${busy ? t("download.preparing") : children}</button>
    ${busy &&
    html`<span role="status" class="progress-row">
      ${state.total ? html`<progress max=${state.total} value=${state.received} aria-label=${t("download.progress")}></progress>` : html`<progress aria-label=${t("download.progress")}></progress>`}
      ${state.received ? t("download.received", { kb: Math.ceil(state.received / 1024) }) : t("download.preparing")}
    </span>`}
    ${state && state.done && html`<span role="status">${t("download.done")}</span>`}
    ${state && state.error && html`<p class="field-error" role="alert">${state.error}</p>`}
  </div>`;
}

/**
 * Runs actions that are not forms (archive, delete, reorder…): → {busy, error, notice, run}.
 * run(fn, done) shows `done` when fn resolves, the error's sentence when it throws.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  async function run(fn, done) {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const answer = await fn();
      if (done) setNotice(done);
      return answer;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      setError(e.text);
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, notice, run, setError, setNotice };
}

/** The outcome of useAction as a screen part. */
export function ActionNotice({ action }) {
  return html`${action.error && html`<div class="notice notice-error" role="alert">${action.error}</div>`}
    ${action.notice && html`<div class="notice notice-ok" role="status">${action.notice}</div>`}`;
}

/** A status word as a small coloured tag ("active", "paid", "online"…), translated under `prefix`. */
export function StatusTag({ prefix, value }) {
  return html`<span class=${`tag tag-${value}`}>${t(`${prefix}.${value}`)}</span>`;
}

let areaIds = 0;
/** A labelled multi-line text field (form.js has single-line ones). */
export function TextArea({ label, name, value, onInput, error, hint, rows = 4, ...rest }) {
  const [own] = useState(() => `f-${name}-area-${++areaIds}`);
  const described = [hint ? `${own}-hint` : null, error ? `${own}-error` : null].filter(Boolean).join(" ") || undefined;
  return html`<div class="field">
    <label for=${own}>${label}</label>
    ${hint && html`<p class="hint" id=${`${own}-hint`}>${hint}</p>`}
    <textarea id=${own} name=${name} rows=${rows} value=${value ?? ""} onInput=${(e) => onInput && onInput(e.currentTarget.value)}
      aria-invalid=${error ? "true" : undefined} aria-describedby=${described} ...${rest}></textarea>
    ${error && html`<p class="field-error" id=${`${own}-error`}>${error}</p>`}
  </div>`;
}

/**
 * Runs `fn`; an ApiError whose message names a field as `variants[0].price_amount: …` or
 * `price_amount: …` is given the form's own name for it (`rename`: API name → form name).
 */
export async function renamingFields(fn, rename = {}) {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ApiError) {
      const m = /^(?:[a-z_]+\[\d+\]\.)?([a-z_]+)(?:\.[A-Za-z_]+)?: (.*)$/s.exec(e.message || "");
      if (m) {
        e.field = rename[m[1]] || m[1];
        // next to its field the field's name is redundant: our sentence for it, or the rule the API states
        const own = t(`field_rule.${m[1]}`);
        const text = own !== `field_rule.${m[1]}` ? own : m[2].charAt(0).toUpperCase() + m[2].slice(1);
        Object.defineProperty(e, "text", { value: text });
      }
    }
    throw e;
  }
}
