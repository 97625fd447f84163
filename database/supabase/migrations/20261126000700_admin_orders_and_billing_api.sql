-- =====================================================================================
-- Staff order transitions and billing for the admin API
-- =====================================================================================
-- Called by the worker as the staff member (role authenticated, brand_id / sub / app_role
-- in the token): SECURITY INVOKER, so the orders' and subscriptions' policies decide what
-- the caller reads and writes; brand and actor come from the token, never a parameter.
-- Errors use PostgREST's PTxxx codes so the HTTP status comes through as xxx.

-- One order of the caller's brand with its items and timeline; null when the policies
-- show no such order (another brand's, or none).
create function public.admin_get_order(p_order_id uuid)
returns jsonb
language sql stable set search_path = ''
as $$
  select jsonb_build_object(
    'id', o.id, 'number', o.number, 'email', o.email, 'status', o.status,
    'payment_status', o.payment_status, 'currency', o.currency, 'total_amount', o.total_amount,
    'amount_refunded', o.amount_refunded, 'needs_review', o.needs_review, 'review_reason', o.review_reason,
    'tracking_number', o.tracking_number, 'stripe_payment_intent_id', o.stripe_payment_intent_id,
    'created_at', o.created_at, 'paid_at', o.paid_at,
    -- the money side: the payment Stripe took (one per order: Checkout) and the refunds
    'payments', case when o.paid_at is not null or o.stripe_payment_intent_id is not null then
                  jsonb_build_array(jsonb_build_object('provider', 'stripe', 'payment_intent', o.stripe_payment_intent_id,
                    'charge', o.stripe_charge_id, 'amount', o.total_amount, 'currency', o.currency,
                    'status', case when o.paid_at is null then 'pending' else o.payment_status end, 'paid_at', o.paid_at))
                else '[]'::jsonb end,
    'refunds', coalesce((select jsonb_agg(jsonb_build_object('id', r.id, 'amount', r.amount, 'currency', r.currency,
                         'reason', r.reason, 'status', r.status, 'created_at', r.created_at) order by r.created_at, r.id)
                       from public.refunds r where r.order_id = o.id), '[]'::jsonb),
    'items', coalesce((select jsonb_agg(jsonb_build_object('title', i.title, 'sku', i.sku,
                         'unit_amount', i.unit_amount, 'quantity', i.quantity) order by i.id)
                       from public.order_items i where i.order_id = o.id), '[]'::jsonb),
    'timeline', coalesce((select jsonb_agg(jsonb_build_object('kind', e.kind, 'from', e.from_status,
                         'to', e.to_status, 'payment_status', e.payment_status, 'cause', e.cause, 'detail', e.detail, 'at', e.at)
                         order by e.at, e.id)
                       from public.order_events e where e.order_id = o.id), '[]'::jsonb))
  from public.orders o
  where o.id = p_order_id and o.brand_id = shoal_private.claim_brand()
$$;

-- A staff member moves an order of their brand. The transition itself (status, stock,
-- timeline, tracking number) is shoal_private.transition_order, which refuses an order
-- of any brand but the token's as well.
create function public.staff_transition_order(p_order_id uuid, p_to text, p_tracking text)
returns jsonb
language plpgsql set search_path = ''
as $$
declare
  v_order public.orders;
  v_from text;
begin
  perform shoal_private.require_staff('manage_orders');
  select * into v_order from public.orders where id = p_order_id and brand_id = shoal_private.claim_brand();
  if not found then
    raise exception using errcode = 'PT404', message = 'order_not_found';
  end if;
  if p_to not in ('processing', 'shipped', 'delivered', 'cancelled', 'returned') then
    raise exception using errcode = 'PT422', message = 'status_not_settable_by_staff';
  end if;
  if p_to = 'shipped' and coalesce(trim(p_tracking), '') = '' then
    raise exception using errcode = 'PT422', message = 'tracking_number_required';
  end if;
  v_from := v_order.status;
  begin
    v_order := shoal_private.transition_order(p_order_id, p_to, shoal_private.claim_actor()::text,
      jsonb_strip_nulls(jsonb_build_object('tracking_number', nullif(trim(p_tracking), ''))));
  exception when sqlstate 'SH409' then
    raise exception using errcode = 'PT409', message = 'forbidden_transition',
      detail = format('%s -> %s', v_from, p_to);
  end;
  if p_to = 'shipped' then
    perform shoal_private.enqueue_email(v_order.brand_id, v_order.email, 'order_shipped',
      jsonb_build_object('order_number', v_order.number, 'tracking_number', v_order.tracking_number));
  end if;
  perform shoal_private.staff_audit('order_status_changed', p_order_id::text, jsonb_build_object('from', v_from, 'to', p_to));
  return public.admin_get_order(p_order_id);
end
$$;

-- The Stripe customer Shoal created for the brand's subscription (before its Checkout
-- Session): billing events find the brand by it, never by metadata. The first one stored
-- wins, so two staff starting a checkout at once share one customer. The subscription
-- row's policies let a billing manager add only an `incomplete` row or a missing customer.
create function public.admin_bind_billing_customer(p_customer text)
returns text
language plpgsql
set search_path = ''
as $$
declare
  v_brand uuid := shoal_private.claim_brand();
  v_customer text;
begin
  perform shoal_private.require_staff('manage_billing');
  if p_customer is null or p_customer !~ '^cus_[A-Za-z0-9]+$' then
    raise exception using errcode = '22023', message = 'not a Stripe customer id';
  end if;
  insert into public.brand_subscriptions (brand_id, stripe_customer_id, status)
  values (v_brand, p_customer, 'incomplete')
  on conflict (brand_id) do nothing;
  if not found then
    update public.brand_subscriptions set stripe_customer_id = p_customer
     where brand_id = v_brand and stripe_customer_id is null;
  end if;
  select stripe_customer_id into v_customer from public.brand_subscriptions where brand_id = v_brand;
  if v_customer = p_customer then
    perform shoal_private.staff_audit('billing_customer_created', p_customer, '{}');
  end if;
  return v_customer;
end
$$;

revoke execute on function public.admin_get_order(uuid), public.staff_transition_order(uuid, text, text),
  public.admin_bind_billing_customer(text)
  from public, anon, service_role;
grant execute on function public.admin_get_order(uuid), public.staff_transition_order(uuid, text, text),
  public.admin_bind_billing_customer(text)
  to authenticated;
