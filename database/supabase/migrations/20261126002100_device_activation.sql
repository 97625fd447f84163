-- =====================================================================================
-- Edge device activation: a one-time code (looked up by its public 8-character prefix,
-- checked by its HMAC, 24 h, 5 attempts) plus a certificate request; the worker has the
-- request signed (dev CA or Cloudflare) and binds the certificate's fingerprint and the
-- hardware id to the device here, in one transaction. Renewal rebinds an active device.
-- =====================================================================================

-- A fresh code for a device whose certificate lapsed or whose box was replaced (staff, with
-- their own token: the devices' policies fence the brand).
create function public.admin_new_activation_code(p_device_id uuid, p_code_prefix text, p_code_hash text)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_id uuid;
  v_name text;
  v_status text;
  v_expires timestamptz;
begin
  perform shoal_private.require_staff('manage_devices');
  update public.devices
     set activation_code_prefix = p_code_prefix, activation_code_hash = p_code_hash,
         activation_expires_at = now() + interval '24 hours', activation_attempts = 0
   where id = p_device_id and brand_id = shoal_private.claim_brand() and status <> 'revoked'
  returning id, name, status, activation_expires_at into v_id, v_name, v_status, v_expires;
  if not found then
    raise exception using errcode = 'PT404', message = 'device_not_found';
  end if;
  perform shoal_private.staff_audit('device_activation_code_issued', v_id::text, '{}'::jsonb);
  return jsonb_build_object('id', v_id, 'name', v_name, 'status', v_status, 'activation_expires_at', v_expires);
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

-- Step 2, after signing: bind the certificate to the device the code named (first
-- activation or a new box). The caller is not identified yet (it holds a code, not a
-- certificate), hence service role. The code is consumed here, so two racing activations
-- cannot both bind.
create function public.edge_bind_certificate(p_device_id uuid, p_code_hash text, p_hardware_id text, p_fingerprint text,
  p_cert_expires_at timestamptz, p_issuer text, p_cert_ref text, p_serial text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v public.devices;
  v_previous text;
begin
  select * into v from public.devices where id = p_device_id and status <> 'revoked' for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'device_not_found';
  end if;
  if p_code_hash is null or v.activation_code_hash is distinct from p_code_hash then
    raise exception using errcode = 'PT409', message = 'activation_code_used';
  end if;
  v_previous := v.cert_ref;
  update public.devices
     set status = 'active', cert_fingerprint = lower(p_fingerprint), cert_expires_at = p_cert_expires_at,
         cert_issuer = p_issuer, cert_ref = p_cert_ref, cert_serial = p_serial, hardware_id = p_hardware_id,
         activated_at = now(), activation_code_prefix = null, activation_code_hash = null, activation_attempts = 0
   where id = p_device_id returning * into v;
  perform shoal_private.audit(v.brand_id, 'device:' || v.id, 'device_activated', v.id::text,
    jsonb_build_object('fingerprint', v.cert_fingerprint, 'expires_at', v.cert_expires_at, 'issuer', p_issuer));
  -- the superseded certificate is named so the worker can revoke it at the issuer
  return jsonb_build_object('device_id', v.id, 'brand_id', v.brand_id, 'cert_expires_at', v.cert_expires_at,
    'previous_cert_ref', v_previous);
end
$$;

-- Renewal: the caller is the device itself, admitted by its current certificate, with a
-- device token; device and brand come from it. SECURITY DEFINER because a certificate is
-- bound only here and by activation: no caller (not the device, not the brand's device
-- managers, who may update other columns of the row) writes the certificate columns
-- directly. Its own active row only, same box only. In shoal_private (not exposed by
-- PostgREST); the device calls public.edge_renew_certificate below.
create function shoal_private.renew_device_certificate(p_hardware_id text, p_fingerprint text, p_cert_expires_at timestamptz,
  p_issuer text, p_cert_ref text, p_serial text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v_device uuid := shoal_private.claim_device();
  v_brand uuid := shoal_private.claim_brand();
  v public.devices;
  v_previous text;
begin
  select * into v from public.devices d
   where d.id = v_device and d.brand_id = v_brand and d.status = 'active' for update;
  if v_device is null or v_brand is null or not found then
    raise exception using errcode = 'PT404', message = 'device_not_found';
  end if;
  if v.hardware_id is distinct from p_hardware_id then
    raise exception using errcode = 'PT403', message = 'device_mismatch';
  end if;
  v_previous := v.cert_ref;
  update public.devices
     set cert_fingerprint = lower(p_fingerprint), cert_expires_at = p_cert_expires_at, cert_issuer = p_issuer,
         cert_ref = p_cert_ref, cert_serial = p_serial, activated_at = now()
   where id = v_device and brand_id = v_brand
  returning * into v;
  perform shoal_private.device_audit('device_certificate_renewed', v.id::text,
    jsonb_build_object('fingerprint', v.cert_fingerprint, 'expires_at', v.cert_expires_at, 'issuer', p_issuer));
  -- the superseded certificate is named so the worker can revoke it at the issuer
  return jsonb_build_object('device_id', v.id, 'brand_id', v.brand_id, 'cert_expires_at', v.cert_expires_at,
    'previous_cert_ref', v_previous);
end
$$;

revoke execute on function public.edge_check_activation(text, text),
  public.edge_bind_certificate(uuid, text, text, text, timestamptz, text, text, text) from public, anon, authenticated;
grant execute on function public.edge_check_activation(text, text),
  public.edge_bind_certificate(uuid, text, text, text, timestamptz, text, text, text) to service_role;
create function public.edge_renew_certificate(p_hardware_id text, p_fingerprint text, p_cert_expires_at timestamptz,
  p_issuer text, p_cert_ref text, p_serial text)
returns jsonb language sql security invoker set search_path = '' as $$
  select shoal_private.renew_device_certificate(p_hardware_id, p_fingerprint, p_cert_expires_at, p_issuer, p_cert_ref, p_serial)
$$;

grant execute on function shoal_private.renew_device_certificate(text, text, timestamptz, text, text, text) to authenticated;
revoke execute on function public.edge_renew_certificate(text, text, timestamptz, text, text, text) from public, anon;
grant execute on function public.edge_renew_certificate(text, text, timestamptz, text, text, text) to authenticated;
revoke execute on function public.admin_new_activation_code(uuid, text, text) from public, anon, service_role;
grant execute on function public.admin_new_activation_code(uuid, text, text) to authenticated;
