-- =====================================================================================
-- Email outbox delivery (the cron handler sends; these keep the bookkeeping exact)
-- =====================================================================================
-- A row is claimed before it is sent: the attempt counter is written first and the row
-- leased, so two cron runs never send it twice at once and a send is never attempted
-- without being counted. After a failure the next attempt waits 2^attempts minutes; after
-- p_max_attempts the row is dead (kept for a person to look at).
--
-- Secrets in a payload (codes, raw invitation tokens and links that carry them) are
-- needed only to render the message: a sent row keeps only the other fields, and a dead
-- letter keeps its secrets for its retention of 7 days (long enough to look at and
-- resend; every code has long expired by then), then loses them too.
--
-- Mail goes out seconds after the request that queued it, not at the next cron run: every
-- insert into the outbox names its rows in a PostgREST response header
-- (`x-shoal-queued-emails`, through the `response.headers` setting), the worker reads it
-- after the call that committed them and claims exactly those rows once the response is
-- out (`ctx.wait_until`, docs/architecture.md "Email delivery"). The claim below is the
-- same lease either way, so the immediate path and the cron never send one row twice;
-- whatever the immediate path did not send stays pending for the cron.

create function shoal_private.scrub_email_payload(p_payload jsonb)
returns jsonb language sql immutable set search_path = '' as $$
  select coalesce(p_payload, '{}'::jsonb) - array['code', 'token', 'invite_url', 'reset_url', 'verify_url']
$$;

-- Ids named per transaction, at most: a statement queueing more (none does today) leaves
-- the rest to the cron.
create function shoal_private.announce_queued_emails()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_ids text := nullif(current_setting('shoal.queued_emails', true), '');
  v_headers jsonb;
begin
  select concat_ws(',', v_ids, string_agg(a.id::text, ',')) into v_ids
    from (select id from added limit 25) a;
  if v_ids is null or length(v_ids) > 25 * 37 then
    return null;
  end if;
  perform set_config('shoal.queued_emails', v_ids, true);
  -- keep any header another function set; replace only ours
  select coalesce(jsonb_agg(h), '[]'::jsonb) into v_headers
    from jsonb_array_elements(coalesce(nullif(current_setting('response.headers', true), '')::jsonb, '[]'::jsonb)) h
   where not h ? 'x-shoal-queued-emails';
  perform set_config('response.headers', (v_headers || jsonb_build_array(jsonb_build_object('x-shoal-queued-emails', v_ids)))::text, true);
  return null;
end
$$;
create trigger email_outbox_announce_queued after insert on public.email_outbox
  referencing new table as added for each statement execute function shoal_private.announce_queued_emails();

-- The languages of the platform's own mail (sign-up, billing), as `brands.email_languages`
-- is for a brand's: `both` (Spanish and English in one message, the recipient's first) or
-- `recipient`. A row, not a worker variable: the mail is rendered from what this claim
-- answers, the setting changes without a deploy, and platform_settings already holds the
-- platform's other operator settings (billing).
insert into public.platform_settings (key, value) values ('email', '{"languages": "both"}')
on conflict (key) do nothing;

-- p_ids: only these rows (the immediate path after a request); null: any due row (cron).
create function public.claim_due_emails(p_limit integer, p_lease_seconds integer, p_ids uuid[] default null)
returns jsonb
language sql
security definer
set search_path = ''
as $$
  with scrubbed_dead as (
    update public.email_outbox
       set payload = shoal_private.scrub_email_payload(payload)
     where status = 'dead' and created_at < now() - interval '7 days'
       and payload ?| array['code', 'token', 'invite_url', 'reset_url', 'verify_url']
  ), due as (
    select id from public.email_outbox
     where status = 'pending' and next_attempt_at <= now() and (p_ids is null or id = any(p_ids))
     order by next_attempt_at, created_at
     limit least(greatest(p_limit, 1), 100)
     for update skip locked
  ), claimed as (
    update public.email_outbox o
       set attempts = o.attempts + 1,
           next_attempt_at = now() + make_interval(secs => greatest(p_lease_seconds, 30))
      from due where o.id = due.id
    returning o.*
  )
  select coalesce(jsonb_agg(jsonb_build_object(
    'id', c.id, 'to', c.to_email, 'template', c.template, 'locale', c.locale, 'payload', c.payload,
    'attempts', c.attempts, 'brand_name', coalesce(b.name, 'Shoal'),
    -- read at delivery, so a changed setting applies to mail still waiting
    'languages', case when c.sender = 'platform' then coalesce(p.value->>'languages', 'both')
                      else coalesce(b.email_languages, 'both') end) order by c.created_at), '[]'::jsonb)
  from claimed c left join public.brands b on b.id = c.brand_id
  left join public.platform_settings p on p.key = 'email'
$$;

create function public.mark_email_sent(p_id uuid, p_provider_id text)
returns void
language sql
security definer
set search_path = ''
as $$
  update public.email_outbox
     set status = 'sent', sent_at = now(), provider_id = p_provider_id, last_error = null,
         payload = shoal_private.scrub_email_payload(payload)
   where id = p_id and status = 'pending'
$$;

create function public.mark_email_failed(p_id uuid, p_error text, p_max_attempts integer)
returns text
language sql
security definer
set search_path = ''
as $$
  update public.email_outbox
     set status = case when attempts >= p_max_attempts then 'dead' else 'pending' end,
         next_attempt_at = now() + make_interval(mins => power(2, least(attempts - 1, 10))::int),
         last_error = left(p_error, 500)
   where id = p_id and status = 'pending'
  returning status
$$;

revoke execute on function public.claim_due_emails(integer, integer, uuid[]), public.mark_email_sent(uuid, text),
  public.mark_email_failed(uuid, text, integer) from public, anon, authenticated;
grant execute on function public.claim_due_emails(integer, integer, uuid[]), public.mark_email_sent(uuid, text),
  public.mark_email_failed(uuid, text, integer) to service_role;


-- The brand's email languages (`brands.email_languages`), as the staff member: only their
-- own brand's row, for the roles that manage the brand's settings (those of
-- admin_set_security, 001500); audited as `email_settings_changed`.
create function public.admin_set_email_languages(p_languages text)
returns jsonb language plpgsql set search_path = '' as $$
begin
  perform shoal_private.require_staff('manage_members');
  if p_languages is null or p_languages not in ('both', 'recipient') then
    raise exception using errcode = 'PT422', message = 'invalid_email_languages';
  end if;
  update public.brands set email_languages = p_languages where id = shoal_private.claim_brand();
  if not found then
    raise exception using errcode = '42501', message = 'not allowed: manage_members';
  end if;
  perform shoal_private.staff_audit('email_settings_changed', shoal_private.claim_brand()::text,
    jsonb_build_object('email_languages', p_languages));
  return jsonb_build_object('email_languages', p_languages);
end
$$;
-- (who may update the brand row: the one update policy of 000200, brand and super admins)
grant update (email_languages) on public.brands to authenticated;
revoke execute on function public.admin_set_email_languages(text) from public, anon, service_role;
grant execute on function public.admin_set_email_languages(text) to authenticated;
