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
-- Staff claim and drop hosts for their own brand only (their own token; domain managers:
-- brand and super admins). Proof of ownership is not theirs to give: see
-- record_domain_verification below.
create policy "domain managers can claim hosts for their brand" on public.domain_claims for insert to authenticated
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_domains')));
create policy "domain managers can drop their brand's claims" on public.domain_claims for delete to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_domains')));
grant select, insert (brand_id, host, verification_token), delete on public.domain_claims to authenticated;
grant all on public.domain_claims to service_role;


-- How long an unverified claim lives.
create function shoal_private.claim_lifetime()
returns interval language sql immutable set search_path = '' as $$ select interval '7 days' $$;

-- Whether some brand serves the host (a verified domain). Definer: staff see only their own
-- brand's domains, yet a host another brand proved is not theirs to claim. Answers a yes or
-- no that any visitor learns by opening the host; no brand, no row.
create function shoal_private.host_is_served(p_host text)
returns boolean language sql stable security definer set search_path = '' as $$
  select exists (select 1 from public.brand_domains where host = p_host and verified)
$$;

-- Drops the lapsed claims on a host, whichever brand made them. Definer: a lapsed claim of
-- another brand is invisible to staff, and nothing of it is left to protect (it can no longer
-- be verified and is listed nowhere).
create function shoal_private.drop_lapsed_claims(p_host text)
returns void language sql security definer set search_path = '' as $$
  delete from public.domain_claims where host = p_host and created_at <= now() - shoal_private.claim_lifetime()
$$;

create function public.admin_list_domains()
returns jsonb language plpgsql stable set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
begin
  perform shoal_private.require_staff('manage_domains');
  return (select coalesce(jsonb_agg(d order by (d->>'is_primary')::boolean desc, d->>'host'), '[]'::jsonb) from (
    select jsonb_build_object('host', host, 'is_primary', is_primary, 'verified', verified, 'verification', null) d
      from public.brand_domains where brand_id = v_brand
    union all
    select jsonb_build_object('host', c.host, 'is_primary', false, 'verified', false,
             'verification', jsonb_build_object('type', 'TXT', 'name', '_shoal.' || c.host, 'value', c.verification_token),
             'expires_at', c.created_at + shoal_private.claim_lifetime())
      from public.domain_claims c
     where c.brand_id = v_brand and c.created_at > now() - shoal_private.claim_lifetime()
       and not exists (select 1 from public.brand_domains d where d.host = c.host and d.brand_id = v_brand)
  ) x);
end
$$;

create function public.admin_add_domain(p_host text, p_token text)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
begin
  perform shoal_private.require_staff('manage_domains');
  if shoal_private.host_is_served(p_host)
     or exists (select 1 from public.brand_domains where host = p_host and brand_id = v_brand) then
    raise exception using errcode = 'PT409', message = 'domain_taken';
  end if;
  perform shoal_private.drop_lapsed_claims(p_host);
  begin
    insert into public.domain_claims (brand_id, host, verification_token) values (v_brand, p_host, p_token);
  exception
    when unique_violation then
      raise exception using errcode = 'PT409', message = 'domain_already_claimed';
    when check_violation then
      raise exception using errcode = 'PT422', message = 'invalid_domain';
  end;
  perform shoal_private.staff_audit('domain_added', p_host, '{}');
  return public.admin_list_domains();
end
$$;

create function public.admin_domain_token(p_host text)
returns text language plpgsql stable set search_path = '' as $$
begin
  perform shoal_private.require_staff('manage_domains');
  return (select verification_token from public.domain_claims
           where brand_id = shoal_private.claim_brand() and host = p_host and created_at > now() - shoal_private.claim_lifetime());
end
$$;

-- The worker found this brand's token in DNS: the host becomes the brand's and every other
-- brand's claim on it is dropped. Service role only, and so a definer with the brand as a
-- parameter: the proof is the worker's DNS lookup, which no staff token can carry, and the
-- step changes other brands' claims. Staff get the refreshed list through admin_list_domains.
create function public.record_domain_verification(p_brand_id uuid, p_host text, p_actor text)
returns void language plpgsql security definer set search_path = '' as $$
declare
  r record;
begin
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
end
$$;

-- p_primary: make the (verified) host the brand's primary domain.
create function public.admin_update_domain(p_host text, p_primary boolean)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
  v public.brand_domains;
begin
  perform shoal_private.require_staff('manage_domains');
  if p_primary then
    select * into v from public.brand_domains where brand_id = v_brand and host = p_host for update;
    if not found then
      if exists (select 1 from public.domain_claims where brand_id = v_brand and host = p_host) then
        raise exception using errcode = 'PT409', message = 'domain_not_verified';
      end if;
      raise exception using errcode = 'PT404', message = 'domain_not_found';
    end if;
    if not v.verified then
      raise exception using errcode = 'PT409', message = 'domain_not_verified';
    end if;
    update public.brand_domains set is_primary = false where brand_id = v_brand and is_primary;
    update public.brand_domains set is_primary = true where host = p_host and brand_id = v_brand;
    perform shoal_private.staff_audit('domain_made_primary', p_host, '{}');
  end if;
  return public.admin_list_domains();
end
$$;

create function public.admin_remove_domain(p_host text)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
  v public.brand_domains;
begin
  perform shoal_private.require_staff('manage_domains');
  select * into v from public.brand_domains where brand_id = v_brand and host = p_host for update;
  if found then
    if v.is_primary then
      raise exception using errcode = 'PT409', message = 'primary_domain';
    end if;
    delete from public.brand_domains where host = p_host and brand_id = v_brand;
  else
    delete from public.domain_claims where brand_id = v_brand and host = p_host;
    if not found then
      raise exception using errcode = 'PT404', message = 'domain_not_found';
    end if;
  end if;
  perform shoal_private.staff_audit('domain_removed', p_host, '{}');
  return public.admin_list_domains();
end
$$;

-- The brand's primary host: links in emails are built on it, never on a request's Host.
create function public.admin_primary_host()
returns text language sql stable set search_path = '' as $$
  select host from public.brand_domains where brand_id = (select shoal_private.claim_brand()) and is_primary and verified
$$;

revoke execute on function shoal_private.claim_lifetime(), shoal_private.host_is_served(text),
  shoal_private.drop_lapsed_claims(text) from public, anon;
grant execute on function shoal_private.claim_lifetime(), shoal_private.host_is_served(text),
  shoal_private.drop_lapsed_claims(text) to authenticated;
-- staff call these with their own token (identity and brand from its claims)
revoke execute on function public.admin_list_domains(), public.admin_add_domain(text, text), public.admin_domain_token(text),
  public.admin_update_domain(text, boolean), public.admin_remove_domain(text), public.admin_primary_host()
  from public, anon, service_role;
grant execute on function public.admin_list_domains(), public.admin_add_domain(text, text), public.admin_domain_token(text),
  public.admin_update_domain(text, boolean), public.admin_remove_domain(text), public.admin_primary_host()
  to authenticated;
revoke execute on function public.record_domain_verification(uuid, text, text) from public, anon, authenticated;
grant execute on function public.record_domain_verification(uuid, text, text) to service_role;
