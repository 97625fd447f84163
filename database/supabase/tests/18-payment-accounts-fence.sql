begin;
\ir helpers/act_as.psql
select plan(12);

-- A brand's Stripe connected account (brands.stripe_account) and its state
-- (brand_payment_accounts): payment managers (brand admins) of the brand read them and
-- bind an account once (shoal_private.bind_payment_account, a definer); nobody else reads
-- or writes them, and no staff role writes brands.stripe_account directly.

\set acme   '''a0000000-0000-4000-8000-00000000000a'''
\set globex '''b0000000-0000-4000-8000-00000000000b'''
update public.brands set stripe_account = 'acct_1GlobexFence' where id = :globex;
insert into public.brand_payment_accounts (brand_id, charges_enabled, details_submitted) values (:globex, true, true);
select tests.staff('5a000000-0000-4000-8000-0000000000a1', :acme, 'brand_admin');
select tests.staff('5a000000-0000-4000-8000-0000000000a2', :acme, 'editor');
select tests.staff('5a000000-0000-4000-8000-0000000000a3', :acme, 'read_only');

-- ---------------------------------------------------------------- acme's admin
select tests.act_as('authenticated', jsonb_build_object('brand_id', 'a0000000-0000-4000-8000-00000000000a',
  'app_role', 'brand_admin', 'sub', '5a000000-0000-4000-8000-0000000000a1', 'sid', '5e000000-0000-4000-8000-0000000000a1'));
select is((select count(*)::int from public.brand_payment_accounts), 0, 'acme''s admin sees no other brand''s payment account');
select is(public.admin_payment_account()->>'stripe_account', null, '... and acme has none yet');
select throws_ok($$select public.admin_bind_payment_account('acct_1GlobexFence')$$, '23505', null,
  'globex''s account cannot be bound to acme');
select throws_ok($$update public.brands set stripe_account = 'acct_1Direct' where id = 'a0000000-0000-4000-8000-00000000000a'$$,
  '42501', null, 'staff do not write brands.stripe_account directly');
select is(public.admin_bind_payment_account('acct_1AcmeFence')->>'stripe_account', 'acct_1AcmeFence', 'acme''s admin binds an account');
select is(public.admin_bind_payment_account('acct_1AcmeOther')->>'stripe_account', 'acct_1AcmeFence', '... once: a bound account stays');
select is((select count(*)::int from public.brand_payment_accounts), 1, '... and now reads acme''s row only');
select throws_ok($$insert into public.brand_payment_accounts (brand_id, charges_enabled) values ('a0000000-0000-4000-8000-00000000000a', true)$$,
  '42501', null, 'staff never write the account''s state (Stripe''s events do)');

-- ---------------------------------------------------------------- acme's editor and viewer
select tests.act_as('authenticated', jsonb_build_object('brand_id', 'a0000000-0000-4000-8000-00000000000a',
  'app_role', 'editor', 'sub', '5a000000-0000-4000-8000-0000000000a2', 'sid', '5e000000-0000-4000-8000-0000000000a2'));
select throws_ok($$select public.admin_payment_account()$$, '42501', null, 'an editor reads no payment account');
select throws_ok($$select public.admin_bind_payment_account('acct_1EditorFence')$$, '42501', null, '... and binds none');
select tests.act_as('authenticated', jsonb_build_object('brand_id', 'a0000000-0000-4000-8000-00000000000a',
  'app_role', 'read_only', 'sub', '5a000000-0000-4000-8000-0000000000a3', 'sid', '5e000000-0000-4000-8000-0000000000a3'));
select is((select count(*)::int from public.brand_payment_accounts), 0, 'a read_only member reads no payment account');

-- ---------------------------------------------------------------- a shopper
select tests.act_as('anon', jsonb_build_object('brand_id', 'a0000000-0000-4000-8000-00000000000a'));
select throws_ok($$select public.admin_bind_payment_account('acct_1ShopperFence')$$, '42501', null, 'a shopper binds nothing');

select * from finish();
rollback;
