-- =====================================================================================
-- Custom domains: claim, register with Cloudflare for SaaS, verify, make primary, remove
-- =====================================================================================
-- A claim is not a domain: brands claim a host in `domain_claims`, and a host enters
-- `brand_domains` (which serves it) only when the claim is proven. The proof is Cloudflare's:
-- each claim normally holds a custom hostname on the platform's zone (Cloudflare for SaaS),
-- and the host is the brand's once Cloudflare reports both the hostname and its certificate
-- active, which needs the DNS records the brand admin was shown (the CNAME to the SaaS
-- target, Cloudflare's ownership TXT and certificate validation TXT).
-- Cloudflare takes a hostname once per zone, yet an unverified claim must never block the
-- host's real owner: only one claim per host holds the custom hostname; a second brand's
-- claim on it holds none and proves ownership with its own `_shoal.{host}` TXT token
-- (DNS over HTTPS). That proof drops every other claim on the host (their custom hostname
-- is deleted at Cloudflare) and the proving brand registers its own. A claim nobody
-- verifies lapses after 7 days (cron deletes its custom hostname). A verified host belongs
-- to its brand until that brand removes it.
-- What Cloudflare says reaches the database only through the worker, as the service role
-- (record_domain_claim, record_custom_hostname_check, take_over_domain): a staff token
-- cannot carry Cloudflare's word, and a custom hostname id staff could write would let them
-- aim the worker's deletions at another brand's hostname.
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
  -- the claim's custom hostname at Cloudflare and what Cloudflare last said of it
  custom_hostname_id  text unique,
  hostname_status     text,
  ssl_status          text,
  -- the DNS records the brand admin must set, as the worker built them from Cloudflare's answer
  dns_records         jsonb not null default '[]'::jsonb check (jsonb_typeof(dns_records) = 'array'),
  checked_at          timestamptz,
  primary key (brand_id, host)
);
create index domain_claims_host_idx on public.domain_claims(host);
-- Cloudflare takes a hostname once per zone: one claim per host holds it
create unique index domain_claims_one_custom_hostname_per_host on public.domain_claims(host) where custom_hostname_id is not null;
-- cron refreshes pending custom hostnames, least recently checked first
create index domain_claims_refresh_idx on public.domain_claims(checked_at nulls first) where custom_hostname_id is not null;

-- a verified custom domain keeps its custom hostname, which removing the domain deletes
alter table public.brand_domains add column custom_hostname_id text unique;
alter table public.domain_claims enable row level security;
alter table public.domain_claims force row level security;
create policy "staff can read their brand's domain claims" on public.domain_claims for select to authenticated
  using (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid);
-- Staff claim and drop hosts for their own brand only (their own token; domain managers:
-- brand and super admins), without a custom hostname (their insert grant has no such
-- column). Proof of ownership is not theirs to give: see record_custom_hostname_check below.
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
-- be verified and is listed nowhere). One holding a custom hostname stays until cron has
-- deleted that at Cloudflare (custom_hostnames_due, drop_lapsed_custom_hostname).
create function shoal_private.drop_lapsed_claims(p_host text)
returns void language sql security definer set search_path = '' as $$
  delete from public.domain_claims
   where host = p_host and created_at <= now() - shoal_private.claim_lifetime() and custom_hostname_id is null
$$;

-- Whether some claim holds the host's custom hostname at Cloudflare. Definer for the same
-- reason as host_is_served: another brand's claim is invisible to staff, and the answer
-- (yes or no) only decides which proof a new claim shows.
create function shoal_private.host_custom_hostname_held(p_host text)
returns boolean language sql stable security definer set search_path = '' as $$
  select exists (select 1 from public.domain_claims where host = p_host and custom_hostname_id is not null)
$$;

-- The brand's hosts and claims, each with what the admin must do: `dns_records` (the CNAME
-- to the SaaS target, Cloudflare's ownership and certificate TXT records) for a claim
-- holding a custom hostname, `verification` (the `_shoal.{host}` TXT proof) for one that
-- does not because another brand's claim holds it.
create function public.admin_list_domains()
returns jsonb language plpgsql stable set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
begin
  perform shoal_private.require_staff('manage_domains');
  return (select coalesce(jsonb_agg(d order by (d->>'is_primary')::boolean desc, d->>'host'), '[]'::jsonb) from (
    select jsonb_build_object('host', host, 'is_primary', is_primary, 'verified', verified, 'status', 'active',
                              'ssl_status', 'active', 'dns_records', '[]'::jsonb, 'verification', null) d
      from public.brand_domains where brand_id = v_brand
    union all
    select jsonb_build_object('host', c.host, 'is_primary', false, 'verified', false,
             'status', case when c.custom_hostname_id is null then 'ownership_proof_required' else coalesce(c.hostname_status, 'pending') end,
             'ssl_status', c.ssl_status,
             'dns_records', c.dns_records,
             'verification', case when c.custom_hostname_id is null
                               then jsonb_build_object('type', 'TXT', 'name', '_shoal.' || c.host, 'value', c.verification_token) end,
             'checked_at', c.checked_at,
             'expires_at', c.created_at + shoal_private.claim_lifetime())
      from public.domain_claims c
     where c.brand_id = v_brand and c.created_at > now() - shoal_private.claim_lifetime()
       and not exists (select 1 from public.brand_domains d where d.host = c.host and d.brand_id = v_brand)
  ) x);
end
$$;

-- Before the worker asks Cloudflare for a custom hostname: may this brand claim the host,
-- and does another claim hold its custom hostname already (then the new claim holds none
-- and shows the TXT proof)? Raises what admin_add_domain would.
create function public.admin_domain_availability(p_host text)
returns jsonb language plpgsql stable set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
begin
  perform shoal_private.require_staff('manage_domains');
  if shoal_private.host_is_served(p_host)
     or exists (select 1 from public.brand_domains where host = p_host and brand_id = v_brand) then
    raise exception using errcode = 'PT409', message = 'domain_taken';
  end if;
  if exists (select 1 from public.domain_claims where host = p_host and brand_id = v_brand) then
    raise exception using errcode = 'PT409', message = 'domain_already_claimed';
  end if;
  return jsonb_build_object('held', shoal_private.host_custom_hostname_held(p_host));
end
$$;

-- A claim without a custom hostname (another claim holds the host's): proven by TXT.
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

-- The brand's live claim on the host: its TXT token and custom hostname id (null if none).
create function public.admin_domain_claim(p_host text)
returns jsonb language plpgsql stable set search_path = '' as $$
begin
  perform shoal_private.require_staff('manage_domains');
  return (select jsonb_build_object('token', verification_token, 'custom_hostname_id', custom_hostname_id)
            from public.domain_claims
           where brand_id = shoal_private.claim_brand() and host = p_host and created_at > now() - shoal_private.claim_lifetime());
end
$$;

-- Before removing: the custom hostname the worker deletes at Cloudflare first (null if
-- none). Refuses what admin_remove_domain would, so nothing is deleted at Cloudflare for a
-- removal the database then refuses.
create function public.admin_domain_removal(p_host text)
returns jsonb language plpgsql stable set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
  v public.brand_domains;
begin
  perform shoal_private.require_staff('manage_domains');
  select * into v from public.brand_domains where brand_id = v_brand and host = p_host;
  if found then
    if v.is_primary then
      raise exception using errcode = 'PT409', message = 'primary_domain';
    end if;
    return jsonb_build_object('custom_hostname_id', v.custom_hostname_id);
  end if;
  if not exists (select 1 from public.domain_claims where brand_id = v_brand and host = p_host) then
    raise exception using errcode = 'PT404', message = 'domain_not_found';
  end if;
  return (select jsonb_build_object('custom_hostname_id', custom_hostname_id) from public.domain_claims
           where brand_id = v_brand and host = p_host);
end
$$;

-- The worker created a custom hostname at Cloudflare for the brand's claim: a new claim
-- holding it, or (after take_over_domain) the brand's claim that held none. Service role
-- only (see the head of this file); p_custom_hostname: {id, status, ssl_status, dns_records}.
create function public.record_domain_claim(p_brand_id uuid, p_host text, p_token text, p_actor text, p_custom_hostname jsonb)
returns void language plpgsql security definer set search_path = '' as $$
declare
  v_inserted boolean;
begin
  if shoal_private.host_is_served(p_host)
     or exists (select 1 from public.brand_domains where host = p_host and brand_id = p_brand_id) then
    raise exception using errcode = 'PT409', message = 'domain_taken';
  end if;
  perform shoal_private.drop_lapsed_claims(p_host);
  begin
    insert into public.domain_claims (brand_id, host, verification_token, custom_hostname_id, hostname_status, ssl_status, dns_records, checked_at)
    values (p_brand_id, p_host, p_token, p_custom_hostname->>'id', p_custom_hostname->>'status', p_custom_hostname->>'ssl_status',
            coalesce(p_custom_hostname->'dns_records', '[]'::jsonb), now())
    on conflict (brand_id, host) do update
      set custom_hostname_id = excluded.custom_hostname_id, hostname_status = excluded.hostname_status,
          ssl_status = excluded.ssl_status, dns_records = excluded.dns_records, checked_at = excluded.checked_at
      where public.domain_claims.custom_hostname_id is null
        and public.domain_claims.created_at > now() - shoal_private.claim_lifetime()
    returning (xmax = 0) into v_inserted;
  exception
    when unique_violation then
      raise exception using errcode = 'PT409', message = 'hostname_held';
    when check_violation then
      raise exception using errcode = 'PT422', message = 'invalid_domain';
  end;
  if v_inserted is null then
    raise exception using errcode = 'PT409', message = 'domain_already_claimed';
  end if;
  perform shoal_private.audit(p_brand_id, p_actor, case when v_inserted then 'domain_added' else 'custom_hostname_created' end,
                              p_host, jsonb_build_object('custom_hostname_id', p_custom_hostname->>'id'));
end
$$;

-- What Cloudflare answered for a custom hostname (the worker's refresh, by an admin or by
-- cron). Both the hostname and its certificate active: the host becomes the claiming
-- brand's (with its custom hostname) and every other claim on it is dropped. Otherwise the
-- claim keeps the statuses and records. Answers {state: active|pending|unknown, host, brand_id}.
-- Service role only: the proof is Cloudflare's answer to the worker, which no staff token carries.
create function public.record_custom_hostname_check(p_custom_hostname jsonb, p_actor text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  c public.domain_claims;
  r record;
begin
  select * into c from public.domain_claims where custom_hostname_id = p_custom_hostname->>'id' for update;
  if not found then
    return jsonb_build_object('state', 'unknown');
  end if;
  if p_custom_hostname->>'hostname' is distinct from c.host then
    raise exception using errcode = 'PT409', message = 'custom_hostname_mismatch';
  end if;
  if p_custom_hostname->>'status' = 'active' and p_custom_hostname->>'ssl_status' = 'active'
     and c.created_at > now() - shoal_private.claim_lifetime() then
    -- unverified rows never served anything: the proof replaces them
    delete from public.brand_domains where host = c.host and not verified;
    insert into public.brand_domains (host, brand_id, verified, custom_hostname_id) values (c.host, c.brand_id, true, c.custom_hostname_id)
    on conflict (host) do nothing;
    if not exists (select 1 from public.brand_domains where host = c.host and brand_id = c.brand_id) then
      raise exception using errcode = 'PT409', message = 'domain_taken';
    end if;
    for r in delete from public.domain_claims where host = c.host returning brand_id loop
      if r.brand_id <> c.brand_id then
        perform shoal_private.audit(r.brand_id, 'system', 'domain_claim_dropped', c.host, '{"reason": "verified_by_another_brand"}');
      end if;
    end loop;
    perform shoal_private.audit(c.brand_id, p_actor, 'domain_verified', c.host, jsonb_build_object('custom_hostname_id', c.custom_hostname_id));
    return jsonb_build_object('state', 'active', 'host', c.host, 'brand_id', c.brand_id);
  end if;
  update public.domain_claims
     set hostname_status = p_custom_hostname->>'status', ssl_status = p_custom_hostname->>'ssl_status',
         dns_records = coalesce(p_custom_hostname->'dns_records', dns_records), checked_at = now()
   where custom_hostname_id = c.custom_hostname_id;
  return jsonb_build_object('state', 'pending', 'host', c.host, 'brand_id', c.brand_id);
end
$$;

-- The worker found this brand's `_shoal.{host}` TXT token: every other brand's claim on the
-- host is dropped (audited for them) and their custom hostname ids are answered, for the
-- worker to delete at Cloudflare before it creates the proving brand's own. Service role
-- only: the proof is the worker's DNS lookup, and the step changes other brands' claims.
create function public.take_over_domain(p_brand_id uuid, p_host text, p_actor text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v_ids jsonb := '[]'::jsonb;
  r record;
begin
  perform 1 from public.domain_claims where brand_id = p_brand_id and host = p_host
     and created_at > now() - shoal_private.claim_lifetime() for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'domain_not_found';
  end if;
  if shoal_private.host_is_served(p_host) then
    raise exception using errcode = 'PT409', message = 'domain_taken';
  end if;
  for r in delete from public.domain_claims where host = p_host and brand_id <> p_brand_id returning brand_id, custom_hostname_id loop
    perform shoal_private.audit(r.brand_id, 'system', 'domain_claim_dropped', p_host, '{"reason": "proven_by_another_brand"}');
    if r.custom_hostname_id is not null then
      v_ids := v_ids || to_jsonb(r.custom_hostname_id);
    end if;
  end loop;
  perform shoal_private.audit(p_brand_id, p_actor, 'domain_ownership_proven', p_host, '{}');
  return v_ids;
end
$$;

-- Cron: custom hostnames to refresh (live, pending claims, least recently checked first)
-- and those of lapsed claims, to delete at Cloudflare. Service role only.
create function public.custom_hostnames_due(p_limit integer)
returns jsonb language sql stable security definer set search_path = '' as $$
  select jsonb_build_object(
    'refresh', coalesce((select jsonb_agg(jsonb_build_object('id', id, 'host', host)) from (
        select custom_hostname_id as id, host from public.domain_claims
         where custom_hostname_id is not null and created_at > now() - shoal_private.claim_lifetime()
         order by checked_at nulls first, created_at limit p_limit) x), '[]'::jsonb),
    'lapsed', coalesce((select jsonb_agg(jsonb_build_object('id', id, 'host', host)) from (
        select custom_hostname_id as id, host from public.domain_claims
         where custom_hostname_id is not null and created_at <= now() - shoal_private.claim_lifetime()
         order by created_at limit p_limit) x), '[]'::jsonb))
$$;

-- Cron deleted a lapsed claim's custom hostname at Cloudflare: the claim goes too.
create function public.drop_lapsed_custom_hostname(p_custom_hostname_id text)
returns void language plpgsql security definer set search_path = '' as $$
declare
  r record;
begin
  for r in delete from public.domain_claims
            where custom_hostname_id = p_custom_hostname_id and created_at <= now() - shoal_private.claim_lifetime()
        returning brand_id, host loop
    perform shoal_private.audit(r.brand_id, 'system', 'domain_claim_lapsed', r.host, jsonb_build_object('custom_hostname_id', p_custom_hostname_id));
  end loop;
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

-- The worker has deleted the host's custom hostname at Cloudflare (admin_domain_removal).
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
  shoal_private.drop_lapsed_claims(text), shoal_private.host_custom_hostname_held(text) from public, anon;
grant execute on function shoal_private.claim_lifetime(), shoal_private.host_is_served(text),
  shoal_private.drop_lapsed_claims(text), shoal_private.host_custom_hostname_held(text) to authenticated;
-- staff call these with their own token (identity and brand from its claims)
revoke execute on function public.admin_list_domains(), public.admin_domain_availability(text), public.admin_add_domain(text, text),
  public.admin_domain_claim(text), public.admin_domain_removal(text), public.admin_update_domain(text, boolean),
  public.admin_remove_domain(text), public.admin_primary_host()
  from public, anon, service_role;
grant execute on function public.admin_list_domains(), public.admin_domain_availability(text), public.admin_add_domain(text, text),
  public.admin_domain_claim(text), public.admin_domain_removal(text), public.admin_update_domain(text, boolean),
  public.admin_remove_domain(text), public.admin_primary_host()
  to authenticated;
-- the worker's word for what Cloudflare and DNS answered, and cron
revoke execute on function public.record_domain_claim(uuid, text, text, text, jsonb), public.record_custom_hostname_check(jsonb, text),
  public.take_over_domain(uuid, text, text), public.custom_hostnames_due(integer), public.drop_lapsed_custom_hostname(text)
  from public, anon, authenticated;
grant execute on function public.record_domain_claim(uuid, text, text, text, jsonb), public.record_custom_hostname_check(jsonb, text),
  public.take_over_domain(uuid, text, text), public.custom_hostnames_due(integer), public.drop_lapsed_custom_hostname(text)
  to service_role;
