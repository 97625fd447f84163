-- The signed-in account's own calls (password, email change, profile, logout, MFA) run as
-- the caller: with one account's claims, another account's row, sessions and MFA state
-- stay as they were, whether through the functions or straight at the tables; without a
-- signed-in account nothing is done.
-- Accounts: A = admin@acme.localhost (the caller), B = editor@acme.localhost (same brand),
-- C = admin@globex.localhost (another brand). Sessions used here: 5e…a1 (A, the token's),
-- 5e…a2 (A, another), 5e…b1 (B), 5e…c1 (C).
begin;
\ir helpers/act_as.psql
select plan(32);

select set_config('tests.a', (select id::text from public.accounts where email = 'admin@acme.localhost'), true);
select set_config('tests.b', (select id::text from public.accounts where email = 'editor@acme.localhost'), true);
select set_config('tests.c', (select id::text from public.accounts where email = 'admin@globex.localhost'), true);

-- B and C have a second factor and sessions of their own
update public.accounts set mfa_secret = 'v1:k1:bm9uY2U=:b3RoZXI=', mfa_enabled_at = now(), mfa_recovery_hashes = '{r1}',
                           name = 'Other', password_hash = 'other-hash'
 where id in (current_setting('tests.b')::uuid, current_setting('tests.c')::uuid);
insert into public.sessions (id, brand_id, account_id, family_id, refresh_hash, expires_at, absolute_expires_at) values
  ('5e000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', current_setting('tests.a')::uuid,
   '5f000000-0000-4000-8000-0000000000a1', 'pgtap-a1', now() + interval '1 day', now() + interval '2 days'),
  ('5e000000-0000-4000-8000-0000000000a2', 'b0000000-0000-4000-8000-00000000000b', current_setting('tests.a')::uuid,
   '5f000000-0000-4000-8000-0000000000a2', 'pgtap-a2', now() + interval '1 day', now() + interval '2 days'),
  ('5e000000-0000-4000-8000-0000000000b1', 'a0000000-0000-4000-8000-00000000000a', current_setting('tests.b')::uuid,
   '5f000000-0000-4000-8000-0000000000b1', 'pgtap-b1', now() + interval '1 day', now() + interval '2 days'),
  ('5e000000-0000-4000-8000-0000000000c1', 'b0000000-0000-4000-8000-00000000000b', current_setting('tests.c')::uuid,
   '5f000000-0000-4000-8000-0000000000c1', 'pgtap-c1', now() + interval '1 day', now() + interval '2 days');

-- the test's own helpers run as any role it acts as
alter default privileges for role postgres grant execute on functions to public;
-- what B and C look like before A acts
create temporary table others_before on commit drop as
  select id, email, name, locale, password_hash, mfa_secret, mfa_pending_secret, mfa_enabled_at, mfa_recovery_hashes, mfa_last_step
    from public.accounts where id in (current_setting('tests.b')::uuid, current_setting('tests.c')::uuid);
create temporary table other_sessions_before on commit drop as
  select id, revoked_at from public.sessions where account_id <> current_setting('tests.a')::uuid;

create function pg_temp.others_unchanged() returns boolean language sql as $$
  select not exists (
    select id, email, name, locale, password_hash, mfa_secret, mfa_pending_secret, mfa_enabled_at, mfa_recovery_hashes, mfa_last_step
      from public.accounts where id in (select id from others_before)
    except select * from others_before)
  and not exists (select s.id from public.sessions s join other_sessions_before o using (id)
                   where s.revoked_at is distinct from o.revoked_at)
$$;

-- ------------------------------------------------------------ as A (an editor here: what member
-- managers may see of their members is tested in 12; the own-account fence holds for every role)
create function pg_temp.as_a() returns void language sql as $$
  select tests.act_as('authenticated', jsonb_build_object('brand_id', 'a0000000-0000-4000-8000-00000000000a',
    'app_role', 'editor', 'sub', current_setting('tests.a'), 'sid', '5e000000-0000-4000-8000-0000000000a1'))
$$;
select pg_temp.as_a();

-- reads: one's own row and sessions only
select is((select count(*)::int from public.accounts), 1, 'accounts: A sees its own row only');
select is((select count(*)::int from public.sessions where account_id <> current_setting('tests.a')::uuid), 0,
  'sessions: none of another account');
select is((select count(*)::int from public.sessions
            where id in ('5e000000-0000-4000-8000-0000000000a1', '5e000000-0000-4000-8000-0000000000a2')), 2,
  'sessions: A''s own in every brand');
select is(public.auth_mfa_state() ->> 'email', 'admin@acme.localhost', 'auth_mfa_state: the caller''s own state');
select throws_ok('select password_hash from public.accounts', '42501', null, 'accounts: the password hash is not readable');

-- writes through the functions touch A only
select lives_ok($$select public.auth_update_profile('Ann', 'es')$$, 'auth_update_profile runs');
select lives_ok($$select public.auth_mfa_setup('v1:k1:bm9uY2U=:bmV3')$$, 'auth_mfa_setup runs');
select lives_ok($$select public.auth_mfa_enable('{h1}', 7)$$, 'auth_mfa_enable runs');
select lives_ok($$select public.auth_reauthentication_failed('password', 'mfa_disable')$$, 'auth_reauthentication_failed runs');
select lives_ok($$select public.auth_mfa_disable()$$, 'auth_mfa_disable runs');
select lives_ok($$select public.auth_request_email_change('someone-new@example.com', '123456', 'pgtap-code-hash')$$,
  'auth_request_email_change runs');
select lives_ok($$select public.auth_change_password('new-hash')$$, 'auth_change_password runs');
select tests.act_as_superuser();
select ok(pg_temp.others_unchanged(), 'after A''s calls: B''s and C''s rows, MFA and sessions are as they were');

-- straight at the tables: another account's row and sessions are out of reach
select pg_temp.as_a();
update public.accounts set name = 'hacked', mfa_secret = null, mfa_enabled_at = null
 where id in (current_setting('tests.b')::uuid, current_setting('tests.c')::uuid);
update public.sessions set revoked_at = now(), revoked_reason = 'hacked' where account_id <> current_setting('tests.a')::uuid;
select tests.act_as_superuser();
select ok(pg_temp.others_unchanged(), 'direct updates of another account change nothing');
select pg_temp.as_a();
select throws_ok($$update public.accounts set email = 'x@example.com'$$, '42501', null, 'accounts: the email is not the caller''s to set');
select throws_ok($$update public.accounts set is_super_admin = true$$, '42501', null, 'accounts: nor super admin');
select throws_ok($$delete from public.sessions$$, '42501', null, 'sessions: no delete');
select throws_ok($$insert into public.revoked_tokens (jti, brand_id, expires_at)
  values ('pgtap-other-brand', 'b0000000-0000-4000-8000-00000000000b', now())$$,
  '42501', null, 'revoked tokens: not for another brand');

-- a token naming another account's session logs nothing out
select tests.act_as('authenticated', jsonb_build_object('brand_id', 'a0000000-0000-4000-8000-00000000000a',
  'app_role', 'brand_admin', 'sub', current_setting('tests.a'), 'sid', '5e000000-0000-4000-8000-0000000000b1'));
select lives_ok($$select public.auth_logout('pgtap-jti-b', now() + interval '1 hour')$$, 'auth_logout with B''s session id runs');
select tests.act_as_superuser();
select ok(pg_temp.others_unchanged(), 'auth_logout naming B''s session leaves it alive');

-- A's own logout ends A's session family and denies the token
select pg_temp.as_a();
select lives_ok($$select public.auth_logout('pgtap-jti-a', now() + interval '1 hour')$$, 'auth_logout runs');
select tests.act_as_superuser();
select is((select revoked_reason from public.sessions where id = '5e000000-0000-4000-8000-0000000000a1'), 'logout', 'A''s session is logged out');
select is((select count(*)::int from public.revoked_tokens where jti in ('pgtap-jti-a', 'pgtap-jti-b')), 1, 'only A''s token is denied');
select is((select revoked_reason from public.sessions where id = '5e000000-0000-4000-8000-0000000000a2'), 'password_changed',
  'a password change ends A''s other sessions, in every brand');
select results_eq($$select name, locale, password_hash, mfa_enabled_at is null, mfa_pending_secret is null
                     from public.accounts where id = current_setting('tests.a')::uuid$$,
  $$values ('Ann'::text, 'es'::text, 'new-hash'::text, true, true)$$, 'A''s own row changed as asked');
select is((select pending_email from public.auth_codes where account_id = current_setting('tests.a')::uuid and purpose = 'change_email'),
  'someone-new@example.com', 'the email-change code is A''s');
select is((select count(*)::int from public.audit_log where actor = current_setting('tests.a')
            and action in ('mfa_enabled', 'mfa_disabled', 'reauthentication_failed', 'password_changed', 'logout')
            and brand_id = 'a0000000-0000-4000-8000-00000000000a' and at >= now()), 5,
  'the audit entries name A in the token''s brand');

-- ------------------------------------------------------- without a signed-in account
select tests.act_as('authenticated', jsonb_build_object('brand_id', 'a0000000-0000-4000-8000-00000000000a', 'app_role', 'brand_admin'));
select throws_ok($$select public.auth_mfa_disable()$$, '42501', null, 'no sub: auth_mfa_disable refuses');
select throws_ok($$select public.auth_change_password('x')$$, '42501', null, 'no sub: auth_change_password refuses');
select throws_ok($$select public.auth_reauthentication_failed('password', 'x')$$, '42501', null, 'no sub: nothing is audited');

select tests.act_as('anon', jsonb_build_object('brand_id', 'a0000000-0000-4000-8000-00000000000a'));
select throws_ok($$select public.auth_update_profile('x', null)$$, '42501', null, 'a shopper cannot call the account functions');
select tests.act_as_superuser();
select is(array(select p.proname::text from pg_proc p where p.pronamespace = 'public'::regnamespace
                  and p.proname in ('auth_change_password', 'auth_request_email_change', 'auth_update_profile', 'auth_logout',
                                    'auth_mfa_state', 'auth_mfa_setup', 'auth_mfa_enable', 'auth_mfa_disable', 'auth_reauthentication_failed')
                  and (p.prosecdef or has_function_privilege('anon', p.oid, 'execute') or has_function_privilege('service_role', p.oid, 'execute'))),
  '{}'::text[], 'the account''s own calls are invokers that only authenticated may execute');

select * from finish();
rollback;
