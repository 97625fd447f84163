begin;
\ir helpers/act_as.psql
-- the staff members these claims name (the database confirms a token's role)
select tests.staff('00000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-00000000000a', 'brand_admin');
select plan(16);

-- Demo brands from seed.sql
\set acme   '''a0000000-0000-4000-8000-00000000000a'''
\set globex '''b0000000-0000-4000-8000-00000000000b'''

-- ---------------------------------------------------------------- anon without a brand
select tests.act_as('anon', '{"role":"anon"}');
select is((select count(*) from public.brands)::int, 0, 'anon without a brand claim sees no brand');
select throws_ok('select count(*) from public.brand_domains', '42501', null, 'anon cannot read domains at all');
select throws_ok('select count(*) from public.platform_settings', '42501', null, 'anon cannot read platform settings');

-- ---------------------------------------------------------------- a shopper of acme
select tests.act_as('anon', '{"role":"anon","brand_id":"a0000000-0000-4000-8000-00000000000a"}');
select results_eq('select slug from public.brands', $$values ('acme')$$, 'an acme shopper sees only acme');
select throws_ok($$update public.brands set name = 'x'$$, '42501', null, 'shoppers cannot update brands');

-- ---------------------------------------------------------------- acme's brand admin
select tests.act_as('authenticated',
  '{"role":"authenticated","brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"brand_admin","sub":"00000000-0000-4000-8000-0000000000a1"}');
select results_eq('select slug from public.brands', $$values ('acme')$$, 'acme admin sees only acme');
select results_eq('select host from public.brand_domains order by host',
  $$values ('acme.localhost'), ('unverified.acme.localhost')$$, 'acme admin sees only acme domains');
select throws_ok('select count(*) from public.platform_settings', '42501', null, 'staff cannot read platform settings');

-- updates of another brand silently match nothing under RLS
update public.brands set name = 'Hijacked' where id = :globex;
update public.brand_domains set is_primary = false where host = 'globex.localhost';
delete from public.brand_domains where host = 'globex.localhost';
select throws_ok(
  $$insert into public.brand_domains (host, brand_id) values ('evil.localhost', 'b0000000-0000-4000-8000-00000000000b')$$,
  '42501', null, 'acme admin cannot add a domain to globex');
select throws_ok(
  $$insert into public.brand_domains (host, brand_id, verified) values ('shop.acme.localhost', 'a0000000-0000-4000-8000-00000000000a', true)$$,
  '42501', null, 'acme admin cannot add a domain to acme either: hosts enter only with proof from DNS');
select throws_ok(
  $$update public.brand_domains set brand_id = 'b0000000-0000-4000-8000-00000000000b' where host = 'unverified.acme.localhost'$$,
  '42501', null, 'acme admin cannot move a domain to globex');

-- ---------------------------------------------------------------- acme's editor (not admin)
select tests.act_as('authenticated',
  '{"role":"authenticated","brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"editor"}');
update public.brands set name = 'Editor was here' where id = :acme;
select throws_ok(
  $$insert into public.brand_domains (host, brand_id) values ('editor.acme.localhost', 'a0000000-0000-4000-8000-00000000000a')$$,
  '42501', null, 'an editor cannot add domains');

-- ---------------------------------------------------------------- check as superuser
select tests.act_as_superuser();
select is((select name from public.brands where id = :globex), 'Globex Tienda', 'globex name untouched by acme admin');
select is((select brand_id from public.brand_domains where host = 'globex.localhost'), :globex::uuid, 'globex domain untouched');
select is((select name from public.brands where id = :acme), 'Acme Outfitters', 'an editor cannot rename the brand');

-- resolve_brand is the service role's only
select is(has_function_privilege('anon', 'public.resolve_brand(text)', 'execute'), false, 'anon cannot resolve hosts');

select * from finish();
rollback;
