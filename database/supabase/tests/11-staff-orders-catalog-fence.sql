begin;
\ir helpers/act_as.psql
-- the staff members these claims name (the database confirms a token's role)
select tests.staff('a1000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', 'brand_admin');
select tests.staff('a2000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-00000000000a', 'editor');
select tests.staff('a3000000-0000-4000-8000-0000000000a3', 'a0000000-0000-4000-8000-00000000000a', 'read_only');
select tests.staff('a4000000-0000-4000-8000-0000000000a4', 'a0000000-0000-4000-8000-00000000000a', 'super_admin');
select plan(48);

-- The staff functions of orders, catalog, billing, data, audit, security and releases run
-- as the caller (SECURITY INVOKER): brand A's staff token naming brand B's rows reads and
-- changes nothing, a read_only member writes nothing, shoppers and tokens without a staff
-- identity call none of them. Row state is asserted as postgres after each attempt.
-- Brand A = acme, brand B = globex (seeded).
select set_config('t.a', 'a0000000-0000-4000-8000-00000000000a', true);
select set_config('t.b', 'b0000000-0000-4000-8000-00000000000b', true);
create temporary table claims (who text primary key, c jsonb) on commit drop;
grant select on claims to anon, authenticated;
insert into claims values
  ('a_admin',  '{"brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"brand_admin","sub":"a1000000-0000-4000-8000-0000000000a1","sid":"s1"}'),
  ('a_editor', '{"brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"editor","sub":"a2000000-0000-4000-8000-0000000000a2","sid":"s2"}'),
  ('a_viewer', '{"brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"read_only","sub":"a3000000-0000-4000-8000-0000000000a3","sid":"s3"}'),
  ('a_super',  '{"brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"super_admin","sub":"a4000000-0000-4000-8000-0000000000a4","sid":"s4"}'),
  ('a_device', '{"brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"device","device_id":"0d000000-0000-4000-8000-0000000000a1"}'),
  ('a_shopper','{"brand_id":"a0000000-0000-4000-8000-00000000000a"}');
create function tests.as_(p_who text) returns void language sql as $$
  select tests.act_as(case when p_who = 'a_shopper' then 'anon' else 'authenticated' end, (select c from claims where who = p_who))
$$;
grant execute on function tests.as_(text) to anon, authenticated;

-- fixtures (as postgres)
insert into public.orders (id, brand_id, email, currency, total_amount, status, payment_status) values
  ('0a000000-0000-4000-8000-0000000000a1', current_setting('t.a')::uuid, 'shopper@example.com', 'USD', 1000, 'paid', 'paid'),
  ('0b000000-0000-4000-8000-0000000000b1', current_setting('t.b')::uuid, 'victim@example.com', 'EUR', 2000, 'paid', 'paid');
insert into public.email_outbox (brand_id, to_email, template) values (current_setting('t.b')::uuid, 'victim@example.com', 'pgtap');
insert into public.customers (id, brand_id, name, email) values
  ('0c000000-0000-4000-8000-0000000000b1', current_setting('t.b')::uuid, 'Victim', 'victim@example.com');
insert into public.audit_log (brand_id, actor, action) values (current_setting('t.b')::uuid, 'system', 'pgtap_globex_secret');
insert into public.brand_subscriptions (brand_id, stripe_customer_id, status, plan)
  values (current_setting('t.b')::uuid, 'cus_globex', 'active', 'growth') on conflict (brand_id) do nothing;
insert into public.app_releases (version, channel, platform, sha256, size, r2_key, created_by)
  values ('9.9.9', 'stable', 'pgtap', repeat('a', 64), 1, 'releases/pgtap/9.9.9/x', 'pgtap');

-- ---------------------------------------------------------------- orders
select tests.as_('a_admin');
select is(public.admin_get_order('0b000000-0000-4000-8000-0000000000b1'), null, 'admin_get_order: brand B''s order reads as nothing');
select is(public.admin_get_order('0a000000-0000-4000-8000-0000000000a1') ->> 'email', 'shopper@example.com', 'admin_get_order: one''s own order reads');
select throws_ok($$select public.staff_transition_order('0b000000-0000-4000-8000-0000000000b1', 'processing', null)$$,
  'PT404', 'order_not_found', 'staff_transition_order: brand B''s order is not found');
select throws_ok($$select shoal_private.transition_order('0b000000-0000-4000-8000-0000000000b1', 'processing', 'x')$$,
  'SH404', null, 'transition_order (definer): refuses an order of another brand than the token''s');
select is((select count(*) from public.orders where id = '0b000000-0000-4000-8000-0000000000b1')::int, 0, 'orders: brand B''s order is invisible');
select throws_ok($$update public.orders set email = 'attacker@example.com' where id = '0a000000-0000-4000-8000-0000000000a1'$$,
  '42501', null, 'orders: even one''s own order''s email only becomes an erased alias');
select tests.as_('a_viewer');
select throws_ok($$select public.staff_transition_order('0a000000-0000-4000-8000-0000000000a1', 'processing', null)$$,
  '42501', null, 'staff_transition_order: read_only cannot move orders');
select tests.as_('a_device');
select is((select count(*) from public.orders)::int, 0, 'orders: a device reads none');
select tests.act_as_superuser();
select is((select string_agg(status, ',' order by brand_id) from public.orders
            where id in ('0a000000-0000-4000-8000-0000000000a1', '0b000000-0000-4000-8000-0000000000b1')), 'paid,paid',
  'orders: both still paid');
select is((select count(*) from public.order_events where order_id = '0b000000-0000-4000-8000-0000000000b1')::int, 0, 'order_events: none added to B');
select is((select email from public.orders where id = '0b000000-0000-4000-8000-0000000000b1'), 'victim@example.com', 'orders: B''s email unchanged');

-- ---------------------------------------------------------------- catalog
select tests.as_('a_admin');
select throws_ok($$select public.admin_update_product('chaqueta-prototipo', 'Hacked', 'active', 1)$$,
  'PT404', 'product_not_found', 'admin_update_product: brand B''s product is not found');
select tests.as_('a_viewer');
select throws_ok($$select public.admin_update_product('prototype-jacket', 'Viewer was here', null, null)$$,
  '42501', null, 'admin_update_product: read_only cannot write');
select tests.as_('a_editor');
select is(public.admin_update_product('prototype-jacket', 'Jacket v2', null, null) ->> 'slug', 'prototype-jacket', 'admin_update_product: an editor updates its own brand''s product');
select tests.act_as_superuser();
select is((select string_agg(title, ',' order by slug) from public.products where slug in ('chaqueta-prototipo', 'prototype-jacket')),
  'Chaqueta Prototipo,Jacket v2', 'products: B unchanged, A changed only by the editor');
select is((select status from public.products where slug = 'chaqueta-prototipo'), 'draft', 'products: B''s status unchanged');
select is((select brand_id::text || ' ' || actor from public.audit_log where action = 'product_updated' order by id desc limit 1),
  current_setting('t.a') || ' a2000000-0000-4000-8000-0000000000a2', 'audit: the editor''s own brand and account, from the token');

-- ---------------------------------------------------------------- data
select tests.as_('a_admin');
select ok(public.admin_export()::text not like '%victim@example.com%' and public.admin_export()::text not like '%Camiseta%',
  'admin_export: nothing of brand B');
select is(public.admin_export() -> 'brand' ->> 'id', current_setting('t.a'), 'admin_export: the token''s brand');
select is(public.admin_erase_customer('victim@example.com'),
  '{"emails_dropped": 0, "orders_anonymised": 0, "sent_emails_deleted": 0, "store_customers_erased": 0}'::jsonb,
  'admin_erase_customer: brand B''s shopper is not touched');
select tests.as_('a_editor');
select throws_ok($$select public.admin_export()$$, '42501', null, 'admin_export: editors cannot export');
select tests.as_('a_viewer');
select throws_ok($$select public.admin_erase_customer('shopper@example.com')$$, '42501', null, 'admin_erase_customer: read_only cannot erase');
select tests.act_as_superuser();
select is((select count(*) from public.email_outbox where to_email = 'victim@example.com')::int, 1, 'email_outbox: B''s mail kept');
select is((select name || ' ' || email from public.customers where id = '0c000000-0000-4000-8000-0000000000b1'), 'Victim victim@example.com', 'customers: B''s customer kept');
select is((select email from public.orders where id = '0a000000-0000-4000-8000-0000000000a1'), 'shopper@example.com', 'orders: A''s shopper kept by the refused erasure');

-- ---------------------------------------------------------------- audit log
select tests.as_('a_admin');
select ok(public.admin_audit_log(null, null, null, null, null, 200)::text not like '%pgtap_globex_secret%', 'admin_audit_log: no row of brand B');
select tests.as_('a_viewer');
select throws_ok($$select public.admin_audit_log(null, null, null, null, null, 10)$$, '42501', null, 'admin_audit_log: read_only may not read it');

-- ---------------------------------------------------------------- security setting
select tests.as_('a_viewer');
select throws_ok($$select public.admin_set_security(true)$$, '42501', null, 'admin_set_security: read_only cannot change it');
select tests.as_('a_admin');
select is(public.admin_set_security(true) ->> 'require_mfa_for_admins', 'true', 'admin_set_security: an admin sets its own brand');
select tests.act_as_superuser();
select is((select string_agg(require_mfa_for_admins::text, ',' order by slug) from public.brands where slug in ('acme', 'globex')),
  'true,false', 'brands: only the token''s brand changed');
select tests.as_('a_viewer');
select throws_ok($$select public.admin_set_email_languages('recipient')$$, '42501', null, 'admin_set_email_languages: read_only cannot change it');
select tests.as_('a_admin');
select is(public.admin_set_email_languages('recipient') ->> 'email_languages', 'recipient', 'admin_set_email_languages: an admin sets its own brand');
select throws_ok($$select public.admin_set_email_languages('fr')$$, 'PT422', 'invalid_email_languages', 'admin_set_email_languages: only both or recipient');
select tests.act_as_superuser();
select is((select string_agg(email_languages, ',' order by slug) from public.brands where slug in ('acme', 'globex')),
  'recipient,both', 'brands: only the token''s brand''s email languages changed');

-- ---------------------------------------------------------------- billing
select tests.as_('a_admin');
select is(public.brand_billing_state() ->> 'stripe_customer_id', null, 'brand_billing_state: B''s customer never shows');
select is(shoal_private.billing_state(current_setting('t.b')::uuid) ->> 'status', 'none', 'billing_state (definer): another brand answers none');
select is(public.admin_bind_billing_customer('cus_acmepgtap'), 'cus_acmepgtap', 'admin_bind_billing_customer: binds the token''s brand');
select is((select count(*) from public.brand_subscriptions where brand_id = current_setting('t.b')::uuid)::int, 0, 'brand_subscriptions: B invisible');
select throws_ok($$update public.brand_subscriptions set status = 'active'$$, '42501', null, 'brand_subscriptions: status is never staff''s to write');
select tests.as_('a_editor');
select throws_ok($$select public.admin_bind_billing_customer('cus_editor')$$, '42501', null, 'admin_bind_billing_customer: editors cannot');
select tests.act_as_superuser();
select is((select string_agg(brand_id::text || '=' || stripe_customer_id || '/' || status, ',' order by brand_id) from public.brand_subscriptions
            where brand_id in (current_setting('t.a')::uuid, current_setting('t.b')::uuid)),
  current_setting('t.a') || '=cus_acmepgtap/incomplete,' || current_setting('t.b') || '=cus_globex/active',
  'brand_subscriptions: A bound as incomplete, B untouched');

-- ---------------------------------------------------------------- releases (platform-wide)
select tests.as_('a_admin');
select throws_ok($$select public.admin_publish_release('9.9.10', 'stable', 'pgtap', repeat('b', 64), 1, null, 'k')$$,
  '42501', null, 'admin_publish_release: a brand admin is no super admin');
select throws_ok($$select public.admin_yank_release('pgtap', '9.9.9')$$, '42501', null, 'admin_yank_release: a brand admin cannot yank');
select throws_ok($$insert into public.app_releases (version, channel, platform, sha256, size, r2_key, created_by)
  values ('9.9.11', 'stable', 'pgtap', repeat('c', 64), 1, 'k', 'a1000000-0000-4000-8000-0000000000a1')$$,
  '42501', null, 'app_releases: no direct insert by a brand admin');
select tests.as_('a_super');
select is(public.admin_publish_release('9.9.12', 'stable', 'pgtap', repeat('d', 64), 1, null, 'k12') ->> 'version', '9.9.12',
  'admin_publish_release: a super admin publishes');
select tests.act_as_superuser();
select is((select string_agg(version || ':' || created_by || ':' || yanked, ',' order by version) from public.app_releases where platform = 'pgtap'),
  '9.9.12:a4000000-0000-4000-8000-0000000000a4:false,9.9.9:pgtap:false', 'app_releases: only the super admin''s, in their own name');

-- ---------------------------------------------------------------- who may call at all
select is((select array_agg(p.proname::text order by p.proname) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
            where n.nspname = 'public' and has_function_privilege('anon', p.oid, 'execute')
              and p.proname in ('admin_get_order', 'staff_transition_order', 'admin_update_product', 'admin_export',
                                'admin_erase_customer', 'admin_audit_log', 'admin_set_security', 'admin_set_email_languages', 'brand_billing_state',
                                'admin_bind_billing_customer', 'admin_publish_release', 'admin_yank_release', 'admin_list_releases')),
  null, 'shoppers (anon) may execute none of the staff functions');
select tests.as_('a_device');
select throws_ok($$select public.admin_export()$$, '42501', null, 'a device token is no staff member');

select * from finish();
rollback;
