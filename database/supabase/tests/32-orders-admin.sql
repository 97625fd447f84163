begin;
\ir helpers/act_as.psql
select tests.staff('a1000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', 'brand_admin');
select tests.staff('a3000000-0000-4000-8000-0000000000a3', 'a0000000-0000-4000-8000-00000000000a', 'read_only');
select tests.staff('a2000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-00000000000a', 'editor');
select plan(22);

-- The admin API's reads of orders, refunds, customers, devices and the overview
-- (…002400_admin_orders_customers_overview.sql) run as the caller: brand A's staff see
-- nothing of brand B's through them, and a read_only member records no refund. The refund
-- recorder (a definer) refuses another brand's order on its own. Brand A = acme, B = globex.
create temporary table claims (who text primary key, c jsonb) on commit drop;
grant select on claims to anon, authenticated;
insert into claims values
  ('a_admin',  '{"brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"brand_admin","sub":"a1000000-0000-4000-8000-0000000000a1","sid":"s1"}'),
  ('a_editor', '{"brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"editor","sub":"a2000000-0000-4000-8000-0000000000a2","sid":"s2"}'),
  ('a_viewer', '{"brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"read_only","sub":"a3000000-0000-4000-8000-0000000000a3","sid":"s3"}'),
  ('a_shopper','{"brand_id":"a0000000-0000-4000-8000-00000000000a"}');
create function tests.as_(p_who text) returns void language sql as $$
  select tests.act_as(case when p_who = 'a_shopper' then 'anon' else 'authenticated' end, (select c from claims where who = p_who))
$$;
grant execute on function tests.as_(text) to anon, authenticated;

-- fixtures (as postgres): one paid order each, B's with a refund, in-store customers, devices
insert into public.orders (id, brand_id, email, currency, total_amount, status, payment_status, paid_at, stripe_payment_intent_id) values
  ('0a000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', 'mine@example.com', 'USD', 1000, 'paid', 'paid', now(), 'pi_pgtap_a'),
  ('0b000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-00000000000b', 'victim@example.com', 'EUR', 2000, 'paid', 'partially_refunded', now(), 'pi_pgtap_b');
update public.orders set amount_refunded = 500 where id = '0b000000-0000-4000-8000-0000000000b1';
insert into public.refunds (id, brand_id, order_id, amount, currency, status, reason) values
  ('re_pgtap_b', 'b0000000-0000-4000-8000-00000000000b', '0b000000-0000-4000-8000-0000000000b1', 500, 'EUR', 'succeeded', 'globex secret');
insert into public.customers (id, brand_id, name, email) values
  ('0c000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-00000000000b', 'Victim', 'victim@example.com');
insert into public.devices (id, brand_id, name, status) values
  ('0d000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-00000000000b', 'Globex till', 'pending'),
  ('0d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', 'Acme till', 'pending');

-- ---------------------------------------------------------------- orders and refunds
select tests.as_('a_admin');
select ok(public.admin_list_orders(p_limit => 10000)::text like '%mine@example.com%', 'admin_list_orders: one''s own orders are listed');
select ok(public.admin_list_orders(p_limit => 10000)::text not like '%victim@example.com%', 'admin_list_orders: brand B''s are not');
select is(jsonb_array_length(public.admin_list_orders(p_q => 'victim')), 0, 'admin_list_orders: searching for B''s email finds nothing');
select is(public.admin_refundable('0b000000-0000-4000-8000-0000000000b1'), null, 'admin_refundable: B''s order reads as nothing');
select is(public.admin_refundable('0a000000-0000-4000-8000-0000000000a1') ->> 'refundable', '1000', 'admin_refundable: one''s own order');
select is((select count(*) from public.refunds where brand_id <> 'a0000000-0000-4000-8000-00000000000a')::int, 0, 'refunds: B''s refund is invisible');
select throws_ok($$select public.staff_record_refund('0b000000-0000-4000-8000-0000000000b1', 're_pgtap_x', 100, 'EUR', 'succeeded', null)$$,
  'PT404', 'order_not_found', 'staff_record_refund: B''s order is not found');
select throws_ok($$select shoal_private.record_refund('0b000000-0000-4000-8000-0000000000b1', 're_pgtap_y', 100, 'EUR', 'succeeded', null, 'x')$$,
  'SH404', null, 'record_refund (definer): refuses an order of another brand than the token''s');
select throws_ok($$insert into public.refunds (id, brand_id, order_id, amount, currency, status)
                   values ('re_pgtap_z', 'a0000000-0000-4000-8000-00000000000a', '0a000000-0000-4000-8000-0000000000a1', 1, 'USD', 'succeeded')$$,
  '42501', null, 'refunds: staff never write refund rows directly');
select tests.as_('a_viewer');
select throws_ok($$select public.staff_record_refund('0a000000-0000-4000-8000-0000000000a1', 're_pgtap_v', 100, 'USD', 'succeeded', null)$$,
  '42501', null, 'staff_record_refund: read_only cannot refund');
select ok(public.admin_list_orders()::text like '%mine@example.com%', 'admin_list_orders: read_only reads the list');
select tests.as_('a_editor');
select is(public.staff_record_refund('0a000000-0000-4000-8000-0000000000a1', 're_pgtap_e', 400, 'USD', 'succeeded', 'scratched')
            -> 'refunds' -> 0 ->> 'amount', '400', 'staff_record_refund: an editor records a refund of its own brand''s order');
select is(public.staff_record_refund('0a000000-0000-4000-8000-0000000000a1', 're_pgtap_e', 400, 'USD', 'succeeded', 'scratched')
            ->> 'amount_refunded', '400', 'staff_record_refund: the same refund again counts once');
select tests.as_('a_shopper');
select throws_ok($$select public.admin_list_orders()$$, '42501', null, 'admin_list_orders: shoppers cannot call it');
select tests.act_as_superuser();
select is((select amount_refunded || ' ' || payment_status from public.orders where id = '0b000000-0000-4000-8000-0000000000b1'),
  '500 partially_refunded', 'orders: B''s refunded total unchanged');
select is((select count(*) from public.refunds where order_id = '0b000000-0000-4000-8000-0000000000b1')::int, 1, 'refunds: none added to B');

-- ---------------------------------------------------------------- customers, devices, overview
select tests.as_('a_admin');
select ok(public.admin_list_customers(p_limit => 100)::text not like '%victim@example.com%', 'admin_list_customers: B''s customers are not listed');
select is(public.admin_get_customer('0c000000-0000-4000-8000-0000000000b1'), null, 'admin_get_customer: B''s in-store customer reads as nothing');
select is(public.admin_get_customer(shoal_private.customer_id('b0000000-0000-4000-8000-00000000000b', 'victim@example.com')), null,
  'admin_get_customer: B''s online customer reads as nothing');
select is(public.admin_get_device('0d000000-0000-4000-8000-0000000000b1'), null, 'admin_get_device: B''s device reads as nothing');
select tests.as_('a_viewer');
select is(public.admin_list_devices(), '[]'::jsonb, 'admin_list_devices: devices are their managers'' (read_only sees none)');
select is(public.admin_overview() ->> 'currency', 'USD', 'admin_overview: the caller''s brand''s');

select * from finish();
rollback;
