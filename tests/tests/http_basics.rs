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
    let mut ids: Vec<String> =
        replies.iter().map(|r| r.header("x-request-id").unwrap_or_else(|| panic!("no x-request-id on {}: {}", r.status, r.body))).collect();
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
    // the route table answers API paths it does not hold (tests/tests/openapi_routes.rs)
    let r = get("acme.localhost", "/api/v1/no/such/thing");
    assert_eq!((r.status, r.error_code().as_str()), (404, "no_route"));
    // outside /api/ a shopper gets the shop's own 404 page
    let r = get("acme.localhost", "/no/such/thing");
    assert_eq!(r.status, 404);
    assert!(r.header("content-type").is_some_and(|c| c.starts_with("text/html")));
    let r = send("POST", "acme.localhost", "/api/v1/store/brand", &[], Some("{}".into()));
    assert_eq!((r.status, r.error_code().as_str()), (405, "method_not_allowed"));
    assert_eq!(r.header("allow").as_deref(), Some("GET, HEAD"));
    // a method workers-rs has no name for is not served as GET
    let r = send("QUERY", "acme.localhost", "/api/v1/store/brand", &[], None);
    assert_eq!((r.status, r.error_code().as_str()), (405, "method_not_allowed"));
    let r = send("QUERY", "acme.localhost", "/", &[], None);
    assert_eq!((r.status, r.error_code().as_str()), (405, "method_not_allowed"));
}

#[test]
fn platform_host_shows_a_landing_page_not_a_brand() {
    let r = get("localhost", "/");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").is_some_and(|c| c.starts_with("text/html")));
    assert!(r.body.contains("<title>Shoal"), "{}", r.body);
    let r = get("localhost", "/api/v1/store/brand");
    assert_eq!((r.status, r.error_code().as_str()), (404, "no_route"));
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

fn assert_common_security_headers(r: &Reply, what: &str) {
    assert_eq!(r.header("x-content-type-options").as_deref(), Some("nosniff"), "{what}");
    assert_eq!(r.header("referrer-policy").as_deref(), Some("strict-origin-when-cross-origin"), "{what}");
    assert_eq!(r.header("x-frame-options").as_deref(), Some("DENY"), "{what}");
    assert!(r.header("permissions-policy").is_some_and(|p| p.contains("camera=()")), "{what}");
    assert!(r.header("content-security-policy").is_some_and(|p| p.contains("frame-ancestors 'none'")), "{what}");
    // the local stack runs as development: HSTS is for production only
    assert!(r.header("strict-transport-security").is_none(), "{what}");
}

#[test]
fn pages_json_answers_and_errors_carry_security_headers() {
    let page = get("acme.localhost", "/p/harbor-tee");
    assert_common_security_headers(&page, "page");
    let csp = page.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("default-src 'self'") && csp.contains("img-src 'self' data:") && csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    // the page's one inline style (the brand's colours) is allowed by its exact hash
    let style = page.body.split("<style>").nth(1).and_then(|s| s.split("</style>").next()).unwrap_or_default();
    assert!(style.contains("--primary: #0b6e4f"), "{style}");
    assert!(csp.contains(&shoal_domain::security_headers::style_hash(style)), "{csp}");
    assert!(!page.body.contains("<script"), "no inline scripts");

    let json = get("acme.localhost", "/api/v1/store/brand");
    assert_common_security_headers(&json, "json");
    assert!(json.header("content-security-policy").is_some_and(|p| p.starts_with("default-src 'none'")));

    for (r, what) in [
        (get("acme.localhost", "/api/v1/no/such/thing"), "json error"),
        (get("acme.localhost", "/nowhere"), "html error"),
        (get("unknown.localhost", "/"), "unknown host"),
        (get("localhost", "/"), "landing page"),
    ] {
        assert_common_security_headers(&r, what);
    }
    let landing = get("localhost", "/");
    let csp = landing.header("content-security-policy").unwrap_or_default();
    let style = landing.body.split("<style>").nth(1).and_then(|s| s.split("</style>").next()).unwrap_or_default();
    assert!(!style.is_empty() && csp.contains(&shoal_domain::security_headers::style_hash(style)), "{csp}");
    assert!(!landing.body.contains("style=\""), "no style attributes (a hash cannot allow them)");
}

#[test]
fn text_postgres_cannot_hold_is_a_400_not_a_500() {
    for path in ["/api/v1/store/products?q=%00", "/search?q=a%00b", "/api/v1/store/orders/1?email=a%00b@example.com"] {
        let r = get("acme.localhost", path);
        assert_eq!(r.status, 400, "{path}: {}", r.body);
    }
    let r = get("acme.localhost", "/api/v1/store/products?q=%00");
    assert_eq!(r.error_code(), "invalid_text");
}
