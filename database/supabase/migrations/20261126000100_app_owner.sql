-- =====================================================================================
-- The owner of every application table and function
-- =====================================================================================
-- A table owned by a superuser (or by a BYPASSRLS role) skips row level security even
-- when it is FORCEd. Shoal's tables therefore belong to a NOLOGIN role with neither
-- attribute; nobody is granted membership of it. SECURITY DEFINER functions owned by it
-- stay bound by RLS and read only through the policies written `to shoal_owner`.

do $$
begin
  if not exists (select from pg_roles where rolname = 'shoal_owner') then
    create role shoal_owner nologin nosuperuser nobypassrls noinherit;
  end if;
end
$$;

grant usage, create on schema public to shoal_owner;
grant usage on schema auth, extensions to shoal_owner;

-- Helpers that policies call: the brand and staff role carried by the request's JWT.
-- `(select auth.jwt())` is written inline in policies so Postgres evaluates it once per
-- statement; these wrappers are for function bodies.
create schema if not exists shoal_private;
alter schema shoal_private owner to shoal_owner;
grant usage on schema shoal_private to anon, authenticated, service_role;

-- Functions are not executable by PUBLIC unless granted one by one.
alter default privileges for role shoal_owner revoke execute on functions from public;
alter default privileges for role shoal_owner in schema public revoke all on tables from anon, authenticated;
