begin;
\ir helpers/act_as.psql
-- The staff catalog API (…002200_catalog_admin_api.sql) as the database sees it: brand A's
-- staff reach none of brand B's products, variants, prices, categories, stock or ledger,
-- by function or by table; a read_only member writes nothing; the functions' rules hold
-- (reorder takes the exact set, the last variant stays, stock never below reserved, the
-- ledger only through the functions). Row state is asserted as postgres after each attempt.
-- Brand A = acme, brand B = globex (seeded).
select tests.staff('a1000000-0000-4000-8000-0000000000c1', 'a0000000-0000-4000-8000-00000000000a', 'brand_admin');
select tests.staff('a3000000-0000-4000-8000-0000000000c3', 'a0000000-0000-4000-8000-00000000000a', 'read_only');
select tests.staff('b1000000-0000-4000-8000-0000000000c1', 'b0000000-0000-4000-8000-00000000000b', 'brand_admin');
select plan(57);

create temporary table claims (who text primary key, c jsonb) on commit drop;
grant select on claims to anon, authenticated;
insert into claims values
  ('a_admin',  '{"brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"brand_admin","sub":"a1000000-0000-4000-8000-0000000000c1","sid":"s1"}'),
  ('a_viewer', '{"brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"read_only","sub":"a3000000-0000-4000-8000-0000000000c3","sid":"s3"}'),
  ('b_admin',  '{"brand_id":"b0000000-0000-4000-8000-00000000000b","app_role":"brand_admin","sub":"b1000000-0000-4000-8000-0000000000c1","sid":"s4"}');
create function tests.as_(p_who text) returns void language sql as $$
  select tests.act_as('authenticated', (select c from claims where who = p_who))
$$;
grant execute on function tests.as_(text) to anon, authenticated;

-- brand B's rows (as postgres), named in settings for the attacks below
select set_config('t.b_product', (select id::text from public.products where slug = 'chaqueta-prototipo'), true);
insert into public.variants (brand_id, product_id, sku, title, price_amount)
  values ('b0000000-0000-4000-8000-00000000000b', current_setting('t.b_product')::uuid, 'PGTAP-B-1', 'Única', 5000);
select set_config('t.b_variant', (select id::text from public.variants where sku = 'PGTAP-B-1'), true);
insert into public.inventory_levels (variant_id, brand_id, available) values (current_setting('t.b_variant')::uuid, 'b0000000-0000-4000-8000-00000000000b', 7);
insert into public.prices (variant_id, brand_id, currency, amount) values (current_setting('t.b_variant')::uuid, 'b0000000-0000-4000-8000-00000000000b', 'USD', 5500);
select set_config('t.b_category', (select id::text from public.categories where brand_id = 'b0000000-0000-4000-8000-00000000000b' order by position limit 1), true);
select tests.as_('b_admin');
select lives_ok($$select public.admin_adjust_inventory(current_setting('t.b_variant')::uuid, 3, 'received', 'pgtap B')$$,
  'brand B adjusts its own stock (a ledger row to attack)');
select tests.act_as_superuser();
select set_config('t.b_version', (select catalog_version::text from public.brands where slug = 'globex'), true);

-- ---------------------------------------------------------------- brand A creates and edits its own
select tests.as_('a_admin');
select set_config('t.a_product', (public.admin_create_product('Pgtap Tee', 'pgtap-tee', true, 'Soft.', 'draft', null,
  '[{"sku": "PGTAP-A-S", "title": "S", "options": {"size": "S"}, "price_amount": 2000, "available": 5, "low_stock_threshold": 2},
    {"sku": "PGTAP-A-M", "title": "M", "options": {"size": "M"}, "price_amount": 2100, "compare_at_amount": 2500, "prices": {"EUR": 1900}}]'::jsonb)
  #>> '{answer,id}'), true);
select is((public.admin_get_product(current_setting('t.a_product')::uuid) -> 'variants' -> 0 -> 'inventory' ->> 'available')::int, 5,
  'admin_create_product: a product with two variants and its initial stock');
select is((public.admin_get_product(current_setting('t.a_product')::uuid) -> 'variants' -> 1 -> 'prices' ->> 'EUR')::int, 1900,
  'admin_create_product: a price in another currency');
select set_config('t.a_variant', (select id::text from public.variants where sku = 'PGTAP-A-S'), true);
select set_config('t.a_variant_m', (select id::text from public.variants where sku = 'PGTAP-A-M'), true);
select is((select count(*) from public.inventory_adjustments where variant_id = current_setting('t.a_variant')::uuid)::int, 1,
  'the initial stock is the first ledger row');
select throws_ok($$select public.admin_create_product('Dup', 'pgtap-tee', true, null, null, null, '[{"sku": "PGTAP-A-X", "title": "x", "options": {}, "price_amount": 1}]')$$,
  'PT409', 'slug_taken', 'admin_create_product: a given slug that is taken is refused');
select is(public.admin_create_product('Pgtap Tee', 'pgtap-tee', false, null, null, null,
  '[{"sku": "PGTAP-A-Y", "title": "y", "options": {}, "price_amount": 1}]') #>> '{answer,slug}', 'pgtap-tee-2',
  'admin_create_product: a slug made from the title takes the next free one');
select throws_ok($$select public.admin_create_product('No variants', 'pgtap-none', true, null, null, null, '[]')$$,
  'PT422', 'variants_required', 'admin_create_product: at least one variant');
select throws_ok($$select public.admin_create_product('Dup SKU', 'pgtap-dup-sku', true, null, null, null, '[{"sku": "PGTAP-A-S", "title": "x", "options": {}, "price_amount": 1}]')$$,
  'PT409', 'sku_taken', 'admin_create_product: SKUs are unique in the brand');
select throws_ok($$select public.admin_create_product('Opts', 'pgtap-opts', true, null, null, null,
  '[{"sku": "PGTAP-O-1", "title": "a", "options": {"size": "S"}, "price_amount": 1}, {"sku": "PGTAP-O-2", "title": "b", "options": {"colour": "red"}, "price_amount": 1}]')$$,
  'PT422', 'option_names_differ', 'admin_create_product: every variant has the same option names');
select throws_ok($$select public.admin_create_product('Opts', 'pgtap-opts', true, null, null, null,
  '[{"sku": "PGTAP-O-1", "title": "a", "options": {"size": "S"}, "price_amount": 1}, {"sku": "PGTAP-O-2", "title": "b", "options": {"size": "S"}, "price_amount": 1}]')$$,
  'PT409', 'duplicate_options', 'admin_create_product: no two variants with the same option values');
select throws_ok($$select public.admin_edit_variant(current_setting('t.a_product')::uuid, current_setting('t.a_variant_m')::uuid, '{"price_amount": 3000}')$$,
  'PT422', 'compare_at_not_above_price', 'admin_edit_variant: the compare-at price stays above the price');
select throws_ok($$select public.admin_create_product('B cat', 'pgtap-bcat', true, null, null, current_setting('t.b_category')::uuid,
  '[{"sku": "PGTAP-C-1", "title": "a", "options": {}, "price_amount": 1}]')$$,
  'PT422', 'category_not_found', 'admin_create_product: brand B''s category cannot be assigned');

-- ---------------------------------------------------------------- brand A's staff against brand B
select throws_ok($$select public.admin_get_product(current_setting('t.b_product')::uuid)$$, 'PT404', 'product_not_found',
  'admin_get_product: brand B''s product is not found');
select throws_ok($$select public.admin_edit_product(current_setting('t.b_product')::uuid, '{"title": "Hacked"}')$$, 'PT404', 'product_not_found',
  'admin_edit_product: brand B''s product is not found');
select throws_ok($$select public.admin_edit_product(current_setting('t.a_product')::uuid, jsonb_build_object('category_id', current_setting('t.b_category')))$$,
  'PT422', 'category_not_found', 'admin_edit_product: brand B''s category cannot be assigned');
select throws_ok($$select public.admin_set_product_archived(current_setting('t.b_product')::uuid, true)$$, 'PT404', 'product_not_found',
  'admin_set_product_archived: brand B''s product is not found');
select throws_ok($$select public.admin_duplicate_product(current_setting('t.b_product')::uuid)$$, 'PT404', 'product_not_found',
  'admin_duplicate_product: brand B''s product is not found');
select throws_ok($$select public.admin_add_variant(current_setting('t.b_product')::uuid, '{"sku": "PGTAP-EVIL", "title": "x", "options": {}, "price_amount": 1}')$$,
  'PT404', 'product_not_found', 'admin_add_variant: not to brand B''s product');
select throws_ok($$select public.admin_edit_variant(current_setting('t.a_product')::uuid, current_setting('t.b_variant')::uuid, '{"price_amount": 1}')$$,
  'PT404', 'variant_not_found', 'admin_edit_variant: brand B''s variant under one''s own product is not found');
select throws_ok($$select public.admin_delete_variant(current_setting('t.b_product')::uuid, current_setting('t.b_variant')::uuid)$$,
  'PT404', 'product_not_found', 'admin_delete_variant: brand B''s variant is not found');
select throws_ok($$select public.admin_edit_category(current_setting('t.b_category')::uuid, 'Hacked', null)$$, 'PT404', 'category_not_found',
  'admin_edit_category: brand B''s category is not found');
select throws_ok($$select public.admin_delete_category(current_setting('t.b_category')::uuid)$$, 'PT404', 'category_not_found',
  'admin_delete_category: brand B''s category is not found');
select throws_ok($$select public.admin_reorder_categories(array(select id from public.categories) || current_setting('t.b_category')::uuid)$$,
  'PT422', 'reorder_set_mismatch', 'admin_reorder_categories: brand B''s category is not in the set');
select throws_ok($$select public.admin_adjust_inventory(current_setting('t.b_variant')::uuid, -5, 'damaged', null)$$, 'PT404', 'variant_not_found',
  'admin_adjust_inventory: brand B''s variant is not found');
select throws_ok($$select public.admin_set_low_stock_threshold(current_setting('t.b_variant')::uuid, 99)$$, 'PT404', 'variant_not_found',
  'admin_set_low_stock_threshold: brand B''s variant is not found');
select throws_ok($$select public.admin_inventory_adjustments(current_setting('t.b_variant')::uuid, null, 10)$$, 'PT404', 'variant_not_found',
  'admin_inventory_adjustments: brand B''s ledger is not found');
select throws_ok($$select shoal_private.record_inventory_adjustment(current_setting('t.b_variant')::uuid, 100, 'other', 'forged')$$,
  'PT404', 'variant_not_found', 'record_inventory_adjustment (definer): no ledger row for another brand''s variant');
select is((public.admin_list_products(null, 'PGTAP-B', null, null, null, null, null, 100) -> 'items')::text, '[]',
  'admin_list_products: brand B''s products are not listed');
select is((public.admin_list_inventory(null, 'PGTAP-B', null, null, 100) -> 'items')::text, '[]',
  'admin_list_inventory: brand B''s stock is not listed');
select is((select count(*) from public.inventory_adjustments where variant_id = current_setting('t.b_variant')::uuid)::int, 0,
  'inventory_adjustments: brand B''s ledger is invisible');
select is((select count(*) from public.prices where variant_id = current_setting('t.b_variant')::uuid)::int, 0,
  'prices: brand B''s prices are invisible');
-- directly, by table
select throws_ok($$insert into public.inventory_adjustments (brand_id, variant_id, delta, reason, available_after, actor)
  values ('a0000000-0000-4000-8000-00000000000a', current_setting('t.a_variant')::uuid, 1000, 'other', 1000, 'a1000000-0000-4000-8000-0000000000c1')$$,
  '42501', null, 'inventory_adjustments: no direct insert, not even of one''s own brand');
update public.variants set price_amount = 1 where id = current_setting('t.b_variant')::uuid;
update public.inventory_levels set available = 0 where variant_id = current_setting('t.b_variant')::uuid;
delete from public.categories where id = current_setting('t.b_category')::uuid;
delete from public.prices where variant_id = current_setting('t.b_variant')::uuid;
select throws_ok($$insert into public.categories (brand_id, slug, name) values ('b0000000-0000-4000-8000-00000000000b', 'evil', 'Evil')$$,
  '42501', null, 'categories: no insert into brand B');
select throws_ok($$insert into public.variants (brand_id, product_id, sku, title, price_amount)
  values ('a0000000-0000-4000-8000-00000000000a', current_setting('t.b_product')::uuid, 'PGTAP-EVIL', 'x', 1)$$,
  '42501', null, 'variants: no variant of one''s own brand under brand B''s product');

-- ---------------------------------------------------------------- read_only
select tests.as_('a_viewer');
select is((public.admin_get_product(current_setting('t.a_product')::uuid) ->> 'title'), 'Pgtap Tee', 'read_only reads products');
select ok((public.admin_list_inventory(null, 'PGTAP-A', null, null, 100) -> 'items') @> '[{"sku": "PGTAP-A-S"}]', 'read_only reads stock');
select ok(jsonb_array_length(public.admin_inventory_adjustments(current_setting('t.a_variant')::uuid, null, 10) -> 'items') = 1, 'read_only reads the ledger');
select throws_ok($$select public.admin_edit_product(current_setting('t.a_product')::uuid, '{"title": "Viewer"}')$$, '42501', null,
  'admin_edit_product: read_only cannot write');
select throws_ok($$select public.admin_adjust_inventory(current_setting('t.a_variant')::uuid, 10, 'received', null)$$, '42501', null,
  'admin_adjust_inventory: read_only cannot adjust');
select throws_ok($$select public.admin_create_category('Viewer', 'viewer')$$, '42501', null, 'admin_create_category: read_only cannot write');
select throws_ok($$select public.admin_delete_variant(current_setting('t.a_product')::uuid, current_setting('t.a_variant')::uuid)$$, '42501', null,
  'admin_delete_variant: read_only cannot write');
update public.inventory_levels set available = 999 where variant_id = current_setting('t.a_variant')::uuid;

-- ---------------------------------------------------------------- the functions' rules
select tests.as_('a_admin');
select throws_ok($$select public.admin_adjust_inventory(current_setting('t.a_variant')::uuid, 0, 'received', null)$$, 'PT422', 'invalid_delta',
  'admin_adjust_inventory: a delta of 0 is no adjustment');
select tests.act_as_superuser();
update public.inventory_levels set reserved = 4 where variant_id = current_setting('t.a_variant')::uuid;
select tests.as_('a_admin');
select throws_ok($$select public.admin_adjust_inventory(current_setting('t.a_variant')::uuid, -2, 'damaged', null)$$, 'PT409', 'insufficient_stock',
  'admin_adjust_inventory: never below what pending orders reserve');
select is((public.admin_adjust_inventory(current_setting('t.a_variant')::uuid, -1, 'damaged', 'dropped') #>> '{answer,adjustment,available_after}')::int, 4,
  'admin_adjust_inventory: down to exactly what is reserved');
select throws_ok($$select public.admin_reorder_categories(array(select id from public.categories where brand_id = shoal_private.claim_brand() offset 1))$$,
  'PT422', 'reorder_set_mismatch', 'admin_reorder_categories: every category, not fewer');
select throws_ok($$select public.admin_reorder_categories((select array_agg(id) from public.categories) || (select id from public.categories limit 1))$$,
  'PT422', 'reorder_set_mismatch', 'admin_reorder_categories: each exactly once');
select is((public.admin_reorder_categories(array(select id from public.categories order by position desc)) -> 'answer' -> 'items' -> 0 ->> 'slug'),
  (select slug from public.categories order by position desc limit 1), 'admin_reorder_categories: the exact set in a new order');
select lives_ok($$select public.admin_delete_variant(current_setting('t.a_product')::uuid, current_setting('t.a_variant_m')::uuid)$$,
  'admin_delete_variant: one of two variants goes');
select throws_ok($$select public.admin_delete_variant(current_setting('t.a_product')::uuid, current_setting('t.a_variant')::uuid)$$,
  'PT409', 'last_variant', 'admin_delete_variant: the last variant stays');

-- ---------------------------------------------------------------- what bumps the catalog version
-- stock a shopper can buy is on the product page: a change to it makes the brand's cached
-- pages stale; a low-stock threshold is for staff only and does not
select tests.act_as_superuser();
select set_config('t.a_version', (select catalog_version::text from public.brands where slug = 'acme'), true);
select tests.as_('a_admin');
select lives_ok($$select public.admin_set_low_stock_threshold(current_setting('t.a_variant')::uuid, 3)$$, 'a threshold is set');
select tests.act_as_superuser();
select is((select catalog_version::text from public.brands where slug = 'acme'), current_setting('t.a_version'),
  'a low-stock threshold leaves the catalog version alone');
select tests.as_('a_admin');
select public.admin_adjust_inventory(current_setting('t.a_variant')::uuid, 2, 'received', null);
select tests.act_as_superuser();
select ok((select catalog_version from public.brands where slug = 'acme') > current_setting('t.a_version')::bigint,
  'a stock adjustment bumps the catalog version');

-- ---------------------------------------------------------------- brand B unchanged
select tests.act_as_superuser();
select is((select title || ' ' || status from public.products where id = current_setting('t.b_product')::uuid), 'Chaqueta Prototipo draft',
  'products: brand B''s product unchanged');
select is((select price_amount || ' ' || l.available || ' ' || (select count(*) from public.prices p where p.variant_id = v.id)
             || ' ' || (select count(*) from public.inventory_adjustments a where a.variant_id = v.id)
             from public.variants v join public.inventory_levels l on l.variant_id = v.id where v.id = current_setting('t.b_variant')::uuid),
  '5000 10 1 1', 'variants, prices, stock and ledger of brand B unchanged');
select is((select count(*) from public.categories where id = current_setting('t.b_category')::uuid and name <> 'Hacked')::int, 1,
  'categories: brand B''s category unchanged');
select is((select catalog_version::text from public.brands where slug = 'globex'), current_setting('t.b_version'),
  'brand B''s catalog version (its cache keys) untouched by everything brand A did');
select is((select available || '/' || reserved from public.inventory_levels where variant_id = current_setting('t.a_variant')::uuid), '6/4',
  'read_only''s direct stock update changed nothing');

select * from finish();
rollback;
