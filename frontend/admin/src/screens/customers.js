// Customers: the list (search by email or name, a page at a time) and one customer with
// their orders; erasing their personal data (GDPR) after typing their email to confirm.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { TableScroll } from "../ui/table.js";
import { formatDateTime, formatMoney, t } from "../i18n/index.js";
import { post } from "../api.js";
import { can, useSession } from "../session.js";
import { Field, Notice, useForm } from "../ui/form.js";
import { Loaded, Page, useResource } from "../ui/page.js";
import { ListFooter, fieldError, useCursorList } from "../ui/kit.js";
import { OrderTable } from "./orders.js";

export function Customers() {
  const [q, setQ] = useState("");
  const [draft, setDraft] = useState("");
  const list = useCursorList("admin/customers", { q, limit: 25 });
  return html`<${Page} title=${t("customers.title")}>
    <form class="card filters" role="search" aria-label=${t("customers.search")} onSubmit=${(e) => { e.preventDefault(); setQ(draft); }}>
      <${Field} label=${t("customers.search")} hint=${t("customers.search_hint")} name="q" type="search" value=${draft} onInput=${setDraft} />
      <button type="submit" class="primary">${t("common.apply")}</button>
    </form>
    ${list.items && list.items.length === 0 && html`<p>${t("customers.empty")}</p>`}
    ${list.items &&
    list.items.length > 0 &&
    html`<${TableScroll} label=${t("customers.title")}><table>
      <caption class="sr-only">${t("customers.title")}</caption>
      <thead><tr><th scope="col">${t("field.email")}</th><th scope="col">${t("field.name")}</th><th scope="col">${t("customers.orders")}</th>
        <th scope="col">${t("customers.total_spent")}</th><th scope="col">${t("customers.last_order")}</th></tr></thead>
      <tbody>${list.items.map((c) => html`<tr><td><a href=${`/admin/customers/${c.id}`}>${c.email || c.name || t("customers.no_email")}</a></td><td>${c.name || "—"}</td>
        <td>${c.order_count}</td><td>${formatMoney(c.total_spent, c.currency)}</td><td>${formatDateTime(c.last_order_at)}</td></tr>`)}</tbody>
    </table></${TableScroll}>`}
    <${ListFooter} list=${list} />
  </${Page}>`;
}

export function CustomerDetail({ params }) {
  const { me } = useSession();
  const customer = useResource(`admin/customers/${params.id}`);
  const [erased, setErased] = useState(false);
  const c = customer.data;
  return html`<${Page} title=${c ? c.name || c.email || t("customers.no_email") : t("customers.customer")}>
    <p><a href="/admin/customers">${t("customers.back_to_list")}</a></p>
    ${erased && html`<${Notice} kind="ok">${t("customers.erased")}</${Notice}>`}
    <${Loaded} resource=${customer}>
      ${(c) => html`
        <div class="card"><dl class="facts">
          <dt>${t("field.email")}</dt><dd>${c.email}</dd>
          <dt>${t("field.name")}</dt><dd>${c.name || "—"}</dd>
          ${c.phone && html`<dt>${t("customers.phone")}</dt><dd>${c.phone}</dd>`}
          <dt>${t("customers.orders")}</dt><dd>${c.order_count}</dd>
          <dt>${t("customers.total_spent")}</dt><dd>${formatMoney(c.total_spent, c.currency)}</dd>
        </dl></div>
        <h2>${t("customers.their_orders")}</h2>
        ${(c.orders || []).length === 0 ? html`<p>${t("orders.empty")}</p>` : html`<${OrderTable} items=${c.orders} caption=${t("customers.their_orders")} />`}
        ${can(me, "manage_data") && !erased && html`<${Erase} customer=${c} onErased=${() => { setErased(true); customer.reload(); }} />`}`}
    </${Loaded}>
  </${Page}>`;
}

function Erase({ customer, onErased }) {
  const form = useForm({ confirm: "" }, { customer_not_found: "confirm", invalid_email: "confirm" });
  const submit = (e) =>
    form.submit(e, async (v) => {
      if (v.confirm.trim().toLowerCase() !== customer.email.toLowerCase()) throw fieldError("confirm", "customers.confirm_mismatch");
      await post("admin/customers/erase", { email: customer.email });
      onErased();
    });
  return html`<form class="card danger-zone" aria-labelledby="erase-h" onSubmit=${submit} novalidate>
    <h2 id="erase-h">${t("customers.erase")}</h2>
    <p>${t("customers.erase_intro")}</p>
    <${Notice} error=${form.formError} />
    <${Field} label=${t("customers.erase_confirm", { email: customer.email })} name="confirm" autocomplete="off" value=${form.values.confirm}
      onInput=${form.set("confirm")} error=${form.errors.confirm} />
    <button type="submit" class="danger" disabled=${form.busy}>${form.busy ? t("common.working") : t("customers.erase_submit")}</button>
  </form>`;
}

