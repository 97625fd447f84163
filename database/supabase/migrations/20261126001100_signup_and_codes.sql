-- =====================================================================================
-- Sign-up, one-time codes (verify email, reset password), password changes
-- =====================================================================================
-- Codes are 6 digits made by the worker and stored as an HMAC only; they live 15 minutes
-- and allow 5 attempts. The attempt is counted in the same statement that checks it, so a
-- counter that cannot be written fails the request instead of granting another try.

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
grant all on public.auth_codes to service_role;

-- sign-up creates brands and their first domain through the definer function below

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

-- ------------------------------------------------------------------------ reserved slugs
-- A slug becomes `{slug}.{platform host}`: names of the platform's own services and
-- look-alikes of its name are never a tenant's. The list is `shoal_domain::slug::RESERVED`
-- (the worker refuses first, with the same rule); this check keeps direct inserts honest.
create function shoal_private.slug_is_reserved(p_slug text)
returns boolean language sql immutable set search_path = '' as $$
  select p_slug = any (array[
      'www', 'admin', 'administrator', 'api', 'app', 'apps', 'status', 'login', 'logout', 'signin', 'signup',
      'register', 'edge', 'mail', 'email', 'smtp', 'imap', 'pop', 'mx', 'ns', 'ns1', 'ns2', 'dns', 'ftp',
      'shop', 'store', 'support', 'help', 'billing', 'dashboard', 'static', 'assets', 'cdn', 'media', 'img',
      'images', 'docs', 'blog', 'auth', 'oauth', 'sso', 'account', 'accounts', 'platform', 'root', 'security',
      'secure', 'portal', 'webmail', 'dev', 'staging', 'test', 'internal', 'system', 'health', 'metrics',
      'localhost', 'autoconfig', 'autodiscover', 'wpad', 'pay', 'payments', 'checkout', 'stripe', 'webhooks',
      'id', 'my', 'console', 'panel', 'manage', 'team', 'legal', 'privacy', 'terms', 'abuse', 'postmaster',
      'hostmaster', 'webmaster', 'noreply', 'no-reply', 'git', 'vpn', 'proxy', 'gateway', 'files',
      'download', 'downloads', 'update', 'updates', 'releases'])
      -- look-alikes of the platform's name: digits that read as letters, hyphens dropped
      or position('shoal' in translate(replace(p_slug, '-', ''), '0145', 'olas')) > 0
      -- the names of expired sign-ups' tombstones (`expired-{id}`): one taken first would
      -- block that brand's expiry
      or p_slug like 'expired-%'
      -- labels IDNA reserves (`??--`): `xn--` is punycode, shown as Unicode look-alikes
      or substr(p_slug, 3, 2) = '--'
$$;
-- a check runs with the privileges of whoever writes the row (staff may update their brand)
grant execute on function shoal_private.slug_is_reserved(text) to public;
-- The only reserved name a brand may hold is its own tombstone's, once it is suspended.
create function shoal_private.tombstone_slug(p_brand_id uuid)
returns text language sql immutable set search_path = '' as $$
  select 'expired-' || replace(p_brand_id::text, '-', '')
$$;
grant execute on function shoal_private.tombstone_slug(uuid) to public;
alter table public.brands add constraint brands_slug_not_reserved check (
  not shoal_private.slug_is_reserved(slug)
  or (status = 'suspended' and slug = shoal_private.tombstone_slug(id)));

-- ------------------------------------------------------------------------ pending sign-ups
-- A brand made by sign-up is pending until its owner proves the email address (a
-- verification, reset or invitation code sent there). Pending brands whose owner never
-- verifies expire after 48 hours: the slug, domain and email are released (see
-- `expire_unverified_signups`). account_id is null when the address already had an account:
-- sign-up answers the same as for a new address, so a placeholder brand is made and expires.
create table public.signup_claims (
  brand_id    uuid primary key references public.brands(id) on delete cascade,
  account_id  uuid references public.accounts(id) on delete set null,
  created_at  timestamptz not null default now()
);
create index signup_claims_account_idx on public.signup_claims(account_id);
create index signup_claims_created_idx on public.signup_claims(created_at);
alter table public.signup_claims enable row level security;
alter table public.signup_claims force row level security;
grant all on public.signup_claims to service_role;

-- finds the last sign-up notice to an address (at most one an hour is sent)
create index email_outbox_signup_notice_idx on public.email_outbox(to_email, created_at) where template = 'signup_attempt_notice';

-- The address is proven: the account is verified and the brands it signed up for are kept.
create function shoal_private.mark_email_verified(p_account_id uuid)
returns void language sql security definer set search_path = '' as $$
  update public.accounts set email_verified_at = coalesce(email_verified_at, now()), updated_at = now() where id = p_account_id;
  delete from public.signup_claims where account_id = p_account_id;
$$;

-- Sign-up on the platform host: brand, first domain, owner, membership, verification code
-- and its email, all or nothing. An address that already has an account gets the same
-- answer (no way to learn that it exists); its owner is told by email instead, and the
-- brand made for the request has no owner and expires like an unverified sign-up.
-- A taken slug may be said (slugs are public); constraint names never leave the database.
create function public.auth_signup(p_brand_name text, p_slug text, p_email text, p_password_hash text,
                                   p_code text, p_code_hash text, p_platform_host text, p_locale text,
                                   p_currency text)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_email text := lower(trim(p_email));
  v_locale text := case when p_locale = 'es' then 'es' else 'en' end;
  v_brand uuid;
  v_account uuid;
  v_constraint text;
  v_existing_locale text;
begin
  if exists (select 1 from public.brands where slug = p_slug) then
    raise exception using errcode = 'PT409', message = 'slug_taken';
  end if;
  begin
    -- the shop's currency and language as the owner chose them (checked by the worker);
    -- it starts unpublished ("coming soon") until its owner publishes it
    insert into public.brands (slug, name, currency, locale, published)
    values (p_slug, p_brand_name, coalesce(p_currency, 'USD'), v_locale, false) returning id into v_brand;
    insert into public.brand_domains (host, brand_id, is_primary, verified) values (p_slug || '.' || p_platform_host, v_brand, true, true);
  exception
    when unique_violation then
      raise exception using errcode = 'PT409', message = 'slug_taken';
    when check_violation then
      get stacked diagnostics v_constraint = constraint_name;
      raise exception using errcode = 'PT422', message = case v_constraint
        when 'brands_slug_check' then 'invalid_slug'
        when 'brands_slug_not_reserved' then 'reserved_slug'
        when 'brands_name_check' then 'invalid_brand_name'
        else 'invalid_brand' end;
  end;
  insert into public.accounts (email, password_hash, locale) values (v_email, p_password_hash, v_locale)
  on conflict (email) do nothing returning id into v_account;
  insert into public.signup_claims (brand_id, account_id) values (v_brand, v_account);
  if v_account is null then
    select locale into v_existing_locale from public.accounts where email = v_email;
    -- one notice an hour at most, so sign-up cannot be used to flood someone's inbox
    insert into public.email_outbox (brand_id, to_email, template, locale, sender, payload)
    select null, v_email, 'signup_attempt_notice', coalesce(v_existing_locale, 'en'), 'platform',
           jsonb_build_object('host', p_slug || '.' || p_platform_host)
     where not exists (select 1 from public.email_outbox where to_email = v_email and template = 'signup_attempt_notice'
                          and created_at > now() - interval '1 hour');
    perform shoal_private.audit(v_brand, 'signup', 'brand_registered', v_brand::text,
                                jsonb_build_object('slug', p_slug, 'owner', 'existing_address'));
  else
    insert into public.memberships (brand_id, account_id, role) values (v_brand, v_account, 'brand_admin');
    perform shoal_private.new_code(v_account, 'verify_email', p_code_hash, null);
    perform shoal_private.enqueue_platform_email(v_brand, v_email, 'verification_code', jsonb_build_object('code', p_code));
    perform shoal_private.audit(v_brand, v_account::text, 'brand_registered', v_brand::text, jsonb_build_object('slug', p_slug));
  end if;
  return jsonb_build_object('brand_id', v_brand, 'host', p_slug || '.' || p_platform_host);
end
$$;

-- The cron run: pending sign-ups older than p_hours whose owner never verified release
-- their slug, domain and email. The brand row stays as a suspended tombstone under a slug
-- of its own id (`shoal_private.tombstone_slug`, a name no sign-up can take), because the
-- append-only audit log refers to it; its domains, members and invitations go, and so does
-- the unverified account when it belongs to nothing else. Each claim is released in a block
-- of its own: one that fails is rolled back alone, logged and counted, and stays for the next
-- run, so it never holds back the others.
-- Answers how many expired, how many failed, and the hosts released.
create function public.expire_unverified_signups(p_hours integer)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  r record;
  v_slug text;
  v_done integer := 0;
  v_failed integer := 0;
  v_hosts text[] := '{}';
  v_released text[];
  v_state text;
  v_message text;
begin
  for r in select c.brand_id, c.account_id from public.signup_claims c
            where c.created_at < now() - make_interval(hours => greatest(p_hours, 1))
            order by c.created_at for update skip locked loop
    begin
      if r.account_id is not null
         and exists (select 1 from public.accounts where id = r.account_id and email_verified_at is not null) then
        delete from public.signup_claims where brand_id = r.brand_id;
        continue;
      end if;
      select slug into v_slug from public.brands where id = r.brand_id for update;
      with gone as (delete from public.brand_domains where brand_id = r.brand_id returning host)
      select coalesce(array_agg(host), '{}') into v_released from gone;
      delete from public.invitations where brand_id = r.brand_id;
      delete from public.memberships where brand_id = r.brand_id;
      update public.sessions set revoked_at = now(), revoked_reason = 'signup_expired' where brand_id = r.brand_id and revoked_at is null;
      update public.brands set slug = shoal_private.tombstone_slug(id), status = 'suspended' where id = r.brand_id;
      delete from public.signup_claims where brand_id = r.brand_id;
      delete from public.accounts a where a.id = r.account_id and a.email_verified_at is null
         and not exists (select 1 from public.memberships m where m.account_id = a.id);
      perform shoal_private.audit(r.brand_id, 'system', 'signup_expired', r.brand_id::text, jsonb_build_object('slug', v_slug));
      -- variables are not rolled back with the block: add the hosts only once it is done
      v_hosts := v_hosts || v_released;
      v_done := v_done + 1;
    exception when others then
      get stacked diagnostics v_state = returned_sqlstate, v_message = message_text;
      raise warning 'expire_unverified_signups: brand % kept for the next run: % %', r.brand_id, v_state, v_message;
      v_failed := v_failed + 1;
    end;
  end loop;
  -- the worker forgets these hosts' cached brand
  return jsonb_build_object('expired', v_done, 'failed', v_failed, 'hosts', to_jsonb(v_hosts));
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
-- every session (a reset means the old password may be known to someone else). Either
-- code was sent to the address, so either proves it (and keeps a pending sign-up's brand).
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
    perform shoal_private.mark_email_verified(v_account.id);
    perform shoal_private.audit(v_brand, v_account.id::text, 'email_verified', v_account.id::text, '{}');
  elsif p_purpose = 'reset_password' then
    if p_new_password_hash is null then
      raise exception using errcode = 'PT422', message = 'password_required';
    end if;
    update public.accounts set password_hash = p_new_password_hash, updated_at = now() where id = v_account.id;
    -- the code came to the address: that proves it as well as a verification code does
    perform shoal_private.mark_email_verified(v_account.id);
    update public.sessions set revoked_at = now(), revoked_reason = 'password_reset' where account_id = v_account.id and revoked_at is null;
    perform shoal_private.audit(v_brand, v_account.id::text, 'password_reset', v_account.id::text, '{}');
  end if;
  return jsonb_build_object('outcome', 'ok', 'account_id', v_account.id);
end
$$;

-- Signed in, as the account (invoker; RLS: its own row and sessions): the worker has
-- checked the current password (and second factor) first. Every other session of the
-- account, in every brand, ends; the token's own session (`sid`) stays.
create function public.auth_change_password(p_new_password_hash text)
returns void
language plpgsql set search_path = ''
as $$
declare
  v_actor uuid := shoal_private.claim_actor();
begin
  update public.accounts set password_hash = p_new_password_hash, updated_at = now() where id = v_actor;
  if not found then
    raise exception 'a signed-in account is required' using errcode = '42501';
  end if;
  update public.sessions set revoked_at = now(), revoked_reason = 'password_changed'
   where account_id = v_actor and id is distinct from nullif((select auth.jwt()) ->> 'sid', '')::uuid and revoked_at is null;
  perform shoal_private.account_audit('password_changed', v_actor::text);
  perform shoal_private.account_mail(null, 'password_changed');
end
$$;

create function public.auth_password_hash(p_account_id uuid)
returns jsonb language sql stable security definer set search_path = '' as $$
  select jsonb_build_object('hash', password_hash, 'email', email) from public.accounts where id = p_account_id
$$;

revoke execute on function public.expire_unverified_signups(integer), shoal_private.mark_email_verified(uuid) from public, anon, authenticated;
grant execute on function public.expire_unverified_signups(integer) to service_role;
revoke execute on function public.auth_signup(text, text, text, text, text, text, text, text, text),
  public.auth_issue_code(text, text, text, text, text), public.auth_consume_code(text, text, text, text),
  public.auth_change_password(text), public.auth_password_hash(uuid) from public, anon, authenticated;
grant execute on function public.auth_signup(text, text, text, text, text, text, text, text, text),
  public.auth_issue_code(text, text, text, text, text), public.auth_consume_code(text, text, text, text),
  public.auth_password_hash(uuid) to service_role;
grant execute on function public.auth_change_password(text) to authenticated;

