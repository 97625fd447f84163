begin;
\ir helpers/act_as.psql
select plan(45);

-- The shopper's path with the shopper's own token (anon, brand_id, cart_id), as the
-- worker sends it: brand A's shopper holding brand B's cart, order or variant ids reads
-- nothing and changes nothing; another shopper's cart of the same brand is out of reach;
-- staff and device tokens are no shoppers. Rows are checked as postgres afterwards.

-- ---------------------------------------------------------------- fixtures (as postgres)
-- acme = brand A, globex = brand B; a1/a2: two acme shoppers' carts, b1: a globex cart
select v.id as va from public.variants v join public.products p on p.id = v.product_id
 where p.brand_id = 'a0000000-0000-4000-8000-00000000000a' and p.status = 'active' order by v.sku limit 1 \gset
select v.id as va2 from public.variants v join public.products p on p.id = v.product_id
 where p.brand_id = 'a0000000-0000-4000-8000-00000000000a' and p.status = 'active' order by v.sku offset 1 limit 1 \gset
select v.id as vb from public.variants v join public.products p on p.id = v.product_id
 where p.brand_id = 'b0000000-0000-4000-8000-00000000000b' and p.status = 'active' order by v.sku limit 1 \gset
update public.inventory_levels set available = 10, reserved = 0 where variant_id in (:'va', :'va2', :'vb');
insert into public.carts (id, brand_id) values
  ('ca000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a'),
  ('ca000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-00000000000a'),
  ('cb000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-00000000000b');
insert into public.cart_lines (cart_id, brand_id, variant_id, quantity) values
  ('ca000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', :'va', 1),
  ('ca000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-00000000000a', :'va2', 2),
  ('cb000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-00000000000b', :'vb', 3);
-- globex: an unpaid checkout of cart b1 with its session, one without a session yet;
-- acme: an unpaid checkout of the other acme shopper's cart a2
insert into public.orders (id, brand_id, number, email, currency, total_amount, stripe_checkout_session_id) values
  ('0b000000-0000-4000-8000-0000000000f1', 'b0000000-0000-4000-8000-00000000000b', 990001, 'buyer@globex.test', 'EUR', 100, 'cs_fence_b1'),
  ('0b000000-0000-4000-8000-0000000000f2', 'b0000000-0000-4000-8000-00000000000b', 990002, 'buyer@globex.test', 'EUR', 100, null),
  ('0a000000-0000-4000-8000-0000000000f3', 'a0000000-0000-4000-8000-00000000000a', 990003, 'other@acme.test', 'EUR', 100, 'cs_fence_a2');
insert into public.checkout_holds (order_id, brand_id, cart_id, client_key) values
  ('0b000000-0000-4000-8000-0000000000f1', 'b0000000-0000-4000-8000-00000000000b', 'cb000000-0000-4000-8000-0000000000b1', repeat('b', 64)),
  ('0b000000-0000-4000-8000-0000000000f2', 'b0000000-0000-4000-8000-00000000000b', 'cb000000-0000-4000-8000-0000000000b1', repeat('b', 64)),
  ('0a000000-0000-4000-8000-0000000000f3', 'a0000000-0000-4000-8000-00000000000a', 'ca000000-0000-4000-8000-0000000000a2', repeat('a', 64));
insert into public.reservations (brand_id, order_id, variant_id, quantity, expires_at) values
  ('b0000000-0000-4000-8000-00000000000b', '0b000000-0000-4000-8000-0000000000f1', :'vb', 3, now() + interval '30 minutes');
update public.inventory_levels set reserved = 3 where variant_id = :'vb';

-- ---------------------------------------------------------------- acme's shopper with globex's cart id
select tests.act_as('anon', '{"brand_id":"a0000000-0000-4000-8000-00000000000a","cart_id":"cb000000-0000-4000-8000-0000000000b1"}');
select is((select count(*) from public.carts)::int, 0, 'carts: globex''s cart is invisible to an acme token');
select is((select count(*) from public.cart_lines)::int, 0, 'cart lines: globex''s lines are invisible to an acme token');
select is(public.store_get_cart() -> 'lines', '[]'::jsonb, 'store_get_cart: no line of globex''s cart');
select throws_ok(format($$select public.store_set_cart_line(%L, 1, 'add', 10, 20)$$, :'va'), '23505', null,
  'store_set_cart_line: cannot open a cart under globex''s cart id');
select is(public.pending_checkouts(), '[]'::jsonb, 'pending_checkouts: none of globex''s cart');
select is(public.pending_checkouts('0b000000-0000-4000-8000-0000000000f1'), '[]'::jsonb, 'pending_checkouts: not globex''s order by id');
select lives_ok($$select public.abandon_checkout('0b000000-0000-4000-8000-0000000000f1', 'cancelled_by_shopper')$$,
  'abandon_checkout of globex''s order answers like no order');
select lives_ok($$select public.attach_checkout_session('0b000000-0000-4000-8000-0000000000f2', 'cs_forged')$$,
  'attach_checkout_session to globex''s order answers like no order');
select throws_ok($$select public.checkout_cart('thief@acme.test', 35, repeat('c', 64), 20, 2, 4)$$, 'PT422', 'cart_empty',
  'checkout_cart: globex''s cart is no acme cart');
select is(public.store_order_status(990001, 'buyer@globex.test'), null, 'store_order_status: globex''s order is no acme order');
select is((select count(*) from public.orders)::int, 0, 'orders: none of globex''s are readable');
select is((select count(*) from public.checkout_holds)::int, 0, 'checkout holds: none of globex''s are readable');
update public.cart_lines set quantity = 9 where cart_id = 'cb000000-0000-4000-8000-0000000000b1';
delete from public.cart_lines where cart_id = 'cb000000-0000-4000-8000-0000000000b1';
select throws_ok($$insert into public.cart_lines (cart_id, brand_id, variant_id, quantity)
                   values ('cb000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-00000000000b', '$$ || :'vb' || $$', 1)$$,
  '42501', null, 'cart lines: no insert into globex''s cart');
select throws_ok($$update public.orders set status = 'cancelled' where id = '0b000000-0000-4000-8000-0000000000f1'$$, '42501', null,
  'orders: a shopper cannot write an order');
select throws_ok($$update public.inventory_levels set reserved = 0$$, '42501', null, 'stock: a shopper cannot write stock');

select tests.act_as_superuser();
select is((select quantity from public.cart_lines where cart_id = 'cb000000-0000-4000-8000-0000000000b1'), 3,
  'globex''s cart line is unchanged');
select is((select brand_id from public.carts where id = 'cb000000-0000-4000-8000-0000000000b1'), 'b0000000-0000-4000-8000-00000000000b'::uuid,
  'globex''s cart still globex''s');
select is((select status from public.orders where id = '0b000000-0000-4000-8000-0000000000f1'), 'pending', 'globex''s order still pending');
select is((select stripe_checkout_session_id from public.orders where id = '0b000000-0000-4000-8000-0000000000f2'), null,
  'globex''s order got no forged session');
select is((select reserved from public.inventory_levels where variant_id = :'vb'), 3, 'globex''s stock still held');
select is((select count(*) from public.orders where email = 'thief@acme.test')::int, 0, 'no order was created');

-- ---------------------------------------------------------------- acme's shopper a1, with globex's variant
select tests.act_as('anon', '{"brand_id":"a0000000-0000-4000-8000-00000000000a","cart_id":"ca000000-0000-4000-8000-0000000000a1"}');
select throws_ok(format($$select public.store_set_cart_line(%L, 1, 'add', 10, 20)$$, :'vb'), 'PT404', 'variant_not_found',
  'store_set_cart_line: globex''s variant is not found');
select is((select count(*) from public.cart_lines)::int, 1, 'cart lines: only a1''s own line, not a2''s');
select is(jsonb_array_length(public.store_get_cart() -> 'lines'), 1, 'store_get_cart: a1''s one line');
select is(public.pending_checkouts('0a000000-0000-4000-8000-0000000000f3'), '[]'::jsonb,
  'pending_checkouts: not the other acme shopper''s checkout');
select lives_ok($$select public.abandon_checkout('0a000000-0000-4000-8000-0000000000f3', 'cancelled_by_shopper')$$,
  'abandon_checkout of the other acme shopper''s order answers like no order');
update public.cart_lines set quantity = 9 where cart_id = 'ca000000-0000-4000-8000-0000000000a2';
delete from public.cart_lines where cart_id = 'ca000000-0000-4000-8000-0000000000a2';
select tests.act_as_superuser();
select is((select status from public.orders where id = '0a000000-0000-4000-8000-0000000000f3'), 'pending',
  'the other acme shopper''s order still pending');
select is((select quantity from public.cart_lines where cart_id = 'ca000000-0000-4000-8000-0000000000a2'), 2,
  'the other acme shopper''s cart line is unchanged');

-- ---------------------------------------------------------------- a1's own checkout goes through (the fence is not a wall)
select tests.act_as('anon', '{"brand_id":"a0000000-0000-4000-8000-00000000000a","cart_id":"ca000000-0000-4000-8000-0000000000a1"}');
select lives_ok(format($$select public.store_set_cart_line(%L, 2, 'set', 10, 20)$$, :'va'), 'a1 sets its own line');
create temporary table fence_order on commit drop as
  select (public.checkout_cart('own@acme.test', 35, repeat('d', 64), 20, 2, 4) ->> 'id')::uuid as id;
select is((select count(*) from public.orders)::int, 1, 'a1 sees its own new checkout and no other order');
select lives_ok(format($$select public.attach_checkout_session(%L, 'cs_fence_own')$$, (select id from fence_order)), 'a1 attaches its session');
select is(jsonb_array_length(public.pending_checkouts()), 1, 'a1 lists its own unpaid checkout');
select is(public.store_get_cart() -> 'lines', '[]'::jsonb, 'the cart is empty once the session is attached');
select lives_ok(format($$select public.abandon_checkout(%L, 'cancelled_by_shopper')$$, (select id from fence_order)), 'a1 cancels it');
select throws_ok(format($$select public.abandon_checkout(%L, 'made up')$$, (select id from fence_order)), 'PT422', 'invalid_reason',
  'abandon_checkout takes known reasons only');
select tests.act_as_superuser();
select is((select status from public.orders where id = (select id from fence_order)), 'cancelled', 'a1''s checkout is cancelled');
select is((select reserved from public.inventory_levels where variant_id = :'va'), 0, 'its stock is released');
select is((select quantity from public.cart_lines where cart_id = 'ca000000-0000-4000-8000-0000000000a1'), 2, 'its items are back in a1''s cart');

-- ---------------------------------------------------------------- no cart, staff, devices
select tests.act_as('anon', '{"brand_id":"a0000000-0000-4000-8000-00000000000a"}');
select throws_ok($$select public.checkout_cart('nocart@acme.test', 35, repeat('c', 64), 20, 2, 4)$$, '42501', null,
  'checkout_cart needs a cart claim');
select is((select count(*) from public.carts)::int, 0, 'a shopper without a cart claim sees no cart');
select tests.act_as('authenticated', '{"brand_id":"a0000000-0000-4000-8000-00000000000a","sub":"5a000000-0000-4000-8000-000000000001","app_role":"brand_admin","cart_id":"ca000000-0000-4000-8000-0000000000a1"}');
select throws_ok($$select public.store_get_cart()$$, '42501', null, 'staff are no shoppers: store_get_cart');
select throws_ok($$select public.checkout_cart('staff@acme.test', 35, repeat('c', 64), 20, 2, 4)$$, '42501', null,
  'staff are no shoppers: checkout_cart');
select throws_ok($$select public.store_order_status(990003, 'other@acme.test')$$, '42501', null, 'staff are no shoppers: store_order_status');
select throws_ok($$select count(*) from public.carts$$, '42501', null, 'staff read no cart, even with a cart claim');
select tests.act_as('authenticated', '{"brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"device","device_id":"de000000-0000-4000-8000-000000000001","cart_id":"ca000000-0000-4000-8000-0000000000a1"}');
select throws_ok($$select public.abandon_checkout('0a000000-0000-4000-8000-0000000000f3', 'cancelled_by_shopper')$$, '42501', null,
  'devices are no shoppers: abandon_checkout');
select tests.act_as_superuser();

select * from finish();
rollback;
