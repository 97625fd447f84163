-- =====================================================================================
-- Application defaults: privileges, the private schema, and the caller read from the JWT
-- =====================================================================================
-- Applied as Supabase applies migrations: by `postgres`, which is not a superuser but
-- has BYPASSRLS and owns `public`. Every table and function below is therefore owned by
-- `postgres`. Consequences this schema is built around:
--   * a SECURITY DEFINER function runs as `postgres` and ignores RLS, so definer
--     functions are few, take the brand from `auth.jwt()` like everything else, say in
--     a comment why they must be definers, and each has a cross-brand pgTAP test;
--   * callers (anon shoppers, authenticated staff and devices) reach tables through
--     SECURITY INVOKER functions, so the tables' policies decide what they see.
--
-- Supabase's own defaults grant every new table, sequence and function in `public` to
-- anon, authenticated and service_role. Shoal grants one by one instead: these lines
-- take the defaults away for everything `postgres` creates from here on.
alter default privileges for role postgres in schema public revoke all on tables from anon, authenticated, service_role;
alter default privileges for role postgres in schema public revoke all on sequences from anon, authenticated, service_role;
alter default privileges for role postgres in schema public revoke execute on functions from anon, authenticated, service_role;
alter default privileges for role postgres revoke execute on functions from public;

-- Helpers that functions and policies call. Not exposed by PostgREST (only `public` is).
create schema if not exists shoal_private;
grant usage on schema shoal_private to anon, authenticated, service_role;
alter default privileges for role postgres in schema shoal_private revoke execute on functions from public;

-- The caller, as the worker verified it and signed it into the database token. Policies
-- call these wrapped in `(select …)` so Postgres evaluates them once per statement.
--   brand_id  every shopper, staff and device token (absent for service work)
--   sub       the staff account (authenticated staff only)
--   app_role  brand_admin | editor | read_only | super_admin | device
--   device_id the edge device (app_role = device)
--   cart_id   the shopper's cart, when the request touches one
create function shoal_private.claim_brand() returns uuid
language sql stable set search_path = '' as $$
  select nullif((select auth.jwt()) ->> 'brand_id', '')::uuid
$$;

create function shoal_private.claim_actor() returns uuid
language sql stable set search_path = '' as $$
  select nullif((select auth.jwt()) ->> 'sub', '')::uuid
$$;

create function shoal_private.claim_app_role() returns text
language sql stable set search_path = '' as $$
  select (select auth.jwt()) ->> 'app_role'
$$;

create function shoal_private.claim_device() returns uuid
language sql stable set search_path = '' as $$
  select case when (select auth.jwt()) ->> 'app_role' = 'device'
              then nullif((select auth.jwt()) ->> 'device_id', '')::uuid end
$$;

create function shoal_private.claim_cart() returns uuid
language sql stable set search_path = '' as $$
  select nullif((select auth.jwt()) ->> 'cart_id', '')::uuid
$$;

-- The token's staff role, if the database agrees: an active membership of the token's
-- account in the token's brand with that very role, or a super admin account. So even a
-- worker bug that mints the wrong brand or role cannot act on a brand the account is no
-- staff of. A definer because it must read memberships whatever their policies say (whose
-- own policies call it); plpgsql, so the tables it reads (migration 001000) may come later.
create function shoal_private.claim_staff_role() returns text
language plpgsql stable security definer set search_path = '' as $$
declare
  v_role text := (select auth.jwt()) ->> 'app_role';
  v_actor uuid := shoal_private.claim_actor();
  v_brand uuid := shoal_private.claim_brand();
begin
  if v_actor is null or v_brand is null or v_role is null then
    return null;
  elsif v_role = 'super_admin' then
    return (select 'super_admin' from public.accounts a where a.id = v_actor and a.is_super_admin);
  end if;
  return (select m.role from public.memberships m
           where m.brand_id = v_brand and m.account_id = v_actor and m.status = 'active' and m.role = v_role);
end
$$;

-- The role × action table of shoal_domain::permissions, for policies: a staff member of
-- the token's brand may do `p_action`. brand_admin and super_admin (acting on a brand it
-- switched to) may do everything; editor runs catalog, inventory, orders and knowledge;
-- read_only reads. Devices, shoppers and claims the database does not confirm: false.
create function shoal_private.staff_may(p_action text) returns boolean
language sql stable set search_path = '' as $$
  select coalesce(case shoal_private.claim_staff_role()
    when 'brand_admin' then true
    when 'super_admin' then true
    when 'editor' then p_action in ('read_orders', 'manage_orders', 'read_catalog', 'manage_catalog',
                                    'manage_inventory', 'manage_knowledge')
    when 'read_only' then p_action in ('read_orders', 'read_catalog')
    else false
  end, false)
$$;

-- Raises insufficient_privilege unless the caller may do `p_action`; for function bodies,
-- so a refused write says why instead of silently touching no row.
create function shoal_private.require_staff(p_action text) returns void
language plpgsql stable set search_path = '' as $$
begin
  if not shoal_private.staff_may(p_action) then
    raise exception 'not allowed: %', p_action using errcode = '42501';
  end if;
end
$$;

grant execute on function shoal_private.claim_brand(), shoal_private.claim_actor(), shoal_private.claim_app_role(),
  shoal_private.claim_device(), shoal_private.claim_cart(), shoal_private.claim_staff_role(), shoal_private.staff_may(text),
  shoal_private.require_staff(text)
  to anon, authenticated, service_role;
