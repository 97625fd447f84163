-- =====================================================================================
-- Brands, their domains, platform settings, and host resolution
-- =====================================================================================

create table public.brands (
  id              uuid primary key default extensions.gen_random_uuid(),
  slug            text not null unique check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$'),
  name            text not null check (length(name) between 1 and 120),
  currency        char(3) not null check (currency ~ '^[A-Z]{3}$'),
  locale          text not null default 'en' check (locale in ('en', 'es')),
  -- the languages of its shopper and staff email: `both` (Spanish and English in one
  -- message, the recipient's first) or `recipient` (only the recipient's); docs/auth.md "Email"
  email_languages text not null default 'both' check (email_languages in ('both', 'recipient')),
  status          text not null default 'active' check (status in ('active', 'suspended')),
  theme           jsonb not null default '{}'::jsonb,
  stripe_account  text check (stripe_account is null or stripe_account ~ '^acct_[A-Za-z0-9]+$'),
  -- bumped by catalog writes: cached catalog keys include it, so invalidation is O(1)
  catalog_version bigint not null default 1,
  created_at      timestamptz not null default now()
);
comment on table public.brands is 'A tenant: one shop with its own domains, currency and locale.';

create table public.brand_domains (
  host        text primary key check (host = lower(host) and host !~ '[:/ ]' and host !~ '\.$'),
  brand_id    uuid not null references public.brands(id) on delete cascade,
  is_primary  boolean not null default false,
  verified    boolean not null default false,
  created_at  timestamptz not null default now()
);
comment on column public.brand_domains.host is 'Normalised: lower case, no port, no trailing dot, IDN as punycode.';
create index brand_domains_brand_id_idx on public.brand_domains(brand_id);
create unique index brand_domains_one_primary_per_brand on public.brand_domains(brand_id) where is_primary;

-- Platform-wide settings (no brand): only the service role and definer functions see them.
create table public.platform_settings (
  key        text primary key,
  value      jsonb not null,
  updated_at timestamptz not null default now()
);

-- ------------------------------------------------------------------------ row level security
alter table public.brands            enable row level security;
alter table public.brands            force row level security;
alter table public.brand_domains     enable row level security;
alter table public.brand_domains     force row level security;
alter table public.platform_settings enable row level security;
alter table public.platform_settings force row level security;

create policy "a brand's shoppers and staff can read their own brand"
  on public.brands for select to anon, authenticated
  using (id = ((select auth.jwt()) ->> 'brand_id')::uuid);

-- one update policy for the brand row (settings, security); the columns are granted one by one
create policy "brand admins can update their own brand"
  on public.brands for update to authenticated
  using (id = (select shoal_private.claim_brand())
         and (select shoal_private.staff_may('manage_members')))
  with check (id = (select shoal_private.claim_brand()));

create policy "staff can read their brand's domains"
  on public.brand_domains for select to authenticated
  using (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid);

-- no insert for staff: a host enters brand_domains only once Cloudflare reports its custom
-- hostname and certificate active to the worker (public.record_custom_hostname_check, service role)
-- domain managers: brand admins, and super admins acting on the brand
create policy "domain managers can change their brand's domains"
  on public.brand_domains for update to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_domains')))
  with check (brand_id = (select shoal_private.claim_brand()));

create policy "domain managers can remove their brand's domains"
  on public.brand_domains for delete to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_domains')));


grant select, update (name, locale, theme) on public.brands to authenticated;
grant select on public.brands to anon;
grant select, update (is_primary), delete on public.brand_domains to authenticated;
grant all on public.brands, public.brand_domains, public.platform_settings to service_role;

-- ------------------------------------------------------------------------ host resolution
-- The worker knows only the Host header when a request arrives, so this runs with the
-- service role. It answers the brand config for a verified domain, or null.
create function public.resolve_brand(p_host text)
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
    'host', d.host)
  from public.brand_domains d
  join public.brands b on b.id = d.brand_id
  where d.host = lower(p_host) and d.verified
$$;
revoke execute on function public.resolve_brand(text) from public, anon, authenticated;
grant execute on function public.resolve_brand(text) to service_role;

-- Health probe: proves PostgREST can reach the database, reads nothing.
create function public.shoal_ping()
returns text
language sql
stable
set search_path = ''
as $$ select 'ok'::text $$;
grant execute on function public.shoal_ping() to anon, authenticated, service_role;

