begin;
\ir helpers/act_as.psql
select plan(4);

-- Every table in public has RLS enabled AND forced.
select is(
  (select array_agg(c.relname order by c.relname) from pg_class c
     join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'r'
      and not (c.relrowsecurity and c.relforcerowsecurity)),
  null,
  'every table in public has row level security enabled and forced');

-- Migrations apply as Supabase applies them: by postgres, which is no superuser. Tables
-- are therefore postgres's (BYPASSRLS: only definer functions would skip RLS through it,
-- see 10-definer-functions.sql); a table owned by anyone else means a migration changed
-- ownership or ran as another role.
select is(
  (select array_agg(c.relname order by c.relname) from pg_class c
     join pg_namespace n on n.oid = c.relnamespace
     join pg_roles r on r.oid = c.relowner
    where n.nspname = 'public' and c.relkind in ('r', 'v', 'm', 'p') and (r.rolname <> 'postgres' or r.rolsuper)),
  null,
  'every table and view in public is owned by postgres, and postgres is no superuser');

-- Every table with a brand_id has an index whose first column is brand_id (or it is the PK lead).
select is(
  (select array_agg(c.relname order by c.relname) from pg_class c
     join pg_namespace n on n.oid = c.relnamespace
     join pg_attribute a on a.attrelid = c.oid and a.attname = 'brand_id'
    where n.nspname = 'public' and c.relkind = 'r'
      and not exists (select 1 from pg_index i where i.indrelid = c.oid and i.indkey[0] = a.attnum)),
  null,
  'every brand_id column leads an index');

-- Every policy reads the JWT through (select auth.jwt()), never a per-row auth.jwt() call.
select is(
  (select array_agg(policyname) from pg_policies
    where schemaname = 'public'
      and (coalesce(qual, '') || coalesce(with_check, '')) ~ 'auth\.jwt\(\)'
      and (coalesce(qual, '') || coalesce(with_check, '')) !~ 'SELECT auth\.jwt\(\)'),
  null,
  'policies call auth.jwt() through a scalar subquery');

select * from finish();
rollback;
