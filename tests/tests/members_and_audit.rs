//! Members (invite, accept, role, disable, last admin) and the audit log, through the API
//! with each role, and RLS refusing the same writes directly on PostgREST.

use shoal_e2e::*;
fn post(host: &str, path: &str, body: Value) -> Reply {
    send("POST", host, path, &[("cf-connecting-ip", &fresh_ip()), ("content-type", "application/json")], Some(body.to_string()))
}

fn call(method: &str, host: &str, path: &str, token: &str, body: Option<Value>) -> Reply {
    let auth = format!("Bearer {token}");
    send(method, host, path, &[("authorization", &auth), ("content-type", "application/json")], body.map(|b| b.to_string()))
}

/// A brand of its own, created by sign-up; returns (host, brand id, admin token).
fn own_brand() -> (String, String, String) {
    let o = signed_up_owner("team");
    (o.host, o.brand_id, o.token)
}

fn invite_and_join(host: &str, admin: &str, role: &str) -> (String, String) {
    let email = format!("{}@example.com", unique("member"));
    let r = call("POST", host, "/api/v1/admin/members/invitations", admin, Some(json!({"email": email, "role": role})));
    assert_eq!(r.status, 201, "{}", r.body);
    let url = mail::link(&email, "member_invitation");
    let token = url.rsplit("token=").next().unwrap_or_default().to_owned();
    let joined = post(host, "/api/v1/auth/accept-invitation", json!({"token": token, "password": "Member-Pass-456"}));
    assert_eq!(joined.status, 200, "{}", joined.body);
    let access = post(host, "/api/v1/auth/login", json!({"email": email, "password": "Member-Pass-456"})).json()["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (joined.json()["account_id"].as_str().unwrap_or_default().to_owned(), access)
}

#[test]
fn admins_invite_members_who_join_with_their_role_and_editors_cannot_invite() {
    let (host, _, admin) = own_brand();
    let (_, editor) = invite_and_join(&host, &admin, "editor");
    assert_eq!(call("GET", &host, "/api/v1/account/me", &editor, None).json()["role"], "editor");
    let r = call("POST", &host, "/api/v1/admin/members/invitations", &editor, Some(json!({"email": "x@example.com", "role": "editor"})));
    assert_eq!((r.status, r.error_code().as_str()), (403, "forbidden"));
    let members = call("GET", &host, "/api/v1/admin/members", &admin, None).json();
    assert_eq!(members["items"].as_array().map(Vec::len), Some(2));
    let r = post(&host, "/api/v1/auth/accept-invitation", json!({"token": "nope", "password": "Member-Pass-456"}));
    assert_eq!((r.status, r.error_code().as_str()), (404, "invitation_not_found"));
}

#[test]
fn role_changes_and_disabling_apply_at_once_and_the_last_admin_stays() {
    let (host, _, admin) = own_brand();
    let (member, token) = invite_and_join(&host, &admin, "editor");
    let path = format!("/api/v1/admin/members/{member}");
    assert_eq!(call("PATCH", &host, &path, &admin, Some(json!({"role": "read_only"}))).status, 200);
    assert_eq!(call("GET", &host, "/api/v1/account/me", &token, None).json()["role"], "read_only");
    assert_eq!(call("PATCH", &host, &path, &admin, Some(json!({"status": "disabled"}))).status, 200);
    assert_eq!(call("GET", &host, "/api/v1/account/me", &token, None).status, 401, "disabled: refused at once");

    let me = call("GET", &host, "/api/v1/account/me", &admin, None).json()["id"].as_str().unwrap_or_default().to_owned();
    let own = format!("/api/v1/admin/members/{me}");
    let r = call("PATCH", &host, &own, &admin, Some(json!({"role": "editor"})));
    assert_eq!((r.status, r.error_code().as_str()), (409, "last_brand_admin"));
    assert_eq!(call("DELETE", &host, &own, &admin, None).error_code(), "last_brand_admin");
    assert_eq!(call("PATCH", &host, &path, &admin, Some(json!({"role": "owner"}))).error_code(), "invalid_role");
}

#[test]
fn the_audit_log_pages_and_filters_and_stays_within_the_brand() {
    let (host, brand, admin) = own_brand();
    for _ in 0..3 {
        invite_and_join(&host, &admin, "read_only");
    }
    let page = call("GET", &host, "/api/v1/admin/audit-log?limit=2", &admin, None);
    assert_eq!(page.status, 200, "{}", page.body);
    let first = page.json();
    assert_eq!(first["items"].as_array().map(Vec::len), Some(2));
    let cursor = first["next_cursor"].as_str().unwrap_or_default().to_owned();
    let second = call("GET", &host, &format!("/api/v1/admin/audit-log?limit=2&cursor={cursor}"), &admin, None).json();
    assert!(second["items"][0]["id"].as_i64() < first["items"][1]["id"].as_i64(), "pages go back in time without overlap");
    let invited = call("GET", &host, "/api/v1/admin/audit-log?action=member_invited", &admin, None).json();
    assert_eq!(invited["items"].as_array().map(Vec::len), Some(3));
    let all = call("GET", &host, &format!("/api/v1/admin/audit-log?limit=200&brand_id={GLOBEX_ID}"), &admin, None).json();
    let ids: Vec<i64> = all["items"].as_array().map(|a| a.iter().filter_map(|i| i["id"].as_i64()).collect()).unwrap_or_default();
    let foreign = count(&format!(
        "select count(*) from audit_log where id = any(array[{}]::bigint[]) and brand_id <> '{brand}'",
        ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    ));
    assert_eq!(foreign, 0, "a brand_id parameter changes nothing");
    // acme's admin cannot read this brand's log, nor an editor its own brand's
    let acme = post("acme.localhost", "/api/v1/auth/login", json!({"email": "admin@acme.localhost", "password": "Shoal-dev-2026!"})).json()
        ["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(call("GET", &host, "/api/v1/admin/audit-log", &acme, None).status, 401);
    let editor = post("acme.localhost", "/api/v1/auth/login", json!({"email": "editor@acme.localhost", "password": "Shoal-dev-2026!"}))
        .json()["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(call("GET", "acme.localhost", "/api/v1/admin/audit-log", &editor, None).status, 403);
    assert_eq!(call("GET", &host, "/api/v1/admin/audit-log?cursor=abc", &admin, None).error_code(), "invalid_cursor");
}

#[test]
fn rls_refuses_a_read_only_members_write_on_postgrest_directly() {
    let api = format!("http://127.0.0.1:{}", std::env::var("SHOAL_API_PORT").unwrap_or_else(|_| "54330".into()));
    // as the worker signs staff: a member of the brand with that role (the database confirms it)
    let claims = |role: &str| staff_claims(ACME_ID, role);
    let patch = |role: &str, title: &str| {
        let auth = format!("Bearer {}", token_for(claims(role)));
        http(
            "PATCH",
            &format!("{api}/products?slug=eq.meadow-bottle&brand_id=eq.{ACME_ID}"),
            &[("authorization", &auth), ("content-type", "application/json"), ("prefer", "return=representation")],
            Some(json!({"title": title}).to_string()),
        )
    };
    let refused = patch("read_only", "Hacked Bottle");
    assert_eq!(refused.json(), json!([]), "no row is writable for read_only");
    assert_eq!(sql(&format!("select title from products where slug = 'meadow-bottle' and brand_id = '{ACME_ID}'")), "Meadow Bottle");
    let allowed = patch("editor", "Meadow Bottle");
    assert_eq!(allowed.json().as_array().map(Vec::len), Some(1), "{}", allowed.body);
}

#[test]
fn admins_export_their_brand_and_erase_a_customer_both_audited() {
    let (host, brand, admin) = own_brand();
    sql(&format!("insert into orders (brand_id, email, currency, total_amount) values ('{brand}', 'gone@example.com', 'USD', 500)"));
    let export = call("GET", &host, "/api/v1/admin/export", &admin, None);
    assert_eq!(export.status, 200, "{}", export.body);
    let data = export.json();
    assert_eq!(data["brand"]["id"], brand.as_str());
    assert_eq!(data["orders"][0]["email"], "gone@example.com");
    assert!(!export.body.contains("password"), "no secrets in an export");
    let erased = call("POST", &host, "/api/v1/admin/customers/erase", &admin, Some(json!({"email": "Gone@Example.com"})));
    assert_eq!(erased.json()["orders_anonymised"], 1);
    assert_eq!(count(&format!("select count(*) from orders where brand_id = '{brand}' and email = 'gone@example.com'")), 0);
    let actions =
        sql(&format!("select string_agg(action, ',' order by id) from audit_log where brand_id = '{brand}' and action like 'data_%'"));
    assert_eq!(actions, "data_export,data_delete");
    let (member, token) = invite_and_join(&host, &admin, "editor");
    assert!(!member.is_empty());
    assert_eq!(call("GET", &host, "/api/v1/admin/export", &token, None).status, 403, "editors cannot export");
}

#[test]
fn audit_rows_carry_the_ip_user_agent_and_request_id_of_their_request() {
    let (host, brand, admin) = own_brand();
    let email = format!("{}@example.com", unique("traced"));
    let r = send(
        "POST",
        &host,
        "/api/v1/admin/members/invitations",
        &[
            ("authorization", &format!("Bearer {admin}")),
            ("content-type", "application/json"),
            ("cf-connecting-ip", "2001:db8::abcd"),
            ("user-agent", "shoal-e2e/1.0"),
        ],
        Some(json!({"email": email, "role": "editor"}).to_string()),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let rid = r.header("x-request-id").unwrap_or_default();
    let row = sql(&format!(
        "select ip || '|' || user_agent || '|' || request_id from audit_log where brand_id = '{brand}' and action = 'member_invited'"
    ));
    assert_eq!(row, format!("2001:db8::abcd|shoal-e2e/1.0|{rid}"));
}

/// The invitation token in the newest invitation email to `email`.
fn invitation_token(email: &str) -> String {
    let url = mail::link(email, "member_invitation");
    url.rsplit("token=").next().unwrap_or_default().to_owned()
}

fn membership(brand: &str, email: &str) -> String {
    sql(&format!("select m.role || '/' || m.status from memberships m join accounts a on a.id = m.account_id where m.brand_id = '{brand}' and a.email = '{email}'"))
}

#[test]
fn an_old_invitation_cannot_bring_back_a_disabled_member_with_another_role() {
    // the report's repro: invite X as brand_admin, again as read_only, X accepts the second,
    // the admin disables X, X accepts the first
    let (host, brand, admin) = own_brand();
    let email = format!("{}@example.com", unique("x"));
    let invite = |role: &str| call("POST", &host, "/api/v1/admin/members/invitations", &admin, Some(json!({"email": email, "role": role})));
    assert_eq!(invite("brand_admin").status, 201);
    let as_admin = invitation_token(&email);
    assert_eq!(invite("read_only").status, 201);
    let as_reader = invitation_token(&email);
    assert_ne!(as_admin, as_reader);
    let joined = post(&host, "/api/v1/auth/accept-invitation", json!({"token": as_reader, "password": "Member-Pass-456"}));
    assert_eq!(joined.status, 200, "{}", joined.body);
    let member = joined.json()["account_id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(call("PATCH", &host, &format!("/api/v1/admin/members/{member}"), &admin, Some(json!({"status": "disabled"}))).status, 200);

    let r = post(&host, "/api/v1/auth/accept-invitation", json!({"token": as_admin, "password": "Member-Pass-456"}));
    assert_eq!((r.status, r.error_code().as_str()), (404, "invitation_not_found"), "the older invitation was voided by the newer one");
    assert_eq!(membership(&brand, &email), "read_only/disabled", "X is still disabled, with the role it had");
    let login = post(&host, "/api/v1/auth/login", json!({"email": email, "password": "Member-Pass-456"}));
    assert_ne!(login.status, 200, "X cannot sign in: {}", login.body);
    assert_eq!(count(&format!("select count(*) from invitations where brand_id = '{brand}' and email = '{email}' and accepted_at is null and revoked_at is null")), 0);
}

#[test]
fn accepting_never_changes_an_existing_membership() {
    // an open invitation that somehow outlived a decision (written straight into the table):
    // accepting it still cannot touch the membership
    let (host, brand, admin) = own_brand();
    let (member, _) = invite_and_join(&host, &admin, "read_only");
    let email = sql(&format!("select email from accounts where id = '{member}'"));
    assert_eq!(call("PATCH", &host, &format!("/api/v1/admin/members/{member}"), &admin, Some(json!({"status": "disabled"}))).status, 200);
    let token = format!("stale-{}", unique("t"));
    sql(&format!("insert into invitations (brand_id, email, role, token_hash, invited_by, expires_at) values ('{brand}', '{email}', 'brand_admin', '{}', 'test', now() + interval '1 day')",
                 shoal_domain::access_token::refresh_hash(&token)));
    let r = post(&host, "/api/v1/auth/accept-invitation", json!({"token": token, "password": "Member-Pass-456"}));
    assert_eq!((r.status, r.error_code().as_str()), (409, "already_a_member"));
    assert_eq!(membership(&brand, &email), "read_only/disabled");
}

#[test]
fn changing_disabling_or_removing_a_member_voids_their_open_invitations() {
    let (host, brand, admin) = own_brand();
    let open = |email: &str| {
        count(&format!("select count(*) from invitations where brand_id = '{brand}' and email = '{email}' and accepted_at is null and revoked_at is null"))
    };
    for change in [Some(json!({"role": "editor"})), Some(json!({"status": "disabled"})), None] {
        let (member, _) = invite_and_join(&host, &admin, "read_only");
        let email = sql(&format!("select email from accounts where id = '{member}'"));
        sql(&format!("insert into invitations (brand_id, email, role, token_hash, invited_by, expires_at) values ('{brand}', '{email}', 'brand_admin', '{}', 'test', now() + interval '1 day')",
                     unique("h")));
        assert_eq!(open(&email), 1);
        let path = format!("/api/v1/admin/members/{member}");
        let r = match &change {
            Some(body) => call("PATCH", &host, &path, &admin, Some(body.clone())),
            None => call("DELETE", &host, &path, &admin, None),
        };
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(open(&email), 0, "after {change:?}");
    }
}

#[test]
fn admins_list_and_revoke_invitations_and_editors_cannot() {
    let (host, brand, admin) = own_brand();
    let email = format!("{}@example.com", unique("rev"));
    assert_eq!(
        call("POST", &host, "/api/v1/admin/members/invitations", &admin, Some(json!({"email": email, "role": "editor"}))).status,
        201
    );
    let token = invitation_token(&email);
    let list = call("GET", &host, "/api/v1/admin/invitations", &admin, None);
    assert_eq!(list.status, 200, "{}", list.body);
    let item = list.json()["items"][0].clone();
    assert_eq!((item["email"].as_str(), item["role"].as_str()), (Some(email.as_str()), Some("editor")));
    assert!(!list.body.contains("token"), "tokens are never listed");
    let id = item["id"].as_str().unwrap_or_default().to_owned();

    let (_, editor) = invite_and_join(&host, &admin, "editor");
    assert_eq!(call("GET", &host, "/api/v1/admin/invitations", &editor, None).status, 403);
    assert_eq!(call("DELETE", &host, &format!("/api/v1/admin/invitations/{id}"), &editor, None).status, 403);
    let acme = post("acme.localhost", "/api/v1/auth/login", json!({"email": "admin@acme.localhost", "password": "Shoal-dev-2026!"})).json()
        ["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = call("DELETE", "acme.localhost", &format!("/api/v1/admin/invitations/{id}"), &acme, None);
    assert_eq!((r.status, r.error_code().as_str()), (404, "invitation_not_found"), "another brand's admin cannot revoke it");

    let r = call("DELETE", &host, &format!("/api/v1/admin/invitations/{id}"), &admin, None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["items"], json!([]));
    let accept = post(&host, "/api/v1/auth/accept-invitation", json!({"token": token, "password": "Member-Pass-456"}));
    assert_eq!((accept.status, accept.error_code().as_str()), (404, "invitation_not_found"));
    assert_eq!(count(&format!("select count(*) from accounts where email = '{email}'")), 0);
    assert_eq!(call("DELETE", &host, &format!("/api/v1/admin/invitations/{id}"), &admin, None).status, 404, "once");
    assert_eq!(call("DELETE", &host, "/api/v1/admin/invitations/not-a-uuid", &admin, None).status, 404);
    assert_eq!(
        count(&format!(
            "select count(*) from audit_log where brand_id = '{brand}' and action = 'invitation_revoked' and target = '{email}'"
        )),
        1
    );
}

#[test]
fn invitation_links_are_built_on_the_brands_primary_host() {
    let (host, brand, admin) = own_brand();
    // a second verified host of the brand, and the request arrives on it
    let alias = format!("{}.example", unique("alias"));
    sql(&format!("insert into brand_domains (host, brand_id, verified) values ('{alias}', '{brand}', true)"));
    let email = format!("{}@example.com", unique("link"));
    let r = call("POST", &alias, "/api/v1/admin/members/invitations", &admin, Some(json!({"email": email, "role": "editor"})));
    assert_eq!(r.status, 201, "{}", r.body);
    let url = mail::link(&email, "member_invitation");
    assert!(url.contains(&format!("//{host}")) && !url.contains(&alias), "{url}");
}

/// Two requests released together once a row lock held by the test ends, so both reach
/// the database function at the same moment.
fn at_once(brand: &str, first: impl FnOnce() -> Reply + Send + 'static, second: impl FnOnce() -> Reply + Send + 'static) -> (Reply, Reply) {
    let marker = unique("blocker");
    let blocker = {
        let brand = brand.to_owned();
        let marker = marker.clone();
        std::thread::spawn(move || {
            sql(&format!(
                "begin; select 1 from memberships where brand_id = '{brand}' for update; select pg_sleep(3) /* {marker} */; commit;"
            ));
        })
    };
    for _ in 0..50 {
        if count(&format!("select count(*) from pg_stat_activity where query like '%pg_sleep(3) /* ' || '{marker}%'")) == 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let a = std::thread::spawn(first);
    let b = std::thread::spawn(second);
    let (a, b) = (a.join().unwrap_or_else(|_| panic!("first")), b.join().unwrap_or_else(|_| panic!("second")));
    blocker.join().unwrap_or_else(|_| panic!("blocker"));
    (a, b)
}

fn two_admins() -> (String, String, String, String, String, String) {
    let (host, brand, admin) = own_brand();
    let me = call("GET", &host, "/api/v1/account/me", &admin, None).json()["id"].as_str().unwrap_or_default().to_owned();
    let (other, other_token) = invite_and_join(&host, &admin, "brand_admin");
    (host, brand, me, admin, other, other_token)
}

fn active_admins(brand: &str) -> i64 {
    count(&format!("select count(*) from memberships where brand_id = '{brand}' and role = 'brand_admin' and status = 'active'"))
}

#[test]
fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    let (host, brand, me, admin, other, other_token) = two_admins();
    let (h1, h2) = (host.clone(), host.clone());
    let (a, b) = at_once(
        &brand,
        move || call("PATCH", &h1, &format!("/api/v1/admin/members/{other}"), &admin, Some(json!({"role": "editor"}))),
        move || call("PATCH", &h2, &format!("/api/v1/admin/members/{me}"), &other_token, Some(json!({"role": "editor"}))),
    );
    let ok = [a.status, b.status].iter().filter(|s| **s == 200).count();
    assert_eq!(ok, 1, "exactly one demotion: {} / {}", a.body, b.body);
    assert_eq!(active_admins(&brand), 1, "the last admin stays");
}

#[test]
fn removing_and_disabling_each_other_at_once_leave_one_admin() {
    let (host, brand, me, admin, other, other_token) = two_admins();
    let (h1, h2) = (host.clone(), host.clone());
    let (a, b) = at_once(
        &brand,
        move || call("DELETE", &h1, &format!("/api/v1/admin/members/{other}"), &admin, None),
        move || call("PATCH", &h2, &format!("/api/v1/admin/members/{me}"), &other_token, Some(json!({"status": "disabled"}))),
    );
    let ok = [a.status, b.status].iter().filter(|s| **s == 200).count();
    assert_eq!(ok, 1, "exactly one change: {} / {}", a.body, b.body);
    assert_eq!(active_admins(&brand), 1, "the last admin stays");
}

/// An invitation to what is not an address was accepted and accepting it answered 500
/// (`accounts_email_check`); a change of email and an erasure take the same shape check.
#[test]
fn invitations_email_changes_and_erasures_refuse_what_is_not_an_email_with_400() {
    let (host, brand, admin) = own_brand();
    let long = format!("{}@example.com", "a".repeat(300));
    for email in ["@evil.example", "no-at-sign", "a@b", long.as_str(), " @example.com "] {
        let r = call("POST", &host, "/api/v1/admin/members/invitations", &admin, Some(json!({"email": email, "role": "brand_admin"})));
        assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_email"), "invite {email:.40}: {}", r.body);
        let r = call("POST", &host, "/api/v1/account/email", &admin, Some(json!({"current_password": OWNER_PASSWORD, "new_email": email})));
        assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_email"), "email change {email:.40}: {}", r.body);
        let r = call("POST", &host, "/api/v1/admin/customers/erase", &admin, Some(json!({"email": email})));
        assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_email"), "erase {email:.40}: {}", r.body);
    }
    assert_eq!(count(&format!("select count(*) from invitations where brand_id = '{brand}'")), 0, "no invitation stored");
    assert_eq!(
        count(&format!(
            "select count(*) from email_outbox where brand_id = '{brand}' and template in ('member_invitation', 'email_change_code')"
        )),
        0
    );
    assert_eq!(
        count(&format!("select count(*) from audit_log where brand_id = '{brand}' and action in ('member_invited', 'data_delete')")),
        0
    );
    // what the bad input did not spend: the owner's re-authentication budget
    assert_eq!(count(&format!("select count(*) from audit_log where brand_id = '{brand}' and action = 'reauthentication_failed'")), 0);
    let r = call(
        "POST",
        &host,
        "/api/v1/admin/members/invitations",
        &admin,
        Some(json!({"email": format!("ok-{}@example.com", unique("inv")), "role": "editor"})),
    );
    assert_eq!(r.status, 201, "a real address is invited: {}", r.body);
}

#[test]
fn a_body_field_of_the_wrong_type_is_refused_naming_the_field() {
    let (host, _, admin) = own_brand();
    let me = sql(&format!(
        "select m.account_id from memberships m join brand_domains d on d.brand_id = m.brand_id where d.host = '{host}' limit 1"
    ));
    for (method, path, body, field) in [
        ("PATCH", format!("/api/v1/admin/members/{me}"), json!({"role": 5}), "role"),
        ("POST", "/api/v1/admin/members/invitations".to_owned(), json!({"email": "x@example.com", "role": ["editor"]}), "role"),
        ("POST", "/api/v1/admin/domains".to_owned(), json!({"host": {"name": "shop.example"}}), "host"),
        ("PATCH", "/api/v1/admin/domains/shop.example".to_owned(), json!({"primary": "yes"}), "primary"),
        ("POST", "/api/v1/admin/devices".to_owned(), json!({"name": 7}), "name"),
    ] {
        let r = call(method, &host, &path, &admin, Some(body));
        assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_field"), "{method} {path}: {}", r.body);
        let message = r.json()["error"]["message"].as_str().unwrap_or_default().to_owned();
        assert!(message.starts_with(&format!("{field}:")), "{method} {path}: the message names `{field}`: {message}");
    }
    assert_eq!(count(&format!("select count(*) from audit_log a join brand_domains d on d.brand_id = a.brand_id where d.host = '{host}'
        and a.action in ('member_invited', 'member_role_changed', 'member_updated', 'domain_added', 'domain_made_primary', 'device_created')")), 0,
        "nothing was done");
}
