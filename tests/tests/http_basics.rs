//! Cross-cutting HTTP behaviour: request ids, error shape, methods, the platform host.

use shoal_e2e::*;

#[test]
fn every_response_carries_a_request_id() {
    let replies = [
        get("acme.localhost", "/api/v1/store/brand"),
        get("unknown.localhost", "/api/v1/store/brand"),
        get("a..b.localhost", "/"),
        get("127.0.0.1", "/healthz"),
        get("localhost", "/"),
    ];
    let mut ids: Vec<String> = replies
        .iter()
        .map(|r| r.header("x-request-id").unwrap_or_else(|| panic!("no x-request-id on {}: {}", r.status, r.body)))
        .collect();
    assert!(ids.iter().all(|id| id.len() == 32), "{ids:?}");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "request ids are unique");
}

#[test]
fn a_well_formed_incoming_request_id_is_kept_and_a_bad_one_replaced() {
    let r = send("GET", "acme.localhost", "/api/v1/store/brand", &[("x-request-id", "trace-abc-123456")], None);
    assert_eq!(r.header("x-request-id").as_deref(), Some("trace-abc-123456"));
    let r = send("GET", "acme.localhost", "/api/v1/store/brand", &[("x-request-id", "bad id <script>")], None);
    assert_ne!(r.header("x-request-id").as_deref(), Some("bad id <script>"));
}

#[test]
fn unknown_path_and_wrong_method_are_json_errors() {
    let r = get("acme.localhost", "/api/v1/no/such/thing");
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
    // outside /api/ a shopper gets the shop's own 404 page
    let r = get("acme.localhost", "/no/such/thing");
    assert_eq!(r.status, 404);
    assert!(r.header("content-type").is_some_and(|c| c.starts_with("text/html")));
    let r = send("POST", "acme.localhost", "/api/v1/store/brand", &[], Some("{}".into()));
    assert_eq!((r.status, r.error_code().as_str()), (405, "method_not_allowed"));
}

#[test]
fn platform_host_shows_a_landing_page_not_a_brand() {
    let r = get("localhost", "/");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").is_some_and(|c| c.starts_with("text/html")));
    assert!(r.body.contains("<title>Shoal"), "{}", r.body);
    let r = get("localhost", "/api/v1/store/brand");
    assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
}

#[test]
fn healthz_reports_database_kv_and_version() {
    let r = get("127.0.0.1", "/healthz");
    assert_eq!(r.status, 200, "{}", r.body);
    let h = r.json();
    assert_eq!(h["status"], "ok");
    assert_eq!(h["checks"]["database"]["status"], "ok");
    assert!(h["checks"]["database"]["latency_ms"].is_u64());
    assert_eq!(h["checks"]["kv"]["status"], "ok");
    assert_eq!(h["version"], "0.1.0");
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
}
