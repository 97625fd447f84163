// A screen's frame: its heading (focused when the screen opens, so screen readers and
// keyboard users start there), the document title, loading and error states.
import { useEffect, useRef, useState, useCallback } from "preact/hooks";
import { html } from "../html.js";
import { t } from "../i18n/index.js";
import { get } from "../api.js";

export function Page({ title, actions, children }) {
  const heading = useRef(null);
  useEffect(() => {
    document.title = `${title} · ${t("app.name")}`;
    if (heading.current) heading.current.focus({ preventScroll: true });
  }, [title]);
  return html`<section class="page">
    <div class="page-head">
      <h1 tabindex="-1" ref=${heading}>${title}</h1>
      ${actions && html`<div class="page-actions">${actions}</div>`}
    </div>
    ${children}
  </section>`;
}

export function Loading() {
  return html`<p class="loading" role="status">${t("common.loading")}</p>`;
}

/** GET `path` (re-run when it changes) → {data, error, loading, reload}. */
export function useResource(path) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const load = useCallback(() => {
    if (!path) return;
    setState((s) => ({ ...s, loading: true }));
    get(path).then(
      (data) => setState({ data, error: null, loading: false }),
      (error) => setState({ data: null, error, loading: false }),
    );
  }, [path]);
  useEffect(load, [load]);
  return { ...state, reload: load };
}

/** data/error/loading of useResource as a screen part. */
export function Loaded({ resource, children }) {
  if (resource.loading && !resource.data) return html`<${Loading} />`;
  if (resource.error) return html`<div class="notice notice-error" role="alert">${resource.error.text}</div>`;
  return children(resource.data);
}
