-- =====================================================================================
-- Stripe webhooks: exactly-once application of events in one transaction
-- =====================================================================================
-- public.apply_stripe_event(event) records the event id first (INSERT … ON CONFLICT DO
-- NOTHING); a duplicate stops there. Otherwise the event is applied in the same
-- transaction: order/billing changes, the order timeline, the audit log, the email
-- outbox. A transition the state machine forbids (an event arriving late) raises SH409
-- inside a sub-block: its changes are undone, the event is kept as `ignored`, and the
-- webhook still answers 200. Any other error aborts everything, so Stripe retries.
--
-- Binding (a Connect endpoint receives genuinely signed events of every connected
-- account): an event about a brand's order applies only when `event.account` is that
-- brand's connected account (absent when the platform itself is the merchant); platform
-- billing events apply only when `event.account` is absent; objects are found by the ids
-- Shoal stored (checkout session, payment intent, charge, subscription, customer), and
-- metadata names an order only together with the account check. An event
-- whose `livemode` differs from the deployment's is recorded and ignored. A refused event
-- raises SH403 (reason in the message, target brand in the detail): its changes are undone,
-- it is kept as `refused` with the reason and audited as `webhook_refused`, and the
-- webhook answers 200 so Stripe stops retrying.

create table public.processed_webhook_events (
  event_id     text primary key,
  event_type   text not null,
  livemode     boolean not null,
  account      text,
  api_version  text,
  brand_id     uuid references public.brands(id),
  outcome      text not null default 'received',
  detail       text,
  received_at  timestamptz not null default now(),
  applied_at   timestamptz
);
create index processed_webhook_events_brand_id_idx on public.processed_webhook_events(brand_id);

alter table public.processed_webhook_events enable row level security;
alter table public.processed_webhook_events force row level security;
create policy "brand admins can read their brand's webhook events"
  on public.processed_webhook_events for select to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_billing')));
grant select on public.processed_webhook_events to authenticated;
grant all on public.processed_webhook_events to service_role;

-- Dispute events that arrived before the payment event told Shoal the charge's ids. Each is
-- applied (and deleted) by mark_paid when its payment intent or charge becomes known.
create table public.deferred_stripe_events (
  event_id        text primary key references public.processed_webhook_events(event_id) on delete cascade,
  account         text,
  payment_intent  text,
  charge          text,
  event           jsonb not null,
  received_at     timestamptz not null default now()
);
create index deferred_stripe_events_payment_intent_idx on public.deferred_stripe_events(payment_intent);
create index deferred_stripe_events_charge_idx on public.deferred_stripe_events(charge);
alter table public.deferred_stripe_events enable row level security;
alter table public.deferred_stripe_events force row level security;
grant all on public.deferred_stripe_events to service_role;

-- ------------------------------------------------------------------------ helpers
create function shoal_private.brand_hosts(p_brand_id uuid) returns jsonb
language sql stable security definer set search_path = '' as $$
  select coalesce(jsonb_agg(host order by host), '[]'::jsonb) from public.brand_domains where brand_id = p_brand_id
$$;

-- Refuses the event being applied (see the header): SH403, caught by apply_stripe_event.
create function shoal_private.refuse_event(p_reason text, p_brand_id uuid) returns void
language plpgsql set search_path = '' as $$
begin
  raise exception using errcode = 'SH403', message = p_reason, detail = coalesce(p_brand_id::text, '');
end
$$;

-- The event must come from the brand's connected account, or from the platform's own
-- account (no `account`) when the brand has none. An order placed before the brand bound
-- its account (p_order_created earlier than brand_payment_accounts.created_at, 000510) was
-- charged on the platform's own account, so that account's events still settle it.
create function shoal_private.require_brand_account(p_event jsonb, p_brand_id uuid, p_order_created timestamptz default null) returns void
language plpgsql stable security definer set search_path = '' as $$
declare
  v_expected text := (select stripe_account from public.brands where id = p_brand_id);
begin
  if p_event->>'account' is null and p_order_created is not null
     and p_order_created < (select a.created_at from public.brand_payment_accounts a where a.brand_id = p_brand_id) then
    return;
  end if;
  if (p_event->>'account') is distinct from v_expected then
    perform shoal_private.refuse_event(format('account_mismatch: the event comes from %s, the brand''s payments go to %s',
      coalesce(p_event->>'account', 'the platform account'), coalesce(v_expected, 'the platform account')), p_brand_id);
  end if;
end
$$;

-- Platform billing (subscriptions, invoices, platform refunds) happens on the platform's
-- own account only: an event of a connected account never touches a brand's billing.
create function shoal_private.require_platform_account(p_event jsonb) returns void
language plpgsql set search_path = '' as $$
begin
  if p_event->>'account' is not null then
    perform shoal_private.refuse_event(format('account_mismatch: billing events come from the platform account, not %s',
      p_event->>'account'), null);
  end if;
end
$$;

-- The order an event is about, locked, or null. Found by the Stripe ids Shoal stored, or
-- by the `metadata.order_id` Shoal set (a payment or refund whose ids are not stored yet).
-- Either way the event is refused unless it comes from the account the order's brand is
-- paid through: metadata alone, which any connected account can write, names nothing.
create function shoal_private.find_order(p_event jsonb, p_session text, p_pi text, p_charge text, p_metadata_order text)
returns public.orders
language plpgsql security definer set search_path = '' as $$
declare
  v_order public.orders;
begin
  select * into v_order from public.orders o
   where (p_session is not null and o.stripe_checkout_session_id = p_session)
      or (p_pi is not null and o.stripe_payment_intent_id = p_pi)
      or (p_charge is not null and o.stripe_charge_id = p_charge)
   limit 1
   for update;
  if not found and p_metadata_order ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    select * into v_order from public.orders where id = p_metadata_order::uuid for update;
  end if;
  if v_order.id is not null then
    perform shoal_private.require_brand_account(p_event, v_order.brand_id, v_order.created_at);
  end if;
  return v_order;
end
$$;

create function shoal_private.order_note(p_order public.orders, p_kind text, p_cause text, p_detail jsonb)
returns void language sql security definer set search_path = '' as $$
  insert into public.order_events (brand_id, order_id, kind, from_status, to_status, payment_status, cause, detail)
  values (p_order.brand_id, p_order.id, p_kind, p_order.status, p_order.status, p_order.payment_status, p_cause, coalesce(p_detail, '{}'::jsonb))
$$;

-- Money for an order arrived (checkout, payment intent, or derived from a charge).
create function shoal_private.mark_paid_now(p_order public.orders, p_amount bigint, p_currency text, p_event_id text, p_refs jsonb)
returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_order public.orders := p_order;
begin
  update public.orders
     set stripe_checkout_session_id = coalesce(stripe_checkout_session_id, p_refs->>'session'),
         stripe_payment_intent_id = coalesce(stripe_payment_intent_id, p_refs->>'payment_intent'),
         stripe_charge_id = coalesce(stripe_charge_id, p_refs->>'charge'),
         updated_at = now()
   where id = v_order.id
  returning * into v_order;
  if v_order.payment_status <> 'unpaid' then
    return jsonb_build_object('outcome', 'already_applied', 'brand_id', v_order.brand_id, 'order_id', v_order.id);
  end if;
  if v_order.status <> 'pending' then
    -- money for an order that is no longer waiting for it (e.g. cancelled): a person decides
    update public.orders set needs_review = true, review_reason = 'payment_for_' || status where id = v_order.id;
    perform shoal_private.order_note(v_order, 'payment_needs_review', p_event_id,
      jsonb_build_object('reason', 'payment_for_' || v_order.status, 'amount', p_amount));
    perform shoal_private.audit(v_order.brand_id, 'stripe', 'payment_needs_review', v_order.id::text,
      jsonb_build_object('event_id', p_event_id, 'reason', 'payment_for_' || v_order.status));
    return jsonb_build_object('outcome', 'review', 'brand_id', v_order.brand_id, 'order_id', v_order.id);
  end if;
  if p_amount is distinct from v_order.total_amount or upper(p_currency) is distinct from v_order.currency then
    update public.orders set needs_review = true, review_reason = 'amount_mismatch' where id = v_order.id;
    perform shoal_private.order_note(v_order, 'payment_needs_review', p_event_id,
      jsonb_build_object('reason', 'amount_mismatch', 'expected', v_order.total_amount, 'expected_currency', v_order.currency,
                         'received', p_amount, 'received_currency', upper(p_currency)));
    perform shoal_private.audit(v_order.brand_id, 'stripe', 'payment_amount_mismatch', v_order.id::text,
      jsonb_build_object('event_id', p_event_id, 'expected', v_order.total_amount, 'received', p_amount));
    return jsonb_build_object('outcome', 'review', 'brand_id', v_order.brand_id, 'order_id', v_order.id);
  end if;
  update public.orders set payment_status = 'paid' where id = v_order.id;
  v_order := shoal_private.transition_order(v_order.id, 'paid', p_event_id, jsonb_build_object('amount', p_amount));
  perform shoal_private.audit(v_order.brand_id, 'stripe', 'order_paid', v_order.id::text,
    jsonb_build_object('event_id', p_event_id, 'amount', p_amount, 'currency', v_order.currency));
  perform shoal_private.enqueue_email(v_order.brand_id, v_order.email, 'order_confirmation',
    jsonb_build_object('order_number', v_order.number, 'amount', v_order.total_amount, 'currency', v_order.currency));
  -- the staff who asked for it get one email each (002300)
  perform shoal_private.notify_staff_of_order(v_order);
  return jsonb_build_object('outcome', 'applied', 'brand_id', v_order.brand_id, 'order_id', v_order.id);
end
$$;

-- Disputes kept for this order's payment (see deferred_stripe_events), applied in the
-- order Stripe created them; one refused (another account's) is audited and dropped.
create function shoal_private.apply_deferred_disputes(p_order_id uuid) returns void
language plpgsql security definer set search_path = '' as $$
declare
  v_row public.deferred_stripe_events;
  v_result jsonb;
  v_brand text;
begin
  for v_row in
    select d.* from public.deferred_stripe_events d join public.orders o on o.id = p_order_id
     where (d.payment_intent = o.stripe_payment_intent_id or d.charge = o.stripe_charge_id)
       and o.payment_status <> 'unpaid'  -- still unpaid (e.g. sent to review): they wait
     order by (d.event->>'created')::bigint, d.received_at
  loop
    delete from public.deferred_stripe_events where event_id = v_row.event_id;
    begin
      v_result := shoal_private.on_dispute(v_row.event);
    exception when sqlstate 'SH403' then
      get stacked diagnostics v_brand = pg_exception_detail;
      v_result := shoal_private.refused_event(v_row.event, sqlerrm, nullif(v_brand, '')::uuid);
    end;
    update public.processed_webhook_events
       set outcome = v_result->>'outcome', detail = v_result->>'detail', brand_id = (v_result->>'brand_id')::uuid, applied_at = now()
     where event_id = v_row.event_id;
  end loop;
end
$$;

create function shoal_private.mark_paid(p_order public.orders, p_amount bigint, p_currency text, p_event_id text, p_refs jsonb)
returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_result jsonb := shoal_private.mark_paid_now(p_order, p_amount, p_currency, p_event_id, p_refs);
begin
  perform shoal_private.apply_deferred_disputes(p_order.id);
  return v_result;
end
$$;

-- ------------------------------------------------------------------------ orders
create function shoal_private.on_checkout_session(p_event jsonb) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_type text := p_event->>'type';
  v_obj jsonb := p_event->'data'->'object';
  v_order public.orders;
  v_refs jsonb;
begin
  if v_obj->>'mode' = 'subscription' then
    return shoal_private.on_subscription_checkout(p_event);
  end if;
  -- Shoal stored the session's id when it created it: nothing else names the order
  v_order := shoal_private.find_order(p_event, v_obj->>'id', null, null, null);
  if v_order.id is null then
    return jsonb_build_object('outcome', 'order_not_found');
  end if;
  v_refs := jsonb_build_object('session', v_obj->>'id', 'payment_intent', v_obj->>'payment_intent');
  case v_type
    when 'checkout.session.completed' then
      if v_obj->>'payment_status' in ('paid', 'no_payment_required') then
        return shoal_private.mark_paid(v_order, (v_obj->>'amount_total')::bigint, v_obj->>'currency', p_event->>'id', v_refs);
      end if;
      -- delayed payment methods: paid or failed later, by the async_payment events
      update public.orders set stripe_checkout_session_id = coalesce(stripe_checkout_session_id, v_obj->>'id'),
             stripe_payment_intent_id = coalesce(stripe_payment_intent_id, v_obj->>'payment_intent')
       where id = v_order.id;
      -- the shopper committed a delayed payment (a bank debit): the stock stays held until
      -- Stripe says paid or failed (SEPA debits take up to 14 business days), not only for
      -- the checkout's hold, so the reservation cron does not cancel an order being paid
      update public.reservations set expires_at = greatest(expires_at, now() + interval '21 days')
       where order_id = v_order.id;
      perform shoal_private.order_note(v_order, 'payment_processing', p_event->>'id', '{}');
      return jsonb_build_object('outcome', 'awaiting_payment', 'brand_id', v_order.brand_id, 'order_id', v_order.id);
    when 'checkout.session.async_payment_succeeded' then
      return shoal_private.mark_paid(v_order, (v_obj->>'amount_total')::bigint, v_obj->>'currency', p_event->>'id', v_refs);
    when 'checkout.session.async_payment_failed' then
      perform shoal_private.transition_order(v_order.id, 'failed', p_event->>'id', '{}');
      return jsonb_build_object('outcome', 'applied', 'brand_id', v_order.brand_id, 'order_id', v_order.id);
    when 'checkout.session.expired' then
      perform shoal_private.transition_order(v_order.id, 'cancelled', p_event->>'id', '{"reason": "checkout_expired"}');
      return jsonb_build_object('outcome', 'applied', 'brand_id', v_order.brand_id, 'order_id', v_order.id);
    else
      return jsonb_build_object('outcome', 'unhandled', 'brand_id', v_order.brand_id);
  end case;
end
$$;

create function shoal_private.on_payment_intent(p_event jsonb) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_obj jsonb := p_event->'data'->'object';
  v_order public.orders;
begin
  -- Checkout creates the payment intent only when the shopper pays, so its id may not be
  -- stored yet: then the metadata Shoal set names the order, checked against the account
  v_order := shoal_private.find_order(p_event, null, v_obj->>'id', null, v_obj->'metadata'->>'order_id');
  if v_order.id is null then
    return jsonb_build_object('outcome', 'order_not_found');
  end if;
  case p_event->>'type'
    when 'payment_intent.succeeded' then
      return shoal_private.mark_paid(v_order, (v_obj->>'amount_received')::bigint, v_obj->>'currency', p_event->>'id',
        jsonb_build_object('payment_intent', v_obj->>'id', 'charge', v_obj->>'latest_charge'));
    when 'payment_intent.payment_failed' then
      if v_order.status <> 'pending' or v_order.payment_status <> 'unpaid' then
        -- a late failure (e.g. an earlier attempt) never un-pays an order
        raise exception using errcode = 'SH409',
          message = format('late payment failure ignored: order is %s/%s', v_order.status, v_order.payment_status);
      end if;
      -- Checkout lets the shopper retry with another card: one failed attempt does not fail
      -- the order; the session's expiry or async failure does.
      perform shoal_private.order_note(v_order, 'payment_attempt_failed', p_event->>'id',
        jsonb_build_object('code', v_obj->'last_payment_error'->>'code'));
      return jsonb_build_object('outcome', 'recorded', 'brand_id', v_order.brand_id, 'order_id', v_order.id);
    else
      return jsonb_build_object('outcome', 'unhandled', 'brand_id', v_order.brand_id);
  end case;
end
$$;

create function shoal_private.on_charge_refunded(p_event jsonb) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_obj jsonb := p_event->'data'->'object';
  v_order public.orders;
  v_paid jsonb;
  v_refunded bigint;
  v_status text;
  v_refund jsonb;
  v_before bigint;
begin
  v_order := shoal_private.find_order(p_event, null, v_obj->>'payment_intent', v_obj->>'id', v_obj->'metadata'->>'order_id');
  if v_order.id is null then
    -- a connected account's refund of a charge that is not an order of Shoal's: not ours
    if p_event->>'account' is not null then
      return jsonb_build_object('outcome', 'order_not_found');
    end if;
    return shoal_private.on_platform_refund(p_event);
  end if;
  if v_order.payment_status = 'unpaid' then
    -- The refund arrived before the payment event. A refunded charge was paid, so the
    -- payment is derived from the charge's own state (the later paid event is then a duplicate).
    if not coalesce((v_obj->>'paid')::boolean, false) then
      raise exception using errcode = 'SH409', message = 'refund of an unpaid charge ignored';
    end if;
    v_paid := shoal_private.mark_paid(v_order, (v_obj->>'amount')::bigint, v_obj->>'currency', p_event->>'id',
      jsonb_build_object('payment_intent', v_obj->>'payment_intent', 'charge', v_obj->>'id'));
    if v_paid->>'outcome' = 'review' then
      return v_paid;
    end if;
    select * into v_order from public.orders where id = v_order.id;
  end if;
  -- amount_refunded on the charge is cumulative, so the largest seen wins whatever the order
  -- (a refund staff asked for is recorded by the admin API first: its event adds nothing)
  v_before := v_order.amount_refunded;
  v_refunded := greatest(v_order.amount_refunded, coalesce((v_obj->>'amount_refunded')::bigint, 0));
  v_status := case
    when v_order.payment_status = 'disputed' then 'disputed'
    when v_refunded >= v_order.total_amount then 'refunded'
    else 'partially_refunded' end;
  for v_refund in select * from jsonb_array_elements(coalesce(v_obj->'refunds'->'data', '[]'::jsonb)) loop
    insert into public.refunds (id, brand_id, order_id, amount, currency, status)
    values (v_refund->>'id', v_order.brand_id, v_order.id, (v_refund->>'amount')::bigint,
            upper(coalesce(v_refund->>'currency', v_obj->>'currency')), coalesce(v_refund->>'status', 'succeeded'))
    on conflict (id) do nothing;
  end loop;
  update public.orders set amount_refunded = v_refunded, payment_status = v_status, updated_at = now()
   where id = v_order.id returning * into v_order;
  perform shoal_private.audit(v_order.brand_id, 'stripe', 'refund_seen', v_order.id::text,
    jsonb_build_object('event_id', p_event->>'id', 'amount_refunded', v_refunded));
  if v_refunded > v_before then
    perform shoal_private.order_note(v_order, 'refunded', p_event->>'id',
      jsonb_build_object('amount_refunded', v_refunded, 'currency', v_order.currency));
    perform shoal_private.enqueue_email(v_order.brand_id, v_order.email, 'refund_processed',
      jsonb_build_object('order_number', v_order.number, 'amount', v_refunded, 'currency', v_order.currency));
  end if;
  return jsonb_build_object('outcome', 'applied', 'brand_id', v_order.brand_id, 'order_id', v_order.id);
end
$$;

create function shoal_private.on_dispute(p_event jsonb) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_obj jsonb := p_event->'data'->'object';
  v_order public.orders;
  v_status text;
begin
  v_order := shoal_private.find_order(p_event, null, v_obj->>'payment_intent', v_obj->>'charge', null);
  if v_order.id is null or v_order.payment_status = 'unpaid' then
    -- A dispute can arrive before the payment event that tells Shoal the charge's ids, or
    -- while the order still waits for its (delayed) payment: kept, and applied by
    -- mark_paid once the payment is recorded (a disputed charge was paid).
    insert into public.deferred_stripe_events (event_id, account, payment_intent, charge, event)
    values (p_event->>'id', p_event->>'account', v_obj->>'payment_intent', v_obj->>'charge', p_event)
    on conflict (event_id) do nothing;
    return jsonb_build_object('outcome', 'deferred');
  end if;
  case p_event->>'type'
    when 'charge.dispute.created' then v_status := 'disputed';
    when 'charge.dispute.closed' then
      v_status := case
        when v_obj->>'status' = 'lost' then 'refunded'
        when v_order.amount_refunded >= v_order.total_amount and v_order.amount_refunded > 0 then 'refunded'
        when v_order.amount_refunded > 0 then 'partially_refunded'
        else 'paid' end;
    else
      return jsonb_build_object('outcome', 'unhandled', 'brand_id', v_order.brand_id);
  end case;
  update public.orders set payment_status = v_status, updated_at = now() where id = v_order.id returning * into v_order;
  perform shoal_private.order_note(v_order, replace(p_event->>'type', 'charge.', ''), p_event->>'id',
    jsonb_build_object('dispute', v_obj->>'id', 'status', v_obj->>'status', 'amount', v_obj->'amount'));
  perform shoal_private.audit(v_order.brand_id, 'stripe',
    case p_event->>'type' when 'charge.dispute.created' then 'dispute_opened' else 'dispute_closed' end,
    v_order.id::text, jsonb_build_object('event_id', p_event->>'id', 'dispute_status', v_obj->>'status'));
  return jsonb_build_object('outcome', 'applied', 'brand_id', v_order.brand_id, 'order_id', v_order.id);
end
$$;

-- ------------------------------------------------------------------------ SaaS billing
create function shoal_private.subscription_status(p_stripe_status text) returns text
language sql immutable set search_path = '' as $$
  select case p_stripe_status
    when 'trialing' then 'trialing' when 'active' then 'active' when 'past_due' then 'past_due'
    when 'unpaid' then 'unpaid' when 'canceled' then 'canceled'
    when 'incomplete' then 'past_due' when 'incomplete_expired' then 'canceled' when 'paused' then 'unpaid'
    else 'past_due' end
$$;

-- A brand's subscription row, locked, found by the Stripe ids Shoal stored: the customer
-- it created for the brand (admin billing checkout) or the subscription bound to it.
create function shoal_private.find_subscription(p_event jsonb, p_subscription text, p_customer text)
returns public.brand_subscriptions
language plpgsql security definer set search_path = '' as $$
declare
  v_sub public.brand_subscriptions;
begin
  perform shoal_private.require_platform_account(p_event);
  select * into v_sub from public.brand_subscriptions s
   where (p_subscription is not null and s.stripe_subscription_id = p_subscription)
      or (p_customer is not null and s.stripe_customer_id = p_customer)
   order by (s.stripe_subscription_id = p_subscription) desc nulls last
   limit 1
   for update;
  return v_sub;
end
$$;

create function shoal_private.billing_result(p_brand_id uuid, p_outcome text) returns jsonb
language sql stable security definer set search_path = '' as $$
  select jsonb_build_object('outcome', p_outcome, 'brand_id', p_brand_id,
                            'invalidate_hosts', shoal_private.brand_hosts(p_brand_id))
$$;

-- Billing mail is the platform's (its languages setting, 000900) and goes to the brand's
-- billing contact (the Stripe customer's email), or to its active brand admins while Shoal
-- knows no billing contact.
create function shoal_private.billing_email(p_sub public.brand_subscriptions, p_template text, p_detail jsonb)
returns void language plpgsql security definer set search_path = '' as $$
declare
  v_to text;
begin
  for v_to in
    select p_sub.billing_email where p_sub.billing_email is not null
    union
    select a.email from public.memberships m join public.accounts a on a.id = m.account_id
     where p_sub.billing_email is null and m.brand_id = p_sub.brand_id and m.role = 'brand_admin' and m.status = 'active'
  loop
    perform shoal_private.enqueue_platform_email(p_sub.brand_id, v_to, p_template,
      jsonb_build_object('plan', p_sub.plan, 'status', p_sub.status) || coalesce(p_detail, '{}'::jsonb));
  end loop;
end
$$;

-- A subscription Checkout Session completed: binds the subscription to the brand whose
-- Stripe customer (created and stored by Shoal before the session) paid.
create function shoal_private.on_subscription_checkout(p_event jsonb) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_obj jsonb := p_event->'data'->'object';
  v_sub public.brand_subscriptions;
begin
  v_sub := shoal_private.find_subscription(p_event, null, v_obj->>'customer');
  if v_sub.brand_id is null then
    return jsonb_build_object('outcome', 'brand_not_found');
  end if;
  update public.brand_subscriptions
     set stripe_subscription_id = coalesce(v_obj->>'subscription', stripe_subscription_id),
         billing_email = coalesce(billing_email, v_obj->'customer_details'->>'email'),
         plan = coalesce(v_obj->'metadata'->>'plan', plan),
         updated_at = now()
   where brand_id = v_sub.brand_id;
  perform shoal_private.audit(v_sub.brand_id, 'stripe', 'subscription_checkout_completed', v_obj->>'subscription',
    jsonb_build_object('event_id', p_event->>'id'));
  return shoal_private.billing_result(v_sub.brand_id, 'applied');
end
$$;

-- p_plans: {Stripe price id: plan} from the worker's configuration (STRIPE_PRICES). The
-- plan is the configured plan of the subscription's price; a price the platform does not
-- sell leaves the plan as it was (and is audited), and a snapshot without a price keeps
-- the plan Shoal set in the subscription's metadata.
create function shoal_private.on_subscription(p_event jsonb, p_plans jsonb) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_type text := p_event->>'type';
  v_obj jsonb := p_event->'data'->'object';
  v_price text := v_obj->'items'->'data'->0->'price'->>'id';
  v_plan text := case when v_price is null then v_obj->'metadata'->>'plan' else coalesce(p_plans, '{}'::jsonb)->>v_price end;
  v_created bigint := coalesce((p_event->>'created')::bigint, 0);
  v_sub public.brand_subscriptions;
  v_old text;
  v_new text;
begin
  v_sub := shoal_private.find_subscription(p_event, v_obj->>'id', v_obj->>'customer');
  if v_sub.brand_id is null then
    return jsonb_build_object('outcome', 'brand_not_found');
  end if;
  if v_type = 'customer.subscription.trial_will_end' then
    perform shoal_private.billing_email(v_sub, 'trial_ending',
      jsonb_build_object('trial_end', to_timestamp((v_obj->>'trial_end')::bigint)));
    perform shoal_private.audit(v_sub.brand_id, 'stripe', 'subscription_trial_will_end', v_obj->>'id',
      jsonb_build_object('event_id', p_event->>'id'));
    return shoal_private.billing_result(v_sub.brand_id, 'applied');
  end if;
  if v_created < v_sub.last_event_created then
    -- an older snapshot of the subscription arrived after a newer one
    return jsonb_build_object('outcome', 'stale', 'brand_id', v_sub.brand_id);
  end if;
  v_old := v_sub.status;
  v_new := case when v_type = 'customer.subscription.deleted' then 'canceled'
                else shoal_private.subscription_status(v_obj->>'status') end;
  update public.brand_subscriptions set
      stripe_subscription_id = v_obj->>'id',
      stripe_customer_id = coalesce(v_obj->>'customer', stripe_customer_id),
      plan = coalesce(v_plan, plan),
      status = v_new,
      current_period_end = coalesce(to_timestamp((v_obj->>'current_period_end')::bigint), current_period_end),
      trial_end = to_timestamp((v_obj->>'trial_end')::bigint),
      cancel_at_period_end = coalesce((v_obj->>'cancel_at_period_end')::boolean, false),
      grace_period_ends_at = case when v_new in ('active', 'trialing') then null else grace_period_ends_at end,
      last_event_created = v_created,
      updated_at = now()
   where brand_id = v_sub.brand_id
  returning * into v_sub;
  -- the "activated" email goes with the paid invoice (on_invoice), which every activation
  -- brings, so it can say until when; a cancellation has no invoice
  if v_new = 'canceled' and v_old is distinct from 'canceled' then
    perform shoal_private.billing_email(v_sub, 'subscription_canceled', '{}');
  end if;
  -- a change of status into active or canceled is named for it (docs/auth.md "Audit log");
  -- any other snapshot by its event (subscription_created, _updated, _deleted)
  perform shoal_private.audit(v_sub.brand_id, 'stripe',
    case when v_new = 'active' and v_old is distinct from 'active' then 'subscription_activated'
         when v_new = 'canceled' and v_old is distinct from 'canceled' then 'subscription_canceled'
         else 'subscription_' || replace(v_type, 'customer.subscription.', '') end,
    v_obj->>'id', jsonb_build_object('event_id', p_event->>'id', 'from', v_old, 'to', v_new, 'plan', v_sub.plan)
      || case when v_price is not null and v_plan is null then jsonb_build_object('unknown_price', v_price) else '{}'::jsonb end);
  return shoal_private.billing_result(v_sub.brand_id, 'applied');
end
$$;

create function shoal_private.on_invoice(p_event jsonb) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_type text := p_event->>'type';
  v_obj jsonb := p_event->'data'->'object';
  v_sub public.brand_subscriptions;
  v_grace_days int;
  v_created bigint := coalesce((p_event->>'created')::bigint, 0);
  v_old text;
  v_paid_before text;
  v_charged boolean := coalesce((v_obj->>'amount_paid')::bigint, 0) > 0;
begin
  v_sub := shoal_private.find_subscription(p_event, v_obj->>'subscription', v_obj->>'customer');
  if v_sub.brand_id is null then
    return jsonb_build_object('outcome', 'brand_not_found');
  end if;
  update public.brand_subscriptions set billing_email = coalesce(billing_email, v_obj->>'customer_email')
   where brand_id = v_sub.brand_id returning * into v_sub;
  case v_type
    when 'invoice.paid' then
      -- A paid invoice settles a subscription that was behind (past_due, unpaid, incomplete),
      -- unless a newer subscription snapshot was applied since. It never revives a canceled
      -- one: Stripe does not either, so a late or leftover invoice of a canceled
      -- subscription is recorded and changes nothing (and sends nothing).
      -- A charged invoice (above zero: a trial's first invoice of nothing is not) sends the
      -- "activated" email when it is the first of its subscription, "renewed" otherwise.
      v_old := v_sub.status;
      v_paid_before := v_sub.paid_subscription_id;
      update public.brand_subscriptions set
          status = case when status in ('past_due', 'unpaid', 'incomplete') and v_created >= last_event_created
                        then 'active' else status end,
          current_period_end = case when status = 'canceled' then current_period_end
            else coalesce(to_timestamp((v_obj->'lines'->'data'->0->'period'->>'end')::bigint),
                          to_timestamp((v_obj->>'period_end')::bigint), current_period_end) end,
          grace_period_ends_at = case when status = 'canceled' then grace_period_ends_at else null end,
          paid_subscription_id = case when status <> 'canceled' and v_charged
                                      then coalesce(v_obj->>'subscription', paid_subscription_id) else paid_subscription_id end,
          updated_at = now()
       where brand_id = v_sub.brand_id returning * into v_sub;
      if v_sub.status = 'active' and v_old is distinct from 'active' then
        perform shoal_private.audit(v_sub.brand_id, 'stripe', 'subscription_activated', v_obj->>'subscription',
          jsonb_build_object('event_id', p_event->>'id', 'from', v_old, 'to', v_sub.status, 'plan', v_sub.plan));
      end if;
      if v_sub.status <> 'canceled' and v_charged then
        perform shoal_private.billing_email(v_sub,
          case when v_paid_before is distinct from v_sub.paid_subscription_id then 'subscription_activated'
               else 'subscription_renewed' end,
          jsonb_build_object('period_end', to_char(v_sub.current_period_end at time zone 'UTC', 'YYYY-MM-DD')));
      end if;
      perform shoal_private.audit(v_sub.brand_id, 'stripe', 'subscription_invoice_paid', v_obj->>'id',
        jsonb_build_object('event_id', p_event->>'id', 'amount_paid', v_obj->'amount_paid',
                           'current_period_end', v_sub.current_period_end));
    when 'invoice.payment_failed' then
      select coalesce((value->>'grace_period_days')::int, 7) into v_grace_days
        from public.platform_settings where key = 'billing';
      update public.brand_subscriptions set
          status = case when status in ('canceled', 'unpaid') then status else 'past_due' end,
          -- a canceled subscription gets no grace period (that would reopen a blocked shop)
          grace_period_ends_at = case when status = 'canceled' then grace_period_ends_at
            else coalesce(grace_period_ends_at, now() + make_interval(days => coalesce(v_grace_days, 7))) end,
          updated_at = now()
       where brand_id = v_sub.brand_id returning * into v_sub;
      perform shoal_private.billing_email(v_sub, 'payment_failed',
        jsonb_build_object('grace_period_ends_at', v_sub.grace_period_ends_at, 'invoice_url', v_obj->>'hosted_invoice_url'));
      perform shoal_private.audit(v_sub.brand_id, 'stripe', 'subscription_payment_failed', v_obj->>'id',
        jsonb_build_object('event_id', p_event->>'id', 'grace_period_ends_at', v_sub.grace_period_ends_at));
    when 'invoice.payment_action_required' then
      perform shoal_private.billing_email(v_sub, 'payment_action_required',
        jsonb_build_object('invoice_url', v_obj->>'hosted_invoice_url'));
      perform shoal_private.audit(v_sub.brand_id, 'stripe', 'subscription_payment_action_required', v_obj->>'id',
        jsonb_build_object('event_id', p_event->>'id'));
    else
      return jsonb_build_object('outcome', 'unhandled', 'brand_id', v_sub.brand_id);
  end case;
  return shoal_private.billing_result(v_sub.brand_id, 'applied');
end
$$;

-- A refund of a platform charge (a brand's subscription invoice).
create function shoal_private.on_platform_refund(p_event jsonb) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_obj jsonb := p_event->'data'->'object';
  v_sub public.brand_subscriptions;
begin
  v_sub := shoal_private.find_subscription(p_event, null, v_obj->>'customer');
  if v_sub.brand_id is null then
    return jsonb_build_object('outcome', 'order_not_found');
  end if;
  perform shoal_private.billing_email(v_sub, 'refund_processed',
    jsonb_build_object('amount', v_obj->'amount_refunded', 'currency', upper(v_obj->>'currency')));
  perform shoal_private.audit(v_sub.brand_id, 'stripe', 'subscription_refund_seen', v_obj->>'id',
    jsonb_build_object('event_id', p_event->>'id', 'amount_refunded', v_obj->'amount_refunded'));
  return shoal_private.billing_result(v_sub.brand_id, 'applied');
end
$$;

-- ------------------------------------------------------------------------ entry point
-- The answer for a refused event: audited (in the targeted brand's log when known) with
-- the reason, so staff and operators see who tried what.
create function shoal_private.refused_event(p_event jsonb, p_reason text, p_brand_id uuid) returns jsonb
language plpgsql security definer set search_path = '' as $$
begin
  perform shoal_private.audit(p_brand_id, 'stripe', 'webhook_refused', p_event->>'id',
    jsonb_build_object('event_type', p_event->>'type', 'reason', p_reason, 'account', p_event->>'account',
                       'livemode', p_event->'livemode'));
  return jsonb_build_object('outcome', 'refused', 'detail', p_reason, 'brand_id', p_brand_id);
end
$$;

-- p_livemode: the deployment's mode (its Stripe key's), which every event must share.
-- p_plans: the configured plan prices, {price id: plan} (see on_subscription).
create function public.apply_stripe_event(p_event jsonb, p_livemode boolean, p_plans jsonb default '{}'::jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_id   text := p_event->>'id';
  v_type text := p_event->>'type';
  v_livemode boolean := (p_event->>'livemode')::boolean;
  v_result jsonb;
  v_brand text;
begin
  if v_id is null or v_type is null or jsonb_typeof(p_event->'data'->'object') is distinct from 'object'
     or jsonb_typeof(p_event->'livemode') is distinct from 'boolean' then
    raise exception using errcode = '22023', message = 'not a Stripe event object';
  end if;
  insert into public.processed_webhook_events (event_id, event_type, livemode, account, api_version)
  values (v_id, v_type, v_livemode, p_event->>'account', p_event->>'api_version')
  on conflict (event_id) do nothing;
  if not found then
    return jsonb_build_object('outcome', 'duplicate', 'event_id', v_id);
  end if;
  begin
    if v_livemode is distinct from p_livemode then
      perform shoal_private.refuse_event(format('livemode_mismatch: a %s event reached a %s deployment',
        case when v_livemode then 'live' else 'test' end, case when p_livemode then 'live' else 'test' end), null);
    end if;
    v_result := case
      when v_type like 'checkout.session.%' then shoal_private.on_checkout_session(p_event)
      when v_type like 'payment_intent.%' then shoal_private.on_payment_intent(p_event)
      when v_type = 'charge.refunded' then shoal_private.on_charge_refunded(p_event)
      when v_type like 'charge.dispute.%' then shoal_private.on_dispute(p_event)
      when v_type like 'customer.subscription.%' then shoal_private.on_subscription(p_event, p_plans)
      when v_type = 'account.updated' then shoal_private.on_account_updated(p_event)
      when v_type like 'invoice.%' then shoal_private.on_invoice(p_event)
      else jsonb_build_object('outcome', 'unhandled')
    end;
  exception
    when sqlstate 'SH409' then
      -- the state machine refused: everything the handler did is undone, the event is kept
      v_result := jsonb_build_object('outcome', 'ignored', 'detail', sqlerrm);
      perform shoal_private.audit(null, 'stripe', 'webhook_ignored', v_id,
        jsonb_build_object('event_type', v_type, 'reason', sqlerrm));
    when sqlstate 'SH403' then
      -- not this sender's to change (see the header): undone, kept as refused, audited
      get stacked diagnostics v_brand = pg_exception_detail;
      v_result := shoal_private.refused_event(p_event, sqlerrm, nullif(v_brand, '')::uuid);
  end;
  update public.processed_webhook_events
     set outcome = v_result->>'outcome', detail = v_result->>'detail',
         brand_id = (v_result->>'brand_id')::uuid, applied_at = now()
   where event_id = v_id;
  return v_result || jsonb_build_object('event_id', v_id);
end
$$;
revoke execute on function public.apply_stripe_event(jsonb, boolean, jsonb) from public, anon, authenticated;
grant execute on function public.apply_stripe_event(jsonb, boolean, jsonb) to service_role;

