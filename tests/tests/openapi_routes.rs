//! The route table (`shoal_domain::api_routes::ROUTES`, which docs/openapi.json documents
//! both ways) against the running worker: every route, asked on its kind of host with
//! placeholder ids, reaches a handler (it answers neither 404 `no_route` nor 500
//! `route_not_handled`), and paths the table does not hold answer `no_route`.
//!
//! `tests/fixtures/openapi-pending-routes.txt` lists the routes of the admin API contract
//! that other branches of issue 13 implement: until they merge, those answer
//! `route_not_handled` here, and this test insists that they do, so the list is emptied
//! at the merge (an entry that is answered fails the test, naming it).

use shoal_domain::api_routes::{HostKind, ROUTES};
use shoal_e2e::*;

const PENDING: &str = include_str!("../fixtures/openapi-pending-routes.txt");

fn pending() -> Vec<(String, String)> {
    PENDING
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (m, p) = l.split_once(' ').unwrap_or_else(|| panic!("not `METHOD /path`: {l}"));
            (m.to_owned(), p.trim().to_owned())
        })
        .collect()
}

/// A placeholder for each path parameter: well-formed, naming nothing that exists.
fn fill(template: &str) -> String {
    template
        .split('/')
        .map(|seg| match seg {
            "{slug}" => "no-such-product".to_owned(),
            "{number}" => "999999".to_owned(),
            "{host}" => "no-such-domain.example.com".to_owned(),
            "{platform}" => "linux-x86_64".to_owned(),
            "{version}" => "9.9.9".to_owned(),
            "{page}" => "privacy".to_owned(),
            "{language}" => "en".to_owned(),
            s if s.starts_with('{') => uuid(),
            s => s.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn code_of(r: &Reply) -> Option<String> {
    serde_json::from_str::<Value>(&r.body).ok().and_then(|v| v["error"]["code"].as_str().map(str::to_owned))
}

#[test]
fn every_route_reaches_a_handler_and_pending_ones_are_listed() {
    let (brand, host) = new_brand("routes", "USD", "en");
    let token = staff_session(&host, &brand, "brand_admin");
    let bearer = format!("Bearer {token}");
    let (_, fingerprint) = shoal_e2e::edge::device(&host, 30);
    let blob = shoal_e2e::edge::verified(&fingerprint);
    let pending = pending();
    let mut wrong = Vec::new();
    for route in ROUTES {
        let path = fill(route.path);
        let target = match route.host {
            HostKind::Brand | HostKind::Any => host.as_str(),
            HostKind::Platform => "localhost",
            HostKind::Edge => "edge.localhost",
        };
        // every request from its own client address: the general API limit counts per client
        let ip = fresh_ip();
        let mut headers = vec![("cf-connecting-ip", ip.as_str()), ("content-type", "application/json")];
        if path.starts_with("/api/v1/admin/") {
            headers.push(("authorization", bearer.as_str()));
        }
        if route.host == HostKind::Edge {
            headers.push(("mf-cf-blob", blob.as_str()));
        }
        let body = (route.method != "GET").then(|| "{}".to_owned());
        let r = send(route.method, target, &path, &headers, body);
        let code = code_of(&r);
        let is_pending = pending.iter().any(|(m, p)| m == route.method && p == route.path);
        let unhandled = code.as_deref() == Some("route_not_handled");
        if code.as_deref() == Some("no_route") || unhandled != is_pending {
            wrong.push(format!("{} {} ({}): {} {}", route.method, path, route.host.as_str(), r.status, r.body));
        }
        if unhandled {
            assert_eq!(r.status, 500, "route_not_handled is a 500");
        }
    }
    assert!(
        wrong.is_empty(),
        "routes answered wrongly (no_route, or route_not_handled not matching the pending list):\n{}",
        wrong.join("\n")
    );
    // every pending entry is a route of the table
    for (m, p) in &pending {
        assert!(ROUTES.iter().any(|r| r.method == m && r.path == p), "pending entry {m} {p} is no route");
    }
}

#[test]
fn paths_the_table_does_not_hold_answer_no_route() {
    let cases = [
        ("GET", "acme.localhost", "/api/v1/no/such/thing"),
        ("GET", "acme.localhost", "/api/v1/store/products/a/b"),
        ("GET", "acme.localhost", "/api/v1/admin/nothing-here"),
        ("GET", "acme.localhost", "/api/v2/store/brand"),
        // trailing slashes are other paths
        ("GET", "acme.localhost", "/api/v1/store/brand/"),
        // sign-up is the platform's, the store the brands', the device API the edge's
        ("POST", "acme.localhost", "/api/v1/auth/signup"),
        ("GET", "localhost", "/api/v1/store/brand"),
        ("GET", "acme.localhost", "/edge/v1/status"),
        ("GET", "edge.localhost", "/edge/v1/nothing"),
        ("GET", "edge.localhost", "/api/v1/store/brand"),
    ];
    for (method, host, path) in cases {
        let r = send(method, host, path, &[("cf-connecting-ip", &fresh_ip())], None);
        assert_eq!((r.status, r.error_code().as_str()), (404, "no_route"), "{method} {host}{path}");
    }
    // no_route needs no signed-in caller: the table answers before any handler
    let r = send("GET", "acme.localhost", "/api/v1/admin/nothing-here", &[], None);
    assert_eq!(r.status, 404, "{}", r.body);
}

#[test]
fn a_routed_path_with_another_method_is_405_with_allow() {
    let r = send("DELETE", "acme.localhost", "/api/v1/store/cart", &[("cf-connecting-ip", &fresh_ip())], None);
    assert_eq!((r.status, r.error_code().as_str()), (405, "method_not_allowed"));
    assert_eq!(r.header("allow").as_deref(), Some("GET, HEAD"));
    let r = send("PUT", "acme.localhost", "/api/v1/admin/members/x", &[("cf-connecting-ip", &fresh_ip())], None);
    assert_eq!((r.status, r.header("allow").as_deref()), (405, Some("PATCH, DELETE")), "{}", r.body);
    let r = send("GET", "localhost", "/api/v1/auth/signup", &[("cf-connecting-ip", &fresh_ip())], None);
    assert_eq!((r.status, r.header("allow").as_deref()), (405, Some("POST")), "{}", r.body);
}

#[test]
fn the_openapi_document_is_served_on_every_host() {
    let expected: Value = serde_json::from_str(include_str!("../../docs/openapi.json")).expect("docs/openapi.json");
    for host in ["acme.localhost", "localhost", "edge.localhost"] {
        let r = get(host, "/api/v1/openapi.json");
        assert_eq!(r.status, 200, "{host}: {}", r.body);
        assert!(r.header("content-type").is_some_and(|c| c.starts_with("application/json")), "{host}");
        assert!(r.header("cache-control").is_some_and(|c| c.contains("max-age")), "{host}");
        assert_eq!(r.json(), expected, "{host} serves docs/openapi.json");
    }
    let r = send("POST", "acme.localhost", "/api/v1/openapi.json", &[], Some("{}".into()));
    assert_eq!((r.status, r.error_code().as_str()), (405, "method_not_allowed"));
}
