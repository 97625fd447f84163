-- =====================================================================================
-- What a Supabase project provides before any migration runs, for the local cluster
-- =====================================================================================
-- Not a migration: on Supabase the platform owns all of this. scripts/dev runs it as the
-- cluster's superuser (`supabase_admin`, as on Supabase) on every `up`; it is idempotent.
-- It follows the role layout of Supabase's public init scripts (supabase/postgres,
-- migrations/db/init-scripts): the API roles, `authenticator`, `postgres` as a
-- NON-superuser with BYPASSRLS that owns `public` and applies every migration, the `auth`
-- schema owned by `supabase_auth_admin` with its jwt()/uid()/role()/email() helpers, the
-- `extensions` schema, and the default privileges that hand every new object in `public`
-- to the API roles (Shoal's first migration takes those away again).
\set ON_ERROR_STOP on

do $$
begin
  if not exists (select from pg_roles where rolname = 'postgres') then
    create role postgres login;
  end if;
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin login noinherit createrole noreplication;
  end if;
end
$$;

-- Supabase's `postgres`: the project's owner role, but no superuser.
alter role postgres with nosuperuser login createrole createdb replication bypassrls;
alter role postgres set search_path to "$user", public, extensions;
grant anon, authenticated, service_role to authenticator;
-- as on Supabase, postgres may impersonate the API roles (SQL editor, pgTAP tests)
grant anon, authenticated, service_role to postgres;

alter database postgres owner to postgres;
alter schema public owner to postgres;
grant usage on schema public to postgres, anon, authenticated, service_role;

-- extensions live in their own schema
create schema if not exists extensions;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists pgtap with schema extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;

-- Supabase's defaults: everything postgres (or the platform) creates in public is granted to the API roles
alter default privileges for role postgres in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to postgres, anon, authenticated, service_role;

-- short statement timeouts on the API roles
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';

-- the auth schema: Supabase Auth's, not the project's
create schema if not exists auth authorization supabase_auth_admin;
grant usage on schema auth to postgres, anon, authenticated, service_role;

create or replace function auth.jwt() returns jsonb language sql stable as $f$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$f$;
create or replace function auth.uid() returns uuid language sql stable as $f$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$f$;
create or replace function auth.role() returns text language sql stable as $f$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$f$;
create or replace function auth.email() returns text language sql stable as $f$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$f$;
alter function auth.jwt() owner to supabase_auth_admin;
alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;
grant execute on function auth.jwt(), auth.uid(), auth.role(), auth.email() to postgres, anon, authenticated, service_role;

-- where the Supabase CLI records applied migrations
create schema if not exists supabase_migrations authorization postgres;
create table if not exists supabase_migrations.schema_migrations (version text primary key, statements text[], name text);
alter table supabase_migrations.schema_migrations owner to postgres;
