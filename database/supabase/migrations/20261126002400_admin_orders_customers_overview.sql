-- =====================================================================================
-- The admin API's reads of orders, customers, devices and the overview, and staff refunds
-- =====================================================================================
-- Every public function here is SECURITY INVOKER and called by the worker with the staff
-- member's token: the tables' policies decide what it sees (another brand's rows, or rows
-- the role may not read, are simply not there). Brand and actor come from the token.
-- The one definer, shoal_private.record_refund, writes what no caller may write directly
-- (refund rows, the order's refunded total, the append-only timeline), as
-- shoal_private.transition_order does, and refuses an order of any brand but the token's.

-- ------------------------------------------------------------------------ days
-- The brand's calendar days (date filters, "today", the overview's days). Brands have no
-- time zone setting yet: every brand's days are UTC days. A `brands.timezone` column
-- replaces this one body when it lands.
create function shoal_private.brand_zone(p_brand_id uuid)
returns text language sql stable set search_path = '' as $$
  select 'UTC'::text
$$;

-- ------------------------------------------------------------------------ indexes
-- The order list's filters, each led by brand_id and ending in the list's sort key
-- (created_at desc, id desc: newest first, ties broken by id so a cursor is exact).
-- orders_brand_id_idx (brand_id, created_at desc, id desc) serves the unfiltered list, the
-- date range and the cursor; part of an email is found by trigrams (pg_trgm, trusted, in
-- the extensions schema as Supabase keeps it), a number by its unique index.
create extension if not exists pg_trgm with schema extensions;
create index orders_email_trgm_idx on public.orders using gin (lower(email) extensions.gin_trgm_ops);
create index orders_brand_status_idx on public.orders (brand_id, status, created_at desc, id desc);
create index orders_brand_payment_status_idx on public.orders (brand_id, payment_status, created_at desc, id desc);
-- customers are emails: their orders are found by lower(email)
create index orders_brand_email_idx on public.orders (brand_id, lower(email));
-- the overview's paid orders by day
create index orders_brand_paid_at_idx on public.orders (brand_id, paid_at) where paid_at is not null;
create index customers_brand_email_idx on public.customers (brand_id, lower(email));

-- ------------------------------------------------------------------------ order list
-- One page of the caller's brand's orders, newest first, after the cursor (created_at, id)
-- when given; p_limit rows at most (the worker asks one more to know whether a next page
-- exists). p_q: an order number ("1003" or "#1003") or part of the email, case-insensitive
-- ("#…" is a number only; LIKE's wildcards are taken literally). Dates are the brand's
-- days (shoal_private.brand_zone), both ends included. The query holds only the filters
-- given and is planned with their values (EXECUTE), so each filter uses its index (the
-- e2e test admin_orders_list explains the same query shapes).
create function public.admin_list_orders(
  p_status text default null, p_payment_status text default null, p_from date default null, p_to date default null,
  p_q text default null, p_after_at timestamptz default null, p_after_id uuid default null, p_limit integer default 25)
returns jsonb
language plpgsql stable set search_path = ''
as $$
declare
  v_brand uuid := shoal_private.claim_brand();
  v_q text := nullif(trim(p_q), '');
  v_num bigint;
  v_pattern text;
  v_where text := 'o.brand_id = $1';
  v_rows jsonb;
begin
  if v_brand is null then
    return '[]'::jsonb;
  end if;
  if v_q ~ '^#?[0-9]{1,18}$' then
    v_num := ltrim(v_q, '#')::bigint;
  end if;
  if v_q is not null and left(v_q, 1) <> '#' then
    v_pattern := '%' || replace(replace(replace(lower(v_q), '\', '\\'), '%', '\%'), '_', '\_') || '%';
  end if;
  if p_status is not null then v_where := v_where || ' and o.status = $2'; end if;
  if p_payment_status is not null then v_where := v_where || ' and o.payment_status = $3'; end if;
  if p_from is not null then v_where := v_where || ' and o.created_at >= ($4::timestamp at time zone $10)'; end if;
  if p_to is not null then v_where := v_where || ' and o.created_at < (($5 + 1)::timestamp at time zone $10)'; end if;
  if v_q is not null then
    v_where := v_where || case when v_num is not null and v_pattern is not null then ' and (o.number = $6 or lower(o.email) like $7)'
                               when v_num is not null then ' and o.number = $6'
                               when v_pattern is not null then ' and lower(o.email) like $7'
                               else ' and false' end;
  end if;
  if p_after_at is not null then v_where := v_where || ' and (o.created_at, o.id) < ($8, $9)'; end if;
  execute format($sql$
    select coalesce(jsonb_agg(jsonb_build_object(
             'id', o.id, 'number', o.number, 'email', o.email, 'status', o.status,
             'payment_status', o.payment_status, 'currency', o.currency, 'total_amount', o.total_amount,
             'amount_refunded', o.amount_refunded,
             'item_count', coalesce((select sum(i.quantity) from public.order_items i where i.order_id = o.id), 0),
             'created_at', o.created_at) order by o.created_at desc, o.id desc), '[]'::jsonb)
      from (select o.* from public.orders o where %s order by o.created_at desc, o.id desc limit $11) o
  $sql$, v_where)
  into v_rows
  using v_brand, p_status, p_payment_status, p_from, p_to, v_num, v_pattern, p_after_at, p_after_id,
        shoal_private.brand_zone(v_brand), greatest(1, least(p_limit, 10001));
  return v_rows;
end
$$;

-- ------------------------------------------------------------------------ refunds
-- A refund Stripe made at a staff member's request, recorded in the same transaction as
-- the order's refunded total, its timeline and the shopper's email. The refund id is the
-- key: recording the same refund twice (a retried request) changes nothing, and the
-- charge.refunded webhook (cumulative amount_refunded, greatest wins) never counts it a
-- second time. The order's total is the greater of what it had (a webhook may have seen
-- this refund first) and the sum of its recorded refunds, so neither order of arrival
-- double counts.
create function shoal_private.record_refund(
  p_order_id uuid, p_refund_id text, p_amount bigint, p_currency text, p_status text, p_reason text, p_actor text)
returns public.orders
language plpgsql security definer set search_path = ''
as $$
declare
  v_order public.orders;
  v_brand uuid := shoal_private.claim_brand();
  v_before bigint;
  v_sum bigint;
begin
  select * into v_order from public.orders where id = p_order_id for update;
  if not found or v_brand is null or v_order.brand_id is distinct from v_brand then
    raise exception using errcode = 'SH404', message = 'order not found';
  end if;
  if p_refund_id is null or p_refund_id !~ '^(re|pyr)_[A-Za-z0-9_]+$' or p_amount is null or p_amount <= 0 then
    raise exception using errcode = '22023', message = 'not a Stripe refund';
  end if;
  insert into public.refunds (id, brand_id, order_id, amount, currency, status, reason, created_by)
  values (p_refund_id, v_order.brand_id, v_order.id, p_amount, upper(p_currency), coalesce(p_status, 'pending'),
          nullif(trim(p_reason), ''), p_actor)
  on conflict (id) do nothing;
  if not found then
    return v_order;  -- already recorded: a retry
  end if;
  v_before := v_order.amount_refunded;
  select coalesce(sum(amount), 0) into v_sum from public.refunds
   where order_id = v_order.id and status not in ('failed', 'canceled');
  update public.orders
     set amount_refunded = greatest(amount_refunded, v_sum),
         payment_status = case when payment_status = 'disputed' then 'disputed'
                               when greatest(amount_refunded, v_sum) >= total_amount then 'refunded'
                               else 'partially_refunded' end,
         updated_at = now()
   where id = v_order.id
  returning * into v_order;
  perform shoal_private.order_note(v_order, 'refunded', p_actor,
    jsonb_strip_nulls(jsonb_build_object('refund_id', p_refund_id, 'amount', p_amount, 'amount_refunded', v_order.amount_refunded,
                                         'currency', v_order.currency, 'reason', nullif(trim(p_reason), ''))));
  if v_order.amount_refunded > v_before then
    perform shoal_private.enqueue_email(v_order.brand_id, v_order.email, 'refund_processed',
      jsonb_build_object('order_number', v_order.number, 'amount', v_order.amount_refunded, 'currency', v_order.currency));
  end if;
  return v_order;
end
$$;
grant execute on function shoal_private.record_refund(uuid, text, bigint, text, text, text, text) to authenticated;

-- What the worker may still refund of an order of the caller's brand (before it asks
-- Stripe); null when the caller sees no such order.
create function public.admin_refundable(p_order_id uuid)
returns jsonb
language sql stable set search_path = ''
as $$
  select jsonb_build_object('id', o.id, 'payment_status', o.payment_status, 'currency', o.currency,
           'total_amount', o.total_amount, 'amount_refunded', o.amount_refunded,
           'refundable', greatest(o.total_amount - o.amount_refunded, 0),
           'stripe_payment_intent_id', o.stripe_payment_intent_id, 'stripe_charge_id', o.stripe_charge_id)
    from public.orders o
   where o.id = p_order_id and o.brand_id = shoal_private.claim_brand()
$$;

-- A staff member records the refund Stripe just made for an order of their brand, audited
-- in the same transaction; answers the order as admin_get_order does.
create function public.staff_record_refund(p_order_id uuid, p_refund_id text, p_amount bigint, p_currency text,
                                           p_status text, p_reason text)
returns jsonb
language plpgsql set search_path = ''
as $$
declare
  v_order public.orders;
begin
  perform shoal_private.require_staff('manage_orders');
  if not exists (select 1 from public.orders where id = p_order_id and brand_id = shoal_private.claim_brand()) then
    raise exception using errcode = 'PT404', message = 'order_not_found';
  end if;
  v_order := shoal_private.record_refund(p_order_id, p_refund_id, p_amount, p_currency, p_status, p_reason,
                                         shoal_private.claim_actor()::text);
  perform shoal_private.staff_audit('order_refunded', p_order_id::text,
    jsonb_strip_nulls(jsonb_build_object('refund_id', p_refund_id, 'amount', p_amount, 'currency', upper(p_currency),
                                         'amount_refunded', v_order.amount_refunded, 'reason', nullif(trim(p_reason), ''))));
  return public.admin_get_order(p_order_id);
end
$$;

-- ------------------------------------------------------------------------ customers
-- A customer of a brand is an email address: every distinct (case-folded) email of its
-- online orders and of its in-store customers (public.customers, from the edge sync), one
-- customer each, its id derived from brand and email so it is stable without a table of
-- its own. An in-store customer without an email is a customer of its own (its row id).
-- order_count counts paid online orders and completed in-store orders; total_spent is what
-- they brought net of refunds, in the brand's currency (orders in other currencies are
-- counted, not summed). Computed per request from the orders: a table of customers is a
-- later step when brands grow (docs/architecture.md).
create function shoal_private.customer_id(p_brand_id uuid, p_email text)
returns uuid language sql immutable set search_path = '' as $$
  select md5('customer:' || p_brand_id::text || ':' || lower(p_email))::uuid
$$;

create function shoal_private.brand_customers()
returns table (id uuid, email text, name text, phone text, order_count bigint, total_spent bigint, currency text,
               last_order_at timestamptz, sort_key text, store_customer_ids uuid[])
language sql stable set search_path = ''
as $$
  with b as (
    select br.id, br.currency from public.brands br where br.id = shoal_private.claim_brand()
  ), online as (
    select lower(o.email) as email,
           count(*) filter (where o.paid_at is not null) as paid,
           coalesce(sum(o.total_amount - o.amount_refunded) filter (where o.paid_at is not null and o.currency = b.currency), 0) as spent,
           max(o.created_at) as last_at
      from public.orders o join b on o.brand_id = b.id
     group by lower(o.email)
  ), store as (
    select c.id, lower(c.email) as email, c.name, c.phone, c.updated_at,
           (select count(*) from public.store_orders so where so.customer_id = c.id and so.deleted_at is null
               and so.status = 'completed') as paid,
           (select coalesce(sum(so.total_amount), 0) from public.store_orders so where so.customer_id = c.id
               and so.deleted_at is null and so.status = 'completed' and so.currency = b.currency) as spent,
           (select max(so.placed_at) from public.store_orders so where so.customer_id = c.id and so.deleted_at is null) as last_at
      from public.customers c join b on c.brand_id = b.id
     where c.deleted_at is null
  ), emails as (
    select email from online union select email from store where email is not null
  )
  select shoal_private.customer_id(b.id, e.email), e.email,
         (select s.name from store s where s.email = e.email order by s.updated_at desc limit 1),
         (select s.phone from store s where s.email = e.email and s.phone is not null order by s.updated_at desc limit 1),
         coalesce(o.paid, 0) + coalesce((select sum(s.paid) from store s where s.email = e.email), 0)::bigint,
         coalesce(o.spent, 0) + coalesce((select sum(s.spent) from store s where s.email = e.email), 0)::bigint,
         b.currency::text,
         greatest(o.last_at, (select max(s.last_at) from store s where s.email = e.email)),
         e.email,
         coalesce((select array_agg(s.id) from store s where s.email = e.email), '{}')
    from emails e cross join b left join online o on o.email = e.email
  union all
  select s.id, null, s.name, s.phone, s.paid, s.spent, b.currency::text, s.last_at,
         -- after every email (emails never start with U+FFFF), then by name
         chr(65535) || lower(s.name), array[s.id]
    from store s cross join b
   where s.email is null
$$;

-- One page of the brand's customers in (sort_key, id) order after the cursor; p_q matches
-- part of the email or the name, case-insensitive.
create function public.admin_list_customers(p_q text default null, p_after_key text default null,
                                            p_after_id uuid default null, p_limit integer default 25)
returns jsonb
language sql stable set search_path = ''
as $$
  with t as (
    select case when nullif(trim(p_q), '') is not null
                then '%' || replace(replace(replace(lower(trim(p_q)), '\', '\\'), '%', '\%'), '_', '\_') || '%' end as pattern
  )
  select coalesce(jsonb_agg(jsonb_build_object(
           'id', c.id, 'email', c.email, 'name', c.name, 'order_count', c.order_count,
           'total_spent', c.total_spent, 'currency', c.currency, 'last_order_at', c.last_order_at,
           'sort_key', c.sort_key) order by c.sort_key, c.id), '[]'::jsonb)
  from (
    select c.* from shoal_private.brand_customers() c, t
     where (t.pattern is null or c.email like t.pattern or lower(c.name) like t.pattern)
       and (p_after_key is null or (c.sort_key, c.id) > (p_after_key, p_after_id))
     order by c.sort_key, c.id
     limit greatest(1, least(p_limit, 101))
  ) c
$$;

-- One customer of the brand with their online orders (newest first, the order list's
-- item shape, the latest 100) and in-store orders; null when there is none.
create function public.admin_get_customer(p_customer_id uuid)
returns jsonb
language sql stable set search_path = ''
as $$
  select jsonb_build_object(
    'id', c.id, 'email', c.email, 'name', c.name, 'phone', c.phone, 'order_count', c.order_count,
    'total_spent', c.total_spent, 'currency', c.currency, 'last_order_at', c.last_order_at,
    'orders', coalesce((select jsonb_agg(x order by x->>'created_at' desc) from (
        select jsonb_build_object('id', o.id, 'number', o.number, 'email', o.email, 'status', o.status,
                 'payment_status', o.payment_status, 'currency', o.currency, 'total_amount', o.total_amount,
                 'amount_refunded', o.amount_refunded,
                 'item_count', coalesce((select sum(i.quantity) from public.order_items i where i.order_id = o.id), 0),
                 'created_at', o.created_at) as x
          from public.orders o
         where c.email is not null and o.brand_id = shoal_private.claim_brand() and lower(o.email) = c.email
         order by o.created_at desc limit 100) l), '[]'::jsonb),
    'store_orders', coalesce((select jsonb_agg(jsonb_build_object('id', so.id, 'number', so.number, 'status', so.status,
                 'currency', so.currency, 'total_amount', so.total_amount, 'placed_at', so.placed_at) order by so.placed_at desc)
          from public.store_orders so
         where so.customer_id = any (c.store_customer_ids) and so.deleted_at is null), '[]'::jsonb))
  from shoal_private.brand_customers() c
  where c.id = p_customer_id
$$;

-- ------------------------------------------------------------------------ devices
-- The brand's devices with what their status needs (the worker reasons with
-- shoal_domain::device_status as GET /edge/v1/status does); device managers only (the
-- devices' policy). cert_expires_epoch: the same instant in seconds.
create function public.admin_list_devices()
returns jsonb
language sql stable set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object(
           'id', d.id, 'name', d.name, 'store', d.store, 'status', d.status, 'last_seen_at', d.last_seen_at,
           'certificate_expires_at', d.cert_expires_at, 'cert_expires_epoch', extract(epoch from d.cert_expires_at)::bigint,
           'revoked_at', d.revoked_at, 'revoked_reason', d.revoked_reason, 'app_version', d.app_version,
           'created_at', d.created_at) order by d.created_at desc, d.id), '[]'::jsonb)
    from public.devices d
   where d.brand_id = shoal_private.claim_brand()
$$;

-- One device with its latest 50 commands (newest first) and their acknowledgements.
create function public.admin_get_device(p_device_id uuid)
returns jsonb
language sql stable set search_path = ''
as $$
  select jsonb_build_object(
           'id', d.id, 'name', d.name, 'store', d.store, 'status', d.status, 'last_seen_at', d.last_seen_at,
           'certificate_expires_at', d.cert_expires_at, 'cert_expires_epoch', extract(epoch from d.cert_expires_at)::bigint,
           'revoked_at', d.revoked_at, 'revoked_reason', d.revoked_reason, 'app_version', d.app_version,
           'created_at', d.created_at,
           'commands', coalesce((select jsonb_agg(x order by x->>'created_at' desc) from (
               select jsonb_build_object('id', c.id, 'kind', c.kind, 'status', c.status, 'deliveries', c.deliveries,
                        'created_at', c.created_at, 'expires_at', c.expires_at, 'acknowledged_at', c.acked_at,
                        'result', c.result_message) as x
                 from public.device_commands c
                where c.device_id = d.id and c.brand_id = d.brand_id
                order by c.created_at desc limit 50) l), '[]'::jsonb))
    from public.devices d
   where d.id = p_device_id and d.brand_id = shoal_private.claim_brand()
$$;

-- ------------------------------------------------------------------------ overview
-- Today's and the last 30 days' paid orders (by the day they were paid, the brand's days)
-- and revenue (net of refunds, orders in the brand's currency only); low stock; the
-- subscription's state. Low stock: variants of non-archived products whose `available`
-- is at or under their threshold — inventory_levels.low_stock_threshold when that column
-- exists (read through to_jsonb so this function needs no change when it lands), else 5.
create function public.admin_overview()
returns jsonb
language sql stable set search_path = ''
as $$
  with b as (
    select br.id, br.currency, shoal_private.brand_zone(br.id) as zone,
           (now() at time zone shoal_private.brand_zone(br.id))::date as today
      from public.brands br where br.id = shoal_private.claim_brand()
  ), paid as (
    select (o.paid_at at time zone b.zone)::date as day, o.total_amount - o.amount_refunded as net
      from public.orders o join b on o.brand_id = b.id
     where o.paid_at is not null and o.currency = b.currency
       and o.paid_at >= ((b.today - 29)::timestamp at time zone b.zone)
  ), days as (
    select d::date as day, count(p.day) as orders, coalesce(sum(p.net), 0)::bigint as revenue
      from b cross join generate_series(b.today - 29, b.today, interval '1 day') d
      left join paid p on p.day = d::date
     group by d
  ), stock as (
    select i.variant_id, p.title as product_title, v.sku, i.available, i.reserved,
           coalesce((to_jsonb(i) ->> 'low_stock_threshold')::integer, 5) as threshold
      from public.inventory_levels i
      join b on i.brand_id = b.id
      join public.variants v on v.id = i.variant_id
      join public.products p on p.id = v.product_id
     where p.status <> 'archived'
  )
  select jsonb_build_object(
    'currency', b.currency,
    'today', (select jsonb_build_object('orders', d.orders, 'revenue', d.revenue) from days d where d.day = b.today),
    'last_30_days', jsonb_build_object(
       'orders', (select sum(orders) from days), 'revenue', (select sum(revenue) from days),
       'by_day', (select jsonb_agg(jsonb_build_object('date', d.day, 'orders', d.orders, 'revenue', d.revenue) order by d.day) from days d)),
    'low_stock', coalesce((select jsonb_agg(jsonb_build_object('variant_id', s.variant_id, 'product_title', s.product_title,
                    'sku', s.sku, 'available', s.available, 'reserved', s.reserved, 'low_stock_threshold', s.threshold)
                    order by s.available, s.sku)
                  from (select * from stock where available <= threshold order by available, sku limit 50) s), '[]'::jsonb),
    'subscription', (select jsonb_build_object('state', st->>'status', 'plan', st->>'plan',
                        'trial_ends_at', st->>'trial_end', 'grace_ends_at', st->>'grace_period_ends_at')
                       from shoal_private.billing_state(b.id) st))
  from b
$$;

revoke execute on function public.admin_list_orders(text, text, date, date, text, timestamptz, uuid, integer),
  public.admin_refundable(uuid), public.staff_record_refund(uuid, text, bigint, text, text, text),
  public.admin_list_customers(text, text, uuid, integer), public.admin_get_customer(uuid),
  public.admin_list_devices(), public.admin_get_device(uuid), public.admin_overview()
  from public, anon, service_role;
grant execute on function public.admin_list_orders(text, text, date, date, text, timestamptz, uuid, integer),
  public.admin_refundable(uuid), public.staff_record_refund(uuid, text, bigint, text, text, text),
  public.admin_list_customers(text, text, uuid, integer), public.admin_get_customer(uuid),
  public.admin_list_devices(), public.admin_get_device(uuid), public.admin_overview()
  to authenticated;
grant execute on function shoal_private.brand_zone(uuid), shoal_private.customer_id(uuid, text),
  shoal_private.brand_customers() to authenticated;
