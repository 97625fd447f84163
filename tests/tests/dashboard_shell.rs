//! The dashboard's HTML shell: `/admin` and `/admin/*` on a brand's host (whatever its
//! billing state) and on the platform's host load the built app under a policy that allows
//! no inline script or style; the emailed invitation link stays a server page.

use shoal_e2e::*;

const POLICY: [&str; 9] = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
];

fn assert_shell(host: &str, path: &str, site: &str) {
    let r = get(host, path);
    assert_eq!(r.status, 200, "{host}{path}: {}", r.body);
    assert!(r.header("content-type").is_some_and(|c| c.starts_with("text/html")), "{host}{path}");
    let csp = r.header("content-security-policy").unwrap_or_default();
    let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
    for d in POLICY {
        assert!(directives.contains(&d), "{host}{path}: {d} missing from {csp}");
    }
    assert!(!csp.contains("unsafe") && !csp.contains("sha256-") && !csp.contains("nonce-"), "nothing inline is allowed: {csp}");
    assert!(r.body.contains(r#"<script type="module" src="/assets/admin/app.js"></script>"#), "{}", r.body);
    assert!(r.body.contains(r#"<link rel="stylesheet" href="/assets/admin/app.css">"#), "{}", r.body);
    assert!(r.body.contains(&format!(r#"data-site="{site}""#)), "{}", r.body);
    assert!(!r.body.contains("<style") && !r.body.contains("style=") && !r.body.contains("<script>"), "{}", r.body);
}

#[test]
fn admin_paths_serve_the_shell_with_a_strict_policy() {
    for path in ["/admin", "/admin/", "/admin/sign-in", "/admin/members", "/admin/billing?checkout=success", "/admin/no/such/screen"] {
        assert_shell("acme.localhost", path, "brand");
    }
    // the brand's language for the first paint
    assert!(get("globex.localhost", "/admin").body.contains(r#"<html lang="es">"#));
    for path in ["/admin", "/admin/sign-up", "/admin/brands"] {
        assert_shell("localhost", path, "platform");
    }
    let r = send("POST", "acme.localhost", "/admin/members", &[("content-type", "application/json")], Some("{}".into()));
    assert_eq!(r.status, 405);
}

#[test]
fn the_built_app_is_served_as_static_assets() {
    for (path, kind) in [("/assets/admin/app.js", "javascript"), ("/assets/admin/app.css", "css")] {
        let r = get("acme.localhost", path);
        assert_eq!(r.status, 200, "{path}: run scripts/build");
        assert!(r.header("content-type").is_some_and(|c| c.contains(kind)), "{path}: {:?}", r.header("content-type"));
        assert!(r.body.len() > 1000, "{path}");
    }
}

#[test]
fn a_blocked_brand_still_gets_its_dashboard_and_the_invitation_link_stays_a_server_page() {
    let (brand, host) = new_brand("blockeddash", "USD", "en");
    sql(&format!(
        "insert into public.brand_subscriptions (brand_id, status, plan) values ('{brand}', 'canceled', 'starter')
         on conflict (brand_id) do update set status = 'canceled'"
    ));
    assert_shell(&host, "/admin", "brand");
    assert_shell(&host, "/admin/billing", "brand");
    let r = get(&host, "/admin/accept-invitation?token=abc");
    assert_eq!(r.status, 200);
    assert!(r.body.contains(r#"<form method="post" action="/admin/accept-invitation">"#), "{}", r.body);
}
