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
  -- `created` of the newest subscription event applied: older ones arrive late and are skipped
  last_event_created      bigint not null default 0,
  updated_at              timestamptz not null default now()
);
-- brand_id is the primary key, so it is indexed

alter table public.brand_subscriptions enable row level security;
alter table public.brand_subscriptions force row level security;

create policy "brand admins can read their brand's subscription"
  on public.brand_subscriptions for select to authenticated
  using (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid
         and ((select auth.jwt()) ->> 'app_role') = 'brand_admin');

grant select on public.brand_subscriptions to authenticated;
grant all on public.brand_subscriptions to service_role;

-- Billing state as the storefront, the admin API and devices see it. A brand without a
-- subscription row is not billed (demo brands, brands created before billing). The grace
-- period end comes also as epoch seconds, so a cached copy can be judged at request time.
create function shoal_private.billing_state(p_brand_id uuid)
returns jsonb
language sql stable security definer set search_path = ''
as $$
  select coalesce((
    select jsonb_build_object(
      'status', s.status,
      'plan', s.plan,
      'current_period_end', s.current_period_end,
      'grace_period_ends_at', s.grace_period_ends_at,
      'grace_period_ends_epoch', extract(epoch from s.grace_period_ends_at)::bigint,
      'in_grace_period', s.grace_period_ends_at is not null and s.grace_period_ends_at > now(),
      'blocked', s.status in ('canceled', 'unpaid')
                 and coalesce(s.grace_period_ends_at, '-infinity'::timestamptz) <= now())
    from public.brand_subscriptions s where s.brand_id = p_brand_id),
    jsonb_build_object('status', 'none', 'plan', null, 'blocked', false, 'in_grace_period', false))
$$;

-- For the worker (service role): the billing state of a brand with what it needs to act
-- on it (customer, plans, links), read from the database on every admin request (never
-- from KV alone).
create function public.brand_billing_state(p_brand_id uuid)
returns jsonb
language sql stable security definer set search_path = ''
as $$
  select shoal_private.billing_state(p_brand_id)
      || jsonb_build_object(
           'stripe_customer_id', (select stripe_customer_id from public.brand_subscriptions where brand_id = p_brand_id),
           'plans', coalesce((select value->'plans' from public.platform_settings where key = 'billing'), '{}'::jsonb),
           'renewal_url', (select value->>'renewal_url' from public.platform_settings where key = 'billing'),
           'support_url', (select value->>'support_url' from public.platform_settings where key = 'billing'))
$$;
revoke execute on function public.brand_billing_state(uuid) from public, anon, authenticated;
grant execute on function public.brand_billing_state(uuid) to service_role;


insert into public.platform_settings (key, value) values
  ('billing', '{"grace_period_days": 7,
                "plans": {"starter": {"price": "price_shoal_starter"}, "growth": {"price": "price_shoal_growth"}},
                "renewal_url": "/admin/billing", "support_url": "mailto:support@shoal.example"}')
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
