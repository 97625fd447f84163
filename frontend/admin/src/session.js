// Who is signed in (`GET /api/v1/account/me`), shared with every screen through context.
import { createContext } from "preact";
import { useContext } from "preact/hooks";

export const SessionContext = createContext({ me: null, site: "brand", reload: async () => {}, signOut: async () => {} });

export function useSession() {
  return useContext(SessionContext);
}

/** Whether the signed-in member's role allows `permission` (me.permissions, e.g. "manage_members"). */
export function can(me, permission) {
  return !permission || Boolean(me && me.permissions && me.permissions.includes(permission));
}
