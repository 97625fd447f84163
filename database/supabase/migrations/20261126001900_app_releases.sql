-- =====================================================================================
-- Edge app releases (binaries in R2): published and yanked by platform super admins
-- =====================================================================================

create table public.app_releases (
  id          uuid primary key default extensions.gen_random_uuid(),
  version     text not null check (version ~ '^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'),
  channel     text not null check (channel in ('stable', 'beta')),
  platform    text not null check (platform ~ '^[a-z0-9_-]{1,40}$'),
  sha256      text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  size        bigint not null check (size > 0),
  notes       text not null default '',
  r2_key      text not null,
  yanked      boolean not null default false,
  created_by  text not null,
  created_at  timestamptz not null default now(),
  unique (platform, version)
);
comment on table public.app_releases is 'Platform-wide (no brand): every brand''s devices run the same app.';
alter table public.app_releases enable row level security;
alter table public.app_releases force row level security;
grant all on public.app_releases to service_role;

-- Publishing and yanking run as the super admin who does it. How that identity reaches
-- the database: the worker re-checks the staff session on every request (auth_session
-- answers role super_admin only for an account with is_super_admin) and signs a token
-- with role authenticated, app_role super_admin and sub = that account. The policies
-- below trust that signed claim, as every policy trusts brand_id: a release row can be
-- added only naming the super admin in the token as its author, and only super admins
-- see or yank releases. The brand_id the token also carries (the host the super admin
-- used) plays no part: releases belong to no brand.
-- Admitted edge devices read releases too (edge_releases, below), with their own token.
create policy "super admins and devices can read releases"
  on public.app_releases for select to authenticated
  using ((select shoal_private.claim_app_role()) = 'super_admin' or (select shoal_private.claim_device()) is not null);
create policy "super admins can publish releases in their own name"
  on public.app_releases for insert to authenticated
  with check ((select shoal_private.claim_app_role()) = 'super_admin'
              and created_by = (select shoal_private.claim_actor())::text and not yanked);
create policy "super admins can yank releases"
  on public.app_releases for update to authenticated
  using ((select shoal_private.claim_app_role()) = 'super_admin')
  with check ((select shoal_private.claim_app_role()) = 'super_admin' and yanked);
grant select, insert (version, channel, platform, sha256, size, notes, r2_key, created_by), update (yanked)
  on public.app_releases to authenticated;

create function public.admin_publish_release(p_version text, p_channel text, p_platform text, p_sha256 text,
                                             p_size bigint, p_notes text, p_r2_key text)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v public.app_releases;
begin
  if shoal_private.claim_app_role() is distinct from 'super_admin' or shoal_private.claim_actor() is null then
    raise exception 'not allowed: publish releases' using errcode = '42501';
  end if;
  insert into public.app_releases (version, channel, platform, sha256, size, notes, r2_key, created_by)
  values (p_version, p_channel, p_platform, p_sha256, p_size, coalesce(p_notes, ''), p_r2_key,
          shoal_private.claim_actor()::text) returning * into v;
  perform shoal_private.platform_audit('release_published', p_platform || '/' || p_version, jsonb_build_object('channel', p_channel));
  return jsonb_build_object('version', v.version, 'channel', v.channel, 'platform', v.platform, 'sha256', v.sha256, 'size', v.size);
exception when unique_violation then
  raise exception using errcode = 'PT409', message = 'release_exists';
end
$$;

create function public.admin_yank_release(p_platform text, p_version text)
returns jsonb language plpgsql set search_path = '' as $$
begin
  if shoal_private.claim_app_role() is distinct from 'super_admin' or shoal_private.claim_actor() is null then
    raise exception 'not allowed: yank releases' using errcode = '42501';
  end if;
  update public.app_releases set yanked = true where platform = p_platform and version = p_version;
  if not found then
    raise exception using errcode = 'PT404', message = 'release_not_found';
  end if;
  perform shoal_private.platform_audit('release_yanked', p_platform || '/' || p_version, '{}');
  return jsonb_build_object('platform', p_platform, 'version', p_version, 'yanked', true);
end
$$;
-- A platform's releases as a super admin sees them (the policy above): publishing checks
-- for the version before the binary goes to R2, and after a failed insert whether any row
-- names the uploaded object.
create function public.admin_list_releases(p_platform text)
returns jsonb language sql stable set search_path = '' as $$
  select coalesce(jsonb_agg(jsonb_build_object('version', version, 'r2_key', r2_key, 'yanked', yanked)
                            order by created_at), '[]'::jsonb)
  from public.app_releases where platform = p_platform
$$;

revoke execute on function public.admin_publish_release(text, text, text, text, bigint, text, text),
  public.admin_yank_release(text, text), public.admin_list_releases(text) from public, anon, service_role;
grant execute on function public.admin_publish_release(text, text, text, text, bigint, text, text),
  public.admin_yank_release(text, text), public.admin_list_releases(text) to authenticated;

-- A platform's releases as a device reads them with its own token (the read policy above).
create function public.edge_releases(p_platform text)
returns jsonb language sql stable security invoker set search_path = '' as $$
  select coalesce(jsonb_agg(jsonb_build_object('version', version, 'channel', channel, 'platform', platform, 'sha256', sha256,
    'size', size, 'notes', notes, 'r2_key', r2_key, 'yanked', yanked)), '[]'::jsonb)
  from public.app_releases where platform = p_platform
$$;

revoke execute on function public.edge_releases(text) from public, anon, service_role;
grant execute on function public.edge_releases(text) to authenticated;
