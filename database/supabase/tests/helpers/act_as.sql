-- Test helpers, loaded by scripts/test before pg_prove runs the numbered files.
create extension if not exists pgtap;
create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;

-- Act as a PostgREST request with the given role and JWT claims.
create or replace function tests.act_as(p_role text, p_claims jsonb) returns void
language plpgsql as $$
begin
  perform set_config('request.jwt.claims', p_claims::text, true);
  execute format('set local role %I', p_role);
end
$$;
grant execute on function tests.act_as(text, jsonb) to anon, authenticated, service_role;

create or replace function tests.act_as_superuser() returns void
language plpgsql as $$
begin
  reset role;
  perform set_config('request.jwt.claims', '', true);
end
$$;
