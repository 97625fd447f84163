-- =====================================================================================
-- SaaS billing of brands: subscriptions, plans, grace period, blocking
-- =====================================================================================

create table public.brand_subscriptions (
  brand_id                uuid primary key references public.brands(id) on delete cascade,
  stripe_customer_id      text unique,
  stripe_subscription_id  text unique,
  billing_email           text,
  plan                    text,
  status                  text not null default 'trialing'
    -- incomplete: Shoal created the Stripe customer, no subscription has started yet
    check (status in ('incomplete', 'trialing', 'active', 'past_due', 'unpaid', 'canceled')),
  current_period_end      timestamptz,
  trial_end               timestamptz,
  cancel_at_period_end    boolean not null default false,
  grace_period_ends_at    timestamptz,
  -- the Stripe subscription whose invoice was last paid (an amount above zero): the next
  -- paid invoice of another subscription is its first (the "activated" email), one of the
  -- same subscription a renewal (the "renewed" email)
  paid_subscription_id    text,
  -- `created` of the newest subscription event applied: older ones arrive late and are skipped
  last_event_created      bigint not null default 0,
  updated_at              timestamptz not null default now()
);
-- brand_id is the primary key, so it is indexed

alter table public.brand_subscriptions enable row level security;
alter table public.brand_subscriptions force row level security;

create policy "billing managers can read their brand's subscription"
  on public.brand_subscriptions for select to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_billing')));
-- Staff bind the Stripe customer Shoal created for their brand (public.admin_bind_billing_
-- customer), and nothing else: a new row can only be an `incomplete` one with no
-- subscription, and an existing row only gains a customer it did not have. Status, plan
-- and periods come from Stripe's events alone (service role).
create policy "billing managers can open their brand's subscription with a customer"
  on public.brand_subscriptions for insert to authenticated
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_billing'))
              and status = 'incomplete' and stripe_subscription_id is null and plan is null);
create policy "billing managers can bind a customer to their brand's subscription once"
  on public.brand_subscriptions for update to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_billing'))
         and stripe_customer_id is null)
  with check (brand_id = (select shoal_private.claim_brand()));

grant select, insert (brand_id, stripe_customer_id, status), update (stripe_customer_id)
  on public.brand_subscriptions to authenticated;
grant all on public.brand_subscriptions to service_role;

-- Billing state as the storefront, the admin API and devices see it. A brand without a
-- subscription row is not billed (demo brands, brands created before billing). The grace
-- period end comes also as epoch seconds, so a cached copy can be judged at request time.
-- SECURITY DEFINER: host resolution (service role) and every staff role need whether the
-- brand is blocked, while the subscription row is readable by billing managers only. A
-- caller whose token names a brand gets only that brand's state (any other answers 'none').
create function shoal_private.billing_state(p_brand_id uuid)
returns jsonb
language sql stable security definer set search_path = ''
as $$
  select coalesce((
    select jsonb_build_object(
      'status', s.status,
      'plan', s.plan,
      'current_period_end', s.current_period_end,
      'trial_end', s.trial_end,
      'grace_period_ends_at', s.grace_period_ends_at,
      'grace_period_ends_epoch', extract(epoch from s.grace_period_ends_at)::bigint,
      'in_grace_period', s.grace_period_ends_at is not null and s.grace_period_ends_at > now(),
      -- as shoal_domain::billing::BillingState::blocked_at: canceled or unpaid past any grace
      -- period, past due past the grace period its failed payment started
      'blocked', (s.status in ('canceled', 'unpaid')
                  and coalesce(s.grace_period_ends_at, '-infinity'::timestamptz) <= now())
                 or (s.status = 'past_due' and coalesce(s.grace_period_ends_at <= now(), false)))
    from public.brand_subscriptions s
   where s.brand_id = p_brand_id
     and (shoal_private.claim_brand() is null or p_brand_id = shoal_private.claim_brand())),
    jsonb_build_object('status', 'none', 'plan', null, 'blocked', false, 'in_grace_period', false))
$$;

-- The platform's billing links (no brand data). The plans' Stripe prices are the
-- worker's configuration (`STRIPE_PRICES`), not data. SECURITY DEFINER: platform_settings
-- is closed to callers (it holds more than these values).
create function shoal_private.billing_links()
returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object(
           'renewal_url', (select value->>'renewal_url' from public.platform_settings where key = 'billing'),
           'support_url', (select value->>'support_url' from public.platform_settings where key = 'billing'))
$$;
grant execute on function shoal_private.billing_state(uuid), shoal_private.billing_links() to authenticated;

-- For the admin API, as the staff member: their brand's billing state with what it needs
-- to act on it (customer, links), read from the database on every admin request
-- (never from KV alone). The customer id is there only for billing managers (the
-- subscription row's policy); every staff role gets the blocked state.
create function public.brand_billing_state()
returns jsonb
language sql stable set search_path = ''
as $$
  select shoal_private.billing_state(shoal_private.claim_brand())
      || jsonb_build_object(
           'stripe_customer_id', (select stripe_customer_id from public.brand_subscriptions
                                   where brand_id = shoal_private.claim_brand()))
      || shoal_private.billing_links()
   where shoal_private.claim_brand() is not null and shoal_private.claim_actor() is not null
$$;
revoke execute on function public.brand_billing_state() from public, anon, service_role;
grant execute on function public.brand_billing_state() to authenticated;


insert into public.platform_settings (key, value) values
  ('billing', '{"grace_period_days": 7,
                "renewal_url": "/admin/billing", "support_url": "/support"}')
on conflict (key) do nothing;

-- Host resolution now carries the billing state, so a blocked brand's storefront can say
-- so. The KV copy is invalidated by the worker after every billing event.
create or replace function public.resolve_brand(p_host text)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
    'id', b.id, 'slug', b.slug, 'name', b.name, 'currency', b.currency,
    'locale', b.locale, 'status', b.status, 'theme', b.theme,
    'stripe_account', b.stripe_account, 'catalog_version', b.catalog_version,
    'host', d.host, 'billing', shoal_private.billing_state(b.id))
  from public.brand_domains d
  join public.brands b on b.id = d.brand_id
  where d.host = lower(p_host) and d.verified
$$;
