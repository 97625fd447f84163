-- =====================================================================================
-- Members (invite, accept, role, disable, remove), audit log queries, staff catalog writes
-- =====================================================================================

create table public.invitations (
  id           uuid primary key default extensions.gen_random_uuid(),
  brand_id     uuid not null references public.brands(id) on delete cascade,
  email        text not null,
  role         text not null check (role in ('brand_admin', 'editor', 'read_only')),
  token_hash   text not null unique,
  invited_by   text not null,
  expires_at   timestamptz not null,
  accepted_at  timestamptz,
  -- voided: by a newer invitation to the same address, a change to the member, or an admin
  revoked_at   timestamptz,
  revoked_reason text,
  created_at   timestamptz not null default now()
);
create index invitations_brand_id_idx on public.invitations(brand_id, email);
alter table public.invitations enable row level security;
alter table public.invitations force row level security;
grant all on public.invitations to service_role;

-- ------------------------------------------------------------------------ the fence for staff
-- Staff reach members through SECURITY INVOKER functions with their own token (brand, sub,
-- app_role): these policies are what keeps them to their brand, and keeps read_only and
-- editors out of member management (`staff_may('manage_members')`: brand and super admins).
create policy "member managers can read their brand's invitations" on public.invitations for select to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_members')));
create policy "member managers can invite to their brand in their own name" on public.invitations for insert to authenticated
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_members'))
              and invited_by = (select shoal_private.claim_actor())::text);
create policy "member managers can void their brand's invitations" on public.invitations for update to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_members')))
  with check (brand_id = (select shoal_private.claim_brand()));
-- never the token hash: an admin sees who is invited, not the link's secret
grant select (id, brand_id, email, role, invited_by, expires_at, accepted_at, revoked_at, revoked_reason, created_at),
  insert (brand_id, email, role, token_hash, invited_by, expires_at), update (revoked_at, revoked_reason)
  on public.invitations to authenticated;

-- (who may read memberships, accounts and sessions: the select policies of 001000)
create policy "member managers can change their brand's memberships" on public.memberships for update to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_members')))
  with check (brand_id = (select shoal_private.claim_brand()));
create policy "member managers can remove their brand's members" on public.memberships for delete to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_members')));
grant update (role, status), delete on public.memberships to authenticated;

-- disabling or removing a member ends their sessions in this brand (and only this brand):
-- the sessions update policy of 001000 lets member managers do it

-- the invitation email, queued in the invitation's transaction; staff may queue no other mail
create policy "member managers can queue their brand's invitation emails" on public.email_outbox for insert to authenticated
  with check (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_members'))
              and template = 'member_invitation');
grant insert (brand_id, to_email, template, locale, payload) on public.email_outbox to authenticated;

-- Staff audit rows go through shoal_private.staff_audit (000400): brand and actor from the
-- token, and no direct insert into the append-only log.

create function public.admin_list_members()
returns jsonb language plpgsql stable set search_path = '' as $$
begin
  perform shoal_private.require_staff('manage_members');
  return (select coalesce(jsonb_agg(jsonb_build_object('account_id', a.id, 'email', a.email, 'name', a.name, 'role', m.role,
                                                       'status', m.status, 'since', m.created_at) order by m.created_at), '[]'::jsonb)
            from public.memberships m join public.accounts a on a.id = m.account_id
           where m.brand_id = shoal_private.claim_brand());
end
$$;

-- Changes to a brand's members (invite, accept, role, status, removal) take this lock
-- first, so checks such as "the last admin stays" count a set nobody else is changing.
-- An advisory lock needs no privilege: the caller's own rights apply (invoker).
create function shoal_private.lock_members(p_brand_id uuid)
returns void language sql set search_path = '' as $$
  select pg_advisory_xact_lock(hashtext('shoal:members'), hashtext(p_brand_id::text));
$$;

-- Voids the open invitations of the brand to an address (reason: superseded, member_changed,
-- revoked); an invitation can never outlive a decision taken about its address later.
-- Invoker: staff void through the invitations' policies; invitation acceptance (a service
-- definer) runs it as the owner.
create function shoal_private.void_invitations(p_brand_id uuid, p_email text, p_reason text)
returns void language sql set search_path = '' as $$
  update public.invitations set revoked_at = now(), revoked_reason = p_reason
   where brand_id = p_brand_id and email = lower(trim(p_email)) and accepted_at is null and revoked_at is null;
$$;

create function public.admin_invite_member(p_email text, p_role text, p_token_hash text, p_invite_url text)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
  v_email text := lower(trim(p_email));
  v_id uuid;
begin
  perform shoal_private.require_staff('manage_members');
  perform shoal_private.lock_members(v_brand);
  if exists (select 1 from public.memberships m join public.accounts a on a.id = m.account_id
              where m.brand_id = v_brand and a.email = v_email) then
    raise exception using errcode = 'PT409', message = 'already_a_member';
  end if;
  -- one open invitation per address: the newest is the only one that counts
  perform shoal_private.void_invitations(v_brand, v_email, 'superseded');
  insert into public.invitations (brand_id, email, role, token_hash, invited_by, expires_at)
  values (v_brand, v_email, p_role, p_token_hash, shoal_private.claim_actor()::text, now() + interval '7 days') returning id into v_id;
  insert into public.email_outbox (brand_id, to_email, template, locale, payload)
  select v_brand, v_email, 'member_invitation', coalesce(b.locale, 'en'), jsonb_build_object('role', p_role, 'invite_url', p_invite_url)
    from (select 1) one left join public.brands b on b.id = v_brand;
  perform shoal_private.staff_audit('member_invited', v_email, jsonb_build_object('role', p_role, 'invitation_id', v_id));
  return jsonb_build_object('invitation_id', v_id);
end
$$;

-- Open invitations of a brand (not accepted, not voided, not expired), newest first.
create function public.admin_list_invitations()
returns jsonb language plpgsql stable set search_path = '' as $$
begin
  perform shoal_private.require_staff('manage_members');
  return (select coalesce(jsonb_agg(jsonb_build_object('id', id, 'email', email, 'role', role, 'invited_by', invited_by,
                                                       'created_at', created_at, 'expires_at', expires_at) order by created_at desc), '[]'::jsonb)
            from public.invitations
           where brand_id = shoal_private.claim_brand() and accepted_at is null and revoked_at is null and expires_at > now());
end
$$;

create function public.admin_revoke_invitation(p_invitation_id uuid)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
  v_email text;
  v_role text;
begin
  perform shoal_private.require_staff('manage_members');
  perform shoal_private.lock_members(v_brand);
  update public.invitations set revoked_at = now(), revoked_reason = 'revoked'
   where id = p_invitation_id and brand_id = v_brand and accepted_at is null and revoked_at is null and expires_at > now()
  returning email, role into v_email, v_role;
  if not found then
    raise exception using errcode = 'PT404', message = 'invitation_not_found';
  end if;
  perform shoal_private.staff_audit('invitation_revoked', v_email, jsonb_build_object('invitation_id', p_invitation_id, 'role', v_role));
  return public.admin_list_invitations();
end
$$;

-- Accepts an invitation: an existing account joins (the worker checked its password), a new
-- one is created with the given password hash. The invitation came to the address, so it
-- proves the address: a new account is verified, and so is an existing unverified one
-- (whose password the worker checked too). Accepting only ever adds a member: an address
-- that is already a member of the brand (active, disabled or otherwise) is refused, so an
-- old invitation can never restore a removed, disabled or demoted member's access.
create function public.auth_accept_invitation(p_brand_id uuid, p_token_hash text, p_password_hash text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v_inv public.invitations;
  v_account uuid;
begin
  perform shoal_private.lock_members(p_brand_id);
  select * into v_inv from public.invitations
   where token_hash = p_token_hash and brand_id = p_brand_id and accepted_at is null and revoked_at is null
     and expires_at > now() for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'invitation_not_found';
  end if;
  select id into v_account from public.accounts where email = v_inv.email;
  if v_account is null then
    if p_password_hash is null then
      raise exception using errcode = 'PT422', message = 'password_required';
    end if;
    insert into public.accounts (email, password_hash, email_verified_at) values (v_inv.email, p_password_hash, now())
    returning id into v_account;
  elsif exists (select 1 from public.memberships where brand_id = p_brand_id and account_id = v_account) then
    raise exception using errcode = 'PT409', message = 'already_a_member';
  else
    perform shoal_private.mark_email_verified(v_account);
  end if;
  insert into public.memberships (brand_id, account_id, role) values (p_brand_id, v_account, v_inv.role);
  update public.invitations set accepted_at = now() where id = v_inv.id;
  perform shoal_private.void_invitations(p_brand_id, v_inv.email, 'superseded');
  perform shoal_private.audit(p_brand_id, v_account::text, 'member_joined', v_account::text,
                              jsonb_build_object('role', v_inv.role, 'invitation_id', v_inv.id));
  return jsonb_build_object('account_id', v_account, 'email', v_inv.email, 'role', v_inv.role);
end
$$;

create function public.auth_invitation_email(p_brand_id uuid, p_token_hash text)
returns text language sql stable security definer set search_path = '' as $$
  select email from public.invitations where token_hash = p_token_hash and brand_id = p_brand_id
     and accepted_at is null and revoked_at is null and expires_at > now()
$$;

-- Role change, disable/enable or removal. The last active brand admin stays: the brand's
-- member lock is taken before anything is read, so two admins demoting each other at once
-- are serialised and the second sees the first's change. Disabling or removing someone
-- ends their sessions in this brand at once; any change voids the member's open invitations.
-- p_member_id is the member changed (the actor is the token's `sub`).
create function public.admin_update_member(p_member_id uuid, p_role text, p_status text, p_remove boolean)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
  v_m public.memberships;
  v_email text;
  v_admins int;
begin
  perform shoal_private.require_staff('manage_members');
  perform shoal_private.lock_members(v_brand);
  select * into v_m from public.memberships where brand_id = v_brand and account_id = p_member_id for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'member_not_found';
  end if;
  -- read while the account is still a member (its row is visible to staff through the membership)
  select email into v_email from public.accounts where id = p_member_id;
  select count(*) into v_admins from public.memberships where brand_id = v_brand and role = 'brand_admin' and status = 'active';
  if v_m.role = 'brand_admin' and v_m.status = 'active' and v_admins <= 1
     and (p_remove or coalesce(p_role, 'brand_admin') <> 'brand_admin' or coalesce(p_status, 'active') <> 'active') then
    raise exception using errcode = 'PT409', message = 'last_brand_admin';
  end if;
  if p_remove then
    delete from public.memberships where brand_id = v_brand and account_id = p_member_id;
  else
    update public.memberships set role = coalesce(p_role, role), status = coalesce(p_status, status)
     where brand_id = v_brand and account_id = p_member_id;
  end if;
  if p_remove or p_status = 'disabled' then
    update public.sessions set revoked_at = now(), revoked_reason = 'member_disabled'
     where brand_id = v_brand and account_id = p_member_id and revoked_at is null;
  end if;
  perform shoal_private.void_invitations(v_brand, v_email, 'member_changed');
  perform shoal_private.staff_audit(
    case when p_remove then 'member_removed' when p_status = 'disabled' then 'member_disabled'
         when p_role is not null and p_role <> v_m.role then 'member_role_changed' else 'member_updated' end,
    p_member_id::text, jsonb_strip_nulls(jsonb_build_object('from_role', v_m.role, 'role', p_role, 'status', p_status)));
  return public.admin_list_members();
end
$$;

-- Audit log page of the caller's brand: newest first, keyset on id, optional filters
-- (p_by: only rows of that actor). As the staff member: the audit log's policy shows
-- only their brand's rows, and only to roles that may read it.
create function public.admin_audit_log(p_action text, p_by text, p_from timestamptz,
                                       p_to timestamptz, p_before bigint, p_limit integer)
returns jsonb language plpgsql stable set search_path = '' as $$
declare
  v_limit int := least(greatest(coalesce(p_limit, 50), 1), 200);
begin
  perform shoal_private.require_staff('read_audit_log');
  return (
  with page as (
    select * from public.audit_log
     where brand_id = shoal_private.claim_brand()
       and (p_action is null or action = p_action)
       and (p_by is null or actor = p_by)
       and (p_from is null or at >= p_from)
       and (p_to is null or at < p_to)
       and (p_before is null or id < p_before)
     order by id desc
     limit v_limit + 1
  )
  select jsonb_build_object(
    'items', coalesce((select jsonb_agg(jsonb_build_object('id', id, 'actor', actor, 'action', action, 'target', target,
                        'detail', detail, 'ip', ip, 'user_agent', user_agent, 'request_id', request_id, 'at', at) order by id desc)
                       from (select * from page order by id desc limit v_limit) x), '[]'::jsonb),
    'next_before', case when (select count(*) from page) > v_limit
                        then (select min(id) from (select id from page order by id desc limit v_limit) y) end));
end
$$;
revoke execute on function public.admin_audit_log(text, text, timestamptz, timestamptz, bigint, integer) from public, anon, service_role;
grant execute on function public.admin_audit_log(text, text, timestamptz, timestamptz, bigint, integer) to authenticated;

revoke execute on function shoal_private.lock_members(uuid), shoal_private.void_invitations(uuid, text, text) from public, anon;
grant execute on function shoal_private.lock_members(uuid), shoal_private.void_invitations(uuid, text, text) to authenticated;
-- staff call these with their own token (identity and brand from its claims)
revoke execute on function public.admin_list_members(), public.admin_invite_member(text, text, text, text),
  public.admin_list_invitations(), public.admin_revoke_invitation(uuid), public.admin_update_member(uuid, text, text, boolean)
  from public, anon, service_role;
grant execute on function public.admin_list_members(), public.admin_invite_member(text, text, text, text),
  public.admin_list_invitations(), public.admin_revoke_invitation(uuid), public.admin_update_member(uuid, text, text, boolean)
  to authenticated;
-- pre-authentication: whoever holds the link is not signed in yet
revoke execute on function public.auth_accept_invitation(uuid, text, text), public.auth_invitation_email(uuid, text)
  from public, anon, authenticated;
grant execute on function public.auth_accept_invitation(uuid, text, text), public.auth_invitation_email(uuid, text) to service_role;

-- ------------------------------------------------------------------------ staff catalog writes
-- Staff may write their brand's catalog directly through PostgREST too; RLS lets
-- brand admins and editors do so and refuses read_only members.
-- (the brand's edge devices write products and stock too, through edge_sync_push: one
-- policy per role and action, so they share these)
create policy "editors, admins and devices can add to their brand's catalog" on public.products for insert to authenticated
  with check (brand_id = (select shoal_private.claim_brand())
              and ((select shoal_private.staff_may('manage_catalog')) or (select shoal_private.claim_device()) is not null));
create policy "editors, admins and devices can change their brand's catalog" on public.products for update to authenticated
  using (brand_id = (select shoal_private.claim_brand())
         and ((select shoal_private.staff_may('manage_catalog')) or (select shoal_private.claim_device()) is not null))
  with check (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid);
create policy "editors and admins can change their brand's variants" on public.variants for update to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_catalog')))
  with check (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid);
create policy "editors, admins and devices can change their brand's stock" on public.inventory_levels for update to authenticated
  using (brand_id = (select shoal_private.claim_brand())
         and ((select shoal_private.staff_may('manage_inventory')) or (select shoal_private.claim_device()) is not null))
  with check (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid);
grant insert, update (title, description, status, category_id, images, updated_at) on public.products to authenticated;
grant update (title, options, price_amount, compare_at_amount, weight_grams, position) on public.variants to authenticated;
grant update (available, updated_at) on public.inventory_levels to authenticated;

