// Categories: create, rename (name and address), reorder with Up/Down buttons (keyboard
// and screen-reader friendly; no drag-only interaction) and delete (their products become
// uncategorised).
import { useState } from "preact/hooks";
import { html } from "../html.js";
import { t } from "../i18n/index.js";
import { del, patch, post } from "../api.js";
import { can, useSession } from "../session.js";
import { Field, Notice, Submit, useForm } from "../ui/form.js";
import { Loaded, Page, useResource } from "../ui/page.js";
import { ActionNotice, fieldError, renamingFields, useAction } from "../ui/kit.js";

const CODES = { slug_taken: "slug", invalid_slug: "slug", name_taken: "name" };

export function Categories() {
  const { me } = useSession();
  const edit = can(me, "manage_catalog");
  const categories = useResource("admin/categories");
  const action = useAction();

  const move = (items, i, to) => {
    const ids = items.map((c) => c.id);
    const [id] = ids.splice(i, 1);
    ids.splice(to, 0, id);
    return action.run(async () => {
      await post("admin/categories/reorder", { ids });
      categories.reload();
    }, t("categories.moved", { name: items[i].name, n: to + 1 }));
  };

  return html`<${Page} title=${t("categories.title")}>
    ${edit && html`<${NewCategory} onCreated=${categories.reload} />`}
    <${ActionNotice} action=${action} />
    <${Loaded} resource=${categories}>
      ${(data) =>
        data.items.length === 0
          ? html`<p>${t("categories.empty")}</p>`
          : html`<ol class="category-list">
              ${data.items.map((c, i) => html`<li key=${c.id} class="card">
                ${edit
                  ? html`<${Rename} category=${c} onSaved=${categories.reload} />
                    <div class="row-actions">
                      <span class="muted">${t("categories.products", { n: c.product_count ?? 0 })}</span>
                      <button type="button" disabled=${i === 0 || action.busy} aria-label=${t("categories.move_up", { name: c.name })} onClick=${() => move(data.items, i, i - 1)}>${t("common.up")}</button>
                      <button type="button" disabled=${i === data.items.length - 1 || action.busy} aria-label=${t("categories.move_down", { name: c.name })}
                        onClick=${() => move(data.items, i, i + 1)}>${t("common.down")}</button>
                      <button type="button" class="danger" disabled=${action.busy} aria-label=${t("categories.delete_for", { name: c.name })}
                        onClick=${() => confirm(t("categories.delete_confirm", { name: c.name })) && action.run(async () => {
                          await del(`admin/categories/${c.id}`);
                          categories.reload();
                        }, t("categories.deleted", { name: c.name }))}>${t("common.delete")}</button>
                    </div>`
                  : html`<strong>${c.name}</strong> <span class="muted">/${c.slug} · ${t("categories.products", { n: c.product_count ?? 0 })}</span>`}
              </li>`)}
            </ol>`}
    </${Loaded}>
  </${Page}>`;
}

function NewCategory({ onCreated }) {
  const form = useForm({ name: "", slug: "" }, CODES);
  const [done, setDone] = useState(null);
  const submit = (e) =>
    form.submit(e, async (v) => {
      setDone(null);
      if (!v.name.trim()) throw fieldError("name", "categories.name_required");
      await renamingFields(() => post("admin/categories", { name: v.name.trim(), slug: v.slug.trim() || undefined }));
      form.setValues({ name: "", slug: "" });
      setDone(t("categories.created", { name: v.name.trim() }));
      onCreated();
    });
  return html`<form class="card inline-form" onSubmit=${submit} aria-labelledby="new-cat-h" novalidate>
    <h2 id="new-cat-h">${t("categories.new")}</h2>
    <${Notice} error=${form.formError} />
    ${done && html`<${Notice} kind="ok">${done}</${Notice}>`}
    <${Field} label=${t("field.name")} name="name" value=${form.values.name} onInput=${form.set("name")} error=${form.errors.name} required />
    <${Field} label=${t("catalog.slug")} hint=${t("catalog.slug_hint")} name="slug" value=${form.values.slug} onInput=${form.set("slug")} error=${form.errors.slug} />
    <${Submit} busy=${form.busy}>${t("categories.create")}</${Submit}>
  </form>`;
}

function Rename({ category, onSaved }) {
  const form = useForm({ name: category.name, slug: category.slug }, CODES);
  const [saved, setSaved] = useState(false);
  const submit = (e) =>
    form.submit(e, async (v) => {
      setSaved(false);
      if (!v.name.trim()) throw fieldError("name", "categories.name_required");
      await renamingFields(() => patch(`admin/categories/${category.id}`, { name: v.name.trim(), slug: v.slug.trim() }));
      setSaved(true);
      onSaved();
    });
  return html`<form class="inline-form" onSubmit=${submit} novalidate aria-label=${t("categories.rename_for", { name: category.name })}>
    <${Notice} error=${form.formError} />
    <${Field} label=${t("field.name")} name=${`name-${category.id}`} value=${form.values.name} onInput=${form.set("name")} error=${form.errors.name} />
    <${Field} label=${t("catalog.slug")} name=${`slug-${category.id}`} value=${form.values.slug} onInput=${form.set("slug")} error=${form.errors.slug} />
    <${Submit} busy=${form.busy}>${t("categories.rename")}</${Submit}>
    ${saved && html`<span role="status" class="muted">${t("common.saved")}</span>`}
  </form>`;
}
