-- =====================================================================================
-- Custom domains: add (with a TXT verification token), verify, make primary, remove
-- =====================================================================================
alter table public.brand_domains add column if not exists verification_token text;

set role shoal_owner;
create policy "definer functions change domains" on public.brand_domains for update to shoal_owner using (true) with check (true);
create policy "definer functions remove domains" on public.brand_domains for delete to shoal_owner using (true);

create function public.admin_list_domains(p_brand_id uuid)
returns jsonb language sql stable security definer set search_path = '' as $$
  select coalesce(jsonb_agg(jsonb_build_object('host', host, 'is_primary', is_primary, 'verified', verified,
    'verification', case when verified then null else jsonb_build_object('type', 'TXT', 'name', '_shoal.' || host,
                                                                         'value', verification_token) end)
    order by is_primary desc, host), '[]'::jsonb)
  from public.brand_domains where brand_id = p_brand_id
$$;

create function public.admin_add_domain(p_brand_id uuid, p_host text, p_token text, p_actor text)
returns jsonb language plpgsql security definer set search_path = '' as $$
begin
  if exists (select 1 from public.brand_domains where host = p_host) then
    raise exception using errcode = 'PT409', message = 'domain_taken';
  end if;
  insert into public.brand_domains (host, brand_id, verified, verification_token) values (p_host, p_brand_id, false, p_token);
  perform shoal_private.audit(p_brand_id, p_actor, 'domain_added', p_host, '{}');
  return public.admin_list_domains(p_brand_id);
end
$$;

create function public.admin_domain_token(p_brand_id uuid, p_host text)
returns text language sql stable security definer set search_path = '' as $$
  select verification_token from public.brand_domains where brand_id = p_brand_id and host = p_host and not verified
$$;

-- p_verified: the worker found the token in DNS. p_primary: make it the primary domain.
create function public.admin_update_domain(p_brand_id uuid, p_host text, p_verified boolean, p_primary boolean, p_actor text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v public.brand_domains;
begin
  select * into v from public.brand_domains where brand_id = p_brand_id and host = p_host for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'domain_not_found';
  end if;
  if p_verified then
    update public.brand_domains set verified = true, verification_token = null where host = p_host;
    perform shoal_private.audit(p_brand_id, p_actor, 'domain_verified', p_host, '{}');
  end if;
  if p_primary then
    if not (v.verified or p_verified) then
      raise exception using errcode = 'PT409', message = 'domain_not_verified';
    end if;
    update public.brand_domains set is_primary = false where brand_id = p_brand_id and is_primary;
    update public.brand_domains set is_primary = true where host = p_host;
    perform shoal_private.audit(p_brand_id, p_actor, 'domain_made_primary', p_host, '{}');
  end if;
  return public.admin_list_domains(p_brand_id);
end
$$;

create function public.admin_remove_domain(p_brand_id uuid, p_host text, p_actor text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v public.brand_domains;
begin
  select * into v from public.brand_domains where brand_id = p_brand_id and host = p_host for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'domain_not_found';
  end if;
  if v.is_primary then
    raise exception using errcode = 'PT409', message = 'primary_domain';
  end if;
  delete from public.brand_domains where host = p_host;
  perform shoal_private.audit(p_brand_id, p_actor, 'domain_removed', p_host, '{}');
  return public.admin_list_domains(p_brand_id);
end
$$;

revoke execute on function public.admin_list_domains(uuid), public.admin_add_domain(uuid, text, text, text),
  public.admin_domain_token(uuid, text), public.admin_update_domain(uuid, text, boolean, boolean, text),
  public.admin_remove_domain(uuid, text, text) from public, anon, authenticated;
grant execute on function public.admin_list_domains(uuid), public.admin_add_domain(uuid, text, text, text),
  public.admin_domain_token(uuid, text), public.admin_update_domain(uuid, text, boolean, boolean, text),
  public.admin_remove_domain(uuid, text, text) to service_role;
reset role;
