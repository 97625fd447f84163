-- =====================================================================================
-- Staff MFA (TOTP) with single-use recovery codes; a brand may require it of its admins
-- =====================================================================================
set role shoal_owner;

create function public.auth_mfa_state(p_account_id uuid)
returns jsonb language sql stable security definer set search_path = '' as $$
  select jsonb_build_object('enabled', mfa_enabled_at is not null, 'secret', mfa_secret, 'pending', mfa_pending_secret, 'email', email)
  from public.accounts where id = p_account_id
$$;

create function public.auth_mfa_setup(p_account_id uuid, p_secret text)
returns void language sql security definer set search_path = '' as $$
  update public.accounts set mfa_pending_secret = p_secret, updated_at = now() where id = p_account_id
$$;

create function public.auth_mfa_enable(p_account_id uuid, p_recovery_hashes text[], p_brand_id uuid)
returns void language plpgsql security definer set search_path = '' as $$
begin
  update public.accounts set mfa_secret = mfa_pending_secret, mfa_pending_secret = null, mfa_enabled_at = now(),
         mfa_recovery_hashes = p_recovery_hashes, updated_at = now()
   where id = p_account_id and mfa_pending_secret is not null;
  if not found then
    raise exception using errcode = 'PT409', message = 'mfa_setup_missing';
  end if;
  perform shoal_private.audit(p_brand_id, p_account_id::text, 'mfa_enabled', p_account_id::text, '{}');
end
$$;

create function public.auth_mfa_disable(p_account_id uuid, p_brand_id uuid)
returns void language plpgsql security definer set search_path = '' as $$
begin
  update public.accounts set mfa_secret = null, mfa_pending_secret = null, mfa_enabled_at = null,
         mfa_recovery_hashes = '{}', updated_at = now() where id = p_account_id;
  perform shoal_private.audit(p_brand_id, p_account_id::text, 'mfa_disabled', p_account_id::text, '{}');
end
$$;

-- A recovery code works once.
create function public.auth_mfa_use_recovery(p_account_id uuid, p_hash text)
returns boolean language sql security definer set search_path = '' as $$
  update public.accounts set mfa_recovery_hashes = array_remove(mfa_recovery_hashes, p_hash)
   where id = p_account_id and p_hash = any(mfa_recovery_hashes)
  returning true
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

revoke execute on function public.auth_mfa_state(uuid), public.auth_mfa_setup(uuid, text), public.auth_mfa_enable(uuid, text[], uuid),
  public.auth_mfa_disable(uuid, uuid), public.auth_mfa_use_recovery(uuid, text),
  public.admin_set_security(uuid, boolean, text) from public, anon, authenticated;
grant execute on function public.auth_mfa_state(uuid), public.auth_mfa_setup(uuid, text), public.auth_mfa_enable(uuid, text[], uuid),
  public.auth_mfa_disable(uuid, uuid), public.auth_mfa_use_recovery(uuid, text),
  public.admin_set_security(uuid, boolean, text) to service_role;
reset role;

