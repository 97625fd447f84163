import { html } from "../html.js";
import { t } from "../i18n/index.js";
import { Page } from "../ui/page.js";

export function NotFound() {
  return html`<${Page} title=${t("common.not_found_title")}>
    <p>${t("common.not_found")}</p>
    <p><a href="/admin">${t("common.back_home")}</a></p>
  </${Page}>`;
}
