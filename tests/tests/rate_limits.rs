//! Rate limits count a client: an IPv4 address, or an IPv6 /64 (one subscriber's
//! allocation, from which it can pick any address). Order-status lookups (number + email)
//! are throttled so emails cannot be tried without limit.

use shoal_e2e::*;

fn lookup_api(ip: &str, n: i64) -> Reply {
    send("GET", "acme.localhost", &format!("/api/v1/store/orders/{n}?email=guess{n}@example.com"), &[("cf-connecting-ip", ip)], None)
}

fn lookup_page(ip: &str, n: i64) -> Reply {
    send("GET", "acme.localhost", &format!("/orders?number={n}&email=guess{n}@example.com"), &[("cf-connecting-ip", ip)], None)
}

/// A /64 no other test uses: `fdXX:…:…:…::/64`, from a fresh address.
fn fresh_64() -> String {
    let ip = fresh_ip();
    ip.trim_end_matches("::1").to_owned()
}

#[test]
fn order_status_lookups_are_throttled_per_client() {
    let ip = fresh_ip();
    for n in 1..=20 {
        let r = if n % 2 == 0 { lookup_api(&ip, 900_000 + n) } else { lookup_page(&ip, 900_000 + n) };
        assert_eq!(r.status, 404, "lookup {n}: {}", r.body);
    }
    let r = lookup_api(&ip, 900_021);
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"), "{}", r.body);
    assert_eq!(lookup_page(&ip, 900_022).status, 429, "the page shares the budget");
    // the page without a query is not a lookup
    assert_eq!(send("GET", "acme.localhost", "/orders", &[("cf-connecting-ip", &ip)], None).status, 200);
}

#[test]
fn two_ipv6_addresses_in_one_64_share_a_budget() {
    let net = fresh_64();
    let (a, b) = (format!("{net}::1"), format!("{net}:ffff:ffff:ffff:fffe"));
    for n in 1..=20 {
        assert_eq!(lookup_api(&a, 910_000 + n).status, 404, "lookup {n}");
    }
    let r = lookup_api(&b, 910_021);
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"), "another address of the same /64: {}", r.body);
    // a neighbouring /64 is another client
    let other = format!("{}::1", fresh_64());
    assert_eq!(lookup_api(&other, 910_022).status, 404);
}
