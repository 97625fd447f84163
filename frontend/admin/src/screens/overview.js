// The home screen of /admin: today's and the last 30 days' orders and revenue (with a
// small day-by-day table, readable without colour or a chart), low stock, and the
// subscription's state. Roles that may not read orders see the plain welcome instead.
import { html } from "../html.js";
import { TableScroll } from "../ui/table.js";
import { formatDate, formatMoney, t } from "../i18n/index.js";
import { can, useSession } from "../session.js";
import { Loaded, Page, useResource } from "../ui/page.js";
import { Home } from "./home.js";

export function Overview() {
  const { me } = useSession();
  if (!can(me, "read_orders")) return html`<${Home} />`;
  return html`<${OverviewScreen} />`;
}

function OverviewScreen() {
  const { me } = useSession();
  const overview = useResource("admin/overview");
  return html`<${Page} title=${t("overview.title", { brand: me.brand.name })}>
    <${Loaded} resource=${overview}>
      ${(o) => {
        const days = (o.last_30_days && o.last_30_days.by_day) || [];
        const best = Math.max(1, ...days.map((d) => d.revenue || 0));
        const sub = o.subscription || {};
        return html`
          <ul class="stats">
            <li class="card"><h2>${t("overview.today")}</h2>
              <p class="stat">${formatMoney(o.today?.revenue ?? 0, o.currency)}</p>
              <p>${t("overview.orders_n", { n: o.today?.orders ?? 0 })}</p></li>
            <li class="card"><h2>${t("overview.last_30")}</h2>
              <p class="stat">${formatMoney(o.last_30_days?.revenue ?? 0, o.currency)}</p>
              <p>${t("overview.orders_n", { n: o.last_30_days?.orders ?? 0 })}</p></li>
            <li class="card"><h2>${t("overview.subscription")}</h2>
              <p class="stat">${sub.state ? t(`billing.status.${sub.state}`) : t("billing.status.none")}</p>
              ${sub.plan && html`<p>${t("overview.plan", { plan: sub.plan })}</p>`}
              ${sub.trial_ends_at && html`<p>${t("billing.trial_ends")}: ${formatDate(sub.trial_ends_at)}</p>`}
              ${sub.grace_ends_at && html`<p>${t("billing.grace_ends")}: ${formatDate(sub.grace_ends_at)}</p>`}
              ${can(me, "manage_billing") && html`<p><a href="/admin/billing">${t("billing.open")}</a></p>`}</li>
          </ul>
          <h2>${t("overview.low_stock")}</h2>
          ${(o.low_stock || []).length === 0
            ? html`<p>${t("overview.no_low_stock")}</p>`
            : html`<${TableScroll} label=${t("overview.low_stock")}><table>
                <caption class="sr-only">${t("overview.low_stock")}</caption>
                <thead><tr><th scope="col">${t("catalog.product")}</th><th scope="col">${t("catalog.sku")}</th>
                  <th scope="col">${t("catalog.available")}</th><th scope="col">${t("catalog.low_stock_threshold")}</th></tr></thead>
                <tbody>${o.low_stock.map((s) => html`<tr><td>${s.product_title}</td><td>${s.sku}</td><td>${s.available}</td><td>${s.low_stock_threshold}</td></tr>`)}</tbody>
              </table></${TableScroll}>`}
          ${can(me, "read_catalog") && html`<p><a href="/admin/products?low_stock=true">${t("overview.see_low_stock")}</a></p>`}
          <h2>${t("overview.by_day")}</h2>
          <${TableScroll} label=${t("overview.by_day")}><table class="by-day">
            <caption class="sr-only">${t("overview.by_day")}</caption>
            <thead><tr><th scope="col">${t("orders.date")}</th><th scope="col">${t("overview.orders")}</th><th scope="col">${t("overview.revenue")}</th></tr></thead>
            <tbody>${days.slice().reverse().map((d) => html`<tr><td>${formatDate(d.date)}</td><td>${d.orders}</td>
              <td><span class="bar-cell"><meter min="0" max=${best} value=${d.revenue || 0} aria-hidden="true"></meter>${formatMoney(d.revenue || 0, o.currency)}</span></td></tr>`)}</tbody>
          </table></${TableScroll}>`;
      }}
    </${Loaded}>
  </${Page}>`;
}
