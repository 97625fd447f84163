-- =====================================================================================
-- Staff MFA (TOTP) with single-use recovery codes; a brand may require it of its admins
-- =====================================================================================

-- The account's MFA state; `secret` and `pending` are sealed (the worker opens them).
create function public.auth_mfa_state(p_account_id uuid)
returns jsonb language sql stable security definer set search_path = '' as $$
  select jsonb_build_object('enabled', mfa_enabled_at is not null, 'secret', mfa_secret, 'pending', mfa_pending_secret, 'email', email)
  from public.accounts where id = p_account_id
$$;

-- Only the worker's checks (password, and the current factor when MFA is on) lead here.
create function public.auth_mfa_setup(p_account_id uuid, p_secret text)
returns void language sql security definer set search_path = '' as $$
  update public.accounts set mfa_pending_secret = p_secret, updated_at = now() where id = p_account_id
$$;

-- A TOTP time step is accepted once: only when it is past the last one accepted.
create function public.auth_mfa_use_step(p_account_id uuid, p_step bigint)
returns boolean language sql security definer set search_path = '' as $$
  update public.accounts set mfa_last_step = p_step
   where id = p_account_id and (mfa_last_step is null or mfa_last_step < p_step)
  returning true
$$;

-- The account hears of every change of its second factor and of its password.
create function shoal_private.security_notice(p_account_id uuid, p_brand_id uuid, p_template text)
returns void language sql security definer set search_path = '' as $$
  select shoal_private.enqueue_email(p_brand_id, a.email, p_template, '{}'::jsonb) from public.accounts a where a.id = p_account_id
$$;

create function public.auth_mfa_enable(p_account_id uuid, p_recovery_hashes text[], p_brand_id uuid, p_step bigint default null)
returns void language plpgsql security definer set search_path = '' as $$
begin
  update public.accounts set mfa_secret = mfa_pending_secret, mfa_pending_secret = null, mfa_enabled_at = now(),
         mfa_recovery_hashes = p_recovery_hashes, mfa_last_step = p_step, updated_at = now()
   where id = p_account_id and mfa_pending_secret is not null;
  if not found then
    raise exception using errcode = 'PT409', message = 'mfa_setup_missing';
  end if;
  perform shoal_private.audit(p_brand_id, p_account_id::text, 'mfa_enabled', p_account_id::text, '{}');
  perform shoal_private.security_notice(p_account_id, p_brand_id, 'mfa_changed');
end
$$;

create function public.auth_mfa_disable(p_account_id uuid, p_brand_id uuid)
returns void language plpgsql security definer set search_path = '' as $$
begin
  update public.accounts set mfa_secret = null, mfa_pending_secret = null, mfa_enabled_at = null,
         mfa_recovery_hashes = '{}', mfa_last_step = null, updated_at = now() where id = p_account_id;
  perform shoal_private.audit(p_brand_id, p_account_id::text, 'mfa_disabled', p_account_id::text, '{}');
  perform shoal_private.security_notice(p_account_id, p_brand_id, 'mfa_changed');
end
$$;

-- A recovery code works once.
create function public.auth_mfa_use_recovery(p_account_id uuid, p_hash text)
returns boolean language sql security definer set search_path = '' as $$
  update public.accounts set mfa_recovery_hashes = array_remove(mfa_recovery_hashes, p_hash)
   where id = p_account_id and p_hash = any(mfa_recovery_hashes)
  returning true
$$;

-- A failed re-authentication (password, or the current second factor, before a change of
-- password, email or factor): audited with what failed and what was asked for, never what
-- was typed. The worker limits attempts per account (rate-limit Durable Object).
create function public.auth_reauthentication_failed(p_account_id uuid, p_brand_id uuid, p_reason text, p_purpose text)
returns void language sql security definer set search_path = '' as $$
  select shoal_private.audit(p_brand_id, p_account_id::text, 'reauthentication_failed', p_account_id::text,
    jsonb_build_object('reason', left(p_reason, 40), 'purpose', left(p_purpose, 40)))
$$;

create function public.admin_set_security(p_brand_id uuid, p_require_mfa boolean, p_actor text)
returns jsonb language plpgsql security definer set search_path = '' as $$
begin
  update public.brands set require_mfa_for_admins = p_require_mfa where id = p_brand_id;
  perform shoal_private.audit(p_brand_id, p_actor, 'security_settings_changed', p_brand_id::text,
    jsonb_build_object('require_mfa_for_admins', p_require_mfa));
  return jsonb_build_object('require_mfa_for_admins', p_require_mfa);
end
$$;

revoke execute on function public.auth_mfa_state(uuid), public.auth_mfa_setup(uuid, text), public.auth_mfa_enable(uuid, text[], uuid, bigint),
  public.auth_mfa_disable(uuid, uuid), public.auth_mfa_use_recovery(uuid, text), public.auth_mfa_use_step(uuid, bigint),
  public.admin_set_security(uuid, boolean, text), public.auth_reauthentication_failed(uuid, uuid, text, text)
  from public, anon, authenticated;
grant execute on function public.auth_mfa_state(uuid), public.auth_mfa_setup(uuid, text), public.auth_mfa_enable(uuid, text[], uuid, bigint),
  public.auth_mfa_disable(uuid, uuid), public.auth_mfa_use_recovery(uuid, text), public.auth_mfa_use_step(uuid, bigint),
  public.admin_set_security(uuid, boolean, text), public.auth_reauthentication_failed(uuid, uuid, text, text) to service_role;

