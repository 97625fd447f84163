-- =====================================================================================
-- Edge devices (in-store POS servers): identity by client-certificate fingerprint,
-- revocation, heartbeat, and commands from the cloud delivered once
-- =====================================================================================

create table public.devices (
  id                     uuid primary key default extensions.gen_random_uuid(),
  brand_id               uuid not null references public.brands(id) on delete cascade,
  name                   text not null check (length(name) between 1 and 120),
  store                  text not null default '',
  status                 text not null default 'pending' check (status in ('pending', 'active', 'revoked')),
  cert_fingerprint       text unique check (cert_fingerprint is null or cert_fingerprint ~ '^[0-9a-f]{64}$'),
  cert_expires_at        timestamptz,
  cert_issuer            text,
  hardware_id            text,
  -- the code's public first 8 characters: how activation finds the device to check it against
  activation_code_prefix text unique check (activation_code_prefix is null or activation_code_prefix ~ '^[0-9a-f]{8}$'),
  activation_code_hash   text,
  activation_expires_at  timestamptz,
  activation_attempts    integer not null default 0,
  last_seen_at           timestamptz,
  -- Cloudflare's client-certificate id (or the dev CA's serial): what revocation names
  cert_ref               text,
  cert_serial            text,
  activated_at           timestamptz,
  revoked_at             timestamptz,
  revoked_reason         text,
  -- what the device last reported it runs (edge_heartbeat)
  app_version            text check (app_version is null or length(app_version) <= 64),
  created_at             timestamptz not null default now()
);
create index devices_brand_id_idx on public.devices(brand_id);

create table public.device_commands (
  id            uuid primary key default extensions.gen_random_uuid(),
  brand_id      uuid not null references public.brands(id) on delete cascade,
  device_id     uuid not null references public.devices(id) on delete cascade,
  kind          text not null check (kind in ('refresh_catalog', 'rotate_certificate', 'upload_logs', 'lock_till', 'update_app')),
  payload       jsonb not null default '{}'::jsonb,
  status        text not null default 'pending' check (status in ('pending', 'delivered', 'succeeded', 'failed', 'expired')),
  lease_until   timestamptz,
  deliveries    integer not null default 0,
  result_message text,
  created_by    text not null,
  created_at    timestamptz not null default now(),
  expires_at    timestamptz not null default now() + interval '24 hours',
  acked_at      timestamptz
);
create index device_commands_brand_id_idx on public.device_commands(brand_id);
create index device_commands_device_idx on public.device_commands(device_id, status, created_at);

alter table public.devices         enable row level security;
alter table public.devices         force row level security;
alter table public.device_commands enable row level security;
alter table public.device_commands force row level security;
grant select (id, brand_id, name, store, status, cert_expires_at, last_seen_at, revoked_at, revoked_reason, app_version, created_at)
  on public.devices to authenticated;
grant select on public.device_commands to authenticated;
grant all on public.devices, public.device_commands to service_role;

-- Staff manage devices with their own token (brand and super admins: `manage_devices`).
-- They create pending devices, renew activation codes and revoke; they never bind a
-- certificate (activation does, by code) and never bring a revoked device back.
-- An admitted device (app_role = device: shoal_private.claim_device() is set, and is null
-- for every other token) reads and writes its own row and commands through the edge_*
-- functions below, nothing else. Staff and device share one policy per action (the
-- advisor's one permissive policy per role and action); neither branch lets one act as
-- the other: staff_may() is false for devices.
create policy "device managers read their brand's devices, a device its own row" on public.devices for select to authenticated
  using (brand_id = (select shoal_private.claim_brand())
         and ((select shoal_private.staff_may('manage_devices')) or id = (select shoal_private.claim_device())));
create policy "device managers can add pending devices to their brand" on public.devices for insert to authenticated
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_devices'))
              and status = 'pending' and cert_fingerprint is null);
-- an active device is one with a bound certificate: staff cannot make one by hand; a
-- device writes its heartbeat while active (a revoked device changes nothing, even with a
-- token minted before its revocation)
create policy "device managers revoke their brand's devices and renew their codes, an active device beats" on public.devices
  for update to authenticated
  using (brand_id = (select shoal_private.claim_brand())
         and (((select shoal_private.staff_may('manage_devices')) and status <> 'revoked')
              or (id = (select shoal_private.claim_device()) and status = 'active')))
  with check (brand_id = (select shoal_private.claim_brand())
              and (((select shoal_private.staff_may('manage_devices'))
                    and (status = 'revoked' or (status = 'active') = (cert_fingerprint is not null)))
                   or (id = (select shoal_private.claim_device()) and status = 'active')));
grant select (activation_expires_at, cert_ref),
  insert (brand_id, name, store, activation_code_prefix, activation_code_hash, activation_expires_at),
  update (status, revoked_at, revoked_reason, activation_code_prefix, activation_code_hash, activation_expires_at, activation_attempts)
  on public.devices to authenticated;
create policy "device managers read their brand's device commands, a device its own" on public.device_commands
  for select to authenticated
  using (brand_id = (select shoal_private.claim_brand())
         and ((select shoal_private.staff_may('manage_devices')) or device_id = (select shoal_private.claim_device())));
create policy "device managers can queue commands for their brand's devices in their own name" on public.device_commands
  for insert to authenticated
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_devices'))
              and created_by = (select shoal_private.claim_actor())::text and status = 'pending'
              and exists (select 1 from public.devices d
                           where d.id = device_id and d.brand_id = (select shoal_private.claim_brand()) and d.status <> 'revoked'));
create policy "device managers expire their brand's device commands, a device takes and settles its own" on public.device_commands
  for update to authenticated
  using (brand_id = (select shoal_private.claim_brand())
         and ((select shoal_private.staff_may('manage_devices')) or device_id = (select shoal_private.claim_device())))
  with check (brand_id = (select shoal_private.claim_brand())
              and (((select shoal_private.staff_may('manage_devices')) and status = 'expired')
                   or (device_id = (select shoal_private.claim_device()) and status in ('delivered', 'succeeded', 'failed'))));
grant insert (brand_id, device_id, kind, payload, created_by), update (status) on public.device_commands to authenticated;

-- ------------------------------------------------------------------------ identity
-- Read on every edge request (never from KV): revocation applies to the very next one.
create function public.edge_device_by_fingerprint(p_fingerprint text)
returns jsonb language sql stable security definer set search_path = '' as $$
  select jsonb_build_object('id', d.id, 'brand_id', d.brand_id, 'status', d.status, 'name', d.name,
    'revoked_at', d.revoked_at, 'revoked_reason', d.revoked_reason, 'hardware_id', d.hardware_id,
    'cert_expires_at', d.cert_expires_at, 'cert_expires_epoch', extract(epoch from d.cert_expires_at)::bigint,
    'cert_issuer', d.cert_issuer, 'last_seen_at', d.last_seen_at, 'last_seen_epoch', extract(epoch from d.last_seen_at)::bigint,
    'activated_at', d.activated_at, 'locale', b.locale,
    -- the status answer's renewal and support links lead to the brand's own host: its
    -- primary domain, else its oldest verified one
    'brand_host', (select h.host from public.brand_domains h where h.brand_id = d.brand_id and h.verified
                    order by h.is_primary desc, h.created_at, h.host limit 1),
    'billing', shoal_private.billing_state(d.brand_id),
    'grace_period_days', coalesce((s.value ->> 'grace_period_days')::int, 0),
    'renewal_url', s.value ->> 'renewal_url', 'support_url', s.value ->> 'support_url')
  from public.devices d join public.brands b on b.id = d.brand_id
  left join public.platform_settings s on s.key = 'billing'
  where d.cert_fingerprint = lower(p_fingerprint)
$$;

-- ------------------------------------------------------------------------ the device's own rows
-- After the worker admitted a device by its certificate it calls the functions below with
-- a token of role `authenticated`, app_role = device, device_id and brand_id; the shared
-- policies above give it its own row and commands.
-- the heartbeat (and the app version it reports) are the columns of its row a device writes directly
grant update (last_seen_at, app_version) on public.devices to authenticated;
grant update (status, lease_until, deliveries, acked_at, result_message) on public.device_commands to authenticated;

-- The audit row of a device action, written as the device: brand and actor
-- ('device:<id>') come from the token. SECURITY DEFINER because the log is append-only
-- and no caller inserts into it directly (an insert grant would let a device write rows
-- naming any action through PostgREST). Not exposed by PostgREST (shoal_private).
create function shoal_private.device_audit(p_action text, p_target text, p_detail jsonb)
returns void language plpgsql security definer set search_path = '' as $$
begin
  if shoal_private.claim_device() is null or shoal_private.claim_brand() is null then
    raise exception 'not a device' using errcode = '42501';
  end if;
  insert into public.audit_log (brand_id, actor, action, target, detail)
  values (shoal_private.claim_brand(), 'device:' || shoal_private.claim_device(), p_action, p_target, coalesce(p_detail, '{}'::jsonb));
end
$$;
grant execute on function shoal_private.device_audit(text, text, jsonb) to authenticated;

-- p_app_version: what the device says it runs (X-Shoal-App-Version on /edge/v1/health),
-- shown to staff in the device list; an absent one keeps the last reported
create function public.edge_heartbeat(p_app_version text default null)
returns timestamptz language sql security invoker set search_path = '' as $$
  update public.devices set last_seen_at = now(),
         app_version = coalesce(nullif(left(trim(p_app_version), 64), ''), app_version)
   where id = (select shoal_private.claim_device()) and brand_id = (select shoal_private.claim_brand())
  returning last_seen_at
$$;

-- ------------------------------------------------------------------------ staff
create function public.admin_create_device(p_name text, p_store text, p_code_prefix text, p_code_hash text)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_id uuid;
  v_name text;
  v_status text;
  v_expires timestamptz;
begin
  perform shoal_private.require_staff('manage_devices');
  insert into public.devices (brand_id, name, store, activation_code_prefix, activation_code_hash, activation_expires_at)
  values (shoal_private.claim_brand(), p_name, coalesce(p_store, ''), p_code_prefix, p_code_hash, now() + interval '24 hours')
  returning id, name, status, activation_expires_at into v_id, v_name, v_status, v_expires;
  perform shoal_private.staff_audit('device_created', v_id::text, jsonb_build_object('name', p_name));
  return jsonb_build_object('id', v_id, 'name', v_name, 'status', v_status, 'activation_expires_at', v_expires);
end
$$;

create function public.admin_revoke_device(p_device_id uuid, p_reason text)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
  v_at timestamptz;
  v_cert_ref text;
begin
  perform shoal_private.require_staff('manage_devices');
  update public.devices set status = 'revoked', revoked_at = now(), revoked_reason = p_reason,
         activation_code_prefix = null, activation_code_hash = null
   where id = p_device_id and brand_id = v_brand and status <> 'revoked'
  returning revoked_at, cert_ref into v_at, v_cert_ref;
  if not found then
    raise exception using errcode = 'PT404', message = 'device_not_found';
  end if;
  update public.device_commands set status = 'expired'
   where device_id = p_device_id and brand_id = v_brand and status in ('pending', 'delivered');
  perform shoal_private.staff_audit('device_revoked', p_device_id::text, jsonb_build_object('reason', p_reason));
  return jsonb_build_object('id', p_device_id, 'status', 'revoked', 'revoked_at', v_at, 'revoked_reason', p_reason,
    'cert_ref', v_cert_ref);
end
$$;

create function public.admin_queue_command(p_device_id uuid, p_kind text, p_payload jsonb)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
  v public.device_commands;
begin
  perform shoal_private.require_staff('manage_devices');
  perform 1 from public.devices where id = p_device_id and brand_id = v_brand and status <> 'revoked';
  if not found then
    raise exception using errcode = 'PT404', message = 'device_not_found';
  end if;
  insert into public.device_commands (brand_id, device_id, kind, payload, created_by)
  values (v_brand, p_device_id, p_kind, coalesce(p_payload, '{}'::jsonb), shoal_private.claim_actor()::text) returning * into v;
  perform shoal_private.staff_audit('command_created', v.id::text, jsonb_build_object('device', p_device_id, 'kind', p_kind));
  return jsonb_build_object('id', v.id, 'kind', v.kind, 'status', v.status, 'expires_at', v.expires_at);
end
$$;

-- ------------------------------------------------------------------------ commands on the edge
-- Delivered once: a delivered command is leased and comes back only after its lease ran
-- out without an ack. SKIP LOCKED keeps two concurrent pollers from taking the same one.
create function public.edge_claim_commands(p_lease_seconds integer)
returns jsonb language sql security invoker set search_path = '' as $$
  with due as (
    select id from public.device_commands
     where device_id = (select shoal_private.claim_device()) and brand_id = (select shoal_private.claim_brand())
       and expires_at > now() and (status = 'pending' or (status = 'delivered' and lease_until < now()))
     order by created_at
     limit 50
     for update skip locked
  ), claimed as (
    update public.device_commands c
       set status = 'delivered', lease_until = now() + make_interval(secs => greatest(p_lease_seconds, 5)), deliveries = deliveries + 1
      from due where c.id = due.id
    returning c.*
  )
  select coalesce(jsonb_agg(jsonb_build_object('id', id, 'kind', kind, 'payload', payload, 'created_at', created_at,
                                               'lease_until', lease_until) order by created_at), '[]'::jsonb)
  from claimed
$$;

-- Another device's command (of any brand) reads as not found: the policies hide it.
create function public.edge_ack_command(p_command_id uuid, p_success boolean, p_message text)
returns jsonb language plpgsql security invoker set search_path = '' as $$
declare
  v_device uuid := shoal_private.claim_device();
  v_id uuid;
  v_brand uuid;
  v_status text;
begin
  update public.device_commands
     set status = case when p_success then 'succeeded' else 'failed' end, acked_at = now(), result_message = left(p_message, 2000)
   where id = p_command_id and device_id = v_device and brand_id = shoal_private.claim_brand() and status = 'delivered'
  returning id, brand_id, status into v_id, v_brand, v_status;
  if not found then
    raise exception using errcode = 'PT404', message = 'command_not_found';
  end if;
  perform shoal_private.device_audit('command_acknowledged', v_id::text, jsonb_build_object('success', p_success));
  return jsonb_build_object('id', v_id, 'status', v_status);
end
$$;

create function public.expire_device_commands()
returns integer language sql security definer set search_path = '' as $$
  with gone as (
    update public.device_commands set status = 'expired'
     where status in ('pending', 'delivered') and expires_at <= now() returning 1)
  select count(*)::int from gone
$$;

revoke execute on function public.edge_device_by_fingerprint(text), public.expire_device_commands()
  from public, anon, authenticated;
grant execute on function public.edge_device_by_fingerprint(text), public.expire_device_commands() to service_role;
-- staff call these with their own token (identity and brand from its claims)
revoke execute on function public.admin_create_device(text, text, text, text), public.admin_revoke_device(uuid, text),
  public.admin_queue_command(uuid, text, jsonb) from public, anon, service_role;
grant execute on function public.admin_create_device(text, text, text, text), public.admin_revoke_device(uuid, text),
  public.admin_queue_command(uuid, text, jsonb) to authenticated;
-- the device's own calls (the policies above are the fence)
revoke execute on function public.edge_heartbeat(text), public.edge_claim_commands(integer),
  public.edge_ack_command(uuid, boolean, text) from public, anon;
grant execute on function public.edge_heartbeat(text), public.edge_claim_commands(integer),
  public.edge_ack_command(uuid, boolean, text) to authenticated;
