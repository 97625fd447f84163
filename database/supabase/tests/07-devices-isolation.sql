begin;
\ir helpers/act_as.psql
-- the staff members these claims name (the database confirms a token's role)
select tests.staff('00000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', 'brand_admin');
select plan(8);

insert into public.devices (id, brand_id, name, status) values
  ('0d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', 'Acme till', 'active'),
  ('0d000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-00000000000b', 'Globex caja', 'active');
insert into public.device_commands (brand_id, device_id, kind, created_by) values
  ('a0000000-0000-4000-8000-00000000000a', '0d000000-0000-4000-8000-0000000000a1', 'upload_logs', 'pgtap'),
  ('b0000000-0000-4000-8000-00000000000b', '0d000000-0000-4000-8000-0000000000b1', 'upload_logs', 'pgtap');

select tests.act_as('authenticated', '{"role":"authenticated","brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"brand_admin","sub":"00000000-0000-4000-8000-0000000000a1"}');
select results_eq('select name from public.devices', $$values ('Acme till')$$, 'devices: acme admin sees acme''s only');
select is((select count(*) from public.device_commands where brand_id <> 'a0000000-0000-4000-8000-00000000000a')::int, 0, 'commands: acme only');
select throws_ok('select activation_code_hash from public.devices', '42501', null, 'activation code hashes are never readable');
select throws_ok($$update public.devices set cert_fingerprint = repeat('a', 64)$$, '42501', null, 'devices: no direct certificate binding');
select throws_ok($$insert into public.device_commands (brand_id, device_id, kind, created_by) values
  ('b0000000-0000-4000-8000-00000000000b', '0d000000-0000-4000-8000-0000000000b1', 'lock_till', 'x')$$, '42501', null,
  'commands: no direct insert, least of all into globex');

select tests.act_as('authenticated', '{"role":"authenticated","brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"editor"}');
select is((select count(*) from public.devices)::int, 0, 'devices: editors see none');

select tests.act_as('anon', '{"role":"anon","brand_id":"a0000000-0000-4000-8000-00000000000a"}');
select throws_ok('select count(*) from public.devices', '42501', null, 'devices: shoppers have no access');

select tests.act_as_superuser();
select is(has_function_privilege('anon', 'public.edge_device_by_fingerprint(text)', 'execute'), false, 'device lookup is the worker''s only');

select * from finish();
rollback;
