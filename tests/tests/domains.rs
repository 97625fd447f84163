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

#[test]
fn domains_that_are_taken_or_the_platforms_are_refused_and_editors_cannot_touch_them() {
    let (host, admin) = owner();
    let custom = format!("{}.example", unique("twice"));
    assert_eq!(call("POST", &host, "/api/v1/admin/domains", Some(&admin), Some(json!({"host": custom}))).status, 201);
    let (other, other_admin) = owner();
    let r = call("POST", &other, "/api/v1/admin/domains", Some(&other_admin), Some(json!({"host": custom})));
    assert_eq!((r.status, r.error_code().as_str()), (409, "domain_taken"), "one host, one brand");
    let r = call("POST", &host, "/api/v1/admin/domains", Some(&admin), Some(json!({"host": "mine.localhost"})));
    assert_eq!((r.status, r.error_code().as_str()), (422, "platform_domain"));
    let r = call("POST", &host, "/api/v1/admin/domains", Some(&admin), Some(json!({"host": "bad host!"})));
    assert_eq!(r.status, 400);
    let editor = call("POST", "acme.localhost", "/api/v1/auth/login", None, Some(json!({"email": "editor@acme.localhost", "password": "Shoal-dev-2026!"})))
        .json()["access_token"].as_str().unwrap_or_default().to_owned();
    let r = call("POST", "acme.localhost", "/api/v1/admin/domains", Some(&editor), Some(json!({"host": "x.example"})));
    assert_eq!(r.status, 403);
}
