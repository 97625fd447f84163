-- =====================================================================================
-- Staff MFA (TOTP) with single-use recovery codes; a brand may require it of its admins
-- =====================================================================================
alter table public.accounts add column if not exists mfa_secret text;
alter table public.accounts add column if not exists mfa_pending_secret text;
alter table public.accounts add column if not exists mfa_enabled_at timestamptz;
alter table public.accounts add column if not exists mfa_recovery_hashes text[] not null default '{}';
alter table public.brands add column if not exists require_mfa_for_admins boolean not null default false;

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

-- The login context now also says whether the account uses MFA.
create or replace function public.auth_login_context(p_brand_id uuid, p_email text)
returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object(
    'account_id', a.id, 'password_hash', a.password_hash, 'is_super_admin', a.is_super_admin,
    'role', case when a.is_super_admin then 'super_admin' else m.role end,
    'status', case when a.is_super_admin then 'active' else m.status end,
    'mfa_enabled', a.mfa_enabled_at is not null, 'mfa_secret', a.mfa_secret,
    'recent_failures', (select count(*) from public.audit_log l
                         where l.action = 'login_failed' and l.target = a.id::text and l.at > now() - interval '1 hour'))
  from public.accounts a
  left join public.memberships m on m.account_id = a.id and m.brand_id = p_brand_id
  where a.email = lower(trim(p_email))
$$;

-- What every authenticated request checks: role of a live session, and the MFA state
-- (an admin of a brand that requires MFA must have it enabled).
create function public.auth_session(p_session_id uuid, p_jti text, p_brand_id uuid)
returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object('role', case when a.is_super_admin then 'super_admin' else m.role end,
                            'mfa_enabled', a.mfa_enabled_at is not null, 'mfa_required', b.require_mfa_for_admins)
    from public.sessions s
    join public.accounts a on a.id = s.account_id
    join public.brands b on b.id = s.brand_id
    left join public.memberships m on m.account_id = s.account_id and m.brand_id = s.brand_id
   where s.id = p_session_id and s.brand_id = p_brand_id
     and s.revoked_at is null and s.absolute_expires_at > now()
     and not exists (select 1 from public.revoked_tokens r where r.jti = p_jti)
     and (a.is_super_admin or m.status = 'active')
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
  public.auth_mfa_disable(uuid, uuid), public.auth_mfa_use_recovery(uuid, text), public.auth_session(uuid, text, uuid),
  public.admin_set_security(uuid, boolean, text) from public, anon, authenticated;
grant execute on function public.auth_mfa_state(uuid), public.auth_mfa_setup(uuid, text), public.auth_mfa_enable(uuid, text[], uuid),
  public.auth_mfa_disable(uuid, uuid), public.auth_mfa_use_recovery(uuid, text), public.auth_session(uuid, text, uuid),
  public.admin_set_security(uuid, boolean, text) to service_role;
reset role;

-- the session check now answers with the MFA state too
drop function if exists public.auth_session_role(uuid, text, uuid);
