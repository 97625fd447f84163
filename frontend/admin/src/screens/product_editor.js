// One product: its details, archive/restore/duplicate, variants (options, SKU, prices,
// compare-at, weight, prices in other currencies), images (upload with progress, alt text,
// order, delete) and each variant's stock (level, adjustments with a reason, the ledger,
// the low-stock threshold). Controls show only to roles that may use them.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { TableScroll } from "../ui/table.js";
import { formatDateTime, formatMoney, t } from "../i18n/index.js";
import { del, get, patch, post } from "../api.js";
import { navigate, query } from "../router.js";
import { can, useSession } from "../session.js";
import { Field, Notice, Select, Submit, useForm } from "../ui/form.js";
import { Loaded, Page, useResource } from "../ui/page.js";
import { ActionNotice, StatusTag, UploadField, fieldError, fromMinor, optionsText, pricesText, renamingFields, useAction, useCursorList } from "../ui/kit.js";
import { CATALOG_CODES, ProductFields, VARIANT_FIELDS, VariantFields, emptyVariant, useCategoryOptions, variantBody } from "./products.js";

const REASONS = ["received", "correction", "damaged", "returned", "other"];

export function ProductEditor({ params }) {
  const product = useResource(`admin/products/${params.id}`);
  const [changed, setData] = useState(null);
  const data = changed || product.data;
  const title = data ? data.title : t("catalog.product");
  return html`<${Page} title=${title}>
    <p><a href="/admin/products">${t("catalog.back_to_list")}</a></p>
    ${query().get("created") && html`<${Notice} kind="ok">${t("catalog.created")}</${Notice}>`}
    <${Loaded} resource=${{ ...product, data }}>${(p) => html`<${Editor} product=${p} onChange=${setData} reload=${product.reload} />`}</${Loaded}>
  </${Page}>`;
}

function Editor({ product, onChange, reload }) {
  const { me } = useSession();
  const edit = can(me, "manage_catalog");
  const stock = can(me, "manage_inventory");
  return html`
    <${Details} product=${product} onChange=${onChange} edit=${edit} />
    <${Images} product=${product} onChange=${onChange} edit=${edit} />
    <section aria-labelledby="variants-h">
      <h2 id="variants-h">${t("catalog.variants")}</h2>
      ${product.variants.map((v) => html`<${Variant} key=${v.id} product=${product} variant=${v} onChange=${onChange} edit=${edit} stock=${stock} reload=${reload} />`)}
      ${edit && html`<${AddVariant} product=${product} onChange=${onChange} />`}
    </section>`;
}

function Details({ product, onChange, edit }) {
  const toForm = (p) => ({ title: p.title, slug: p.slug, description: p.description || "", status: p.status, category_id: p.category_id || "" });
  const form = useForm(toForm(product), CATALOG_CODES);
  const categoryOptions = useCategoryOptions(t("catalog.no_category"));
  const action = useAction();
  const [saved, setSaved] = useState(false);
  const submit = (e) =>
    form.submit(e, async (v) => {
      setSaved(false);
      if (!v.title.trim()) throw fieldError("title", "catalog.title_required");
      const next = await renamingFields(() =>
        patch(`admin/products/${product.id}`, { title: v.title.trim(), slug: v.slug.trim(), description: v.description, status: v.status, category_id: v.category_id || null }),
      );
      onChange(next);
      form.setValues(toForm(next));
      setSaved(true);
    });
  const lifecycle = (what, done) =>
    action.run(async () => {
      const next = await post(`admin/products/${product.id}/${what}`);
      if (what === "duplicate") return navigate(`/admin/products/${next.id}?created=1`);
      onChange(next);
      form.setValues(toForm(next));
      return next;
    }, done);
  return html`<form class="card" onSubmit=${submit} aria-labelledby="details-h" novalidate>
    <h2 id="details-h">${t("catalog.details")} <${StatusTag} prefix="product_status" value=${product.status} /></h2>
    <${Notice} error=${form.formError} />
    ${saved && html`<${Notice} kind="ok">${t("common.saved")}</${Notice}>`}
    <${ProductFields} form=${form} categoryOptions=${categoryOptions} readOnly=${!edit} />
    <p class="muted">${t("catalog.updated_at", { at: formatDateTime(product.updated_at) })}</p>
    <${ActionNotice} action=${action} />
    ${edit &&
    html`<div class="actions">
      <${Submit} busy=${form.busy}>${t("common.save")}</${Submit}>
      ${product.status === "archived"
        ? html`<button type="button" onClick=${() => lifecycle("restore", t("catalog.restored"))} disabled=${action.busy}>${t("catalog.restore")}</button>`
        : html`<button type="button" class="danger" onClick=${() => lifecycle("archive", t("catalog.archived"))} disabled=${action.busy}>${t("catalog.archive")}</button>`}
      <button type="button" onClick=${() => lifecycle("duplicate")} disabled=${action.busy}>${t("catalog.duplicate")}</button>
    </div>`}
  </form>`;
}

function Images({ product, onChange, edit }) {
  const action = useAction();
  const images = product.images || [];
  const refresh = async () => onChange(await get(`admin/products/${product.id}`));
  const move = (img, to) => action.run(async () => {
    await patch(`admin/products/${product.id}/images/${img.id}`, { position: to });
    await refresh();
  }, t("catalog.image_moved"));
  return html`<section class="card" aria-labelledby="images-h">
    <h2 id="images-h">${t("catalog.images")}</h2>
    <${ActionNotice} action=${action} />
    ${images.length === 0 && html`<p>${t("catalog.no_images")}</p>`}
    <ol class="images">
      ${images.map((img, i) => html`<li key=${img.id || img.url}>
        <img src=${img.url} alt=${img.alt || ""} width="120" height="120" loading="lazy" />
        ${edit && !img.id && html`<p class="muted">${t("catalog.image_not_editable")}</p>`}
        ${edit && img.id
          ? html`<${AltForm} product=${product} image=${img} index=${i} onSaved=${refresh} />
            <div class="row-actions">
              <button type="button" disabled=${i === 0 || action.busy} aria-label=${t("catalog.image_up", { n: i + 1 })} onClick=${() => move(img, i - 1)}>${t("common.up")}</button>
              <button type="button" disabled=${i === images.length - 1 || action.busy} aria-label=${t("catalog.image_down", { n: i + 1 })} onClick=${() => move(img, i + 1)}>${t("common.down")}</button>
              <button type="button" class="danger" aria-label=${t("catalog.image_delete", { n: i + 1 })} disabled=${action.busy}
                onClick=${() => confirm(t("catalog.image_delete_confirm")) && action.run(async () => {
                  await del(`admin/products/${product.id}/images/${img.id}`);
                  await refresh();
                }, t("catalog.image_deleted"))}>${t("common.delete")}</button>
            </div>`
          : html`<p>${img.alt || t("catalog.no_alt")}</p>`}
      </li>`)}
    </ol>
    ${edit &&
    html`<${UploadField} label=${t("catalog.upload_image")} hint=${t("catalog.upload_hint")} accept="image/jpeg,image/png,image/webp,image/gif"
      path=${`admin/products/${product.id}/images`} onDone=${refresh} />`}
  </section>`;
}

function AltForm({ product, image, index, onSaved }) {
  const form = useForm({ alt: image.alt || "" });
  const [saved, setSaved] = useState(false);
  const submit = (e) =>
    form.submit(e, async (v) => {
      await renamingFields(() => patch(`admin/products/${product.id}/images/${image.id}`, { alt: v.alt }));
      setSaved(true);
      await onSaved();
    });
  return html`<form class="alt-form" onSubmit=${submit} novalidate>
    <${Field} label=${t("catalog.alt_text", { n: index + 1 })} hint=${t("catalog.alt_hint")} name="alt" value=${form.values.alt}
      onInput=${(v) => { setSaved(false); form.set("alt")(v); }} error=${form.errors.alt || form.formError} />
    <${Submit} busy=${form.busy}>${t("catalog.save_alt")}</${Submit}>
    ${saved && html`<span role="status" class="muted">${t("common.saved")}</span>`}
  </form>`;
}

const variantForm = (v, currency) => ({
  sku: v.sku,
  title: v.title || "",
  options: optionsText(v.options),
  price: fromMinor(v.price_amount, currency),
  compare_at: fromMinor(v.compare_at_amount, currency),
  weight: v.weight_grams ?? "",
  prices: pricesText(v.prices),
});

function Variant({ product, variant, onChange, edit, stock }) {
  const currency = product.currency;
  const form = useForm(variantForm(variant, currency), CATALOG_CODES);
  const action = useAction();
  const [saved, setSaved] = useState(false);
  const label = variant.title || optionsText(variant.options) || variant.sku;
  const submit = (e) =>
    form.submit(e, async (v) => {
      setSaved(false);
      const next = await renamingFields(() => patch(`admin/products/${product.id}/variants/${variant.id}`, variantBody(v, currency)), VARIANT_FIELDS);
      onChange(next);
      setSaved(true);
    });
  const hId = `variant-${variant.id}-h`;
  return html`<article class="card variant" aria-labelledby=${hId}>
    <h3 id=${hId}>${label} <span class="muted">${variant.sku}</span></h3>
    ${edit
      ? html`<form onSubmit=${submit} novalidate aria-label=${t("catalog.variant_form", { name: label })}>
          <${Notice} error=${form.formError} />
          ${saved && html`<${Notice} kind="ok">${t("common.saved")}</${Notice}>`}
          <${VariantFields} form=${form} currency=${currency} idPrefix=${`${variant.id}-`} />
          <${ActionNotice} action=${action} />
          <div class="actions">
            <${Submit} busy=${form.busy}>${t("catalog.save_variant")}</${Submit}>
            <button type="button" class="danger" disabled=${action.busy || product.variants.length < 2}
              aria-label=${t("catalog.delete_variant_for", { name: label })}
              onClick=${() => confirm(t("catalog.delete_variant_confirm", { name: label })) && action.run(async () => onChange(await del(`admin/products/${product.id}/variants/${variant.id}`)))}>
              ${t("catalog.delete_variant")}</button>
          </div>
        </form>`
      : html`<dl class="facts">
          <dt>${t("catalog.options")}</dt><dd>${optionsText(variant.options) || "—"}</dd>
          <dt>${t("catalog.price", { currency })}</dt><dd>${formatMoney(variant.price_amount, currency)}</dd>
          <dt>${t("catalog.compare_at", { currency })}</dt><dd>${formatMoney(variant.compare_at_amount, currency)}</dd>
          <dt>${t("catalog.weight")}</dt><dd>${variant.weight_grams ?? "—"}</dd>
          <dt>${t("catalog.prices")}</dt><dd>${Object.entries(variant.prices || {}).map(([c, a]) => formatMoney(a, c)).join(", ") || "—"}</dd>
        </dl>`}
    <${Inventory} variant=${variant} label=${label} stock=${stock} />
  </article>`;
}

function Inventory({ variant, label, stock }) {
  const [inv, setInv] = useState(variant.inventory || { available: 0, reserved: 0, low_stock_threshold: null });
  const [showLedger, setShowLedger] = useState(false);
  const [ledgerKey, setLedgerKey] = useState(0);
  const adjust = useForm({ delta: "", reason: "received", note: "" }, { insufficient_stock: "delta", invalid_delta: "delta", invalid_reason: "reason" });
  const threshold = useForm({ low_stock_threshold: inv.low_stock_threshold ?? "" }, {});
  const [done, setDone] = useState(null);
  const low = inv.low_stock_threshold !== null && inv.low_stock_threshold !== undefined && inv.available <= inv.low_stock_threshold;
  const submitAdjust = (e) =>
    adjust.submit(e, async (v) => {
      setDone(null);
      const delta = String(v.delta).trim();
      if (!/^-?\d+$/.test(delta) || Number(delta) === 0) throw fieldError("delta", "catalog.delta_invalid");
      const answer = await renamingFields(() => post(`admin/inventory/${variant.id}/adjustments`, { delta: Number(delta), reason: v.reason, note: v.note || undefined }));
      setInv((old) => ({ ...old, available: answer.available, reserved: answer.reserved }));
      adjust.setValues({ delta: "", reason: v.reason, note: "" });
      setDone(t("catalog.stock_adjusted", { n: answer.available }));
      setLedgerKey((k) => k + 1);
    });
  const submitThreshold = (e) =>
    threshold.submit(e, async (v) => {
      setDone(null);
      const s = String(v.low_stock_threshold).trim();
      if (s && !/^\d+$/.test(s)) throw fieldError("low_stock_threshold", "catalog.quantity_invalid");
      const answer = await renamingFields(() => patch(`admin/inventory/${variant.id}`, { low_stock_threshold: s ? Number(s) : null }));
      setInv((old) => ({ ...old, low_stock_threshold: answer && "low_stock_threshold" in answer ? answer.low_stock_threshold : s ? Number(s) : null }));
      setDone(t("common.saved"));
    });
  const id = variant.id;
  return html`<section class="inventory" aria-labelledby=${`inv-${id}-h`}>
    <h4 id=${`inv-${id}-h`}>${t("catalog.stock_of", { name: label })}</h4>
    <dl class="facts">
      <dt>${t("catalog.available")}</dt><dd class="stock-available">${inv.available}${low ? html` <span class="tag tag-low">${t("catalog.low_stock")}</span>` : ""}</dd>
      <dt>${t("catalog.reserved")}</dt><dd>${inv.reserved}</dd>
      <dt>${t("catalog.low_stock_threshold")}</dt><dd>${inv.low_stock_threshold ?? "—"}</dd>
    </dl>
    ${done && html`<${Notice} kind="ok">${done}</${Notice}>`}
    ${stock &&
    html`<form class="inline-form" onSubmit=${submitAdjust} novalidate aria-label=${t("catalog.adjust_for", { name: label })}>
        <${Notice} error=${adjust.formError} />
        <${Field} label=${t("catalog.delta")} hint=${t("catalog.delta_hint")} name=${`delta-${id}`} inputmode="numeric" value=${adjust.values.delta} onInput=${adjust.set("delta")} error=${adjust.errors.delta} />
        <${Select} label=${t("catalog.reason")} name=${`reason-${id}`} value=${adjust.values.reason} onInput=${adjust.set("reason")} error=${adjust.errors.reason}
          options=${REASONS.map((r) => [r, t(`reason.${r}`)])} />
        <${Field} label=${t("catalog.note")} name=${`note-${id}`} value=${adjust.values.note} onInput=${adjust.set("note")} error=${adjust.errors.note} />
        <${Submit} busy=${adjust.busy}>${t("catalog.adjust")}</${Submit}>
      </form>
      <form class="inline-form" onSubmit=${submitThreshold} novalidate aria-label=${t("catalog.threshold_for", { name: label })}>
        <${Notice} error=${threshold.formError} />
        <${Field} label=${t("catalog.low_stock_threshold")} hint=${t("catalog.threshold_hint")} name=${`threshold-${id}`} inputmode="numeric"
          value=${threshold.values.low_stock_threshold} onInput=${threshold.set("low_stock_threshold")} error=${threshold.errors.low_stock_threshold} />
        <${Submit} busy=${threshold.busy}>${t("catalog.save_threshold")}</${Submit}>
      </form>`}
    <button type="button" class="link" aria-expanded=${showLedger ? "true" : "false"} onClick=${() => setShowLedger(!showLedger)}>
      ${showLedger ? t("catalog.hide_ledger") : t("catalog.show_ledger")}</button>
    ${showLedger && html`<${Ledger} key=${ledgerKey} variantId=${id} label=${label} />`}
  </section>`;
}

function Ledger({ variantId, label }) {
  const list = useCursorList(`admin/inventory/${variantId}/adjustments`, { limit: 20 });
  return html`<div>
    ${list.items && list.items.length === 0 && html`<p>${t("catalog.ledger_empty")}</p>`}
    ${list.items &&
    list.items.length > 0 &&
    html`<${TableScroll} label=${t("catalog.ledger_of", { name: label })}><table class="ledger">
      <caption>${t("catalog.ledger_of", { name: label })}</caption>
      <thead><tr><th scope="col">${t("catalog.when")}</th><th scope="col">${t("catalog.delta")}</th><th scope="col">${t("catalog.reason")}</th>
        <th scope="col">${t("catalog.available_after")}</th><th scope="col">${t("catalog.by")}</th><th scope="col">${t("catalog.note")}</th></tr></thead>
      <tbody>${list.items.map((a) => html`<tr><td>${formatDateTime(a.at)}</td><td>${a.delta > 0 ? `+${a.delta}` : a.delta}</td>
        <td>${t(`reason.${a.reason}`)}</td><td>${a.available_after}</td><td>${a.actor_email || "—"}</td><td>${a.note || ""}</td></tr>`)}</tbody>
    </table></${TableScroll}>`}
    ${list.error && html`<div class="notice notice-error" role="alert">${list.error.text}</div>`}
    ${list.more && html`<button type="button" onClick=${list.loadMore}>${t("common.more")}</button>`}
  </div>`;
}

function AddVariant({ product, onChange }) {
  const form = useForm({ ...emptyVariant, available: "" }, CATALOG_CODES);
  const [open, setOpen] = useState(false);
  const submit = (e) =>
    form.submit(e, async (v) => {
      const body = variantBody(v, product.currency);
      const stock = String(v.available).trim();
      if (stock && !/^\d+$/.test(stock)) throw fieldError("available", "catalog.quantity_invalid");
      if (stock) body.available = Number(stock);
      const next = await renamingFields(() => post(`admin/products/${product.id}/variants`, body), VARIANT_FIELDS);
      onChange(next);
      form.setValues({ ...emptyVariant, available: "" });
      setOpen(false);
    });
  if (!open) return html`<button type="button" class="primary" onClick=${() => setOpen(true)}>${t("catalog.add_variant")}</button>`;
  return html`<form class="card" onSubmit=${submit} novalidate aria-labelledby="add-variant-h">
    <h3 id="add-variant-h">${t("catalog.add_variant")}</h3>
    <${Notice} error=${form.formError} />
    <${VariantFields} form=${form} currency=${product.currency} idPrefix="new-" />
    <${Field} label=${t("catalog.initial_stock")} name="available" inputmode="numeric" value=${form.values.available} onInput=${form.set("available")} error=${form.errors.available} />
    <div class="actions">
      <${Submit} busy=${form.busy}>${t("catalog.add_variant_submit")}</${Submit}>
      <button type="button" onClick=${() => setOpen(false)}>${t("common.cancel")}</button>
    </div>
  </form>`;
}

