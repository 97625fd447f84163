-- Development seed: two demo brands with different currency and locale.
-- Production seeds nothing. Fixed ids keep tests and docs stable.
-- both published: a new shop starts unpublished ("coming soon") until its owner publishes it
insert into public.brands (id, slug, name, currency, locale, theme, published) values
  ('a0000000-0000-4000-8000-00000000000a', 'acme', 'Acme Outfitters', 'USD', 'en',
   '{"primary": "#0b6e4f", "accent": "#f4a259", "logo": "/assets/acme/logo.svg"}', true),
  ('b0000000-0000-4000-8000-00000000000b', 'globex', 'Globex Tienda', 'EUR', 'es',
   '{"primary": "#3d348b", "accent": "#f7b801", "logo": "/assets/globex/logo.svg"}', true)
on conflict (id) do nothing;

insert into public.brand_domains (host, brand_id, is_primary, verified) values
  ('acme.localhost',   'a0000000-0000-4000-8000-00000000000a', true, true),
  ('globex.localhost', 'b0000000-0000-4000-8000-00000000000b', true, true),
  ('unverified.acme.localhost', 'a0000000-0000-4000-8000-00000000000a', false, false)
on conflict (host) do nothing;

insert into public.platform_settings (key, value) values
  ('platform', '{"name": "Shoal", "support_email": "support@shoal.localhost"}')
on conflict (key) do nothing;

-- ---------------------------------------------------------------- demo catalogs
-- 30 active products per brand (6 lines × 5 categories), apparel in three sizes, plus a
-- draft and an archived product that shoppers must never see. Deterministic stock.
insert into public.categories (brand_id, slug, name, position)
select 'a0000000-0000-4000-8000-00000000000a'::uuid, c.slug, c.name, c.pos
  from (values ('t-shirts', 'T-shirts', 1), ('hoodies', 'Hoodies', 2), ('caps', 'Caps', 3),
               ('bags', 'Bags', 4), ('accessories', 'Accessories', 5)) c(slug, name, pos)
union all
select 'b0000000-0000-4000-8000-00000000000b'::uuid, c.slug, c.name, c.pos
  from (values ('camisetas', 'Camisetas', 1), ('sudaderas', 'Sudaderas', 2), ('gorras', 'Gorras', 3),
               ('bolsos', 'Bolsos', 4), ('accesorios', 'Accesorios', 5)) c(slug, name, pos)
on conflict (brand_id, slug) do nothing;

with lines(brand_id, line_slug, line_name, n) as (
  select 'a0000000-0000-4000-8000-00000000000a'::uuid, l.s, l.n, l.i
    from unnest(array['harbor','summit','drift','canyon','meadow','tide'],
                array['Harbor','Summit','Drift','Canyon','Meadow','Tide']) with ordinality l(s, n, i)
  union all
  select 'b0000000-0000-4000-8000-00000000000b'::uuid, l.s, l.n, l.i
    from unnest(array['brisa','cumbre','deriva','canon','pradera','marea'],
                array['Brisa','Cumbre','Deriva','Cañón','Pradera','Marea']) with ordinality l(s, n, i)
), kinds(brand_id, cat_slug, noun, blurb, base_price) as (
  values
  ('a0000000-0000-4000-8000-00000000000a'::uuid, 't-shirts', 'Tee', 'A soft organic-cotton tee, cut for everyday wear and printed in small batches.', 2800),
  ('a0000000-0000-4000-8000-00000000000a'::uuid, 'hoodies', 'Hoodie', 'Brushed fleece hoodie with a roomy hood and a kangaroo pocket.', 6400),
  ('a0000000-0000-4000-8000-00000000000a'::uuid, 'caps', 'Cap', 'Six-panel cotton twill cap with an adjustable brass buckle.', 2400),
  ('a0000000-0000-4000-8000-00000000000a'::uuid, 'bags', 'Tote', 'Heavy canvas tote with an inner pocket, big enough for a weekend market run.', 3200),
  ('a0000000-0000-4000-8000-00000000000a'::uuid, 'accessories', 'Bottle', 'Insulated steel bottle that keeps water cold for a full day outside.', 2600),
  ('b0000000-0000-4000-8000-00000000000b'::uuid, 'camisetas', 'Camiseta', 'Camiseta de algodón orgánico, suave y pensada para el día a día.', 2500),
  ('b0000000-0000-4000-8000-00000000000b'::uuid, 'sudaderas', 'Sudadera', 'Sudadera de felpa perchada con capucha amplia y bolsillo canguro.', 5900),
  ('b0000000-0000-4000-8000-00000000000b'::uuid, 'gorras', 'Gorra', 'Gorra de sarga de algodón con cierre ajustable de latón.', 2200),
  ('b0000000-0000-4000-8000-00000000000b'::uuid, 'bolsos', 'Bolso', 'Bolso de lona resistente con bolsillo interior, ideal para el mercado.', 2900),
  ('b0000000-0000-4000-8000-00000000000b'::uuid, 'accesorios', 'Botella', 'Botella térmica de acero que mantiene el agua fría todo el día.', 2400)
)
insert into public.products (brand_id, slug, title, description, status, category_id, images, created_at)
select k.brand_id,
       l.line_slug || '-' || lower(k.noun),
       case when k.brand_id = 'a0000000-0000-4000-8000-00000000000a' then l.line_name || ' ' || k.noun
            else k.noun || ' ' || l.line_name end,
       k.blurb,
       'active',
       c.id,
       jsonb_build_array('/assets/' || b.slug || '/' || k.cat_slug || '.svg'),
       timestamptz '2026-11-01 10:00:00+00' + make_interval(hours => (l.n * 7 + length(k.noun))::int)
  from lines l
  join kinds k on k.brand_id = l.brand_id
  join public.brands b on b.id = k.brand_id
  join public.categories c on c.brand_id = k.brand_id and c.slug = k.cat_slug
on conflict (brand_id, slug) do nothing;

insert into public.products (brand_id, slug, title, description, status, images) values
  ('a0000000-0000-4000-8000-00000000000a', 'prototype-jacket', 'Prototype Jacket', 'Not released yet.', 'draft', '[]'),
  ('a0000000-0000-4000-8000-00000000000a', 'retired-scarf', 'Retired Scarf', 'No longer sold.', 'archived', '[]'),
  ('b0000000-0000-4000-8000-00000000000b', 'chaqueta-prototipo', 'Chaqueta Prototipo', 'Aún no disponible.', 'draft', '[]')
on conflict (brand_id, slug) do nothing;

-- every image is a product_images row (products.images is derived from the rows); the
-- seed's pictures are static assets, not R2 objects, so their rows keep the URL
insert into public.product_images (brand_id, product_id, url, position)
select p.brand_id, p.id, x.url, x.n - 1
  from public.products p
  cross join lateral jsonb_array_elements_text(p.images) with ordinality as x(url, n)
on conflict do nothing;

-- variants: apparel in S/M/L (L costs a little more), the rest one size
insert into public.variants (brand_id, product_id, sku, title, options, price_amount, compare_at_amount, weight_grams, position)
select p.brand_id, p.id,
       upper(left(b.slug, 2)) || '-' || upper(replace(p.slug, '-', '')) || coalesce('-' || s.size, ''),
       coalesce(s.size, case when b.locale = 'es' then 'Talla única' else 'One size' end),
       case when s.size is null then '{}'::jsonb else jsonb_build_object('size', s.size) end,
       k.base_price + case s.size when 'L' then 200 else 0 end + (abs(hashtext(p.slug)) % 5) * 100,
       case when abs(hashtext(p.slug)) % 4 = 0 then k.base_price + 1500 end,
       250, coalesce(s.pos, 1)
  from public.products p
  join public.brands b on b.id = p.brand_id
  join public.categories c on c.id = p.category_id
  join (values ('t-shirts', 2800), ('hoodies', 6400), ('caps', 2400), ('bags', 3200), ('accessories', 2600),
               ('camisetas', 2500), ('sudaderas', 5900), ('gorras', 2200), ('bolsos', 2900), ('accesorios', 2400))
       k(cat_slug, base_price) on k.cat_slug = c.slug
  left join (values ('S', 1), ('M', 2), ('L', 3)) s(size, pos)
       on c.slug in ('t-shirts', 'hoodies', 'camisetas', 'sudaderas')
on conflict (brand_id, sku) do nothing;

insert into public.variants (brand_id, product_id, sku, title, price_amount)
select brand_id, id, upper(replace(slug, '-', '')), 'One size', 9900 from public.products
 where status <> 'active' and brand_id in ('a0000000-0000-4000-8000-00000000000a', 'b0000000-0000-4000-8000-00000000000b')
on conflict (brand_id, sku) do nothing;

insert into public.inventory_levels (variant_id, brand_id, available)
select v.id, v.brand_id, 5 + abs(hashtext(v.sku)) % 40 from public.variants v
 where v.brand_id in ('a0000000-0000-4000-8000-00000000000a', 'b0000000-0000-4000-8000-00000000000b')
on conflict (variant_id) do nothing;

-- ---------------------------------------------------------------- staff (development only)
-- One account per role per demo brand and a platform super admin; the password of every
-- one is `Shoal-dev-2026!` (see docs/local-stack.md). Argon2id, OWASP parameters.
insert into public.accounts (email, password_hash, name, locale, is_super_admin, email_verified_at)
select e.email, '$argon2id$v=19$m=19456,t=2,p=1$U2lxZHAyamx+Njw7PkMvAA$kOkkjjI7V+MBv5nAOUOSaGKl2vuAwQxBehUwNT7Af5w',
       e.name, e.locale, e.super, now()
  from (values ('admin@acme.localhost', 'Ada Admin', 'en', false), ('editor@acme.localhost', 'Eddie Editor', 'en', false),
               ('viewer@acme.localhost', 'Vera Viewer', 'en', false), ('admin@globex.localhost', 'Alba Admin', 'es', false),
               ('editor@globex.localhost', 'Elena Editora', 'es', false), ('viewer@globex.localhost', 'Víctor Lector', 'es', false),
               ('super@shoal.localhost', 'Sam Super', 'en', true)) e(email, name, locale, super)
on conflict (email) do nothing;

insert into public.memberships (brand_id, account_id, role)
select b.id, a.id, r.role
  from (values ('acme', 'admin@acme.localhost', 'brand_admin'), ('acme', 'editor@acme.localhost', 'editor'),
               ('acme', 'viewer@acme.localhost', 'read_only'), ('globex', 'admin@globex.localhost', 'brand_admin'),
               ('globex', 'editor@globex.localhost', 'editor'), ('globex', 'viewer@globex.localhost', 'read_only')) r(slug, email, role)
  join public.brands b on b.slug = r.slug
  join public.accounts a on a.email = r.email
on conflict (brand_id, account_id) do nothing;
