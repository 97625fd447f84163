-- =====================================================================================
-- Change of email (code to the new address, bound to the requesting account) and profile
-- =====================================================================================

-- An address that already has an account answers exactly as a free one (no code goes
-- there; its owner is told instead), so a signed-in user cannot test which emails exist.
create function public.auth_request_email_change(p_account_id uuid, p_new_email text, p_code text, p_code_hash text, p_brand_id uuid)
returns void language plpgsql security definer set search_path = '' as $$
begin
  if exists (select 1 from public.accounts where email = lower(trim(p_new_email))) then
    perform shoal_private.enqueue_email(p_brand_id, lower(trim(p_new_email)), 'email_change_taken_notice', '{}');
    return;
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
  v_check jsonb;
  v_new text;
  v_old text;
begin
  v_check := shoal_private.check_code(p_account_id, 'change_email', p_code_hash);
  if v_check->>'outcome' <> 'ok' then
    return v_check;
  end if;
  v_new := v_check->>'pending_email';
  if exists (select 1 from public.accounts where email = v_new) then
    raise exception using errcode = 'PT409', message = 'email_taken';
  end if;
  select email into v_old from public.accounts where id = p_account_id;
  update public.accounts set email = v_new, email_verified_at = now(), updated_at = now() where id = p_account_id;
  perform shoal_private.enqueue_email(p_brand_id, v_old, 'email_change_notice', jsonb_build_object('new_email', v_new));
  perform shoal_private.audit(p_brand_id, p_account_id::text, 'email_changed', p_account_id::text,
    jsonb_build_object('from', v_old, 'to', v_new));
  return jsonb_build_object('outcome', 'ok', 'email', v_new);
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

