-- =====================================================================================
-- Audit rows know the request behind them
-- =====================================================================================
-- The worker sends x-shoal-request-id / x-shoal-client-ip / x-shoal-user-agent on its
-- PostgREST calls; PostgREST exposes request headers as the `request.headers` setting, so
-- every audit row written in that transaction gets them by default.
alter table public.audit_log
  alter column ip set default (nullif(current_setting('request.headers', true), '')::json ->> 'x-shoal-client-ip'),
  alter column user_agent set default (nullif(current_setting('request.headers', true), '')::json ->> 'x-shoal-user-agent'),
  alter column request_id set default (nullif(current_setting('request.headers', true), '')::json ->> 'x-shoal-request-id');
