begin;
\ir helpers/act_as.psql
select plan(16);

-- ---------------------------------------------------------------- a shopper of acme
select tests.act_as('anon', '{"role":"anon","brand_id":"a0000000-0000-4000-8000-00000000000a"}');
select is((select count(*) from public.products where brand_id <> 'a0000000-0000-4000-8000-00000000000a')::int, 0, 'products: no globex product');
select is((select count(*) from public.products where status <> 'active')::int, 0, 'products: shoppers see no draft or archived product');
select is((select count(*) from public.products)::int, 30, 'products: the 30 active acme products');
select is((select count(*) from public.variants v join public.products p on p.id = v.product_id where p.status <> 'active')::int, 0,
  'variants: none of hidden products');
select is((select count(*) from public.categories where brand_id <> 'a0000000-0000-4000-8000-00000000000a')::int, 0, 'categories: acme only');
select is((select count(*) from public.inventory_levels where brand_id <> 'a0000000-0000-4000-8000-00000000000a')::int, 0, 'stock: acme only');
select is((select count(*) from public.prices where brand_id <> 'a0000000-0000-4000-8000-00000000000a')::int, 0, 'prices: acme only');
select is((select count(*) from public.carts)::int, 0, 'carts: a shopper without a cart claim sees none (13-shop-fence.sql has the rest)');
select is((select count(*) from public.cart_lines)::int, 0, 'cart lines: a shopper without a cart claim sees none');
select throws_ok($$update public.products set title = 'x'$$, '42501', null, 'products: shoppers cannot write');
select throws_ok($$insert into public.categories (brand_id, slug, name) values ('b0000000-0000-4000-8000-00000000000b', 'x', 'x')$$,
  '42501', null, 'categories: no insert into globex');

-- ---------------------------------------------------------------- acme staff
select tests.act_as('authenticated', '{"role":"authenticated","brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"editor"}');
select is((select count(*) from public.products)::int, 32, 'products: staff see drafts and archived of their brand');
select is((select count(*) from public.products where brand_id <> 'a0000000-0000-4000-8000-00000000000a')::int, 0, 'products: staff never see globex');
select lives_ok($$update public.products set title = 'Renamed by editor' where slug = 'harbor-tee'$$, 'an editor may change the catalog');
select throws_ok($$insert into public.products (brand_id, slug, title) values ('b0000000-0000-4000-8000-00000000000b', 'x', 'x')$$,
  '42501', null, 'an editor cannot add to another brand');
select tests.act_as('authenticated', '{"role":"authenticated","brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"read_only"}');
update public.products set title = 'Renamed by viewer' where slug = 'drift-tee';
select tests.act_as_superuser();
select is((select title from public.products where slug = 'drift-tee' and brand_id = 'a0000000-0000-4000-8000-00000000000a'), 'Drift Tee',
  'RLS refuses a read_only member''s write (no row changes)');

select * from finish();
rollback;
