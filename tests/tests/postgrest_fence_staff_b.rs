//! The fence without the worker: a database token of brand A's staff, sent straight to
//! PostgREST, for every members, invitations, domains and devices function, aimed at brand
//! B's member, invitation, domains and device. The database refuses or changes nothing
//! (checked in the database); a read_only member's token writes nothing through any of
//! them; the functions' old signatures (brand and actor as parameters) are gone.

use shoal_domain::db_token::DbClaims;
use shoal_e2e::*;

fn api_port() -> String {
    std::env::var("SHOAL_API_PORT").unwrap_or_else(|_| "12330".into())
}

/// `POST /rpc/{function}` on PostgREST with `token`.
fn rpc(token: &str, function: &str, args: Value) -> Reply {
    let bearer = format!("Bearer {token}");
    let url = format!("http://127.0.0.1:{}/rpc/{function}", api_port());
    http("POST", &url, &[("authorization", bearer.as_str()), ("content-type", "application/json")], Some(args.to_string()))
}

fn account(email: &str) -> String {
    sql(&format!("insert into accounts (email, password_hash) values ('{email}', 'not-a-hash') returning id"))
}

/// Two brands of their own. A has an admin and a read_only member; B has a member with a
/// session, an open invitation, a verified extra domain, a claim and an active device.
struct Pair {
    a: String,
    a_admin: String,
    a_viewer: String,
    a_device: String,
    a_invitation: String,
    b: String,
    b_host: String,
    b_member: String,
    b_invitation: String,
    b_extra_host: String,
    b_claim: String,
    b_device: String,
}

fn pair(tag: &str) -> Pair {
    let (a, _) = new_brand(&format!("fa{tag}"), "USD", "en");
    let (b, b_host) = new_brand(&format!("fb{tag}"), "EUR", "es");
    let a_admin = account(&format!("{}@example.com", unique("fence-a-admin")));
    let a_viewer = account(&format!("{}@example.com", unique("fence-a-viewer")));
    let b_member = account(&format!("{}@example.com", unique("fence-b-member")));
    sql(&format!(
        "insert into memberships (brand_id, account_id, role) values ('{a}', '{a_admin}', 'brand_admin'), ('{a}', '{a_viewer}', 'read_only'),
           ('{b}', '{b_member}', 'read_only');
         insert into sessions (brand_id, account_id, family_id, refresh_hash, expires_at, absolute_expires_at)
           values ('{b}', '{b_member}', gen_random_uuid(), '{}', now() + interval '1 day', now() + interval '30 days');",
        unique("fence-session")
    ));
    let invite = |brand: &str| {
        sql(&format!(
            "insert into invitations (brand_id, email, role, token_hash, invited_by, expires_at)
             values ('{brand}', '{}@example.com', 'editor', '{}', 'e2e', now() + interval '1 day') returning id",
            unique("fence-invitee"),
            unique("fence-token")
        ))
    };
    let (a_invitation, b_invitation) = (invite(&a), invite(&b));
    let b_extra_host = format!("{}.example", unique("fence-served"));
    let b_claim = format!("{}.example", unique("fence-claim"));
    sql(&format!(
        "insert into brand_domains (host, brand_id, verified) values ('{b_extra_host}', '{b}', true);
         insert into domain_claims (brand_id, host, verification_token) values ('{b}', '{b_claim}', 'shoal-verify=b')"
    ));
    let device = |brand: &str, status: &str| {
        sql(&format!("insert into devices (brand_id, name, status) values ('{brand}', 'Till', '{status}') returning id"))
    };
    let (a_device, b_device) = (device(&a, "pending"), device(&b, "active"));
    Pair { a, a_admin, a_viewer, a_device, a_invitation, b, b_host, b_member, b_invitation, b_extra_host, b_claim, b_device }
}

fn admin_token(p: &Pair) -> String {
    token_for(DbClaims::staff(&p.a_admin, &p.a, "brand_admin", &uuid()))
}

fn refused(r: &Reply, what: &str) {
    assert!(r.status >= 400, "{what}: expected a refusal, got {} {}", r.status, r.body);
}

#[test]
fn brand_a_staff_cannot_reach_brand_b_members_or_invitations_through_postgrest() {
    let p = pair("m");
    let t = admin_token(&p);
    let b_email = sql(&format!("select email from accounts where id = '{}'", p.b_member));

    let listed = rpc(&t, "admin_list_members", json!({}));
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert!(!listed.body.contains(&b_email), "B's member is not listed to A: {}", listed.body);
    assert!(listed.body.contains(&p.a_admin), "A's own members are: {}", listed.body);
    for (args, what) in [
        (json!({"p_member_id": p.b_member, "p_role": "brand_admin", "p_status": null, "p_remove": false}), "promote"),
        (json!({"p_member_id": p.b_member, "p_role": null, "p_status": "disabled", "p_remove": false}), "disable"),
        (json!({"p_member_id": p.b_member, "p_role": null, "p_status": null, "p_remove": true}), "remove"),
    ] {
        let r = rpc(&t, "admin_update_member", args);
        assert_eq!((r.status, r.json()["message"].as_str().unwrap_or_default()), (404, "member_not_found"), "{what}: {}", r.body);
    }
    assert_eq!(
        sql(&format!("select role || '/' || status from memberships where brand_id = '{}' and account_id = '{}'", p.b, p.b_member)),
        "read_only/active"
    );
    assert_eq!(
        count(&format!("select count(*) from sessions where account_id = '{}' and revoked_at is null", p.b_member)),
        1,
        "B's session lives"
    );

    let invitations = rpc(&t, "admin_list_invitations", json!({}));
    assert_eq!(invitations.status, 200, "{}", invitations.body);
    assert!(!invitations.body.contains(&p.b_invitation), "B's invitation is not listed to A");
    assert!(invitations.body.contains(&p.a_invitation), "A's is");
    let r = rpc(&t, "admin_revoke_invitation", json!({"p_invitation_id": p.b_invitation}));
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(count(&format!("select count(*) from invitations where id = '{}' and revoked_at is null", p.b_invitation)), 1);

    // inviting lands in A, whatever the caller would like
    let invitee = format!("{}@example.com", unique("fence-new"));
    let r =
        rpc(&t, "admin_invite_member", json!({"p_email": invitee, "p_role": "editor", "p_token_hash": unique("h"), "p_invite_url": "x"}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        sql(&format!("select brand_id || '/' || invited_by from invitations where email = '{invitee}'")),
        format!("{}/{}", p.a, p.a_admin)
    );
    assert_eq!(count(&format!("select count(*) from audit_log where brand_id = '{}'", p.b)), 0, "nothing in B's log");

    // the old signatures, with the brand and actor as parameters, are gone
    let old = rpc(&t, "admin_list_members", json!({"p_brand_id": p.b}));
    assert_eq!(old.status, 404, "{}", old.body);
    let old = rpc(
        &t,
        "admin_update_member",
        json!({"p_brand_id": p.b, "p_account_id": p.b_member, "p_role": "brand_admin",
                                                    "p_status": null, "p_remove": false, "p_actor": p.a_admin}),
    );
    assert_eq!(old.status, 404, "{}", old.body);

    // the tables themselves, through PostgREST's table endpoints
    let bearer = format!("Bearer {t}");
    let url = format!("http://127.0.0.1:{}/memberships?brand_id=eq.{}", api_port(), p.b);
    let r = http(
        "PATCH",
        &url,
        &[("authorization", bearer.as_str()), ("content-type", "application/json")],
        Some(json!({"role": "brand_admin"}).to_string()),
    );
    assert!(r.status < 300 || r.status == 403, "{}", r.body);
    assert_eq!(sql(&format!("select role from memberships where brand_id = '{}' and account_id = '{}'", p.b, p.b_member)), "read_only");
}

#[test]
fn brand_a_staff_cannot_reach_brand_b_domains_through_postgrest() {
    let p = pair("d");
    let t = admin_token(&p);
    let listed = rpc(&t, "admin_list_domains", json!({}));
    assert_eq!(listed.status, 200, "{}", listed.body);
    for host in [&p.b_host, &p.b_extra_host, &p.b_claim] {
        assert!(!listed.body.contains(host.as_str()), "{host} is not listed to A: {}", listed.body);
    }
    assert_eq!(rpc(&t, "admin_domain_claim", json!({"p_host": p.b_claim})).json(), Value::Null, "B's token is not readable");
    let r = rpc(&t, "admin_domain_removal", json!({"p_host": p.b_claim}));
    assert_eq!(r.status, 404, "B's custom hostname id is not A's to delete: {}", r.body);
    let primary = rpc(&t, "admin_primary_host", json!({}));
    assert_ne!(primary.json(), json!(p.b_host), "{}", primary.body);

    let r = rpc(&t, "admin_add_domain", json!({"p_host": p.b_extra_host, "p_token": "shoal-verify=a"}));
    assert_eq!((r.status, r.json()["message"].as_str().unwrap_or_default()), (409, "domain_taken"), "{}", r.body);
    let r = rpc(&t, "admin_update_domain", json!({"p_host": p.b_extra_host, "p_primary": true}));
    assert_eq!(r.status, 404, "{}", r.body);
    for host in [&p.b_extra_host, &p.b_claim] {
        let r = rpc(&t, "admin_remove_domain", json!({"p_host": host}));
        assert_eq!(r.status, 404, "remove {host}: {}", r.body);
    }
    // proof of ownership is the worker's (Cloudflare's answer, its DNS lookup), never a staff token's
    let r = rpc(
        &t,
        "record_custom_hostname_check",
        json!({"p_custom_hostname": {"id": "x", "hostname": p.b_claim, "status": "active", "ssl_status": "active"}, "p_actor": p.a_admin}),
    );
    refused(&r, "record Cloudflare's answer");
    let r = rpc(&t, "take_over_domain", json!({"p_brand_id": p.a, "p_host": p.b_claim, "p_actor": p.a_admin}));
    refused(&r, "take a host over");
    let r = rpc(
        &t,
        "record_domain_claim",
        json!({"p_brand_id": p.a, "p_host": p.b_claim, "p_token": "t", "p_actor": p.a_admin, "p_custom_hostname": {"id": "forged"}}),
    );
    refused(&r, "attach a custom hostname id");

    assert_eq!(
        sql(&format!("select brand_id || '/' || is_primary from brand_domains where host = '{}'", p.b_extra_host)),
        format!("{}/false", p.b)
    );
    assert_eq!(
        sql(&format!("select brand_id || '/' || is_primary from brand_domains where host = '{}'", p.b_host)),
        format!("{}/true", p.b)
    );
    assert_eq!(
        count(&format!("select count(*) from domain_claims where host = '{}' and brand_id = '{}'", p.b_claim, p.b)),
        1,
        "B's claim stands"
    );
    assert_eq!(count(&format!("select count(*) from brand_domains where host = '{}'", p.b_claim)), 0, "nobody got B's claimed host");
    assert_eq!(count(&format!("select count(*) from domain_claims where host = '{}' and brand_id = '{}'", p.b_extra_host, p.a)), 0);
    assert_eq!(count(&format!("select count(*) from audit_log where brand_id = '{}'", p.b)), 0, "nothing in B's log");

    // no host enters brand_domains by hand, not even A's own
    let bearer = format!("Bearer {t}");
    let url = format!("http://127.0.0.1:{}/brand_domains", api_port());
    let own = format!("{}.example", unique("fence-own"));
    let r = http(
        "POST",
        &url,
        &[("authorization", bearer.as_str()), ("content-type", "application/json")],
        Some(json!({"host": own, "brand_id": p.a, "verified": true}).to_string()),
    );
    refused(&r, "insert a verified host");
    assert_eq!(count(&format!("select count(*) from brand_domains where host = '{own}'")), 0);
}

#[test]
fn brand_a_staff_cannot_reach_brand_b_devices_through_postgrest() {
    let p = pair("v");
    let t = admin_token(&p);
    let r = rpc(&t, "admin_revoke_device", json!({"p_device_id": p.b_device, "p_reason": "fence"}));
    assert_eq!((r.status, r.json()["message"].as_str().unwrap_or_default()), (404, "device_not_found"), "{}", r.body);
    let r = rpc(&t, "admin_queue_command", json!({"p_device_id": p.b_device, "p_kind": "lock_till", "p_payload": null}));
    assert_eq!(r.status, 404, "{}", r.body);
    let r = rpc(&t, "admin_new_activation_code", json!({"p_device_id": p.b_device, "p_code_prefix": "fe11ce0b", "p_code_hash": "h"}));
    assert_eq!(r.status, 404, "{}", r.body);
    let created =
        rpc(&t, "admin_create_device", json!({"p_name": "Fence till", "p_store": null, "p_code_prefix": null, "p_code_hash": null}));
    assert_eq!(created.status, 200, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(sql(&format!("select brand_id from devices where id = '{id}'")), p.a, "a new device is A's");

    assert_eq!(
        sql(&format!("select status || '/' || coalesce(activation_code_prefix, '-') from devices where id = '{}'", p.b_device)),
        "active/-"
    );
    assert_eq!(count(&format!("select count(*) from device_commands where device_id = '{}'", p.b_device)), 0);
    // and the commands table itself: no command for B's device under A's brand
    let bearer = format!("Bearer {t}");
    let url = format!("http://127.0.0.1:{}/device_commands", api_port());
    let r = http(
        "POST",
        &url,
        &[("authorization", bearer.as_str()), ("content-type", "application/json")],
        Some(json!({"brand_id": p.a, "device_id": p.b_device, "kind": "lock_till", "created_by": p.a_admin}).to_string()),
    );
    refused(&r, "insert a command for B's device");
    assert_eq!(count(&format!("select count(*) from device_commands where device_id = '{}'", p.b_device)), 0);
    assert_eq!(count(&format!("select count(*) from audit_log where brand_id = '{}'", p.b)), 0, "nothing in B's log");
}

#[test]
fn a_read_only_members_token_writes_nothing_through_any_of_them() {
    let p = pair("r");
    let t = token_for(DbClaims::staff(&p.a_viewer, &p.a, "read_only", &uuid()));
    let host = format!("{}.example", unique("fence-ro"));
    let calls = [
        (
            "admin_invite_member",
            json!({"p_email": format!("{host}@example.com"), "p_role": "brand_admin", "p_token_hash": unique("h"), "p_invite_url": "x"}),
        ),
        ("admin_revoke_invitation", json!({"p_invitation_id": p.a_invitation})),
        ("admin_update_member", json!({"p_member_id": p.a_viewer, "p_role": "brand_admin", "p_status": null, "p_remove": false})),
        ("admin_update_member", json!({"p_member_id": p.a_admin, "p_role": null, "p_status": null, "p_remove": true})),
        ("admin_add_domain", json!({"p_host": host, "p_token": "t"})),
        ("admin_update_domain", json!({"p_host": host, "p_primary": true})),
        ("admin_remove_domain", json!({"p_host": host})),
        ("admin_create_device", json!({"p_name": "ro", "p_store": null, "p_code_prefix": null, "p_code_hash": null})),
        ("admin_revoke_device", json!({"p_device_id": p.a_device, "p_reason": "ro"})),
        ("admin_queue_command", json!({"p_device_id": p.a_device, "p_kind": "upload_logs", "p_payload": null})),
        ("admin_new_activation_code", json!({"p_device_id": p.a_device, "p_code_prefix": "fe11ce0c", "p_code_hash": "h"})),
    ];
    for (function, args) in calls {
        let r = rpc(&t, function, args);
        assert_eq!(r.status, 403, "{function}: {}", r.body);
    }
    assert_eq!(count(&format!("select count(*) from invitations where brand_id = '{}'", p.a)), 1, "no new invitation");
    assert_eq!(count(&format!("select count(*) from invitations where id = '{}' and revoked_at is null", p.a_invitation)), 1);
    assert_eq!(
        sql(&format!("select string_agg(role, ',' order by role) from memberships where brand_id = '{}'", p.a)),
        "brand_admin,read_only"
    );
    assert_eq!(count(&format!("select count(*) from domain_claims where host = '{host}'")), 0);
    assert_eq!(count(&format!("select count(*) from devices where brand_id = '{}'", p.a)), 1, "no new device");
    assert_eq!(sql(&format!("select status from devices where id = '{}'", p.a_device)), "pending");
    assert_eq!(count(&format!("select count(*) from device_commands where device_id = '{}'", p.a_device)), 0);
    assert_eq!(count(&format!("select count(*) from audit_log where brand_id = '{}'", p.a)), 0, "nothing was done");
    // reading is refused too: member management is not theirs
    assert_eq!(rpc(&t, "admin_list_members", json!({})).status, 403);
}
