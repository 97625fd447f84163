// The dashboard's one way to the JSON API (/api/v1/…): cookie session (HttpOnly cookies
// the login set), `x-csrf-token` on every state-changing request, one silent refresh when
// the access cookie has expired, and errors as ApiError {status, code, message, field}.
import { t } from "./i18n/index.js";

// Kept in localStorage too: after a reload with an expired access cookie, the silent
// refresh (itself state-changing) needs it before `me` can answer. It is no credential on
// its own: without the HttpOnly cookies it is worth nothing.
const STORED = "shoal.csrf";
let csrfToken = safeStorage(() => localStorage.getItem(STORED));
let onSignedOut = () => {};

function safeStorage(fn) {
  try {
    return fn();
  } catch {
    return null;
  }
}

export function setCsrfToken(token) {
  csrfToken = token || null;
  safeStorage(() => (token ? localStorage.setItem(STORED, token) : localStorage.removeItem(STORED)));
}

/** Called when the session is over (401 after a refresh): the app shows the sign-in. */
export function onSessionEnded(fn) {
  onSignedOut = fn;
}

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    // "name: must be text" / "theme.text: contrast …" name their field; the screens map
    // other codes to fields
    const named = /^([a-z_]+(?:\.[a-z_]+)*): /.exec(message || "");
    this.field = named ? named[1] : null;
  }
  /** What to tell the member: the code's own sentence when we have one, else the server's. */
  get text() {
    const key = `error.${this.code}`;
    const own = t(key);
    return own !== key ? own : this.message || this.code;
  }
}

async function send(method, path, body, opts) {
  const headers = { accept: "application/json" };
  let payload;
  if (body instanceof Blob || body instanceof ArrayBuffer) {
    payload = body;
    if (body.type) headers["content-type"] = body.type;
  } else if (body !== undefined) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body);
  }
  if (method !== "GET" && method !== "HEAD" && csrfToken) headers["x-csrf-token"] = csrfToken;
  return fetch(`/api/v1/${path}`, { method, headers, body: payload, credentials: "same-origin", signal: opts.signal });
}

let refreshing = null;
/** One refresh at a time (the refresh token is single use). */
function refresh() {
  // never signed in in this browser (no token): nothing to refresh
  if (!csrfToken) return Promise.resolve(false);
  refreshing ||= send("POST", "auth/refresh", undefined, {})
    .then(async (r) => {
      if (!r.ok) return false;
      const j = await r.json().catch(() => ({}));
      if (j.csrf_token) setCsrfToken(j.csrf_token);
      return true;
    })
    .catch(() => false)
    .finally(() => setTimeout(() => (refreshing = null), 0));
  return refreshing;
}

/**
 * `api("GET", "admin/members")` → the parsed JSON answer; throws ApiError.
 * opts.raw: return the Response (CSV downloads); opts.noRefresh: a 401 is just an error
 * (sign-in and its MFA step).
 */
export async function api(method, path, body, opts = {}) {
  let r;
  try {
    r = await send(method, path, body, opts);
  } catch (e) {
    throw new ApiError(0, "network_error", t("error.network_error"));
  }
  if (r.status === 401 && !opts.noRefresh && !path.startsWith("auth/")) {
    if (await refresh()) r = await send(method, path, body, opts);
    if (r.status === 401) {
      onSignedOut();
      throw new ApiError(401, "unauthorized", t("error.unauthorized"));
    }
  }
  if (r.status === 403 && !opts.retried && method !== "GET" && !path.startsWith("auth/")) {
    // another tab signed in again (a new login, a new token): take the session's current
    // token from `me` and try once more
    const peek = r.clone();
    const code = await peek.json().then((j) => j && j.error && j.error.code, () => null);
    if (code === "csrf_token_invalid") {
      const me = await send("GET", "account/me", undefined, {}).then((m) => (m.ok ? m.json() : null), () => null);
      if (me && me.csrf_token) {
        setCsrfToken(me.csrf_token);
        return api(method, path, body, { ...opts, retried: true });
      }
    }
  }
  if (opts.raw && r.ok) return r;
  const text = await r.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!r.ok) {
    const e = (json && json.error) || {};
    throw new ApiError(r.status, e.code || `http_${r.status}`, e.message || r.statusText, e.details);
  }
  return json;
}

export const get = (path, opts) => api("GET", path, undefined, opts);
export const post = (path, body, opts) => api("POST", path, body === undefined ? {} : body, opts);
export const patch = (path, body, opts) => api("PATCH", path, body, opts);
export const put = (path, body, opts) => api("PUT", path, body, opts);
export const del = (path, opts) => api("DELETE", path, undefined, opts);

/** `?a=1&b=…` from an object, leaving out empty values. */
export function qs(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/**
 * Uploads `file` (a File or Blob, sent as is) with progress: `onProgress(fraction 0..1)`.
 * fetch() reports no upload progress, so this one request uses XMLHttpRequest; it sends the
 * CSRF token like every other write. Answers the parsed JSON; throws ApiError.
 */
export function upload(method, path, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, `/api/v1/${path}`);
    xhr.setRequestHeader("accept", "application/json");
    if (file.type) xhr.setRequestHeader("content-type", file.type);
    if (csrfToken) xhr.setRequestHeader("x-csrf-token", csrfToken);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(0, "network_error", t("error.network_error")));
    xhr.onload = () => {
      let json = null;
      try {
        json = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        json = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(json);
      if (xhr.status === 401) onSignedOut();
      const e = (json && json.error) || {};
      reject(new ApiError(xhr.status, e.code || `http_${xhr.status}`, e.message || xhr.statusText, e.details));
    };
    xhr.send(file);
  });
}
