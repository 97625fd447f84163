-- =====================================================================================
-- Change of email (code to the new address, bound to the requesting account) and profile
-- =====================================================================================

-- Asked signed in, as the account (invoker). An address that already has an account
-- answers exactly as a free one (no code goes there; its owner is told instead), so a
-- signed-in user cannot test which emails exist. Which addresses are taken and the codes
-- table are out of the caller's reach: the small definer below looks and writes for it.
create function shoal_private.email_change_code(p_new_email text, p_code text, p_code_hash text)
returns void language plpgsql security definer set search_path = '' as $$
declare
  v_actor uuid := shoal_private.claim_actor();
  v_email text := lower(trim(p_new_email));
begin
  if v_actor is null or shoal_private.claim_brand() is null then
    raise exception 'a signed-in account is required' using errcode = '42501';
  end if;
  if exists (select 1 from public.accounts where email = v_email) then
    perform shoal_private.account_mail(v_email, 'email_change_taken_notice');
    return;
  end if;
  perform shoal_private.new_code(v_actor, 'change_email', p_code_hash, v_email);
  perform shoal_private.account_mail(v_email, 'email_change_code', jsonb_build_object('code', p_code));
end
$$;
revoke execute on function shoal_private.email_change_code(text, text, text) from public;
grant execute on function shoal_private.email_change_code(text, text, text) to authenticated;

create function public.auth_request_email_change(p_new_email text, p_code text, p_code_hash text)
returns void language sql set search_path = '' as $$
  select shoal_private.email_change_code(p_new_email, p_code, p_code_hash)
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

-- Signed in, as the account (invoker; RLS: its own row, these two columns granted).
create function public.auth_update_profile(p_name text, p_locale text)
returns jsonb language sql set search_path = '' as $$
  update public.accounts set name = coalesce(p_name, name), locale = coalesce(p_locale, locale), updated_at = now()
   where id = shoal_private.claim_actor()
  returning jsonb_build_object('id', id, 'email', email, 'name', name, 'locale', locale)
$$;

revoke execute on function public.auth_request_email_change(text, text, text),
  public.auth_confirm_email_change(uuid, text, uuid), public.auth_update_profile(text, text) from public, anon, authenticated;
grant execute on function public.auth_confirm_email_change(uuid, text, uuid) to service_role;
grant execute on function public.auth_request_email_change(text, text, text), public.auth_update_profile(text, text) to authenticated;
