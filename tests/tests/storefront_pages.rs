//! Server-rendered storefront pages: theme, language, escaping, head tags, caching.

use shoal_e2e::*;

fn page(host: &str, path: &str) -> Reply {
    get(host, path)
}

#[test]
fn each_brand_renders_in_its_language_theme_and_currency() {
    let acme = page("acme.localhost", "/p/harbor-tee");
    assert_eq!(acme.status, 200);
    assert!(acme.body.contains("<html lang=\"en\">") && acme.body.contains("Add to cart"));
    assert!(acme.body.contains("--primary: #0b6e4f"));
    assert!(acme.body.contains("$29.00"), "USD, English format");
    let globex = page("globex.localhost", "/p/brisa-camiseta");
    assert!(globex.body.contains("<html lang=\"es\">") && globex.body.contains("Añadir al carrito"));
    assert!(globex.body.contains("25,00\u{a0}€"), "EUR, Spanish format");
}

#[test]
fn head_tags_and_cache_control_are_set_per_page() {
    let r = page("acme.localhost", "/p/harbor-tee");
    assert!(r.body.contains("<title>Harbor Tee · Acme Outfitters</title>"));
    assert!(r.body.contains("<meta name=\"description\" content=\"A soft organic-cotton tee"));
    assert!(r.body.contains("<link rel=\"canonical\" href=\"https://acme.localhost/p/harbor-tee\">"));
    // the product page carries this browser's CSRF token: cached by the browser only
    assert_eq!(r.header("cache-control").as_deref(), Some("private, max-age=60"));
    assert_eq!(page("acme.localhost", "/").header("cache-control").as_deref(), Some("public, max-age=60"));
    let search = page("acme.localhost", "/search?q=tee&utm_source=x");
    assert!(search.body.contains("href=\"https://acme.localhost/search?q=tee\""), "tracking parameters stay out of the canonical link");
    assert_eq!(page("acme.localhost", "/cart").header("cache-control").as_deref(), Some("no-store"));
}

#[test]
fn a_description_with_script_renders_as_text() {
    let (brand, host) = new_brand("xss", "USD", "en");
    sql(&format!(
        "insert into products (brand_id, slug, title, description, status) values
         ('{brand}', 'sneaky', 'Sneaky <b>Bold</b>', 'Great <script>alert(\"pwned\")</script> product', 'active')"
    ));
    let r = page(&host, "/p/sneaky");
    assert_eq!(r.status, 200);
    assert!(!r.body.contains("<script>alert"), "{}", r.body);
    // askama escapes with numeric entities
    assert!(r.body.contains("Great &#60;script&#62;alert(&#34;pwned&#34;)&#60;/script&#62; product"), "{}", r.body);
    assert!(r.body.contains("<h1>Sneaky &#60;b&#62;Bold&#60;/b&#62;</h1>"));
}

#[test]
fn missing_and_foreign_pages_are_html_404s() {
    for (host, path) in [
        ("acme.localhost", "/p/brisa-camiseta"),
        ("acme.localhost", "/p/prototype-jacket"),
        ("acme.localhost", "/c/camisetas"),
        ("globex.localhost", "/nowhere"),
    ] {
        let r = page(host, path);
        assert_eq!(r.status, 404, "{host}{path}");
        assert!(r.header("content-type").is_some_and(|c| c.starts_with("text/html")));
    }
}

#[test]
fn the_cart_works_with_plain_form_posts() {
    let variant = shoal_e2e::shop::variant_id("acme.localhost", "canyon-cap", 0);
    let mut browser = shoal_e2e::forms::Browser::new("acme.localhost");
    let product = browser.get("/p/canyon-cap");
    let csrf = product
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .find(|c| c.starts_with("__Host-shoal_csrf="))
        .unwrap_or_default();
    assert!(csrf.contains("HttpOnly") && csrf.contains("Secure") && csrf.contains("SameSite=Lax") && csrf.contains("Path=/"), "{csrf}");
    assert!(browser.token.is_some(), "the add-to-cart form carries a token");
    let r = browser.post("/cart/add", &[("variant_id", &variant), ("quantity", "2")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location").as_deref(), Some("/cart"));
    let cookie = r.header("set-cookie").unwrap_or_default();
    assert!(cookie.contains("HttpOnly") && cookie.contains("Secure") && cookie.contains("SameSite=Lax"), "{cookie}");
    let cart = browser.get("/cart");
    assert!(cart.body.contains("Canyon Cap") && cart.body.contains("value=\"2\""), "{}", cart.body);
    let bad = browser.post("/cart/add", &[("variant_id", &variant), ("quantity", "lots")]);
    assert_eq!(bad.status, 400);
}

#[test]
fn a_logo_pointing_at_another_host_is_not_shown() {
    // the theme is set before the brand's first request, so no cached copy is in the way
    for (logo, shown) in [
        ("//evil.host/x.svg", "/assets/shoal.svg"),
        ("/\\evil.host/x.svg", "/assets/shoal.svg"),
        ("https://evil.host/x.svg", "/assets/shoal.svg"),
        ("/assets/acme/logo.svg", "/assets/acme/logo.svg"),
    ] {
        let (brand, host) = new_brand("logo", "USD", "en");
        sql(&format!("update brands set theme = jsonb_build_object('logo', '{logo}') where id = '{brand}'"));
        let r = page(&host, "/");
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(!r.body.contains("evil.host"), "{logo}: {}", r.body);
        assert!(r.body.contains(&format!("<img src=\"{shown}\"")), "{logo}: {}", r.body);
    }
}
