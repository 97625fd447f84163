begin;
\ir helpers/act_as.psql
select plan(9);

-- The database confirms a staff token's brand and role against memberships
-- (shoal_private.claim_staff_role): claims the worker minted wrongly, or forged ones,
-- act on nothing. Accounts from seed.sql: admin@acme (brand_admin of acme), editor@acme.
select set_config('t.admin', (select id::text from public.accounts where email = 'admin@acme.localhost'), true);
select set_config('t.editor', (select id::text from public.accounts where email = 'editor@acme.localhost'), true);

create function pg_temp.as_staff(p_account text, p_brand text, p_role text) returns void language sql as $$
  select tests.act_as('authenticated', jsonb_build_object('sub', p_account, 'brand_id', p_brand, 'app_role', p_role, 'sid', 'pgtap'))
$$;
grant execute on function pg_temp.as_staff(text, text, text) to authenticated;

-- acme's admin, claiming to be globex's admin
select pg_temp.as_staff(current_setting('t.admin'), 'b0000000-0000-4000-8000-00000000000b', 'brand_admin');
select is(shoal_private.staff_may('read_orders'), false, 'a brand the account is no member of: no staff right');
select is((select count(*)::int from public.orders), 0, 'and no order of that brand');
update public.brands set name = 'Taken' where id = 'b0000000-0000-4000-8000-00000000000b';
select throws_ok($$select public.admin_list_members()$$, '42501', null, 'nor its member list');

-- acme's editor, claiming to be acme's admin
select pg_temp.as_staff(current_setting('t.editor'), 'a0000000-0000-4000-8000-00000000000a', 'brand_admin');
select is(shoal_private.staff_may('manage_members'), false, 'a role above the membership: no admin right');
select throws_ok($$select public.admin_set_security(true)$$, '42501', null, 'so no security setting change');

-- a super admin claim for an account that is none
select pg_temp.as_staff(current_setting('t.editor'), 'a0000000-0000-4000-8000-00000000000a', 'super_admin');
select is(shoal_private.staff_may('read_orders'), false, 'super_admin only for super admin accounts');

-- the same editor with its real role still works, until the membership is disabled
select pg_temp.as_staff(current_setting('t.editor'), 'a0000000-0000-4000-8000-00000000000a', 'editor');
select is(shoal_private.staff_may('manage_catalog'), true, 'the confirmed role keeps its rights');
select tests.act_as_superuser();
update public.memberships set status = 'disabled' where account_id = current_setting('t.editor')::uuid;
select pg_temp.as_staff(current_setting('t.editor'), 'a0000000-0000-4000-8000-00000000000a', 'editor');
select is(shoal_private.staff_may('manage_catalog'), false, 'a disabled member has none');

select tests.act_as_superuser();
select is((select name from public.brands where id = 'b0000000-0000-4000-8000-00000000000b'), 'Globex Tienda', 'globex kept its name');
select * from finish();
rollback;
