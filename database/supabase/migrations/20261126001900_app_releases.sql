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

create function public.admin_publish_release(p_version text, p_channel text, p_platform text, p_sha256 text,
                                             p_size bigint, p_notes text, p_r2_key text, p_actor text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v public.app_releases;
begin
  insert into public.app_releases (version, channel, platform, sha256, size, notes, r2_key, created_by)
  values (p_version, p_channel, p_platform, p_sha256, p_size, coalesce(p_notes, ''), p_r2_key, p_actor) returning * into v;
  perform shoal_private.audit(null, p_actor, 'release_published', p_platform || '/' || p_version, jsonb_build_object('channel', p_channel));
  return jsonb_build_object('version', v.version, 'channel', v.channel, 'platform', v.platform, 'sha256', v.sha256, 'size', v.size);
exception when unique_violation then
  raise exception using errcode = 'PT409', message = 'release_exists';
end
$$;

create function public.admin_yank_release(p_platform text, p_version text, p_actor text)
returns jsonb language plpgsql security definer set search_path = '' as $$
begin
  update public.app_releases set yanked = true where platform = p_platform and version = p_version;
  if not found then
    raise exception using errcode = 'PT404', message = 'release_not_found';
  end if;
  perform shoal_private.audit(null, p_actor, 'release_yanked', p_platform || '/' || p_version, '{}');
  return jsonb_build_object('platform', p_platform, 'version', p_version, 'yanked', true);
end
$$;

-- Devices read the releases of a platform with their own token (the policy below);
-- the publish path reads them as service role, which bypasses row level security.
create policy "devices can read app releases" on public.app_releases for select to authenticated
  using ((select shoal_private.claim_device()) is not null);
grant select on public.app_releases to authenticated;

create function public.edge_releases(p_platform text)
returns jsonb language sql stable security invoker set search_path = '' as $$
  select coalesce(jsonb_agg(jsonb_build_object('version', version, 'channel', channel, 'platform', platform, 'sha256', sha256,
    'size', size, 'notes', notes, 'r2_key', r2_key, 'yanked', yanked)), '[]'::jsonb)
  from public.app_releases where platform = p_platform
$$;

revoke execute on function public.admin_publish_release(text, text, text, text, bigint, text, text, text),
  public.admin_yank_release(text, text, text) from public, anon, authenticated;
grant execute on function public.admin_publish_release(text, text, text, text, bigint, text, text, text),
  public.admin_yank_release(text, text, text) to service_role;
revoke execute on function public.edge_releases(text) from public, anon;
grant execute on function public.edge_releases(text) to authenticated, service_role;
