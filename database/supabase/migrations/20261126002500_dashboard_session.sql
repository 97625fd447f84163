-- The dashboard's session: its CSRF token is bound to the login's session family (stable
-- across refresh rotations, so every tab of one login holds the same token), and the
-- member's own profile for `GET /api/v1/account/me`.

-- auth_session (001000) also names the session's family: the worker checks a cookie
-- caller's `x-csrf-token` against it.
create or replace function public.auth_session(p_session_id uuid, p_jti text, p_brand_id uuid)
returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object('role', case when a.is_super_admin then 'super_admin' else m.role end,
                            'mfa_enabled', a.mfa_enabled_at is not null, 'mfa_required', b.require_mfa_for_admins,
                            'family_id', s.family_id)
    from public.sessions s
    join public.accounts a on a.id = s.account_id
    join public.brands b on b.id = s.brand_id
    left join public.memberships m on m.account_id = s.account_id and m.brand_id = s.brand_id
   where s.id = p_session_id and s.brand_id = p_brand_id
     and s.revoked_at is null and s.absolute_expires_at > now()
     and not exists (select 1 from public.revoked_tokens r where r.jti = p_jti)
     and (a.is_super_admin or m.status = 'active')
     and a.email_verified_at is not null
$$;

-- auth_refresh (001000) with the family the cookie caller's CSRF token names: a token of
-- another family (or none, when the worker asks for one) is refused before anything is
-- spent or counted as a reuse, so a forged cross-site refresh changes nothing. API callers
-- that send the refresh token in the body pass null.
drop function public.auth_refresh(text, text, integer, uuid);
create function public.auth_refresh(p_refresh_hash text, p_new_refresh_hash text, p_idle_days integer, p_brand_id uuid,
                                    p_family_id uuid default null)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_old public.sessions;
  v_new public.sessions;
  v_role text;
begin
  select * into v_old from public.sessions where refresh_hash = p_refresh_hash for update;
  if not found or v_old.brand_id <> p_brand_id then
    return jsonb_build_object('outcome', 'invalid');
  end if;
  if p_family_id is not null and v_old.family_id <> p_family_id then
    return jsonb_build_object('outcome', 'csrf');
  end if;
  if v_old.rotated_at is not null then
    update public.sessions set revoked_at = coalesce(revoked_at, now()), revoked_reason = coalesce(revoked_reason, 'refresh_reuse')
     where family_id = v_old.family_id;
    insert into public.audit_log (brand_id, actor, action, target, detail)
    values (v_old.brand_id, v_old.account_id::text, 'refresh_reuse_detected', v_old.family_id::text, '{}'::jsonb);
    return jsonb_build_object('outcome', 'reused');
  end if;
  if v_old.revoked_at is not null or v_old.expires_at <= now() or v_old.absolute_expires_at <= now() then
    return jsonb_build_object('outcome', 'invalid');
  end if;
  select case when a.is_super_admin then 'super_admin' when m.status = 'active' then m.role end into v_role
    from public.accounts a left join public.memberships m on m.account_id = a.id and m.brand_id = v_old.brand_id
   where a.id = v_old.account_id;
  if v_role is null then
    return jsonb_build_object('outcome', 'invalid');
  end if;
  update public.sessions set rotated_at = now() where id = v_old.id;
  insert into public.sessions (brand_id, account_id, family_id, refresh_hash, expires_at, absolute_expires_at)
  values (v_old.brand_id, v_old.account_id, v_old.family_id, p_new_refresh_hash,
          least(now() + make_interval(days => p_idle_days), v_old.absolute_expires_at), v_old.absolute_expires_at)
  returning * into v_new;
  return jsonb_build_object('outcome', 'rotated', 'session_id', v_new.id, 'account_id', v_new.account_id,
                            'brand_id', v_new.brand_id, 'role', v_role, 'family_id', v_new.family_id);
end
$$;

revoke execute on function public.auth_refresh(text, text, integer, uuid, uuid) from public, anon, authenticated;
grant execute on function public.auth_refresh(text, text, integer, uuid, uuid) to service_role;

-- The signed-in member's own profile, as the account (invoker; RLS: its own row, granted
-- columns only).
create function public.auth_me()
returns jsonb language sql stable set search_path = '' as $$
  select jsonb_build_object('email', a.email, 'name', a.name, 'locale', a.locale, 'mfa_enabled', a.mfa_enabled_at is not null)
    from public.accounts a
   where a.id = shoal_private.claim_actor()
$$;

revoke execute on function public.auth_me() from public, anon, authenticated;
grant execute on function public.auth_me() to authenticated;
