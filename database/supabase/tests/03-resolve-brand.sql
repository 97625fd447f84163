begin;
\ir helpers/act_as.psql
select plan(6);

select is(has_function_privilege('authenticated', 'public.resolve_brand(text)', 'execute'), false,
  'staff cannot call resolve_brand');
select is(has_function_privilege('service_role', 'public.resolve_brand(text)', 'execute'), true,
  'the service role can call resolve_brand');

select tests.act_as('service_role', '{"role":"service_role"}');
select is(public.resolve_brand('acme.localhost') ->> 'slug', 'acme', 'acme host resolves to acme');
select is(public.resolve_brand('globex.localhost') ->> 'currency', 'EUR', 'globex resolves with its currency');
select is(public.resolve_brand('unknown.localhost'), null, 'an unknown host resolves to nothing');
select is(public.resolve_brand('unverified.acme.localhost'), null, 'an unverified domain resolves to nothing');

select * from finish();
rollback;
