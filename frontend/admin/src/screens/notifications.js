// The signed-in member's own email choices on this shop: an email for each new paid order
// (`PATCH /api/v1/account/notifications`). A screen of its own beside Account, whose
// screen belongs to the account area.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { t } from "../i18n/index.js";
import { patch } from "../api.js";
import { useSession } from "../session.js";
import { Checkbox, Notice, Submit, useForm } from "../ui/form.js";
import { Page } from "../ui/page.js";

export function Notifications() {
  const { me, reload } = useSession();
  const current = Boolean(me.notifications && me.notifications.new_order_email);
  const form = useForm({ new_order_email: current });
  const [saved, setSaved] = useState(false);
  const submit = (e) =>
    form.submit(e, async (v) => {
      setSaved(false);
      const answer = await patch("account/notifications", { new_order_email: Boolean(v.new_order_email) });
      form.setValues({ new_order_email: Boolean(answer && answer.new_order_email) });
      setSaved(true);
      reload();
    });
  return html`<${Page} title=${t("notifications.title")}>
    <form class="card narrow" onSubmit=${submit} novalidate>
      <${Notice} error=${form.formError} />
      ${saved && html`<${Notice} kind="ok">${t("common.saved")}</${Notice}>`}
      <${Checkbox} label=${t("notifications.new_order_email")} name="new_order_email" checked=${form.values.new_order_email} onInput=${form.set("new_order_email")} />
      <p class="hint">${t("notifications.new_order_hint", { email: me.email })}</p>
      <${Submit} busy=${form.busy}>${t("common.save")}</${Submit}>
    </form>
  </${Page}>`;
}
