-- =====================================================================================
-- Edge device activation: a one-time code (looked up by its public 8-character prefix,
-- checked by its HMAC, 24 h, 5 attempts) plus a certificate request; the worker has the
-- request signed (dev CA or Cloudflare) and binds the certificate's fingerprint and the
-- hardware id to the device here, in one transaction. Renewal rebinds an active device.
-- =====================================================================================
set role shoal_owner;

alter table public.devices
  add column activation_code_prefix text unique check (activation_code_prefix is null or activation_code_prefix ~ '^[0-9a-f]{8}$'),
  -- Cloudflare's client-certificate id (or the dev CA's serial): what revocation names
  add column cert_ref text,
  add column cert_serial text,
  add column activated_at timestamptz;

drop function public.admin_create_device(uuid, text, text, text, text);
create function public.admin_create_device(p_brand_id uuid, p_name text, p_store text, p_code_prefix text, p_code_hash text, p_actor text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v public.devices;
begin
  insert into public.devices (brand_id, name, store, activation_code_prefix, activation_code_hash, activation_expires_at)
  values (p_brand_id, p_name, coalesce(p_store, ''), p_code_prefix, p_code_hash, now() + interval '24 hours') returning * into v;
  perform shoal_private.audit(p_brand_id, p_actor, 'device_created', v.id::text, jsonb_build_object('name', p_name));
  return jsonb_build_object('id', v.id, 'name', v.name, 'status', v.status, 'activation_expires_at', v.activation_expires_at);
end
$$;

-- A fresh code for a device whose certificate lapsed or whose box was replaced.
create function public.admin_new_activation_code(p_brand_id uuid, p_device_id uuid, p_code_prefix text, p_code_hash text, p_actor text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v public.devices;
begin
  update public.devices
     set activation_code_prefix = p_code_prefix, activation_code_hash = p_code_hash,
         activation_expires_at = now() + interval '24 hours', activation_attempts = 0
   where id = p_device_id and brand_id = p_brand_id and status <> 'revoked' returning * into v;
  if not found then
    raise exception using errcode = 'PT404', message = 'device_not_found';
  end if;
  perform shoal_private.audit(p_brand_id, p_actor, 'device_activation_code_issued', v.id::text, '{}'::jsonb);
  return jsonb_build_object('id', v.id, 'name', v.name, 'status', v.status, 'activation_expires_at', v.activation_expires_at);
end
$$;

-- Step 1, before anything is signed. A wrong code under a known prefix counts an attempt
-- and that count must survive, so refusals are answers ({"refused": code}), not exceptions.
create function public.edge_check_activation(p_code_prefix text, p_code_hash text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v public.devices;
begin
  select * into v from public.devices where activation_code_prefix = p_code_prefix and status <> 'revoked' for update;
  if not found or v.activation_code_hash is null then
    return jsonb_build_object('refused', 'activation_code_invalid');
  end if;
  if v.activation_expires_at <= now() then
    return jsonb_build_object('refused', 'activation_code_expired');
  end if;
  if v.activation_attempts >= 5 then
    return jsonb_build_object('refused', 'activation_attempts_exhausted');
  end if;
  if v.activation_code_hash <> p_code_hash then
    update public.devices set activation_attempts = activation_attempts + 1 where id = v.id;
    return jsonb_build_object('refused', case when v.activation_attempts + 1 >= 5
      then 'activation_attempts_exhausted' else 'activation_code_invalid' end);
  end if;
  return jsonb_build_object('device_id', v.id, 'brand_id', v.brand_id, 'hardware_id', v.hardware_id);
end
$$;

-- Step 2, after signing: bind the certificate. With a code (first activation or a new box)
-- the code is consumed here, so two racing activations cannot both bind; without one the
-- caller is the device itself, admitted by its current certificate (renewal).
create function public.edge_bind_certificate(p_device_id uuid, p_code_hash text, p_hardware_id text, p_fingerprint text,
  p_cert_expires_at timestamptz, p_issuer text, p_cert_ref text, p_serial text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v public.devices;
  v_previous text;
  v_event text;
begin
  select * into v from public.devices where id = p_device_id and status <> 'revoked' for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'device_not_found';
  end if;
  if p_code_hash is not null then
    if v.activation_code_hash is distinct from p_code_hash then
      raise exception using errcode = 'PT409', message = 'activation_code_used';
    end if;
    v_event := 'device_activated';
  else
    if v.status <> 'active' or v.hardware_id is distinct from p_hardware_id then
      raise exception using errcode = 'PT403', message = 'device_mismatch';
    end if;
    v_event := 'device_certificate_renewed';
  end if;
  v_previous := v.cert_ref;
  update public.devices
     set status = 'active', cert_fingerprint = lower(p_fingerprint), cert_expires_at = p_cert_expires_at,
         cert_issuer = p_issuer, cert_ref = p_cert_ref, cert_serial = p_serial, hardware_id = p_hardware_id,
         activated_at = now(), activation_code_prefix = null, activation_code_hash = null, activation_attempts = 0
   where id = p_device_id returning * into v;
  perform shoal_private.audit(v.brand_id, 'device:' || v.id, v_event, v.id::text,
    jsonb_build_object('fingerprint', v.cert_fingerprint, 'expires_at', v.cert_expires_at, 'issuer', p_issuer));
  -- the superseded certificate is named so the worker can revoke it at the issuer
  return jsonb_build_object('device_id', v.id, 'brand_id', v.brand_id, 'cert_expires_at', v.cert_expires_at,
    'previous_cert_ref', v_previous);
end
$$;

-- Revocation answers the certificate's reference so the worker can revoke it at Cloudflare.
create or replace function public.admin_revoke_device(p_brand_id uuid, p_device_id uuid, p_reason text, p_actor text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v public.devices;
begin
  update public.devices set status = 'revoked', revoked_at = now(), revoked_reason = p_reason,
         activation_code_prefix = null, activation_code_hash = null
   where id = p_device_id and brand_id = p_brand_id and status <> 'revoked' returning * into v;
  if not found then
    raise exception using errcode = 'PT404', message = 'device_not_found';
  end if;
  update public.device_commands set status = 'expired' where device_id = p_device_id and status in ('pending', 'delivered');
  perform shoal_private.audit(p_brand_id, p_actor, 'device_revoked', p_device_id::text, jsonb_build_object('reason', p_reason));
  return jsonb_build_object('id', v.id, 'status', v.status, 'revoked_at', v.revoked_at, 'revoked_reason', v.revoked_reason,
    'cert_ref', v.cert_ref);
end
$$;

-- The status reasons need the billing settings (grace length, renewal and support links).
create or replace function public.edge_device_by_fingerprint(p_fingerprint text)
returns jsonb language sql stable security definer set search_path = '' as $$
  select jsonb_build_object('id', d.id, 'brand_id', d.brand_id, 'status', d.status, 'name', d.name,
    'revoked_at', d.revoked_at, 'revoked_reason', d.revoked_reason, 'hardware_id', d.hardware_id,
    'cert_expires_at', d.cert_expires_at, 'cert_expires_epoch', extract(epoch from d.cert_expires_at)::bigint,
    'cert_issuer', d.cert_issuer, 'last_seen_at', d.last_seen_at, 'activated_at', d.activated_at, 'locale', b.locale,
    'billing', shoal_private.billing_state(d.brand_id),
    'grace_period_days', coalesce((s.value ->> 'grace_period_days')::int, 0),
    'renewal_url', s.value ->> 'renewal_url', 'support_url', s.value ->> 'support_url')
  from public.devices d join public.brands b on b.id = d.brand_id
  left join public.platform_settings s on s.key = 'billing'
  where d.cert_fingerprint = lower(p_fingerprint)
$$;

revoke execute on function public.admin_create_device(uuid, text, text, text, text, text),
  public.admin_new_activation_code(uuid, uuid, text, text, text), public.edge_check_activation(text, text),
  public.edge_bind_certificate(uuid, text, text, text, timestamptz, text, text, text) from public, anon, authenticated;
grant execute on function public.admin_create_device(uuid, text, text, text, text, text),
  public.admin_new_activation_code(uuid, uuid, text, text, text), public.edge_check_activation(text, text),
  public.edge_bind_certificate(uuid, text, text, text, timestamptz, text, text, text) to service_role;
reset role;
