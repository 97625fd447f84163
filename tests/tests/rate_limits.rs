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

fn login(ip: &str, email: &str, password: &str) -> Reply {
    let body = json!({"email": email, "password": password}).to_string();
    send("POST", "acme.localhost", "/api/v1/auth/login", &[("cf-connecting-ip", ip), ("content-type", "application/json")], Some(body))
}

/// The 50-failed-logins-an-hour limit counts an IPv6 client per /64: a client that takes a
/// new address of its /64 for every try is still one client. Failures are stored under the
/// client's key (the /64), the audit log keeps the exact address.
#[test]
fn failed_logins_count_an_ipv6_client_per_64() {
    let net = fresh_64();
    let key = shoal_domain::rate_limit::client_key(&format!("{net}::1"));
    for n in 1..=4 {
        let ip = format!("{net}:{n:x}:{n:x}:{n:x}:{n:x}");
        let r = login(&ip, &format!("{}@example.com", unique("nobody")), "wrong-password");
        assert_eq!(r.status, 401, "try {n}: {}", r.body);
    }
    assert_eq!(count(&format!("select count(*) from login_failures where ip = '{key}'")), 4, "stored under the /64");
    assert_eq!(
        count(&format!("select count(*) from audit_log where action = 'login_failed' and ip like '{net}:%'")),
        4,
        "audited with the address"
    );
    // the rest of the hour's 50 failures of this /64 (from other addresses of it, earlier)
    sql(&format!("insert into login_failures (brand_id, email, ip, at) select '{ACME_ID}', 'x@example.com', '{key}', now() - interval '10 minutes' from generate_series(1, 46)"));
    // yet another address of the same /64, with the right password: refused
    let r = login(&format!("{net}:ffff:ffff:ffff:fffe"), "admin@acme.localhost", DEV_PASSWORD);
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"), "{}", r.body);
    assert_eq!(
        count(&format!("select count(*) from audit_log where action = 'login' and ip like '{net}:%'")),
        0,
        "no session opened for the /64"
    );
    // a neighbouring /64 is another client
    let other = format!("{}::1", fresh_64());
    assert_eq!(login(&other, "admin@acme.localhost", DEV_PASSWORD).status, 200);
}
