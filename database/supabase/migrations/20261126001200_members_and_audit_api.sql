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
create policy "brand admins can read their brand's invitations" on public.invitations for select to authenticated
  using (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid and ((select auth.jwt()) ->> 'app_role') = 'brand_admin');
grant select on public.invitations to authenticated;
grant all on public.invitations to service_role;

create function public.admin_list_members(p_brand_id uuid)
returns jsonb language sql stable security definer set search_path = '' as $$
  select coalesce(jsonb_agg(jsonb_build_object('account_id', a.id, 'email', a.email, 'name', a.name, 'role', m.role,
                                               'status', m.status, 'since', m.created_at) order by m.created_at), '[]'::jsonb)
  from public.memberships m join public.accounts a on a.id = m.account_id where m.brand_id = p_brand_id
$$;

-- Changes to a brand's members (invite, accept, role, status, removal) take this lock
-- first, so checks such as "the last admin stays" count a set nobody else is changing.
create function shoal_private.lock_members(p_brand_id uuid)
returns void language sql security definer set search_path = '' as $$
  select pg_advisory_xact_lock(hashtext('shoal:members'), hashtext(p_brand_id::text));
$$;

-- Voids the open invitations of the brand to an address (reason: superseded, member_changed,
-- revoked); an invitation can never outlive a decision taken about its address later.
create function shoal_private.void_invitations(p_brand_id uuid, p_email text, p_reason text)
returns void language sql security definer set search_path = '' as $$
  update public.invitations set revoked_at = now(), revoked_reason = p_reason
   where brand_id = p_brand_id and email = lower(trim(p_email)) and accepted_at is null and revoked_at is null;
$$;

create function public.admin_invite_member(p_brand_id uuid, p_email text, p_role text, p_token_hash text,
                                           p_invite_url text, p_actor text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v_id uuid;
begin
  perform shoal_private.lock_members(p_brand_id);
  if exists (select 1 from public.memberships m join public.accounts a on a.id = m.account_id
              where m.brand_id = p_brand_id and a.email = lower(trim(p_email))) then
    raise exception using errcode = 'PT409', message = 'already_a_member';
  end if;
  -- one open invitation per address: the newest is the only one that counts
  perform shoal_private.void_invitations(p_brand_id, p_email, 'superseded');
  insert into public.invitations (brand_id, email, role, token_hash, invited_by, expires_at)
  values (p_brand_id, lower(trim(p_email)), p_role, p_token_hash, p_actor, now() + interval '7 days') returning id into v_id;
  perform shoal_private.enqueue_email(p_brand_id, lower(trim(p_email)), 'member_invitation',
    jsonb_build_object('role', p_role, 'invite_url', p_invite_url));
  perform shoal_private.audit(p_brand_id, p_actor, 'member_invited', lower(trim(p_email)), jsonb_build_object('role', p_role, 'invitation_id', v_id));
  return jsonb_build_object('invitation_id', v_id);
end
$$;

-- Open invitations of a brand (not accepted, not voided, not expired), newest first.
create function public.admin_list_invitations(p_brand_id uuid)
returns jsonb language sql stable security definer set search_path = '' as $$
  select coalesce(jsonb_agg(jsonb_build_object('id', id, 'email', email, 'role', role, 'invited_by', invited_by,
                                               'created_at', created_at, 'expires_at', expires_at) order by created_at desc), '[]'::jsonb)
  from public.invitations
  where brand_id = p_brand_id and accepted_at is null and revoked_at is null and expires_at > now()
$$;

create function public.admin_revoke_invitation(p_brand_id uuid, p_invitation_id uuid, p_actor text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v_inv public.invitations;
begin
  perform shoal_private.lock_members(p_brand_id);
  update public.invitations set revoked_at = now(), revoked_reason = 'revoked'
   where id = p_invitation_id and brand_id = p_brand_id and accepted_at is null and revoked_at is null and expires_at > now()
  returning * into v_inv;
  if not found then
    raise exception using errcode = 'PT404', message = 'invitation_not_found';
  end if;
  perform shoal_private.audit(p_brand_id, p_actor, 'invitation_revoked', v_inv.email,
                              jsonb_build_object('invitation_id', v_inv.id, 'role', v_inv.role));
  return public.admin_list_invitations(p_brand_id);
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
create function public.admin_update_member(p_brand_id uuid, p_account_id uuid, p_role text, p_status text, p_remove boolean, p_actor text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v_m public.memberships;
  v_admins int;
begin
  perform shoal_private.lock_members(p_brand_id);
  select * into v_m from public.memberships where brand_id = p_brand_id and account_id = p_account_id for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'member_not_found';
  end if;
  select count(*) into v_admins from public.memberships where brand_id = p_brand_id and role = 'brand_admin' and status = 'active';
  if v_m.role = 'brand_admin' and v_m.status = 'active' and v_admins <= 1
     and (p_remove or coalesce(p_role, 'brand_admin') <> 'brand_admin' or coalesce(p_status, 'active') <> 'active') then
    raise exception using errcode = 'PT409', message = 'last_brand_admin';
  end if;
  if p_remove then
    delete from public.memberships where brand_id = p_brand_id and account_id = p_account_id;
  else
    update public.memberships set role = coalesce(p_role, role), status = coalesce(p_status, status)
     where brand_id = p_brand_id and account_id = p_account_id;
  end if;
  if p_remove or p_status = 'disabled' then
    update public.sessions set revoked_at = now(), revoked_reason = 'member_disabled'
     where brand_id = p_brand_id and account_id = p_account_id and revoked_at is null;
  end if;
  perform shoal_private.void_invitations(p_brand_id, (select email from public.accounts where id = p_account_id), 'member_changed');
  perform shoal_private.audit(p_brand_id, p_actor,
    case when p_remove then 'member_removed' when p_status = 'disabled' then 'member_disabled'
         when p_role is not null and p_role <> v_m.role then 'member_role_changed' else 'member_updated' end,
    p_account_id::text, jsonb_strip_nulls(jsonb_build_object('from_role', v_m.role, 'role', p_role, 'status', p_status)));
  return public.admin_list_members(p_brand_id);
end
$$;

-- Audit log page for a brand: newest first, keyset on id, optional filters.
create function public.admin_audit_log(p_brand_id uuid, p_action text, p_actor text, p_from timestamptz,
                                       p_to timestamptz, p_before bigint, p_limit integer)
returns jsonb language sql stable security definer set search_path = '' as $$
  with page as (
    select * from public.audit_log
     where brand_id = p_brand_id
       and (p_action is null or action = p_action)
       and (p_actor is null or actor = p_actor)
       and (p_from is null or at >= p_from)
       and (p_to is null or at < p_to)
       and (p_before is null or id < p_before)
     order by id desc
     limit least(greatest(p_limit, 1), 200) + 1
  )
  select jsonb_build_object(
    'items', coalesce((select jsonb_agg(jsonb_build_object('id', id, 'actor', actor, 'action', action, 'target', target,
                        'detail', detail, 'ip', ip, 'user_agent', user_agent, 'request_id', request_id, 'at', at) order by id desc)
                       from (select * from page order by id desc limit least(greatest(p_limit, 1), 200)) x), '[]'::jsonb),
    'next_before', case when (select count(*) from page) > least(greatest(p_limit, 1), 200)
                        then (select min(id) from (select id from page order by id desc limit least(greatest(p_limit, 1), 200)) y) end)
$$;

revoke execute on function shoal_private.lock_members(uuid), shoal_private.void_invitations(uuid, text, text) from public, anon, authenticated;
revoke execute on function public.admin_list_invitations(uuid), public.admin_revoke_invitation(uuid, uuid, text) from public, anon, authenticated;
grant execute on function public.admin_list_invitations(uuid), public.admin_revoke_invitation(uuid, uuid, text) to service_role;
revoke execute on function public.admin_list_members(uuid), public.admin_invite_member(uuid, text, text, text, text, text),
  public.auth_accept_invitation(uuid, text, text), public.auth_invitation_email(uuid, text),
  public.admin_update_member(uuid, uuid, text, text, boolean, text),
  public.admin_audit_log(uuid, text, text, timestamptz, timestamptz, bigint, integer) from public, anon, authenticated;
grant execute on function public.admin_list_members(uuid), public.admin_invite_member(uuid, text, text, text, text, text),
  public.auth_accept_invitation(uuid, text, text), public.auth_invitation_email(uuid, text),
  public.admin_update_member(uuid, uuid, text, text, boolean, text),
  public.admin_audit_log(uuid, text, text, timestamptz, timestamptz, bigint, integer) to service_role;

-- ------------------------------------------------------------------------ staff catalog writes
-- Staff may write their brand's catalog directly through PostgREST too; RLS lets
-- brand admins and editors do so and refuses read_only members.
-- (the brand's edge devices write products and stock too, through edge_sync_push: one
-- policy per role and action, so they share these)
create policy "editors, admins and devices can add to their brand's catalog" on public.products for insert to authenticated
  with check (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid
              and (((select auth.jwt()) ->> 'app_role') in ('brand_admin', 'editor') or (select shoal_private.claim_device()) is not null));
create policy "editors, admins and devices can change their brand's catalog" on public.products for update to authenticated
  using (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid
         and (((select auth.jwt()) ->> 'app_role') in ('brand_admin', 'editor') or (select shoal_private.claim_device()) is not null))
  with check (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid);
create policy "editors and admins can change their brand's variants" on public.variants for update to authenticated
  using (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid and ((select auth.jwt()) ->> 'app_role') in ('brand_admin', 'editor'))
  with check (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid);
create policy "editors, admins and devices can change their brand's stock" on public.inventory_levels for update to authenticated
  using (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid
         and (((select auth.jwt()) ->> 'app_role') in ('brand_admin', 'editor') or (select shoal_private.claim_device()) is not null))
  with check (brand_id = ((select auth.jwt()) ->> 'brand_id')::uuid);
grant insert, update (title, description, status, category_id, images, updated_at) on public.products to authenticated;
grant update (title, options, price_amount, compare_at_amount, weight_grams, position) on public.variants to authenticated;
grant update (available, updated_at) on public.inventory_levels to authenticated;

