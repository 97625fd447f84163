begin;
\ir helpers/act_as.psql
select plan(14);

-- acme's seeded brand admin, as the worker's database token would carry it
select set_config('tests.acme_admin', (select id::text from public.accounts where email = 'admin@acme.localhost'), true);
insert into public.invitations (brand_id, email, role, token_hash, invited_by, expires_at) values
  ('a0000000-0000-4000-8000-00000000000a', 'inv-a@example.com', 'editor', 'pgtap-a', 'pgtap', now() + interval '1 day'),
  ('b0000000-0000-4000-8000-00000000000b', 'inv-b@example.com', 'editor', 'pgtap-b', 'pgtap', now() + interval '1 day');

select tests.act_as('authenticated', jsonb_build_object('role', 'authenticated', 'brand_id', 'a0000000-0000-4000-8000-00000000000a',
  'app_role', 'brand_admin', 'sub', current_setting('tests.acme_admin')));
select is((select count(*) from public.memberships where brand_id <> 'a0000000-0000-4000-8000-00000000000a')::int, 0, 'memberships: no globex member');
select ok((select count(*) from public.memberships) >= 3, 'memberships: acme admin sees acme members');
select is((select count(*) from public.accounts a where not exists (select 1 from public.memberships m
  where m.account_id = a.id and m.brand_id = 'a0000000-0000-4000-8000-00000000000a'))::int, 0, 'accounts: acme''s members only');
select is((select count(*) from public.invitations where brand_id <> 'a0000000-0000-4000-8000-00000000000a')::int, 0, 'invitations: acme only');
select is((select count(*) from public.sessions where brand_id <> 'a0000000-0000-4000-8000-00000000000a')::int, 0, 'sessions: acme''s only');
select throws_ok('select password_hash from public.accounts', '42501', null, 'accounts: password hashes are never readable');
select throws_ok('select count(*) from public.revoked_tokens', '42501', null, 'revoked tokens: no access');
select throws_ok('select count(*) from public.auth_codes', '42501', null, 'codes: no access');
select throws_ok($$insert into public.memberships (brand_id, account_id, role) values ('b0000000-0000-4000-8000-00000000000b', current_setting('tests.acme_admin')::uuid, 'brand_admin')$$,
  '42501', null, 'memberships: no self-service join of globex');
select throws_ok($$update public.memberships set brand_id = 'b0000000-0000-4000-8000-00000000000b'$$, '42501', null, 'memberships: no move to another brand');

select tests.act_as('authenticated', '{"role":"authenticated","brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"editor"}');
select is((select count(*) from public.invitations)::int, 0, 'invitations: editors see none');

select tests.act_as_superuser();
select is(has_function_privilege('authenticated', 'public.auth_login_context(uuid, text, text)', 'execute'), false, 'login context is the worker''s only');
select is(has_function_privilege('anon', 'public.auth_signup(text, text, text, text, text, text, text, text, text)', 'execute'), false, 'sign-up goes through the worker');
select is(has_function_privilege('anon', 'public.admin_update_member(uuid, text, text, boolean)', 'execute'), false,
  'shoppers cannot change members');

select * from finish();
rollback;
