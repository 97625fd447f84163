begin;
\ir helpers/act_as.psql
select plan(9);

-- login failures are the worker's bookkeeping: no caller reads them
select tests.act_as('authenticated', jsonb_build_object('role', 'authenticated', 'brand_id', 'a0000000-0000-4000-8000-00000000000a',
  'app_role', 'brand_admin', 'sub', (select id::text from public.accounts where email = 'admin@acme.localhost')));
select throws_ok('select count(*) from public.login_failures', '42501', null, 'login failures: no access');
-- a brand admin reads its members' rows but no TOTP secret, not even its own, straight from
-- the table (its own comes sealed through auth_mfa_state)
select throws_ok('select mfa_secret, mfa_pending_secret from public.accounts', '42501', null,
  'accounts: TOTP secrets are not readable by staff');

select tests.act_as_superuser();
-- TOTP secrets are stored sealed only
select throws_ok($$update public.accounts set mfa_secret = 'JBSWY3DPEHPK3PXP' where email = 'admin@acme.localhost'$$,
  '23514', null, 'accounts: a TOTP secret in clear is refused');
select lives_ok($$update public.accounts set mfa_pending_secret = 'v1:k1:bm9uY2U=:Y3Q=' where email = 'admin@acme.localhost'$$,
  'accounts: a sealed value is stored');

-- a TOTP step is accepted once, and only past the last one
select is(public.auth_mfa_use_step((select id from public.accounts where email = 'admin@acme.localhost'), 100), true, 'a first step is accepted');
select is(public.auth_mfa_use_step((select id from public.accounts where email = 'admin@acme.localhost'), 100), null, 'the same step again is not');
select is(public.auth_mfa_use_step((select id from public.accounts where email = 'admin@acme.localhost'), 99), null, 'nor an earlier one');

-- what stays of a payload once sent: the non-secret fields
select is(shoal_private.scrub_email_payload('{"code": "123456", "role": "editor", "invite_url": "https://x/?token=t"}'),
  '{"role": "editor"}'::jsonb, 'outbox: codes and invitation links are scrubbed');

-- the login context carries no TOTP secret
select ok(not (public.auth_login_context('a0000000-0000-4000-8000-00000000000a', 'admin@acme.localhost', null) ? 'mfa_secret'),
  'login context: no secret');

select * from finish();
rollback;
