-- =====================================================================================
-- Sign-up, one-time codes (verify email, reset password), password changes
-- =====================================================================================
-- Codes are 6 digits made by the worker and stored as an HMAC only; they live 15 minutes
-- and allow 5 attempts. The attempt is counted in the same statement that checks it, so a
-- counter that cannot be written fails the request instead of granting another try.
set role shoal_owner;

create table public.auth_codes (
  id           uuid primary key default extensions.gen_random_uuid(),
  account_id   uuid not null references public.accounts(id) on delete cascade,
  purpose      text not null check (purpose in ('verify_email', 'reset_password', 'change_email')),
  code_hash    text not null,
  pending_email text,
  expires_at   timestamptz not null,
  attempts     integer not null default 0,
  used_at      timestamptz,
  created_at   timestamptz not null default now()
);
create index auth_codes_account_idx on public.auth_codes(account_id, purpose, created_at desc);
alter table public.auth_codes enable row level security;
alter table public.auth_codes force row level security;
create policy "definer functions manage codes" on public.auth_codes for all to shoal_owner using (true) with check (true);
grant all on public.auth_codes to service_role;

-- sign-up creates brands and their first domain through the definer function below
create policy "definer functions create brands" on public.brands for insert to shoal_owner with check (true);
create policy "definer functions add domains" on public.brand_domains for insert to shoal_owner with check (true);

create function shoal_private.new_code(p_account_id uuid, p_purpose text, p_code_hash text, p_pending_email text)
returns void language sql security definer set search_path = '' as $$
  -- a new code replaces the previous ones of the same purpose
  update public.auth_codes set used_at = now() where account_id = p_account_id and purpose = p_purpose and used_at is null;
  insert into public.auth_codes (account_id, purpose, code_hash, pending_email, expires_at)
  values (p_account_id, p_purpose, p_code_hash, p_pending_email, now() + interval '15 minutes');
$$;

-- Checks a code of an account: the newest unused code of that purpose; the attempt is
-- counted before the comparison (5 attempts, 15 minutes). Returns the outcome ('ok',
-- 'invalid', 'expired', 'locked') and, on 'ok', the code row (marked used).
create function shoal_private.check_code(p_account_id uuid, p_purpose text, p_code_hash text)
returns jsonb language plpgsql security definer set search_path = '' as $$
declare
  v_code public.auth_codes;
begin
  select * into v_code from public.auth_codes
   where account_id = p_account_id and purpose = p_purpose and used_at is null
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
  update public.auth_codes set used_at = now() where id = v_code.id;
  return jsonb_build_object('outcome', 'ok', 'pending_email', v_code.pending_email);
end
$$;

-- Sign-up on the platform host: brand, first domain, owner, membership, verification code
-- and its email, all or nothing.
create function public.auth_signup(p_brand_name text, p_slug text, p_email text, p_password_hash text,
                                   p_code text, p_code_hash text, p_platform_host text, p_locale text)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_brand uuid;
  v_account uuid;
begin
  if exists (select 1 from public.accounts where email = lower(trim(p_email))) then
    raise exception using errcode = 'PT409', message = 'email_taken';
  end if;
  if exists (select 1 from public.brands where slug = p_slug) then
    raise exception using errcode = 'PT409', message = 'slug_taken';
  end if;
  begin
    insert into public.brands (slug, name, currency, locale)
    values (p_slug, p_brand_name, 'USD', case when p_locale = 'es' then 'es' else 'en' end) returning id into v_brand;
  exception when check_violation then
    raise exception using errcode = 'PT422', message = 'invalid_brand', detail = sqlerrm;
  end;
  insert into public.brand_domains (host, brand_id, is_primary, verified) values (p_slug || '.' || p_platform_host, v_brand, true, true);
  insert into public.accounts (email, password_hash, locale) values (lower(trim(p_email)), p_password_hash,
    case when p_locale = 'es' then 'es' else 'en' end) returning id into v_account;
  insert into public.memberships (brand_id, account_id, role) values (v_brand, v_account, 'brand_admin');
  perform shoal_private.new_code(v_account, 'verify_email', p_code_hash, null);
  perform shoal_private.enqueue_email(v_brand, lower(trim(p_email)), 'verification_code', jsonb_build_object('code', p_code));
  perform shoal_private.audit(v_brand, v_account::text, 'brand_registered', v_brand::text, jsonb_build_object('slug', p_slug));
  return jsonb_build_object('brand_id', v_brand, 'account_id', v_account, 'host', p_slug || '.' || p_platform_host);
end
$$;

-- A new code for an account, and its email. Answers nothing about whether the email exists.
create function public.auth_issue_code(p_email text, p_purpose text, p_code text, p_code_hash text, p_template text)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_account public.accounts;
  v_brand uuid;
begin
  select * into v_account from public.accounts where email = lower(trim(p_email));
  if not found or (p_purpose = 'verify_email' and v_account.email_verified_at is not null) then
    return;
  end if;
  select brand_id into v_brand from public.memberships where account_id = v_account.id order by created_at limit 1;
  perform shoal_private.new_code(v_account.id, p_purpose, p_code_hash, null);
  perform shoal_private.enqueue_email(v_brand, v_account.email, p_template, jsonb_build_object('code', p_code));
end
$$;

-- Checks a code: counts the attempt first; 5 attempts, then locked; 15 minutes.
-- On success applies the purpose: verify the email, or set the new password and end
-- every session (a reset means the old password may be known to someone else).
create function public.auth_consume_code(p_email text, p_purpose text, p_code_hash text, p_new_password_hash text)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_account public.accounts;
  v_check jsonb;
  v_brand uuid;
begin
  select * into v_account from public.accounts where email = lower(trim(p_email));
  if not found then
    return jsonb_build_object('outcome', 'invalid');
  end if;
  v_check := shoal_private.check_code(v_account.id, p_purpose, p_code_hash);
  if v_check->>'outcome' <> 'ok' then
    return v_check;
  end if;
  select brand_id into v_brand from public.memberships where account_id = v_account.id order by created_at limit 1;
  if p_purpose = 'verify_email' then
    update public.accounts set email_verified_at = coalesce(email_verified_at, now()), updated_at = now() where id = v_account.id;
    perform shoal_private.audit(v_brand, v_account.id::text, 'email_verified', v_account.id::text, '{}');
  elsif p_purpose = 'reset_password' then
    if p_new_password_hash is null then
      raise exception using errcode = 'PT422', message = 'password_required';
    end if;
    update public.accounts set password_hash = p_new_password_hash, updated_at = now() where id = v_account.id;
    update public.sessions set revoked_at = now(), revoked_reason = 'password_reset' where account_id = v_account.id and revoked_at is null;
    perform shoal_private.audit(v_brand, v_account.id::text, 'password_reset', v_account.id::text, '{}');
  end if;
  return jsonb_build_object('outcome', 'ok', 'account_id', v_account.id);
end
$$;

-- Change password (the worker checked the current one): new hash, every other session ends.
create function public.auth_change_password(p_account_id uuid, p_session_id uuid, p_new_password_hash text, p_brand_id uuid)
returns void
language plpgsql security definer set search_path = ''
as $$
begin
  update public.accounts set password_hash = p_new_password_hash, updated_at = now() where id = p_account_id;
  update public.sessions set revoked_at = now(), revoked_reason = 'password_changed'
   where account_id = p_account_id and id <> p_session_id and revoked_at is null;
  perform shoal_private.audit(p_brand_id, p_account_id::text, 'password_changed', p_account_id::text, '{}');
  perform shoal_private.enqueue_email(p_brand_id, (select email from public.accounts where id = p_account_id), 'password_changed', '{}'::jsonb);
end
$$;

create function public.auth_password_hash(p_account_id uuid)
returns jsonb language sql stable security definer set search_path = '' as $$
  select jsonb_build_object('hash', password_hash, 'email', email) from public.accounts where id = p_account_id
$$;

revoke execute on function public.auth_signup(text, text, text, text, text, text, text, text),
  public.auth_issue_code(text, text, text, text, text), public.auth_consume_code(text, text, text, text),
  public.auth_change_password(uuid, uuid, text, uuid), public.auth_password_hash(uuid) from public, anon, authenticated;
grant execute on function public.auth_signup(text, text, text, text, text, text, text, text),
  public.auth_issue_code(text, text, text, text, text), public.auth_consume_code(text, text, text, text),
  public.auth_change_password(uuid, uuid, text, uuid), public.auth_password_hash(uuid) to service_role;

reset role;
