-- The member's own profile for the dashboard's `GET /api/v1/account/me`. (The session
-- family the dashboard's CSRF token is bound to comes from auth_session and auth_refresh in
-- 001000: stable across refresh rotations, so every tab of one login holds the same token.)

-- The signed-in member's own profile, as the account (invoker; RLS: its own row, granted
-- columns only).
create function public.auth_me()
returns jsonb language sql stable set search_path = '' as $$
  select jsonb_build_object('email', a.email, 'name', a.name, 'locale', a.locale, 'mfa_enabled', a.mfa_enabled_at is not null)
    from public.accounts a
   where a.id = shoal_private.claim_actor()
$$;

revoke execute on function public.auth_me() from public, anon, authenticated;
grant execute on function public.auth_me() to authenticated;
