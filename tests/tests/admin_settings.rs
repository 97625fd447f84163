//! Brand settings over HTTP (`staff/settings.rs`): read and change (contrast checked,
//! currency locked once there are orders), logo, legal pages, publishing ("coming soon");
//! sign-up's currency and language; each member's new-order email. Every attack is refused
//! with nothing changed.

use serde_json::{json, Value};
use shoal_e2e::stripe::{checkout_session, deliver, event, pending_order};
use shoal_e2e::*;

fn call(method: &str, host: &str, path: &str, token: &str, body: Option<Value>) -> Reply {
    let auth = format!("Bearer {token}");
    send(method, host, path, &[("authorization", &auth), ("content-type", "application/json")], body.map(|b| b.to_string()))
}

/// A brand of its own (published, as `new_brand` makes them) and its admin's token.
fn own_brand(currency: &str, locale: &str) -> (String, String, String) {
    let (brand, host) = new_brand("set", currency, locale);
    let token = staff_token(&host);
    (brand, host, token)
}

fn row(brand: &str) -> String {
    sql(&format!("select name || '|' || currency || '|' || locale || '|' || theme::text || '|' || coalesce(support_email, '') || '|' || published from brands where id = '{brand}'"))
}

fn audit(brand: &str) -> i64 {
    count(&format!("select count(*) from audit_log where brand_id = '{brand}'"))
}

#[test]
fn an_admin_reads_and_changes_the_settings_and_the_storefront_shows_them_at_once() {
    let (brand, host, token) = own_brand("USD", "en");
    let r = call("GET", &host, "/api/v1/admin/settings", &token, None);
    assert_eq!(r.status, 200, "{}", r.body);
    let s = r.json();
    for key in ["name", "logo_url", "theme", "locale", "currency", "support_email", "published", "legal", "email_languages"] {
        assert!(s.get(key).is_some(), "{key} in {s}");
    }
    assert_eq!(s["legal"], json!({"privacy": {}, "terms": {}, "returns": {}}));
    assert_eq!(s["published"], true);
    get(&host, "/"); // cached before the change

    let change = json!({"name": "Lámparas & Co", "theme": {"primary": "#1d3557", "background": "#ffffff", "text": "#111111"},
                        "locale": "es", "currency": "EUR", "support_email": "Help@Lamps.example"});
    let r = call("PATCH", &host, "/api/v1/admin/settings", &token, Some(change));
    assert_eq!(r.status, 200, "{}", r.body);
    let s = r.json();
    assert_eq!((s["name"].as_str(), s["locale"].as_str(), s["currency"].as_str()), (Some("Lámparas & Co"), Some("es"), Some("EUR")));
    assert_eq!(s["theme"], json!({"primary": "#1d3557", "background": "#ffffff", "text": "#111111"}));
    assert_eq!(s["support_email"], "help@lamps.example");
    let page = get(&host, "/");
    assert!(page.body.contains("Lámparas &#38; Co") && page.body.contains("lang=\"es\""), "{}", page.body);
    assert!(page.body.contains("--background: #ffffff") && page.body.contains("--text: #111111"), "{}", page.body);
    assert_eq!(get(&host, "/api/v1/store/brand").json()["currency"], "EUR");
    assert!(count(&format!("select count(*) from audit_log where brand_id = '{brand}' and action = 'settings_changed'")) == 1);
    // read_only members read the settings too
    let viewer = staff_session(&host, &brand, "read_only");
    assert_eq!(call("GET", &host, "/api/v1/admin/settings", &viewer, None).status, 200);
}

#[test]
fn low_contrast_colours_are_422_naming_the_pair_and_change_nothing() {
    let (brand, host, token) = own_brand("USD", "en");
    let before = (row(&brand), audit(&brand));
    // the message names the field to change first (`field: why`, as every invalid field
    // is named) and what it is drawn against
    for (theme, field, against) in [
        (json!({"text": "#cccccc", "background": "#ffffff"}), "theme.text", "against theme.background"),
        (json!({"primary": "#ffee00"}), "theme.primary", "against theme.background"),
        (json!({"primary": "#f0f0f0", "background": "#000000", "text": "#ffffff"}), "theme.primary", "against white"),
    ] {
        let r = call("PATCH", &host, "/api/v1/admin/settings", &token, Some(json!({"name": "Changed", "theme": theme})));
        assert_eq!((r.status, r.error_code().as_str()), (422, "low_contrast"), "{theme}: {}", r.body);
        let named = r.json()["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with(&format!("{field}: contrast ")) && m.contains(against) && m.contains("4.5"));
        assert!(named, "{}", r.body);
    }
    for body in [
        json!({"theme": {"primary": "red"}}),
        json!({"theme": {"accent": "#000000"}}),
        json!({"currency": "usd"}),
        json!({"currency": "XYZ"}),
        json!({"locale": "fr"}),
        json!({"name": ""}),
        json!({"support_email": "not-an-email"}),
        json!({"published": true}),
    ] {
        let r = call("PATCH", &host, "/api/v1/admin/settings", &token, Some(body.clone()));
        assert_eq!(r.status, 400, "{body}: {}", r.body);
    }
    let r = send(
        "PATCH",
        &host,
        "/api/v1/admin/settings",
        &[("authorization", &format!("Bearer {token}")), ("content-type", "application/json")],
        Some("{\"name\": ".into()),
    );
    assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_json"));
    let big = json!({"name": "x".repeat(70 * 1024)});
    assert_eq!(call("PATCH", &host, "/api/v1/admin/settings", &token, Some(big)).status, 413);
    assert_eq!((row(&brand), audit(&brand)), before);
}

#[test]
fn the_currency_changes_until_the_first_order_then_is_locked() {
    let (brand, host, token) = own_brand("USD", "en");
    assert_eq!(call("PATCH", &host, "/api/v1/admin/settings", &token, Some(json!({"currency": "MXN"}))).status, 200);
    pending_order(&brand, 1000, "MXN");
    let r = call("PATCH", &host, "/api/v1/admin/settings", &token, Some(json!({"currency": "EUR"})));
    assert_eq!((r.status, r.error_code().as_str()), (409, "currency_locked"), "{}", r.body);
    assert_eq!(sql(&format!("select currency from brands where id = '{brand}'")), "MXN");
    assert_eq!(call("GET", &host, "/api/v1/admin/settings", &token, None).json()["has_orders"], true);
    // the same currency again is no change
    assert_eq!(call("PATCH", &host, "/api/v1/admin/settings", &token, Some(json!({"currency": "MXN"}))).status, 200);
}

fn png() -> Vec<u8> {
    let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    b.extend_from_slice(unique("logo").as_bytes());
    b
}

fn post_bytes(host: &str, path: &str, token: Option<&str>, body: Vec<u8>) -> Reply {
    let mut req = reqwest::blocking::Client::new()
        .post(format!("http://127.0.0.1:{}{path}", worker_port()))
        .header("host", host)
        .header("cf-connecting-ip", fresh_ip())
        .header("content-type", "image/png");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let resp = req.body(body).send().unwrap_or_else(|e| panic!("{e}"));
    let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
    Reply { status, headers, body: resp.text().unwrap_or_default() }
}

#[test]
fn an_uploaded_logo_replaces_the_fallback_in_the_storefront_header() {
    let (brand, host, token) = own_brand("USD", "en");
    assert!(get(&host, "/").body.contains("src=\"/assets/shoal.svg\""), "the fallback first");
    let bytes = png();
    let r = post_bytes(&host, "/api/v1/admin/settings/logo", Some(&token), bytes.clone());
    assert_eq!(r.status, 200, "{}", r.body);
    let url = r.json()["logo_url"].as_str().unwrap_or_default().to_owned();
    assert_eq!(url, format!("/media/{}.png", shoal_domain::media::sha256_hex(&bytes)));
    let page = get(&host, "/");
    assert!(page.body.contains(&format!("<img src=\"{url}\"")), "{}", page.body);
    assert_eq!(get(&host, &url).status, 200);
    assert_eq!(call("GET", &host, "/api/v1/admin/settings", &token, None).json()["logo_url"], url.as_str());
    // refused: an SVG, an editor, another brand's token, no token — the logo stays
    let svg = post_bytes(&host, "/api/v1/admin/settings/logo", Some(&token), b"<svg onload=alert(1)/>".to_vec());
    assert_eq!((svg.status, svg.error_code().as_str()), (415, "unsupported_image_type"));
    let editor = staff_session(&host, &brand, "editor");
    assert_eq!(post_bytes(&host, "/api/v1/admin/settings/logo", Some(&editor), png()).status, 403);
    assert_eq!(post_bytes(&host, "/api/v1/admin/settings/logo", Some(&staff_token("acme.localhost")), png()).status, 401);
    assert_eq!(post_bytes(&host, "/api/v1/admin/settings/logo", None, png()).status, 401);
    assert_eq!(sql(&format!("select theme->>'logo' from brands where id = '{brand}'")), url);
}

#[test]
fn legal_pages_show_in_the_shoppers_language_with_fallback_and_escaped() {
    let (_, host, token) = own_brand("EUR", "es");
    assert_eq!(get(&host, "/legal/privacy").status, 404, "none written yet");
    let r = call(
        "PUT",
        &host,
        "/api/v1/admin/settings/legal/privacy/es",
        &token,
        Some(json!({"body": "# Datos\n\nGuardamos **poco**.\n<script>alert(1)</script>"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        call("PUT", &host, "/api/v1/admin/settings/legal/privacy/en", &token, Some(json!({"body": "We keep **little**."}))).status,
        200
    );
    let es = send("GET", &host, "/legal/privacy", &[("accept-language", "es-ES,es;q=0.9")], None);
    assert_eq!(es.status, 200);
    assert!(es.body.contains("<h2>Datos</h2>") && es.body.contains("<strong>poco</strong>"), "{}", es.body);
    assert!(es.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !es.body.contains("<script>alert"), "escaped");
    assert_eq!(es.header("vary").as_deref(), Some("Accept-Language"));
    let en = send("GET", &host, "/legal/privacy", &[("accept-language", "en-GB,en;q=0.9")], None);
    assert!(en.body.contains("We keep <strong>little</strong>."), "{}", en.body);
    // no page in the shopper's language: the other one
    call("PUT", &host, "/api/v1/admin/settings/legal/returns/es", &token, Some(json!({"body": "30 días"})));
    let fallback = send("GET", &host, "/legal/returns", &[("accept-language", "en")], None);
    assert!(fallback.status == 200 && fallback.body.contains("30 días"), "{}", fallback.body);
    let settings = call("GET", &host, "/api/v1/admin/settings", &token, None).json();
    assert_eq!(settings["legal"]["returns"], json!({"es": "30 días"}));
    // unknown kinds or languages name nothing; another brand never shows them
    assert_eq!(call("PUT", &host, "/api/v1/admin/settings/legal/cookies/en", &token, Some(json!({"body": "x"}))).status, 404);
    assert_eq!(call("PUT", &host, "/api/v1/admin/settings/legal/terms/fr", &token, Some(json!({"body": "x"}))).status, 404);
    assert_eq!(get(&host, "/legal/cookies").status, 404);
    assert!(!get("acme.localhost", "/legal/returns").body.contains("30 días"));
    // an empty body removes the page
    assert_eq!(call("PUT", &host, "/api/v1/admin/settings/legal/returns/es", &token, Some(json!({"body": ""}))).status, 200);
    assert_eq!(get(&host, "/legal/returns").status, 404);
}

#[test]
fn a_signed_up_shop_is_coming_soon_until_published_while_its_staff_api_works() {
    let owner = signed_up_owner("soon");
    for path in ["/", "/p/anything", "/cart", "/legal/privacy"] {
        let r = get(&owner.host, path);
        assert_eq!(r.status, 503, "{path}: {}", r.body);
        assert!(r.body.contains("Coming soon") && r.body.contains("noindex"), "{}", r.body);
        assert_eq!(r.header("x-robots-tag").as_deref(), Some("noindex"));
    }
    let api = get(&owner.host, "/api/v1/store/products");
    assert_eq!((api.status, api.error_code().as_str()), (503, "shop_not_published"));
    assert_eq!(get(&owner.host, "/api/v1/store/brand").json()["published"], false);
    // staff keep working
    let s = call("GET", &owner.host, "/api/v1/admin/settings", &owner.token, None);
    assert_eq!((s.status, s.json()["published"].as_bool()), (200, Some(false)), "{}", s.body);
    // an editor cannot publish; the owner can
    let editor = staff_session(&owner.host, &owner.brand_id, "editor");
    assert_eq!(call("POST", &owner.host, "/api/v1/admin/settings/publish", &editor, Some(json!({"published": true}))).status, 403);
    assert_eq!(call("POST", &owner.host, "/api/v1/admin/settings/publish", &owner.token, Some(json!({"published": "yes"}))).status, 400);
    assert_eq!(get(&owner.host, "/").status, 503);
    let r = call("POST", &owner.host, "/api/v1/admin/settings/publish", &owner.token, Some(json!({"published": true})));
    assert_eq!((r.status, r.json()["published"].as_bool()), (200, Some(true)), "{}", r.body);
    assert_eq!(get(&owner.host, "/").status, 200, "published at once (the cached brand was forgotten)");
    assert_eq!(get(&owner.host, "/api/v1/store/products").status, 200);
    assert_eq!(count(&format!("select count(*) from audit_log where brand_id = '{}' and action = 'shop_published'", owner.brand_id)), 1);
    // and back
    call("POST", &owner.host, "/api/v1/admin/settings/publish", &owner.token, Some(json!({"published": false})));
    assert_eq!(get(&owner.host, "/").status, 503);
    // the demo brands are published
    assert_eq!(get("acme.localhost", "/").status, 200);
    assert_eq!(get("globex.localhost", "/").status, 200);
}

fn signup(body: Value) -> Reply {
    let ip = fresh_ip();
    send(
        "POST",
        "localhost",
        "/api/v1/auth/signup",
        &[("cf-connecting-ip", ip.as_str()), ("content-type", "application/json")],
        Some(body.to_string()),
    )
}

#[test]
fn sign_up_creates_the_brand_with_its_currency_and_language_and_refuses_others() {
    let slug = unique("tienda").chars().take(30).collect::<String>();
    let r = signup(json!({"brand_name": "Tienda", "slug": slug, "email": format!("{slug}@example.com"), "password": OWNER_PASSWORD,
                          "currency": "MXN", "language": "es"}));
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(sql(&format!("select currency || locale || published from brands where slug = '{slug}'")), "MXNesfalse");
    // the language's usual currency by default: a Spanish shop no longer gets USD
    let slug2 = unique("euros").chars().take(30).collect::<String>();
    let r = signup(
        json!({"brand_name": "Euros", "slug": slug2, "email": format!("{slug2}@example.com"), "password": OWNER_PASSWORD, "language": "es"}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(sql(&format!("select currency || locale from brands where slug = '{slug2}'")), "EURes");
    for (field, value, code) in [
        ("currency", json!("usd"), "invalid_currency"),
        ("currency", json!("XYZ"), "invalid_currency"),
        ("language", json!("fr"), "invalid_language"),
    ] {
        let slug3 = unique("nope").chars().take(30).collect::<String>();
        let mut body = json!({"brand_name": "Nope", "slug": slug3, "email": format!("{slug3}@example.com"), "password": OWNER_PASSWORD});
        body[field] = value;
        let r = signup(body);
        assert_eq!((r.status, r.error_code().as_str()), (422, code), "{}", r.body);
        assert_eq!(count(&format!("select count(*) from brands where slug = '{slug3}'")), 0);
    }
}

#[test]
fn members_who_opt_in_get_one_email_per_paid_order_in_their_language() {
    let (brand, host, admin) = own_brand("USD", "en");
    let editor = staff_session(&host, &brand, "editor");
    let viewer = staff_session(&host, &brand, "read_only");
    let me = call("GET", &host, "/api/v1/account/me", &admin, None);
    assert_eq!(me.json()["notifications"], json!({"new_order_email": false}), "{}", me.body);
    for t in [&admin, &editor] {
        let r = call("PATCH", &host, "/api/v1/account/notifications", t, Some(json!({"new_order_email": true})));
        assert_eq!((r.status, r.json()["new_order_email"].as_bool()), (200, Some(true)), "{}", r.body);
    }
    assert_eq!(call("GET", &host, "/api/v1/account/me", &editor, None).json()["notifications"]["new_order_email"], true);
    assert_eq!(call("GET", &host, "/api/v1/account/me", &viewer, None).json()["notifications"]["new_order_email"], false);
    // refused: a malformed body, an unknown field, no token, another brand's token
    for body in [json!({"new_order_email": "yes"}), json!({"new_order_email": true, "all": true}), json!({})] {
        assert_eq!(call("PATCH", &host, "/api/v1/account/notifications", &viewer, Some(body.clone())).status, 400, "{body}");
    }
    let none = send(
        "PATCH",
        &host,
        "/api/v1/account/notifications",
        &[("content-type", "application/json")],
        Some(json!({"new_order_email": true}).to_string()),
    );
    assert_eq!(none.status, 401);
    let acme = staff_token("acme.localhost");
    assert_eq!(call("PATCH", &host, "/api/v1/account/notifications", &acme, Some(json!({"new_order_email": true}))).status, 401);
    assert_eq!(count(&format!("select count(*) from staff_notifications where brand_id = '{brand}' and new_order_email")), 2);

    let editor_email = format!("e2e-editor-{brand}@example.com");
    sql(&format!("update accounts set locale = 'es' where email = '{editor_email}'"));
    let order = pending_order(&brand, 4200, "USD");
    let r = deliver(&event("checkout.session.completed", checkout_session(&order, &brand, 4200, "USD", "paid")));
    assert_eq!(r.status, 200, "{}", r.body);
    let mails = sql(&format!(
        "select string_agg(to_email || ':' || locale, ',' order by to_email) from email_outbox where brand_id = '{brand}' and template = 'new_order_staff'"
    ));
    assert_eq!(mails, format!("e2e-admin-{brand}@example.com:en,{editor_email}:es"), "one each, the viewer who did not opt in gets none");
    let message = mail::newest(&editor_email, "new_order_staff");
    assert!(message["subject"].as_str().is_some_and(|s| s.contains("nuevo pedido")), "{message}");
    // the same event again sends nothing more
    deliver(&event("checkout.session.completed", checkout_session(&order, &brand, 4200, "USD", "paid")));
    assert_eq!(count(&format!("select count(*) from email_outbox where brand_id = '{brand}' and template = 'new_order_staff'")), 2);
}

#[test]
fn another_brands_token_or_host_read_only_and_missing_or_forged_tokens_change_no_setting() {
    let (brand, host, token) = own_brand("USD", "en");
    let (other, other_host, other_token) = own_brand("EUR", "es");
    // signing in is audited: the sessions first, then the counts
    let viewer = staff_session(&host, &brand, "read_only");
    let editor = staff_session(&host, &brand, "editor");
    let before = (row(&brand), row(&other), audit(&brand), audit(&other));
    let writes: Vec<(&str, &str, Value)> = vec![
        ("PATCH", "/api/v1/admin/settings", json!({"name": "Pwned"})),
        ("PUT", "/api/v1/admin/settings/legal/terms/en", json!({"body": "pwned"})),
        ("POST", "/api/v1/admin/settings/publish", json!({"published": false})),
    ];
    for (method, path, body) in &writes {
        // brand A's token on brand B's host
        assert_eq!(call(method, &other_host, path, &token, Some(body.clone())).status, 401, "{path}");
        // read_only and editors: settings are the brand admins'
        assert_eq!(call(method, &host, path, &viewer, Some(body.clone())).status, 403, "{path}");
        assert_eq!(call(method, &host, path, &editor, Some(body.clone())).status, 403, "{path}");
        // no token, a forged one, the service role's database token
        let none = send(method, &host, path, &[("content-type", "application/json")], Some(body.to_string()));
        assert_eq!(none.status, 401, "{path}");
        assert_eq!(call(method, &host, path, "forged.token.x", Some(body.clone())).status, 401, "{path}");
        assert_eq!(call(method, &host, path, &service_token(), Some(body.clone())).status, 401, "{path}");
    }
    assert_eq!(call("GET", &other_host, "/api/v1/admin/settings", &token, None).status, 401);
    assert!(!call("GET", &host, "/api/v1/admin/settings", &token, None).body.contains(&other));
    assert_eq!(call("GET", &other_host, "/api/v1/admin/settings", &other_token, None).json()["currency"], "EUR");
    assert_eq!((row(&brand), row(&other), audit(&brand), audit(&other)), before);
    assert_eq!(count(&format!("select count(*) from brand_legal_pages where brand_id in ('{brand}', '{other}')")), 0);
}
