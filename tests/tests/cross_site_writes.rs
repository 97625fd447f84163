//! Writes from other sites are refused: a form post or a JSON call from a foreign Origin
//! (or a browser saying `Sec-Fetch-Site: cross-site`), a form post without this browser's
//! CSRF token, and a JSON body sent as `text/plain` (the CORS-simple request a page on any
//! site can make). Headless storefronts get CORS only for the origins their brand lists.

use shoal_e2e::forms::Browser;
use shoal_e2e::shop::{carts, shop_with_lamp};
use shoal_e2e::*;

fn lines(brand: &str) -> String {
    sql(&format!("select coalesce(string_agg(quantity::text, ',' order by quantity), '') from cart_lines where brand_id = '{brand}'"))
}

#[test]
fn a_form_post_from_another_site_is_refused_and_the_cart_is_unchanged() {
    let (brand, host, variant) = shop_with_lamp("xs", "{}", 50);
    let mut shopper = Browser::new(&host);
    shopper.get("/p/lamp");
    assert_eq!(shopper.post("/cart/add", &[("variant_id", &variant), ("quantity", "1")]).status, 303);
    assert_eq!((carts(&brand), lines(&brand)), (1, "1".to_owned()));
    // the attack: evil.example's page posts the form (a browser sends Origin on every POST);
    // even with the shopper's cookies and a valid token, the origin alone refuses it
    let r = shopper.post_from(Some("https://evil.example"), "/cart/add", &[("variant_id", &variant), ("quantity", "7")]);
    assert_eq!((r.status, r.error_code().as_str()), (403, "cross_origin_refused"), "{}", r.body);
    assert!(r.header("set-cookie").is_none(), "no cart cookie replaces the shopper's");
    // no Origin but a browser that says the request is cross-site
    let cookie = shopper.cookie_header();
    let r = send(
        "POST",
        &host,
        "/cart/add",
        &[("cookie", &cookie), ("sec-fetch-site", "cross-site"), ("content-type", "application/x-www-form-urlencoded")],
        Some(format!("variant_id={variant}&quantity=7")),
    );
    assert_eq!((r.status, r.error_code().as_str()), (403, "cross_origin_refused"));
    // a sibling brand's host is same-site but not same-origin
    let r = shopper.post_from(Some("http://globex.localhost"), "/cart/update", &[("variant_id", &variant), ("quantity", "0")]);
    assert_eq!(r.status, 403);
    assert_eq!((carts(&brand), lines(&brand)), (1, "1".to_owned()), "nothing changed");
}

#[test]
fn a_form_post_without_this_browsers_csrf_token_is_refused() {
    let (brand, host, variant) = shop_with_lamp("csrf", "{}", 50);
    let mut shopper = Browser::new(&host);
    shopper.get("/p/lamp");
    let token = shopper.token.clone().unwrap_or_default();
    // no token at all
    shopper.token = None;
    let r = shopper.post("/cart/add", &[("variant_id", &variant), ("quantity", "1")]);
    // pages answer errors as the shop's HTML error page
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.header("content-type").is_some_and(|c| c.starts_with("text/html")));
    // another browser's token (the attacker's own) with this browser's cookie
    let mut attacker = Browser::new(&host);
    attacker.get("/p/lamp");
    shopper.token = attacker.token.clone();
    assert_eq!(shopper.post("/cart/add", &[("variant_id", &variant), ("quantity", "1")]).status, 403);
    // a token with no cookie to match (a browser that never saw the page)
    let mut stranger = Browser::new(&host);
    stranger.token = Some(token.clone());
    assert_eq!(stranger.post("/cart/add", &[("variant_id", &variant), ("quantity", "1")]).status, 403);
    // the checkout form is guarded the same way
    shopper.token = None;
    assert_eq!(shopper.post("/checkout", &[("email", "a@example.com")]).status, 403);
    assert_eq!(carts(&brand), 0, "no cart was created");
    // with its own token the same post goes through
    shopper.token = Some(token);
    assert_eq!(shopper.post("/cart/add", &[("variant_id", &variant), ("quantity", "1")]).status, 303);
    assert_eq!(carts(&brand), 1);
}

#[test]
fn json_apis_refuse_text_plain_bodies_and_foreign_origins() {
    let (brand, host, variant) = shop_with_lamp("ct", "{}", 50);
    let body = json!({"variant_id": variant, "quantity": 1}).to_string();
    // text/plain is what a cross-site page can send without a preflight
    let r = send("POST", &host, "/api/v1/store/cart/lines", &[("content-type", "text/plain")], Some(body.clone()));
    assert_eq!((r.status, r.error_code().as_str()), (415, "unsupported_media_type"), "{}", r.body);
    let r = send("POST", &host, "/api/v1/store/cart/lines", &[], Some(body.clone()));
    assert_eq!(r.status, 415, "no content type at all");
    let r = send(
        "POST",
        &host,
        "/api/v1/store/cart/lines",
        &[("content-type", "application/json"), ("origin", "https://evil.example")],
        Some(body.clone()),
    );
    assert_eq!((r.status, r.error_code().as_str()), (403, "cross_origin_refused"));
    // staff and sign-in APIs too
    let r = send(
        "POST",
        &host,
        "/api/v1/auth/login",
        &[("content-type", "text/plain")],
        Some(json!({"email": "a@b.c", "password": "x"}).to_string()),
    );
    assert_eq!(r.status, 415, "{}", r.body);
    let r = send(
        "POST",
        "localhost",
        "/api/v1/auth/signup",
        &[("content-type", "application/json"), ("origin", "https://evil.example")],
        Some("{}".into()),
    );
    assert_eq!((r.status, r.error_code().as_str()), (403, "cross_origin_refused"), "the platform host as well");
    assert_eq!(carts(&brand), 0, "nothing was written");
    // the same request from the shop's own origin, as JSON, works
    let r = send(
        "POST",
        &host,
        "/api/v1/store/cart/lines",
        &[("content-type", "application/json; charset=utf-8"), ("origin", &format!("http://{host}"))],
        Some(body),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(carts(&brand), 1);
}

#[test]
fn machine_routes_are_not_subject_to_origin_checks() {
    // the Stripe webhook authenticates by signature: a bad signature is still a 400, not a 403
    let r = send(
        "POST",
        "localhost",
        "/webhooks/stripe",
        &[("origin", "https://evil.example"), ("content-type", "application/json"), ("stripe-signature", "t=1,v1=00")],
        Some("{}".into()),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    let r = send(
        "POST",
        "edge.localhost",
        "/edge/v1/activate",
        &[("origin", "https://evil.example"), ("content-type", "application/json")],
        Some("{}".into()),
    );
    assert_ne!(r.error_code(), "cross_origin_refused", "{}", r.body);
}

#[test]
fn headless_storefronts_get_cors_only_for_their_listed_origins() {
    let theme = r#"{"cors_origins": ["https://shop.example", "*", "https://bad.example/path"]}"#;
    let (brand, host, variant) = shop_with_lamp("cors", theme, 50);
    let preflight = |origin: &str| {
        send(
            "OPTIONS",
            &host,
            "/api/v1/store/cart/lines",
            &[("origin", origin), ("access-control-request-method", "POST"), ("access-control-request-headers", "content-type")],
            None,
        )
    };
    let ok = preflight("https://shop.example");
    assert_eq!(ok.status, 204, "{}", ok.body);
    assert_eq!(ok.header("access-control-allow-origin").as_deref(), Some("https://shop.example"));
    assert_eq!(ok.header("access-control-allow-credentials").as_deref(), Some("true"));
    assert!(ok.header("access-control-allow-methods").is_some_and(|m| m.contains("POST")));
    assert!(ok.header("access-control-allow-headers").is_some_and(|h| h.contains("content-type")));
    assert!(ok.header("vary").is_some_and(|v| v.contains("Origin")));
    for refused in ["https://evil.example", "https://bad.example", "null"] {
        let r = preflight(refused);
        assert_eq!((r.status, r.error_code().as_str()), (403, "cross_origin_refused"), "{refused}");
        assert!(r.header("access-control-allow-origin").is_none(), "{refused}");
    }
    // a read: the grant for the listed origin, none for another, never `*`
    let r = send("GET", &host, "/api/v1/store/products", &[("origin", "https://shop.example")], None);
    assert_eq!(r.header("access-control-allow-origin").as_deref(), Some("https://shop.example"));
    assert!(r.header("vary").is_some_and(|v| v.contains("Origin")));
    let r = send("GET", &host, "/api/v1/store/products", &[("origin", "https://evil.example")], None);
    assert_eq!(r.status, 200);
    assert!(r.header("access-control-allow-origin").is_none());
    assert!(r.header("vary").is_some_and(|v| v.contains("Origin")), "caches keep answers per origin");
    // a write from the listed origin is accepted, and its error answers are readable too
    let r = send(
        "POST",
        &host,
        "/api/v1/store/cart/lines",
        &[("origin", "https://shop.example"), ("content-type", "application/json")],
        Some(json!({"variant_id": variant, "quantity": 1}).to_string()),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("access-control-allow-origin").as_deref(), Some("https://shop.example"));
    let r = send(
        "POST",
        &host,
        "/api/v1/store/cart/lines",
        &[("origin", "https://shop.example"), ("content-type", "application/json")],
        Some(json!({"variant_id": variant, "quantity": 99}).to_string()),
    );
    assert!(r.status >= 400 && r.header("access-control-allow-origin").is_some(), "{}", r.body);
    assert_eq!(carts(&brand), 1);
}
