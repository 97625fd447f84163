-- =====================================================================================
-- Edge device sync: in-store POS servers push and pull seven resources
-- =====================================================================================
--   products, inventory_levels              existing catalog tables, given sync columns
--   store_orders (+ items, payments), customers, employees, shifts, daily_reports   new
--
-- Every synced row carries
--   version     bumped on every write: the base of optimistic concurrency (a push names
--               the version it edited; a stale one is a conflict, never last-writer-wins)
--   change_seq  from one global sequence, re-stamped on every write: the pull cursor
--   device_id   the device of origin of the last write (null: written in the cloud)
--   deleted_at  tombstone (products: status = 'archived'; stock is never deleted)
-- and updated_at. One shared BEFORE INSERT OR UPDATE trigger stamps version, change_seq,
-- device_id and updated_at, so dashboard edits and checkout's stock updates show up in
-- the pull exactly like device pushes do.
--
-- Pull cursor safety. A sequence value is taken before its transaction commits, so a
-- later value can become visible first; a cursor that moved past the earlier value would
-- skip that row for ever. Every transaction that writes a synced row therefore first holds
-- a shared advisory lock naming a "floor" below all the values it will take, and the pull
-- only hands out values up to the lowest floor still held (see sync_stamp / edge_sync_pull).
-- A long transaction writing synced rows therefore delays pulls (of every brand) until it
-- ends; it never makes them lose a change.

-- ------------------------------------------------------------------------ change feed
create sequence public.sync_change_seq as bigint;
-- column defaults are evaluated as the writing role (staff insert products directly)
grant usage on sequence public.sync_change_seq to authenticated, service_role;

-- The advisory-lock key of a floor: 'SH' (0x5348) in the top 16 bits, the floor in the
-- low 48. pg_locks shows a bigint key as classid (high half) and objid (low half), objsubid 1.
create function shoal_private.sync_floor_key(p_floor bigint)
returns bigint language sql immutable set search_path = '' as $$
  select (21320::bigint << 48) | p_floor
$$;

-- The highest change_seq handed out so far (by any transaction, committed or not).
create function shoal_private.sync_assigned_seq()
returns bigint language sql volatile set search_path = '' as $$
  select case when is_called then last_value else last_value - 1 end from public.sync_change_seq
$$;

-- The lowest floor held by another transaction that is writing synced rows (null: none).
-- Our own transaction's rows are visible to us, so our own floor does not count.
create function shoal_private.sync_oldest_floor()
returns bigint language sql volatile set search_path = '' as $$
  select min(((l.classid::bigint << 32) | l.objid::bigint) & ((1::bigint << 48) - 1))
    from pg_catalog.pg_locks l
   where l.locktype = 'advisory' and l.objsubid = 1 and (l.classid::bigint >> 16) = 21320
     and l.database = (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database())
     and l.pid is distinct from pg_catalog.pg_backend_pid()
$$;

-- The shared stamp trigger of the seven tables (BEFORE INSERT OR UPDATE).
--   * first synced write of the transaction: hold the floor lock (before any nextval)
--   * change_seq re-taken on every write, updated_at = now()
--   * version + 1 unless the statement set version itself
--   * device_id: the writing device (a device token: app_role = device); otherwise what
--     the statement set explicitly; otherwise null (cloud)
create function shoal_private.sync_stamp() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  v_device uuid := shoal_private.claim_device();
  v_floor bigint;
begin
  if coalesce(current_setting('shoal.sync_floor', true), '') = '' then
    v_floor := shoal_private.sync_assigned_seq();
    perform pg_catalog.pg_advisory_xact_lock_shared(shoal_private.sync_floor_key(v_floor));
    -- transaction-local; rolled back together with the lock when a savepoint is
    perform pg_catalog.set_config('shoal.sync_floor', v_floor::text, true);
  end if;
  new.change_seq := nextval('public.sync_change_seq');
  new.updated_at := now();
  if tg_op = 'UPDATE' and new.version is not distinct from old.version then
    new.version := old.version + 1;
  end if;
  if v_device is not null then
    new.device_id := v_device;
  elsif tg_op = 'UPDATE' and new.device_id is not distinct from old.device_id then
    new.device_id := null;
  end if;
  return new;
end
$$;

-- ------------------------------------------------------------------------ existing tables
alter table public.products
  add column device_id  uuid references public.devices(id) on delete set null,
  add column version    bigint not null default 1,
  add column change_seq bigint not null default nextval('public.sync_change_seq');
create index products_brand_change_seq_idx on public.products(brand_id, change_seq);
create trigger products_sync_stamp before insert or update on public.products
  for each row execute function shoal_private.sync_stamp();

alter table public.inventory_levels
  add column device_id  uuid references public.devices(id) on delete set null,
  add column version    bigint not null default 1,
  add column change_seq bigint not null default nextval('public.sync_change_seq');
create index inventory_levels_brand_change_seq_idx on public.inventory_levels(brand_id, change_seq);
create trigger inventory_levels_sync_stamp before insert or update on public.inventory_levels
  for each row execute function shoal_private.sync_stamp();

-- ------------------------------------------------------------------------ new tables
-- Ids come from the devices (records are created offline), hence no default.
create table public.customers (
  id          uuid primary key,
  brand_id    uuid not null references public.brands(id) on delete cascade,
  name        text not null check (length(name) between 1 and 200),
  email       text check (email is null or (length(email) <= 320 and email ~ '^[^@[:space:]]+@[^@[:space:]]+$')),
  phone       text check (phone is null or length(phone) between 1 and 40),
  note        text not null default '' check (length(note) <= 2000),
  device_id   uuid references public.devices(id) on delete set null,
  version     bigint not null default 1,
  change_seq  bigint not null default nextval('public.sync_change_seq'),
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  deleted_at  timestamptz
);
create index customers_brand_change_seq_idx on public.customers(brand_id, change_seq);

create table public.employees (
  id          uuid primary key,
  brand_id    uuid not null references public.brands(id) on delete cascade,
  name        text not null check (length(name) between 1 and 200),
  role        text not null default 'cashier' check (role in ('cashier', 'manager')),
  active      boolean not null default true,
  device_id   uuid references public.devices(id) on delete set null,
  version     bigint not null default 1,
  change_seq  bigint not null default nextval('public.sync_change_seq'),
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  deleted_at  timestamptz
);
create index employees_brand_change_seq_idx on public.employees(brand_id, change_seq);

create table public.shifts (
  id            uuid primary key,
  brand_id      uuid not null references public.brands(id) on delete cascade,
  employee_id   uuid references public.employees(id) on delete set null,
  store         text not null default '' check (length(store) <= 120),
  opened_at     timestamptz not null,
  closed_at     timestamptz check (closed_at is null or closed_at >= opened_at),
  opening_cash  bigint not null default 0 check (opening_cash >= 0),
  closing_cash  bigint check (closing_cash is null or closing_cash >= 0),
  device_id     uuid references public.devices(id) on delete set null,
  version       bigint not null default 1,
  change_seq    bigint not null default nextval('public.sync_change_seq'),
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  deleted_at    timestamptz
);
create index shifts_brand_change_seq_idx on public.shifts(brand_id, change_seq);

create table public.daily_reports (
  id             uuid primary key,
  brand_id       uuid not null references public.brands(id) on delete cascade,
  store          text not null default '' check (length(store) <= 120),
  business_date  date not null,
  totals         jsonb not null default '{}'::jsonb check (jsonb_typeof(totals) = 'object'),
  closed_at      timestamptz,
  device_id      uuid references public.devices(id) on delete set null,
  version        bigint not null default 1,
  change_seq     bigint not null default nextval('public.sync_change_seq'),
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  deleted_at     timestamptz,
  unique (brand_id, store, business_date)
);
create index daily_reports_brand_change_seq_idx on public.daily_reports(brand_id, change_seq);

-- In-store sales (the POS's own orders; online orders live in public.orders).
create table public.store_orders (
  id            uuid primary key,
  brand_id      uuid not null references public.brands(id) on delete cascade,
  number        text not null check (length(number) between 1 and 64),
  status        text not null default 'open' check (status in ('open', 'completed', 'voided', 'refunded')),
  currency      char(3) not null check (currency ~ '^[A-Z]{3}$'),
  total_amount  bigint not null check (total_amount >= 0),
  placed_at     timestamptz not null,
  customer_id   uuid references public.customers(id) on delete set null,
  employee_id   uuid references public.employees(id) on delete set null,
  shift_id      uuid references public.shifts(id) on delete set null,
  device_id     uuid references public.devices(id) on delete set null,
  version       bigint not null default 1,
  change_seq    bigint not null default nextval('public.sync_change_seq'),
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  deleted_at    timestamptz
);
create index store_orders_brand_change_seq_idx on public.store_orders(brand_id, change_seq);

-- Children carry no version: they are replaced wholesale whenever the order is pushed.
create table public.store_order_items (
  order_id     uuid not null references public.store_orders(id) on delete cascade,
  brand_id     uuid not null references public.brands(id) on delete cascade,
  line         integer not null check (line >= 1),
  sku          text not null check (length(sku) between 1 and 64),
  title        text not null default '' check (length(title) <= 200),
  quantity     integer not null check (quantity > 0),
  unit_amount  bigint not null check (unit_amount >= 0),
  primary key (order_id, line)
);
create index store_order_items_brand_id_idx on public.store_order_items(brand_id);

create table public.store_order_payments (
  order_id   uuid not null references public.store_orders(id) on delete cascade,
  brand_id   uuid not null references public.brands(id) on delete cascade,
  line       integer not null check (line >= 1),
  method     text not null check (method in ('cash', 'card', 'other')),
  amount     bigint not null check (amount >= 0),
  reference  text check (reference is null or length(reference) <= 200),
  primary key (order_id, line)
);
create index store_order_payments_brand_id_idx on public.store_order_payments(brand_id);

create trigger customers_sync_stamp before insert or update on public.customers
  for each row execute function shoal_private.sync_stamp();
create trigger employees_sync_stamp before insert or update on public.employees
  for each row execute function shoal_private.sync_stamp();
create trigger shifts_sync_stamp before insert or update on public.shifts
  for each row execute function shoal_private.sync_stamp();
create trigger daily_reports_sync_stamp before insert or update on public.daily_reports
  for each row execute function shoal_private.sync_stamp();
create trigger store_orders_sync_stamp before insert or update on public.store_orders
  for each row execute function shoal_private.sync_stamp();

-- Foreign keys that deleting a device, customer, employee or shift follows (set null):
-- partial indexes, since most rows point nowhere.
create index products_device_idx         on public.products(device_id)         where device_id is not null;
create index inventory_levels_device_idx on public.inventory_levels(device_id) where device_id is not null;
create index customers_device_idx        on public.customers(device_id)        where device_id is not null;
create index employees_device_idx        on public.employees(device_id)        where device_id is not null;
create index shifts_device_idx           on public.shifts(device_id)           where device_id is not null;
create index daily_reports_device_idx    on public.daily_reports(device_id)    where device_id is not null;
create index store_orders_device_idx     on public.store_orders(device_id)     where device_id is not null;
create index shifts_employee_idx         on public.shifts(employee_id)         where employee_id is not null;
create index store_orders_customer_idx   on public.store_orders(customer_id)   where customer_id is not null;
create index store_orders_employee_idx   on public.store_orders(employee_id)   where employee_id is not null;
create index store_orders_shift_idx      on public.store_orders(shift_id)      where shift_id is not null;

-- Applied mutations per device: a retried push answers "duplicate" instead of applying
-- twice. Only applied ones are recorded (a conflict or an invalid record may be re-sent).
-- Kept SYNC_MUTATION_DAYS (30) days, pruned by the cron run: a device must not replay a
-- push older than that (a replayed delta would apply again; records would conflict).
create table public.sync_mutations (
  device_id    uuid not null references public.devices(id) on delete cascade,
  mutation_id  uuid not null,
  brand_id     uuid not null references public.brands(id) on delete cascade,
  resource     text not null,
  record_id    uuid not null,
  result       jsonb not null,
  created_at   timestamptz not null default now(),
  primary key (device_id, mutation_id)
);
create index sync_mutations_brand_id_idx on public.sync_mutations(brand_id, created_at);
create index sync_mutations_created_idx on public.sync_mutations(created_at);

-- ------------------------------------------------------------------------ row level security
alter table public.customers            enable row level security;
alter table public.customers            force row level security;
alter table public.employees            enable row level security;
alter table public.employees            force row level security;
alter table public.shifts               enable row level security;
alter table public.shifts               force row level security;
alter table public.daily_reports        enable row level security;
alter table public.daily_reports        force row level security;
alter table public.store_orders         enable row level security;
alter table public.store_orders         force row level security;
alter table public.store_order_items    enable row level security;
alter table public.store_order_items    force row level security;
alter table public.store_order_payments enable row level security;
alter table public.store_order_payments force row level security;
alter table public.sync_mutations       enable row level security;
alter table public.sync_mutations       force row level security;

-- One read policy per table (Supabase's advisor: one permissive policy per role and
-- action): staff of every role (staff_may('read_orders') is every staff role) and the
-- brand's devices read the brand's records. Staff write nothing here directly (erasure
-- goes through its own function); devices write through edge_sync_push (below).
create policy "staff and devices can read their brand's customers" on public.customers for select to authenticated
  using (brand_id = (select shoal_private.claim_brand())
         and ((select shoal_private.staff_may('read_orders')) or (select shoal_private.claim_device()) is not null));
create policy "staff and devices can read their brand's employees" on public.employees for select to authenticated
  using (brand_id = (select shoal_private.claim_brand())
         and ((select shoal_private.staff_may('read_orders')) or (select shoal_private.claim_device()) is not null));
create policy "staff and devices can read their brand's shifts" on public.shifts for select to authenticated
  using (brand_id = (select shoal_private.claim_brand())
         and ((select shoal_private.staff_may('read_orders')) or (select shoal_private.claim_device()) is not null));
create policy "staff and devices can read their brand's daily reports" on public.daily_reports for select to authenticated
  using (brand_id = (select shoal_private.claim_brand())
         and ((select shoal_private.staff_may('read_orders')) or (select shoal_private.claim_device()) is not null));
create policy "staff and devices can read their brand's store orders" on public.store_orders for select to authenticated
  using (brand_id = (select shoal_private.claim_brand())
         and ((select shoal_private.staff_may('read_orders')) or (select shoal_private.claim_device()) is not null));
create policy "staff and devices can read their brand's store order items" on public.store_order_items for select to authenticated
  using (brand_id = (select shoal_private.claim_brand())
         and ((select shoal_private.staff_may('read_orders')) or (select shoal_private.claim_device()) is not null));
create policy "staff and devices can read their brand's store order payments" on public.store_order_payments for select to authenticated
  using (brand_id = (select shoal_private.claim_brand())
         and ((select shoal_private.staff_may('read_orders')) or (select shoal_private.claim_device()) is not null));

-- ------------------------------------------------------------------------ devices
-- A device token (app_role = device: shoal_private.claim_device() is set) pushes and pulls
-- its brand's records through edge_sync_push / edge_sync_pull, which run as the device:
-- these policies (and the read policies above) are the brand fence of sync. Staff tokens
-- match none of the write policies.
create policy "devices can add customers to their brand" on public.customers for insert to authenticated
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.claim_device()) is not null);

create policy "devices can add employees to their brand" on public.employees for insert to authenticated
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.claim_device()) is not null);
create policy "devices can change their brand's employees" on public.employees for update to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.claim_device()) is not null)
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.claim_device()) is not null);

create policy "devices can add shifts to their brand" on public.shifts for insert to authenticated
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.claim_device()) is not null);
create policy "devices can change their brand's shifts" on public.shifts for update to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.claim_device()) is not null)
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.claim_device()) is not null);

create policy "devices can add daily reports to their brand" on public.daily_reports for insert to authenticated
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.claim_device()) is not null);
create policy "devices can change their brand's daily reports" on public.daily_reports for update to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.claim_device()) is not null)
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.claim_device()) is not null);

create policy "devices can add store orders to their brand" on public.store_orders for insert to authenticated
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.claim_device()) is not null);
create policy "devices can change their brand's store orders" on public.store_orders for update to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.claim_device()) is not null)
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.claim_device()) is not null);

-- an order's items and payments are replaced wholesale: insert and delete, never update
create policy "devices can add store order items to their brand" on public.store_order_items for insert to authenticated
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.claim_device()) is not null);
create policy "devices can remove their brand's store order items" on public.store_order_items for delete to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.claim_device()) is not null);
create policy "devices can add store order payments to their brand" on public.store_order_payments for insert to authenticated
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.claim_device()) is not null);
create policy "devices can remove their brand's store order payments" on public.store_order_payments for delete to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.claim_device()) is not null);

-- the catalog: devices read all of it (drafts too) through the catalog's read policy for
-- authenticated callers of the brand (…000250_catalog.sql) and change products and stock
-- through the staff catalog write policies, which name devices too (…001200); stock rows
-- are inserted by no staff policy, so devices have one of their own
create policy "devices can add stock rows to their brand" on public.inventory_levels for insert to authenticated
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.claim_device()) is not null);

-- the mutation log: each device its own (what makes a retried push a duplicate)
create policy "devices can read their own applied mutations" on public.sync_mutations for select to authenticated
  using (device_id = (select shoal_private.claim_device()) and brand_id = (select shoal_private.claim_brand()));
create policy "devices can record their own applied mutations" on public.sync_mutations for insert to authenticated
  with check (device_id = (select shoal_private.claim_device()) and brand_id = (select shoal_private.claim_brand()));

grant select on public.customers, public.employees, public.shifts, public.daily_reports, public.store_orders,
                 public.store_order_items, public.store_order_payments to authenticated;
-- Column by column what edge_sync_push writes. The role is shared with staff, whom no
-- policy lets write these tables; version, change_seq, device_id and updated_at are the
-- stamp trigger's (never written by a statement).
grant insert (id, brand_id, name, email, phone, note), update (name, email, phone, note, deleted_at)
  on public.customers to authenticated;
grant insert (id, brand_id, name, role, active), update (name, role, active, deleted_at) on public.employees to authenticated;
grant insert (id, brand_id, employee_id, store, opened_at, closed_at, opening_cash, closing_cash),
      update (employee_id, store, opened_at, closed_at, opening_cash, closing_cash, deleted_at) on public.shifts to authenticated;
grant insert (id, brand_id, store, business_date, totals, closed_at), update (store, business_date, totals, closed_at, deleted_at)
  on public.daily_reports to authenticated;
grant insert (id, brand_id, number, status, currency, total_amount, placed_at, customer_id, employee_id, shift_id),
      update (number, status, currency, total_amount, placed_at, customer_id, employee_id, shift_id, deleted_at)
  on public.store_orders to authenticated;
grant insert, delete on public.store_order_items, public.store_order_payments to authenticated;
grant insert (id, brand_id, slug, title, description, status, category_id), update (slug, title, description, status, category_id)
  on public.products to authenticated;
grant insert (variant_id, brand_id, available), update (available) on public.inventory_levels to authenticated;
grant select, insert (device_id, mutation_id, brand_id, resource, record_id, result) on public.sync_mutations to authenticated;
-- the pull's ceiling reads the sequence's last value
grant select on sequence public.sync_change_seq to authenticated;
grant all on public.customers, public.employees, public.shifts, public.daily_reports, public.store_orders,
             public.store_order_items, public.store_order_payments, public.sync_mutations to service_role;

-- Erasure of a shopper (public.admin_erase_customer, …001600) runs as the data manager
-- (brand admin or super admin) and blanks an in-store customer's personal fields; devices
-- change customers through sync. One update policy for both (one permissive policy per
-- role and action); the export reads customers and store orders through the read
-- policies above (staff_may('read_orders') includes brand and super admins).
create policy "data managers erase their brand's in-store customers, devices change them"
  on public.customers for update to authenticated
  using (brand_id = (select shoal_private.claim_brand())
         and ((select shoal_private.staff_may('manage_data')) or (select shoal_private.claim_device()) is not null))
  with check (brand_id = (select shoal_private.claim_brand()));
grant update (name, email, phone, note) on public.customers to authenticated;
