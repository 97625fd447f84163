-- =====================================================================================
-- Staff MFA (TOTP) with single-use recovery codes; a brand may require it of its admins
-- =====================================================================================

-- The signed-in account's own MFA calls are invokers: RLS and the column grants of
-- accounts (migration 001000) keep them to the caller's row; brand and account come from
-- the token. Only the login's second-factor steps (use_step, use_recovery), which run
-- before anyone is signed in, stay service_role.

-- The caller's own sealed secrets. A definer because no column grant can say "one's own
-- row": member managers read their members' account rows (001000), so the secret columns
-- are granted to nobody, and this reads them for the token's account alone.
create function shoal_private.own_mfa()
returns table (secret text, pending text, enabled boolean, email text)
language sql stable security definer set search_path = '' as $$
  select mfa_secret, mfa_pending_secret, mfa_enabled_at is not null, email
    from public.accounts where id = shoal_private.claim_actor()
$$;

-- Moves the caller's pending secret into place (the update reads the pending column, which
-- staff may not read: see own_mfa). Answers whether there was one.
create function shoal_private.own_mfa_enable(p_recovery_hashes text[], p_step bigint)
returns boolean language plpgsql security definer set search_path = '' as $$
begin
  update public.accounts set mfa_secret = mfa_pending_secret, mfa_pending_secret = null, mfa_enabled_at = now(),
         mfa_recovery_hashes = p_recovery_hashes, mfa_last_step = p_step, updated_at = now()
   where id = shoal_private.claim_actor() and mfa_pending_secret is not null;
  return found;
end
$$;
revoke execute on function shoal_private.own_mfa(), shoal_private.own_mfa_enable(text[], bigint) from public;
grant execute on function shoal_private.own_mfa(), shoal_private.own_mfa_enable(text[], bigint) to authenticated;

-- The caller's MFA state; `secret` and `pending` are sealed (the worker opens them).
create function public.auth_mfa_state()
returns jsonb language sql stable set search_path = '' as $$
  select jsonb_build_object('enabled', m.enabled, 'secret', m.secret, 'pending', m.pending, 'email', m.email)
  from shoal_private.own_mfa() m
$$;

-- Only the worker's checks (password, and the current factor when MFA is on) lead here.
create function public.auth_mfa_setup(p_secret text)
returns void language sql set search_path = '' as $$
  update public.accounts set mfa_pending_secret = p_secret, updated_at = now() where id = shoal_private.claim_actor()
$$;

-- A TOTP time step is accepted once: only when it is past the last one accepted.
create function public.auth_mfa_use_step(p_account_id uuid, p_step bigint)
returns boolean language sql security definer set search_path = '' as $$
  update public.accounts set mfa_last_step = p_step
   where id = p_account_id and (mfa_last_step is null or mfa_last_step < p_step)
  returning true
$$;

-- The account hears of every change of its second factor (and of its password).
create function public.auth_mfa_enable(p_recovery_hashes text[], p_step bigint default null)
returns void language plpgsql set search_path = '' as $$
begin
  if not shoal_private.own_mfa_enable(p_recovery_hashes, p_step) then
    raise exception using errcode = 'PT409', message = 'mfa_setup_missing';
  end if;
  perform shoal_private.account_audit('mfa_enabled', null);
  perform shoal_private.account_mail(null, 'mfa_changed');
end
$$;

create function public.auth_mfa_disable()
returns void language plpgsql set search_path = '' as $$
begin
  update public.accounts set mfa_secret = null, mfa_pending_secret = null, mfa_enabled_at = null,
         mfa_recovery_hashes = '{}', mfa_last_step = null, updated_at = now() where id = shoal_private.claim_actor();
  if not found then
    raise exception 'a signed-in account is required' using errcode = '42501';
  end if;
  perform shoal_private.account_audit('mfa_disabled', null);
  perform shoal_private.account_mail(null, 'mfa_changed');
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
create function public.auth_reauthentication_failed(p_reason text, p_purpose text)
returns void language sql set search_path = '' as $$
  select shoal_private.account_audit('reauthentication_failed', null,
    jsonb_build_object('reason', left(p_reason, 40), 'purpose', left(p_purpose, 40)))
$$;

-- The brand's security setting, as the staff member: only their own brand's row, and only
-- for roles that manage members (the policy and column grant below).
create function public.admin_set_security(p_require_mfa boolean)
returns jsonb language plpgsql set search_path = '' as $$
begin
  perform shoal_private.require_staff('manage_members');
  if p_require_mfa is null then
    raise exception using errcode = 'PT422', message = 'require_mfa_for_admins';
  end if;
  update public.brands set require_mfa_for_admins = p_require_mfa where id = shoal_private.claim_brand();
  if not found then
    raise exception using errcode = '42501', message = 'not allowed: manage_members';
  end if;
  perform shoal_private.staff_audit('security_settings_changed', shoal_private.claim_brand()::text,
    jsonb_build_object('require_mfa_for_admins', p_require_mfa));
  return jsonb_build_object('require_mfa_for_admins', p_require_mfa);
end
$$;
-- (who may update the brand row: the one update policy of 000200, brand and super admins)
grant update (require_mfa_for_admins) on public.brands to authenticated;
revoke execute on function public.admin_set_security(boolean) from public, anon, service_role;
grant execute on function public.admin_set_security(boolean) to authenticated;

revoke execute on function public.auth_mfa_state(), public.auth_mfa_setup(text), public.auth_mfa_enable(text[], bigint),
  public.auth_mfa_disable(), public.auth_mfa_use_recovery(uuid, text), public.auth_mfa_use_step(uuid, bigint),
  public.auth_reauthentication_failed(text, text)
  from public, anon, authenticated;
grant execute on function public.auth_mfa_use_recovery(uuid, text), public.auth_mfa_use_step(uuid, bigint) to service_role;
grant execute on function public.auth_mfa_state(), public.auth_mfa_setup(text), public.auth_mfa_enable(text[], bigint),
  public.auth_mfa_disable(), public.auth_reauthentication_failed(text, text) to authenticated;


-- The sealed secret at login, before anyone is signed in (the worker opens it only to
-- check a TOTP code given with the right password): service_role, like the login itself.
create function public.auth_mfa_login_secret(p_account_id uuid)
returns text language sql stable security definer set search_path = '' as $$
  select mfa_secret from public.accounts where id = p_account_id and mfa_enabled_at is not null
$$;
revoke execute on function public.auth_mfa_login_secret(uuid) from public, anon, authenticated;
grant execute on function public.auth_mfa_login_secret(uuid) to service_role;
