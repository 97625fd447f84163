-- =====================================================================================
-- Staff accounts, brand memberships, sessions with rotating refresh tokens
-- =====================================================================================
-- Passwords are Argon2id PHC strings made by the worker; refresh tokens are stored as
-- SHA-256 only. Every authenticated request re-checks its session, its token id and the
-- membership here, so logout, disabling or a role change take effect at once.

create table public.accounts (
  id                 uuid primary key default extensions.gen_random_uuid(),
  email              text not null unique check (email = lower(email) and position('@' in email) > 1 and length(email) <= 254),
  password_hash      text not null,
  name               text not null default '',
  locale             text not null default 'en' check (locale in ('en', 'es')),
  is_super_admin     boolean not null default false,
  email_verified_at  timestamptz,
  -- TOTP (see the MFA functions); a pending secret becomes the secret once a code proves it.
  -- Both are sealed by the worker (AES-256-GCM, `v1:<kid>:<nonce>:<ciphertext>`): the
  -- database never holds them in clear. `mfa_last_step` is the last TOTP time step
  -- accepted, so a code cannot be used twice.
  mfa_secret          text check (mfa_secret is null or mfa_secret like 'v1:%'),
  mfa_pending_secret  text check (mfa_pending_secret is null or mfa_pending_secret like 'v1:%'),
  mfa_enabled_at      timestamptz,
  mfa_recovery_hashes text[] not null default '{}',
  mfa_last_step       bigint,
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now()
);
comment on table public.accounts is 'A person; belongs to brands through memberships (no brand_id of its own).';

-- a brand may require MFA of its admins
alter table public.brands add column require_mfa_for_admins boolean not null default false;

create table public.memberships (
  brand_id    uuid not null references public.brands(id) on delete cascade,
  account_id  uuid not null references public.accounts(id) on delete cascade,
  role        text not null check (role in ('brand_admin', 'editor', 'read_only')),
  status      text not null default 'active' check (status in ('active', 'disabled')),
  created_at  timestamptz not null default now(),
  primary key (brand_id, account_id)
);
create index memberships_account_idx on public.memberships(account_id);

create table public.sessions (
  id                   uuid primary key default extensions.gen_random_uuid(),
  brand_id             uuid not null references public.brands(id) on delete cascade,
  account_id           uuid not null references public.accounts(id) on delete cascade,
  -- every rotation creates a new row in the same family; reuse of an old one ends the family
  family_id            uuid not null,
  refresh_hash         text not null unique,
  created_at           timestamptz not null default now(),
  expires_at           timestamptz not null,
  absolute_expires_at  timestamptz not null,
  rotated_at           timestamptz,
  revoked_at           timestamptz,
  revoked_reason       text
);
create index sessions_brand_id_idx on public.sessions(brand_id);
create index sessions_family_idx on public.sessions(family_id);
create index sessions_account_idx on public.sessions(account_id);

create table public.revoked_tokens (
  jti         text primary key,
  brand_id    uuid not null references public.brands(id) on delete cascade,
  expires_at  timestamptz not null
);
create index revoked_tokens_brand_id_idx on public.revoked_tokens(brand_id);

-- Failed logins, by the email as typed (whether or not it has an account, so the limit
-- answers alike for both), the brand host it was tried on and the client IP. Counted per
-- (brand, email) and per IP: failures on one brand's host never lock an account out of
-- another brand. Rows older than a day are pruned as new ones come.
create table public.login_failures (
  id        bigint generated always as identity primary key,
  brand_id  uuid not null references public.brands(id) on delete cascade,
  email     text not null,
  -- the client the failure is counted against: an IPv4 address, or an IPv6 client's /64
  -- (`rate_limit::client_key`), so a client cannot pick a new address of its /64 per try
  ip        text not null,
  at        timestamptz not null default now(),
  -- the worker refuses longer emails up front; this keeps the table bounded regardless
  constraint login_failures_email_length check (length(email) <= 254)
);
create index login_failures_brand_email_idx on public.login_failures(brand_id, email, at);
create index login_failures_ip_idx on public.login_failures(ip, at);
create index login_failures_at_idx on public.login_failures(at);

alter table public.accounts       enable row level security;
alter table public.accounts       force row level security;
alter table public.memberships    enable row level security;
alter table public.memberships    force row level security;
alter table public.sessions       enable row level security;
alter table public.sessions       force row level security;
alter table public.revoked_tokens enable row level security;
alter table public.revoked_tokens force row level security;
alter table public.login_failures enable row level security;
alter table public.login_failures force row level security;

-- One policy per table, role and action (the advisor warns on several permissive ones).
-- A signed-in staff member reads and changes their own account row, and their own sessions
-- in every brand (a password change or a logout ends them all: the account is one
-- person's); member managers (brand and super admins) also read their brand's members'
-- accounts, memberships and sessions, and end those sessions (001200). The columns staff
-- may change are granted one by one below.
create policy "staff can read their own account and member managers their brand's members' accounts"
  on public.accounts for select to authenticated
  using (id = (select shoal_private.claim_actor())
         or ((select shoal_private.staff_may('manage_members'))
             and exists (select 1 from public.memberships m
                          where m.account_id = accounts.id and m.brand_id = (select shoal_private.claim_brand()))));
create policy "staff can change their own account"
  on public.accounts for update to authenticated
  using (id = (select shoal_private.claim_actor())) with check (id = (select shoal_private.claim_actor()));
create policy "staff can read their own membership and member managers their brand's memberships"
  on public.memberships for select to authenticated
  using (brand_id = (select shoal_private.claim_brand())
         and ((select shoal_private.staff_may('manage_members')) or account_id = (select shoal_private.claim_actor())));
create policy "staff can read their own sessions and member managers their brand's sessions"
  on public.sessions for select to authenticated
  using (account_id = (select shoal_private.claim_actor())
         or (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_members'))));
create policy "staff can end their own sessions and member managers their brand's sessions"
  on public.sessions for update to authenticated
  using (account_id = (select shoal_private.claim_actor())
         or (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('manage_members'))))
  with check (account_id = (select shoal_private.claim_actor()) or brand_id = (select shoal_private.claim_brand()));
-- logout puts the presenting access token's id on the deny list, for the token's brand
create policy "staff can deny their own brand's access tokens"
  on public.revoked_tokens for insert to authenticated with check (brand_id = (select shoal_private.claim_brand()));

-- Neither the password hash nor the sealed TOTP secrets are readable by staff: member
-- managers read their members' rows, and column grants cannot tell one's own row from
-- another's. The account's own secrets come through shoal_private.own_mfa (001500).
grant select (id, email, name, locale, email_verified_at, created_at, mfa_enabled_at) on public.accounts to authenticated;
grant update (name, locale, password_hash, mfa_secret, mfa_pending_secret, mfa_enabled_at,
              mfa_recovery_hashes, mfa_last_step, updated_at) on public.accounts to authenticated;
grant select on public.memberships, public.sessions to authenticated;
grant update (revoked_at, revoked_reason) on public.sessions to authenticated;
grant insert on public.revoked_tokens to authenticated;
grant all on public.accounts, public.memberships, public.sessions, public.revoked_tokens to service_role;

-- ------------------------------------------------------------------------ login
-- What the worker needs to check a password for this brand (never the TOTP secret: that is
-- read only where a code is checked); account fields are null when the email has no
-- account. The failure counts exist for every email alike: `recent_failures` counts failed
-- logins with this email on this brand's host in the last hour, `ip_failures` those from
-- this client on any host (`p_ip` is the client key: IPv4 address or IPv6 /64).
create function public.auth_login_context(p_brand_id uuid, p_email text, p_ip text default null)
returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object(
    'account_id', a.id, 'password_hash', a.password_hash, 'is_super_admin', a.is_super_admin,
    'role', case when a.is_super_admin then 'super_admin' else m.role end,
    'status', case when a.is_super_admin then 'active' else m.status end,
    'email_verified', a.email_verified_at is not null,
    'mfa_enabled', a.mfa_enabled_at is not null,
    'recent_failures', (select count(*) from public.login_failures f
                         where f.brand_id = p_brand_id and f.email = e.email and f.at > now() - interval '1 hour'),
    'ip_failures', (select count(*) from public.login_failures f
                     where p_ip is not null and f.ip = p_ip and f.at > now() - interval '1 hour'))
  from (select lower(trim(p_email)) as email) e
  left join public.accounts a on a.email = e.email
  left join public.memberships m on m.account_id = a.id and m.brand_id = p_brand_id
$$;

-- Records the outcome of a login; on success opens a session (new family) and returns it.
-- A platform super admin signing in to a brand it is no member of is switching to it:
-- recorded as `brand_switched` in that brand's audit log.
-- A failure is counted against `p_client_key` (IPv4 address or IPv6 /64); the audit log keeps
-- the exact `p_ip`. The email typed is kept to 254 characters at most.
create function public.auth_login_finish(p_brand_id uuid, p_account_id uuid, p_email text, p_ok boolean,
  p_refresh_hash text, p_idle_days integer, p_absolute_days integer, p_ip text, p_user_agent text, p_request_id text,
  p_client_key text default null)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_session public.sessions;
  v_switch boolean;
  v_member uuid;
begin
  if not p_ok then
    insert into public.login_failures (brand_id, email, ip)
    values (p_brand_id, left(lower(trim(p_email)), 254), coalesce(nullif(p_client_key, ''), p_ip, ''));
    delete from public.login_failures where at < now() - interval '1 day';
    -- a brand's audit log names only accounts of that brand: anyone else is the email typed
    select m.account_id into v_member from public.memberships m where m.account_id = p_account_id and m.brand_id = p_brand_id;
    insert into public.audit_log (brand_id, actor, action, target, detail, ip, user_agent, request_id)
    values (p_brand_id, coalesce(v_member::text, 'anonymous'), 'login_failed', coalesce(v_member::text, left(lower(trim(p_email)), 254)),
            '{}'::jsonb, p_ip, p_user_agent, p_request_id);
    return null;
  end if;
  insert into public.sessions (brand_id, account_id, family_id, refresh_hash, expires_at, absolute_expires_at)
  values (p_brand_id, p_account_id, extensions.gen_random_uuid(), p_refresh_hash,
          now() + make_interval(days => p_idle_days), now() + make_interval(days => p_absolute_days))
  returning * into v_session;
  select a.is_super_admin and not exists (select 1 from public.memberships m where m.account_id = a.id and m.brand_id = p_brand_id)
    into v_switch from public.accounts a where a.id = p_account_id;
  insert into public.audit_log (brand_id, actor, action, target, detail, ip, user_agent, request_id)
  values (p_brand_id, p_account_id::text, case when v_switch then 'brand_switched' else 'login' end, v_session.id::text,
          '{}'::jsonb, p_ip, p_user_agent, p_request_id);
  return jsonb_build_object('session_id', v_session.id, 'family_id', v_session.family_id);
end
$$;

-- What every authenticated request checks: role of a live session, and the MFA state
-- (an admin of a brand that requires MFA must have it enabled), and the session's family
-- (the dashboard's CSRF token is bound to it).
create function public.auth_session(p_session_id uuid, p_jti text, p_brand_id uuid)
returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object('role', case when a.is_super_admin then 'super_admin' else m.role end,
                            'mfa_enabled', a.mfa_enabled_at is not null, 'mfa_required', b.require_mfa_for_admins,
                            'family_id', s.family_id)
    from public.sessions s
    join public.accounts a on a.id = s.account_id
    join public.brands b on b.id = s.brand_id
    left join public.memberships m on m.account_id = s.account_id and m.brand_id = s.brand_id
   where s.id = p_session_id and s.brand_id = p_brand_id
     and s.revoked_at is null and s.absolute_expires_at > now()
     and not exists (select 1 from public.revoked_tokens r where r.jti = p_jti)
     and (a.is_super_admin or m.status = 'active')
     and a.email_verified_at is not null
$$;

-- Refresh-token rotation. A token already rotated is a reuse: the whole family is revoked.
-- The brand of the host it was sent to is checked first: a token sent to another brand's
-- host is refused untouched (neither spent nor counted as a reuse). A cookie caller names
-- the session family its CSRF token is bound to (the dashboard): a token of another family
-- is refused the same way, so a forged cross-site refresh changes nothing. API callers that
-- send the refresh token in the body pass null.
create function public.auth_refresh(p_refresh_hash text, p_new_refresh_hash text, p_idle_days integer, p_brand_id uuid,
                                    p_family_id uuid default null)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_old public.sessions;
  v_new public.sessions;
  v_role text;
begin
  select * into v_old from public.sessions where refresh_hash = p_refresh_hash for update;
  if not found or v_old.brand_id <> p_brand_id then
    return jsonb_build_object('outcome', 'invalid');
  end if;
  if p_family_id is not null and v_old.family_id <> p_family_id then
    return jsonb_build_object('outcome', 'csrf');
  end if;
  if v_old.rotated_at is not null then
    update public.sessions set revoked_at = coalesce(revoked_at, now()), revoked_reason = coalesce(revoked_reason, 'refresh_reuse')
     where family_id = v_old.family_id;
    insert into public.audit_log (brand_id, actor, action, target, detail)
    values (v_old.brand_id, v_old.account_id::text, 'refresh_reuse_detected', v_old.family_id::text, '{}'::jsonb);
    return jsonb_build_object('outcome', 'reused');
  end if;
  if v_old.revoked_at is not null or v_old.expires_at <= now() or v_old.absolute_expires_at <= now() then
    return jsonb_build_object('outcome', 'invalid');
  end if;
  select case when a.is_super_admin then 'super_admin' when m.status = 'active' then m.role end into v_role
    from public.accounts a left join public.memberships m on m.account_id = a.id and m.brand_id = v_old.brand_id
   where a.id = v_old.account_id;
  if v_role is null then
    return jsonb_build_object('outcome', 'invalid');
  end if;
  update public.sessions set rotated_at = now() where id = v_old.id;
  insert into public.sessions (brand_id, account_id, family_id, refresh_hash, expires_at, absolute_expires_at)
  values (v_old.brand_id, v_old.account_id, v_old.family_id, p_new_refresh_hash,
          least(now() + make_interval(days => p_idle_days), v_old.absolute_expires_at), v_old.absolute_expires_at)
  returning * into v_new;
  return jsonb_build_object('outcome', 'rotated', 'session_id', v_new.id, 'account_id', v_new.account_id,
                            'brand_id', v_new.brand_id, 'role', v_role, 'family_id', v_new.family_id);
end
$$;

-- The signed-in account's audit entries (through staff_audit) and mail (a definer: no
-- caller may write email_outbox directly); brand and account come from the token (never
-- from a parameter), and nothing happens without both.
create function shoal_private.account_audit(p_action text, p_target text, p_detail jsonb default '{}')
returns void language sql set search_path = '' as $$
  -- staff_audit (000400) refuses a token without brand and account
  select shoal_private.staff_audit(p_action, coalesce(p_target, shoal_private.claim_actor()::text), p_detail)
$$;

-- Mail for the signed-in account, in its brand: to its own address (`p_to` null) or to the
-- address it asked to move to (change of email).
create function shoal_private.account_mail(p_to text, p_template text, p_payload jsonb default '{}')
returns void language plpgsql security definer set search_path = '' as $$
declare
  v_brand uuid := shoal_private.claim_brand();
  v_actor uuid := shoal_private.claim_actor();
begin
  if v_brand is null or v_actor is null then
    raise exception 'a signed-in account is required' using errcode = '42501';
  end if;
  perform shoal_private.enqueue_email(v_brand, coalesce(p_to, (select a.email from public.accounts a where a.id = v_actor)),
                                      p_template, p_payload);
end
$$;
revoke execute on function shoal_private.account_audit(text, text, jsonb), shoal_private.account_mail(text, text, jsonb) from public;
grant execute on function shoal_private.account_audit(text, text, jsonb), shoal_private.account_mail(text, text, jsonb) to authenticated;

-- Logout (signed in, as the account): ends the whole session family of the token's session
-- (every rotation of this login), so every live access token of the family is refused from
-- the next request on; the presenting token's id (`p_jti`, not in the database token) also
-- goes on the deny list. RLS keeps it to the caller's own sessions.
create function public.auth_logout(p_jti text, p_expires_at timestamptz)
returns void
language plpgsql set search_path = ''
as $$
declare
  v_session public.sessions;
begin
  select * into v_session from public.sessions
   where id = nullif((select auth.jwt()) ->> 'sid', '')::uuid and brand_id = shoal_private.claim_brand()
     and account_id = shoal_private.claim_actor();
  if found then
    update public.sessions set revoked_at = coalesce(revoked_at, now()), revoked_reason = coalesce(revoked_reason, 'logout')
     where family_id = v_session.family_id;
    -- a token logged out twice is on the list already (`on conflict` would need the
    -- caller to read the list, which it may not)
    begin
      insert into public.revoked_tokens (jti, brand_id, expires_at) values (p_jti, v_session.brand_id, p_expires_at);
    exception when unique_violation then
      null;
    end;
    perform shoal_private.account_audit('logout', v_session.id::text);
  end if;
end
$$;

revoke execute on function public.auth_login_context(uuid, text, text),
  public.auth_login_finish(uuid, uuid, text, boolean, text, integer, integer, text, text, text, text),
  public.auth_session(uuid, text, uuid), public.auth_refresh(text, text, integer, uuid, uuid),
  public.auth_logout(text, timestamptz) from public, anon, authenticated;
grant execute on function public.auth_login_context(uuid, text, text),
  public.auth_login_finish(uuid, uuid, text, boolean, text, integer, integer, text, text, text, text),
  public.auth_session(uuid, text, uuid), public.auth_refresh(text, text, integer, uuid, uuid) to service_role;
grant execute on function public.auth_logout(text, timestamptz) to authenticated;

