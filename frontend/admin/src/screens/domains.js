// Domains: the brand's hosts and claims, the DNS records to set for each (CNAME, ownership
// and certificate TXT, or the TXT proof when another brand holds the hostname), verify now,
// make primary, remove; add a host.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { TableScroll } from "../ui/table.js";
import { formatDateTime, t } from "../i18n/index.js";
import { del, patch, post } from "../api.js";
import { Field, Notice, Submit, useForm } from "../ui/form.js";
import { Loaded, Page, useResource } from "../ui/page.js";

export function Domains() {
  const domains = useResource("admin/domains");
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  const form = useForm({ host: "" }, { "hostname_*": "host", "*_domain": "host", domain_taken: "host", invalid_host: "host" });

  async function act(run, done) {
    setError(null);
    setNotice(null);
    try {
      const answer = await run();
      setNotice(typeof done === "function" ? done(answer) : done);
      domains.reload();
    } catch (e) {
      setError(e.text);
    }
  }
  const add = (e) =>
    form.submit(e, async (v) => {
      await post("admin/domains", { host: v.host.trim() });
      setNotice(t("domains.added", { host: v.host.trim() }));
      form.setValues({ host: "" });
      domains.reload();
    });

  return html`<${Page} title=${t("domains.title")}>
    <${Notice} error=${error} />
    ${notice && html`<${Notice} kind="ok">${notice}</${Notice}>`}
    <form class="card inline-form" onSubmit=${add} aria-labelledby="add-domain-h" novalidate>
      <h2 id="add-domain-h">${t("domains.add")}</h2>
      <${Notice} error=${form.formError} />
      <${Field} label=${t("field.host")} name="host" placeholder="shop.example.com" autocomplete="off" required
        hint=${t("domains.host_hint")} value=${form.values.host} onInput=${form.set("host")} error=${form.errors.host} />
      <${Submit} busy=${form.busy}>${t("domains.add_submit")}</${Submit}>
    </form>
    <${Loaded} resource=${domains}>
      ${(data) => html`<ul class="domain-list">
        ${data.items.map((d) => html`<li class="card">
          <h2>${d.host}${d.is_primary && html` <span class="tag">${t("domains.primary")}</span>`}</h2>
          <p>${d.verified ? t("domains.live") : t("domains.pending", { status: d.status })}
            ${d.checked_at && html` · ${t("domains.checked", { at: formatDateTime(d.checked_at) })}`}
            ${!d.verified && d.expires_at && html` · ${t("domains.lapses", { at: formatDateTime(d.expires_at) })}`}</p>
          ${!d.verified && (d.dns_records.length > 0 || d.verification) && html`
            <${TableScroll} label=${t("domains.records", { host: d.host })}><table>
              <caption>${t("domains.records", { host: d.host })}</caption>
              <thead><tr><th scope="col">${t("domains.type")}</th><th scope="col">${t("domains.name")}</th><th scope="col">${t("domains.value")}</th></tr></thead>
              <tbody>
                ${d.dns_records.map((r) => html`<tr><td>${r.type}</td><td><code>${r.name}</code></td><td><code>${r.value}</code></td></tr>`)}
                ${d.verification && html`<tr><td>${d.verification.type}</td><td><code>${d.verification.name}</code></td><td><code>${d.verification.value}</code></td></tr>`}
              </tbody></table></${TableScroll}>`}
          <div class="actions">
            ${!d.verified && html`<button type="button" onClick=${() => act(() => post(`admin/domains/${encodeURIComponent(d.host)}/verify`, {}),
              (a) => (a && a.verified ? t("domains.verified", { host: d.host }) : t("domains.not_yet", { host: d.host })))}>${t("domains.verify")}</button>`}
            ${d.verified && !d.is_primary && html`<button type="button"
              onClick=${() => act(() => patch(`admin/domains/${encodeURIComponent(d.host)}`, { primary: true }), t("common.saved"))}>${t("domains.make_primary")}</button>`}
            ${!d.is_primary && html`<button type="button" class="danger" aria-label=${t("domains.remove_for", { host: d.host })}
              onClick=${() => confirm(t("domains.remove_confirm", { host: d.host })) && act(() => del(`admin/domains/${encodeURIComponent(d.host)}`), t("domains.removed", { host: d.host }))}>
              ${t("domains.remove")}</button>`}
          </div>
        </li>`)}
      </ul>`}
    </${Loaded}>
  </${Page}>`;
}
