-- The operator's grant of a platform super admin (`platform_grant_super_admin`, called by
-- scripts/super-admin as service_role): nobody else may call it; the first grant happens
-- once, a second is refused unless forced, and each grant is in the platform audit log.
begin;
\ir helpers/act_as.psql
select plan(16);

select is(has_function_privilege('anon', 'public.platform_grant_super_admin(text, boolean, text)', 'execute'), false,
  'a shopper (anon) cannot grant super admin');
select is(has_function_privilege('authenticated', 'public.platform_grant_super_admin(text, boolean, text)', 'execute'), false,
  'a staff member or device (authenticated) cannot grant super admin');
select is(has_function_privilege('service_role', 'public.platform_grant_super_admin(text, boolean, text)', 'execute'), true,
  'the operator''s service role can');
select is((select prosecdef from pg_proc where oid = 'public.platform_grant_super_admin(text, boolean, text)'::regprocedure), false,
  'it is SECURITY INVOKER: service_role writes accounts and the audit log itself');

-- a staff token naming super_admin is still refused (the grant is no claim's to make)
select tests.act_as('authenticated', jsonb_build_object('sub', (select id from public.accounts where email = 'admin@acme.localhost'),
                                                          'app_role', 'super_admin'));
select throws_ok($$ select public.platform_grant_super_admin('mallory@example.com', true, null) $$, '42501', null,
  'authenticated is refused even with a super_admin claim and --force');
select tests.act_as_superuser();

select set_config('tests.since', (select coalesce(max(id), 0)::text from public.audit_log), true);
-- a project without a super admin (the seed has one: set it aside inside this transaction)
update public.accounts set is_super_admin = false where is_super_admin;

select tests.act_as('service_role', '{}');
select is((select public.platform_grant_super_admin('  First@Example.com ', false, 'ops@laptop') ->> 'outcome'), 'created',
  'the first grant creates the account');
select tests.act_as_superuser();
select is((select row(is_super_admin, email_verified_at is null, password_hash) from public.accounts where email = 'first@example.com')::text,
  '(t,t,!)', 'a super admin with no usable password and an unproven address (the emailed reset code sets both)');
select is((select detail from public.audit_log where action = 'super_admin_granted' and brand_id is null and id > current_setting('tests.since')::bigint order by id desc limit 1),
  jsonb_build_object('email', 'first@example.com', 'outcome', 'created', 'forced', false, 'super_admins_before', 0, 'operator', 'ops@laptop'),
  'the grant is in the platform audit log');
select is((select actor from public.audit_log where action = 'super_admin_granted' and id > current_setting('tests.since')::bigint order by id desc limit 1), 'operator',
  'its actor is the operator');

select tests.act_as('service_role', '{}');
select throws_ok($$ select public.platform_grant_super_admin('second@example.com', false, null) $$, 'PT409', 'super_admin_exists',
  'a second grant is refused while a super admin exists');
select tests.act_as_superuser();
select is((select count(*)::int from public.accounts where email = 'second@example.com'), 0, 'and creates nothing');
select is((select count(*)::int from public.audit_log where action = 'super_admin_granted' and id > current_setting('tests.since')::bigint), 1, 'nor audits anything');

select tests.act_as('service_role', '{}');
select is((select public.platform_grant_super_admin('editor@acme.localhost', true, null) ->> 'outcome'), 'promoted',
  'forced, an existing account is promoted');
select is((select public.platform_grant_super_admin('editor@acme.localhost', true, null) ->> 'outcome'), 'unchanged',
  'granting a super admin again changes nothing');
select throws_ok($$ select public.platform_grant_super_admin('not-an-email', true, null) $$, 'PT422', 'invalid_email',
  'an address that is none is refused');
select tests.act_as_superuser();
select is((select array_agg(detail ->> 'outcome' order by id) from public.audit_log where action = 'super_admin_granted' and id > current_setting('tests.since')::bigint),
  array['created', 'promoted', 'unchanged'], 'every forced grant is audited');

select * from finish();
rollback;
