//! Custom domains as Cloudflare for SaaS custom hostnames (against the Cloudflare API
//! stand-in): added with the DNS records to set, live once Cloudflare reports both the
//! hostname and its certificate active (on the admin's refresh or cron's), made primary,
//! removed at Cloudflare and here; a brand whose host another brand's claim holds proves it
//! by TXT and takes the hostname over; Cloudflare's refusals as clear codes. The KV brand
//! cache follows every change.

use shoal_e2e::*;

fn call(method: &str, host: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
    let ip = fresh_ip();
    let auth = token.map(|t| format!("Bearer {t}")).unwrap_or_default();
    let mut headers = vec![("cf-connecting-ip", ip.as_str()), ("content-type", "application/json")];
    if token.is_some() {
        headers.push(("authorization", auth.as_str()));
    }
    send(method, host, path, &headers, body.map(|b| b.to_string()))
}

fn owner() -> (String, String) {
    let o = signed_up_owner("dom");
    (o.host, o.token)
}

fn publish_txt(name: &str, txt: &str) {
    let url = format!("http://127.0.0.1:{}/__records", std::env::var("SHOAL_DNS_PORT").unwrap_or_else(|_| "12113".into()));
    assert_eq!(http("POST", &url, &[], Some(json!({"name": name, "txt": txt}).to_string())).status, 200);
}

/// The Cloudflare API stand-in.
fn cloudflare(method: &str, path: &str, body: Option<Value>) -> Reply {
    let url = format!("http://127.0.0.1:{}{path}", std::env::var("SHOAL_CF_PORT").unwrap_or_else(|_| "12114".into()));
    http(method, &url, &[("authorization", "Bearer cf-e2e"), ("content-type", "application/json")], body.map(|b| b.to_string()))
}

/// The stand-in's custom hostnames for `host`: (live ones, deleted ones).
fn hostnames(host: &str) -> (Vec<Value>, Vec<Value>) {
    let all = cloudflare("GET", "/__custom_hostnames", None).json();
    let of = |key: &str| all[key].as_array().into_iter().flatten().filter(|h| h["hostname"] == host).cloned().collect::<Vec<_>>();
    (of("custom_hostnames"), of("deleted"))
}

fn activate(host: &str, ssl: bool) {
    assert_eq!(cloudflare("POST", &format!("/__custom_hostnames/{host}/activate"), Some(json!({"ssl": ssl}))).status, 200);
}

/// The next Cloudflare call about `host` fails with this status and Cloudflare error code.
fn fail_next(host: &str, status: u16, code: i64) {
    assert_eq!(
        cloudflare(
            "POST",
            "/__custom_hostnames/fail",
            Some(json!({"hostname": host, "status": status, "code": code, "message": "injected"}))
        )
        .status,
        200
    );
}

/// A hostname Cloudflare accepts (no reserved or example top-level domain).
fn hostname(prefix: &str) -> String {
    format!("{}.brand-e2e.com", unique(prefix))
}

fn claims(host: &str) -> i64 {
    count(&format!("select count(*) from domain_claims where host = '{host}'"))
}

fn entry(list: &Reply, host: &str) -> Value {
    list.json()["items"].as_array().and_then(|a| a.iter().find(|d| d["host"] == host).cloned()).unwrap_or_default()
}

fn verify(host: &str, admin: &str, custom: &str) -> Reply {
    call("POST", host, &format!("/api/v1/admin/domains/{custom}/verify"), Some(admin), None)
}

fn run_cron() {
    let r = get("127.0.0.1", "/__scheduled?cron=*/5+*+*+*+*");
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn a_custom_domain_goes_live_once_cloudflare_reports_hostname_and_certificate_active() {
    let (host, admin) = owner();
    let custom = hostname("shop");
    let r = call("POST", &host, "/api/v1/admin/domains", Some(&admin), Some(json!({"host": custom.to_uppercase()})));
    assert_eq!(r.status, 201, "{}", r.body);
    let e = entry(&r, &custom);
    assert_eq!(
        (e["verified"].as_bool(), e["status"].as_str(), e["ssl_status"].as_str()),
        (Some(false), Some("pending"), Some("pending_validation")),
        "{e}"
    );
    assert_eq!(e["verification"], Value::Null, "the records to set are Cloudflare's, not a TXT proof");
    let (live, _) = hostnames(&custom);
    assert_eq!(live.len(), 1, "one custom hostname at Cloudflare");
    let ch = &live[0];
    assert_eq!(
        (ch["ssl"]["method"].as_str(), ch["ssl"]["type"].as_str(), ch["ssl"]["settings"]["min_tls_version"].as_str()),
        (Some("txt"), Some("dv"), Some("1.2"))
    );
    let records: Vec<(String, String, String)> = e["dns_records"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            (
                r["type"].as_str().unwrap_or_default().to_owned(),
                r["name"].as_str().unwrap_or_default().to_owned(),
                r["value"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        records,
        vec![
            ("CNAME".to_owned(), custom.clone(), "customers.localhost".to_owned()),
            (
                "TXT".to_owned(),
                format!("_cf-custom-hostname.{custom}"),
                ch["ownership_verification"]["value"].as_str().unwrap_or_default().to_owned()
            ),
            (
                "TXT".to_owned(),
                format!("_acme-challenge.{custom}"),
                ch["ssl"]["validation_records"][0]["txt_value"].as_str().unwrap_or_default().to_owned()
            ),
        ],
        "exactly the records the admin must set"
    );
    let listed = call("GET", &host, "/api/v1/admin/domains", Some(&admin), None);
    assert_eq!(entry(&listed, &custom)["dns_records"], e["dns_records"], "the list shows them too");
    let r = get(&custom, "/api/v1/store/brand");
    assert_eq!((r.status, r.error_code().as_str()), (404, "unknown_host"), "not served while pending");
    assert_eq!(get(&host, "/api/v1/store/brand").status, 200, "the brand's platform subdomain needs none of this");

    let r = verify(&host, &admin, &custom);
    assert_eq!(r.status, 202, "still pending: {}", r.body);
    assert_eq!(entry(&r, &custom)["status"], "pending");
    let r = verify(&host, &admin, &custom);
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"), "refreshes are rate limited per host");
    let wait: u64 = r.header("retry-after").and_then(|v| v.parse().ok()).unwrap_or(0);
    assert!((1..=10).contains(&wait), "Retry-After {wait}");

    activate(&custom, true);
    std::thread::sleep(std::time::Duration::from_secs(wait + 1));
    let r = verify(&host, &admin, &custom);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(entry(&r, &custom)["verified"], true);
    let served = get(&custom, "/api/v1/store/brand");
    assert_eq!(served.status, 200, "the cached 'unknown host' was forgotten: {}", served.body);
    assert_eq!(served.json()["slug"], host.trim_end_matches(".localhost"), "the brand's shop on its own domain");

    let r = call("PATCH", &host, &format!("/api/v1/admin/domains/{custom}"), Some(&admin), Some(json!({"primary": true})));
    assert_eq!(r.json()["items"][0]["host"], custom.as_str(), "primary first");
    let r = call("DELETE", &host, &format!("/api/v1/admin/domains/{custom}"), Some(&admin), None);
    assert_eq!((r.status, r.error_code().as_str()), (409, "primary_domain"));
    assert_eq!(hostnames(&custom).0.len(), 1, "a refused removal deletes nothing at Cloudflare");
    call("PATCH", &host, &format!("/api/v1/admin/domains/{host}"), Some(&admin), Some(json!({"primary": true})));
    assert_eq!(call("DELETE", &host, &format!("/api/v1/admin/domains/{custom}"), Some(&admin), None).status, 200);
    let (live, deleted) = hostnames(&custom);
    assert_eq!((live.len(), deleted.len()), (0, 1), "the custom hostname is deleted at Cloudflare");
    assert_eq!(get(&custom, "/api/v1/store/brand").status, 404, "removed: no longer served");
    let actions = sql(&format!("select string_agg(action, ',' order by id) from audit_log where target = '{custom}'"));
    assert_eq!(actions, "domain_added,domain_verified,domain_made_primary,domain_removed");
}

#[test]
fn an_active_hostname_with_its_certificate_pending_stays_pending_until_cron_finds_both_active() {
    let (host, admin) = owner();
    let custom = hostname("cron");
    assert_eq!(call("POST", &host, "/api/v1/admin/domains", Some(&admin), Some(json!({"host": custom}))).status, 201);
    activate(&custom, false);
    let r = verify(&host, &admin, &custom);
    assert_eq!(r.status, 202, "{}", r.body);
    let e = entry(&r, &custom);
    assert_eq!(
        (e["status"].as_str(), e["ssl_status"].as_str(), e["verified"].as_bool()),
        (Some("active"), Some("pending_validation"), Some(false))
    );
    assert_eq!(get(&custom, "/api/v1/store/brand").status, 404, "no certificate yet: not served");
    activate(&custom, true);
    let verified = || count(&format!("select count(*) from brand_domains where host = '{custom}' and verified"));
    for _ in 0..10 {
        run_cron();
        if verified() == 1 {
            break;
        }
    }
    assert_eq!(verified(), 1, "cron refreshed the pending domain without the admin");
    assert_eq!(get(&custom, "/api/v1/store/brand").status, 200, "and the cached brand was forgotten");
    assert_eq!(sql(&format!("select actor from audit_log where target = '{custom}' and action = 'domain_verified'")), "system");
    assert_eq!(call("DELETE", &host, &format!("/api/v1/admin/domains/{custom}"), Some(&admin), None).status, 200);
}

#[test]
fn cloudflare_refusals_reach_the_admin_as_clear_codes_and_nothing_is_written() {
    let (host, admin) = owner();
    let brand = sql(&format!("select brand_id from brand_domains where host = '{host}'"));
    let taken = hostname("dup");
    let made = cloudflare(
        "POST",
        "/client/v4/zones/0123456789abcdef0123456789abcdef/custom_hostnames",
        Some(json!({"hostname": taken, "ssl": {"method": "txt", "type": "dv"}})),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let invalid = format!("{}.example", unique("bad"));
    // (hostname, the stand-in failure to inject, the status and code the admin gets)
    type Case<'a> = (String, Option<(u16, i64)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (taken.clone(), None, 409, "hostname_exists"),
        (invalid.clone(), None, 422, "hostname_invalid"),
        (hostname("quota"), Some((403, 1405)), 429, "hostname_quota_exceeded"),
        (hostname("auth"), Some((403, 10000)), 502, "cloudflare_unauthorized"),
        (hostname("down"), Some((500, 1500)), 503, "cloudflare_unavailable"),
    ];
    for (name, failure, status, code) in &cases {
        if let Some((s, c)) = failure {
            fail_next(name, *s, *c);
        }
        let r = call("POST", &host, "/api/v1/admin/domains", Some(&admin), Some(json!({"host": name})));
        assert_eq!((r.status, r.error_code().as_str()), (*status, *code), "{name}: {}", r.body);
        assert!(r.json()["error"]["message"].as_str().is_some_and(|m| m.len() > 20), "a message that says what to do: {}", r.body);
        assert_eq!(claims(name), 0, "{name}: nothing claimed");
        assert_eq!(hostnames(name).0.len(), usize::from(name == &taken), "{name}: nothing left at Cloudflare");
    }
    assert_eq!(count(&format!("select count(*) from audit_log where brand_id = '{brand}' and action = 'domain_added'")), 0);
}

#[test]
fn another_brands_domains_and_read_only_staff_are_refused_and_nothing_changes() {
    let (host, admin) = owner();
    let (other, other_admin) = owner();
    let custom = hostname("fence");
    assert_eq!(call("POST", &host, "/api/v1/admin/domains", Some(&admin), Some(json!({"host": custom}))).status, 201);
    let id = sql(&format!("select custom_hostname_id from domain_claims where host = '{custom}'"));
    let r = verify(&other, &other_admin, &custom);
    assert_eq!((r.status, r.error_code().as_str()), (404, "domain_not_found"), "another brand's claim is not verified from here");
    let r = call("DELETE", &other, &format!("/api/v1/admin/domains/{custom}"), Some(&other_admin), None);
    assert_eq!((r.status, r.error_code().as_str()), (404, "domain_not_found"));
    let r = call("DELETE", &other, &format!("/api/v1/admin/domains/{host}"), Some(&other_admin), None);
    assert_eq!((r.status, r.error_code().as_str()), (404, "domain_not_found"), "nor another brand's host");
    // the admin's token on the other brand's host is not the other brand's admin
    let r = call("DELETE", &other, &format!("/api/v1/admin/domains/{custom}"), Some(&admin), None);
    assert_eq!(r.status, 401, "{}", r.body);
    let viewer = call(
        "POST",
        "acme.localhost",
        "/api/v1/auth/login",
        None,
        Some(json!({"email": "viewer@acme.localhost", "password": "Shoal-dev-2026!"})),
    )
    .json()["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let ro = hostname("ro");
    let r = call("POST", "acme.localhost", "/api/v1/admin/domains", Some(&viewer), Some(json!({"host": ro})));
    assert_eq!(r.status, 403, "read-only staff add nothing");
    let r = call("POST", "acme.localhost", &format!("/api/v1/admin/domains/{custom}/verify"), Some(&viewer), None);
    assert_eq!(r.status, 403);
    assert_eq!(hostnames(&ro).0.len(), 0, "nothing created at Cloudflare");
    assert_eq!(
        sql(&format!("select brand_id || '/' || custom_hostname_id from domain_claims where host = '{custom}'")),
        format!("{}/{id}", sql(&format!("select brand_id from brand_domains where host = '{host}'"))),
        "the claim stands as it was"
    );
    let (live, deleted) = hostnames(&custom);
    assert_eq!((live.len(), deleted.len()), (1, 0), "its custom hostname too");
    assert_eq!(call("DELETE", &host, &format!("/api/v1/admin/domains/{custom}"), Some(&admin), None).status, 200);
}

#[test]
fn a_verified_domain_is_taken_and_editors_cannot_touch_domains() {
    let (host, admin) = owner();
    let custom = hostname("twice");
    assert_eq!(call("POST", &host, "/api/v1/admin/domains", Some(&admin), Some(json!({"host": custom}))).status, 201);
    activate(&custom, true);
    assert_eq!(verify(&host, &admin, &custom).status, 200);
    let (other, other_admin) = owner();
    let r = call("POST", &other, "/api/v1/admin/domains", Some(&other_admin), Some(json!({"host": custom})));
    assert_eq!((r.status, r.error_code().as_str()), (409, "domain_taken"), "one verified host, one brand");
    assert_eq!(hostnames(&custom).0.len(), 1, "and no second custom hostname asked for");
    let r = call("POST", &host, "/api/v1/admin/domains", Some(&admin), Some(json!({"host": "bad host!"})));
    assert_eq!(r.status, 400);
    let editor = call(
        "POST",
        "acme.localhost",
        "/api/v1/auth/login",
        None,
        Some(json!({"email": "editor@acme.localhost", "password": "Shoal-dev-2026!"})),
    )
    .json()["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = call("POST", "acme.localhost", "/api/v1/admin/domains", Some(&editor), Some(json!({"host": "x.brand-e2e.com"})));
    assert_eq!(r.status, 403);
}

#[test]
fn ip_literals_the_platforms_hosts_and_special_names_are_refused() {
    let (host, admin) = owner();
    let brand = sql(&format!("select brand_id from brand_domains where host = '{host}'"));
    let cases = [
        ("127.0.0.1", "ip_address_domain"),
        ("10.0.0.1:8443", "ip_address_domain"),
        ("127.1", "ip_address_domain"),
        ("2130706433", "ip_address_domain"),
        ("0x7f000001", "ip_address_domain"),
        ("[::1]", "ip_address_domain"),
        ("[2001:db8::1]:443", "ip_address_domain"),
        ("localhost", "platform_domain"),
        ("mine.localhost", "platform_domain"),
        ("edge.localhost", "platform_domain"),
        ("intranet", "reserved_domain"),
        ("printer.local", "reserved_domain"),
        ("db.internal", "reserved_domain"),
    ];
    for (raw, code) in cases {
        let r = call("POST", &host, "/api/v1/admin/domains", Some(&admin), Some(json!({"host": raw})));
        assert_eq!((r.status, r.error_code().as_str()), (422, code), "{raw}: {}", r.body);
    }
    assert_eq!(count(&format!("select count(*) from domain_claims where brand_id = '{brand}'")), 0, "nothing claimed");
    assert_eq!(count(&format!("select count(*) from brand_domains where brand_id = '{brand}'")), 1);
}

#[test]
fn a_brand_proving_ownership_by_txt_takes_the_hostname_over_from_an_unverified_claim() {
    let (squatter, squatter_admin) = owner();
    let (owner_host, owner_admin) = owner();
    let custom = hostname("prize");
    assert_eq!(call("POST", &squatter, "/api/v1/admin/domains", Some(&squatter_admin), Some(json!({"host": custom}))).status, 201);
    let first = hostnames(&custom).0[0]["id"].as_str().unwrap_or_default().to_owned();
    let r = call("POST", &owner_host, "/api/v1/admin/domains", Some(&owner_admin), Some(json!({"host": custom})));
    assert_eq!(r.status, 201, "another brand's claim does not block: {}", r.body);
    let e = entry(&r, &custom);
    assert_eq!((e["status"].as_str(), e["dns_records"].as_array().map(Vec::len)), (Some("ownership_proof_required"), Some(0)), "{e}");
    assert_eq!(e["verification"]["name"], format!("_shoal.{custom}"));
    let token = e["verification"]["value"].as_str().unwrap_or_default().to_owned();
    assert!(token.starts_with("shoal-verify="));
    assert_eq!(hostnames(&custom).0.len(), 1, "Cloudflare takes a host once: no second custom hostname");

    let r = verify(&owner_host, &owner_admin, &custom);
    assert_eq!((r.status, r.error_code().as_str()), (409, "verification_record_missing"));
    publish_txt(&format!("_shoal.{custom}"), &token);
    let r = verify(&owner_host, &owner_admin, &custom);
    assert_eq!(r.status, 202, "proven: now the Cloudflare records: {}", r.body);
    let e = entry(&r, &custom);
    assert_eq!((e["status"].as_str(), e["verification"].clone()), (Some("pending"), Value::Null), "{e}");
    assert_eq!(e["dns_records"][0]["value"], "customers.localhost");
    let (live, deleted) = hostnames(&custom);
    assert_eq!(deleted.iter().filter(|h| h["id"] == first.as_str()).count(), 1, "the squatter's custom hostname is deleted");
    assert_eq!(live.len(), 1, "and the owner's created");
    assert_eq!(claims(&custom), 1, "the other claim is dropped");
    let listed = call("GET", &squatter, "/api/v1/admin/domains", Some(&squatter_admin), None);
    assert_eq!(entry(&listed, &custom), Value::Null);
    let squatter_brand = sql(&format!("select brand_id from brand_domains where host = '{squatter}'"));
    assert_eq!(count(&format!("select count(*) from audit_log where brand_id = '{squatter_brand}' and action = 'domain_claim_dropped' and target = '{custom}'")), 1);

    activate(&custom, true);
    assert_eq!(verify(&owner_host, &owner_admin, &custom).status, 200);
    let owner_slug = owner_host.trim_end_matches(".localhost");
    assert_eq!(get(&custom, "/api/v1/store/brand").json()["slug"], owner_slug, "served for the brand that proved it");
    let r = verify(&squatter, &squatter_admin, &custom);
    assert_eq!(r.status, 404, "{}", r.body);
    let r = call("POST", &squatter, "/api/v1/admin/domains", Some(&squatter_admin), Some(json!({"host": custom})));
    assert_eq!((r.status, r.error_code().as_str()), (409, "domain_taken"));
}

#[test]
fn an_unverified_claim_lapses_after_seven_days_and_cron_deletes_its_custom_hostname() {
    let (host, admin) = owner();
    let custom = hostname("lapse");
    assert_eq!(call("POST", &host, "/api/v1/admin/domains", Some(&admin), Some(json!({"host": custom}))).status, 201);
    sql(&format!("update domain_claims set created_at = now() - interval '8 days' where host = '{custom}'"));
    activate(&custom, true);
    let r = verify(&host, &admin, &custom);
    assert_eq!((r.status, r.error_code().as_str()), (404, "domain_not_found"), "a lapsed claim cannot be verified");
    assert_eq!(get(&custom, "/api/v1/store/brand").status, 404);
    assert_eq!(entry(&call("GET", &host, "/api/v1/admin/domains", Some(&admin), None), &custom), Value::Null);
    let (other, other_admin) = owner();
    let r = call("POST", &other, "/api/v1/admin/domains", Some(&other_admin), Some(json!({"host": custom})));
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(entry(&r, &custom)["status"], "ownership_proof_required", "the lapsed claim still holds the custom hostname");
    for _ in 0..10 {
        run_cron();
        if hostnames(&custom).0.is_empty() {
            break;
        }
    }
    assert_eq!(hostnames(&custom).0.len(), 0, "cron deleted the lapsed claim's custom hostname");
    assert_eq!(claims(&custom), 1, "and the lapsed claim; the new one stands");
    let brand = sql(&format!("select brand_id from brand_domains where host = '{host}'"));
    assert_eq!(
        count(&format!(
            "select count(*) from audit_log where brand_id = '{brand}' and action = 'domain_claim_lapsed' and target = '{custom}'"
        )),
        1
    );
}

#[test]
fn a_claim_the_database_refuses_after_cloudflare_created_its_hostname_leaves_nothing_at_cloudflare() {
    let (host, admin) = owner();
    let custom = hostname("undo");
    // the database refuses this one host's claim, after the worker created its custom hostname
    let function = format!("e2e_refuse_{}", custom.replace(['.', '-'], "_"));
    sql(&format!(
        "create function public.{function}() returns trigger language plpgsql as $$ begin
                    raise exception using errcode = 'PT409', message = 'refused_by_test'; end $$;
                  create trigger {function} before insert on public.domain_claims for each row
                    when (new.host = '{custom}') execute function public.{function}();"
    ));
    let r = call("POST", &host, "/api/v1/admin/domains", Some(&admin), Some(json!({"host": custom})));
    sql(&format!("drop trigger {function} on public.domain_claims; drop function public.{function}();"));
    assert_eq!((r.status, r.error_code().as_str()), (409, "refused_by_test"), "{}", r.body);
    let (live, deleted) = hostnames(&custom);
    assert_eq!((live.len(), deleted.len()), (0, 1), "created at Cloudflare, then deleted again");
    assert_eq!(claims(&custom), 0);
}
