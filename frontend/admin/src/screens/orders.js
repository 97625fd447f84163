// Orders: the list (status, payment status, date range, number/email search, a page at a
// time) with a CSV export of the same filters, and one order: items, payments, refunds,
// its timeline, only the moves the API allows from its status (shipping asks for the
// tracking number), and refunds (full or partial).
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { TableScroll } from "../ui/table.js";
import { formatDateTime, formatMoney, t } from "../i18n/index.js";
import { get, post, qs } from "../api.js";
import { query } from "../router.js";
import { can, useSession } from "../session.js";
import { Field, Notice, Select, Submit, useForm } from "../ui/form.js";
import { Loaded, Page, useResource } from "../ui/page.js";
import { DownloadButton, ListFooter, StatusTag, TextArea, fieldError, fromMinor, renamingFields, toMinor, useCursorList } from "../ui/kit.js";

const ORDER_STATUSES = ["pending", "paid", "failed", "cancelled", "processing", "shipped", "delivered", "returned"];
const PAYMENT_STATUSES = ["unpaid", "paid", "partially_refunded", "refunded", "disputed"];

export function Orders() {
  const q = query();
  const initial = { q: q.get("q") || "", status: q.get("status") || "", payment_status: q.get("payment_status") || "", from: q.get("from") || "", to: q.get("to") || "" };
  const [filters, setFilters] = useState(initial);
  const [draft, setDraft] = useState(initial);
  const list = useCursorList("admin/orders", { ...filters, limit: 25 });
  const set = (k) => (v) => setDraft((d) => ({ ...d, [k]: v }));
  const apply = (e) => {
    e.preventDefault();
    setFilters(draft);
  };
  // the API names the refused parameter: show it under that filter
  const bad = list.error && list.error.code === "invalid_query" ? (/\b(status|payment_status|from|to|q|cursor|limit)\b/.exec(list.error.message) || [])[1] : null;
  const err = (k) => (bad === k ? list.error.message : undefined);
  return html`<${Page} title=${t("orders.title")}>
    <form class="card filters" role="search" aria-label=${t("orders.filters")} onSubmit=${apply}>
      <${Field} label=${t("orders.search")} hint=${t("orders.search_hint")} name="q" type="search" value=${draft.q} onInput=${set("q")} error=${err("q")} />
      <${Select} label=${t("orders.status")} name="status" value=${draft.status} onInput=${set("status")} error=${err("status")}
        options=${[["", t("orders.any_status")], ...ORDER_STATUSES.map((s) => [s, t(`order_status.${s}`)])]} />
      <${Select} label=${t("orders.payment_status")} name="payment_status" value=${draft.payment_status} onInput=${set("payment_status")} error=${err("payment_status")}
        options=${[["", t("orders.any_status")], ...PAYMENT_STATUSES.map((s) => [s, t(`payment_status.${s}`)])]} />
      <${Field} label=${t("orders.from")} name="from" type="date" value=${draft.from} onInput=${set("from")} error=${err("from")} />
      <${Field} label=${t("orders.to")} name="to" type="date" value=${draft.to} onInput=${set("to")} error=${err("to")} />
      <button type="submit" class="primary">${t("common.apply")}</button>
    </form>
    <${DownloadButton} path=${`admin/orders/export.csv${qs(filters)}`} filename=${`orders-${new Date().toISOString().slice(0, 10)}.csv`}>${t("orders.export")}</${DownloadButton}>
    ${list.items && list.items.length === 0 && html`<p>${t("orders.empty")}</p>`}
    ${list.items && list.items.length > 0 && html`<${OrderTable} items=${list.items} caption=${t("orders.title")} />`}
    <${ListFooter} list=${{ ...list, error: bad ? null : list.error }} />
  </${Page}>`;
}

/** A table of orders (the orders list, a customer's orders). */
export function OrderTable({ items, caption }) {
  return html`<${TableScroll} label=${caption}><table class="orders">
    <caption class="sr-only">${caption}</caption>
    <thead><tr><th scope="col">${t("orders.number")}</th><th scope="col">${t("orders.date")}</th><th scope="col">${t("field.email")}</th>
      <th scope="col">${t("orders.status")}</th><th scope="col">${t("orders.payment_status")}</th><th scope="col">${t("orders.items")}</th><th scope="col">${t("orders.total")}</th></tr></thead>
    <tbody>${items.map((o) => html`<tr>
      <td><a href=${`/admin/orders/${o.id}`}>#${o.number}</a></td><td>${formatDateTime(o.created_at)}</td><td>${o.email}</td>
      <td><${StatusTag} prefix="order_status" value=${o.status} /></td><td><${StatusTag} prefix="payment_status" value=${o.payment_status} /></td>
      <td>${o.item_count ?? "—"}</td><td>${formatMoney(o.total_amount, o.currency)}</td>
    </tr>`)}</tbody>
  </table></${TableScroll}>`;
}

export function OrderDetail({ params }) {
  const order = useResource(`admin/orders/${params.id}`);
  const [data, setData] = useState(null);
  const o = data || order.data;
  return html`<${Page} title=${o ? t("orders.order_title", { number: o.number }) : t("orders.order")}>
    <p><a href="/admin/orders">${t("orders.back_to_list")}</a></p>
    <${Loaded} resource=${{ ...order, data: o }}>${(o) => html`<${Order} order=${o} onChange=${setData} />`}</${Loaded}>
  </${Page}>`;
}

function Order({ order: o, onChange }) {
  const { me } = useSession();
  const manage = can(me, "manage_orders");
  const refundable = o.refundable_amount ?? Math.max(0, o.total_amount - (o.amount_refunded || 0));
  return html`
    <div class="card">
      <dl class="facts">
        <dt>${t("orders.status")}</dt><dd class="order-status"><${StatusTag} prefix="order_status" value=${o.status} /></dd>
        <dt>${t("orders.payment_status")}</dt><dd><${StatusTag} prefix="payment_status" value=${o.payment_status} /></dd>
        <dt>${t("field.email")}</dt><dd>${o.email}</dd>
        <dt>${t("orders.date")}</dt><dd>${formatDateTime(o.created_at)}</dd>
        <dt>${t("orders.total")}</dt><dd>${formatMoney(o.total_amount, o.currency)}</dd>
        ${o.amount_refunded ? html`<dt>${t("orders.refunded")}</dt><dd>${formatMoney(o.amount_refunded, o.currency)}</dd>` : ""}
        ${o.tracking_number && html`<dt>${t("orders.tracking_number")}</dt><dd class="tracking">${o.tracking_number}</dd>`}
        ${o.needs_review && html`<dt>${t("orders.needs_review")}</dt><dd>${o.review_reason || t("common.yes")}</dd>`}
      </dl>
    </div>
    ${manage && o.allowed_transitions && o.allowed_transitions.length > 0 && html`<${Transitions} order=${o} onChange=${onChange} />`}
    <h2>${t("orders.items")}</h2>
    <${TableScroll} label=${t("orders.items")}><table>
      <caption class="sr-only">${t("orders.items")}</caption>
      <thead><tr><th scope="col">${t("orders.item")}</th><th scope="col">${t("catalog.sku")}</th><th scope="col">${t("orders.quantity")}</th>
        <th scope="col">${t("orders.unit_price")}</th><th scope="col">${t("orders.line_total")}</th></tr></thead>
      <tbody>${(o.items || []).map((i) => html`<tr><td>${i.title}</td><td>${i.sku}</td><td>${i.quantity}</td>
        <td>${formatMoney(i.unit_amount, o.currency)}</td><td>${formatMoney(i.unit_amount * i.quantity, o.currency)}</td></tr>`)}</tbody>
    </table></${TableScroll}>
    <h2>${t("orders.payments")}</h2>
    ${(o.payments || []).length === 0
      ? html`<p>${t("orders.no_payments")}</p>`
      : html`<${TableScroll} label=${t("orders.payments")}><table>
          <caption class="sr-only">${t("orders.payments")}</caption>
          <thead><tr><th scope="col">${t("orders.provider")}</th><th scope="col">${t("orders.reference")}</th><th scope="col">${t("orders.amount")}</th>
            <th scope="col">${t("orders.status")}</th><th scope="col">${t("orders.date")}</th></tr></thead>
          <tbody>${o.payments.map((p) => html`<tr><td>${p.provider || "stripe"}</td><td><code>${p.payment_intent || p.charge || "—"}</code></td>
            <td>${formatMoney(p.amount, p.currency || o.currency)}</td><td>${p.status || "—"}</td><td>${formatDateTime(p.paid_at)}</td></tr>`)}</tbody>
        </table></${TableScroll}>`}
    <h2>${t("orders.refunds")}</h2>
    ${(o.refunds || []).length === 0
      ? html`<p>${t("orders.no_refunds")}</p>`
      : html`<${TableScroll} label=${t("orders.refunds")}><table>
          <caption class="sr-only">${t("orders.refunds")}</caption>
          <thead><tr><th scope="col">${t("orders.amount")}</th><th scope="col">${t("orders.reason")}</th><th scope="col">${t("orders.status")}</th><th scope="col">${t("orders.date")}</th></tr></thead>
          <tbody>${o.refunds.map((r) => html`<tr><td>${formatMoney(r.amount, r.currency || o.currency)}</td><td>${r.reason || "—"}</td><td>${r.status}</td><td>${formatDateTime(r.created_at)}</td></tr>`)}</tbody>
        </table></${TableScroll}>`}
    ${manage && refundable > 0 && html`<${Refund} order=${o} refundable=${refundable} onChange=${onChange} />`}
    <h2>${t("orders.timeline")}</h2>
    <ol class="timeline">
      ${(o.timeline || []).map((e) => html`<li>
        <time datetime=${e.at}>${formatDateTime(e.at)}</time>
        <span>${timelineText(e, o.currency)}</span>
        ${e.cause && html`<span class="muted">${t("timeline.by", { cause: e.cause })}</span>`}
      </li>`)}
    </ol>`;
}

/** One timeline entry as a sentence. */
function timelineText(e, currency) {
  const detail = e.detail || {};
  const to = e.to ? t(`order_status.${e.to}`) : "";
  let s;
  if (e.kind === "refunded" || detail.refund_id) s = t("timeline.refunded", { amount: formatMoney(detail.amount, detail.currency || currency) });
  else if (e.to && e.from) s = t("timeline.moved", { from: t(`order_status.${e.from}`), to });
  else if (e.to) s = t("timeline.status", { to });
  else if (e.payment_status) s = t("timeline.payment", { status: t(`payment_status.${e.payment_status}`) });
  else s = t(`timeline.${e.kind}`) !== `timeline.${e.kind}` ? t(`timeline.${e.kind}`) : e.kind;
  if (detail.tracking_number) s += ` · ${t("timeline.tracking", { number: detail.tracking_number })}`;
  return s;
}

function Transitions({ order, onChange }) {
  const form = useForm({ tracking_number: "" }, { tracking_number_required: "tracking_number", invalid_transition: "tracking_number" });
  const [done, setDone] = useState(null);
  const move = (to) =>
    form.submit(null, async (v) => {
      setDone(null);
      const tracking = v.tracking_number.trim();
      if (to === "shipped" && !tracking) throw fieldError("tracking_number", "orders.tracking_required");
      const next = await renamingFields(() => post(`admin/orders/${order.id}/transitions`, { to, tracking_number: to === "shipped" ? tracking : undefined }));
      setDone(t("orders.moved", { to: t(`order_status.${next.status || to}`) }));
      onChange(next);
    });
  const ships = order.allowed_transitions.includes("shipped");
  return html`<form class="card" aria-labelledby="move-h" onSubmit=${(e) => { e.preventDefault(); if (ships) move("shipped"); }} novalidate>
    <h2 id="move-h">${t("orders.actions")}</h2>
    <${Notice} error=${form.formError} />
    ${done && html`<${Notice} kind="ok">${done}</${Notice}>`}
    ${ships && html`<${Field} label=${t("orders.tracking_number")} hint=${t("orders.tracking_hint")} name="tracking_number" value=${form.values.tracking_number}
      onInput=${form.set("tracking_number")} error=${form.errors.tracking_number} autocomplete="off" />`}
    <div class="actions">
      ${order.allowed_transitions.map((to) => html`<button type=${to === "shipped" ? "submit" : "button"} class=${to === "cancelled" ? "danger" : "primary"} disabled=${form.busy}
        onClick=${to === "shipped" ? undefined : () => (to !== "cancelled" || confirm(t("orders.cancel_confirm"))) && move(to)}>${t(`transition.${to}`)}</button>`)}
    </div>
  </form>`;
}

function Refund({ order, refundable, onChange }) {
  const form = useForm({ amount: fromMinor(refundable, order.currency), reason: "" }, { refund_exceeds_remaining: "amount", invalid_amount: "amount", nothing_to_refund: "amount" });
  const [done, setDone] = useState(null);
  const submit = (e) =>
    form.submit(e, async (v) => {
      setDone(null);
      const amount = toMinor(v.amount, order.currency);
      if (amount === null || Number.isNaN(amount) || amount <= 0 || amount > refundable) throw fieldError("amount", "orders.refund_amount_invalid");
      if (!confirm(t("orders.refund_confirm", { amount: formatMoney(amount, order.currency) }))) return;
      const answer = await renamingFields(() => post(`admin/orders/${order.id}/refunds`, { amount, reason: v.reason.trim() || undefined }));
      setDone(t("orders.refund_done", { amount: formatMoney(amount, order.currency) }));
      onChange(answer && answer.id === order.id && answer.items ? answer : await get(`admin/orders/${order.id}`));
    });
  return html`<form class="card" aria-labelledby="refund-h" onSubmit=${submit} novalidate>
    <h2 id="refund-h">${t("orders.refund")}</h2>
    <${Notice} error=${form.formError} />
    ${done && html`<${Notice} kind="ok">${done}</${Notice}>`}
    <${Field} label=${t("orders.refund_amount", { currency: order.currency })} hint=${t("orders.refund_hint", { amount: formatMoney(refundable, order.currency) })}
      name="amount" inputmode="decimal" value=${form.values.amount} onInput=${form.set("amount")} error=${form.errors.amount} />
    <${TextArea} label=${t("orders.reason")} name="reason" rows="2" value=${form.values.reason} onInput=${form.set("reason")} error=${form.errors.reason} />
    <${Submit} busy=${form.busy}>${t("orders.refund_submit")}</${Submit}>
  </form>`;
}
