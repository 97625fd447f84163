// The catalog: the product list (search, status, category and low-stock filters, a page at
// a time) and the form that creates a product with its first variant. The editor of one
// product is product_editor.js.
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { TableScroll } from "../ui/table.js";
import { formatDateTime, formatMoney, t } from "../i18n/index.js";
import { post } from "../api.js";
import { navigate, query } from "../router.js";
import { can, useSession } from "../session.js";
import { Checkbox, Field, Notice, Select, Submit, useForm } from "../ui/form.js";
import { Page, useResource } from "../ui/page.js";
import { ListFooter, StatusTag, TextArea, fieldError, parseOptions, parsePrices, renamingFields, toMinor, useCursorList } from "../ui/kit.js";

export const STATUSES = ["draft", "active", "archived"];

/** Form fields of a variant (strings, as typed). */
export const emptyVariant = { sku: "", title: "", options: "", price: "", compare_at: "", weight: "", prices: "" };

/** What the API calls a variant's fields → the form's names. */
export const VARIANT_FIELDS = { price_amount: "price", compare_at_amount: "compare_at", weight_grams: "weight", sku: "sku", options: "options", prices: "prices", title: "title" };

/** The variant form's values → the API's variant body; throws a field error on bad input. */
export function variantBody(v, currency, { partial = false } = {}) {
  const body = { sku: v.sku.trim(), title: v.title.trim() || null };
  const options = parseOptions(v.options);
  if (options === null) throw fieldError("options", "catalog.options_invalid");
  body.options = options;
  const price = toMinor(v.price, currency);
  if (price === null || Number.isNaN(price)) throw fieldError("price", "catalog.price_invalid");
  body.price_amount = price;
  const compare = toMinor(v.compare_at, currency);
  if (Number.isNaN(compare)) throw fieldError("compare_at", "catalog.price_invalid");
  body.compare_at_amount = compare;
  const weight = String(v.weight ?? "").trim();
  if (weight && !/^\d+$/.test(weight)) throw fieldError("weight", "catalog.weight_invalid");
  body.weight_grams = weight ? Number(weight) : null;
  const prices = parsePrices(v.prices);
  if (prices === null) throw fieldError("prices", "catalog.prices_invalid");
  body.prices = prices;
  if (!body.sku && !partial) throw fieldError("sku", "catalog.sku_required");
  return body;
}

/** Error codes of catalog writes → the form field they are about. */
export const CATALOG_CODES = {
  slug_taken: "slug",
  invalid_slug: "slug",
  sku_taken: "sku",
  compare_at_not_above_price: "compare_at",
  duplicate_options: "options",
  option_names_differ: "options",
  category_not_found: "category_id",
};

/** The variant fields of a form (shared by "new product", "add a variant" and each variant). */
export function VariantFields({ form, currency, idPrefix = "", titleKey = "title" }) {
  // `titleKey`: where the form keeps the variant's name when `title` is the product's (new product)
  const f = (name, key = name) => ({ name: `${idPrefix}${name}`, value: form.values[key], onInput: form.set(key), error: form.errors[key] });
  return html`<div class="grid-fields">
    <${Field} label=${t("catalog.sku")} ...${f("sku")} required autocomplete="off" />
    <${Field} label=${t("catalog.variant_title")} hint=${t("catalog.variant_title_hint")} ...${f("title", titleKey)} />
    <${Field} label=${t("catalog.options")} hint=${t("catalog.options_hint")} ...${f("options")} />
    <${Field} label=${t("catalog.price", { currency })} inputmode="decimal" ...${f("price")} required />
    <${Field} label=${t("catalog.compare_at", { currency })} hint=${t("catalog.compare_at_hint")} inputmode="decimal" ...${f("compare_at")} />
    <${Field} label=${t("catalog.weight")} inputmode="numeric" ...${f("weight")} />
    <${Field} label=${t("catalog.prices")} hint=${t("catalog.prices_hint")} ...${f("prices")} />
  </div>`;
}

/** The brand's categories as select options (first: none/all). */
export function useCategoryOptions(firstLabel) {
  const categories = useResource("admin/categories");
  const items = (categories.data && categories.data.items) || [];
  return [["", firstLabel], ...items.map((c) => [c.id, c.name])];
}

export function Products() {
  const { me } = useSession();
  const q = query();
  const initial = { q: q.get("q") || "", status: q.get("status") || "", category: q.get("category") || "", low_stock: q.get("low_stock") === "true" };
  const [filters, setFilters] = useState(initial);
  const [draft, setDraft] = useState(initial);
  const list = useCursorList("admin/products", { ...filters, low_stock: filters.low_stock ? "true" : "", limit: 25 });
  const categoryOptions = useCategoryOptions(t("catalog.all_categories"));
  const categoryName = Object.fromEntries(categoryOptions);
  const set = (k) => (v) => setDraft((d) => ({ ...d, [k]: v }));
  const apply = (e) => {
    e.preventDefault();
    setFilters(draft);
  };
  return html`<${Page} title=${t("catalog.title")}
      actions=${can(me, "manage_catalog") && html`<a class="button primary" href="/admin/products/new">${t("catalog.new_product")}</a>`}>
    <form class="card filters" role="search" aria-label=${t("catalog.filters")} onSubmit=${apply}>
      <${Field} label=${t("catalog.search")} name="q" type="search" value=${draft.q} onInput=${set("q")} />
      <${Select} label=${t("catalog.status")} name="status" value=${draft.status} onInput=${set("status")}
        options=${[["", t("catalog.all_statuses")], ...STATUSES.map((s) => [s, t(`product_status.${s}`)])]} />
      <${Select} label=${t("catalog.category")} name="category" value=${draft.category} onInput=${set("category")} options=${categoryOptions} />
      <${Checkbox} label=${t("catalog.low_stock_only")} name="low_stock" checked=${draft.low_stock} onInput=${set("low_stock")} />
      <button type="submit" class="primary">${t("common.apply")}</button>
    </form>
    ${list.items && list.items.length === 0 && html`<p>${t("catalog.empty")}</p>`}
    ${list.items &&
    list.items.length > 0 &&
    html`<${TableScroll} label=${t("catalog.title")}><table class="products">
      <caption class="sr-only">${t("catalog.title")}</caption>
      <thead><tr><th scope="col">${t("catalog.product")}</th><th scope="col">${t("catalog.status")}</th><th scope="col">${t("catalog.category")}</th>
        <th scope="col">${t("catalog.price_range")}</th><th scope="col">${t("catalog.variants")}</th><th scope="col">${t("catalog.available")}</th>
        <th scope="col">${t("catalog.updated")}</th></tr></thead>
      <tbody>${list.items.map(
        (p) => html`<tr>
          <td><a href=${`/admin/products/${p.id}`}>${p.title}</a><br /><span class="muted">${p.slug}</span></td>
          <td><${StatusTag} prefix="product_status" value=${p.status} /></td>
          <td>${(p.category_id && categoryName[p.category_id]) || "—"}</td>
          <td>${p.price_min === p.price_max ? formatMoney(p.price_min, p.currency) : `${formatMoney(p.price_min, p.currency)} – ${formatMoney(p.price_max, p.currency)}`}</td>
          <td>${p.variant_count}</td><td>${p.available ?? "—"}</td><td>${formatDateTime(p.updated_at)}</td>
        </tr>`,
      )}</tbody></table></${TableScroll}>`}
    <${ListFooter} list=${list} />
  </${Page}>`;
}

export function NewProduct() {
  const { me } = useSession();
  const currency = me.brand.currency || "USD";
  const form = useForm({ title: "", slug: "", description: "", status: "draft", category_id: "", ...emptyVariant, title: "", variant_title: "", available: "", low_stock_threshold: "" }, CATALOG_CODES);
  const categoryOptions = useCategoryOptions(t("catalog.no_category"));
  const submit = (e) =>
    form.submit(e, async (v) => {
      if (!v.title.trim()) throw fieldError("title", "catalog.title_required");
      // the product's title and the first variant's name are two fields (one `title` key made them one)
      const variant = variantBody({ ...v, title: v.variant_title }, currency);
      const stock = String(v.available).trim();
      if (stock && !/^\d+$/.test(stock)) throw fieldError("available", "catalog.quantity_invalid");
      if (stock) variant.available = Number(stock);
      const threshold = String(v.low_stock_threshold).trim();
      if (threshold && !/^\d+$/.test(threshold)) throw fieldError("low_stock_threshold", "catalog.quantity_invalid");
      if (threshold) variant.low_stock_threshold = Number(threshold);
      const body = { title: v.title.trim(), slug: v.slug.trim() || undefined, description: v.description, status: v.status, category_id: v.category_id || undefined, variants: [variant] };
      const created = await renamingFields(() => post("admin/products", body), { ...VARIANT_FIELDS, title: "variant_title" });
      navigate(`/admin/products/${created.id}?created=1`);
    });
  return html`<${Page} title=${t("catalog.new_product")}>
    <p><a href="/admin/products">${t("catalog.back_to_list")}</a></p>
    <form class="card" onSubmit=${submit} novalidate>
      <${Notice} error=${form.formError} />
      <${ProductFields} form=${form} categoryOptions=${categoryOptions} />
      <h2>${t("catalog.first_variant")}</h2>
      <p class="hint">${t("catalog.first_variant_hint")}</p>
      <${VariantFields} form=${form} currency=${currency} titleKey="variant_title" />
      <div class="grid-fields">
        <${Field} label=${t("catalog.initial_stock")} name="available" inputmode="numeric" value=${form.values.available} onInput=${form.set("available")} error=${form.errors.available} />
        <${Field} label=${t("catalog.low_stock_threshold")} name="low_stock_threshold" inputmode="numeric" value=${form.values.low_stock_threshold}
          onInput=${form.set("low_stock_threshold")} error=${form.errors.low_stock_threshold} />
      </div>
      <${Submit} busy=${form.busy}>${t("catalog.create")}</${Submit}>
    </form>
  </${Page}>`;
}

/** Title, slug, description, status, category. */
export function ProductFields({ form, categoryOptions, readOnly }) {
  const f = (name) => ({ name, value: form.values[name], onInput: form.set(name), error: form.errors[name], disabled: readOnly });
  return html`
    <${Field} label=${t("catalog.product_title")} required ...${f("title")} />
    <${Field} label=${t("catalog.slug")} hint=${t("catalog.slug_hint")} ...${f("slug")} />
    <${TextArea} label=${t("catalog.description")} ...${f("description")} />
    <div class="grid-fields">
      <${Select} label=${t("catalog.status")} ...${f("status")} options=${STATUSES.map((s) => [s, t(`product_status.${s}`)])} />
      <${Select} label=${t("catalog.category")} ...${f("category_id")} options=${categoryOptions} />
    </div>`;
}
