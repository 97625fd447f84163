// A cursor-paginated list of the admin API (`{items, next_cursor}`; `?cursor=&limit=`):
// the first page for the current filters, then "Show more" appends the next.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { get, qs } from "../api.js";

/**
 * `useCursorList("admin/orders", {status: "paid", limit: 25})` → {items, error, loading,
 * hasMore, more()}. A change of `params` (compared as JSON) loads the first page again.
 */
export function useCursorList(path, params = {}) {
  const key = JSON.stringify(params);
  const [state, setState] = useState({ items: null, cursor: null, error: null, loading: true });
  const generation = useRef(0);
  const load = useCallback(
    async (cursor) => {
      const mine = ++generation.current;
      setState((s) => ({ ...s, loading: true, error: null }));
      try {
        const page = await get(`${path}${qs({ ...JSON.parse(key), cursor })}`);
        if (mine !== generation.current) return; // a newer request (new filters) won
        setState((s) => ({ items: cursor && s.items ? [...s.items, ...page.items] : page.items, cursor: page.next_cursor || null, error: null, loading: false }));
      } catch (error) {
        if (mine === generation.current) setState((s) => ({ ...s, error, loading: false }));
      }
    },
    [path, key],
  );
  useEffect(() => {
    load(null);
  }, [load]);
  return {
    items: state.items,
    error: state.error,
    loading: state.loading,
    hasMore: Boolean(state.cursor),
    more: () => state.cursor && load(state.cursor),
    reload: () => load(null),
  };
}
