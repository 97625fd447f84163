-- =====================================================================================
-- Change of email (code to the new address, bound to the requesting account) and profile
-- =====================================================================================
set role shoal_owner;

create function public.auth_request_email_change(p_account_id uuid, p_new_email text, p_code text, p_code_hash text, p_brand_id uuid)
returns void language plpgsql security definer set search_path = '' as $$
begin
  if exists (select 1 from public.accounts where email = lower(trim(p_new_email))) then
    raise exception using errcode = 'PT409', message = 'email_taken';
  end if;
  perform shoal_private.new_code(p_account_id, 'change_email', p_code_hash, lower(trim(p_new_email)));
  perform shoal_private.enqueue_email(p_brand_id, lower(trim(p_new_email)), 'email_change_code', jsonb_build_object('code', p_code));
end
$$;

-- Only the requesting account's own pending change can be confirmed: the code is looked up
-- by the caller's account id, so a code sent for someone else never matches.
create function public.auth_confirm_email_change(p_account_id uuid, p_code_hash text, p_brand_id uuid)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v_code public.auth_codes;
  v_old text;
begin
  select * into v_code from public.auth_codes
   where account_id = p_account_id and purpose = 'change_email' and used_at is null
   order by created_at desc limit 1 for update;
  if not found then
    return jsonb_build_object('outcome', 'invalid');
  end if;
  if v_code.attempts >= 5 then
    return jsonb_build_object('outcome', 'locked');
  end if;
  update public.auth_codes set attempts = attempts + 1 where id = v_code.id;
  if v_code.expires_at <= now() then
    return jsonb_build_object('outcome', 'expired');
  end if;
  if v_code.code_hash <> p_code_hash then
    return jsonb_build_object('outcome', case when v_code.attempts + 1 >= 5 then 'locked' else 'invalid' end);
  end if;
  if exists (select 1 from public.accounts where email = v_code.pending_email) then
    raise exception using errcode = 'PT409', message = 'email_taken';
  end if;
  update public.auth_codes set used_at = now() where id = v_code.id;
  select email into v_old from public.accounts where id = p_account_id;
  update public.accounts set email = v_code.pending_email, email_verified_at = now(), updated_at = now() where id = p_account_id;
  perform shoal_private.enqueue_email(p_brand_id, v_old, 'email_change_notice', jsonb_build_object('new_email', v_code.pending_email));
  perform shoal_private.audit(p_brand_id, p_account_id::text, 'email_changed', p_account_id::text,
    jsonb_build_object('from', v_old, 'to', v_code.pending_email));
  return jsonb_build_object('outcome', 'ok', 'email', v_code.pending_email);
end
$$;

create function public.auth_update_profile(p_account_id uuid, p_name text, p_locale text)
returns jsonb language sql security definer set search_path = '' as $$
  update public.accounts set name = coalesce(p_name, name), locale = coalesce(p_locale, locale), updated_at = now()
   where id = p_account_id
  returning jsonb_build_object('id', id, 'email', email, 'name', name, 'locale', locale)
$$;

revoke execute on function public.auth_request_email_change(uuid, text, text, text, uuid),
  public.auth_confirm_email_change(uuid, text, uuid), public.auth_update_profile(uuid, text, text) from public, anon, authenticated;
grant execute on function public.auth_request_email_change(uuid, text, text, text, uuid),
  public.auth_confirm_email_change(uuid, text, uuid), public.auth_update_profile(uuid, text, text) to service_role;

reset role;
