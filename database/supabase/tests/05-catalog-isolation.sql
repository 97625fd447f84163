begin;
select plan(14);

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
select throws_ok('select count(*) from public.carts', '42501', null, 'carts: no direct access');
select throws_ok('select count(*) from public.cart_lines', '42501', null, 'cart lines: no direct access');
select throws_ok($$update public.products set title = 'x'$$, '42501', null, 'products: shoppers cannot write');
select throws_ok($$insert into public.categories (brand_id, slug, name) values ('b0000000-0000-4000-8000-00000000000b', 'x', 'x')$$,
  '42501', null, 'categories: no insert into globex');

-- ---------------------------------------------------------------- acme staff
select tests.act_as('authenticated', '{"role":"authenticated","brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"editor"}');
select is((select count(*) from public.products)::int, 32, 'products: staff see drafts and archived of their brand');
select is((select count(*) from public.products where brand_id <> 'a0000000-0000-4000-8000-00000000000a')::int, 0, 'products: staff never see globex');
select throws_ok($$update public.inventory_levels set available = 0$$, '42501', null, 'stock: no direct write');

select * from finish();
rollback;
