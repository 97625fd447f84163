-- =====================================================================================
-- Stripe Connect: each brand's connected account and whether Stripe lets it take charges
-- =====================================================================================
-- `brands.stripe_account` binds a brand's shop payments, and the webhooks about them, to
-- one connected account (see 000600). A brand admin opens it from the admin API: the
-- worker asks Stripe for the account (`POST /v1/accounts`, one Idempotency-Key per
-- brand) and `public.admin_bind_payment_account` stores it, once. Stripe's
-- `account.updated` events (Connect endpoint) then record whether the account can take
-- charges and receive payouts (`shoal_private.on_account_updated`, service role), and
-- host resolution carries `charges_enabled` so the checkout can refuse early.

-- one brand per connected account; also the index account.updated finds the brand by
create unique index brands_stripe_account_key on public.brands (stripe_account);

create table public.brand_payment_accounts (
  brand_id            uuid primary key references public.brands(id) on delete cascade,
  charges_enabled     boolean not null default false,
  payouts_enabled     boolean not null default false,
  details_submitted   boolean not null default false,
  -- Stripe's requirements.currently_due and past_due, together: what the brand must still give
  requirements_due    jsonb not null default '[]'::jsonb check (jsonb_typeof(requirements_due) = 'array'),
  disabled_reason     text,
  -- `created` of the newest account.updated applied: an older snapshot arriving late is skipped
  last_event_created  bigint not null default 0,
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now()
);
-- brand_id is the primary key, so it is indexed
comment on table public.brand_payment_accounts is
  'The state of a brand''s Stripe connected account (brands.stripe_account), from its account.updated events.';

alter table public.brand_payment_accounts enable row level security;
alter table public.brand_payment_accounts force row level security;
create policy "payment managers can read their brand's payment account"
  on public.brand_payment_accounts for select to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_payments')));
-- written by admin_bind_payment_account (the row, empty) and by Stripe's events (service role)
grant select on public.brand_payment_accounts to authenticated;
grant all on public.brand_payment_accounts to service_role;

-- ------------------------------------------------------------------------ admin API
-- The brand's connected account as its payment managers see it, with the primary host
-- the onboarding links return to.
create function public.admin_payment_account()
returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
begin
  perform shoal_private.require_staff('manage_payments');
  return (
    select jsonb_build_object(
      'stripe_account', b.stripe_account,
      'charges_enabled', coalesce(a.charges_enabled, false),
      'payouts_enabled', coalesce(a.payouts_enabled, false),
      'details_submitted', coalesce(a.details_submitted, false),
      'requirements_due', coalesce(a.requirements_due, '[]'::jsonb),
      'disabled_reason', a.disabled_reason,
      'updated_at', a.updated_at,
      'primary_host', (select d.host from public.brand_domains d where d.brand_id = b.id and d.is_primary and d.verified))
    from public.brands b
    left join public.brand_payment_accounts a on a.brand_id = b.id
   where b.id = v_brand);
end
$$;

-- Stores the connected account Shoal created for the caller's brand. The first one stored
-- wins (two admins connecting at once share the account Stripe's idempotency gave them
-- both); a bound account never changes here. Answers the bound account and the brand's
-- hosts (their cached brand config now names the account).
-- SECURITY DEFINER: staff may not write `brands.stripe_account` (it decides which
-- account's webhooks may touch the brand's orders); this sets it only when unset, only
-- for the token's brand, only for a payment manager (require_staff), and audits it.
-- Private (the API reaches it through public.admin_bind_payment_account, an invoker).
create function shoal_private.bind_payment_account(p_account text)
returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
  v_bound text;
begin
  perform shoal_private.require_staff('manage_payments');
  if p_account is null or p_account !~ '^acct_[A-Za-z0-9]+$' then
    raise exception using errcode = '22023', message = 'not a Stripe account id';
  end if;
  update public.brands set stripe_account = p_account where id = v_brand and stripe_account is null;
  if found then
    insert into public.brand_payment_accounts (brand_id) values (v_brand) on conflict (brand_id) do nothing;
    perform shoal_private.staff_audit('payment_account_created', p_account, '{}');
  end if;
  select stripe_account into v_bound from public.brands where id = v_brand;
  return jsonb_build_object('stripe_account', v_bound, 'hosts', shoal_private.brand_hosts(v_brand));
end
$$;

create function public.admin_bind_payment_account(p_account text)
returns jsonb language sql set search_path = '' as $$
  select shoal_private.bind_payment_account(p_account)
$$;

revoke execute on function shoal_private.bind_payment_account(text) from public, anon;
grant execute on function shoal_private.bind_payment_account(text) to authenticated;
revoke execute on function public.admin_payment_account(), public.admin_bind_payment_account(text) from public, anon, service_role;
grant execute on function public.admin_payment_account(), public.admin_bind_payment_account(text) to authenticated;

-- ------------------------------------------------------------------------ webhooks
-- `account.updated` from the Connect endpoint: the object is the connected account that
-- sent the event. It changes only the brand bound to that account; an account no brand
-- is bound to changes nothing (`brand_not_found`), and an event about an account other
-- than its sender, or from the platform itself, is refused.
create function shoal_private.on_account_updated(p_event jsonb) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_obj jsonb := p_event->'data'->'object';
  v_account text := p_event->>'account';
  v_created bigint := coalesce((p_event->>'created')::bigint, 0);
  v_brand uuid;
  v_row public.brand_payment_accounts;
  v_due jsonb;
  v_list jsonb;
begin
  if v_account is null or (v_obj->>'id') is distinct from v_account then
    perform shoal_private.refuse_event(format('account_mismatch: an account.updated about %s from %s',
      coalesce(v_obj->>'id', 'no account'), coalesce(v_account, 'the platform account')), null);
  end if;
  select id into v_brand from public.brands where stripe_account = v_account;
  if v_brand is null then
    return jsonb_build_object('outcome', 'brand_not_found');
  end if;
  insert into public.brand_payment_accounts (brand_id) values (v_brand) on conflict (brand_id) do nothing;
  select * into v_row from public.brand_payment_accounts where brand_id = v_brand for update;
  if v_created < v_row.last_event_created then
    return jsonb_build_object('outcome', 'stale', 'brand_id', v_brand);
  end if;
  v_list := case when jsonb_typeof(v_obj->'requirements'->'currently_due') = 'array' then v_obj->'requirements'->'currently_due' else '[]' end
         || case when jsonb_typeof(v_obj->'requirements'->'past_due') = 'array' then v_obj->'requirements'->'past_due' else '[]' end;
  select coalesce(jsonb_agg(distinct x), '[]'::jsonb) into v_due from jsonb_array_elements_text(v_list) x;
  update public.brand_payment_accounts set
      charges_enabled = coalesce((v_obj->>'charges_enabled')::boolean, charges_enabled),
      payouts_enabled = coalesce((v_obj->>'payouts_enabled')::boolean, payouts_enabled),
      details_submitted = coalesce((v_obj->>'details_submitted')::boolean, details_submitted),
      requirements_due = v_due,
      disabled_reason = v_obj->'requirements'->>'disabled_reason',
      last_event_created = v_created,
      updated_at = now()
   where brand_id = v_brand
  returning * into v_row;
  perform shoal_private.audit(v_brand, 'stripe', 'payment_account_updated', v_account,
    jsonb_build_object('event_id', p_event->>'id', 'charges_enabled', v_row.charges_enabled,
                       'payouts_enabled', v_row.payouts_enabled, 'details_submitted', v_row.details_submitted,
                       'requirements_due', v_row.requirements_due, 'disabled_reason', v_row.disabled_reason));
  -- the cached brand config carries charges_enabled: the worker forgets the brand's hosts
  return shoal_private.billing_result(v_brand, 'applied');
end
$$;

-- ------------------------------------------------------------------------ host resolution
-- As in 000500, plus whether the brand's connected account can take charges.
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
    'charges_enabled', coalesce((select a.charges_enabled from public.brand_payment_accounts a where a.brand_id = b.id), false),
    'host', d.host, 'billing', shoal_private.billing_state(b.id))
  from public.brand_domains d
  join public.brands b on b.id = d.brand_id
  where d.host = lower(p_host) and d.verified
$$;
