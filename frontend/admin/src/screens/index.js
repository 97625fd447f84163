// Every screen of the dashboard, in one list: the router matches `path` (`:name` segments
// become params), the navigation shows those with `nav` (a string key) that the member's
// role allows (`permission`: a name from `me.permissions`), in `order`. `public`: opens
// without a session; `signedOutOnly`: a signed-in member is sent to /admin instead.
// How to add a screen: frontend/admin/README.md.
import { Home } from "./home.js";
import { SignIn } from "./sign_in.js";
import { ForgotPassword, ResetPassword } from "./password_reset.js";
import { Account } from "./account.js";
import { Members } from "./members.js";
import { Domains } from "./domains.js";
import { AuditLog } from "./audit_log.js";
import { Billing } from "./billing.js";
import { PlatformHome, SignUp, SignUpVerify, SwitchBrand } from "./platform.js";

/** A brand's host. */
export const screens = [
  { path: "/admin/sign-in", view: SignIn, public: true, signedOutOnly: true },
  { path: "/admin/forgot-password", view: ForgotPassword, public: true, signedOutOnly: true },
  { path: "/admin/reset-password", view: ResetPassword, public: true, signedOutOnly: true },
  { path: "/admin", view: Home, nav: "nav.home", order: 10 },
  // 20–70: catalog, orders, customers, devices, settings (their screens go here)
  { path: "/admin/members", view: Members, nav: "nav.members", permission: "manage_members", order: 80 },
  { path: "/admin/domains", view: Domains, nav: "nav.domains", permission: "manage_domains", order: 85 },
  { path: "/admin/audit-log", view: AuditLog, nav: "nav.audit_log", permission: "read_audit_log", order: 90 },
  { path: "/admin/billing", view: Billing, nav: "nav.billing", permission: "manage_billing", order: 95 },
  { path: "/admin/account", view: Account, nav: "nav.account", order: 99 },
];

/** The platform's host: sign-up, and the super admin's way to a brand. */
export const platformScreens = [
  { path: "/admin", view: PlatformHome, public: true },
  { path: "/admin/sign-up", view: SignUp, public: true },
  { path: "/admin/sign-up/verify", view: SignUpVerify, public: true },
  { path: "/admin/brands", view: SwitchBrand, public: true },
];
