// The audit log, newest first, filtered by action, actor and time range, a page at a time.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { TableScroll } from "../ui/table.js";
import { formatDateTime, t } from "../i18n/index.js";
import { get, qs } from "../api.js";
import { Field, Notice, Submit, useForm } from "../ui/form.js";
import { Page, useResource } from "../ui/page.js";
import { useEffect } from "preact/hooks";

/** `YYYY-MM-DDTHH:MM` of a datetime-local input → RFC 3339 (the member's time zone). */
const rfc3339 = (local) => (local ? new Date(local).toISOString() : "");

export function AuditLog() {
  const form = useForm({ action: "", actor: "", from: "", to: "" }, { invalid_time: "from", invalid_cursor: "action" });
  const [rows, setRows] = useState(null);
  const [cursor, setCursor] = useState(null);
  const [filters, setFilters] = useState({});
  // actors are account ids: the team's emails make them readable (others stay as they are)
  const members = useResource("admin/members");
  const who = (actor) => {
    const m = members.data && members.data.items.find((x) => x.account_id === actor);
    return m ? m.email : actor;
  };

  const load = async (f, after) => {
    const page = await get(`admin/audit-log${qs({ action: f.action, actor: f.actor, from: rfc3339(f.from), to: rfc3339(f.to), cursor: after, limit: 50 })}`);
    setRows((old) => (after && old ? [...old, ...page.items] : page.items));
    setCursor(page.next_cursor || null);
  };
  useEffect(() => {
    form.submit(null, (v) => load(v, null));
  }, []);

  const apply = (e) =>
    form.submit(e, async (v) => {
      setFilters(v);
      await load(v, null);
    });
  const more = () => form.submit(null, () => load(filters, cursor));

  return html`<${Page} title=${t("audit.title")}>
    <form class="card filters" onSubmit=${apply} aria-label=${t("audit.filters")} novalidate>
      <${Field} label=${t("audit.action")} name="action" hint=${t("audit.action_hint")} value=${form.values.action} onInput=${form.set("action")} error=${form.errors.action} />
      <${Field} label=${t("audit.actor")} name="actor" value=${form.values.actor} onInput=${form.set("actor")} error=${form.errors.actor} />
      <${Field} label=${t("audit.from")} name="from" type="datetime-local" value=${form.values.from} onInput=${form.set("from")} error=${form.errors.from} />
      <${Field} label=${t("audit.to")} name="to" type="datetime-local" value=${form.values.to} onInput=${form.set("to")} error=${form.errors.to} />
      <${Submit} busy=${form.busy}>${t("audit.apply")}</${Submit}>
    </form>
    <${Notice} error=${form.formError} />
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
    ${cursor && html`<button type="button" onClick=${more} disabled=${form.busy}>${t("common.more")}</button>`}
  </${Page}>`;
}
