-- The dashboard's session functions (migration 002500): `auth_me` answers the caller's own
-- profile and nobody else's; `auth_session` names the session family the CSRF token is
-- bound to; `auth_refresh` with another family's id (a forged or foreign CSRF token)
-- refuses before anything is spent or counted as a reuse.
-- A = admin@acme.localhost, B = editor@acme.localhost.
begin;
\ir helpers/act_as.psql
select plan(9);

select set_config('tests.a', (select id::text from public.accounts where email = 'admin@acme.localhost'), true);
select set_config('tests.b', (select id::text from public.accounts where email = 'editor@acme.localhost'), true);
insert into public.sessions (id, brand_id, account_id, family_id, refresh_hash, expires_at, absolute_expires_at) values
  ('5e000000-0000-4000-8000-0000000002a1', 'a0000000-0000-4000-8000-00000000000a', current_setting('tests.a')::uuid,
   '5f000000-0000-4000-8000-0000000002a1', 'pgtap-dash-a1', now() + interval '1 day', now() + interval '2 days');

select tests.act_as('authenticated', jsonb_build_object('sub', current_setting('tests.a'), 'brand_id', 'a0000000-0000-4000-8000-00000000000a',
                                                        'app_role', 'brand_admin', 'sid', '5e000000-0000-4000-8000-0000000002a1'));
select is(public.auth_me() ->> 'email', 'admin@acme.localhost', 'auth_me answers the caller''s own account');
select is((select count(*) from jsonb_object_keys(public.auth_me())), 4::bigint, 'email, name, locale, mfa_enabled: nothing else');
select tests.act_as('authenticated', jsonb_build_object('sub', current_setting('tests.b'), 'brand_id', 'a0000000-0000-4000-8000-00000000000a',
                                                        'app_role', 'editor'));
select is(public.auth_me() ->> 'email', 'editor@acme.localhost', 'another caller gets its own, never A''s');
select tests.act_as('anon', '{"brand_id": "a0000000-0000-4000-8000-00000000000a"}');
select throws_ok($$select public.auth_me()$$, '42501', null, 'a shopper cannot call it');
select tests.act_as_superuser();

select is(public.auth_session('5e000000-0000-4000-8000-0000000002a1', 'no-such-jti', 'a0000000-0000-4000-8000-00000000000a') ->> 'family_id',
          '5f000000-0000-4000-8000-0000000002a1', 'auth_session names the family');

select is(public.auth_refresh('pgtap-dash-a1', 'pgtap-dash-a2', 30, 'a0000000-0000-4000-8000-00000000000a',
                              '5f000000-0000-4000-8000-0000000009ff') ->> 'outcome', 'csrf', 'another family''s token is refused');
select is((select rotated_at from public.sessions where id = '5e000000-0000-4000-8000-0000000002a1'), null, 'and nothing was spent');
select is(public.auth_refresh('pgtap-dash-a1', 'pgtap-dash-a2', 30, 'a0000000-0000-4000-8000-00000000000a',
                              '5f000000-0000-4000-8000-0000000002a1') ->> 'family_id', '5f000000-0000-4000-8000-0000000002a1',
          'its own family rotates and is named');
select is(public.auth_refresh('pgtap-dash-a2', 'pgtap-dash-a3', 30, 'a0000000-0000-4000-8000-00000000000a') ->> 'outcome', 'rotated',
          'a refresh token sent in the body (no family) rotates as before');

select * from finish();
rollback;
