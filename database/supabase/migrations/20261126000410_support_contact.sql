-- =====================================================================================
-- The support contact the `/support` page shows (the page the device status answer and
-- the billing refusal link to): the platform's support email from its settings, else the
-- address of a `mailto:` support link. Platform data, no brand's: the service role reads
-- it for a public page (docs/architecture.md "Who the database sees").
-- =====================================================================================

create function public.support_contact()
returns text
language sql
stable
set search_path = ''
as $$
  select coalesce(
    (select nullif(value->>'support_email', '') from public.platform_settings where key = 'platform'),
    (select substring(value->>'support_url' from '^mailto:(.+)$') from public.platform_settings where key = 'billing'))
$$;

revoke execute on function public.support_contact() from public, anon, authenticated;
grant execute on function public.support_contact() to service_role;
