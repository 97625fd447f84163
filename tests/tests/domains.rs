//! Custom domains: added with a TXT token, verified through DNS over HTTPS, made primary,
//! removed; the KV brand cache follows every change.

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

#[test]
fn a_custom_domain_goes_live_once_its_txt_record_is_found() {
    let (host, admin) = owner();
    let custom = format!("{}.example", unique("shop"));
    let r = call("POST", &host, "/api/v1/admin/domains", Some(&admin), Some(json!({"host": custom.to_uppercase()})));
    assert_eq!(r.status, 201, "{}", r.body);
    let entry = r.json()["items"].as_array().and_then(|a| a.iter().find(|d| d["host"] == custom.as_str()).cloned()).unwrap_or_default();
    assert_eq!(entry["verified"], false);
    assert_eq!(entry["verification"]["name"], format!("_shoal.{custom}"));
    let token = entry["verification"]["value"].as_str().unwrap_or_default().to_owned();
    assert!(token.starts_with("shoal-verify="));
    assert_eq!(get(&custom, "/api/v1/store/brand").status, 404, "not served before verification");

    let verify = format!("/api/v1/admin/domains/{custom}/verify");
    let r = call("POST", &host, &verify, Some(&admin), None);
    assert_eq!((r.status, r.error_code().as_str()), (409, "verification_record_missing"));
    publish_txt(&format!("_shoal.{custom}"), &token);
    let r = call("POST", &host, &verify, Some(&admin), None);
    assert_eq!(r.status, 200, "{}", r.body);
    let served = get(&custom, "/api/v1/store/brand");
    assert_eq!(served.status, 200, "the cached 'unknown host' was forgotten: {}", served.body);

    let r = call("PATCH", &host, &format!("/api/v1/admin/domains/{custom}"), Some(&admin), Some(json!({"primary": true})));
    assert_eq!(r.json()["items"][0]["host"], custom.as_str(), "primary first");
    let r = call("DELETE", &host, &format!("/api/v1/admin/domains/{custom}"), Some(&admin), None);
    assert_eq!((r.status, r.error_code().as_str()), (409, "primary_domain"));
    call("PATCH", &host, &format!("/api/v1/admin/domains/{host}"), Some(&admin), Some(json!({"primary": true})));
    assert_eq!(call("DELETE", &host, &format!("/api/v1/admin/domains/{custom}"), Some(&admin), None).status, 200);
    assert_eq!(get(&custom, "/api/v1/store/brand").status, 404, "removed: no longer served");
    let actions = sql(&format!("select string_agg(action, ',' order by id) from audit_log where target = '{custom}'"));
    assert_eq!(actions, "domain_added,domain_verified,domain_made_primary,domain_removed");
}

fn claims(host: &str) -> i64 {
    count(&format!("select count(*) from domain_claims where host = '{host}'"))
}

fn entry(list: &Reply, host: &str) -> Value {
    list.json()["items"].as_array().and_then(|a| a.iter().find(|d| d["host"] == host).cloned()).unwrap_or_default()
}

#[test]
fn a_verified_domain_is_taken_and_editors_cannot_touch_domains() {
    let (host, admin) = owner();
    let custom = format!("{}.example", unique("twice"));
    let r = call("POST", &host, "/api/v1/admin/domains", Some(&admin), Some(json!({"host": custom})));
    let token = entry(&r, &custom)["verification"]["value"].as_str().unwrap_or_default().to_owned();
    publish_txt(&format!("_shoal.{custom}"), &token);
    assert_eq!(call("POST", &host, &format!("/api/v1/admin/domains/{custom}/verify"), Some(&admin), None).status, 200);
    let (other, other_admin) = owner();
    let r = call("POST", &other, "/api/v1/admin/domains", Some(&other_admin), Some(json!({"host": custom})));
    assert_eq!((r.status, r.error_code().as_str()), (409, "domain_taken"), "one verified host, one brand");
    let r = call("POST", &host, "/api/v1/admin/domains", Some(&admin), Some(json!({"host": "bad host!"})));
    assert_eq!(r.status, 400);
    let editor = call("POST", "acme.localhost", "/api/v1/auth/login", None, Some(json!({"email": "editor@acme.localhost", "password": "Shoal-dev-2026!"})))
        .json()["access_token"].as_str().unwrap_or_default().to_owned();
    let r = call("POST", "acme.localhost", "/api/v1/admin/domains", Some(&editor), Some(json!({"host": "x.example"})));
    assert_eq!(r.status, 403);
}

#[test]
fn ip_literals_the_platforms_hosts_and_special_names_are_refused() {
    let (host, admin) = owner();
    let brand = sql(&format!("select brand_id from brand_domains where host = '{host}'"));
    let cases = [
        ("127.0.0.1", "ip_address_domain"), ("10.0.0.1:8443", "ip_address_domain"), ("127.1", "ip_address_domain"),
        ("2130706433", "ip_address_domain"), ("0x7f000001", "ip_address_domain"), ("[::1]", "ip_address_domain"),
        ("[2001:db8::1]:443", "ip_address_domain"),
        ("localhost", "platform_domain"), ("mine.localhost", "platform_domain"), ("edge.localhost", "platform_domain"),
        ("intranet", "reserved_domain"), ("printer.local", "reserved_domain"), ("db.internal", "reserved_domain"),
    ];
    for (raw, code) in cases {
        let r = call("POST", &host, "/api/v1/admin/domains", Some(&admin), Some(json!({"host": raw})));
        assert_eq!((r.status, r.error_code().as_str()), (422, code), "{raw}: {}", r.body);
    }
    assert_eq!(count(&format!("select count(*) from domain_claims where brand_id = '{brand}'")), 0, "nothing claimed");
    assert_eq!(count(&format!("select count(*) from brand_domains where brand_id = '{brand}'")), 1);
}

#[test]
fn an_unverified_claim_never_blocks_the_brand_that_proves_ownership() {
    let (squatter, squatter_admin) = owner();
    let (owner_host, owner_admin) = owner();
    let custom = format!("{}.example", unique("prize"));
    assert_eq!(call("POST", &squatter, "/api/v1/admin/domains", Some(&squatter_admin), Some(json!({"host": custom}))).status, 201);
    let r = call("POST", &owner_host, "/api/v1/admin/domains", Some(&owner_admin), Some(json!({"host": custom})));
    assert_eq!(r.status, 201, "another brand's claim does not block: {}", r.body);
    let token = entry(&r, &custom)["verification"]["value"].as_str().unwrap_or_default().to_owned();
    publish_txt(&format!("_shoal.{custom}"), &token);
    let r = call("POST", &owner_host, &format!("/api/v1/admin/domains/{custom}/verify"), Some(&owner_admin), None);
    assert_eq!(r.status, 200, "{}", r.body);
    let owner_slug = owner_host.trim_end_matches(".localhost");
    assert_eq!(get(&custom, "/api/v1/store/brand").json()["slug"], owner_slug, "served for the brand that proved it");
    assert_eq!(claims(&custom), 0, "the other claim is dropped");
    let listed = call("GET", &squatter, "/api/v1/admin/domains", Some(&squatter_admin), None);
    assert_eq!(entry(&listed, &custom), Value::Null);
    let r = call("POST", &squatter, &format!("/api/v1/admin/domains/{custom}/verify"), Some(&squatter_admin), None);
    assert_eq!(r.status, 404, "{}", r.body);
    let r = call("POST", &squatter, "/api/v1/admin/domains", Some(&squatter_admin), Some(json!({"host": custom})));
    assert_eq!((r.status, r.error_code().as_str()), (409, "domain_taken"));
    let squatter_brand = sql(&format!("select brand_id from brand_domains where host = '{squatter}'"));
    assert_eq!(count(&format!("select count(*) from audit_log where brand_id = '{squatter_brand}' and action = 'domain_claim_dropped' and target = '{custom}'")), 1);
}

#[test]
fn an_unverified_claim_lapses_after_seven_days() {
    let (host, admin) = owner();
    let custom = format!("{}.example", unique("lapse"));
    let r = call("POST", &host, "/api/v1/admin/domains", Some(&admin), Some(json!({"host": custom})));
    let token = entry(&r, &custom)["verification"]["value"].as_str().unwrap_or_default().to_owned();
    sql(&format!("update domain_claims set created_at = now() - interval '8 days' where host = '{custom}'"));
    publish_txt(&format!("_shoal.{custom}"), &token);
    let r = call("POST", &host, &format!("/api/v1/admin/domains/{custom}/verify"), Some(&admin), None);
    assert_eq!((r.status, r.error_code().as_str()), (404, "domain_not_found"), "a lapsed claim cannot be verified");
    assert_eq!(get(&custom, "/api/v1/store/brand").status, 404);
    assert_eq!(entry(&call("GET", &host, "/api/v1/admin/domains", Some(&admin), None), &custom), Value::Null);
    let (other, other_admin) = owner();
    assert_eq!(call("POST", &other, "/api/v1/admin/domains", Some(&other_admin), Some(json!({"host": custom}))).status, 201);
    assert_eq!(claims(&custom), 1, "the lapsed claim is gone, the new one stands");
}
