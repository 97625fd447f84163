// The audit log, newest first, filtered by action, actor and time range, a page at a time.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { TableScroll } from "../ui/table.js";
import { formatDateTime, t } from "../i18n/index.js";
import { Field, Notice, useForm } from "../ui/form.js";
import { useCursorList } from "../ui/list.js";
import { Page, useResource } from "../ui/page.js";

/** `YYYY-MM-DDTHH:MM` of a datetime-local input → RFC 3339 (the member's time zone). */
const rfc3339 = (local) => (local ? new Date(local).toISOString() : "");

export function AuditLog() {
  const form = useForm({ action: "", actor: "", from: "", to: "" });
  const [filters, setFilters] = useState({});
  const log = useCursorList("admin/audit-log", { ...filters, limit: 50 });
  // actors are account ids: the team's emails make them readable (others stay as they are)
  const members = useResource("admin/members");
  const who = (actor) => {
    const m = members.data && members.data.items.find((x) => x.account_id === actor);
    return m ? m.email : actor;
  };
  const apply = (e) => {
    e.preventDefault();
    const v = form.values;
    setFilters({ action: v.action.trim(), actor: v.actor.trim(), from: rfc3339(v.from), to: rfc3339(v.to) });
  };
  const rows = log.items;

  return html`<${Page} title=${t("audit.title")}>
    <form class="card filters" onSubmit=${apply} aria-label=${t("audit.filters")} novalidate>
      <${Field} label=${t("audit.action")} name="action" hint=${t("audit.action_hint")} value=${form.values.action} onInput=${form.set("action")} />
      <${Field} label=${t("audit.actor")} name="actor" value=${form.values.actor} onInput=${form.set("actor")} />
      <${Field} label=${t("audit.from")} name="from" type="datetime-local" value=${form.values.from} onInput=${form.set("from")} />
      <${Field} label=${t("audit.to")} name="to" type="datetime-local" value=${form.values.to} onInput=${form.set("to")} />
      <button type="submit" class="primary" disabled=${log.loading}>${t("audit.apply")}</button>
    </form>
    <${Notice} error=${log.error && log.error.text} />
    ${rows &&
    (rows.length === 0
      ? html`<p>${t("audit.empty")}</p>`
      : html`<${TableScroll} label=${t("audit.title")}><table class="audit">
          <caption class="sr-only">${t("audit.title")}</caption>
          <thead><tr><th scope="col">${t("audit.at")}</th><th scope="col">${t("audit.action")}</th><th scope="col">${t("audit.actor")}</th>
            <th scope="col">${t("audit.target")}</th><th scope="col">${t("audit.ip")}</th></tr></thead>
          <tbody>${rows.map((r) => html`<tr>
            <td>${formatDateTime(r.at)}</td><td><code>${r.action}</code></td><td title=${r.actor}>${who(r.actor)}</td><td>${who(r.target) || "—"}</td><td>${r.ip || "—"}</td>
          </tr>`)}</tbody></table></${TableScroll}>`)}
    ${log.hasMore && html`<button type="button" onClick=${log.more} disabled=${log.loading} aria-busy=${log.loading ? "true" : undefined}>${t("common.more")}</button>`}
  </${Page}>`;
}
