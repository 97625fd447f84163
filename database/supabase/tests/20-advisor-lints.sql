-- Supabase's database advisor on the migrated database. The advisor runs the open-source
-- lints of github.com/supabase/splinter; CI has no network, so this file restates, in our
-- own queries, the condition of every lint that can apply to a project like Shoal (one
-- assertion per lint, named after it, listing the offenders). The API schema is `public`
-- (config.toml [api] schemas, scripts/dev's db-schemas).
--
-- Lints left out, and why:
--   0005 unused_index, 0020 table_bloat (INFO): statistics of a running database, not a
--     property of the schema; read them in the dashboard's advisor.
--   0012 auth_allow_anonymous_sign_ins: Supabase Auth setting; Auth is off (config.toml).
--   0025 public_bucket_allows_listing: Shoal uses no Supabase Storage bucket (R2 instead).
--   0028/0029 are checked below; 0026/0027 (pg_graphql exposure) apply only where the
--     pg_graphql extension is installed: Shoal serves no GraphQL, so it must stay absent
--     (hosted projects: drop it, docs/local-stack.md) — asserted as such.
--
-- An intended finding is excluded by name in `intended`, with the reason; a new finding
-- fails until it is fixed or added there.
begin;
\ir helpers/act_as.psql
select plan(25);

create temporary table intended (lint text, object text, reason text, primary key (lint, object)) on commit drop;
-- 0008: RLS on with no policy denies anon and authenticated everything: right for tables
-- that only service_role work (no caller owns it) and reviewed definer helpers touch.
-- A table leaves this list when a caller's invoker function needs a policy on it.
insert into intended values
  ('rls_enabled_no_policy', 'public.auth_codes',
   'sign-up/login/email codes: issued and checked before authentication (service_role)'),
  ('rls_enabled_no_policy', 'public.cart_lines',
   'shopper carts: reached through the storefront''s cart functions, never by table'),
  ('rls_enabled_no_policy', 'public.carts',
   'shopper carts: reached through the storefront''s cart functions, never by table'),
  ('rls_enabled_no_policy', 'public.checkout_holds',
   'unpaid checkout caps (hashed client IP): written by checkout, read by nobody else'),
  ('rls_enabled_no_policy', 'public.deferred_stripe_events',
   'Stripe dispute events waiting for their payment: webhook application only (service_role)'),
  ('rls_enabled_no_policy', 'public.email_outbox',
   'mail to send: queued inside the causing transaction, delivered by the cron run (service_role)'),
  ('rls_enabled_no_policy', 'public.login_failures',
   'failed logins (emails as typed, client IPs): the pre-authentication login limit (service_role)'),
  ('rls_enabled_no_policy', 'public.platform_settings',
   'platform-wide settings, no brand: service_role and reviewed definer helpers only'),
  ('rls_enabled_no_policy', 'public.revoked_tokens',
   'revoked access tokens: written by logout/password change, read by the session check (service_role)'),
  ('rls_enabled_no_policy', 'public.signup_claims',
   'pending sign-ups: the pre-authentication sign-up steps (service_role)');

create temporary view api_schemas as select 'public'::name as nspname;
-- schemas Supabase's platform owns, left out by every splinter lint
create temporary view platform_schemas as
  select unnest(array['auth', 'extensions', 'graphql', 'graphql_public', 'information_schema', 'net',
    'pg_catalog', 'pg_toast', 'pgbouncer', 'pgmq', 'pgsodium', 'pgsodium_masks', 'realtime', 'storage',
    'supabase_functions', 'supabase_migrations', 'vault', 'cron', 'tests']::name[]) as nspname;
-- objects an extension owns (pgtap's functions, …)
create temporary view extension_members as select objid from pg_depend where deptype = 'e';

create function pg_temp.findings(p_lint text, p_objects text[]) returns text[] language sql as $$
  select coalesce(array_agg(o order by o), '{}')
  from unnest(p_objects) o
  where not exists (select 1 from intended i where i.lint = p_lint and i.object = o)
$$;

-- 0001 unindexed_foreign_keys (INFO): a foreign key whose columns do not lead an index
select is(pg_temp.findings('unindexed_foreign_keys', array(
  select format('%s.%s(%s)', n.nspname, c.relname, k.conname)
  from pg_constraint k
  join pg_class c on c.oid = k.conrelid
  join pg_namespace n on n.oid = c.relnamespace
  where k.contype = 'f'
    and n.nspname not in (select nspname from platform_schemas)
    and c.oid not in (select objid from extension_members)
    and not exists (
      select 1 from pg_index i
      where i.indrelid = c.oid and i.indisvalid
        and (string_to_array(i.indkey::text, ' ')::smallint[])[1:array_length(k.conkey, 1)] = k.conkey))),
  '{}', 'unindexed_foreign_keys: every foreign key has an index that starts with its columns');

-- 0002 auth_users_exposed (ERROR): a view or materialized view in the API over auth.users
select is(pg_temp.findings('auth_users_exposed', array(
  select distinct format('%s.%s', n.nspname, v.relname)
  from pg_depend d
  join pg_rewrite r on r.oid = d.objid
  join pg_class v on v.oid = r.ev_class
  join pg_namespace n on n.oid = v.relnamespace
  where d.refobjid = to_regclass('auth.users') and d.deptype = 'n'
    and n.nspname in (select nspname from api_schemas)
    and v.relkind in ('v', 'm')
    and (has_table_privilege('anon', v.oid, 'select') or has_table_privilege('authenticated', v.oid, 'select')))),
  '{}', 'auth_users_exposed: no API view reads auth.users');

-- 0003 auth_rls_initplan (WARN): auth.<fn>() or current_setting() in a policy, not wrapped
-- in (select …), is evaluated once per row instead of once per statement
create temporary view policy_text as
  select p.schemaname, p.tablename, p.policyname, p.permissive, p.roles, p.cmd,
         coalesce(p.qual, '') as qual, coalesce(p.with_check, '') as with_check, c.relrowsecurity
  from pg_policies p
  join pg_class c on c.relname = p.tablename
  join pg_namespace n on n.oid = c.relnamespace and n.nspname = p.schemaname
  where p.schemaname not in (select nspname from platform_schemas);
select is(pg_temp.findings('auth_rls_initplan', array(
  select format('%s.%s: %s', schemaname, tablename, policyname)
  from policy_text, unnest(array[qual, with_check]) e
  where relrowsecurity
    and (exists (
      select 1 from unnest(array['auth.uid()', 'auth.jwt()', 'auth.role()', 'auth.email()']) f
      where e like '%' || f || '%' and lower(e) not like '%select ' || f || '%')
    or (e like '%current\_setting(%)%' and lower(e) not like '%select current\_setting(%)%'))
  group by 1)),
  '{}', 'auth_rls_initplan: policies call auth.<fn>() and current_setting() through (select …)');

-- Shoal's own rule, in the same spirit: the claim helpers are wrapped in (select …) too
select is(pg_temp.findings('auth_rls_initplan', array(
  select format('%s.%s: %s', schemaname, tablename, policyname)
  from policy_text, unnest(array[qual, with_check]) e
  where regexp_count(e, 'shoal_private\.(claim_[a-z_]+|staff_may)\(') > regexp_count(lower(e), 'select\s+shoal_private\.(claim_[a-z_]+|staff_may)\(')
  group by 1)),
  '{}', 'auth_rls_initplan (claim helpers): every shoal_private.claim_*() / staff_may() in a policy is a (select …)');

-- 0004 no_primary_key (INFO)
select is(pg_temp.findings('no_primary_key', array(
  select format('%s.%s', n.nspname, c.relname)
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind = 'r'
    and n.nspname not in (select nspname from platform_schemas) and n.nspname not like 'pg_temp%'
    and c.oid not in (select objid from extension_members)
    and not exists (select 1 from pg_index i where i.indrelid = c.oid and i.indisprimary))),
  '{}', 'no_primary_key: every table has a primary key');

-- 0006 multiple_permissive_policies (WARN): two permissive policies for the same role and
-- action on one table are both evaluated for every row; merge them into one
select is(pg_temp.findings('multiple_permissive_policies', array(
  select format('%s.%s %s %s: %s', n.nspname, c.relname, r.rolname, a.cmd, string_agg(p.polname, ', ' order by p.polname))
  from pg_policy p
  join pg_class c on c.oid = p.polrelid
  join pg_namespace n on n.oid = c.relnamespace
  join pg_roles r on p.polroles @> array[r.oid] or p.polroles = array[0::oid]
  cross join lateral unnest(case p.polcmd when 'r' then array['SELECT'] when 'a' then array['INSERT']
    when 'w' then array['UPDATE'] when 'd' then array['DELETE'] else array['SELECT', 'INSERT', 'UPDATE', 'DELETE'] end) a(cmd)
  where c.relkind = 'r' and p.polpermissive
    and n.nspname not in (select nspname from platform_schemas)
    and r.rolname not like 'pg\_%' and r.rolname not like 'supabase%admin' and not r.rolbypassrls
  group by n.nspname, c.relname, r.rolname, a.cmd
  having count(*) > 1)),
  '{}', 'multiple_permissive_policies: one permissive policy per table, role and action');

-- 0007 policy_exists_rls_disabled (ERROR)
select is(pg_temp.findings('policy_exists_rls_disabled', array(
  select distinct format('%s.%s', n.nspname, c.relname)
  from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
  where c.relkind = 'r' and not c.relrowsecurity
    and n.nspname not in (select nspname from platform_schemas))),
  '{}', 'policy_exists_rls_disabled: no table has policies with RLS off');

-- 0008 rls_enabled_no_policy (INFO): RLS on and no policy denies every API role; intended
-- only for tables no caller may touch (listed in `intended`)
select is(pg_temp.findings('rls_enabled_no_policy', array(
  select format('%s.%s', n.nspname, c.relname)
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind = 'r' and c.relrowsecurity
    and n.nspname not in (select nspname from platform_schemas)
    and c.oid not in (select objid from extension_members)
    and not exists (select 1 from pg_policy p where p.polrelid = c.oid))),
  '{}', 'rls_enabled_no_policy: tables without a policy are the intended service-only ones');

-- 0009 duplicate_index (WARN)
select is(pg_temp.findings('duplicate_index', array(
  select format('%s.%s: %s', schemaname, tablename, string_agg(indexname, ', ' order by indexname))
  from pg_indexes
  where schemaname not in (select nspname from platform_schemas)
  group by schemaname, tablename, replace(indexdef, indexname, '')
  having count(*) > 1)),
  '{}', 'duplicate_index: no two identical indexes');

-- 0010 security_definer_view (ERROR): API views must be security_invoker
select is(pg_temp.findings('security_definer_view', array(
  select format('%s.%s', n.nspname, c.relname)
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind = 'v'
    and n.nspname in (select nspname from api_schemas)
    and c.oid not in (select objid from extension_members)
    and (has_table_privilege('anon', c.oid, 'select') or has_table_privilege('authenticated', c.oid, 'select'))
    and not coalesce(lower(c.reloptions::text)::text[], '{}')
        && array['security_invoker=1', 'security_invoker=true', 'security_invoker=yes', 'security_invoker=on'])),
  '{}', 'security_definer_view: API views run as the caller (security_invoker)');

-- 0011 function_search_path_mutable (WARN): a function without `set search_path` resolves
-- names through the caller's search_path
select is(pg_temp.findings('function_search_path_mutable', array(
  select format('%s.%s(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname not in (select nspname from platform_schemas) and n.nspname not like 'pg_temp%'
    and p.oid not in (select objid from extension_members)
    and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) c where c like 'search\_path=%'))),
  '{}', 'function_search_path_mutable: every function pins its search_path');

-- 0013 rls_disabled_in_public (ERROR)
select is(pg_temp.findings('rls_disabled_in_public', array(
  select format('%s.%s', n.nspname, c.relname)
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind = 'r' and not c.relrowsecurity
    and n.nspname in (select nspname from api_schemas)
    and (has_table_privilege('anon', c.oid, 'select') or has_table_privilege('authenticated', c.oid, 'select')))),
  '{}', 'rls_disabled_in_public: every API table the API roles can read has RLS on');

-- 0014 extension_in_public (WARN)
select is(pg_temp.findings('extension_in_public', array(
  select extname::text from pg_extension
  where extname <> 'plpgsql' and extnamespace = 'public'::regnamespace)),
  '{}', 'extension_in_public: extensions live in the extensions schema');

-- 0015 rls_references_user_metadata (ERROR): user_metadata is editable by its user
select is(pg_temp.findings('rls_references_user_metadata', array(
  select format('%s.%s: %s', schemaname, tablename, policyname)
  from policy_text
  where qual ~ 'auth\.jwt\(\).*user_metadata' or with_check ~ 'auth\.jwt\(\).*user_metadata'
     or qual ~ 'request\.jwt\.claims.*user_metadata' or with_check ~ 'request\.jwt\.claims.*user_metadata')),
  '{}', 'rls_references_user_metadata: no policy trusts user_metadata');

-- 0016 materialized_view_in_api (WARN) and 0017 foreign_table_in_api (WARN): neither has RLS
select is(pg_temp.findings('materialized_view_in_api', array(
  select format('%s.%s', n.nspname, c.relname)
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind = 'm' and n.nspname in (select nspname from api_schemas)
    and (has_table_privilege('anon', c.oid, 'select') or has_table_privilege('authenticated', c.oid, 'select')))),
  '{}', 'materialized_view_in_api: no materialized view readable through the API');
select is(pg_temp.findings('foreign_table_in_api', array(
  select format('%s.%s', n.nspname, c.relname)
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind = 'f' and n.nspname in (select nspname from api_schemas)
    and (has_table_privilege('anon', c.oid, 'select') or has_table_privilege('authenticated', c.oid, 'select')))),
  '{}', 'foreign_table_in_api: no foreign table readable through the API');

-- 0018 unsupported_reg_types (WARN): reg* columns block pg_upgrade
select is(pg_temp.findings('unsupported_reg_types', array(
  select format('%s.%s.%s', n.nspname, c.relname, a.attname)
  from pg_attribute a
  join pg_class c on c.oid = a.attrelid
  join pg_namespace n on n.oid = c.relnamespace
  join pg_type t on t.oid = a.atttypid
  where t.typnamespace = 'pg_catalog'::regnamespace
    and t.typname in ('regcollation', 'regconfig', 'regdictionary', 'regnamespace', 'regoper', 'regoperator', 'regproc', 'regprocedure')
    and n.nspname not in ('pg_catalog', 'information_schema', 'pgsodium') and n.nspname not like 'pg_temp%'
    and not a.attisdropped)),
  '{}', 'unsupported_reg_types: no column of a reg* type pg_upgrade cannot keep');

-- 0019 insecure_queue_exposed_in_api (ERROR): only with pgmq exposed; Shoal's queue is the
-- outbox table (RLS on), and pgmq_public must stay out of the API schemas
select is(pg_temp.findings('insecure_queue_exposed_in_api', array(
  select nspname::text from api_schemas where nspname = 'pgmq_public')),
  '{}', 'insecure_queue_exposed_in_api: pgmq_public is not an API schema');

-- 0021 fkey_to_auth_unique (ERROR): a foreign key to a non-primary unique key of auth.*
select is(pg_temp.findings('fkey_to_auth_unique', array(
  select format('%s.%s(%s)', n.nspname, c.relname, k.conname)
  from pg_constraint k
  join pg_class c on c.oid = k.conrelid
  join pg_namespace n on n.oid = c.relnamespace
  join pg_class r on r.oid = k.confrelid
  join pg_index i on i.indexrelid = k.conindid
  where k.contype = 'f' and r.relnamespace = to_regnamespace('auth') and i.indisunique and not i.indisprimary)),
  '{}', 'fkey_to_auth_unique: no foreign key to a unique non-primary key of auth');

-- 0022 extension_versions_outdated (WARN)
select is(pg_temp.findings('extension_versions_outdated', array(
  select format('%s %s (default %s)', name, installed_version, default_version)
  from pg_available_extensions
  where installed_version is not null and default_version is not null and installed_version <> default_version)),
  '{}', 'extension_versions_outdated: installed extensions are at their default version');

-- 0023 sensitive_columns_exposed (ERROR): credential-like columns in an API table without RLS
select is(pg_temp.findings('sensitive_columns_exposed', array(
  select format('%s.%s.%s', n.nspname, c.relname, a.attname)
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  where c.relkind = 'r' and not c.relrowsecurity
    and n.nspname in (select nspname from api_schemas)
    and (has_table_privilege('anon', c.oid, 'select') or has_table_privilege('authenticated', c.oid, 'select'))
    and replace(lower(a.attname), '-', '_') in ('password', 'passwd', 'pwd', 'passphrase', 'secret', 'secret_key',
      'private_key', 'api_key', 'apikey', 'auth_key', 'token', 'jwt', 'access_token', 'refresh_token', 'oauth_token',
      'session_token', 'bearer_token', 'auth_code', 'session_id', 'session_key', 'session_secret', 'recovery_code',
      'backup_code', 'verification_code', 'otp', 'two_factor', '2fa_secret', '2fa_code', 'credit_card', 'card_number',
      'cvv', 'cvc', 'iban', 'bank_account', 'account_number', 'routing_number', 'mac_address', 'imei', 'device_uuid',
      'certificate', 'license_key', 'activation_key'))),
  '{}', 'sensitive_columns_exposed: no credential-like column in an API table without RLS');

-- 0024 rls_policy_always_true (WARN): a write policy for anon/authenticated that allows all
select is(pg_temp.findings('rls_policy_always_true', array(
  select format('%s.%s: %s', schemaname, tablename, policyname)
  from policy_text
  where relrowsecurity and permissive = 'PERMISSIVE'
    and (roles && array['public', 'anon', 'authenticated']::name[])
    and (
      (cmd in ('UPDATE', 'DELETE', 'ALL') and (lower(replace(qual, ' ', '')) in ('true', '(true)', '1=1', '(1=1)') or qual = ''))
      or lower(replace(with_check, ' ', '')) in ('true', '(true)', '1=1', '(1=1)')
      or (cmd = 'INSERT' and with_check = '')
      or (cmd in ('UPDATE', 'ALL') and with_check = '' and lower(replace(qual, ' ', '')) in ('true', '(true)', '1=1', '(1=1)'))))),
  '{}', 'rls_policy_always_true: no write policy lets the API roles change every row');

-- 0026/0027 pg_graphql_{anon,authenticated}_table_exposed (WARN): with pg_graphql every
-- table the API roles may select is described to them; Shoal serves no GraphQL
select is((select count(*)::int from pg_extension where extname = 'pg_graphql'), 0,
  'pg_graphql_anon_table_exposed / pg_graphql_authenticated_table_exposed: pg_graphql is not installed');

-- 0028/0029 {anon,authenticated}_security_definer_function_executable (WARN): a definer
-- function the API roles can execute runs as postgres, past RLS. The reviewed definers
-- (10-definer-functions.sql, each with a cross-brand test) are the intended ones.
select is(pg_temp.findings('anon_security_definer_function_executable', array(
  select format('%s.%s(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where p.prosecdef and n.nspname in (select nspname from api_schemas)
    and has_function_privilege('anon', p.oid, 'execute'))),
  '{}', 'anon_security_definer_function_executable: anon executes no definer function');
select is(pg_temp.findings('authenticated_security_definer_function_executable', array(
  select format('%s.%s(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where p.prosecdef and n.nspname in (select nspname from api_schemas)
    and has_function_privilege('authenticated', p.oid, 'execute'))),
  '{}', 'authenticated_security_definer_function_executable: authenticated executes no definer function');

select * from finish();
rollback;
