begin;
\ir helpers/act_as.psql
select plan(72);

-- The admin API's members, invitations, domains and devices functions run as the staff
-- member (SECURITY INVOKER, brand and actor from the token). Here, without the worker:
-- acme's staff given globex's ids read nothing and change nothing, a read_only member
-- writes nothing, and shoppers, devices and tokens without a brand call nothing.

\set acme   '''a0000000-0000-4000-8000-00000000000a'''
\set globex '''b0000000-0000-4000-8000-00000000000b'''
select set_config('tests.acme_admin', (select id::text from public.accounts where email = 'admin@acme.localhost'), true);
select set_config('tests.acme_editor', (select id::text from public.accounts where email = 'editor@acme.localhost'), true);
select set_config('tests.acme_viewer', (select id::text from public.accounts where email = 'viewer@acme.localhost'), true);
select set_config('tests.globex_admin', (select id::text from public.accounts where email = 'admin@globex.localhost'), true);
select set_config('tests.globex_viewer', (select id::text from public.accounts where email = 'viewer@globex.localhost'), true);

-- globex's things acme will aim at, and acme's own
insert into public.invitations (id, brand_id, email, role, token_hash, invited_by, expires_at) values
  ('1e000000-0000-4000-8000-0000000000b1', :globex, 'inv-b@example.com', 'editor', 'fence-b', 'pgtap', now() + interval '1 day'),
  ('1e000000-0000-4000-8000-0000000000a1', :acme, 'inv-a@example.com', 'editor', 'fence-a', 'pgtap', now() + interval '1 day');
insert into public.sessions (brand_id, account_id, family_id, refresh_hash, expires_at, absolute_expires_at)
values (:globex, current_setting('tests.globex_viewer')::uuid, extensions.gen_random_uuid(), 'fence-session-b',
        now() + interval '1 day', now() + interval '30 days');
insert into public.brand_domains (host, brand_id, verified) values ('shop.globex.example', :globex, true);
insert into public.domain_claims (brand_id, host, verification_token) values
  (:globex, 'claimed.globex.example', 'shoal-verify=globex'),
  (:globex, 'lapsed.globex.example', 'shoal-verify=old');
insert into public.domain_claims (brand_id, host, verification_token, custom_hostname_id, hostname_status, ssl_status) values
  (:globex, 'held.globex.example', 'shoal-verify=held', 'ch-globex-held', 'pending', 'pending_validation'),
  (:globex, 'lapsed-held.globex.example', 'shoal-verify=old', 'ch-globex-lapsed', 'pending', 'pending_validation');
update public.domain_claims set created_at = now() - interval '8 days' where host in ('lapsed.globex.example', 'lapsed-held.globex.example');
insert into public.devices (id, brand_id, name, status, cert_fingerprint) values
  ('0d000000-0000-4000-8000-0000000000b1', :globex, 'Globex caja', 'active', repeat('b', 64));
insert into public.devices (id, brand_id, name, status) values
  ('0d000000-0000-4000-8000-0000000000a1', :acme, 'Acme till', 'pending');

create temporary table globex_audit_before on commit drop as
  select count(*) as n from public.audit_log where brand_id = :globex;
grant select on globex_audit_before to authenticated;

-- ---------------------------------------------------------------- acme's admin, globex's ids
select tests.act_as('authenticated', jsonb_build_object('brand_id', 'a0000000-0000-4000-8000-00000000000a',
  'app_role', 'brand_admin', 'sub', current_setting('tests.acme_admin'), 'sid', '5e000000-0000-4000-8000-00000000000a'));

select is((select count(*) from jsonb_array_elements(public.admin_list_members()) m where m->>'email' like '%globex%')::int, 0,
  'members: acme''s list names no globex member');
select ok((select count(*) from jsonb_array_elements(public.admin_list_members()))::int >= 3, 'members: acme''s list has acme''s members');
select throws_ok(format($$select public.admin_update_member(%L, 'brand_admin', null, false)$$, current_setting('tests.globex_viewer')),
  'PT404', 'member_not_found', 'members: globex''s viewer cannot be promoted from acme');
select throws_ok(format($$select public.admin_update_member(%L, null, 'disabled', false)$$, current_setting('tests.globex_viewer')),
  'PT404', 'member_not_found', 'members: nor disabled');
select throws_ok(format($$select public.admin_update_member(%L, null, null, true)$$, current_setting('tests.globex_viewer')),
  'PT404', 'member_not_found', 'members: nor removed');
select is((select count(*) from jsonb_array_elements(public.admin_list_invitations()) i where i->>'email' = 'inv-b@example.com')::int, 0,
  'invitations: globex''s are not listed');
select throws_ok($$select public.admin_revoke_invitation('1e000000-0000-4000-8000-0000000000b1')$$,
  'PT404', 'invitation_not_found', 'invitations: globex''s cannot be revoked from acme');
select lives_ok($$select shoal_private.void_invitations('b0000000-0000-4000-8000-00000000000b', 'inv-b@example.com', 'fence')$$,
  'invitations: the voiding helper runs as the caller');
select lives_ok($$select public.admin_invite_member('Fence-New@Example.com', 'editor', 'fence-new', 'https://acme.localhost/x')$$,
  'invitations: acme''s admin invites to acme');

select is((select count(*) from jsonb_array_elements(public.admin_list_domains()) d where d->>'host' like '%globex%')::int, 0,
  'domains: globex''s hosts and claims are not listed');
select is(public.admin_domain_claim('claimed.globex.example'), null, 'domains: globex''s claim token is not readable');
select is(public.admin_domain_claim('held.globex.example'), null, 'domains: globex''s custom hostname id is not readable');
select throws_ok($$select public.admin_domain_removal('held.globex.example')$$, 'PT404', 'domain_not_found',
  'domains: globex''s claim is not acme''s to remove (nothing is deleted at Cloudflare)');
select throws_ok($$select public.admin_domain_removal('shop.globex.example')$$, 'PT404', 'domain_not_found',
  'domains: globex''s host is not acme''s to remove');
select throws_ok($$select public.admin_domain_availability('shop.globex.example')$$, 'PT409', 'domain_taken',
  'domains: availability refuses a host globex proved');
select is(public.admin_domain_availability('held.globex.example'), '{"held": true}'::jsonb,
  'domains: a host whose custom hostname globex''s claim holds is held (acme''s claim would prove by TXT)');
select throws_ok($$select public.admin_update_domain('shop.globex.example', true)$$, 'PT404', 'domain_not_found',
  'domains: globex''s host cannot be made acme''s primary');
select throws_ok($$select public.admin_remove_domain('shop.globex.example')$$, 'PT404', 'domain_not_found',
  'domains: globex''s host cannot be removed from acme');
select throws_ok($$select public.admin_remove_domain('claimed.globex.example')$$, 'PT404', 'domain_not_found',
  'domains: globex''s claim cannot be dropped from acme');
select throws_ok($$select public.admin_add_domain('shop.globex.example', 'shoal-verify=acme')$$, 'PT409', 'domain_taken',
  'domains: a host globex proved cannot be claimed');
select lives_ok($$select public.admin_add_domain('claimed.globex.example', 'shoal-verify=acme')$$,
  'domains: globex''s unverified claim does not block acme''s');
select is(public.admin_primary_host(), 'acme.localhost', 'domains: the primary host is acme''s');

select throws_ok($$select public.admin_revoke_device('0d000000-0000-4000-8000-0000000000b1', 'fence')$$, 'PT404', 'device_not_found',
  'devices: globex''s device cannot be revoked from acme');
select throws_ok($$select public.admin_queue_command('0d000000-0000-4000-8000-0000000000b1', 'lock_till', null)$$, 'PT404', 'device_not_found',
  'devices: no command to globex''s device');
select throws_ok($$select public.admin_new_activation_code('0d000000-0000-4000-8000-0000000000b1', 'fe11ce00', 'fence-hash')$$,
  'PT404', 'device_not_found', 'devices: no activation code for globex''s device');
select lives_ok($$select public.admin_create_device('Fence till', null, 'fe11ce01', 'fence-hash-a')$$, 'devices: acme''s admin adds a device');

-- the tables refuse the same directly (PostgREST exposes them to the same token)
select throws_ok($$insert into public.device_commands (brand_id, device_id, kind, created_by)
  values ('a0000000-0000-4000-8000-00000000000a', '0d000000-0000-4000-8000-0000000000b1', 'lock_till', current_setting('tests.acme_admin'))$$,
  '42501', null, 'devices: no command row naming globex''s device under acme''s brand');
select throws_ok($$update public.devices set status = 'active' where id = '0d000000-0000-4000-8000-0000000000a1'$$,
  '42501', null, 'devices: a pending device is not activated by hand (no certificate)');
select throws_ok($$insert into public.audit_log (brand_id, actor, action) values ('b0000000-0000-4000-8000-00000000000b', current_setting('tests.acme_admin'), 'forged')$$,
  '42501', null, 'audit: no row in globex''s log');
select throws_ok($$insert into public.audit_log (brand_id, actor, action) values ('a0000000-0000-4000-8000-00000000000a', 'system', 'forged')$$,
  '42501', null, 'audit: no row in another actor''s name');
select throws_ok($$insert into public.email_outbox (brand_id, to_email, template) values ('a0000000-0000-4000-8000-00000000000a', 'x@example.com', 'order_confirmation')$$,
  '42501', null, 'email: staff queue invitation emails only');
select throws_ok($$select token_hash from public.invitations$$, '42501', null, 'invitations: the link''s hash is never readable');
update public.sessions set revoked_at = now() where brand_id = 'b0000000-0000-4000-8000-00000000000b';
update public.memberships set status = 'disabled' where brand_id = 'b0000000-0000-4000-8000-00000000000b';
delete from public.domain_claims where brand_id = 'b0000000-0000-4000-8000-00000000000b';
update public.devices set status = 'revoked' where brand_id = 'b0000000-0000-4000-8000-00000000000b';

-- the definer helpers know no brand: they answer about a host, and drop only what lapsed
select is(shoal_private.host_is_served('shop.globex.example'), true, 'helpers: a served host is served');
select is(shoal_private.host_is_served('claimed.globex.example'), false, 'helpers: a claim is not served');
select lives_ok($$select shoal_private.drop_lapsed_claims('claimed.globex.example')$$, 'helpers: dropping lapsed claims of a live host');
select throws_ok($$select public.record_custom_hostname_check('{"id": "ch-globex-held", "hostname": "held.globex.example", "status": "active", "ssl_status": "active"}', 'x')$$,
  '42501', null, 'domains: staff cannot record Cloudflare''s answer (the worker does)');
select throws_ok($$select public.record_domain_claim('a0000000-0000-4000-8000-00000000000a', 'new.acme.example', 't', 'x', '{"id": "ch-forged"}')$$,
  '42501', null, 'domains: staff cannot attach a custom hostname id');
select throws_ok($$select public.take_over_domain('a0000000-0000-4000-8000-00000000000a', 'held.globex.example', 'x')$$,
  '42501', null, 'domains: staff cannot take a host over (the worker does, after DNS)');
select throws_ok($$select public.custom_hostnames_due(10)$$, '42501', null, 'domains: cron''s list is not staff''s');
select throws_ok($$select public.drop_lapsed_custom_hostname('ch-globex-lapsed')$$, '42501', null, 'domains: cron''s drop is not staff''s');
select lives_ok($$select shoal_private.drop_lapsed_claims('lapsed-held.globex.example')$$, 'helpers: dropping lapsed claims of a held host');

-- ---------------------------------------------------------------- globex is as it was
select tests.act_as_superuser();
select is((select role || '/' || status from public.memberships where account_id = current_setting('tests.globex_viewer')::uuid), 'read_only/active',
  'globex''s viewer keeps role and status');
select is((select count(*) from public.sessions where brand_id = :globex and refresh_hash = 'fence-session-b' and revoked_at is null)::int, 1,
  'globex''s session is not ended');
select is((select revoked_at from public.invitations where id = '1e000000-0000-4000-8000-0000000000b1'), null, 'globex''s invitation stands');
select is((select count(*) from public.domain_claims where brand_id = :globex and host = 'claimed.globex.example')::int, 1, 'globex''s claim stands');
select is((select brand_id from public.brand_domains where host = 'shop.globex.example'), :globex::uuid, 'globex''s host stays globex''s');
select is((select is_primary from public.brand_domains where host = 'globex.localhost'), true, 'globex''s primary stays primary');
select is((select status || '/' || coalesce(activation_code_prefix, '-') from public.devices where id = '0d000000-0000-4000-8000-0000000000b1'),
  'active/-', 'globex''s device is neither revoked nor given a code');
select is((select count(*) from public.device_commands where device_id = '0d000000-0000-4000-8000-0000000000b1')::int, 0, 'no command for globex''s device');
select is((select count(*) from public.audit_log where brand_id = :globex)::bigint, (select n from globex_audit_before), 'nothing in globex''s log');
select is((select brand_id::text || '/' || invited_by from public.invitations where email = 'fence-new@example.com'),
  'a0000000-0000-4000-8000-00000000000a/' || current_setting('tests.acme_admin'), 'the invitation is acme''s, in the admin''s name');
select is((select count(*) from public.email_outbox where brand_id = :acme and to_email = 'fence-new@example.com' and template = 'member_invitation')::int, 1,
  'its email is queued for acme');
select is((select brand_id from public.devices where name = 'Fence till'), :acme::uuid, 'the new device is acme''s');
select is((select count(*) from public.audit_log where brand_id = :acme and actor = current_setting('tests.acme_admin')
  and action in ('member_invited', 'domain_added', 'device_created'))::int, 3, 'acme''s log has the admin''s three changes');
select is((select count(*) from public.domain_claims where host = 'lapsed.globex.example')::int, 1, 'a lapsed claim on another host stays');
select is((select count(*) from public.domain_claims where host = 'lapsed-held.globex.example')::int, 1,
  'a lapsed claim holding a custom hostname stays until cron deleted that at Cloudflare');

-- ---------------------------------------------------------------- acme's read_only member
select tests.act_as('authenticated', jsonb_build_object('brand_id', 'a0000000-0000-4000-8000-00000000000a',
  'app_role', 'read_only', 'sub', current_setting('tests.acme_viewer'), 'sid', '5e000000-0000-4000-8000-0000000000a2'));
select throws_ok($$select public.admin_invite_member('ro@example.com', 'brand_admin', 'fence-ro', 'x')$$, '42501', null, 'read_only: no invitation');
select throws_ok($$select public.admin_revoke_invitation('1e000000-0000-4000-8000-0000000000a1')$$, '42501', null, 'read_only: no revocation');
select throws_ok(format($$select public.admin_update_member(%L, 'read_only', null, false)$$, current_setting('tests.acme_admin')),
  '42501', null, 'read_only: no member change');
select throws_ok($$select public.admin_add_domain('ro.example', 't')$$, '42501', null, 'read_only: no domain claim');
select throws_ok($$select public.admin_update_domain('acme.localhost', true)$$, '42501', null, 'read_only: no primary change');
select throws_ok($$select public.admin_remove_domain('unverified.acme.localhost')$$, '42501', null, 'read_only: no domain removal');
select throws_ok($$select public.admin_create_device('ro till', null, 'fe11ce02', 'h')$$, '42501', null, 'read_only: no device');
select throws_ok($$select public.admin_revoke_device('0d000000-0000-4000-8000-0000000000a1', 'ro')$$, '42501', null, 'read_only: no revocation of a device');
select throws_ok($$select public.admin_queue_command('0d000000-0000-4000-8000-0000000000a1', 'upload_logs', null)$$, '42501', null, 'read_only: no command');
select throws_ok($$select public.admin_new_activation_code('0d000000-0000-4000-8000-0000000000a1', 'fe11ce03', 'h')$$, '42501', null, 'read_only: no activation code');
-- and directly: the policies hold without the functions
update public.memberships set role = 'brand_admin' where brand_id = 'a0000000-0000-4000-8000-00000000000a';
update public.devices set status = 'revoked' where brand_id = 'a0000000-0000-4000-8000-00000000000a';
update public.invitations set revoked_at = now() where brand_id = 'a0000000-0000-4000-8000-00000000000a';

-- ---------------------------------------------------------------- callers who are no staff
select tests.act_as('anon', '{"brand_id":"a0000000-0000-4000-8000-00000000000a"}');
select throws_ok($$select public.admin_list_members()$$, '42501', null, 'a shopper cannot list members');
select tests.act_as('authenticated', '{"brand_id":"a0000000-0000-4000-8000-00000000000a","app_role":"device","device_id":"0d000000-0000-4000-8000-0000000000a1"}');
select throws_ok($$select public.admin_list_domains()$$, '42501', null, 'a device is no staff');
select tests.act_as('authenticated', '{"app_role":"brand_admin"}');
select throws_ok($$select public.admin_create_device('x', null, 'fe11ce04', 'h')$$, '42501', null, 'a token without a brand is no staff');

select tests.act_as_superuser();
select is((select role || '/' || status from public.memberships where account_id = current_setting('tests.acme_viewer')::uuid
  and brand_id = :acme), 'read_only/active', 'the viewer promoted nobody, least of all themself');
select is((select status from public.devices where id = '0d000000-0000-4000-8000-0000000000a1'), 'pending', 'acme''s device is not revoked');
select is((select revoked_at from public.invitations where id = '1e000000-0000-4000-8000-0000000000a1'), null, 'acme''s invitation stands');

select * from finish();
rollback;
