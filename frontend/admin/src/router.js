// A small history-API router for /admin/…: screens are matched by pattern
// ("/admin/members/:id"), links inside the app navigate without a page load.
import { useEffect, useState } from "preact/hooks";

const listeners = new Set();

export function navigate(to, { replace = false } = {}) {
  if (to === location.pathname + location.search) return;
  history[replace ? "replaceState" : "pushState"](null, "", to);
  listeners.forEach((f) => f());
}

/** The current path and query, re-rendering the caller on every navigation. */
export function useLocation() {
  const [here, setHere] = useState(location.pathname + location.search);
  useEffect(() => {
    const update = () => setHere(location.pathname + location.search);
    listeners.add(update);
    addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      removeEventListener("popstate", update);
    };
  }, []);
  return here;
}

/** The params of `path` under `pattern` (`:name` segments), or null when it does not match. */
export function match(pattern, path) {
  const want = pattern.split("/").filter(Boolean);
  const have = path.split("?")[0].split("/").filter(Boolean);
  if (want.length !== have.length) return null;
  const params = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(":")) params[want[i].slice(1)] = decodeURIComponent(have[i]);
    else if (want[i] !== have[i]) return null;
  }
  return params;
}

/** The query parameters of the current location. */
export function query() {
  return new URLSearchParams(location.search);
}

/** Same-origin links under /admin navigate inside the app (modified clicks open as usual). */
export function interceptLinks() {
  document.addEventListener("click", (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.target.closest && e.target.closest("a[href]");
    if (!a || a.target || a.hasAttribute("download") || a.origin !== location.origin) return;
    // the emailed invitation link is a server page that works without JavaScript
    if (!a.pathname.startsWith("/admin") || a.pathname === "/admin/accept-invitation" || a.dataset.reload !== undefined) return;
    e.preventDefault();
    navigate(a.pathname + a.search);
  });
}

/** Where sign-in leads: the `next` screen it was sent from, only ever a path of this dashboard. */
export function nextAfterSignIn() {
  const next = query().get("next") || "";
  return next.startsWith("/admin/") && !next.startsWith("/admin/sign-in") ? next : "/admin";
}
