//! Exact fixed-window rate limiting, decided here and stored by a Durable Object (one per
//! action and client). The window starts at the first request, so a burst is counted
//! whole whatever the wall clock says.

use std::net::{IpAddr, Ipv6Addr};

use serde::{Deserialize, Serialize};

/// The client a budget belongs to. An IPv4 address is one client; an IPv6 client gets a
/// whole /64 from its provider (it can pick any of 2^64 addresses), so the /64 is the
/// client. Unparsable values are kept as they are (they are all one client, "unknown").
pub fn client_key(ip: &str) -> String {
    match ip.trim().parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{}/64", Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        Err(_) => ip.trim().to_owned(),
    }
}

/// Requests per client per minute on every API route: the general limit, on top of the
/// tighter limits of single actions (sign-in, codes, checkout, cart writes …).
pub const API_PER_MINUTE: i64 = 100;

/// The host a request came to: the platform's own, a brand's, or the devices' edge host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    Platform,
    Brand,
    Edge,
}

/// Whose budget of the general API limit a request spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiBudget {
    /// Not an API request (pages, health, Stripe's webhooks, CORS preflights).
    Exempt,
    /// The client's, by IP (IPv6 per /64).
    Client,
    /// The device's, by the id of the device its certificate admits (the edge routes after
    /// admission); the device's IP does not matter.
    Device,
}

/// The route classes of the general API limit (docs/auth.md "Rate limits").
/// Pages are not API: a page flood is for the platform's WAF rules, and the pages that reach
/// the database have limits of their own. Stripe's webhooks come from Stripe's few
/// addresses for every brand at once and are refused by signature before any work, so a
/// per-IP budget would only delay payments. Preflights are answered from configuration.
/// On the edge host, activation and status are answered before a certificate admits a
/// device (first activation has none; status answers refused devices), so they count per IP.
pub fn api_budget(site: Site, method: &str, path: &str) -> ApiBudget {
    match site {
        _ if path == "/webhooks/stripe" => ApiBudget::Exempt,
        Site::Edge => match path {
            "/edge/v1/activate" | "/edge/v1/status" => ApiBudget::Client,
            p if p.starts_with("/edge/v1/") => ApiBudget::Device,
            _ => ApiBudget::Exempt,
        },
        Site::Platform | Site::Brand if method.eq_ignore_ascii_case("OPTIONS") => ApiBudget::Exempt,
        Site::Platform | Site::Brand if path.starts_with("/api/") => ApiBudget::Client,
        Site::Platform | Site::Brand => ApiBudget::Exempt,
    }
}

/// The rate-limit client of a device's budget: its id, never its address.
pub fn device_client(device_id: &str) -> String {
    format!("device:{device_id}")
}

/// When a stored window can be deleted: once it has ended nothing depends on it.
pub fn expires_at_ms(window: Window, window_ms: i64) -> i64 {
    window.start_ms.saturating_add(window_ms)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub start_ms: i64,
    pub count: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub allowed: bool,
    /// Seconds until the window resets (0 when allowed).
    pub retry_after: i64,
    pub remaining: i64,
    /// What to store.
    pub window: Window,
}

pub fn decide(previous: Option<Window>, now_ms: i64, limit: i64, window_ms: i64) -> Decision {
    let current = match previous {
        Some(w) if now_ms < w.start_ms + window_ms && now_ms >= w.start_ms => w,
        _ => Window { start_ms: now_ms, count: 0 },
    };
    if current.count >= limit {
        let left_ms = current.start_ms + window_ms - now_ms;
        return Decision { allowed: false, retry_after: (left_ms + 999) / 1000, remaining: 0, window: current };
    }
    let window = Window { start_ms: current.start_ms, count: current.count + 1 };
    Decision { allowed: true, retry_after: 0, remaining: limit - window.count, window }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_exactly_the_limit_then_refuses_until_the_window_ends() {
        let mut w = None;
        for i in 0..10 {
            let d = decide(w, 1_000 + i, 10, 60_000);
            assert!(d.allowed, "request {}", i + 1);
            w = Some(d.window);
        }
        let refused = decide(w, 1_500, 10, 60_000);
        assert!(!refused.allowed, "11th request");
        assert_eq!(refused.retry_after, 60);
        assert_eq!(refused.window, Window { start_ms: 1_000, count: 10 }, "a refusal does not extend the window");
        let later = decide(w, 61_000, 10, 60_000);
        assert!(later.allowed, "a new window");
        assert_eq!(later.window, Window { start_ms: 61_000, count: 1 });
    }

    #[test]
    fn a_clock_going_backwards_starts_a_new_window() {
        let d = decide(Some(Window { start_ms: 10_000, count: 5 }), 9_000, 5, 60_000);
        assert!(d.allowed);
        assert_eq!(d.window.start_ms, 9_000);
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64_and_ipv4_by_address() {
        assert_eq!(client_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(client_key("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64", "same /64, same budget");
        assert_ne!(client_key("2001:db8:1:3::1"), client_key("2001:db8:1:2::1"), "another /64");
        assert_eq!(client_key("2001:DB8:1:2::1"), "2001:db8:1:2::/64", "one spelling");
        assert_eq!(client_key("203.0.113.7"), "203.0.113.7");
        assert_eq!(client_key("::ffff:203.0.113.7"), "203.0.113.7", "v4-mapped is the v4 client");
        assert_eq!(client_key("unknown"), "unknown");
    }

    #[test]
    fn a_window_expires_when_it_ends() {
        assert_eq!(expires_at_ms(Window { start_ms: 1_000, count: 3 }, 60_000), 61_000);
        assert_eq!(expires_at_ms(Window { start_ms: i64::MAX - 1, count: 1 }, 60_000), i64::MAX);
    }

    #[test]
    fn retry_after_rounds_up() {
        let d = decide(Some(Window { start_ms: 0, count: 1 }), 59_001, 1, 60_000);
        assert_eq!((d.allowed, d.retry_after), (false, 1));
    }

    #[test]
    fn every_api_route_spends_the_general_budget_and_pages_do_not() {
        use ApiBudget::*;
        for path in [
            "/api/v1/store/products",
            "/api/v1/store/cart",
            "/api/v1/store/cart/lines",
            "/api/v1/store/checkout",
            "/api/v1/store/orders/1001",
            "/api/v1/admin/orders",
            "/api/v1/account/me",
            "/api/v1/auth/login",
        ] {
            assert_eq!(api_budget(Site::Brand, "GET", path), Client, "{path}");
            assert_eq!(api_budget(Site::Brand, "POST", path), Client, "{path}");
        }
        assert_eq!(api_budget(Site::Platform, "POST", "/api/v1/auth/signup"), Client);
        for path in ["/", "/products/tee", "/cart", "/orders", "/healthz", "/admin/billing"] {
            assert_eq!(api_budget(Site::Brand, "GET", path), Exempt, "{path} is a page");
        }
        assert_eq!(api_budget(Site::Brand, "OPTIONS", "/api/v1/store/cart"), Exempt, "a preflight");
        assert_eq!(api_budget(Site::Platform, "POST", "/webhooks/stripe"), Exempt);
        assert_eq!(api_budget(Site::Brand, "POST", "/webhooks/stripe"), Exempt);
    }

    #[test]
    fn edge_routes_count_per_device_once_admitted_and_per_ip_before() {
        use ApiBudget::*;
        assert_eq!(api_budget(Site::Edge, "POST", "/edge/v1/activate"), Client);
        assert_eq!(api_budget(Site::Edge, "GET", "/edge/v1/status"), Client);
        for path in [
            "/edge/v1/health",
            "/edge/v1/sync/push",
            "/edge/v1/sync/pull",
            "/edge/v1/commands",
            "/edge/v1/commands/x/ack",
            "/edge/v1/updates/latest",
            "/edge/v1/nope",
        ] {
            assert_eq!(api_budget(Site::Edge, "GET", path), Device, "{path}");
        }
        assert_eq!(api_budget(Site::Edge, "GET", "/"), Exempt, "not the edge API: 404");
        assert_eq!(device_client("d1"), "device:d1");
        assert_eq!(client_key(&device_client("d1")), "device:d1", "a device id is not read as an address");
    }
}
