// Members and roles: the team with role changes, disabling and removal; pending
// invitations with revoke; inviting by email and role (the invitee gets an emailed link).
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { TableScroll } from "../ui/table.js";
import { formatDate, formatDateTime, t } from "../i18n/index.js";
import { del, patch, post } from "../api.js";
import { useSession } from "../session.js";
import { Field, Notice, Select, Submit, useForm } from "../ui/form.js";
import { Loaded, Page, useResource } from "../ui/page.js";

const ROLES = ["brand_admin", "editor", "read_only"];

export function Members() {
  const members = useResource("admin/members");
  const invitations = useResource("admin/invitations");
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);

  async function act(run, done) {
    setError(null);
    setNotice(null);
    try {
      await run();
      setNotice(done);
      members.reload();
      invitations.reload();
    } catch (e) {
      setError(e.text);
    }
  }

  return html`<${Page} title=${t("members.title")}>
    <${Notice} error=${error} />
    ${notice && html`<${Notice} kind="ok">${notice}</${Notice}>`}
    <${Invite} onInvited=${(email) => { setNotice(t("members.invited", { email })); invitations.reload(); }} />
    <h2>${t("members.team")}</h2>
    <${Loaded} resource=${members}>${(data) => html`<${Team} items=${data.items} act=${act} />`}</${Loaded}>
    <h2>${t("members.pending")}</h2>
    <${Loaded} resource=${invitations}>
      ${(data) =>
        data.items.length === 0
          ? html`<p>${t("members.no_pending")}</p>`
          : html`<${TableScroll} label=${t("members.pending")}><table>
              <caption class="sr-only">${t("members.pending")}</caption>
              <thead><tr><th scope="col">${t("field.email")}</th><th scope="col">${t("field.role")}</th>
                <th scope="col">${t("members.expires")}</th><th scope="col"><span class="sr-only">${t("common.actions")}</span></th></tr></thead>
              <tbody>
                ${data.items.map((i) => html`<tr>
                  <td>${i.email}</td><td>${t(`role.${i.role}`)}</td><td>${formatDateTime(i.expires_at)}</td>
                  <td><button type="button" class="danger" aria-label=${t("members.revoke_for", { email: i.email })}
                    onClick=${() => act(() => del(`admin/invitations/${i.id}`), t("members.revoked", { email: i.email }))}>${t("members.revoke")}</button></td>
                </tr>`)}
              </tbody></table></${TableScroll}>`}
    </${Loaded}>
  </${Page}>`;
}

function Team({ items, act }) {
  const { me } = useSession();
  return html`<${TableScroll} label=${t("members.team")}><table>
    <caption class="sr-only">${t("members.team")}</caption>
    <thead><tr><th scope="col">${t("field.name")}</th><th scope="col">${t("field.email")}</th><th scope="col">${t("field.role")}</th>
      <th scope="col">${t("members.status")}</th><th scope="col">${t("members.since")}</th>
      <th scope="col"><span class="sr-only">${t("common.actions")}</span></th></tr></thead>
    <tbody>
      ${items.map((m) => {
        const self = m.account_id === me.id;
        return html`<tr>
          <td>${m.name || "—"}</td><td>${m.email}</td>
          <td>${self
            ? t(`role.${m.role}`)
            : html`<label class="sr-only" for=${`role-${m.account_id}`}>${t("members.role_of", { email: m.email })}</label>
              <select id=${`role-${m.account_id}`} value=${m.role}
                onChange=${(e) => act(() => patch(`admin/members/${m.account_id}`, { role: e.currentTarget.value }), t("common.saved"))}>
                ${ROLES.map((r) => html`<option value=${r} selected=${r === m.role}>${t(`role.${r}`)}</option>`)}
              </select>`}</td>
          <td>${t(`members.status_${m.status}`)}</td><td>${formatDate(m.since)}</td>
          <td>${!self && html`<div class="row-actions">
            <button type="button" aria-label=${t(m.status === "active" ? "members.disable_for" : "members.enable_for", { email: m.email })}
              onClick=${() => act(() => patch(`admin/members/${m.account_id}`, { status: m.status === "active" ? "disabled" : "active" }), t("common.saved"))}>
              ${m.status === "active" ? t("members.disable") : t("members.enable")}</button>
            <button type="button" class="danger" aria-label=${t("members.remove_for", { email: m.email })}
              onClick=${() => confirm(t("members.remove_confirm", { email: m.email })) && act(() => del(`admin/members/${m.account_id}`), t("members.removed", { email: m.email }))}>
              ${t("members.remove")}</button></div>`}</td>
        </tr>`;
      })}
    </tbody></table></${TableScroll}>`;
}

function Invite({ onInvited }) {
  const form = useForm({ email: "", role: "editor" }, { invalid_email: "email", already_a_member: "email", invalid_role: "role" });
  const submit = (e) =>
    form.submit(e, async (v) => {
      await post("admin/members/invitations", v);
      form.setValues({ email: "", role: v.role });
      onInvited(v.email);
    });
  return html`<form class="card inline-form" onSubmit=${submit} aria-labelledby="invite-h" novalidate>
    <h2 id="invite-h">${t("members.invite")}</h2>
    <${Notice} error=${form.formError} />
    <${Field} label=${t("field.email")} name="email" type="email" autocomplete="off" required
      value=${form.values.email} onInput=${form.set("email")} error=${form.errors.email} />
    <${Select} label=${t("field.role")} name="role" value=${form.values.role} onInput=${form.set("role")} error=${form.errors.role}
      options=${ROLES.map((r) => [r, t(`role.${r}`)])} hint=${t("members.roles_hint")} />
    <${Submit} busy=${form.busy}>${t("members.send_invitation")}</${Submit}>
  </form>`;
}
