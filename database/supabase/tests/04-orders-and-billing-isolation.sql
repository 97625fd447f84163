begin;
\ir helpers/act_as.psql
-- the staff members these claims name (the database confirms a token's role)
select tests.staff('a1000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', 'brand_admin');
select tests.staff('a2000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-00000000000a', 'editor');
select plan(32);

-- Fixtures as the superuser: one order of each brand with an item, an event, a refund,
-- plus audit, outbox, subscription and webhook rows.
insert into public.orders (id, brand_id, email, currency, total_amount, status, payment_status) values
  ('0a000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', 'a@example.com', 'USD', 1000, 'paid', 'paid'),
  ('0b000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-00000000000b', 'b@example.com', 'EUR', 2000, 'paid', 'paid');
insert into public.order_items (brand_id, order_id, title, sku, unit_amount, quantity) values
  ('a0000000-0000-4000-8000-00000000000a', '0a000000-0000-4000-8000-0000000000a1', 'Tee', 'A-1', 1000, 1),
  ('b0000000-0000-4000-8000-00000000000b', '0b000000-0000-4000-8000-0000000000b1', 'Camiseta', 'B-1', 2000, 1);
insert into public.order_events (brand_id, order_id, kind, cause) values
  ('a0000000-0000-4000-8000-00000000000a', '0a000000-0000-4000-8000-0000000000a1', 'status_changed', 'evt_a'),
  ('b0000000-0000-4000-8000-00000000000b', '0b000000-0000-4000-8000-0000000000b1', 'status_changed', 'evt_b');
insert into public.refunds (id, brand_id, order_id, amount, currency, status) values
  ('re_pgtap_a', 'a0000000-0000-4000-8000-00000000000a', '0a000000-0000-4000-8000-0000000000a1', 100, 'USD', 'succeeded'),
  ('re_pgtap_b', 'b0000000-0000-4000-8000-00000000000b', '0b000000-0000-4000-8000-0000000000b1', 100, 'EUR', 'succeeded');
insert into public.audit_log (brand_id, actor, action) values
  ('a0000000-0000-4000-8000-00000000000a', 'system', 'pgtap_a'), ('b0000000-0000-4000-8000-00000000000b', 'system', 'pgtap_b');
insert into public.email_outbox (brand_id, to_email, template) values
  ('a0000000-0000-4000-8000-00000000000a', 'a@example.com', 'pgtap'), ('b0000000-0000-4000-8000-00000000000b', 'b@example.com', 'pgtap');
insert into public.brand_subscriptions (brand_id, status, plan) values
  ('a0000000-0000-4000-8000-00000000000a', 'active', 'starter'), ('b0000000-0000-4000-8000-00000000000b', 'active', 'growth')
  on conflict (brand_id) do nothing;
insert into public.processed_webhook_events (event_id, event_type, livemode, brand_id) values
  ('evt_pgtap_a', 'x', false, 'a0000000-0000-4000-8000-00000000000a'), ('evt_pgtap_b', 'x', false, 'b0000000-0000-4000-8000-00000000000b');

-- ---------------------------------------------------------------- acme's brand admin
select tests.act_as('authenticated',
  '{"role":"authenticated","brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"brand_admin","sub":"a1000000-0000-4000-8000-0000000000a1"}');
select is((select count(*) from public.orders where brand_id <> 'a0000000-0000-4000-8000-00000000000a')::int, 0, 'orders: acme sees no globex order');
select ok((select count(*) from public.orders where id = '0a000000-0000-4000-8000-0000000000a1') = 1, 'orders: acme sees its own');
select is((select count(*) from public.order_items where brand_id <> 'a0000000-0000-4000-8000-00000000000a')::int, 0, 'order_items: no globex rows');
select is((select count(*) from public.order_events where brand_id <> 'a0000000-0000-4000-8000-00000000000a')::int, 0, 'order_events: no globex rows');
select is((select count(*) from public.refunds where brand_id <> 'a0000000-0000-4000-8000-00000000000a')::int, 0, 'refunds: no globex rows');
select is((select count(*) from public.audit_log where brand_id is distinct from 'a0000000-0000-4000-8000-00000000000a')::int, 0, 'audit_log: no globex or platform rows');
select ok((select count(*) from public.audit_log where action = 'pgtap_a') = 1, 'audit_log: acme admin reads its own');
select is((select count(*) from public.brand_subscriptions where brand_id <> 'a0000000-0000-4000-8000-00000000000a')::int, 0, 'brand_subscriptions: no globex row');
select is((select count(*) from public.processed_webhook_events where brand_id is distinct from 'a0000000-0000-4000-8000-00000000000a')::int, 0, 'processed_webhook_events: no globex rows');
select throws_ok('select payload from public.email_outbox', '42501', null, 'email_outbox: staff cannot read what a mail says');

-- writes: staff write nothing directly; order changes go through definer functions
select throws_ok($$update public.orders set status = 'shipped' where id = '0b000000-0000-4000-8000-0000000000b1'$$, '42501', null, 'orders: no direct update of globex');
select throws_ok($$update public.orders set status = 'shipped' where id = '0a000000-0000-4000-8000-0000000000a1'$$, '42501', null, 'orders: no direct update at all');
select throws_ok($$insert into public.orders (brand_id, email, currency, total_amount) values ('b0000000-0000-4000-8000-00000000000b', 'x@example.com', 'EUR', 1)$$, '42501', null, 'orders: no insert for globex');
select throws_ok($$insert into public.order_items (brand_id, order_id, title, sku, unit_amount, quantity) values ('b0000000-0000-4000-8000-00000000000b', '0b000000-0000-4000-8000-0000000000b1', 'x', 'x', 1, 1)$$, '42501', null, 'order_items: no insert for globex');
select throws_ok($$delete from public.order_events$$, '42501', null, 'order_events: no delete');
select throws_ok($$insert into public.refunds (id, brand_id, order_id, amount, currency, status) values ('re_x', 'b0000000-0000-4000-8000-00000000000b', '0b000000-0000-4000-8000-0000000000b1', 1, 'EUR', 'x')$$, '42501', null, 'refunds: no insert for globex');
select throws_ok($$update public.audit_log set action = 'rewritten'$$, '42501', null, 'audit_log: not even a brand admin may update it');
select throws_ok($$delete from public.audit_log$$, '42501', null, 'audit_log: not even a brand admin may delete from it');
select throws_ok($$update public.brand_subscriptions set status = 'active' where brand_id = 'b0000000-0000-4000-8000-00000000000b'$$, '42501', null, 'brand_subscriptions: no update of globex');
select throws_ok($$insert into public.processed_webhook_events (event_id, event_type, livemode) values ('evt_forged', 'x', false)$$, '42501', null, 'processed_webhook_events: no insert');

-- ---------------------------------------------------------------- acme's editor, a shopper
select tests.act_as('authenticated',
  '{"role":"authenticated","brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"editor","sub":"a2000000-0000-4000-8000-0000000000a2"}');
select is((select count(*) from public.audit_log)::int, 0, 'audit_log: an editor reads none');
select is((select count(*) from public.brand_subscriptions)::int, 0, 'brand_subscriptions: an editor reads none');
select is((select count(*) from public.email_outbox)::int, 0, 'email_outbox: an editor sees no address (only data managers, for erasure)');
select tests.act_as('anon', '{"role":"anon","brand_id":"a0000000-0000-4000-8000-00000000000a"}');
select is((select count(*) from public.orders)::int, 0, 'orders: shoppers list no order but their own cart''s checkouts (13-shop-fence.sql)');

-- ---------------------------------------------------------------- functions are the service role's
select tests.act_as_superuser();
select is(has_function_privilege('authenticated', 'public.apply_stripe_event(jsonb, boolean, jsonb)', 'execute'), false, 'staff cannot apply Stripe events');
select is(has_function_privilege('anon', 'public.apply_stripe_event(jsonb, boolean, jsonb)', 'execute'), false, 'shoppers cannot apply Stripe events');
select is(has_table_privilege('authenticated', 'public.deferred_stripe_events', 'select'), false,
  'staff cannot read deferred Stripe events (they hold other brands'' disputes before they are matched)');
select is(has_function_privilege('anon', 'public.staff_transition_order(uuid, text, text)', 'execute'), false,
  'shoppers cannot move orders');
select is(has_function_privilege('anon', 'public.brand_billing_state()', 'execute'), false, 'billing state is not public');

-- ---------------------------------------------------------------- blocked, as shoal_domain::billing says
update public.brand_subscriptions set status = 'past_due', grace_period_ends_at = now() + interval '1 day'
 where brand_id = 'b0000000-0000-4000-8000-00000000000b';
select is(shoal_private.billing_state('b0000000-0000-4000-8000-00000000000b') ->> 'blocked', 'false', 'past due inside its grace period: working');
update public.brand_subscriptions set grace_period_ends_at = now() - interval '1 minute'
 where brand_id = 'b0000000-0000-4000-8000-00000000000b';
select is(shoal_private.billing_state('b0000000-0000-4000-8000-00000000000b') ->> 'blocked', 'true', 'past due past its grace period: blocked');
update public.brand_subscriptions set grace_period_ends_at = null where brand_id = 'b0000000-0000-4000-8000-00000000000b';
select is(shoal_private.billing_state('b0000000-0000-4000-8000-00000000000b') ->> 'blocked', 'false', 'past due before any grace period started: working');

select * from finish();
rollback;
