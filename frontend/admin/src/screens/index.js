// Every screen of the dashboard, in one list: the router matches `path` (`:name` segments
// become params), the navigation shows those with `nav` (a string key) that the member's
// role allows (`permission`: a name from `me.permissions`), in `order`. `public`: opens
// without a session; `signedOutOnly`: a signed-in member is sent to /admin instead.
// How to add a screen: frontend/admin/README.md.
import { SignIn } from "./sign_in.js";
import { ForgotPassword, ResetPassword } from "./password_reset.js";
import { Account } from "./account.js";
import { Members } from "./members.js";
import { Domains } from "./domains.js";
import { AuditLog } from "./audit_log.js";
import { Billing } from "./billing.js";
import { PlatformHome, SignUp, SignUpVerify, SwitchBrand } from "./platform.js";
import { Overview } from "./overview.js";
import { NewProduct, Products } from "./products.js";
import { ProductEditor } from "./product_editor.js";
import { Categories } from "./categories.js";
import { OrderDetail, Orders } from "./orders.js";
import { CustomerDetail, Customers } from "./customers.js";
import { DeviceDetail, Devices } from "./devices.js";
import { Settings } from "./settings.js";
import { Notifications } from "./notifications.js";

/** A brand's host. */
export const screens = [
  { path: "/admin/sign-in", view: SignIn, public: true, signedOutOnly: true },
  { path: "/admin/forgot-password", view: ForgotPassword, public: true, signedOutOnly: true },
  { path: "/admin/reset-password", view: ResetPassword, public: true, signedOutOnly: true },
  // the overview (orders and revenue, low stock, subscription); Home for roles without orders
  { path: "/admin", view: Overview, nav: "nav.home", order: 10 },
  { path: "/admin/products", view: Products, nav: "nav.products", permission: "read_catalog", order: 20 },
  { path: "/admin/products/new", view: NewProduct, permission: "manage_catalog" },
  { path: "/admin/products/:id", view: ProductEditor, permission: "read_catalog" },
  { path: "/admin/categories", view: Categories, nav: "nav.categories", permission: "read_catalog", order: 25 },
  { path: "/admin/orders", view: Orders, nav: "nav.orders", permission: "read_orders", order: 30 },
  { path: "/admin/orders/:id", view: OrderDetail, permission: "read_orders" },
  { path: "/admin/customers", view: Customers, nav: "nav.customers", permission: "read_orders", order: 40 },
  { path: "/admin/customers/:id", view: CustomerDetail, permission: "read_orders" },
  { path: "/admin/devices", view: Devices, nav: "nav.devices", permission: "manage_devices", order: 50 },
  { path: "/admin/devices/:id", view: DeviceDetail, permission: "manage_devices" },
  { path: "/admin/settings", view: Settings, nav: "nav.settings", permission: "read_catalog", order: 70 },
  { path: "/admin/notifications", view: Notifications, nav: "nav.notifications", order: 98 },
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
