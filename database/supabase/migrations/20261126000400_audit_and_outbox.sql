-- =====================================================================================
-- Audit log (append-only) and email outbox
-- =====================================================================================

create table public.audit_log (
  id          bigint generated always as identity primary key,
  brand_id    uuid references public.brands(id),   -- null: a platform-wide action
  actor       text not null,                       -- user id, 'system', 'stripe', 'device:<id>'
  action      text not null,
  target      text,
  detail      jsonb not null default '{}'::jsonb,
  ip          text,
  user_agent  text,
  request_id  text,
  at          timestamptz not null default now()
);
create index audit_log_brand_id_idx on public.audit_log(brand_id, at desc);

-- Written in the transaction of the event that causes it; the cron handler delivers.
create table public.email_outbox (
  id              uuid primary key default extensions.gen_random_uuid(),
  brand_id        uuid references public.brands(id),
  to_email        text not null,
  template        text not null,
  locale          text not null default 'en',
  -- who the mail is from: the brand (shopper and staff mail, its `email_languages`) or the
  -- platform (sign-up, billing: platform_settings `email`.`languages`)
  sender          text not null default 'brand' check (sender in ('brand', 'platform')),
  payload         jsonb not null default '{}'::jsonb,
  status          text not null default 'pending' check (status in ('pending', 'sent', 'dead')),
  attempts        integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error      text,
  provider_id     text,
  created_at      timestamptz not null default now(),
  sent_at         timestamptz
);
create index email_outbox_brand_id_idx on public.email_outbox(brand_id);
create index email_outbox_due_idx on public.email_outbox(next_attempt_at) where status = 'pending';

alter table public.audit_log    enable row level security;
alter table public.audit_log    force row level security;
alter table public.email_outbox enable row level security;
alter table public.email_outbox force row level security;

create policy "staff who may read the audit log read their brand's"
  on public.audit_log for select to authenticated
  using (brand_id = (select shoal_private.claim_brand()) and (select shoal_private.staff_may('read_audit_log')));
-- append-only: definer functions may insert and read, never update or delete (staff
-- append through shoal_private.staff_audit, which writes their own brand and account)

grant select on public.audit_log to authenticated;
grant select, insert on public.audit_log to service_role;
grant all on public.email_outbox to service_role;

create function shoal_private.audit(p_brand_id uuid, p_actor text, p_action text, p_target text, p_detail jsonb)
returns void language sql security definer set search_path = '' as $$
  insert into public.audit_log (brand_id, actor, action, target, detail)
  values (p_brand_id, p_actor, p_action, p_target, coalesce(p_detail, '{}'::jsonb))
$$;

-- SECURITY DEFINER: the outbox holds every brand's mail and no caller reads or writes it
-- directly. A caller whose token names a brand (staff, shoppers) can only queue mail for
-- that brand; work without a brand in the token (webhooks, cron, sign-up) names it.
create function shoal_private.enqueue_email(p_brand_id uuid, p_to text, p_template text, p_payload jsonb)
returns void language sql security definer set search_path = '' as $$
  insert into public.email_outbox (brand_id, to_email, template, locale, payload)
  select p_brand_id, p_to, p_template, coalesce(b.locale, 'en'), coalesce(p_payload, '{}'::jsonb)
    from (select 1) one left join public.brands b on b.id = p_brand_id
   where p_to is not null and p_to <> ''
     and (shoal_private.claim_brand() is null or p_brand_id is not distinct from shoal_private.claim_brand())
$$;
grant execute on function shoal_private.enqueue_email(uuid, text, text, jsonb) to authenticated;

-- Mail the platform sends about a brand (sign-up, billing): in the brand's locale, in the
-- languages the platform's setting names. Called only by definer functions that own their
-- caller checks (webhooks, sign-up); no caller may run it.
create function shoal_private.enqueue_platform_email(p_brand_id uuid, p_to text, p_template text, p_payload jsonb)
returns void language sql set search_path = '' as $$
  insert into public.email_outbox (brand_id, to_email, template, locale, sender, payload)
  select p_brand_id, p_to, p_template, coalesce(b.locale, 'en'), 'platform', coalesce(p_payload, '{}'::jsonb)
    from (select 1) one left join public.brands b on b.id = p_brand_id
   where p_to is not null and p_to <> ''
$$;
revoke execute on function shoal_private.enqueue_platform_email(uuid, text, text, jsonb) from public;

-- The audit row of a staff action, written as the caller: brand and actor come from the
-- token, never from an argument. SECURITY DEFINER because the log is append-only and no
-- caller may insert into it directly (a direct insert grant would let staff write rows
-- naming any action through PostgREST); not exposed by PostgREST (shoal_private).
create function shoal_private.staff_audit(p_action text, p_target text, p_detail jsonb)
returns void language plpgsql security definer set search_path = '' as $$
begin
  if shoal_private.claim_brand() is null or shoal_private.claim_actor() is null
     or coalesce(shoal_private.claim_app_role(), '') not in ('brand_admin', 'editor', 'read_only', 'super_admin') then
    raise exception 'not a staff member' using errcode = '42501';
  end if;
  insert into public.audit_log (brand_id, actor, action, target, detail)
  values (shoal_private.claim_brand(), shoal_private.claim_actor()::text, p_action, p_target, coalesce(p_detail, '{}'::jsonb));
end
$$;

-- A platform-wide action of a super admin (app releases): no brand, actor from the token.
create function shoal_private.platform_audit(p_action text, p_target text, p_detail jsonb)
returns void language plpgsql security definer set search_path = '' as $$
begin
  if shoal_private.claim_app_role() is distinct from 'super_admin' or shoal_private.claim_actor() is null then
    raise exception 'not a super admin' using errcode = '42501';
  end if;
  insert into public.audit_log (brand_id, actor, action, target, detail)
  values (null, shoal_private.claim_actor()::text, p_action, p_target, coalesce(p_detail, '{}'::jsonb));
end
$$;
grant execute on function shoal_private.staff_audit(text, text, jsonb), shoal_private.platform_audit(text, text, jsonb)
  to authenticated;

