// In-store devices: each one's status and why (the same reason the device itself is
// given, with what to do about it), last seen, certificate expiry and app version; one
// device's recent commands and their acknowledgements.
import { html } from "../html.js";
import { TableScroll } from "../ui/table.js";
import { formatDateTime, t } from "../i18n/index.js";
import { Loaded, Page, useResource } from "../ui/page.js";
import { StatusTag } from "../ui/kit.js";

const itemsOf = (data) => (Array.isArray(data) ? data : (data && data.items) || []);
const reasonText = (d) => (t(`device_reason.${d.status_reason}`) !== `device_reason.${d.status_reason}` ? t(`device_reason.${d.status_reason}`) : d.status_reason);

export function Devices() {
  const devices = useResource("admin/devices");
  return html`<${Page} title=${t("devices.title")}>
    <${Loaded} resource=${devices}>
      ${(data) =>
        itemsOf(data).length === 0
          ? html`<p>${t("devices.empty")}</p>`
          : html`<${TableScroll} label=${t("devices.title")}><table class="devices">
              <caption class="sr-only">${t("devices.title")}</caption>
              <thead><tr><th scope="col">${t("field.name")}</th><th scope="col">${t("devices.status")}</th><th scope="col">${t("devices.reason")}</th>
                <th scope="col">${t("devices.last_seen")}</th><th scope="col">${t("devices.cert_expires")}</th><th scope="col">${t("devices.app_version")}</th></tr></thead>
              <tbody>${itemsOf(data).map((d) => html`<tr>
                <td><a href=${`/admin/devices/${d.id}`}>${d.name}</a>${d.store ? html`<br /><span class="muted">${d.store}</span>` : ""}</td>
                <td><${StatusTag} prefix="device_status" value=${d.status} /></td>
                <td>${reasonText(d)}${d.recovery ? html`<br /><span class="muted">${d.recovery}</span>` : ""}</td>
                <td>${formatDateTime(d.last_seen_at)}</td><td>${formatDateTime(d.certificate_expires_at)}</td><td>${d.app_version || "—"}</td>
              </tr>`)}</tbody></table></${TableScroll}>`}
    </${Loaded}>
  </${Page}>`;
}

export function DeviceDetail({ params }) {
  const device = useResource(`admin/devices/${params.id}`);
  return html`<${Page} title=${device.data ? device.data.name : t("devices.device")}>
    <p><a href="/admin/devices">${t("devices.back_to_list")}</a></p>
    <${Loaded} resource=${device}>
      ${(d) => html`
        <div class="card"><dl class="facts">
          <dt>${t("devices.status")}</dt><dd><${StatusTag} prefix="device_status" value=${d.status} /></dd>
          <dt>${t("devices.reason")}</dt><dd>${reasonText(d)}</dd>
          ${d.recovery && html`<dt>${t("devices.what_to_do")}</dt><dd>${d.recovery}</dd>`}
          ${d.store && html`<dt>${t("devices.store")}</dt><dd>${d.store}</dd>`}
          <dt>${t("devices.last_seen")}</dt><dd>${formatDateTime(d.last_seen_at)}</dd>
          <dt>${t("devices.cert_expires")}</dt><dd>${formatDateTime(d.certificate_expires_at)}</dd>
          <dt>${t("devices.app_version")}</dt><dd>${d.app_version || "—"}</dd>
          ${d.revoked_at && html`<dt>${t("devices.revoked")}</dt><dd>${formatDateTime(d.revoked_at)} ${d.revoked_reason || ""}</dd>`}
        </dl></div>
        <h2>${t("devices.commands")}</h2>
        ${(d.commands || []).length === 0
          ? html`<p>${t("devices.no_commands")}</p>`
          : html`<${TableScroll} label=${t("devices.commands")}><table>
              <caption class="sr-only">${t("devices.commands")}</caption>
              <thead><tr><th scope="col">${t("devices.command")}</th><th scope="col">${t("devices.status")}</th><th scope="col">${t("devices.sent")}</th>
                <th scope="col">${t("devices.acknowledged")}</th><th scope="col">${t("devices.result")}</th></tr></thead>
              <tbody>${d.commands.map((c) => html`<tr><td><code>${c.kind}</code></td><td>${c.status}</td><td>${formatDateTime(c.created_at)}</td>
                <td>${formatDateTime(c.acknowledged_at)}</td><td>${c.result || "—"}</td></tr>`)}</tbody>
            </table></${TableScroll}>`}`}
    </${Loaded}>
  </${Page}>`;
}
