-- Edge device sync: isolation of the synced tables, edge_sync_push (applied, duplicate,
-- conflict, invalid, malformed) and edge_sync_pull (brand-scoped, cursor, paging).
-- Brands: acme a0000000-…-00000000000a, globex b0000000-…-00000000000b.
-- Ids used here: devices 5d…, acme fixtures ac…, globex fixtures bc…, pushed records 1d…,
-- mutation ids 3e… (the last two hex digits tell them apart).
begin;
\ir helpers/act_as.psql
-- the staff members these claims name (the database confirms a token's role)
select tests.staff('a0000000-0000-4000-8000-0000000000f1', 'a0000000-0000-4000-8000-00000000000a', 'brand_admin');
select tests.staff('a0000000-0000-4000-8000-0000000000f2', 'a0000000-0000-4000-8000-00000000000a', 'read_only');
select tests.staff('b0000000-0000-4000-8000-0000000000f3', 'b0000000-0000-4000-8000-00000000000b', 'editor');
select plan(90);

-- Push and pull run as the device (role authenticated, app_role device): these call them
-- with a device's claims and return to the test's own role afterwards.
create function tests.push_as(p_device uuid, p_brand uuid, p_records jsonb) returns jsonb
language plpgsql as $$
declare
  v jsonb;
begin
  perform tests.act_as('authenticated', jsonb_build_object('app_role', 'device', 'device_id', p_device, 'brand_id', p_brand));
  v := public.edge_sync_push(p_records);
  perform tests.act_as_superuser();
  return v;
end
$$;
create function tests.pull_as(p_device uuid, p_brand uuid, p_since bigint, p_limit integer) returns jsonb
language plpgsql as $$
declare
  v jsonb;
begin
  perform tests.act_as('authenticated', jsonb_build_object('app_role', 'device', 'device_id', p_device, 'brand_id', p_brand));
  v := public.edge_sync_pull(p_since, p_limit);
  perform tests.act_as_superuser();
  return v;
end
$$;

-- ============================================================== fixtures (as superuser)
insert into public.devices (id, brand_id, name, status) values
  ('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', 'Acme till 1', 'active'),
  ('5d000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-00000000000a', 'Acme till 2', 'active'),
  ('5d000000-0000-4000-8000-0000000000a9', 'a0000000-0000-4000-8000-00000000000a', 'Acme old till', 'revoked'),
  ('5d000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-00000000000b', 'Globex caja', 'active');

-- Scratch tables (superuser only): the pull cursor at the start, chosen seed ids, and the
-- answers of pushes that several tests look at.
create temp table t_mark (name text primary key, seq bigint not null);
insert into t_mark values ('start', (select last_value from public.sync_change_seq));
create temp table t_ids (name text primary key, id uuid not null);
create temp table t_push (name text primary key, r jsonb not null);

-- one row per brand in every new table, written "in the cloud" (no device)
insert into public.customers (id, brand_id, name) values
  ('ac000000-0000-4000-8000-0000000000c1', 'a0000000-0000-4000-8000-00000000000a', 'Acme Customer'),
  ('bc000000-0000-4000-8000-0000000000c1', 'b0000000-0000-4000-8000-00000000000b', 'Globex Cliente');
insert into public.employees (id, brand_id, name, role) values
  ('ac000000-0000-4000-8000-0000000000e1', 'a0000000-0000-4000-8000-00000000000a', 'Acme Cashier', 'cashier'),
  ('bc000000-0000-4000-8000-0000000000e1', 'b0000000-0000-4000-8000-00000000000b', 'Globex Cajera', 'manager');
insert into public.shifts (id, brand_id, employee_id, store, opened_at) values
  ('ac000000-0000-4000-8000-0000000000f1', 'a0000000-0000-4000-8000-00000000000a', 'ac000000-0000-4000-8000-0000000000e1', 'Acme Main St', now()),
  ('bc000000-0000-4000-8000-0000000000f1', 'b0000000-0000-4000-8000-00000000000b', 'bc000000-0000-4000-8000-0000000000e1', 'Globex Centro', now());
insert into public.daily_reports (id, brand_id, store, business_date, totals) values
  ('ac000000-0000-4000-8000-0000000000d1', 'a0000000-0000-4000-8000-00000000000a', 'Acme Main St', '2026-11-25', '{"cash": 1000}'),
  ('bc000000-0000-4000-8000-0000000000d1', 'b0000000-0000-4000-8000-00000000000b', 'Globex Centro', '2026-11-25', '{"cash": 2000}');
insert into public.store_orders (id, brand_id, number, currency, total_amount, placed_at, customer_id) values
  ('ac000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-00000000000a', 'ACME-1', 'USD', 1000, now(), 'ac000000-0000-4000-8000-0000000000c1'),
  ('bc000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-00000000000b', 'GLOBEX-1', 'EUR', 2000, now(), 'bc000000-0000-4000-8000-0000000000c1');
insert into public.store_order_items (order_id, brand_id, line, sku, title, quantity, unit_amount) values
  ('ac000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-00000000000a', 1, 'ACME-SKU', 'Acme thing', 1, 1000),
  ('bc000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-00000000000b', 1, 'GLOBEX-SKU', 'Cosa Globex', 1, 2000);
insert into public.store_order_payments (order_id, brand_id, line, method, amount) values
  ('ac000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-00000000000a', 1, 'cash', 1000),
  ('bc000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-00000000000b', 1, 'card', 2000);

-- seeded catalog rows to sync against
insert into t_ids values
  ('acme_variant', (select variant_id from public.inventory_levels where brand_id = 'a0000000-0000-4000-8000-00000000000a' order by variant_id limit 1)),
  ('globex_variant', (select variant_id from public.inventory_levels where brand_id = 'b0000000-0000-4000-8000-00000000000b' order by variant_id limit 1)),
  ('acme_product', (select id from public.products where brand_id = 'a0000000-0000-4000-8000-00000000000a' and slug = 'drift-tee')),
  ('acme_category', (select id from public.categories where brand_id = 'a0000000-0000-4000-8000-00000000000a' and slug = 'caps')),
  ('globex_category', (select id from public.categories where brand_id = 'b0000000-0000-4000-8000-00000000000b' and slug = 'gorras'));

-- ============================================================== row level security
select tests.act_as('authenticated', '{"role":"authenticated","brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"brand_admin","sub":"a0000000-0000-4000-8000-0000000000f1"}');
select results_eq('select name from public.customers', $$values ('Acme Customer')$$, 'customers: acme staff see acme''s only');
select results_eq('select name from public.employees', $$values ('Acme Cashier')$$, 'employees: acme only');
select results_eq('select store from public.shifts', $$values ('Acme Main St')$$, 'shifts: acme only');
select results_eq('select store from public.daily_reports', $$values ('Acme Main St')$$, 'daily reports: acme only');
select results_eq('select number from public.store_orders', $$values ('ACME-1')$$, 'store orders: acme only');
select results_eq('select sku from public.store_order_items', $$values ('ACME-SKU')$$, 'store order items: acme only');
select results_eq('select method from public.store_order_payments', $$values ('cash')$$, 'store order payments: acme only');
select is((select count(*)::int from public.sync_mutations), 0, 'the mutation log is not readable by staff');
select throws_ok($$insert into public.customers (id, brand_id, name) values
  ('ac000000-0000-4000-8000-0000000000c9', 'a0000000-0000-4000-8000-00000000000a', 'Sneaky')$$, '42501', null,
  'customers: no direct insert, not even into the own brand');
update public.store_orders set total_amount = 0;  -- no policy lets staff write: changes nothing
select throws_ok($$delete from public.employees$$, '42501', null, 'employees: no direct delete');

select tests.act_as('authenticated', '{"role":"authenticated","brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"read_only","sub":"a0000000-0000-4000-8000-0000000000f2"}');
select is((select count(*)::int from public.shifts), 1, 'read_only members read their brand''s synced records too');
select tests.act_as_superuser();
select is((select count(*)::int from public.store_orders where total_amount = 0), 0, 'store orders: staff update nothing directly');

select tests.act_as('authenticated', '{"role":"authenticated","brand_id":"b0000000-0000-4000-8000-00000000000b","app_role":"editor","sub":"b0000000-0000-4000-8000-0000000000f3"}');
select results_eq('select name from public.customers', $$values ('Globex Cliente')$$, 'customers: globex staff see globex''s only');

select tests.act_as('anon', '{"role":"anon","brand_id":"a0000000-0000-4000-8000-00000000000a"}');
select throws_ok('select count(*) from public.customers', '42501', null, 'customers: shoppers have no access');

select tests.act_as_superuser();

-- ============================================================== push: applied, duplicate, conflict
insert into t_push select 'create', tests.push_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', $$[
  {"mutation_id": "3e000000-0000-4000-8000-000000000001", "resource": "customers", "op": "upsert",
   "id": "1d000000-0000-4000-8000-0000000000c1", "base_version": null, "data": {"name": "Walk-in Wanda", "email": "wanda@example.com"}}
]$$);
select is((select r -> 'results' -> 0 ->> 'status' from t_push where name = 'create'), 'applied', 'a new record is applied');
select is((select (r -> 'results' -> 0 ->> 'version')::int from t_push where name = 'create'), 1, '... at version 1');
select results_eq($$select version, device_id, name from public.customers where id = '1d000000-0000-4000-8000-0000000000c1'$$,
  $$values (1::bigint, '5d000000-0000-4000-8000-0000000000a1'::uuid, 'Walk-in Wanda'::text)$$,
  'the row is written, the pushing device named as its origin');

-- the same mutation again (a retry after a lost answer)
insert into t_push select 'retry', tests.push_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', $$[
  {"mutation_id": "3e000000-0000-4000-8000-000000000001", "resource": "customers", "op": "upsert",
   "id": "1d000000-0000-4000-8000-0000000000c1", "base_version": null, "data": {"name": "Walk-in Wanda", "email": "wanda@example.com"}}
]$$);
select is((select r -> 'results' -> 0 ->> 'status' from t_push where name = 'retry'), 'duplicate', 'the same mutation again is a duplicate');
select is((select (r -> 'results' -> 0 ->> 'version')::int from t_push where name = 'retry'), 1, '... answering the version it produced');
select is((select version from public.customers where id = '1d000000-0000-4000-8000-0000000000c1'), 1::bigint, '... and changing nothing');

insert into t_push select 'edit', tests.push_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', $$[
  {"mutation_id": "3e000000-0000-4000-8000-000000000002", "resource": "customers", "op": "upsert",
   "id": "1d000000-0000-4000-8000-0000000000c1", "base_version": 1, "data": {"phone": "+1 555 0100"}}
]$$);
select is((select (r -> 'results' -> 0 ->> 'version')::int from t_push where name = 'edit'), 2, 'an edit of the current version is applied (version 2)');
select is((select name from public.customers where id = '1d000000-0000-4000-8000-0000000000c1'), 'Walk-in Wanda',
  'keys absent from data keep their stored value');

-- another till edits what it last saw, version 1: not last-writer-wins
insert into t_push select 'stale', tests.push_as('5d000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-00000000000a', $$[
  {"mutation_id": "3e000000-0000-4000-8000-000000000003", "resource": "customers", "op": "upsert",
   "id": "1d000000-0000-4000-8000-0000000000c1", "base_version": 1, "data": {"note": "stale edit"}}
]$$);
select is((select r -> 'results' -> 0 ->> 'status' from t_push where name = 'stale'), 'conflict', 'a stale base_version is a conflict');
select is((select r -> 'results' -> 0 ->> 'code' from t_push where name = 'stale'), 'version_mismatch', '... version_mismatch');
select is((select r -> 'results' -> 0 -> 'server' from t_push where name = 'stale'),
  '{"version": 2, "deleted": false, "data": {"name": "Walk-in Wanda", "email": "wanda@example.com", "phone": "+1 555 0100", "note": ""}}'::jsonb,
  '... answered with the server copy');
select is((select note from public.customers where id = '1d000000-0000-4000-8000-0000000000c1'), '', 'the conflicting edit is not applied');
select is((select count(*)::int from public.sync_mutations where mutation_id = '3e000000-0000-4000-8000-000000000003'), 0,
  'a conflict is not recorded as applied (the device may resend after merging)');

insert into t_push select 'not_found', tests.push_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', $$[
  {"mutation_id": "3e000000-0000-4000-8000-000000000004", "resource": "employees", "op": "upsert",
   "id": "1d000000-0000-4000-8000-0000000000e9", "base_version": 3, "data": {"name": "Ghost"}},
  {"mutation_id": "3e000000-0000-4000-8000-000000000005", "resource": "shifts", "op": "delete",
   "id": "1d000000-0000-4000-8000-0000000000f9", "base_version": 1}
]$$);
select is((select jsonb_path_query_array(r, '$.results[*].code') from t_push where name = 'not_found'), '["not_found", "not_found"]'::jsonb,
  'editing or deleting a record that does not exist is a not_found conflict');
select is((select r -> 'results' -> 0 -> 'server' from t_push where name = 'not_found'), 'null'::jsonb, '... with no server copy');

insert into t_push select 'delete', tests.push_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', $$[
  {"mutation_id": "3e000000-0000-4000-8000-000000000006", "resource": "customers", "op": "delete",
   "id": "1d000000-0000-4000-8000-0000000000c1", "base_version": 2}
]$$);
select is((select (r -> 'results' -> 0 ->> 'version')::int from t_push where name = 'delete'), 3, 'a delete of the current version is applied (version 3)');
select isnt((select deleted_at from public.customers where id = '1d000000-0000-4000-8000-0000000000c1'), null, '... as a tombstone');

select throws_ok($$select tests.push_as('5d000000-0000-4000-8000-0000000000b1', 'a0000000-0000-4000-8000-00000000000a', '[]')$$,
  'PT404', 'device_not_found', 'a device of another brand cannot push for acme');
select throws_ok($$select tests.push_as('5d000000-0000-4000-8000-0000000000a9', 'a0000000-0000-4000-8000-00000000000a', '[]')$$,
  'PT404', 'device_not_found', 'a revoked device cannot push');

-- ============================================================== push: invalid records among valid ones
insert into t_push select 'mixed', tests.push_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', $$[
  {"mutation_id": "3e000000-0000-4000-8000-000000000011", "resource": "employees", "op": "upsert",
   "id": "1d000000-0000-4000-8000-0000000000e1", "data": {"name": "Till Tom", "role": "manager"}},
  {"mutation_id": "3e000000-0000-4000-8000-000000000012", "resource": "customers", "op": "upsert",
   "id": "1d000000-0000-4000-8000-0000000000c2", "data": {"name": 123}},
  {"mutation_id": "3e000000-0000-4000-8000-000000000013", "resource": "shifts", "op": "upsert",
   "id": "1d000000-0000-4000-8000-0000000000f1", "data": {"employee_id": "1d000000-0000-4000-8000-0000000000e1",
   "store": "Acme Main St", "opened_at": "2026-11-26T09:00:00Z", "opening_cash": 10000}},
  {"mutation_id": "3e000000-0000-4000-8000-000000000014", "resource": "store_orders", "op": "upsert",
   "id": "1d000000-0000-4000-8000-000000000009", "data": {"number": "T1-9", "currency": "USD", "total_amount": 100,
   "placed_at": "2026-11-26T10:00:00Z", "customer_id": "bc000000-0000-4000-8000-0000000000c1"}},
  {"mutation_id": "3e000000-0000-4000-8000-000000000015", "resource": "employees", "op": "upsert",
   "id": "1d000000-0000-4000-8000-0000000000e2", "data": {"role": "cashier"}},
  {"mutation_id": "3e000000-0000-4000-8000-000000000016", "resource": "customers", "op": "delta",
   "id": "ac000000-0000-4000-8000-0000000000c1", "data": {"delta": 1}},
  {"mutation_id": "3e000000-0000-4000-8000-000000000017", "resource": "inventory_levels", "op": "upsert",
   "id": "ac000000-0000-4000-8000-0000000000c1", "data": {"available": 99}},
  {"mutation_id": "3e000000-0000-4000-8000-000000000018", "resource": "employees", "op": "upsert",
   "id": "1d000000-0000-4000-8000-0000000000e3", "data": {"name": "Bad Role", "role": "owner"}},
  {"mutation_id": "3e000000-0000-4000-8000-000000000019", "resource": "store_orders", "op": "upsert",
   "id": "1d000000-0000-4000-8000-000000000001", "data": {"number": "T1-1", "status": "completed", "currency": "USD",
   "total_amount": 5600, "placed_at": "2026-11-26T10:05:00+01:00", "customer_id": "ac000000-0000-4000-8000-0000000000c1",
   "employee_id": "1d000000-0000-4000-8000-0000000000e1", "shift_id": "1d000000-0000-4000-8000-0000000000f1",
   "items": [{"sku": "AC-DRIFTTEE-M", "title": "Drift Tee", "quantity": 1, "unit_amount": 2800},
             {"sku": "AC-DRIFTTEE-L", "title": "Drift Tee", "quantity": 1, "unit_amount": 2800}],
   "payments": [{"method": "card", "amount": 5600, "reference": "auth-77"}]}}
]$$);
select is((select jsonb_path_query_array(r, '$.results[*].status') from t_push where name = 'mixed'),
  '["applied", "invalid", "applied", "invalid", "invalid", "invalid", "invalid", "invalid", "applied"]'::jsonb,
  'invalid records are answered one by one; the valid ones around them are applied');
select is((select jsonb_path_query_array(r, '$.results[*].error.code') from t_push where name = 'mixed'),
  '["invalid_field", "unknown_reference", "missing_field", "delta_not_supported", "inventory_takes_deltas", "invalid_value"]'::jsonb,
  '... each with an error code: wrong type, another brand''s customer, missing name, misplaced delta, stock upsert, bad role');
select is((select jsonb_path_query_array(r, '$.results[*].mutation_id') from t_push where name = 'mixed') -> 8,
  '"3e000000-0000-4000-8000-000000000019"'::jsonb, 'results keep the input order');
select is((select count(*)::int from public.employees where id = '1d000000-0000-4000-8000-0000000000e1')
        + (select count(*)::int from public.shifts where id = '1d000000-0000-4000-8000-0000000000f1')
        + (select count(*)::int from public.store_orders where id = '1d000000-0000-4000-8000-000000000001'), 3,
  'the valid records exist (the shift referring to an employee created earlier in the same batch)');
select is((select count(*)::int from public.customers where id = '1d000000-0000-4000-8000-0000000000c2')
        + (select count(*)::int from public.store_orders where id = '1d000000-0000-4000-8000-000000000009')
        + (select count(*)::int from public.employees where id in ('1d000000-0000-4000-8000-0000000000e2', '1d000000-0000-4000-8000-0000000000e3')), 0,
  'the invalid records left nothing behind');
select results_eq($$select mutation_id from public.sync_mutations where mutation_id::text like '3e000000-0000-4000-8000-0000000000%'
                     and mutation_id >= '3e000000-0000-4000-8000-000000000011' order by 1$$,
  $$values ('3e000000-0000-4000-8000-000000000011'::uuid), ('3e000000-0000-4000-8000-000000000013'::uuid), ('3e000000-0000-4000-8000-000000000019'::uuid)$$,
  'only applied mutations are recorded');
select results_eq($$select (select count(*)::int from public.store_order_items where order_id = '1d000000-0000-4000-8000-000000000001'),
                           (select count(*)::int from public.store_order_payments where order_id = '1d000000-0000-4000-8000-000000000001'),
                           (select device_id from public.store_orders where id = '1d000000-0000-4000-8000-000000000001')$$,
  $$values (2, 1, '5d000000-0000-4000-8000-0000000000a1'::uuid)$$, 'an order is stored with its items and payments');

-- a refund at the till: new items, payments key absent (kept)
insert into t_push select 'reorder', tests.push_as('5d000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-00000000000a', $$[
  {"mutation_id": "3e000000-0000-4000-8000-000000000021", "resource": "store_orders", "op": "upsert",
   "id": "1d000000-0000-4000-8000-000000000001", "base_version": 1, "data": {"status": "refunded",
   "items": [{"sku": "AC-DRIFTTEE-M", "title": "Drift Tee", "quantity": 1, "unit_amount": 2800}]}}
]$$);
select is((select (r -> 'results' -> 0 ->> 'version')::int from t_push where name = 'reorder'), 2, 'an order upsert at its version is applied (version 2)');
select results_eq($$select (select count(*)::int from public.store_order_items where order_id = '1d000000-0000-4000-8000-000000000001'),
                           (select count(*)::int from public.store_order_payments where order_id = '1d000000-0000-4000-8000-000000000001'),
                           (select device_id from public.store_orders where id = '1d000000-0000-4000-8000-000000000001')$$,
  $$values (1, 1, '5d000000-0000-4000-8000-0000000000a2'::uuid)$$,
  'items are replaced wholesale, payments (absent) kept, the order''s origin is now till 2');

insert into t_push select 'products', tests.push_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a',
  jsonb_build_array(
    jsonb_build_object('mutation_id', '3e000000-0000-4000-8000-000000000031', 'resource', 'products', 'op', 'upsert',
      'id', '1d000000-0000-4000-8000-0000000000aa', 'data', jsonb_build_object('slug', 'till-cap', 'title', 'Till Cap',
      'status', 'active', 'category_id', (select id from t_ids where name = 'acme_category'))),
    jsonb_build_object('mutation_id', '3e000000-0000-4000-8000-000000000032', 'resource', 'products', 'op', 'upsert',
      'id', '1d000000-0000-4000-8000-0000000000ab', 'data', jsonb_build_object('slug', 'till-gorra', 'title', 'Till Gorra',
      'category_id', (select id from t_ids where name = 'globex_category'))),
    jsonb_build_object('mutation_id', '3e000000-0000-4000-8000-000000000033', 'resource', 'products', 'op', 'upsert',
      'id', '1d000000-0000-4000-8000-0000000000ac', 'data', jsonb_build_object('slug', 'drift-tee', 'title', 'Clash'))));
select is((select jsonb_path_query_array(r, '$.results[*].status') from t_push where name = 'products'), '["applied", "invalid", "invalid"]'::jsonb,
  'a device may create products; not in another brand''s category, not with a taken slug');
select is((select jsonb_path_query_array(r, '$.results[*].error.code') from t_push where name = 'products'), '["unknown_reference", "duplicate_value"]'::jsonb,
  '... unknown_reference, duplicate_value');

-- ============================================================== push: malformed batches
select throws_ok($$select tests.push_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', '[
  {"mutation_id": "3e000000-0000-4000-8000-000000000041", "resource": "customers", "op": "upsert",
   "id": "1d000000-0000-4000-8000-0000000000c4", "data": {"name": "Never"}},
  {"mutation_id": "3e000000-0000-4000-8000-000000000042", "resource": "coupons", "op": "upsert",
   "id": "1d000000-0000-4000-8000-0000000000c5", "data": {}}]')$$,
  '22023', 'malformed_batch: record 2: unknown resource', 'an unknown resource makes the whole batch malformed');
select is((select count(*)::int from public.customers where id = '1d000000-0000-4000-8000-0000000000c4'), 0,
  '... and nothing of it is applied');
select throws_ok($$select tests.push_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a',
  (select jsonb_agg(jsonb_build_object('mutation_id', extensions.gen_random_uuid(), 'resource', 'customers', 'op', 'upsert',
                                       'id', extensions.gen_random_uuid(), 'data', jsonb_build_object('name', 'Bulk ' || n)))
     from generate_series(1, 501) n))$$,
  '22023', 'malformed_batch: at most 500 records per push', 'more than 500 records is malformed');
select throws_ok($$select tests.push_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', '[
  {"mutation_id": "3e000000-0000-4000-8000-000000000043", "resource": "customers", "op": "upsert", "id": "1d000000-0000-4000-8000-0000000000c6", "data": {"name": "A"}},
  {"mutation_id": "3e000000-0000-4000-8000-000000000043", "resource": "customers", "op": "upsert", "id": "1d000000-0000-4000-8000-0000000000c7", "data": {"name": "B"}}]')$$,
  '22023', 'malformed_batch: duplicate mutation_id', 'a mutation_id twice in one batch is malformed');
select throws_ok($$select tests.push_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a',
  '{"mutation_id": "3e000000-0000-4000-8000-000000000044"}')$$,
  '22023', 'malformed_batch: records must be an array', 'records that are not an array are malformed');
select throws_ok($$select tests.push_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', '[
  {"mutation_id": "3e000000-0000-4000-8000-000000000045", "resource": "customers", "op": "merge", "id": "1d000000-0000-4000-8000-0000000000c8"}]')$$,
  '22023', 'malformed_batch: record 1: unknown op', 'an unknown op is malformed');
select throws_ok($$select tests.push_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', '[
  {"mutation_id": "3e000000-0000-4000-8000-000000000046", "resource": "customers", "op": "upsert", "id": 42}]')$$,
  '22023', 'malformed_batch: record 1: id must be a uuid', 'an id that is not a uuid is malformed');
select throws_ok($$select tests.push_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', '["x"]')$$,
  '22023', 'malformed_batch: record 1: not an object', 'a record that is not an object is malformed');

-- ============================================================== push: stock deltas
update public.inventory_levels set available = 10, reserved = 0 where variant_id = (select id from t_ids where name = 'acme_variant');
insert into t_mark values ('stock_version', (select version from public.inventory_levels where variant_id = (select id from t_ids where name = 'acme_variant')));
insert into t_push select 'sale', tests.push_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a',
  jsonb_build_array(jsonb_build_object('mutation_id', '3e000000-0000-4000-8000-000000000051', 'resource', 'inventory_levels', 'op', 'delta',
    'id', (select id from t_ids where name = 'acme_variant'), 'data', jsonb_build_object('delta', -2))));
insert into t_push select 'delivery', tests.push_as('5d000000-0000-4000-8000-0000000000a2', 'a0000000-0000-4000-8000-00000000000a',
  jsonb_build_array(jsonb_build_object('mutation_id', '3e000000-0000-4000-8000-000000000052', 'resource', 'inventory_levels', 'op', 'delta',
    'id', (select id from t_ids where name = 'acme_variant'), 'base_version', 1, 'data', jsonb_build_object('delta', 5))));
select is((select jsonb_agg(r -> 'results' -> 0 ->> 'status' order by name) from t_push where name in ('sale', 'delivery')),
  '["applied", "applied"]'::jsonb, 'deltas of two tills are both applied (no base_version needed, a stale one ignored)');
select is((select available from public.inventory_levels where variant_id = (select id from t_ids where name = 'acme_variant')), 13,
  '... and add up: 10 - 2 + 5');
select is((select (r -> 'results' -> 0 ->> 'version')::bigint from t_push where name = 'delivery'),
  (select seq + 2 from t_mark where name = 'stock_version'), 'each delta bumps the stock version');

insert into t_push select 'oversell', tests.push_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a',
  jsonb_build_array(jsonb_build_object('mutation_id', '3e000000-0000-4000-8000-000000000053', 'resource', 'inventory_levels', 'op', 'delta',
    'id', (select id from t_ids where name = 'acme_variant'), 'data', jsonb_build_object('delta', -20))));
select is((select r -> 'results' -> 0 ->> 'code' from t_push where name = 'oversell'), 'insufficient_stock', 'a delta below zero is an insufficient_stock conflict');
select is((select r -> 'results' -> 0 -> 'server' -> 'data' ->> 'available' from t_push where name = 'oversell'), '13', '... with the server copy');

-- stock held by online checkouts cannot be sold at the till
update public.inventory_levels set reserved = 12 where variant_id = (select id from t_ids where name = 'acme_variant');
insert into t_push select 'reserved', tests.push_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a',
  jsonb_build_array(jsonb_build_object('mutation_id', '3e000000-0000-4000-8000-000000000054', 'resource', 'inventory_levels', 'op', 'delta',
    'id', (select id from t_ids where name = 'acme_variant'), 'data', jsonb_build_object('delta', -2))));
select is((select r -> 'results' -> 0 ->> 'code' from t_push where name = 'reserved'), 'insufficient_stock', 'a delta below the reserved quantity is a conflict too');
select is((select available from public.inventory_levels where variant_id = (select id from t_ids where name = 'acme_variant')), 13, 'conflicting deltas change nothing');

insert into t_push select 'globex_stock', to_jsonb(i) from public.inventory_levels i where variant_id = (select id from t_ids where name = 'globex_variant');
insert into t_push select 'foreign_stock', tests.push_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a',
  jsonb_build_array(
    jsonb_build_object('mutation_id', '3e000000-0000-4000-8000-000000000055', 'resource', 'inventory_levels', 'op', 'delta',
      'id', (select id from t_ids where name = 'globex_variant'), 'data', jsonb_build_object('delta', -1)),
    jsonb_build_object('mutation_id', '3e000000-0000-4000-8000-000000000056', 'resource', 'inventory_levels', 'op', 'delta',
      'id', (select id from t_ids where name = 'acme_variant'), 'data', jsonb_build_object('delta', 0))));
select is((select jsonb_path_query_array(r, '$.results[*].error.code') from t_push where name = 'foreign_stock'), '["unknown_record", "invalid_delta"]'::jsonb,
  'a globex variant is unknown to acme''s devices; a zero delta is invalid');
select is((select to_jsonb(i) from public.inventory_levels i where variant_id = (select id from t_ids where name = 'globex_variant')),
  (select r from t_push where name = 'globex_stock'), '... and globex''s stock row is untouched');

-- ============================================================== push: another brand's id
insert into t_push select 'id_taken', tests.push_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', $$[
  {"mutation_id": "3e000000-0000-4000-8000-000000000061", "resource": "customers", "op": "upsert",
   "id": "bc000000-0000-4000-8000-0000000000c1", "data": {"name": "Hijacked"}},
  {"mutation_id": "3e000000-0000-4000-8000-000000000062", "resource": "customers", "op": "upsert",
   "id": "bc000000-0000-4000-8000-0000000000c1", "base_version": 1, "data": {"name": "Hijacked"}},
  {"mutation_id": "3e000000-0000-4000-8000-000000000063", "resource": "store_orders", "op": "delete",
   "id": "bc000000-0000-4000-8000-000000000001", "base_version": 1}
]$$);
select is((select jsonb_path_query_array(r, '$.results[*].error.code') from t_push where name = 'id_taken'),
  '["id_taken", "id_taken", "id_taken"]'::jsonb, 'an id that exists under globex is refused as id_taken, with or without base_version');
select is((select count(*)::int from t_push, jsonb_array_elements(r -> 'results') e
            where name = 'id_taken' and (e ? 'server' or e::text ~ 'Globex')), 0, '... revealing nothing of the globex record');
select results_eq($$select name, version, device_id, deleted_at from public.customers where id = 'bc000000-0000-4000-8000-0000000000c1'$$,
  $$values ('Globex Cliente'::text, 1::bigint, null::uuid, null::timestamptz)$$, 'the globex customer is unchanged');
select is((select deleted_at from public.store_orders where id = 'bc000000-0000-4000-8000-000000000001'), null, 'the globex order is not deleted');

-- ============================================================== pull
create temp table t_pull (name text primary key, r jsonb not null);
insert into t_pull select 'acme', tests.pull_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', (select seq from t_mark where name = 'start'), 500);
insert into t_pull select 'globex', tests.pull_as('5d000000-0000-4000-8000-0000000000b1', 'b0000000-0000-4000-8000-00000000000b', (select seq from t_mark where name = 'start'), 500);

-- every synced row of one brand, as (resource, id)
create temp view t_rows as
  select 'products' as resource, id, brand_id from public.products
  union all select 'inventory_levels', variant_id, brand_id from public.inventory_levels
  union all select 'store_orders', id, brand_id from public.store_orders
  union all select 'customers', id, brand_id from public.customers
  union all select 'employees', id, brand_id from public.employees
  union all select 'shifts', id, brand_id from public.shifts
  union all select 'daily_reports', id, brand_id from public.daily_reports;

select is((select count(*)::int from t_pull p, jsonb_array_elements(p.r -> 'changes') c
             join t_rows w on w.resource = c ->> 'resource' and w.id = (c ->> 'id')::uuid
            where p.name = 'acme' and w.brand_id <> 'a0000000-0000-4000-8000-00000000000a'), 0,
  'acme''s pull holds no row of another brand');
select is((select count(*)::int from t_pull p, jsonb_array_elements(p.r -> 'changes') c
             join t_rows w on w.resource = c ->> 'resource' and w.id = (c ->> 'id')::uuid
            where p.name = 'globex' and w.brand_id <> 'b0000000-0000-4000-8000-00000000000b'), 0,
  'globex''s pull holds no row of acme (not even what acme''s devices pushed)');
select results_eq($$select c ->> 'resource', (c ->> 'id')::uuid from t_pull p, jsonb_array_elements(p.r -> 'changes') c
                     where p.name = 'acme' and c ->> 'resource' in ('customers', 'employees', 'shifts', 'daily_reports', 'store_orders')
                     order by 1, 2$$,
  $$values ('customers', '1d000000-0000-4000-8000-0000000000c1'::uuid), ('customers', 'ac000000-0000-4000-8000-0000000000c1'),
           ('daily_reports', 'ac000000-0000-4000-8000-0000000000d1'),
           ('employees', '1d000000-0000-4000-8000-0000000000e1'), ('employees', 'ac000000-0000-4000-8000-0000000000e1'),
           ('shifts', '1d000000-0000-4000-8000-0000000000f1'), ('shifts', 'ac000000-0000-4000-8000-0000000000f1'),
           ('store_orders', '1d000000-0000-4000-8000-000000000001'), ('store_orders', 'ac000000-0000-4000-8000-000000000001')$$,
  'acme''s pull holds every acme record written since the cursor, once, at its latest state');
select ok((select bool_and(s > (select seq from t_mark where name = 'start'))
              and array_agg(s order by o) = array_agg(s order by s)
             from t_pull p, jsonb_array_elements(p.r -> 'changes') with ordinality c(v, o), lateral (select (c.v ->> 'seq')::bigint s) x
            where p.name = 'acme'), 'changes come in change_seq order, all after the cursor');
select is((select (r ->> 'next')::bigint from t_pull where name = 'acme'),
  (select (r -> 'changes' -> -1 ->> 'seq')::bigint from t_pull where name = 'acme'), 'next is the last seq returned');
select is((select r -> 'has_more' from t_pull where name = 'acme'), 'false'::jsonb, '... and nothing more is waiting');
select is((select c - 'seq' - 'updated_at' from t_pull p, jsonb_array_elements(p.r -> 'changes') c
            where p.name = 'acme' and c ->> 'id' = '1d000000-0000-4000-8000-0000000000c1'),
  '{"resource": "customers", "id": "1d000000-0000-4000-8000-0000000000c1", "version": 3, "deleted": true,
    "device_id": "5d000000-0000-4000-8000-0000000000a1",
    "data": {"name": "Walk-in Wanda", "email": "wanda@example.com", "phone": "+1 555 0100", "note": ""}}'::jsonb,
  'a deleted customer comes as a tombstone with its version and device of origin');
select is((select c -> 'data' from t_pull p, jsonb_array_elements(p.r -> 'changes') c
            where p.name = 'acme' and c ->> 'id' = '1d000000-0000-4000-8000-000000000001'),
  '{"number": "T1-1", "status": "refunded", "currency": "USD", "total_amount": 5600, "placed_at": "2026-11-26T09:05:00+00:00",
    "customer_id": "ac000000-0000-4000-8000-0000000000c1", "employee_id": "1d000000-0000-4000-8000-0000000000e1",
    "shift_id": "1d000000-0000-4000-8000-0000000000f1",
    "items": [{"line": 1, "sku": "AC-DRIFTTEE-M", "title": "Drift Tee", "quantity": 1, "unit_amount": 2800}],
    "payments": [{"method": "card", "amount": 5600, "reference": "auth-77"}]}'::jsonb,
  'a store order comes with its items and payments');
select is((select c -> 'data' from t_pull p, jsonb_array_elements(p.r -> 'changes') c
            where p.name = 'acme' and c ->> 'resource' = 'inventory_levels' and (c ->> 'id')::uuid = (select id from t_ids where name = 'acme_variant')),
  jsonb_build_object('variant_id', (select id from t_ids where name = 'acme_variant'), 'available', 13, 'reserved', 12),
  'stock comes keyed by variant id');

-- paging with a small limit
insert into t_pull select 'page1', tests.pull_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', (select seq from t_mark where name = 'start'), 2);
insert into t_pull select 'page2', tests.pull_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', (select (r ->> 'next')::bigint from t_pull where name = 'page1'), 2);
select is((select jsonb_array_length(r -> 'changes') from t_pull where name = 'page1'), 2, 'a page holds at most p_limit changes');
select is((select r -> 'has_more' from t_pull where name = 'page1'), 'true'::jsonb, '... and says more are waiting');
select is((select (r ->> 'next')::bigint from t_pull where name = 'page1'),
  (select (r -> 'changes' -> 1 ->> 'seq')::bigint from t_pull where name = 'acme'), '... next is its last seq');
select is((select r -> 'changes' from t_pull where name = 'page2'),
  (select jsonb_build_array(r -> 'changes' -> 2, r -> 'changes' -> 3) from t_pull where name = 'acme'),
  'the next page continues right after the cursor');
select is((select jsonb_array_length(tests.pull_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', (select seq from t_mark where name = 'start'), 0) -> 'changes')),
  1, 'a limit below 1 is taken as 1');
select is(tests.pull_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', (select (r ->> 'next')::bigint from t_pull where name = 'acme'), 10),
  jsonb_build_object('changes', '[]'::jsonb, 'next', (select (r ->> 'next')::bigint from t_pull where name = 'acme'), 'has_more', false),
  'at the end: no changes, next stays, has_more false');

-- ============================================================== cloud writes appear in the pull
-- a till edits a seeded product (it becomes its origin), then staff edit it in the dashboard
insert into t_push select 'product_edit', tests.push_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a',
  jsonb_build_array(jsonb_build_object('mutation_id', '3e000000-0000-4000-8000-000000000071', 'resource', 'products', 'op', 'upsert',
    'id', (select id from t_ids where name = 'acme_product'), 'base_version', (select version from public.products where id = (select id from t_ids where name = 'acme_product')),
    'data', jsonb_build_object('description', 'Edited at the till'))));
insert into t_mark values ('before_dashboard', (select last_value from public.sync_change_seq));
update public.products set title = 'Drift Tee (dashboard)' where id = (select id from t_ids where name = 'acme_product');
select is((select version from public.products where id = (select id from t_ids where name = 'acme_product')),
  (select (r -> 'results' -> 0 ->> 'version')::bigint + 1 from t_push where name = 'product_edit'), 'a direct (dashboard) update bumps the version');
select is((select device_id from public.products where id = (select id from t_ids where name = 'acme_product')), null,
  '... and makes the cloud its origin (device_id null)');
select is((select c - 'seq' - 'updated_at' - 'data' from jsonb_array_elements(tests.pull_as('5d000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a',
             (select seq from t_mark where name = 'before_dashboard'), 500) -> 'changes') c),
  jsonb_build_object('resource', 'products', 'id', (select id from t_ids where name = 'acme_product'), 'deleted', false, 'device_id', null,
    'version', (select version from public.products where id = (select id from t_ids where name = 'acme_product'))),
  '... and the change is pulled');

-- ============================================================== privileges
select is(has_function_privilege('anon', 'public.edge_sync_push(jsonb)', 'execute')
       or has_function_privilege('anon', 'public.edge_sync_pull(bigint, integer)', 'execute'), false, 'shoppers can neither push nor pull');
select is(has_function_privilege('service_role', 'public.edge_sync_push(jsonb)', 'execute'), false,
  'the worker pushes as the device, never as service role');

select tests.act_as('authenticated', '{"role":"authenticated","brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"brand_admin","sub":"a0000000-0000-4000-8000-0000000000f1"}');
select throws_ok($$select public.edge_sync_push('[]')$$, '42501', null, 'staff calling push are refused');
select throws_ok($$select public.edge_sync_pull(0, 10)$$, '42501', null, 'staff calling pull are refused');
-- a staff token carrying a device id is still no device
select tests.act_as('authenticated', '{"role":"authenticated","brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"brand_admin","device_id":"5d000000-0000-4000-8000-0000000000a2"}');
select throws_ok($$select public.edge_sync_pull(0, 10)$$, '42501', null, '... even with a device_id in the token');

select tests.act_as_superuser();
-- retention: applied mutations older than the window go, newer ones stay
update public.sync_mutations set created_at = now() - interval '31 days'
 where mutation_id = (select mutation_id from public.sync_mutations order by created_at limit 1);
select is(public.prune_sync_mutations(30), 1, 'pruning forgets mutations older than 30 days');
select is(public.prune_sync_mutations(30), 0, 'and nothing newer');
select * from finish();
rollback;
