-- The edge fence without the worker: a device's token (role authenticated, app_role
-- device, device_id, brand_id) reaches its own row, its own commands and its brand's
-- synced records, nothing else; a device is no staff member; a staff token is no device.
-- Every refusal is checked by the rows afterwards, not only by the answer.
-- Brands: acme a0000000-…-00000000000a, globex b0000000-…-00000000000b.
-- Ids here: devices 7d…, commands 7c…, records 7e… (a*: acme, b*: globex).
begin;
\ir helpers/act_as.psql
-- the staff members these claims name (the database confirms a token's role)
select tests.staff('a0000000-0000-4000-8000-0000000000f1', 'a0000000-0000-4000-8000-00000000000a', 'brand_admin');
select plan(56);

-- ============================================================== fixtures (as postgres)
insert into public.devices (id, brand_id, name, status, hardware_id, cert_fingerprint, cert_ref, last_seen_at) values
  ('7d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', 'Acme till', 'active', 'HW-ACME',
   repeat('a1', 32), 'ref-a1', '2026-01-01T00:00:00Z'),
  ('7d000000-0000-4000-8000-0000000000a9', 'a0000000-0000-4000-8000-00000000000a', 'Acme stolen till', 'revoked', 'HW-GONE',
   repeat('a9', 32), 'ref-a9', '2026-01-01T00:00:00Z'),
  ('7d000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-00000000000b', 'Globex caja', 'active', 'HW-GLOBEX',
   repeat('b1', 32), 'ref-b1', '2026-01-01T00:00:00Z');
insert into public.device_commands (id, brand_id, device_id, kind, status, lease_until, created_by) values
  ('7c000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', '7d000000-0000-4000-8000-0000000000a1',
   'refresh_catalog', 'pending', null, 'pgtap'),
  ('7c000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-00000000000b', '7d000000-0000-4000-8000-0000000000b1',
   'refresh_catalog', 'pending', null, 'pgtap'),
  ('7c000000-0000-4000-8000-0000000000b2', 'b0000000-0000-4000-8000-00000000000b', '7d000000-0000-4000-8000-0000000000b1',
   'upload_logs', 'delivered', now() + interval '1 hour', 'pgtap');
insert into public.customers (id, brand_id, name, email) values
  ('7e000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-00000000000b', 'Globex Cliente', 'cliente@example.com');
insert into public.store_orders (id, brand_id, number, currency, total_amount, placed_at) values
  ('7e000000-0000-4000-8000-0000000000b2', 'b0000000-0000-4000-8000-00000000000b', 'GLOBEX-FENCE', 'EUR', 2000, now());
insert into public.store_order_items (order_id, brand_id, line, sku, title, quantity, unit_amount) values
  ('7e000000-0000-4000-8000-0000000000b2', 'b0000000-0000-4000-8000-00000000000b', 1, 'G-1', 'Cosa', 1, 2000);
insert into public.orders (brand_id, email, currency, total_amount) values
  ('a0000000-0000-4000-8000-00000000000a', 'fence-shopper@example.com', 'USD', 1000);
insert into public.app_releases (version, channel, platform, sha256, size, r2_key, created_by) values
  ('9.9.9', 'stable', 'fence-os', repeat('0', 64), 10, 'releases/fence-os/9.9.9', 'pgtap');

-- What must not change, as it is now.
create temp table t_before on commit drop as
  select 'devices' as what, jsonb_agg(to_jsonb(d) order by d.id) as rows from public.devices d where d.id::text like '7d%'
  union all select 'commands', jsonb_agg(to_jsonb(c) order by c.id) from public.device_commands c where c.id::text like '7c%'
  union all select 'customers', jsonb_agg(to_jsonb(c) order by c.id) from public.customers c where c.id::text like '7e%'
  union all select 'orders', jsonb_agg(to_jsonb(o) order by o.id) from public.store_orders o where o.id::text like '7e%'
  union all select 'items', jsonb_agg(to_jsonb(i) order by i.order_id) from public.store_order_items i where i.order_id::text like '7e%'
  union all select 'globex_stock', jsonb_agg(to_jsonb(s) order by s.variant_id) from public.inventory_levels s
    where s.brand_id = 'b0000000-0000-4000-8000-00000000000b';
create temp view t_now as
  select 'devices' as what, jsonb_agg(to_jsonb(d) order by d.id) as rows from public.devices d where d.id::text like '7d%'
  union all select 'commands', jsonb_agg(to_jsonb(c) order by c.id) from public.device_commands c where c.id::text like '7c%'
  union all select 'customers', jsonb_agg(to_jsonb(c) order by c.id) from public.customers c where c.id::text like '7e%'
  union all select 'orders', jsonb_agg(to_jsonb(o) order by o.id) from public.store_orders o where o.id::text like '7e%'
  union all select 'items', jsonb_agg(to_jsonb(i) order by i.order_id) from public.store_order_items i where i.order_id::text like '7e%'
  union all select 'globex_stock', jsonb_agg(to_jsonb(s) order by s.variant_id) from public.inventory_levels s
    where s.brand_id = 'b0000000-0000-4000-8000-00000000000b';
create temp table t_ids (name text primary key, id uuid not null) on commit drop;
insert into t_ids values
  ('globex_variant', (select variant_id from public.inventory_levels where brand_id = 'b0000000-0000-4000-8000-00000000000b' order by variant_id limit 1)),
  ('globex_product', (select id from public.products where brand_id = 'b0000000-0000-4000-8000-00000000000b' order by id limit 1));
create temp table t_answers (name text primary key, r jsonb) on commit drop;
grant select on t_ids to authenticated;
grant insert, select on t_answers to authenticated;

-- ============================================================== acme's till, globex's ids
select tests.act_as('authenticated', '{"app_role":"device","device_id":"7d000000-0000-4000-8000-0000000000a1","brand_id":"a0000000-0000-4000-8000-00000000000a"}');

select results_eq($$select id from public.devices where id::text like '7d%'$$,
  $$values ('7d000000-0000-4000-8000-0000000000a1'::uuid)$$, 'a device reads its own row only (not its brand''s other devices)');
select is((select count(*)::int from public.device_commands where brand_id = 'b0000000-0000-4000-8000-00000000000b'), 0,
  'a device reads no command of another brand');
select is((select count(*)::int from public.customers where brand_id = 'b0000000-0000-4000-8000-00000000000b'), 0,
  'a device reads no synced record of another brand');
select is((select count(*)::int from public.products where brand_id = 'b0000000-0000-4000-8000-00000000000b'), 0,
  '... nor its catalog');
select is((select count(*)::int from public.sync_mutations where device_id <> '7d000000-0000-4000-8000-0000000000a1'), 0,
  '... nor another device''s applied mutations');

insert into t_answers select 'heartbeat', to_jsonb(public.edge_heartbeat());
insert into t_answers select 'claimed', public.edge_claim_commands(60);
select is((select jsonb_path_query_array(r, '$[*].id') from t_answers where name = 'claimed'),
  '["7c000000-0000-4000-8000-0000000000a1"]'::jsonb, 'claiming commands takes the device''s own only');
select throws_ok($$select public.edge_ack_command('7c000000-0000-4000-8000-0000000000b2', true, 'done')$$,
  'PT404', 'command_not_found', 'acking another brand''s delivered command: not found');
-- straight at the tables, as PostgREST would let a replayed token try
update public.device_commands set status = 'succeeded', result_message = 'forged' where id::text like '7c%b%';
update public.devices set last_seen_at = now() where id <> '7d000000-0000-4000-8000-0000000000a1';
delete from public.store_order_items where brand_id = 'b0000000-0000-4000-8000-00000000000b';
update public.customers set name = 'Hijacked' where brand_id = 'b0000000-0000-4000-8000-00000000000b';
update public.inventory_levels set available = 0 where brand_id = 'b0000000-0000-4000-8000-00000000000b';
select throws_ok($$insert into public.customers (id, brand_id, name) values
  ('7e000000-0000-4000-8000-0000000000a7', 'b0000000-0000-4000-8000-00000000000b', 'Planted')$$,
  '42501', null, 'a device cannot insert into another brand');
select throws_ok($$insert into public.sync_mutations (device_id, mutation_id, brand_id, resource, record_id, result) values
  ('7d000000-0000-4000-8000-0000000000b1', '7e000000-0000-4000-8000-0000000000ff', 'b0000000-0000-4000-8000-00000000000b',
   'customers', '7e000000-0000-4000-8000-0000000000b1', '{}')$$,
  '42501', null, 'a device cannot record mutations for another device');
select throws_ok($$update public.devices set cert_fingerprint = repeat('ff', 32) where id = '7d000000-0000-4000-8000-0000000000a1'$$,
  '42501', null, 'a device cannot write its certificate binding directly');
select throws_ok($$insert into public.audit_log (brand_id, actor, action) values
  ('b0000000-0000-4000-8000-00000000000b', 'device:7d000000-0000-4000-8000-0000000000a1', 'forged')$$,
  '42501', null, 'a device cannot write the audit log directly');

-- sync with globex's ids
insert into t_answers select 'push', public.edge_sync_push(jsonb_build_array(
  jsonb_build_object('mutation_id', '7e000000-0000-4000-8000-0000000000f1', 'resource', 'customers', 'op', 'upsert',
                     'id', '7e000000-0000-4000-8000-0000000000b1', 'data', jsonb_build_object('name', 'Hijacked')),
  jsonb_build_object('mutation_id', '7e000000-0000-4000-8000-0000000000f2', 'resource', 'customers', 'op', 'upsert',
                     'id', '7e000000-0000-4000-8000-0000000000b1', 'base_version', 1, 'data', jsonb_build_object('name', 'Hijacked')),
  jsonb_build_object('mutation_id', '7e000000-0000-4000-8000-0000000000f3', 'resource', 'store_orders', 'op', 'delete',
                     'id', '7e000000-0000-4000-8000-0000000000b2', 'base_version', 1),
  jsonb_build_object('mutation_id', '7e000000-0000-4000-8000-0000000000f4', 'resource', 'inventory_levels', 'op', 'delta',
                     'id', (select id from t_ids where name = 'globex_variant'), 'data', jsonb_build_object('delta', -1)),
  jsonb_build_object('mutation_id', '7e000000-0000-4000-8000-0000000000f5', 'resource', 'products', 'op', 'upsert',
                     'id', (select id from t_ids where name = 'globex_product'), 'base_version', 1,
                     'data', jsonb_build_object('title', 'Hijacked'))));
select is((select jsonb_path_query_array(r, '$.results[*].status') from t_answers where name = 'push'),
  '["invalid", "invalid", "invalid", "invalid", "invalid"]'::jsonb, 'pushing globex''s ids applies nothing');
select is((select jsonb_path_query_array(r, '$.results[*].error.code') from t_answers where name = 'push'),
  '["id_taken", "id_taken", "id_taken", "unknown_record", "id_taken"]'::jsonb, '... answered without a word of their data');
insert into t_answers select 'pull', public.edge_sync_pull(0, 500);
select is((select jsonb_array_length(public.edge_releases('fence-os'))), 1, 'a device reads the platform''s releases');

-- a token naming acme's till with globex as its brand (a forged pairing) reaches nothing
select tests.act_as('authenticated', '{"app_role":"device","device_id":"7d000000-0000-4000-8000-0000000000a1","brand_id":"b0000000-0000-4000-8000-00000000000b"}');
select is(public.edge_heartbeat(), null, 'device and brand must match: the heartbeat touches no row');
select is(public.edge_claim_commands(60), '[]'::jsonb, '... no command is claimed (not even globex''s pending one)');
select throws_ok($$select public.edge_sync_push('[]')$$, 'PT404', 'device_not_found', '... no push');
select throws_ok($$select public.edge_renew_certificate('HW-ACME', repeat('ee', 32), now() + interval '90 days', 'x', 'ref-x', 'serial-x')$$,
  'PT404', 'device_not_found', '... no renewal');

-- globex's till with acme's device id in the token: no renewal of acme's certificate
select tests.act_as('authenticated', '{"app_role":"device","device_id":"7d000000-0000-4000-8000-0000000000b1","brand_id":"a0000000-0000-4000-8000-00000000000a"}');
select throws_ok($$select public.edge_renew_certificate('HW-ACME', repeat('ee', 32), now() + interval '90 days', 'x', 'ref-x', 'serial-x')$$,
  'PT404', 'device_not_found', 'a device cannot renew another''s certificate');

-- a revoked device's token (minted before its revocation) changes nothing
select tests.act_as('authenticated', '{"app_role":"device","device_id":"7d000000-0000-4000-8000-0000000000a9","brand_id":"a0000000-0000-4000-8000-00000000000a"}');
select is(public.edge_heartbeat(), null, 'a revoked device''s heartbeat touches no row');
select throws_ok($$select public.edge_sync_push('[]')$$, 'PT404', 'device_not_found', 'a revoked device cannot push');
select throws_ok($$select public.edge_renew_certificate('HW-GONE', repeat('ee', 32), now() + interval '90 days', 'x', 'ref-x', 'serial-x')$$,
  'PT404', 'device_not_found', 'a revoked device cannot renew');

select tests.act_as_superuser();
select is((select rows from t_now where what = 'devices'),
  (select jsonb_set(rows, '{0,last_seen_at}', to_jsonb((select last_seen_at from public.devices where id = '7d000000-0000-4000-8000-0000000000a1')))
     from t_before where what = 'devices'),
  'devices: only acme''s till changed, and only its heartbeat');
select isnt((select last_seen_at from public.devices where id = '7d000000-0000-4000-8000-0000000000a1'), '2026-01-01T00:00:00Z'::timestamptz,
  '... which its own token did move');
select is((select rows -> 1 from t_now where what = 'commands'), (select rows -> 1 from t_before where what = 'commands'),
  'globex''s pending command is untouched');
select is((select rows -> 2 from t_now where what = 'commands'), (select rows -> 2 from t_before where what = 'commands'),
  'globex''s delivered command is untouched');
select is((select rows from t_now where what = 'customers'), (select rows from t_before where what = 'customers'), 'globex''s customer is untouched');
select is((select rows from t_now where what = 'orders'), (select rows from t_before where what = 'orders'), 'globex''s store order is untouched');
select is((select rows from t_now where what = 'items'), (select rows from t_before where what = 'items'), '... and its items');
select is((select rows from t_now where what = 'globex_stock'), (select rows from t_before where what = 'globex_stock'), 'globex''s stock is untouched');
select is((select title from public.products where id = (select id from t_ids where name = 'globex_product')),
  (select title from public.products where id = (select id from t_ids where name = 'globex_product') and device_id is null),
  'globex''s product is untouched (no device wrote it)');
select is((select count(*)::int from public.audit_log where actor like 'device:7d000000-0000-4000-8000-%' or action = 'forged'), 0, 'no audit row was written by the refusals');
select is((select count(*)::int from public.sync_mutations where mutation_id::text like '7e%'), 0, 'no mutation was recorded');
select is((select count(*)::int from t_answers, jsonb_array_elements(r -> 'changes') c
            where name = 'pull' and ((c ->> 'id')::uuid in (select id from public.customers where brand_id <> 'a0000000-0000-4000-8000-00000000000a')
                                     or (c ->> 'id')::uuid in (select id from public.products where brand_id <> 'a0000000-0000-4000-8000-00000000000a'))), 0,
  'pulling from the start showed nothing of globex');
select ok((select jsonb_array_length(r -> 'changes') > 0 from t_answers where name = 'pull'), '... but acme''s own records');

-- ============================================================== a device is no staff member
select tests.act_as('authenticated', '{"app_role":"device","device_id":"7d000000-0000-4000-8000-0000000000a1","brand_id":"a0000000-0000-4000-8000-00000000000a"}');
select is((select count(*)::int from unnest(array['read_orders', 'manage_orders', 'read_catalog', 'manage_catalog', 'manage_inventory',
  'manage_knowledge', 'manage_members', 'manage_domains', 'manage_billing', 'manage_payments', 'manage_devices', 'read_audit_log', 'manage_data']) a
  where shoal_private.staff_may(a)), 0, 'staff_may is false for a device, for every action');
select throws_ok($$select shoal_private.require_staff('manage_devices')$$, '42501', null, 'require_staff refuses a device');
select is((select count(*)::int from public.audit_log), 0, 'a device reads no audit log');
select is((select count(*)::int from public.orders), 0, 'a device reads no online orders of its brand');
select is((select count(*)::int from public.memberships), 0, 'a device reads no memberships');
select is((select count(*)::int from public.sessions), 0, 'a device reads no staff sessions');
select is((select count(*)::int from public.accounts), 0, 'a device reads no accounts');

-- ============================================================== a staff token is no device
select tests.act_as('authenticated', '{"app_role":"brand_admin","sub":"a0000000-0000-4000-8000-0000000000f1","brand_id":"a0000000-0000-4000-8000-00000000000a","device_id":"7d000000-0000-4000-8000-0000000000a1"}');
select is(public.edge_heartbeat(), null, 'a brand admin''s token (even naming a device) beats no heart');
select is(public.edge_claim_commands(60), '[]'::jsonb, '... claims no command');
select throws_ok($$select public.edge_ack_command('7c000000-0000-4000-8000-0000000000a1', true, null)$$,
  'PT404', 'command_not_found', '... acks no command');
select throws_ok($$select public.edge_sync_pull(0, 10)$$, '42501', null, '... pulls nothing');
select throws_ok($$select public.edge_renew_certificate('HW-ACME', repeat('ee', 32), now() + interval '90 days', 'x', 'ref-x', 'serial-x')$$,
  'PT404', 'device_not_found', '... renews no certificate');
select is(public.edge_releases('fence-os'), '[]'::jsonb, '... and reads no releases as a device would');

select tests.act_as('anon', '{"brand_id":"a0000000-0000-4000-8000-00000000000a"}');
select throws_ok($$select public.edge_heartbeat()$$, '42501', null, 'shoppers cannot call device functions');

select tests.act_as_superuser();
select is((select status from public.device_commands where id = '7c000000-0000-4000-8000-0000000000a1'), 'delivered',
  'acme''s command was claimed by its till only, and staff acked nothing');

-- ============================================================== the two definers a device reaches
-- shoal_private.device_audit: brand and actor are the token's, whatever the caller wants
select tests.act_as('authenticated', '{"app_role":"device","device_id":"7d000000-0000-4000-8000-0000000000a1","brand_id":"a0000000-0000-4000-8000-00000000000a"}');
select lives_ok($$select shoal_private.device_audit('fence_probe', 'b0000000-0000-4000-8000-00000000000b', '{}')$$, 'a device audits its own action');
select tests.act_as('authenticated', '{"app_role":"brand_admin","sub":"a0000000-0000-4000-8000-0000000000f1","brand_id":"a0000000-0000-4000-8000-00000000000a"}');
select throws_ok($$select shoal_private.device_audit('fence_probe', null, '{}')$$, '42501', null, 'staff cannot write device audit rows');
select tests.act_as_superuser();
select results_eq($$select brand_id, actor from public.audit_log where action = 'fence_probe'$$,
  $$values ('a0000000-0000-4000-8000-00000000000a'::uuid, 'device:7d000000-0000-4000-8000-0000000000a1'::text)$$,
  '... written under its own brand and name only');
-- shoal_private.sync_id_elsewhere: a bare yes/no about another brand's id, for the token's brand
select tests.act_as('authenticated', '{"app_role":"device","device_id":"7d000000-0000-4000-8000-0000000000a1","brand_id":"a0000000-0000-4000-8000-00000000000a"}');
select is(shoal_private.sync_id_elsewhere('customers', '7e000000-0000-4000-8000-0000000000b1'), true, 'an id of globex is taken, for acme');
select is(shoal_private.sync_id_elsewhere('devices', '7d000000-0000-4000-8000-0000000000b1'), false, 'only synced resources are looked at');
select tests.act_as('authenticated', '{"app_role":"device","device_id":"7d000000-0000-4000-8000-0000000000b1","brand_id":"b0000000-0000-4000-8000-00000000000b"}');
select is(shoal_private.sync_id_elsewhere('customers', '7e000000-0000-4000-8000-0000000000b1'), false, 'a brand''s own id is not elsewhere');
select tests.act_as_superuser();

select * from finish();
rollback;
