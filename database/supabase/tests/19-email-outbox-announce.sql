begin;
\ir helpers/act_as.psql
select plan(6);

-- Outbox inserts name their rows in PostgREST's response headers, so the worker can send
-- them right after the request (docs/architecture.md "Email delivery").
select tests.act_as_superuser();
update public.email_outbox set next_attempt_at = now() + interval '1 day' where status = 'pending';
create temporary table queued (n int, id uuid) on commit drop;
with a as (insert into public.email_outbox (to_email, template) values ('a@example.com', 'pgtap') returning id)
insert into queued select 1, id from a;
select is(current_setting('response.headers', true)::jsonb,
  jsonb_build_array(jsonb_build_object('x-shoal-queued-emails', (select id::text from queued where n = 1))),
  'an insert names its row in the response headers');

select set_config('response.headers', '[{"x-other": "kept"}]', true);
with a as (insert into public.email_outbox (to_email, template) values ('b@example.com', 'pgtap'), ('c@example.com', 'pgtap') returning id)
insert into queued select 2, id from a;
select is((select count(*) from jsonb_array_elements(current_setting('response.headers', true)::jsonb) h where h ? 'x-other')::int, 1,
  'a header another function set is kept');
select is(array_length(string_to_array(
    (select h->>'x-shoal-queued-emails' from jsonb_array_elements(current_setting('response.headers', true)::jsonb) h where h ? 'x-shoal-queued-emails'), ','), 1),
  3, 'later inserts of the transaction add their rows to the same header');
grant select on queued to service_role;

-- the immediate path claims exactly the rows named, under the cron's lease
select tests.act_as('service_role', jsonb_build_object('role', 'service_role'));
select is(jsonb_array_length(public.claim_due_emails(25, 120, array[(select id from queued where n = 1)])), 1,
  'claiming by ids claims those rows');
select is((select attempts from public.email_outbox where id = (select id from queued where n = 1)), 1, 'the attempt is counted before sending');
select is(jsonb_array_length(public.claim_due_emails(25, 120, array(select id from queued))), 2,
  'a leased row is not claimed again; the others named are');

select * from finish();
rollback;
