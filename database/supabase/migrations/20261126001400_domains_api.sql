-- =====================================================================================
-- Custom domains: claim (with a TXT verification token), verify, make primary, remove
-- =====================================================================================
-- A claim is not a domain: brands claim a host in `domain_claims`, each with a token of its
-- own, and a host enters `brand_domains` (which serves it) only when one of them proves
-- ownership through DNS. The verifying brand wins and every other claim on the host is
-- dropped; a claim nobody verifies lapses after 7 days. So an unverified claim never blocks
-- the host's real owner. A verified host belongs to its brand until that brand removes it.
-- The worker refuses IP literals, the platform's own hosts and special-use names first
-- (`shoal_domain::host::check_custom_domain`); the checks below keep IP literals out even so.

alter table public.brand_domains add constraint brand_domains_host_not_an_ip
  check (host !~ '^\[' and host !~ '(^|\.)([0-9]+|0x[0-9a-f]*)$');

create table public.domain_claims (
  brand_id            uuid not null references public.brands(id) on delete cascade,
  host                text not null check (host = lower(host) and host !~ '[:/ \[\]]' and host !~ '\.$'
                                           and host !~ '(^|\.)([0-9]+|0x[0-9a-f]*)$'),
  verification_token  text not null,
  created_at          timestamptz not null default now(),
  primary key (brand_id, host)
);
create index domain_claims_host_idx on public.domain_claims(host);
alter table public.domain_claims enable row level security;
alter table public.domain_claims force row level security;
create policy "staff can read their brand's domain claims" on public.domain_claims for select to authenticated
  using (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid);
grant select on public.domain_claims to authenticated;
grant all on public.domain_claims to service_role;


-- How long an unverified claim lives.
create function shoal_private.claim_lifetime()
returns interval language sql immutable set search_path = '' as $$ select interval '7 days' $$;

create function public.admin_list_domains(p_brand_id uuid)
returns jsonb language sql stable security definer set search_path = '' as $$
  select coalesce(jsonb_agg(d order by (d->>'is_primary')::boolean desc, d->>'host'), '[]'::jsonb) from (
    select jsonb_build_object('host', host, 'is_primary', is_primary, 'verified', verified, 'verification', null) d
      from public.brand_domains where brand_id = p_brand_id
    union all
    select jsonb_build_object('host', c.host, 'is_primary', false, 'verified', false,
             'verification', jsonb_build_object('type', 'TXT', 'name', '_shoal.' || c.host, 'value', c.verification_token),
             'expires_at', c.created_at + shoal_private.claim_lifetime())
      from public.domain_claims c
     where c.brand_id = p_brand_id and c.created_at > now() - shoal_private.claim_lifetime()
       and not exists (select 1 from public.brand_domains d where d.host = c.host and d.brand_id = p_brand_id)
  ) x
$$;

create function public.admin_add_domain(p_brand_id uuid, p_host text, p_token text, p_actor text)
returns jsonb language plpgsql security definer set search_path = '' as $$
begin
  if exists (select 1 from public.brand_domains where host = p_host and (verified or brand_id = p_brand_id)) then
    raise exception using errcode = 'PT409', message = 'domain_taken';
  end if;
  delete from public.domain_claims where host = p_host and created_at <= now() - shoal_private.claim_lifetime();
  begin
    insert into public.domain_claims (brand_id, host, verification_token) values (p_brand_id, p_host, p_token);
  exception
    when unique_violation then
      raise exception using errcode = 'PT409', message = 'domain_already_claimed';
    when check_violation then
      raise exception using errcode = 'PT422', message = 'invalid_domain';
  end;
  perform shoal_private.audit(p_brand_id, p_actor, 'domain_added', p_host, '{}');
  return public.admin_list_domains(p_brand_id);
end
$$;

create function public.admin_domain_token(p_brand_id uuid, p_host text)
returns text language sql stable security definer set search_path = '' as $$
  select verification_token from public.domain_claims
   where brand_id = p_brand_id and host = p_host and created_at > now() - shoal_private.claim_lifetime()
$$;

-- p_verified: the worker found this brand's token in DNS: the host becomes the brand's and
-- every other brand's claim on it is dropped. p_primary: make it the primary domain.
create function public.admin_update_domain(p_brand_id uuid, p_host text, p_verified boolean, p_primary boolean, p_actor text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v public.brand_domains;
  r record;
begin
  if p_verified then
    perform 1 from public.domain_claims where brand_id = p_brand_id and host = p_host
       and created_at > now() - shoal_private.claim_lifetime() for update;
    if not found then
      raise exception using errcode = 'PT404', message = 'domain_not_found';
    end if;
    -- unverified rows never served anything: the proof replaces them
    delete from public.brand_domains where host = p_host and not verified;
    insert into public.brand_domains (host, brand_id, verified) values (p_host, p_brand_id, true)
    on conflict (host) do nothing;
    if not exists (select 1 from public.brand_domains where host = p_host and brand_id = p_brand_id) then
      raise exception using errcode = 'PT409', message = 'domain_taken';
    end if;
    for r in delete from public.domain_claims where host = p_host returning brand_id loop
      if r.brand_id <> p_brand_id then
        perform shoal_private.audit(r.brand_id, 'system', 'domain_claim_dropped', p_host, '{"reason": "verified_by_another_brand"}');
      end if;
    end loop;
    perform shoal_private.audit(p_brand_id, p_actor, 'domain_verified', p_host, '{}');
  end if;
  if p_primary then
    select * into v from public.brand_domains where brand_id = p_brand_id and host = p_host for update;
    if not found then
      if exists (select 1 from public.domain_claims where brand_id = p_brand_id and host = p_host) then
        raise exception using errcode = 'PT409', message = 'domain_not_verified';
      end if;
      raise exception using errcode = 'PT404', message = 'domain_not_found';
    end if;
    if not v.verified then
      raise exception using errcode = 'PT409', message = 'domain_not_verified';
    end if;
    update public.brand_domains set is_primary = false where brand_id = p_brand_id and is_primary;
    update public.brand_domains set is_primary = true where host = p_host;
    perform shoal_private.audit(p_brand_id, p_actor, 'domain_made_primary', p_host, '{}');
  end if;
  return public.admin_list_domains(p_brand_id);
end
$$;

create function public.admin_remove_domain(p_brand_id uuid, p_host text, p_actor text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v public.brand_domains;
begin
  select * into v from public.brand_domains where brand_id = p_brand_id and host = p_host for update;
  if found then
    if v.is_primary then
      raise exception using errcode = 'PT409', message = 'primary_domain';
    end if;
    delete from public.brand_domains where host = p_host;
  else
    delete from public.domain_claims where brand_id = p_brand_id and host = p_host;
    if not found then
      raise exception using errcode = 'PT404', message = 'domain_not_found';
    end if;
  end if;
  perform shoal_private.audit(p_brand_id, p_actor, 'domain_removed', p_host, '{}');
  return public.admin_list_domains(p_brand_id);
end
$$;

-- The brand's primary host: links in emails are built on it, never on a request's Host.
create function public.admin_primary_host(p_brand_id uuid)
returns text language sql stable security definer set search_path = '' as $$
  select host from public.brand_domains where brand_id = p_brand_id and is_primary and verified
$$;

revoke execute on function shoal_private.claim_lifetime() from public, anon, authenticated;
revoke execute on function public.admin_list_domains(uuid), public.admin_add_domain(uuid, text, text, text),
  public.admin_domain_token(uuid, text), public.admin_update_domain(uuid, text, boolean, boolean, text),
  public.admin_remove_domain(uuid, text, text), public.admin_primary_host(uuid) from public, anon, authenticated;
grant execute on function public.admin_list_domains(uuid), public.admin_add_domain(uuid, text, text, text),
  public.admin_domain_token(uuid, text), public.admin_update_domain(uuid, text, boolean, boolean, text),
  public.admin_remove_domain(uuid, text, text), public.admin_primary_host(uuid) to service_role;
