-- =====================================================================================
-- Platform super admins, granted by the operator (scripts/super-admin)
-- =====================================================================================
-- Nothing a shopper, staff member or device can call makes a super admin. The operator
-- does, on a deployed project, with the project's service credentials (the worker's own
-- `SUPABASE_API_KEY` and database signing key, role `service_role`; docs/deploy.md).
-- The first super admin is granted once: while one exists a grant is refused unless
-- forced, so running the command again can never quietly add an admin. Every grant is in
-- the platform's audit log (no brand), actor `operator`.
--
-- A new account gets no usable password (`!` is no Argon2 PHC string, so no password
-- verifies against it) and no verified email: its owner sets the password with the
-- emailed reset code of the ordinary `forgot-password`/`reset-password` flow, which also
-- proves the address (docs/auth.md). SECURITY INVOKER: `service_role` may write accounts
-- and append to the audit log itself; no definer is needed.
create function public.platform_grant_super_admin(p_email text, p_force boolean default false, p_operator text default null)
returns jsonb
language plpgsql set search_path = ''
as $$
declare
  v_email text := lower(trim(p_email));
  v_before integer;
  v_account public.accounts;
  v_outcome text;
begin
  if v_email is null or length(v_email) > 254 or v_email !~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$' then
    raise exception using errcode = 'PT422', message = 'invalid_email';
  end if;
  -- two first runs at once must not both find "no super admin yet"
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('shoal/platform_grant_super_admin'));
  select count(*) into v_before from public.accounts where is_super_admin;
  if v_before > 0 and not coalesce(p_force, false) then
    raise exception using errcode = 'PT409', message = 'super_admin_exists',
      detail = format('%s super admin(s) exist already; pass --force to grant another', v_before);
  end if;
  select * into v_account from public.accounts where email = v_email for update;
  if not found then
    insert into public.accounts (email, password_hash, is_super_admin)
    values (v_email, '!', true) returning * into v_account;
    v_outcome := 'created';
  elsif v_account.is_super_admin then
    v_outcome := 'unchanged';
  else
    update public.accounts set is_super_admin = true, updated_at = now() where id = v_account.id;
    v_outcome := 'promoted';
  end if;
  insert into public.audit_log (brand_id, actor, action, target, detail)
  values (null, 'operator', 'super_admin_granted', v_account.id::text,
          jsonb_build_object('email', v_email, 'outcome', v_outcome, 'forced', coalesce(p_force, false),
                             'super_admins_before', v_before, 'operator', left(p_operator, 200)));
  return jsonb_build_object('outcome', v_outcome, 'account_id', v_account.id, 'needs_password', v_outcome = 'created');
end
$$;
revoke execute on function public.platform_grant_super_admin(text, boolean, text) from public, anon, authenticated;
grant execute on function public.platform_grant_super_admin(text, boolean, text) to service_role;
