// Billing: the plan and its state, the Stripe Billing Portal (payment method, invoices,
// cancel), the brand's invoices (Stripe's hosted page and PDF open at Stripe), a checkout
// for a brand without a subscription, and the banner every screen
// shows to billing managers when the trial ends soon, a payment failed (within the grace
// period) or the shop is blocked.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { formatDate, formatDateTime, formatMoney, t } from "../i18n/index.js";
import { post } from "../api.js";
import { query } from "../router.js";
import { Notice } from "../ui/form.js";
import { Loaded, Page, useResource } from "../ui/page.js";
import { TableScroll } from "../ui/table.js";
import { ListFooter, useCursorList } from "../ui/kit.js";

const TRIAL_WARNING_DAYS = 7;

/** Which banner the billing state calls for, if any: [kind, text]. */
export function bannerOf(b) {
  if (!b) return null;
  if (b.blocked) return ["error", t("billing.banner_blocked")];
  if (b.status === "past_due" || (b.in_grace_period && b.status !== "active" && b.status !== "trialing")) {
    return ["warning", t("billing.banner_past_due", { date: formatDate(b.grace_period_ends_at) })];
  }
  if (b.status === "trialing" && b.current_period_end) {
    const days = (new Date(b.current_period_end) - Date.now()) / 86400000;
    if (days <= TRIAL_WARNING_DAYS) return ["warning", t("billing.banner_trial", { date: formatDate(b.current_period_end) })];
  }
  return null;
}

export function BillingBanner() {
  const billing = useResource("admin/billing");
  const banner = bannerOf(billing.data);
  if (!banner || location.pathname === "/admin/billing") return null;
  return html`<div class=${`banner banner-${banner[0]}`} role="status">
    ${banner[1]} <a href="/admin/billing">${t("billing.open")}</a>
  </div>`;
}

export function Billing() {
  const billing = useResource("admin/billing");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const outcome = query().get("checkout");

  async function go(path, body) {
    setBusy(true);
    setError(null);
    try {
      const answer = await post(path, body);
      if (answer && answer.url) location.assign(answer.url);
    } catch (e) {
      setError(e.text);
    } finally {
      setBusy(false);
    }
  }

  return html`<${Page} title=${t("billing.title")}>
    ${outcome === "success" && html`<${Notice} kind="ok">${t("billing.checkout_success")}</${Notice}>`}
    ${outcome === "cancelled" && html`<${Notice} kind="ok">${t("billing.checkout_cancelled")}</${Notice}>`}
    <${Notice} error=${error} />
    <${Loaded} resource=${billing}>
      ${(b) => {
        const banner = bannerOf(b);
        return html`
          ${banner && html`<div class=${`banner banner-${banner[0]}`} role="status">${banner[1]}</div>`}
          <dl class="facts">
            <dt>${t("billing.plan")}</dt><dd>${b.plan || t("billing.no_plan")}</dd>
            <dt>${t("billing.state")}</dt><dd>${t(`billing.status.${b.status}`)}</dd>
            ${b.current_period_end && html`<dt>${b.status === "trialing" ? t("billing.trial_ends") : t("billing.period_ends")}</dt>
              <dd>${formatDate(b.current_period_end)}</dd>`}
            ${b.grace_period_ends_at && html`<dt>${t("billing.grace_ends")}</dt><dd>${formatDate(b.grace_period_ends_at)}</dd>`}
          </dl>
          <div class="actions">
            ${b.has_billing_customer
              ? html`<button type="button" class="primary" disabled=${busy} onClick=${() => go("admin/billing/portal", {})}>
                  ${t("billing.portal")}</button>
                  <p class="hint">${t("billing.portal_hint")}</p>`
              : html`<button type="button" class="primary" disabled=${busy} onClick=${() => go("admin/billing/checkout", { plan: "starter" })}>
                  ${t("billing.subscribe")}</button>`}
          </div>
          ${b.has_billing_customer && html`<${Invoices} />`}`;
      }}
    </${Loaded}>
  </${Page}>`;
}

const INVOICE_STATUSES = ["draft", "open", "paid", "uncollectible", "void"];

/** The brand's invoices from Stripe, newest first; each opens at Stripe (page or PDF). */
function Invoices() {
  const list = useCursorList("admin/billing/invoices", { limit: 25 });
  const status = (s) => (INVOICE_STATUSES.includes(s) ? t(`billing.invoice_status.${s}`) : s || "—");
  const external = (href, label, number) =>
    href && html`<a href=${href} target="_blank" rel="noopener noreferrer" aria-label=${`${label} ${number}`}>${label}</a>`;
  return html`<section class="card" aria-labelledby="invoices-h">
    <h2 id="invoices-h">${t("billing.invoices")}</h2>
    ${list.items && list.items.length === 0 && html`<p>${t("billing.no_invoices")}</p>`}
    ${list.items &&
    list.items.length > 0 &&
    html`<${TableScroll} label=${t("billing.invoices")}><table class="invoices">
      <caption class="sr-only">${t("billing.invoices")}</caption>
      <thead><tr><th scope="col">${t("billing.invoice_number")}</th><th scope="col">${t("billing.invoice_date")}</th>
        <th scope="col">${t("billing.invoice_state")}</th><th scope="col">${t("billing.amount_due")}</th>
        <th scope="col">${t("billing.amount_paid")}</th><th scope="col">${t("billing.invoice_links")}</th></tr></thead>
      <tbody>${list.items.map((i) => {
        const number = i.number || i.id;
        return html`<tr><td>${number}</td><td>${formatDateTime(i.created)}</td><td>${status(i.status)}</td>
          <td>${formatMoney(i.amount_due, i.currency)}</td><td>${formatMoney(i.amount_paid, i.currency)}</td>
          <td>${external(i.hosted_invoice_url, t("billing.invoice_view"), number)} ${external(i.invoice_pdf, t("billing.invoice_pdf"), number)}</td></tr>`;
      })}</tbody>
    </table></${TableScroll}>`}
    <${ListFooter} list=${list} />
  </section>`;
}
