// Billing: the plan and its state, the Stripe Billing Portal (payment method, invoices,
// cancel), a checkout for a brand without a subscription, and the banner every screen
// shows to billing managers when the trial ends soon, a payment failed (within the grace
// period) or the shop is blocked.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { formatDate, t } from "../i18n/index.js";
import { post } from "../api.js";
import { query } from "../router.js";
import { Notice } from "../ui/form.js";
import { Loaded, Page, useResource } from "../ui/page.js";

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
          </div>`;
      }}
    </${Loaded}>
  </${Page}>`;
}
