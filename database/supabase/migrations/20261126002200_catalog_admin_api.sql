-- =====================================================================================
-- The staff catalog API: products with variants (options, SKU, prices per currency,
-- compare-at price, weight), categories, inventory levels with a ledger of adjustments
-- =====================================================================================
-- Called by the worker as the staff member (role authenticated, brand_id / sub / app_role
-- in the token): SECURITY INVOKER, so the catalog's policies decide what the caller reads
-- and writes; brand and actor come from the token, never a parameter. One function per
-- write (one transaction), each audited. Errors use PostgREST's PTxxx codes (the HTTP
-- status comes through). Every write answers `{answer, invalidate_hosts}`: the worker
-- forgets those hosts' cached brand entries, so the catalog version the triggers bumped is
-- read at once and exactly this brand's cached pages are stale.

-- ------------------------------------------------------------------------ inventory ledger
-- One row per adjustment of a variant's stock: who, why, by how much and the level after.
-- Written only by shoal_private.record_inventory_adjustment (called by the adjustment
-- functions below); staff of the brand read it; nobody updates or deletes it.
create table public.inventory_adjustments (
  id               bigint generated always as identity primary key,
  brand_id         uuid not null references public.brands(id) on delete cascade,
  variant_id       uuid not null references public.variants(id) on delete cascade,
  delta            integer not null check (delta <> 0),
  reason           text not null check (reason in ('received', 'correction', 'damaged', 'returned', 'other')),
  note             text check (note is null or length(note) <= 500),
  available_after  integer not null check (available_after >= 0),
  -- the staff account (no foreign key: the ledger outlives an erased account) and its
  -- email then: every staff member of the brand reads who moved stock, while the accounts'
  -- own policies show other members' emails to member managers only
  actor            uuid not null,
  actor_email      text,
  at               timestamptz not null default now()
);
create index inventory_adjustments_brand_id_idx on public.inventory_adjustments(brand_id);
create index inventory_adjustments_variant_idx on public.inventory_adjustments(variant_id, id desc);
alter table public.inventory_adjustments enable row level security;
alter table public.inventory_adjustments force row level security;
create policy "staff can read their brand's inventory ledger" on public.inventory_adjustments for select to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('read_catalog')));
grant select on public.inventory_adjustments to authenticated;
grant all on public.inventory_adjustments to service_role;

-- ------------------------------------------------------------------------ indexes for the lists
-- products: newest first whatever the status; low stock and SKU prefix searches
create index products_brand_created_idx on public.products(brand_id, created_at desc, id desc);
create index variants_brand_sku_prefix_idx on public.variants(brand_id, lower(sku) text_pattern_ops);
create index inventory_levels_low_stock_idx on public.inventory_levels(brand_id)
  where available - reserved <= low_stock_threshold;
create index categories_brand_position_idx on public.categories(brand_id, position);

-- ------------------------------------------------------------------------ availability on the page
-- The product page shows each variant's stock (available - reserved): a change to it is a
-- catalog change like any other, so it bumps the brand's catalog version too. Changes that
-- leave what a shopper sees alone (the low-stock threshold, sync stamps) do not.
create trigger inventory_levels_bump_catalog_on_row after insert or delete on public.inventory_levels
  for each row execute function shoal_private.bump_catalog_version();
create trigger inventory_levels_bump_catalog_on_stock after update of available, reserved on public.inventory_levels
  for each row when (greatest(old.available - old.reserved, 0) is distinct from greatest(new.available - new.reserved, 0))
  execute function shoal_private.bump_catalog_version();

-- ------------------------------------------------------------------------ write policies
-- (reads: the staff read policies of 000250; product insert/update: 001200)
create policy "editors and admins can add to their brand's categories" on public.categories for insert to authenticated
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_catalog')));
create policy "editors and admins can change their brand's categories" on public.categories for update to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_catalog')))
  with check (brand_id = (select shoal_private.claim_brand()));
create policy "editors and admins can remove their brand's categories" on public.categories for delete to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_catalog')));
grant insert (brand_id, slug, name, position), update (slug, name, position), delete on public.categories to authenticated;

grant update (slug) on public.products to authenticated;

create policy "editors and admins can add variants to their brand's products" on public.variants for insert to authenticated
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_catalog'))
              and exists (select 1 from public.products p where p.id = product_id and p.brand_id = (select shoal_private.claim_brand())));
create policy "editors and admins can remove their brand's variants" on public.variants for delete to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_catalog')));
grant insert (brand_id, product_id, sku, title, options, price_amount, compare_at_amount, weight_grams, position),
      update (sku), delete on public.variants to authenticated;

create policy "editors and admins can add their brand's prices" on public.prices for insert to authenticated
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_catalog'))
              and exists (select 1 from public.variants v where v.id = variant_id and v.brand_id = (select shoal_private.claim_brand())));
create policy "editors and admins can change their brand's prices" on public.prices for update to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_catalog')))
  with check (brand_id = (select shoal_private.claim_brand()));
create policy "editors and admins can remove their brand's prices" on public.prices for delete to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_catalog')));
grant insert (variant_id, brand_id, currency, amount), update (amount), delete on public.prices to authenticated;

-- stock rows: one insert policy for staff (a new variant's row) and devices (edge sync),
-- replacing the devices-only one of 002000 (one permissive policy per role and action)
drop policy "devices can add stock rows to their brand" on public.inventory_levels;
create policy "editors, admins and devices can add stock rows to their brand" on public.inventory_levels for insert to authenticated
  with check (brand_id = (select shoal_private.claim_brand())
              and ((select shoal_private.staff_may('manage_inventory')) or (select shoal_private.claim_device()) is not null)
              and exists (select 1 from public.variants v where v.id = variant_id and v.brand_id = (select shoal_private.claim_brand())));
grant insert (low_stock_threshold), update (low_stock_threshold) on public.inventory_levels to authenticated;

-- ------------------------------------------------------------------------ shared helpers
-- What a catalog write answers: its result and the brand's hosts to forget in the cache.
create function shoal_private.catalog_written(p_answer jsonb) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('answer', p_answer,
    'invalidate_hosts', coalesce((select jsonb_agg(host order by host) from public.brand_domains
                                   where brand_id = shoal_private.claim_brand()), '[]'::jsonb))
$$;

-- Low stock: what is left to sell (available - reserved) is at or below the threshold.
create function shoal_private.low_stock(p_level public.inventory_levels) returns boolean
language sql immutable set search_path = '' as $$
  select p_level.available - p_level.reserved <= p_level.low_stock_threshold
$$;

-- A product of the token's brand, or 404.
create function shoal_private.brand_product(p_product_id uuid, p_lock boolean default false) returns public.products
language plpgsql set search_path = '' as $$
declare
  v public.products;
begin
  if p_lock then
    select * into v from public.products where id = p_product_id and brand_id = shoal_private.claim_brand() for update;
  else
    select * into v from public.products where id = p_product_id and brand_id = shoal_private.claim_brand();
  end if;
  if not found then
    raise exception using errcode = 'PT404', message = 'product_not_found';
  end if;
  return v;
end
$$;

-- A category id from a request body must name one of the token's brand's categories (the
-- foreign key alone would accept another brand's).
create function shoal_private.require_brand_category(p_category_id uuid) returns void
language plpgsql stable set search_path = '' as $$
begin
  if p_category_id is not null
     and not exists (select 1 from public.categories where id = p_category_id and brand_id = shoal_private.claim_brand()) then
    raise exception using errcode = 'PT422', message = 'category_not_found';
  end if;
end
$$;

-- `p_base`, or `p_base-2`, `-3`, … : the first slug no product of the brand has.
create function shoal_private.free_product_slug(p_base text) returns text
language plpgsql stable set search_path = '' as $$
declare
  v_slug text := p_base;
  n integer := 1;
begin
  while exists (select 1 from public.products where brand_id = shoal_private.claim_brand() and slug = v_slug) loop
    n := n + 1;
    v_slug := rtrim(left(p_base, 96 - length(n::text) - 1), '-') || '-' || n;
  end loop;
  return v_slug;
end
$$;

-- `p_base`, or `p_base-2`, … : the first SKU no variant of the brand has.
create function shoal_private.free_sku(p_base text) returns text
language plpgsql stable set search_path = '' as $$
declare
  v_sku text := p_base;
  n integer := 1;
begin
  while exists (select 1 from public.variants where brand_id = shoal_private.claim_brand() and sku = v_sku) loop
    n := n + 1;
    v_sku := left(p_base, 64 - length(n::text) - 1) || '-' || n;
  end loop;
  return v_sku;
end
$$;

-- Raises the API's error for a constraint a write broke (called from exception handlers).
create function shoal_private.raise_catalog_constraint(p_constraint text) returns void
language plpgsql set search_path = '' as $$
begin
  case p_constraint
    when 'products_brand_id_slug_key' then raise exception using errcode = 'PT409', message = 'slug_taken';
    when 'categories_brand_id_slug_key' then raise exception using errcode = 'PT409', message = 'slug_taken';
    when 'variants_brand_id_sku_key' then raise exception using errcode = 'PT409', message = 'sku_taken';
    when 'variants_check' then raise exception using errcode = 'PT422', message = 'compare_at_not_above_price';
    when 'reservations_variant_id_fkey' then raise exception using errcode = 'PT409', message = 'variant_has_orders';
    else raise exception using errcode = 'PT422', message = 'invalid_value', detail = p_constraint;
  end case;
end
$$;

-- ------------------------------------------------------------------------ reads
-- plpgsql, not sql: its images come from public.product_images (the media migration's,
-- created after this one), with ids and alt text the editor needs; products.images (URLs
-- only) for a product whose URLs were never adopted as rows (none once an image write or
-- the seed has run: see shoal_private.adopt_listed_images).
create function shoal_private.product_json(p_product_id uuid) returns jsonb
language plpgsql stable set search_path = '' as $$
begin
  return (select jsonb_build_object(
    'id', p.id, 'slug', p.slug, 'title', p.title, 'description', p.description, 'status', p.status,
    'category_id', p.category_id,
    'images', coalesce((select jsonb_agg(shoal_private.image_json(pi) order by pi.position, pi.created_at)
                          from public.product_images pi where pi.product_id = p.id),
                       (select jsonb_agg(case jsonb_typeof(e) when 'string' then jsonb_build_object('id', null, 'url', e #>> '{}', 'alt', '')
                                              else e end order by n)
                          from jsonb_array_elements(p.images) with ordinality as i(e, n)), '[]'::jsonb),
    'currency', b.currency,
    'variants', coalesce((select jsonb_agg(jsonb_build_object(
        'id', v.id, 'sku', v.sku, 'title', v.title, 'options', v.options, 'price_amount', v.price_amount,
        'compare_at_amount', v.compare_at_amount, 'weight_grams', v.weight_grams,
        'prices', coalesce((select jsonb_object_agg(pr.currency, pr.amount) from public.prices pr where pr.variant_id = v.id), '{}'::jsonb),
        'position', v.position,
        'inventory', jsonb_build_object('available', coalesce(l.available, 0), 'reserved', coalesce(l.reserved, 0),
                                        'low_stock_threshold', coalesce(l.low_stock_threshold, 0)))
        order by v.position, v.sku)
      from public.variants v left join public.inventory_levels l on l.variant_id = v.id
      where v.product_id = p.id), '[]'::jsonb),
    'created_at', p.created_at, 'updated_at', p.updated_at)
  from public.products p join public.brands b on b.id = p.brand_id
  where p.id = p_product_id and p.brand_id = shoal_private.claim_brand());
end
$$;

create function public.admin_get_product(p_product_id uuid)
returns jsonb language plpgsql stable set search_path = '' as $$
declare
  v jsonb;
begin
  perform shoal_private.require_staff('read_catalog');
  v := shoal_private.product_json(p_product_id);
  if v is null then
    raise exception using errcode = 'PT404', message = 'product_not_found';
  end if;
  return v;
end
$$;

-- Newest first; `p_words` are prefix-matched on title and description, `p_sku` on SKUs
-- (either may match); the page continues after (p_after_created, p_after_id).
create function public.admin_list_products(p_words text[], p_sku text, p_status text, p_category_id uuid, p_low_stock boolean,
                                           p_after_created timestamptz, p_after_id uuid, p_limit integer)
returns jsonb language plpgsql stable set search_path = '' as $$
declare
  v_limit integer := least(greatest(coalesce(p_limit, 25), 1), 100);
  v_query tsquery := case when cardinality(p_words) > 0
                          then to_tsquery('simple', array_to_string(array(select quote_literal(w) || ':*' from unnest(p_words) w), ' & ')) end;
  v_sku text := replace(replace(replace(lower(p_sku), '\', '\\'), '%', '\%'), '_', '\_') || '%';
begin
  perform shoal_private.require_staff('read_catalog');
  return (
    with page as (
      select p.* from public.products p
       where p.brand_id = shoal_private.claim_brand()
         and (p_status is null or p.status = p_status)
         and (p_category_id is null or p.category_id = p_category_id)
         and (v_query is null and p_sku is null
              or p.search @@ v_query
              or (p_sku is not null and exists (select 1 from public.variants v where v.product_id = p.id
                                                   and v.brand_id = p.brand_id and lower(v.sku) like v_sku)))
         and (not coalesce(p_low_stock, false) or exists (
               select 1 from public.variants v join public.inventory_levels l on l.variant_id = v.id
                where v.product_id = p.id and l.brand_id = p.brand_id and l.available - l.reserved <= l.low_stock_threshold))
         and (p_after_id is null or (p.created_at, p.id) < (p_after_created, p_after_id))
       order by p.created_at desc, p.id desc
       limit v_limit + 1
    ), shown as (select * from page order by created_at desc, id desc limit v_limit)
    select jsonb_build_object(
      'items', coalesce((select jsonb_agg(jsonb_build_object(
          'id', s.id, 'slug', s.slug, 'title', s.title, 'status', s.status, 'category_id', s.category_id,
          'image', (select case jsonb_typeof(e) when 'string' then e #>> '{}' else e ->> 'url' end
                     from jsonb_array_elements(s.images) with ordinality as i(e, n) order by n limit 1),
          'currency', (select currency from public.brands where id = s.brand_id),
          'price_min', (select min(v.price_amount) from public.variants v where v.product_id = s.id),
          'price_max', (select max(v.price_amount) from public.variants v where v.product_id = s.id),
          'variant_count', (select count(*) from public.variants v where v.product_id = s.id),
          'available', (select coalesce(sum(greatest(l.available - l.reserved, 0)), 0) from public.variants v
                          join public.inventory_levels l on l.variant_id = v.id where v.product_id = s.id),
          'updated_at', s.updated_at) order by s.created_at desc, s.id desc) from shown s), '[]'::jsonb),
      'next', case when (select count(*) from page) > v_limit
                   then (select jsonb_build_object('created_at', created_at, 'id', id) from shown order by created_at, id limit 1) end));
end
$$;

-- ------------------------------------------------------------------------ variant writes
-- Adjusts a variant's stock by p_delta (never below what pending orders hold) and records
-- it in the ledger. Invoker: the stock update policy decides (manage_inventory).
create function shoal_private.adjust_stock(p_variant_id uuid, p_delta integer, p_reason text, p_note text) returns jsonb
language plpgsql set search_path = '' as $$
declare
  v_level public.inventory_levels;
begin
  perform shoal_private.require_staff('manage_inventory');
  if p_delta is null or p_delta = 0 then
    raise exception using errcode = 'PT422', message = 'invalid_delta';
  end if;
  if not exists (select 1 from public.variants where id = p_variant_id and brand_id = shoal_private.claim_brand()) then
    raise exception using errcode = 'PT404', message = 'variant_not_found';
  end if;
  insert into public.inventory_levels (variant_id, brand_id, available)
  values (p_variant_id, shoal_private.claim_brand(), 0) on conflict (variant_id) do nothing;
  select * into v_level from public.inventory_levels
   where variant_id = p_variant_id and brand_id = shoal_private.claim_brand() for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'variant_not_found';
  end if;
  if v_level.available::bigint + p_delta < v_level.reserved then
    raise exception using errcode = 'PT409', message = 'insufficient_stock',
      detail = format('available %s, reserved %s, delta %s', v_level.available, v_level.reserved, p_delta);
  end if;
  update public.inventory_levels set available = available + p_delta, updated_at = now()
   where variant_id = p_variant_id returning * into v_level;
  return jsonb_build_object('available', v_level.available, 'reserved', v_level.reserved,
    'adjustment', shoal_private.record_inventory_adjustment(p_variant_id, p_delta, p_reason, p_note));
end
$$;

-- The ledger row of the adjustment just made. SECURITY DEFINER because the ledger takes no
-- insert from any caller (a grant would let staff write rows of adjustments that never
-- happened through PostgREST); the level after it is read here, not taken from the caller,
-- and brand and actor come from the token. Not exposed by PostgREST (shoal_private).
create function shoal_private.record_inventory_adjustment(p_variant_id uuid, p_delta integer, p_reason text, p_note text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v public.inventory_adjustments;
begin
  if not shoal_private.staff_may('manage_inventory') then
    raise exception 'not allowed: manage_inventory' using errcode = '42501';
  end if;
  if p_reason is null or p_reason not in ('received', 'correction', 'damaged', 'returned', 'other') then
    raise exception using errcode = 'PT422', message = 'invalid_reason';
  end if;
  insert into public.inventory_adjustments (brand_id, variant_id, delta, reason, note, available_after, actor, actor_email)
  select l.brand_id, l.variant_id, p_delta, p_reason, nullif(trim(p_note), ''), l.available, shoal_private.claim_actor(),
         (select a.email from public.accounts a where a.id = shoal_private.claim_actor())
    from public.inventory_levels l where l.variant_id = p_variant_id and l.brand_id = shoal_private.claim_brand()
  returning * into v;
  if v.id is null then
    raise exception using errcode = 'PT404', message = 'variant_not_found';
  end if;
  return jsonb_build_object('id', v.id, 'delta', v.delta, 'reason', v.reason, 'note', v.note,
    'available_after', v.available_after, 'actor_email', v.actor_email, 'at', v.at);
end
$$;

-- Inserts (p_variant_id null) or changes a variant of a product of the token's brand from
-- `p` (the API's variant fields; absent ones stay, `compare_at_amount`/`weight_grams` null
-- clear; `prices` replaces the other currencies' prices). Every variant of a product has
-- the same option names and a combination of values of its own.
create function shoal_private.write_variant(p_product_id uuid, p_variant_id uuid, p jsonb) returns uuid
language plpgsql set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
  v_id uuid := p_variant_id;
  v_options jsonb;
begin
  if v_id is null then
    insert into public.variants (brand_id, product_id, sku, title, options, price_amount, compare_at_amount, weight_grams, position)
    values (v_brand, p_product_id, p ->> 'sku', coalesce(nullif(p ->> 'title', ''), 'Default'), coalesce(p -> 'options', '{}'::jsonb),
            (p ->> 'price_amount')::bigint, (p ->> 'compare_at_amount')::bigint, (p ->> 'weight_grams')::integer,
            coalesce((select max(position) + 1 from public.variants where product_id = p_product_id), 0))
    returning id into v_id;
    insert into public.inventory_levels (variant_id, brand_id, available, low_stock_threshold)
    values (v_id, v_brand, 0, coalesce((p ->> 'low_stock_threshold')::integer, 0));
    if coalesce((p ->> 'available')::integer, 0) > 0 then
      perform shoal_private.adjust_stock(v_id, (p ->> 'available')::integer, 'received', 'initial stock');
    end if;
  else
    update public.variants set
      sku = case when p ? 'sku' then p ->> 'sku' else sku end,
      title = case when p ? 'title' then coalesce(nullif(p ->> 'title', ''), title) else title end,
      options = case when p ? 'options' then p -> 'options' else options end,
      price_amount = case when p ? 'price_amount' then (p ->> 'price_amount')::bigint else price_amount end,
      compare_at_amount = case when p ? 'compare_at_amount' then (p ->> 'compare_at_amount')::bigint else compare_at_amount end,
      weight_grams = case when p ? 'weight_grams' then (p ->> 'weight_grams')::integer else weight_grams end
     where id = v_id and product_id = p_product_id and brand_id = v_brand;
    if not found then
      raise exception using errcode = 'PT404', message = 'variant_not_found';
    end if;
    if p ? 'low_stock_threshold' then
      perform shoal_private.require_staff('manage_inventory');
      update public.inventory_levels set low_stock_threshold = (p ->> 'low_stock_threshold')::integer
       where variant_id = v_id and brand_id = v_brand;
    end if;
  end if;
  if p ? 'prices' then
    delete from public.prices where variant_id = v_id and not (coalesce(p -> 'prices', '{}'::jsonb) ? currency::text);
    insert into public.prices (variant_id, brand_id, currency, amount)
    select v_id, v_brand, key, value::bigint from jsonb_each_text(coalesce(p -> 'prices', '{}'::jsonb))
    on conflict (variant_id, currency) do update set amount = excluded.amount;
  end if;
  select options into v_options from public.variants where id = v_id;
  if exists (select 1 from public.variants o where o.product_id = p_product_id and o.id <> v_id
                and array(select jsonb_object_keys(o.options) order by 1) <> array(select jsonb_object_keys(v_options) order by 1)) then
    raise exception using errcode = 'PT422', message = 'option_names_differ',
      detail = 'every variant of a product has the same option names';
  end if;
  if exists (select 1 from public.variants o where o.product_id = p_product_id and o.id <> v_id and o.options = v_options) then
    raise exception using errcode = 'PT409', message = 'duplicate_options',
      detail = 'another variant of this product has the same option values';
  end if;
  return v_id;
exception
  when unique_violation or check_violation or foreign_key_violation then
    declare
      v_constraint text;
    begin
      get stacked diagnostics v_constraint = constraint_name;
      perform shoal_private.raise_catalog_constraint(v_constraint);
      return null;
    end;
end
$$;

-- ------------------------------------------------------------------------ product writes
-- A new product with at least one variant. `p_slug` was made by the worker (from the title
-- when the request gave none: p_slug_given false takes the first free `slug-n` instead of
-- refusing a taken one).
create function public.admin_create_product(p_title text, p_slug text, p_slug_given boolean, p_description text, p_status text,
                                            p_category_id uuid, p_variants jsonb)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_id uuid;
  v_slug text;
  v_variant jsonb;
begin
  perform shoal_private.require_staff('manage_catalog');
  if jsonb_typeof(p_variants) is distinct from 'array' or jsonb_array_length(p_variants) = 0 then
    raise exception using errcode = 'PT422', message = 'variants_required';
  end if;
  perform shoal_private.require_brand_category(p_category_id);
  v_slug := case when p_slug_given then p_slug else shoal_private.free_product_slug(p_slug) end;
  begin
    insert into public.products (brand_id, slug, title, description, status, category_id)
    values (shoal_private.claim_brand(), v_slug, p_title, coalesce(p_description, ''), coalesce(p_status, 'draft'), p_category_id)
    returning id into v_id;
  exception when unique_violation or check_violation then
    declare
      v_constraint text;
    begin
      get stacked diagnostics v_constraint = constraint_name;
      perform shoal_private.raise_catalog_constraint(v_constraint);
    end;
  end;
  for v_variant in select value from jsonb_array_elements(p_variants) loop
    perform shoal_private.write_variant(v_id, null, v_variant);
  end loop;
  perform shoal_private.staff_audit('product_created', v_slug,
    jsonb_build_object('product_id', v_id, 'variants', jsonb_array_length(p_variants)));
  return shoal_private.catalog_written(shoal_private.product_json(v_id));
end
$$;

-- Title, slug, description, status and category; a key absent from `p` stays as it is
-- (`category_id: null` unassigns).
create function public.admin_edit_product(p_product_id uuid, p jsonb)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_before public.products;
begin
  perform shoal_private.require_staff('manage_catalog');
  v_before := shoal_private.brand_product(p_product_id, true);
  if p ? 'category_id' then
    perform shoal_private.require_brand_category((p ->> 'category_id')::uuid);
  end if;
  begin
    update public.products set
      title = case when p ? 'title' then p ->> 'title' else title end,
      slug = case when p ? 'slug' then p ->> 'slug' else slug end,
      description = case when p ? 'description' then coalesce(p ->> 'description', '') else description end,
      status = case when p ? 'status' then p ->> 'status' else status end,
      category_id = case when p ? 'category_id' then (p ->> 'category_id')::uuid else category_id end,
      updated_at = now()
     where id = p_product_id;
  exception when unique_violation or check_violation then
    declare
      v_constraint text;
    begin
      get stacked diagnostics v_constraint = constraint_name;
      perform shoal_private.raise_catalog_constraint(v_constraint);
    end;
  end;
  perform shoal_private.staff_audit('product_updated', v_before.slug, (p - 'description') || jsonb_build_object('product_id', p_product_id));
  return shoal_private.catalog_written(shoal_private.product_json(p_product_id));
end
$$;

-- Archive (any status → archived) or restore (archived → draft, to be checked again
-- before it sells).
create function public.admin_set_product_archived(p_product_id uuid, p_archived boolean)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v public.products;
begin
  perform shoal_private.require_staff('manage_catalog');
  v := shoal_private.brand_product(p_product_id, true);
  if not p_archived and v.status <> 'archived' then
    raise exception using errcode = 'PT409', message = 'not_archived';
  end if;
  update public.products set status = case when p_archived then 'archived' else 'draft' end, updated_at = now()
   where id = p_product_id;
  perform shoal_private.staff_audit(case when p_archived then 'product_archived' else 'product_restored' end, v.slug,
    jsonb_build_object('product_id', p_product_id, 'from', v.status));
  return shoal_private.catalog_written(shoal_private.product_json(p_product_id));
end
$$;

-- A draft copy: slug `<slug>-copy[-n]`, SKUs `<sku>-copy[-n]`, the same variants, prices,
-- images and thresholds, no stock.
create function public.admin_duplicate_product(p_product_id uuid)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v public.products;
  v_id uuid;
  v_variant public.variants;
  v_new uuid;
begin
  perform shoal_private.require_staff('manage_catalog');
  v := shoal_private.brand_product(p_product_id);
  insert into public.products (brand_id, slug, title, description, status, category_id, images)
  values (v.brand_id, shoal_private.free_product_slug(rtrim(left(v.slug, 91), '-') || '-copy'), v.title, v.description, 'draft',
          v.category_id, v.images)
  returning id into v_id;
  -- the copy shows the same pictures: its own rows naming the same content-addressed R2
  -- objects (nothing to copy in R2; deleting one side's row keeps the object while the
  -- other still names it, see admin_delete_product_image)
  perform shoal_private.adopt_listed_images(p_product_id);
  insert into public.product_images (brand_id, product_id, sha256, ext, size, url, alt, position)
  select v.brand_id, v_id, i.sha256, i.ext, i.size, i.url, i.alt, i.position
    from public.product_images i where i.product_id = p_product_id;
  perform shoal_private.sync_product_images(v_id);
  for v_variant in select * from public.variants where product_id = p_product_id order by position, sku loop
    insert into public.variants (brand_id, product_id, sku, title, options, price_amount, compare_at_amount, weight_grams, position)
    values (v.brand_id, v_id, shoal_private.free_sku(left(v_variant.sku, 59) || '-copy'), v_variant.title, v_variant.options,
            v_variant.price_amount, v_variant.compare_at_amount, v_variant.weight_grams, v_variant.position)
    returning id into v_new;
    insert into public.prices (variant_id, brand_id, currency, amount)
    select v_new, brand_id, currency, amount from public.prices where variant_id = v_variant.id;
    insert into public.inventory_levels (variant_id, brand_id, available, low_stock_threshold)
    values (v_new, v.brand_id, 0, coalesce((select low_stock_threshold from public.inventory_levels where variant_id = v_variant.id), 0));
  end loop;
  perform shoal_private.staff_audit('product_duplicated', v.slug, jsonb_build_object('product_id', p_product_id, 'copy_id', v_id));
  return shoal_private.catalog_written(shoal_private.product_json(v_id));
end
$$;

create function public.admin_add_variant(p_product_id uuid, p jsonb)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v public.products;
  v_id uuid;
begin
  perform shoal_private.require_staff('manage_catalog');
  v := shoal_private.brand_product(p_product_id, true);
  v_id := shoal_private.write_variant(p_product_id, null, p);
  update public.products set updated_at = now() where id = p_product_id;
  perform shoal_private.staff_audit('variant_added', v.slug, jsonb_build_object('product_id', p_product_id, 'variant_id', v_id, 'sku', p ->> 'sku'));
  return shoal_private.catalog_written(shoal_private.product_json(p_product_id));
end
$$;

create function public.admin_edit_variant(p_product_id uuid, p_variant_id uuid, p jsonb)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v public.products;
begin
  perform shoal_private.require_staff('manage_catalog');
  v := shoal_private.brand_product(p_product_id, true);
  perform shoal_private.write_variant(p_product_id, p_variant_id, p);
  update public.products set updated_at = now() where id = p_product_id;
  perform shoal_private.staff_audit('variant_updated', v.slug, p || jsonb_build_object('product_id', p_product_id, 'variant_id', p_variant_id));
  return shoal_private.catalog_written(shoal_private.product_json(p_product_id));
end
$$;

-- The last variant stays (a product has at least one); the product row's lock serialises
-- two deletions racing for the last two. A variant pending or past orders reserved keeps
-- its history: 409 variant_has_orders (archive the product instead).
create function public.admin_delete_variant(p_product_id uuid, p_variant_id uuid)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v public.products;
  v_sku text;
begin
  perform shoal_private.require_staff('manage_catalog');
  v := shoal_private.brand_product(p_product_id, true);
  if not exists (select 1 from public.variants where id = p_variant_id and product_id = p_product_id) then
    raise exception using errcode = 'PT404', message = 'variant_not_found';
  end if;
  if (select count(*) from public.variants where product_id = p_product_id) <= 1 then
    raise exception using errcode = 'PT409', message = 'last_variant', detail = 'a product keeps at least one variant';
  end if;
  begin
    delete from public.variants where id = p_variant_id and product_id = p_product_id returning sku into v_sku;
  exception when foreign_key_violation then
    declare
      v_constraint text;
    begin
      get stacked diagnostics v_constraint = constraint_name;
      perform shoal_private.raise_catalog_constraint(v_constraint);
    end;
  end;
  if v_sku is null then
    raise exception 'not allowed: manage_catalog' using errcode = '42501';
  end if;
  update public.products set updated_at = now() where id = p_product_id;
  perform shoal_private.staff_audit('variant_deleted', v.slug, jsonb_build_object('product_id', p_product_id, 'variant_id', p_variant_id, 'sku', v_sku));
  return shoal_private.catalog_written(shoal_private.product_json(p_product_id));
end
$$;

-- ------------------------------------------------------------------------ categories
create function public.admin_list_categories()
returns jsonb language plpgsql stable set search_path = '' as $$
begin
  perform shoal_private.require_staff('read_catalog');
  return jsonb_build_object('items', coalesce((select jsonb_agg(jsonb_build_object('id', c.id, 'slug', c.slug, 'name', c.name,
            'position', c.position, 'product_count', (select count(*) from public.products p where p.category_id = c.id))
            order by c.position, c.name, c.id)
    from public.categories c where c.brand_id = shoal_private.claim_brand()), '[]'::jsonb));
end
$$;

create function shoal_private.category_json(p_category_id uuid) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object('id', c.id, 'slug', c.slug, 'name', c.name, 'position', c.position,
                            'product_count', (select count(*) from public.products p where p.category_id = c.id))
    from public.categories c where c.id = p_category_id and c.brand_id = shoal_private.claim_brand()
$$;

create function public.admin_create_category(p_name text, p_slug text)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_id uuid;
  v_constraint text;
begin
  perform shoal_private.require_staff('manage_catalog');
  perform pg_advisory_xact_lock(hashtext('shoal:categories'), hashtext(shoal_private.claim_brand()::text));
  insert into public.categories (brand_id, slug, name, position)
  values (shoal_private.claim_brand(), p_slug, p_name,
          coalesce((select max(position) + 1 from public.categories where brand_id = shoal_private.claim_brand()), 0))
  returning id into v_id;
  perform shoal_private.staff_audit('category_created', p_slug, jsonb_build_object('category_id', v_id, 'name', p_name));
  return shoal_private.catalog_written(shoal_private.category_json(v_id));
exception when unique_violation or check_violation then
  get stacked diagnostics v_constraint = constraint_name;
  perform shoal_private.raise_catalog_constraint(v_constraint);
  return null;
end
$$;

create function public.admin_edit_category(p_category_id uuid, p_name text, p_slug text)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_old text;
  v_constraint text;
begin
  perform shoal_private.require_staff('manage_catalog');
  select slug into v_old from public.categories where id = p_category_id and brand_id = shoal_private.claim_brand() for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'category_not_found';
  end if;
  update public.categories set name = coalesce(p_name, name), slug = coalesce(p_slug, slug) where id = p_category_id;
  perform shoal_private.staff_audit('category_updated', v_old,
    jsonb_strip_nulls(jsonb_build_object('category_id', p_category_id, 'name', p_name, 'slug', p_slug)));
  return shoal_private.catalog_written(shoal_private.category_json(p_category_id));
exception when unique_violation or check_violation then
  get stacked diagnostics v_constraint = constraint_name;
  perform shoal_private.raise_catalog_constraint(v_constraint);
  return null;
end
$$;

-- Its products become uncategorised (the foreign key's `on delete set null`).
create function public.admin_delete_category(p_category_id uuid)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_slug text;
begin
  perform shoal_private.require_staff('manage_catalog');
  delete from public.categories where id = p_category_id and brand_id = shoal_private.claim_brand() returning slug into v_slug;
  if not found then
    raise exception using errcode = 'PT404', message = 'category_not_found';
  end if;
  perform shoal_private.staff_audit('category_deleted', v_slug, jsonb_build_object('category_id', p_category_id));
  return shoal_private.catalog_written(public.admin_list_categories());
end
$$;

-- A new order for all of the brand's categories: every one exactly once, nothing else.
-- The brand's category lock (taken by creation too) keeps the set still while it is checked.
create function public.admin_reorder_categories(p_ids uuid[])
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
  v_current uuid[];
begin
  perform shoal_private.require_staff('manage_catalog');
  perform pg_advisory_xact_lock(hashtext('shoal:categories'), hashtext(v_brand::text));
  v_current := array(select id from public.categories where brand_id = v_brand);
  if p_ids is null or cardinality(p_ids) <> cardinality(v_current)
     or cardinality(array(select distinct unnest(p_ids))) <> cardinality(p_ids)
     or exists (select unnest(p_ids) except select unnest(v_current)) then
    raise exception using errcode = 'PT422', message = 'reorder_set_mismatch',
      detail = format('send each of the brand''s %s categories exactly once', cardinality(v_current));
  end if;
  update public.categories c set position = o.n - 1
    from unnest(p_ids) with ordinality as o(id, n)
   where c.id = o.id and c.brand_id = v_brand and c.position is distinct from o.n - 1;
  perform shoal_private.staff_audit('categories_reordered', null, jsonb_build_object('ids', to_jsonb(p_ids)));
  return shoal_private.catalog_written(public.admin_list_categories());
end
$$;

-- ------------------------------------------------------------------------ inventory
-- By SKU; `p_sku` prefix-matches SKUs, `p_words` product titles (either may match).
create function public.admin_list_inventory(p_words text[], p_sku text, p_low_stock boolean, p_after_sku text, p_limit integer)
returns jsonb language plpgsql stable set search_path = '' as $$
declare
  v_limit integer := least(greatest(coalesce(p_limit, 25), 1), 100);
  v_query tsquery := case when cardinality(p_words) > 0
                          then to_tsquery('simple', array_to_string(array(select quote_literal(w) || ':*' from unnest(p_words) w), ' & ')) end;
  v_sku text := replace(replace(replace(lower(p_sku), '\', '\\'), '%', '\%'), '_', '\_') || '%';
begin
  perform shoal_private.require_staff('read_catalog');
  return (
    with page as (
      select v.id as variant_id, v.product_id, p.title as product_title, v.sku, v.title as variant_title,
             coalesce(l.available, 0) as available, coalesce(l.reserved, 0) as reserved,
             coalesce(l.low_stock_threshold, 0) as low_stock_threshold
        from public.variants v
        join public.products p on p.id = v.product_id
        left join public.inventory_levels l on l.variant_id = v.id
       where v.brand_id = shoal_private.claim_brand()
         and (v_query is null and p_sku is null or lower(v.sku) like v_sku or p.search @@ v_query)
         -- the predicate of inventory_levels_low_stock_idx, as written there
         and (not coalesce(p_low_stock, false) or l.available - l.reserved <= l.low_stock_threshold)
         and (p_after_sku is null or v.sku > p_after_sku)
       order by v.sku
       limit v_limit + 1
    ), shown as (select * from page order by sku limit v_limit)
    select jsonb_build_object(
      'items', coalesce((select jsonb_agg(jsonb_build_object('variant_id', variant_id, 'product_id', product_id,
          'product_title', product_title, 'sku', sku, 'variant_title', variant_title, 'available', available,
          'reserved', reserved, 'low_stock_threshold', low_stock_threshold,
          'low_stock', available - reserved <= low_stock_threshold) order by sku) from shown), '[]'::jsonb),
      'next', case when (select count(*) from page) > v_limit then (select max(sku) from shown) end));
end
$$;

create function public.admin_adjust_inventory(p_variant_id uuid, p_delta integer, p_reason text, p_note text)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v jsonb;
begin
  perform shoal_private.require_staff('manage_inventory');
  v := shoal_private.adjust_stock(p_variant_id, p_delta, p_reason, p_note);
  perform shoal_private.staff_audit('inventory_adjusted', p_variant_id::text,
    jsonb_build_object('delta', p_delta, 'reason', p_reason, 'available', v -> 'available'));
  return shoal_private.catalog_written(v);
end
$$;

create function public.admin_set_low_stock_threshold(p_variant_id uuid, p_threshold integer)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v public.inventory_levels;
begin
  perform shoal_private.require_staff('manage_inventory');
  if not exists (select 1 from public.variants where id = p_variant_id and brand_id = shoal_private.claim_brand()) then
    raise exception using errcode = 'PT404', message = 'variant_not_found';
  end if;
  insert into public.inventory_levels (variant_id, brand_id, available)
  values (p_variant_id, shoal_private.claim_brand(), 0) on conflict (variant_id) do nothing;
  update public.inventory_levels set low_stock_threshold = p_threshold
   where variant_id = p_variant_id and brand_id = shoal_private.claim_brand() returning * into v;
  if v.variant_id is null then
    raise exception 'not allowed: manage_inventory' using errcode = '42501';
  end if;
  perform shoal_private.staff_audit('low_stock_threshold_set', p_variant_id::text, jsonb_build_object('threshold', p_threshold));
  return shoal_private.catalog_written(jsonb_build_object('variant_id', v.variant_id, 'available', v.available, 'reserved', v.reserved,
    'low_stock_threshold', v.low_stock_threshold, 'low_stock', shoal_private.low_stock(v)));
end
$$;

-- A variant's ledger, newest first, continuing before id p_before.
create function public.admin_inventory_adjustments(p_variant_id uuid, p_before bigint, p_limit integer)
returns jsonb language plpgsql stable set search_path = '' as $$
declare
  v_limit integer := least(greatest(coalesce(p_limit, 25), 1), 100);
begin
  perform shoal_private.require_staff('read_catalog');
  if not exists (select 1 from public.variants where id = p_variant_id and brand_id = shoal_private.claim_brand()) then
    raise exception using errcode = 'PT404', message = 'variant_not_found';
  end if;
  return (
    with page as (
      select * from public.inventory_adjustments
       where variant_id = p_variant_id and brand_id = shoal_private.claim_brand() and (p_before is null or id < p_before)
       order by id desc limit v_limit + 1
    ), shown as (select * from page order by id desc limit v_limit)
    select jsonb_build_object(
      'items', coalesce((select jsonb_agg(jsonb_build_object('id', s.id, 'delta', s.delta, 'reason', s.reason, 'note', s.note,
          'available_after', s.available_after, 'actor_email', s.actor_email, 'at', s.at) order by s.id desc)
        from shown s), '[]'::jsonb),
      'next', case when (select count(*) from page) > v_limit then (select min(id) from shown) end));
end
$$;

-- ------------------------------------------------------------------------ execute grants
-- the invoker helpers run with the caller's rights; only staff functions call them
revoke execute on function shoal_private.catalog_written(jsonb), shoal_private.low_stock(public.inventory_levels),
  shoal_private.brand_product(uuid, boolean), shoal_private.require_brand_category(uuid), shoal_private.free_product_slug(text),
  shoal_private.free_sku(text), shoal_private.raise_catalog_constraint(text), shoal_private.product_json(uuid),
  shoal_private.adjust_stock(uuid, integer, text, text), shoal_private.write_variant(uuid, uuid, jsonb),
  shoal_private.category_json(uuid)
  from public, anon;
grant execute on function shoal_private.catalog_written(jsonb), shoal_private.low_stock(public.inventory_levels),
  shoal_private.brand_product(uuid, boolean), shoal_private.require_brand_category(uuid), shoal_private.free_product_slug(text),
  shoal_private.free_sku(text), shoal_private.raise_catalog_constraint(text), shoal_private.product_json(uuid),
  shoal_private.adjust_stock(uuid, integer, text, text), shoal_private.write_variant(uuid, uuid, jsonb),
  shoal_private.category_json(uuid)
  to authenticated;
revoke execute on function shoal_private.record_inventory_adjustment(uuid, integer, text, text) from public, anon, service_role;
grant execute on function shoal_private.record_inventory_adjustment(uuid, integer, text, text) to authenticated;

revoke execute on function
  public.admin_get_product(uuid),
  public.admin_list_products(text[], text, text, uuid, boolean, timestamptz, uuid, integer),
  public.admin_create_product(text, text, boolean, text, text, uuid, jsonb),
  public.admin_edit_product(uuid, jsonb),
  public.admin_set_product_archived(uuid, boolean),
  public.admin_duplicate_product(uuid),
  public.admin_add_variant(uuid, jsonb),
  public.admin_edit_variant(uuid, uuid, jsonb),
  public.admin_delete_variant(uuid, uuid),
  public.admin_list_categories(),
  public.admin_create_category(text, text),
  public.admin_edit_category(uuid, text, text),
  public.admin_delete_category(uuid),
  public.admin_reorder_categories(uuid[]),
  public.admin_list_inventory(text[], text, boolean, text, integer),
  public.admin_adjust_inventory(uuid, integer, text, text),
  public.admin_set_low_stock_threshold(uuid, integer),
  public.admin_inventory_adjustments(uuid, bigint, integer)
  from public, anon, service_role;
grant execute on function
  public.admin_get_product(uuid),
  public.admin_list_products(text[], text, text, uuid, boolean, timestamptz, uuid, integer),
  public.admin_create_product(text, text, boolean, text, text, uuid, jsonb),
  public.admin_edit_product(uuid, jsonb),
  public.admin_set_product_archived(uuid, boolean),
  public.admin_duplicate_product(uuid),
  public.admin_add_variant(uuid, jsonb),
  public.admin_edit_variant(uuid, uuid, jsonb),
  public.admin_delete_variant(uuid, uuid),
  public.admin_list_categories(),
  public.admin_create_category(text, text),
  public.admin_edit_category(uuid, text, text),
  public.admin_delete_category(uuid),
  public.admin_reorder_categories(uuid[]),
  public.admin_list_inventory(text[], text, boolean, text, integer),
  public.admin_adjust_inventory(uuid, integer, text, text),
  public.admin_set_low_stock_threshold(uuid, integer),
  public.admin_inventory_adjustments(uuid, bigint, integer)
  to authenticated;
