//! The general API limit: 100 requests a minute per client on every API route (storefront
//! JSON, cart, checkout, staff, account, auth), an admitted edge device counted by its id
//! wherever it connects from; pages and Stripe's webhooks are not counted. The 101st request
//! is `429 rate_limited` with `Retry-After` and changes nothing.

use shoal_e2e::edge::{activated, cf, edge_with, verified};
use shoal_e2e::shop::*;
use shoal_e2e::*;

const LIMIT: usize = 100;

/// What Cloudflare reports when no client certificate was presented.
fn no_certificate() -> String {
    cf("0", "NONE", "0", "")
}

fn assert_refused(r: &Reply, what: &str) {
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"), "{what}: {}", r.body);
    let retry = r.header("retry-after").and_then(|v| v.parse::<u64>().ok());
    assert!(retry.is_some_and(|v| (1..=60).contains(&v)), "{what}: Retry-After {retry:?}");
}

#[test]
fn storefront_json_is_limited_to_a_hundred_requests_a_minute_per_client() {
    let mut s = Shopper::new("acme.localhost");
    let paths = ["/api/v1/store/brand", "/api/v1/store/products", "/api/v1/store/categories"];
    start_of_a_window();
    for i in 0..LIMIT {
        let r = s.call("GET", paths[i % paths.len()], None);
        assert_eq!(r.status, 200, "request {}: {}", i + 1, r.body);
    }
    assert_refused(&s.call("GET", "/api/v1/store/products", None), "the 101st storefront read");
    assert_refused(&s.call("GET", "/api/v1/store/cart", None), "the cart API shares the budget");
    assert_refused(&s.call("POST", "/api/v1/auth/login", Some(json!({"email": "a@example.com", "password": "x"}))), "sign-in too");
    // pages are not API: the WAF's rules are for page floods
    let page = send("GET", "acme.localhost", "/", &[("cf-connecting-ip", &s.ip)], None);
    assert_eq!(page.status, 200, "a page for the same client: {}", page.body);
    // other clients, on this brand or another, keep their budgets
    assert_eq!(Shopper::new("acme.localhost").call("GET", "/api/v1/store/products", None).status, 200);
    assert_eq!(Shopper::new("globex.localhost").call("GET", "/api/v1/store/products", None).status, 200);
}

#[test]
fn a_cart_write_or_checkout_past_the_limit_changes_nothing() {
    let (brand, host, variant) = shop_with_lamp("limit", "{}", 10);
    let mut s = Shopper::new(&host);
    start_of_a_window();
    assert_eq!(s.add(&variant, 2).status, 200, "the first request");
    for i in 1..LIMIT {
        let r = s.call("GET", "/api/v1/store/brand", None);
        assert_eq!(r.status, 200, "request {}: {}", i + 1, r.body);
    }
    assert_refused(&s.add(&variant, 1), "the 101st: a cart write");
    assert_refused(&s.call("PUT", &format!("/api/v1/store/cart/lines/{variant}"), Some(json!({"quantity": 5}))), "a set");
    assert_refused(&s.call("DELETE", &format!("/api/v1/store/cart/lines/{variant}"), None), "a removal");
    assert_refused(&s.checkout(json!({"email": "limited@example.com"})), "a checkout");
    assert_eq!(count(&format!("select coalesce(sum(quantity), 0) from cart_lines where brand_id = '{brand}'")), 2, "the cart as it was");
    assert_eq!(count(&format!("select count(*) from orders where brand_id = '{brand}'")), 0, "no order");
    assert_eq!(carts(&brand), 1);
    // another shopper of the same brand is not affected
    let mut other = Shopper::new(&host);
    assert_eq!(other.add(&variant, 1).status, 200, "another client");
}

#[test]
fn an_edge_device_has_its_own_budget_wherever_it_connects_from() {
    let (_, host) = new_brand("edgelimit", "USD", "en");
    let (a, fp_a, _) = activated(&host);
    let (_, fp_b, _) = activated(&host);
    let (blob_a, blob_b) = (verified(&fp_a), verified(&fp_b));
    let (ip1, ip2) = (fresh_ip(), fresh_ip());
    start_of_a_window();
    // device A, half from each address: one budget
    for i in 0..LIMIT {
        let ip = if i % 2 == 0 { &ip1 } else { &ip2 };
        let r = edge_with("GET", "/edge/v1/commands", &blob_a, &[("cf-connecting-ip", ip)], None);
        assert_eq!(r.status, 200, "request {} of device A: {}", i + 1, r.body);
    }
    let seen = sql(&format!("select coalesce(last_seen_at::text, '') from devices where id = '{a}'"));
    let third = fresh_ip();
    for ip in [&ip1, &ip2, &third] {
        assert_refused(&edge_with("GET", "/edge/v1/health", &blob_a, &[("cf-connecting-ip", ip)], None), "device A's 101st");
    }
    assert_eq!(sql(&format!("select coalesce(last_seen_at::text, '') from devices where id = '{a}'")), seen, "no heartbeat recorded");
    // device B behind the same addresses has a budget of its own, and so has the address
    assert_eq!(edge_with("GET", "/edge/v1/commands", &blob_b, &[("cf-connecting-ip", &ip1)], None).status, 200, "device B");
    let status = edge_with("GET", "/edge/v1/status", &no_certificate(), &[("cf-connecting-ip", &ip1)], None);
    assert_eq!(status.status, 200, "status by IP: {}", status.body);
}

#[test]
fn edge_requests_before_a_certificate_are_counted_per_address() {
    let ip = fresh_ip();
    start_of_a_window();
    for i in 0..LIMIT {
        let r = edge_with("GET", "/edge/v1/status", &no_certificate(), &[("cf-connecting-ip", &ip)], None);
        assert_eq!(r.status, 200, "status {}: {}", i + 1, r.body);
    }
    assert_refused(&edge_with("GET", "/edge/v1/status", &no_certificate(), &[("cf-connecting-ip", &ip)], None), "the 101st status");
    let activation = json!({"activation_code": "0".repeat(32), "hardware_id": "HW-limit", "csr": "x"});
    assert_refused(
        &edge_with("POST", "/edge/v1/activate", &no_certificate(), &[("cf-connecting-ip", &ip)], Some(activation)),
        "activation shares it",
    );
    // a request no certificate admits counts for its address too
    assert_refused(&edge_with("GET", "/edge/v1/commands", &no_certificate(), &[("cf-connecting-ip", &ip)], None), "an unadmitted request");
    let other = fresh_ip();
    assert_eq!(
        edge_with("GET", "/edge/v1/status", &no_certificate(), &[("cf-connecting-ip", &other)], None).status,
        200,
        "another address"
    );
}

/// Stripe sends every brand's events from a few addresses: a per-IP budget would refuse
/// payments. Its webhooks are refused by signature instead, never with 429.
#[test]
fn stripe_webhooks_are_not_counted() {
    let ip = fresh_ip();
    for i in 0..=LIMIT {
        let r = send(
            "POST",
            "localhost",
            "/webhooks/stripe",
            &[("cf-connecting-ip", &ip), ("stripe-signature", "t=1,v1=00")],
            Some("{}".into()),
        );
        assert_eq!(r.status, 400, "webhook {}: {}", i + 1, r.body);
    }
}
