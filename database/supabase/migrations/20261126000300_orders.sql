-- =====================================================================================
-- Orders: fulfilment state machine, payment status, item snapshot, timeline, refunds
-- =====================================================================================

-- The allowed transitions, the same table as shoal-domain's order::state::TRANSITIONS
-- (an end-to-end test compares them row for row).
create table public.order_transitions (
  from_status text not null,
  to_status   text not null,
  primary key (from_status, to_status)
);
insert into public.order_transitions values
  ('pending', 'paid'), ('pending', 'failed'), ('pending', 'cancelled'),
  ('paid', 'processing'), ('paid', 'cancelled'),
  ('processing', 'shipped'), ('processing', 'cancelled'),
  ('shipped', 'delivered'), ('shipped', 'returned'),
  ('delivered', 'returned');

create sequence public.order_number_seq start 1001;

create table public.orders (
  id                          uuid primary key default extensions.gen_random_uuid(),
  brand_id                    uuid not null references public.brands(id),
  number                      bigint not null unique default nextval('public.order_number_seq'),
  email                       text not null check (position('@' in email) > 1),
  status                      text not null default 'pending'
    check (status in ('pending','paid','failed','cancelled','processing','shipped','delivered','returned')),
  payment_status              text not null default 'unpaid'
    check (payment_status in ('unpaid','paid','partially_refunded','refunded','disputed')),
  currency                    char(3) not null check (currency ~ '^[A-Z]{3}$'),
  total_amount                bigint not null check (total_amount >= 0),
  amount_refunded             bigint not null default 0 check (amount_refunded >= 0),
  -- set when Stripe reports money that does not match the order: staff must look
  needs_review                boolean not null default false,
  review_reason               text,
  stripe_checkout_session_id  text unique,
  stripe_payment_intent_id    text unique,
  stripe_charge_id            text unique,
  tracking_number             text,
  paid_at                     timestamptz,
  created_at                  timestamptz not null default now(),
  updated_at                  timestamptz not null default now()
);
alter sequence public.order_number_seq owned by public.orders.number;
-- the admin order list's sort key (newest first, id breaks ties): its cursor is exact
create index orders_brand_id_idx on public.orders(brand_id, created_at desc, id desc);

-- What was bought, frozen at checkout (prices may change later).
create table public.order_items (
  id          bigint generated always as identity primary key,
  brand_id    uuid not null references public.brands(id),
  order_id    uuid not null references public.orders(id) on delete cascade,
  title       text not null,
  sku         text not null,
  unit_amount bigint not null check (unit_amount >= 0),
  quantity    integer not null check (quantity > 0)
);
create index order_items_brand_id_idx on public.order_items(brand_id);
create index order_items_order_id_idx on public.order_items(order_id);

-- Timeline: every status or payment change, with its cause (a Stripe event id or a staff user).
create table public.order_events (
  id                  bigint generated always as identity primary key,
  brand_id            uuid not null references public.brands(id),
  order_id            uuid not null references public.orders(id) on delete cascade,
  kind                text not null,
  from_status         text,
  to_status           text,
  payment_status      text,
  cause               text not null,
  detail              jsonb not null default '{}'::jsonb,
  at                  timestamptz not null default now()
);
create index order_events_brand_id_idx on public.order_events(brand_id);
create index order_events_order_id_idx on public.order_events(order_id, at);

-- Stock held for a pending order; taken from `available` when paid, released otherwise.
create table public.reservations (
  id          bigint generated always as identity primary key,
  brand_id    uuid not null references public.brands(id),
  order_id    uuid not null references public.orders(id) on delete cascade,
  variant_id  uuid not null references public.variants(id),
  quantity    integer not null check (quantity > 0),
  expires_at  timestamptz not null
);
create index reservations_brand_id_idx on public.reservations(brand_id);
create index reservations_order_id_idx on public.reservations(order_id);
create index reservations_expires_at_idx on public.reservations(expires_at);

create table public.refunds (
  id               text primary key,            -- Stripe refund id
  brand_id         uuid not null references public.brands(id),
  order_id         uuid not null references public.orders(id) on delete cascade,
  amount           bigint not null check (amount >= 0),
  currency         char(3) not null,
  status           text not null,
  -- as staff gave it (admin API), and who asked (a staff account id); null for refunds
  -- Stripe reported that Shoal did not ask for
  reason           text check (reason is null or length(reason) <= 500),
  created_by       text,
  created_at       timestamptz not null default now()
);
create index refunds_brand_id_idx on public.refunds(brand_id);

-- ------------------------------------------------------------------------ row level security
alter table public.order_transitions enable row level security;
alter table public.order_transitions force row level security;
alter table public.orders       enable row level security;
alter table public.orders       force row level security;
alter table public.order_items  enable row level security;
alter table public.order_items  force row level security;
alter table public.order_events enable row level security;
alter table public.order_events force row level security;
alter table public.reservations enable row level security;
alter table public.reservations force row level security;
alter table public.refunds      enable row level security;
alter table public.refunds      force row level security;

create policy "anyone can read the order transition table"
  on public.order_transitions for select to anon, authenticated using (true);

-- Staff who may read orders (shoal_private.staff_may: every staff role) see their own
-- brand's; devices and shoppers see none. brand_id leads an index on each table.
create policy "staff can read their brand's orders"
  on public.orders for select to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('read_orders')));
create policy "staff can read their brand's order items"
  on public.order_items for select to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('read_orders')));
create policy "staff can read their brand's order timeline"
  on public.order_events for select to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('read_orders')));
create policy "staff can read their brand's reservations"
  on public.reservations for select to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('read_orders')));
create policy "staff can read their brand's refunds"
  on public.refunds for select to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('read_orders')));

-- Status, stock and timeline change only through shoal_private.transition_order (a
-- definer: the timeline is append-only and stock is no caller's to write). The one
-- direct staff write is erasure's anonymised email (…001600_data_export_and_erasure.sql).

grant select on public.order_transitions to anon, authenticated;
grant select on public.orders, public.order_items, public.order_events, public.refunds, public.reservations to authenticated;
grant all on public.orders, public.order_items, public.order_events, public.refunds, public.order_transitions,
             public.reservations to service_role;
grant usage on sequence public.order_number_seq to service_role;

-- ------------------------------------------------------------------------ stock
-- What a transition does to the order's stock, in the same transaction:
--   → paid: reserved stock is taken (available and reserved both drop);
--   pending → failed/cancelled: the reservation is released;
--   paid/processing → cancelled: the items never left, so they go back to available.
create function shoal_private.settle_stock(p_order_id uuid, p_from text, p_to text)
returns void language plpgsql security definer set search_path = '' as $$
begin
  if p_to = 'paid' then
    update public.inventory_levels i
       set available = i.available - r.qty, reserved = i.reserved - r.qty, updated_at = now()
      from (select variant_id, sum(quantity)::int as qty from public.reservations
             where order_id = p_order_id group by variant_id) r
     where i.variant_id = r.variant_id;
    delete from public.reservations where order_id = p_order_id;
  elsif p_from = 'pending' and p_to in ('failed', 'cancelled') then
    update public.inventory_levels i
       set reserved = i.reserved - r.qty, updated_at = now()
      from (select variant_id, sum(quantity)::int as qty from public.reservations
             where order_id = p_order_id group by variant_id) r
     where i.variant_id = r.variant_id;
    delete from public.reservations where order_id = p_order_id;
  elsif p_from in ('paid', 'processing') and p_to = 'cancelled' then
    update public.inventory_levels i
       set available = i.available + it.qty, updated_at = now()
      from (select v.id as variant_id, sum(oi.quantity)::int as qty
              from public.order_items oi join public.variants v on v.brand_id = oi.brand_id and v.sku = oi.sku
             where oi.order_id = p_order_id group by v.id) it
     where i.variant_id = it.variant_id;
  end if;
end
$$;

-- ------------------------------------------------------------------------ transitions
-- Raises SQLSTATE 'SH409' for a forbidden transition; callers decide whether that is an
-- error (staff) or an ignored, logged event (an out-of-order webhook).
-- SECURITY DEFINER because a transition writes what no caller may write directly (stock
-- levels, the append-only timeline, the status itself). It is reached by the Stripe
-- webhook (service role, no brand in the token), cron, and by staff through
-- public.staff_transition_order (authenticated): when the token carries a brand, the
-- order must be that brand's, so a caller can never move another brand's order even if
-- the function calling this one forgot to check. A shipment's tracking number comes in
-- p_detail and is stored with the status.
create function shoal_private.transition_order(p_order_id uuid, p_to text, p_cause text, p_detail jsonb default '{}')
returns public.orders
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_order public.orders;
  v_from  text;
  v_brand uuid := shoal_private.claim_brand();
begin
  select * into v_order from public.orders where id = p_order_id for update;
  if not found or (v_brand is not null and v_order.brand_id is distinct from v_brand) then
    raise exception using errcode = 'SH404', message = 'order not found';
  end if;
  if not exists (select 1 from public.order_transitions where from_status = v_order.status and to_status = p_to) then
    raise exception using errcode = 'SH409',
      message = format('forbidden transition %s -> %s', v_order.status, p_to);
  end if;
  v_from := v_order.status;
  update public.orders
     set status = p_to,
         updated_at = now(),
         paid_at = case when p_to = 'paid' then now() else paid_at end,
         tracking_number = case when p_to = 'shipped' then coalesce(nullif(trim(p_detail ->> 'tracking_number'), ''), tracking_number)
                                else tracking_number end
   where id = p_order_id
  returning * into v_order;
  perform shoal_private.settle_stock(p_order_id, v_from, p_to);
  insert into public.order_events (brand_id, order_id, kind, from_status, to_status, payment_status, cause, detail)
  values (v_order.brand_id, v_order.id, 'status_changed', v_from, p_to, v_order.payment_status, p_cause, p_detail);
  return v_order;
end
$$;
-- staff reach it through the invoker public.staff_transition_order
grant execute on function shoal_private.transition_order(uuid, text, text, jsonb) to authenticated;
