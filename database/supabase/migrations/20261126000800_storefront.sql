-- =====================================================================================
-- Storefront reads, carts and checkout
-- =====================================================================================

-- ------------------------------------------------------------------------ catalog reads
-- SECURITY INVOKER on purpose: called with the shopper's token (anon + brand claim), so
-- RLS decides what is visible (active products of that brand only).
create function public.store_list_products(
  p_category text default null, p_query text default null, p_sort text default 'newest',
  p_offset integer default 0, p_limit integer default 24)
returns jsonb
language sql stable set search_path = ''
as $$
  with visible as (
    select p.id, p.slug, p.title, p.images, p.created_at, c.slug as category,
           (select min(v.price_amount) from public.variants v where v.product_id = p.id) as price_from,
           case when p_query is null then 0
                else ts_rank(p.search, websearch_to_tsquery('simple', p_query)) end as rank
      from public.products p
      left join public.categories c on c.id = p.category_id
     where (p_category is null or c.slug = p_category)
       and (p_query is null or p.search @@ websearch_to_tsquery('simple', p_query))
  ), page as (
    select * from visible
     order by
       case when p_sort = 'relevance' then rank end desc nulls last,
       case when p_sort = 'price_asc' then price_from end asc nulls last,
       case when p_sort = 'price_desc' then price_from end desc nulls last,
       case when p_sort = 'title' then lower(title) end asc nulls last,
       created_at desc, id
     offset greatest(p_offset, 0) limit least(greatest(p_limit, 1), 100) + 1
  )
  select jsonb_build_object(
    'items', coalesce((select jsonb_agg(jsonb_build_object('slug', slug, 'title', title, 'images', images,
                         'category', category, 'price_from', price_from)) from (select * from page limit least(greatest(p_limit, 1), 100)) x), '[]'::jsonb),
    'has_more', (select count(*) from page) > least(greatest(p_limit, 1), 100))
$$;

create function public.store_get_product(p_slug text)
returns jsonb
language sql stable set search_path = ''
as $$
  select jsonb_build_object(
    'slug', p.slug, 'title', p.title, 'description', p.description, 'images', p.images,
    'category', (select jsonb_build_object('slug', c.slug, 'name', c.name) from public.categories c where c.id = p.category_id),
    'variants', coalesce((select jsonb_agg(jsonb_build_object(
        'id', v.id, 'sku', v.sku, 'title', v.title, 'options', v.options,
        'price', v.price_amount, 'compare_at', v.compare_at_amount,
        'available', greatest(coalesce(i.available - i.reserved, 0), 0)) order by v.position, v.sku)
      from public.variants v left join public.inventory_levels i on i.variant_id = v.id
      where v.product_id = p.id), '[]'::jsonb))
  from public.products p where p.slug = p_slug
$$;

create function public.store_list_categories()
returns jsonb
language sql stable set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object('slug', slug, 'name', name) order by position, name), '[]'::jsonb)
  from public.categories
$$;

grant execute on function public.store_list_products(text, text, text, integer, integer),
                          public.store_get_product(text), public.store_list_categories()
  to anon, authenticated, service_role;

-- ------------------------------------------------------------------------ carts
-- Carts are reached by an id the worker signs into an HttpOnly cookie; these run as the
-- service role with the brand resolved from the Host, and check the cart is that brand's.
create function shoal_private.cart_json(p_brand_id uuid, p_cart_id uuid)
returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object(
    'id', p_cart_id,
    'currency', (select currency from public.brands where id = p_brand_id),
    'lines', coalesce(jsonb_agg(jsonb_build_object(
        'variant_id', v.id, 'sku', v.sku, 'product_slug', p.slug, 'title', p.title, 'variant_title', v.title,
        'quantity', l.quantity, 'unit_amount', v.price_amount,
        'available', greatest(coalesce(i.available - i.reserved, 0), 0)) order by l.added_at, v.sku)
      filter (where l.variant_id is not null), '[]'::jsonb))
  from (select 1) one
  left join public.cart_lines l on l.cart_id = p_cart_id and l.brand_id = p_brand_id
  left join public.variants v on v.id = l.variant_id
  left join public.products p on p.id = v.product_id
  left join public.inventory_levels i on i.variant_id = v.id
$$;

create function public.store_get_cart(p_brand_id uuid, p_cart_id uuid)
returns jsonb
language sql stable security definer set search_path = ''
as $$ select shoal_private.cart_json(p_brand_id, p_cart_id) $$;

-- Sets (p_mode 'set') or adds to (p_mode 'add') a line; quantity 0 removes it. Creates the
-- cart when p_cart_id is null or not this brand's. Quantities are checked here against
-- stock left (available - reserved) and the per-line maximum.
create function public.store_set_cart_line(p_brand_id uuid, p_cart_id uuid, p_variant_id uuid,
                                           p_quantity integer, p_mode text, p_max_per_line integer,
                                           p_max_units integer)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_cart uuid;
  v_left integer;
  v_quantity integer;
begin
  select id into v_cart from public.carts where id = p_cart_id and brand_id = p_brand_id;
  if v_cart is null then
    insert into public.carts (brand_id) values (p_brand_id) returning id into v_cart;
  end if;
  perform 1 from public.variants v join public.products p on p.id = v.product_id
   where v.id = p_variant_id and v.brand_id = p_brand_id and p.status = 'active';
  if not found then
    raise exception using errcode = 'PT404', message = 'variant_not_found';
  end if;
  v_quantity := p_quantity + case when p_mode = 'add'
    then coalesce((select quantity from public.cart_lines where cart_id = v_cart and variant_id = p_variant_id), 0) else 0 end;
  if v_quantity <= 0 then
    delete from public.cart_lines where cart_id = v_cart and variant_id = p_variant_id;
  else
    if v_quantity > p_max_per_line then
      raise exception using errcode = 'PT422', message = 'quantity_too_large', detail = format('at most %s', p_max_per_line);
    end if;
    -- a cart becomes one order: refuse here what checkout would refuse (the order cap)
    if v_quantity + coalesce((select sum(quantity) from public.cart_lines
                               where cart_id = v_cart and variant_id <> p_variant_id), 0) > p_max_units then
      raise exception using errcode = 'PT422', message = 'order_too_large', detail = format('at most %s units in one order', p_max_units);
    end if;
    select greatest(available - reserved, 0) into v_left from public.inventory_levels where variant_id = p_variant_id;
    if coalesce(v_left, 0) < v_quantity then
      raise exception using errcode = 'PT422', message = 'quantity_exceeds_stock', detail = format('%s left', coalesce(v_left, 0));
    end if;
    insert into public.cart_lines (cart_id, brand_id, variant_id, quantity) values (v_cart, p_brand_id, p_variant_id, v_quantity)
    on conflict (cart_id, variant_id) do update set quantity = excluded.quantity;
  end if;
  update public.carts set updated_at = now() where id = v_cart;
  return shoal_private.cart_json(p_brand_id, v_cart);
end
$$;

-- ------------------------------------------------------------------------ checkout holds
-- What an unpaid checkout holds and for whom: the cart it came from (a new checkout of the
-- same cart replaces it) and a keyed hash of the client's IP (never the IP itself), so the
-- caps on unpaid orders per email and per client can be counted. Paid or cancelled orders
-- keep their row but no longer count (the counts join on orders.status = 'pending').
create table public.checkout_holds (
  order_id    uuid primary key references public.orders(id) on delete cascade,
  brand_id    uuid not null references public.brands(id) on delete cascade,
  cart_id     uuid references public.carts(id) on delete set null,
  client_key  text not null check (client_key ~ '^[0-9a-f]{64}$'),
  created_at  timestamptz not null default now()
);
create index checkout_holds_cart_idx on public.checkout_holds(cart_id);
create index checkout_holds_client_idx on public.checkout_holds(brand_id, client_key);
create index orders_pending_email_idx on public.orders(brand_id, email) where status = 'pending';
alter table public.checkout_holds enable row level security;
alter table public.checkout_holds force row level security;
grant all on public.checkout_holds to service_role;

-- One price per variant in the brand's currency: `variants.price_amount`, which listing,
-- product page, cart, checkout and the staff price update all read and write. `prices`
-- holds other currencies only, so a second figure for the same thing cannot exist.
create function shoal_private.refuse_price_in_brand_currency() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if exists (select 1 from public.brands b where b.id = new.brand_id and b.currency = new.currency) then
    raise exception using errcode = 'PT422', message = 'price_in_brand_currency',
      detail = 'the price in the brand''s own currency is variants.price_amount';
  end if;
  return new;
end
$$;
create trigger prices_not_in_brand_currency before insert or update on public.prices
  for each row execute function shoal_private.refuse_price_in_brand_currency();

-- ------------------------------------------------------------------------ checkout
-- One transaction: price every line from the database (never from the client), take the
-- inventory rows in a fixed order (variant id) with FOR UPDATE, refuse what is not in
-- stock, create the pending order with its item snapshot and reserve the stock. The caps
-- keep one shopper from taking a shop's stock off sale: at most p_max_units units in one
-- order, at most p_max_pending_per_email unpaid orders per email and
-- p_max_pending_per_client per client (keyed IP hash) at a time, counted under advisory
-- locks so parallel checkouts of one email or client cannot both pass.
create function public.checkout_cart(p_brand_id uuid, p_cart_id uuid, p_email text, p_reservation_minutes integer,
                                     p_client_key text, p_max_units integer, p_max_pending_per_email integer,
                                     p_max_pending_per_client integer)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_brand public.brands;
  v_order public.orders;
  v_line record;
  v_total bigint := 0;
  v_count integer := 0;
begin
  select * into v_brand from public.brands where id = p_brand_id;
  if p_email is null or p_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then
    raise exception using errcode = 'PT422', message = 'invalid_email';
  end if;
  -- email lock first, then client lock, in every transaction: no lock cycle between them
  perform pg_advisory_xact_lock(hashtextextended('checkout:email:' || p_brand_id || ':' || lower(p_email), 0));
  perform pg_advisory_xact_lock(hashtextextended('checkout:client:' || p_brand_id || ':' || p_client_key, 0));
  if (select count(*) from public.orders o
       where o.brand_id = p_brand_id and o.email = lower(p_email) and o.status = 'pending') >= p_max_pending_per_email then
    raise exception using errcode = 'PT409', message = 'too_many_pending_checkouts',
      detail = format('at most %s unpaid checkouts per email; pay or cancel one first', p_max_pending_per_email);
  end if;
  if (select count(*) from public.checkout_holds h join public.orders o on o.id = h.order_id
       where h.brand_id = p_brand_id and h.client_key = p_client_key and o.status = 'pending') >= p_max_pending_per_client then
    raise exception using errcode = 'PT409', message = 'too_many_pending_checkouts',
      detail = format('at most %s unpaid checkouts at a time from one client; pay or cancel one first', p_max_pending_per_client);
  end if;
  if (select coalesce(sum(l.quantity), 0) from public.cart_lines l
       where l.cart_id = p_cart_id and l.brand_id = p_brand_id) > p_max_units then
    raise exception using errcode = 'PT422', message = 'order_too_large', detail = format('at most %s units in one order', p_max_units);
  end if;
  insert into public.orders (brand_id, email, currency, total_amount)
  values (p_brand_id, lower(p_email), v_brand.currency, 0) returning * into v_order;
  for v_line in
    select l.variant_id, l.quantity, v.sku, v.title as variant_title, p.title, p.status,
           v.price_amount as unit_amount, i.available, i.reserved
      from public.cart_lines l
      join public.carts c on c.id = l.cart_id and c.brand_id = p_brand_id
      join public.variants v on v.id = l.variant_id
      join public.products p on p.id = v.product_id
      join public.inventory_levels i on i.variant_id = v.id
     where l.cart_id = p_cart_id
     order by l.variant_id
       for update of i
  loop
    if v_line.status <> 'active' then
      raise exception using errcode = 'PT409', message = 'product_unavailable', detail = v_line.sku;
    end if;
    if v_line.available - v_line.reserved < v_line.quantity then
      raise exception using errcode = 'PT409', message = 'insufficient_stock', detail = v_line.sku;
    end if;
    update public.inventory_levels set reserved = reserved + v_line.quantity, updated_at = now()
     where variant_id = v_line.variant_id;
    insert into public.reservations (brand_id, order_id, variant_id, quantity, expires_at)
    values (p_brand_id, v_order.id, v_line.variant_id, v_line.quantity,
            now() + make_interval(mins => greatest(p_reservation_minutes, 1)));
    insert into public.order_items (brand_id, order_id, title, sku, unit_amount, quantity)
    values (p_brand_id, v_order.id,
            v_line.title || case when v_line.variant_title <> '' then ' — ' || v_line.variant_title else '' end,
            v_line.sku, v_line.unit_amount, v_line.quantity);
    v_total := v_total + v_line.unit_amount * v_line.quantity;
    v_count := v_count + 1;
  end loop;
  if v_count = 0 then
    raise exception using errcode = 'PT422', message = 'cart_empty';
  end if;
  insert into public.checkout_holds (order_id, brand_id, cart_id, client_key) values (v_order.id, p_brand_id, p_cart_id, p_client_key);
  update public.orders set total_amount = v_total where id = v_order.id returning * into v_order;
  insert into public.order_events (brand_id, order_id, kind, to_status, payment_status, cause)
  values (p_brand_id, v_order.id, 'created', 'pending', 'unpaid', 'checkout');
  return jsonb_build_object('id', v_order.id, 'number', v_order.number, 'email', v_order.email,
    'currency', v_order.currency, 'total_amount', v_order.total_amount,
    -- links back to the shop (Stripe's success and cancel URLs) name the primary host
    'primary_host', (select d.host from public.brand_domains d where d.brand_id = p_brand_id and d.is_primary and d.verified),
    'items', (select jsonb_agg(jsonb_build_object('title', title, 'sku', sku, 'unit_amount', unit_amount,
                                                  'quantity', quantity) order by id)
                from public.order_items where order_id = v_order.id));
end
$$;

-- The Stripe session exists: remember it, empty the cart.
create function public.attach_checkout_session(p_brand_id uuid, p_order_id uuid, p_session_id text, p_cart_id uuid)
returns void
language sql security definer set search_path = ''
as $$
  update public.orders set stripe_checkout_session_id = p_session_id, updated_at = now()
   where id = p_order_id and brand_id = p_brand_id;
  delete from public.cart_lines where cart_id = p_cart_id and brand_id = p_brand_id;
$$;

-- Unpaid checkouts to release before their reservation runs out: those of a cart about to
-- check out again (p_cart_id), or one order (p_order_id, from the shopper's signed cancel
-- link). Only orders whose Stripe session exists: the worker expires it first.
create function public.pending_checkouts(p_brand_id uuid, p_cart_id uuid, p_order_id uuid)
returns jsonb
language sql stable security definer set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object('order_id', o.id, 'session_id', o.stripe_checkout_session_id) order by o.created_at), '[]'::jsonb)
    from public.orders o
    left join public.checkout_holds h on h.order_id = o.id
   where o.brand_id = p_brand_id and o.status = 'pending' and o.stripe_checkout_session_id is not null
     and ((p_cart_id is not null and h.cart_id = p_cart_id) or (p_order_id is not null and o.id = p_order_id))
$$;

-- Stripe could not start the payment, or its session was expired (cancel link, replaced
-- checkout): the order is cancelled and its stock released. A shopper who cancelled finds
-- the order's items back in the cart it came from (when that cart is still empty).
create function public.abandon_checkout(p_brand_id uuid, p_order_id uuid, p_reason text)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_cart uuid;
begin
  perform 1 from public.orders where id = p_order_id and brand_id = p_brand_id and status = 'pending';
  if not found then
    return;
  end if;
  perform shoal_private.transition_order(p_order_id, 'cancelled', 'checkout', jsonb_build_object('reason', p_reason));
  select h.cart_id into v_cart from public.checkout_holds h where h.order_id = p_order_id and h.brand_id = p_brand_id;
  if p_reason = 'cancelled_by_shopper' and v_cart is not null
     and not exists (select 1 from public.cart_lines where cart_id = v_cart) then
    insert into public.cart_lines (cart_id, brand_id, variant_id, quantity)
    select v_cart, p_brand_id, v.id, sum(oi.quantity)::integer
      from public.order_items oi join public.variants v on v.brand_id = oi.brand_id and v.sku = oi.sku
     where oi.order_id = p_order_id
     group by v.id
    on conflict (cart_id, variant_id) do nothing;
  end if;
end
$$;

-- Cron: pending orders whose reservation ran out are cancelled and their stock returns.
create function public.expire_reservations()
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  v_order uuid;
  v_count integer := 0;
begin
  for v_order in
    select distinct r.order_id from public.reservations r join public.orders o on o.id = r.order_id
     where r.expires_at < now() and o.status = 'pending'
     order by r.order_id
  loop
    perform shoal_private.transition_order(v_order, 'cancelled', 'system:reservation_expired', '{}');
    v_count := v_count + 1;
  end loop;
  return v_count;
end
$$;

-- Order status for a shopper who knows the number and the email.
create function public.store_order_status(p_brand_id uuid, p_number bigint, p_email text)
returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object('number', o.number, 'status', o.status, 'payment_status', o.payment_status,
    'currency', o.currency, 'total_amount', o.total_amount, 'tracking_number', o.tracking_number,
    'created_at', o.created_at,
    'items', (select jsonb_agg(jsonb_build_object('title', title, 'sku', sku, 'unit_amount', unit_amount,
                                                  'quantity', quantity) order by id)
                from public.order_items where order_id = o.id))
  from public.orders o
  where o.brand_id = p_brand_id and o.number = p_number and o.email = lower(trim(p_email))
$$;

revoke execute on function public.store_get_cart(uuid, uuid), public.store_set_cart_line(uuid, uuid, uuid, integer, text, integer, integer),
  public.checkout_cart(uuid, uuid, text, integer, text, integer, integer, integer), public.attach_checkout_session(uuid, uuid, text, uuid),
  public.pending_checkouts(uuid, uuid, uuid), public.abandon_checkout(uuid, uuid, text), public.expire_reservations(),
  public.store_order_status(uuid, bigint, text)
  from public, anon, authenticated;
grant execute on function public.store_get_cart(uuid, uuid), public.store_set_cart_line(uuid, uuid, uuid, integer, text, integer, integer),
  public.checkout_cart(uuid, uuid, text, integer, text, integer, integer, integer), public.attach_checkout_session(uuid, uuid, text, uuid),
  public.pending_checkouts(uuid, uuid, uuid), public.abandon_checkout(uuid, uuid, text), public.expire_reservations(),
  public.store_order_status(uuid, bigint, text)
  to service_role;


-- ------------------------------------------------------------------------ catalog writes
-- A minimal staff write (title, status, price of a product's variants) until the dashboard's
-- catalog API arrives; the catalog version bump comes from the triggers. As the staff
-- member: the products' and variants' update policies (…001200) fence the brand and refuse
-- roles without manage_catalog; the product is looked up in the token's brand only.
create function public.admin_update_product(p_slug text, p_title text, p_status text, p_price bigint)
returns jsonb
language plpgsql set search_path = ''
as $$
declare
  v_brand uuid := shoal_private.claim_brand();
  v_id uuid;
begin
  perform shoal_private.require_staff('manage_catalog');
  update public.products
     set title = coalesce(p_title, title), status = coalesce(p_status, status), updated_at = now()
   where brand_id = v_brand and slug = p_slug
  returning id into v_id;
  if v_id is null then
    raise exception using errcode = 'PT404', message = 'product_not_found';
  end if;
  if p_price is not null then
    update public.variants set price_amount = p_price, compare_at_amount = null where product_id = v_id and brand_id = v_brand;
  end if;
  perform shoal_private.staff_audit('product_updated', p_slug,
    jsonb_strip_nulls(jsonb_build_object('title', p_title, 'status', p_status, 'price', p_price)));
  return jsonb_build_object('slug', p_slug, 'catalog_version', (select catalog_version from public.brands where id = v_brand),
                            'invalidate_hosts', coalesce((select jsonb_agg(host order by host) from public.brand_domains
                                                           where brand_id = v_brand), '[]'::jsonb));
end
$$;
revoke execute on function public.admin_update_product(text, text, text, bigint) from public, anon, service_role;
grant execute on function public.admin_update_product(text, text, text, bigint) to authenticated;
