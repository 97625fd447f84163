begin;
\ir helpers/act_as.psql
select plan(3);

-- SECURITY DEFINER functions run as their owner, postgres, which has BYPASSRLS: inside
-- them no policy holds. They are therefore an explicit list: a new definer function
-- fails this test until it is added here, with a cross-brand test of its own. Callers
-- (shoppers, staff, devices) reach tables through SECURITY INVOKER functions instead.
create temporary table allowed_definers (signature text primary key) on commit drop;
insert into allowed_definers values
  ('shoal_private.claim_staff_role()'),
  ('shoal_private.own_mfa()'),
  ('shoal_private.own_mfa_enable(p_recovery_hashes text[], p_step bigint)'),
  ('shoal_private.abandon_checkout(p_order_id uuid, p_reason text)'),
  ('public.apply_stripe_event(p_event jsonb, p_livemode boolean, p_plans jsonb)'),
  ('shoal_private.attach_checkout_session(p_order_id uuid, p_session_id text)'),
  ('public.auth_accept_invitation(p_brand_id uuid, p_token_hash text, p_password_hash text)'),
  ('public.auth_confirm_email_change(p_account_id uuid, p_code_hash text, p_brand_id uuid)'),
  ('public.auth_consume_code(p_email text, p_purpose text, p_code_hash text, p_new_password_hash text)'),
  ('public.auth_invitation_email(p_brand_id uuid, p_token_hash text)'),
  ('public.auth_issue_code(p_email text, p_purpose text, p_code text, p_code_hash text, p_template text)'),
  ('public.auth_login_context(p_brand_id uuid, p_email text, p_ip text)'),
  ('public.auth_login_finish(p_brand_id uuid, p_account_id uuid, p_email text, p_ok boolean, p_refresh_hash text, p_idle_days integer, p_absolute_days integer, p_ip text, p_user_agent text, p_request_id text, p_client_key text)'),
  ('public.auth_mfa_login_secret(p_account_id uuid)'),
  ('public.auth_mfa_use_recovery(p_account_id uuid, p_hash text)'),
  ('public.auth_mfa_use_step(p_account_id uuid, p_step bigint)'),
  ('public.auth_password_hash(p_account_id uuid)'),
  ('public.auth_refresh(p_refresh_hash text, p_new_refresh_hash text, p_idle_days integer, p_brand_id uuid, p_family_id uuid)'),
  ('public.auth_session(p_session_id uuid, p_jti text, p_brand_id uuid)'),
  ('public.auth_signup(p_brand_name text, p_slug text, p_email text, p_password_hash text, p_code text, p_code_hash text, p_platform_host text, p_locale text, p_currency text)'),
  ('shoal_private.checkout_cart(p_email text, p_reservation_minutes integer, p_client_key text, p_max_units integer, p_max_pending_per_email integer, p_max_pending_per_client integer)'),
  ('public.claim_due_emails(p_limit integer, p_lease_seconds integer, p_ids uuid[])'),
  ('public.edge_bind_certificate(p_device_id uuid, p_code_hash text, p_hardware_id text, p_fingerprint text, p_cert_expires_at timestamp with time zone, p_issuer text, p_cert_ref text, p_serial text)'),
  ('public.edge_check_activation(p_code_prefix text, p_code_hash text)'),
  ('public.edge_device_by_fingerprint(p_fingerprint text)'),
  ('public.expire_device_commands()'),
  ('public.expire_reservations()'),
  ('public.expire_unverified_signups(p_hours integer)'),
  ('public.mark_email_failed(p_id uuid, p_error text, p_max_attempts integer)'),
  ('public.mark_email_sent(p_id uuid, p_provider_id text)'),
  ('public.prune_sync_mutations(p_days integer)'),
  ('public.custom_hostnames_due(p_limit integer)'),
  ('public.drop_lapsed_custom_hostname(p_custom_hostname_id text)'),
  ('public.record_custom_hostname_check(p_custom_hostname jsonb, p_actor text)'),
  ('public.record_domain_claim(p_brand_id uuid, p_host text, p_token text, p_actor text, p_custom_hostname jsonb)'),
  ('public.take_over_domain(p_brand_id uuid, p_host text, p_actor text)'),
  ('public.resolve_brand(p_host text)'),
  ('shoal_private.store_order_status(p_number bigint, p_email text)'),
  ('shoal_private.account_mail(p_to text, p_template text, p_payload jsonb)'),
  ('shoal_private.apply_deferred_disputes(p_order_id uuid)'),
  ('shoal_private.audit(p_brand_id uuid, p_actor text, p_action text, p_target text, p_detail jsonb)'),
  ('shoal_private.billing_links()'),
  ('shoal_private.billing_email(p_sub brand_subscriptions, p_template text, p_detail jsonb)'),
  ('shoal_private.billing_result(p_brand_id uuid, p_outcome text)'),
  ('shoal_private.billing_state(p_brand_id uuid)'),
  ('shoal_private.brand_hosts(p_brand_id uuid)'),
  ('shoal_private.bump_catalog_version()'),
  ('shoal_private.check_code(p_account_id uuid, p_purpose text, p_code_hash text)'),
  ('shoal_private.device_audit(p_action text, p_target text, p_detail jsonb)'),
  ('shoal_private.email_change_code(p_new_email text, p_code text, p_code_hash text)'),
  ('shoal_private.enqueue_email(p_brand_id uuid, p_to text, p_template text, p_payload jsonb)'),
  ('shoal_private.drop_lapsed_claims(p_host text)'),
  ('shoal_private.host_custom_hostname_held(p_host text)'),
  ('shoal_private.find_order(p_event jsonb, p_session text, p_pi text, p_charge text, p_metadata_order text)'),
  ('shoal_private.find_subscription(p_event jsonb, p_subscription text, p_customer text)'),
  ('shoal_private.host_is_served(p_host text)'),
  ('shoal_private.mark_email_verified(p_account_id uuid)'),
  ('shoal_private.mark_paid(p_order orders, p_amount bigint, p_currency text, p_event_id text, p_refs jsonb)'),
  ('shoal_private.mark_paid_now(p_order orders, p_amount bigint, p_currency text, p_event_id text, p_refs jsonb)'),
  ('shoal_private.new_code(p_account_id uuid, p_purpose text, p_code_hash text, p_pending_email text)'),
  ('shoal_private.on_charge_refunded(p_event jsonb)'),
  ('shoal_private.on_checkout_session(p_event jsonb)'),
  ('shoal_private.on_dispute(p_event jsonb)'),
  ('shoal_private.on_invoice(p_event jsonb)'),
  ('shoal_private.on_payment_intent(p_event jsonb)'),
  ('shoal_private.on_platform_refund(p_event jsonb)'),
  ('shoal_private.on_subscription(p_event jsonb, p_plans jsonb)'),
  ('shoal_private.on_account_updated(p_event jsonb)'),
  ('shoal_private.bind_payment_account(p_account text)'),
  ('shoal_private.on_subscription_checkout(p_event jsonb)'),
  ('shoal_private.order_note(p_order orders, p_kind text, p_cause text, p_detail jsonb)'),
  ('shoal_private.platform_audit(p_action text, p_target text, p_detail jsonb)'),
  -- a staff refund Stripe made: refund row, refunded total, timeline, email (no caller writes
  -- those); refuses another brand's order itself (32-orders-admin.sql)
  ('shoal_private.record_refund(p_order_id uuid, p_refund_id text, p_amount bigint, p_currency text, p_status text, p_reason text, p_actor text)'),
  ('shoal_private.refuse_price_in_brand_currency()'),
  -- the inventory ledger takes no insert from any caller; the level after is read, not given (30-catalog-admin)
  ('shoal_private.record_inventory_adjustment(p_variant_id uuid, p_delta integer, p_reason text, p_note text)'),
  ('shoal_private.refused_event(p_event jsonb, p_reason text, p_brand_id uuid)'),
  ('shoal_private.renew_device_certificate(p_hardware_id text, p_fingerprint text, p_cert_expires_at timestamp with time zone, p_issuer text, p_cert_ref text, p_serial text)'),
  ('shoal_private.require_brand_account(p_event jsonb, p_brand_id uuid, p_order_created timestamp with time zone)'),
  ('shoal_private.settle_stock(p_order_id uuid, p_from text, p_to text)'),
  ('shoal_private.staff_audit(p_action text, p_target text, p_detail jsonb)'),
  ('shoal_private.sync_id_elsewhere(p_resource text, p_id uuid)'),
  ('shoal_private.sync_stamp()'),
  ('shoal_private.transition_order(p_order_id uuid, p_to text, p_cause text, p_detail jsonb)');

select is(
  (select array_agg(s order by s) from (
     select n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' as s
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where p.prosecdef and n.nspname in ('public', 'shoal_private')
     except select signature from allowed_definers) x),
  null,
  'every SECURITY DEFINER function is on the reviewed list');

-- The brand and the actor come from the token, never from a parameter the caller fills.
select is(
  (select array_agg(p.proname::text order by p.proname) from pg_proc p
     join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public'
      and (has_function_privilege('anon', p.oid, 'execute') or has_function_privilege('authenticated', p.oid, 'execute'))
      and (p.proargnames && array['p_brand_id', 'p_actor', 'p_brand', 'p_account_id']::text[])),
  null,
  'no function a shopper, staff member or device may call takes a brand or actor parameter');

-- Every definer function pins its search_path (a caller cannot shadow what it calls).
select is(
  (select array_agg(p.proname::text order by p.proname) from pg_proc p
     join pg_namespace n on n.oid = p.pronamespace
    where p.prosecdef and n.nspname in ('public', 'shoal_private')
      and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) c where c like 'search_path=%')),
  null,
  'every SECURITY DEFINER function sets its search_path');

select * from finish();
rollback;
