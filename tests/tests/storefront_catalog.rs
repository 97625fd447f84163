//! The catalog a shopper sees: one brand's active products only, searchable, paginated,
//! cached per brand and catalog version.

use shoal_e2e::shop::shop_with_lamp;
use shoal_e2e::*;
use std::collections::BTreeSet;

fn list(host: &str, query: &str) -> Value {
    let r = get(host, &format!("/api/v1/store/products{query}"));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

fn slugs(page: &Value) -> Vec<String> {
    page["items"].as_array().map(|a| a.iter().filter_map(|i| i["slug"].as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

fn all_slugs(host: &str, extra: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut query = format!("?limit=7{extra}");
    loop {
        let page = list(host, &query);
        out.extend(slugs(&page));
        match page["next_cursor"].as_str() {
            Some(c) => query = format!("?limit=7&cursor={c}{extra}"),
            None => return out,
        }
    }
}

#[test]
fn a_brands_product_is_404_on_another_brands_host() {
    assert_eq!(get("acme.localhost", "/api/v1/store/products/harbor-tee").status, 200);
    let r = get("globex.localhost", "/api/v1/store/products/harbor-tee");
    assert_eq!((r.status, r.error_code().as_str()), (404, "product_not_found"));
    assert_eq!(get("acme.localhost", "/api/v1/store/products/brisa-camiseta").status, 404);
}

#[test]
fn cursor_pagination_walks_every_active_product_once() {
    let acme = all_slugs("acme.localhost", "");
    let unique: BTreeSet<_> = acme.iter().collect();
    assert_eq!((acme.len(), unique.len()), (30, 30), "{acme:?}");
    let globex: BTreeSet<_> = all_slugs("globex.localhost", "").into_iter().collect();
    assert_eq!(globex.len(), 30);
    assert!(unique.iter().all(|s| !globex.contains(*s)), "no product of one brand lists on the other");
    let r = get("acme.localhost", "/api/v1/store/products?cursor=nonsense");
    assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_cursor"));
}

#[test]
fn draft_and_archived_products_are_invisible_to_shoppers() {
    for slug in ["prototype-jacket", "retired-scarf"] {
        assert_eq!(get("acme.localhost", &format!("/api/v1/store/products/{slug}")).status, 404, "{slug}");
    }
    let everything = all_slugs("acme.localhost", "");
    assert!(!everything.iter().any(|s| s == "prototype-jacket" || s == "retired-scarf"));
    assert!(slugs(&list("acme.localhost", "?q=prototype")).is_empty());
}

#[test]
fn rls_itself_hides_drafts_from_the_shopper_role() {
    // straight to PostgREST with a shopper's token: the database, not the worker's query, refuses
    let api = format!("http://127.0.0.1:{}", std::env::var("SHOAL_API_PORT").unwrap_or_else(|_| "54330".into()));
    let token = token_for(shoal_domain::db_token::DbClaims::anon_for_brand(ACME_ID));
    let auth = format!("Bearer {token}");
    let drafts = http("GET", &format!("{api}/products?select=slug&status=neq.active"), &[("authorization", &auth)], None);
    assert_eq!(drafts.json(), json!([]));
    let other = http("GET", &format!("{api}/products?select=slug&brand_id=eq.{GLOBEX_ID}"), &[("authorization", &auth)], None);
    assert_eq!(other.json(), json!([]));
    let own = http("GET", &format!("{api}/products?select=slug&limit=100"), &[("authorization", &auth)], None);
    assert_eq!(own.json().as_array().map(Vec::len), Some(30));
}

#[test]
fn search_finds_words_and_never_another_brands_products() {
    let tees = slugs(&list("acme.localhost", "?q=tee"));
    assert_eq!(tees.len(), 6, "{tees:?}");
    assert!(tees.iter().all(|s| s.ends_with("-tee")));
    assert!(slugs(&list("acme.localhost", "?q=camiseta")).is_empty(), "globex words find nothing on acme");
    assert!(slugs(&list("globex.localhost", "?q=tee")).is_empty());
    let organic = slugs(&list("globex.localhost", "?q=algod%C3%B3n%20org%C3%A1nico"));
    assert!(!organic.is_empty() && organic.iter().all(|s| s.ends_with("-camiseta")), "{organic:?}");
}

#[test]
fn category_filter_and_price_sort() {
    let caps = list("acme.localhost", "?category=caps&limit=50");
    assert_eq!(slugs(&caps).len(), 6);
    assert!(caps["items"].as_array().is_some_and(|a| a.iter().all(|i| i["category"] == "caps")));
    let sorted = list("acme.localhost", "?sort=price_asc&limit=100");
    let prices: Vec<i64> =
        sorted["items"].as_array().map(|a| a.iter().filter_map(|i| i["price_from"].as_i64()).collect()).unwrap_or_default();
    assert_eq!(prices.len(), 30);
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "{prices:?}");
    let cats = get("globex.localhost", "/api/v1/store/categories").json();
    assert_eq!(cats["items"][0]["slug"], "camisetas");
    assert_eq!(get("acme.localhost", "/api/v1/store/products?sort=cheapest").error_code(), "invalid_sort");
}

#[test]
fn catalog_reads_are_cached_and_a_catalog_write_invalidates_only_that_brand() {
    let (brand, host, _) = shop_with_lamp("cat", r##"{"primary": "#112233"}"##, 0);
    let first = get(&host, "/api/v1/store/products/lamp");
    assert_eq!(first.header("x-shoal-cache").as_deref(), Some("miss"));
    let second = get(&host, "/api/v1/store/products/lamp");
    assert_eq!(second.header("x-shoal-cache").as_deref(), Some("hit"));
    // a direct database change is not seen while the cached copy lives
    sql(&format!("update products set description = 'changed behind the cache' where brand_id = '{brand}'"));
    assert_eq!(get(&host, "/api/v1/store/products/lamp").json()["description"], "");
    // a write through the admin API bumps the version: the next read is fresh
    let acme_before = get("acme.localhost", "/api/v1/store/products/harbor-tee");
    let r = admin("PATCH", &host, "/api/v1/admin/products/lamp", Some(json!({"title": "Reading Lamp", "price": 4900})));
    assert_eq!(r.status, 200, "{}", r.body);
    // audited as the staff member who made the edit, never as service_role
    let editor = sql(&format!("select id from accounts where email = 'e2e-admin-{brand}@example.com'"));
    assert_eq!(
        sql(&format!(
            "select string_agg(actor, ',') from audit_log where brand_id = '{brand}' and action = 'product_updated' and target = 'lamp'"
        )),
        editor
    );
    let fresh = get(&host, "/api/v1/store/products/lamp");
    assert_eq!(fresh.header("x-shoal-cache").as_deref(), Some("miss"));
    assert_eq!((fresh.json()["title"].as_str(), fresh.json()["variants"][0]["price"].as_i64()), (Some("Reading Lamp"), Some(4900)));
    // another brand's cached entries are untouched
    let acme_after = get("acme.localhost", "/api/v1/store/products/harbor-tee");
    assert_eq!(acme_after.header("x-shoal-cache").as_deref(), Some("hit"));
    assert_eq!(acme_before.json(), acme_after.json());
}

#[test]
fn made_up_searches_and_slugs_are_not_cached() {
    let (brand, host, _) = shop_with_lamp("amp", r##"{"primary": "#112233"}"##, 0);
    // an empty search result takes no cache entry: asked again, it is again a miss
    let q = format!("?q={}", unique("nothing"));
    for _ in 0..2 {
        let r = get(&host, &format!("/api/v1/store/products{q}"));
        assert_eq!((r.status, r.header("x-shoal-cache").as_deref()), (200, Some("miss")), "{}", r.body);
        assert_eq!(r.json()["items"], json!([]));
    }
    // a slug that does not exist is not remembered as missing: once the product exists
    // (even without a catalog version bump) it is found
    assert_eq!(get(&host, "/api/v1/store/products/ghost").status, 404);
    sql(&format!(
        "insert into products (brand_id, slug, title, status) values ('{brand}', 'ghost', 'Ghost', 'active');
         insert into variants (brand_id, product_id, sku, title, price_amount) select '{brand}', id, 'GHOST-1', 'One size', 900 from products where brand_id = '{brand}' and slug = 'ghost';"
    ));
    let r = get(&host, "/api/v1/store/products/ghost");
    assert_eq!(r.status, 200, "{}", r.body);
    // a real result is still cached
    assert_eq!(get(&host, "/api/v1/store/products?q=lamp").header("x-shoal-cache").as_deref(), Some("miss"));
    assert_eq!(get(&host, "/api/v1/store/products?q=lamp").header("x-shoal-cache").as_deref(), Some("hit"));
}

#[test]
fn cache_keys_are_normalised_so_spellings_and_junk_parameters_share_one() {
    let (_, host, _) = shop_with_lamp("norm", r##"{"primary": "#112233"}"##, 0);
    let first = get(&host, "/api/v1/store/products?q=desk%20lamp");
    assert_eq!(first.header("x-shoal-cache").as_deref(), Some("miss"));
    for spelling in ["?q=%20%20DESK%20%20%20Lamp%20", "?q=desk+lamp&utm_source=x&junk=1", "?junk=2&q=Desk%09Lamp"] {
        let r = get(&host, &format!("/api/v1/store/products{spelling}"));
        assert_eq!((r.status, r.header("x-shoal-cache").as_deref()), (200, Some("hit")), "{spelling}: {}", r.body);
    }
    // limits are clamped to 1..=100 rather than each making a key (or an error)
    assert_eq!(get(&host, "/api/v1/store/products?limit=100").header("x-shoal-cache").as_deref(), Some("miss"));
    let r = get(&host, "/api/v1/store/products?limit=100000");
    assert_eq!((r.status, r.header("x-shoal-cache").as_deref()), (200, Some("hit")), "{}", r.body);
    assert_eq!(get(&host, "/api/v1/store/products?limit=0").json()["items"].as_array().map(Vec::len), Some(1));
    // a very long search is cut, not stored whole
    let long = "lamp".repeat(2000);
    let r = get(&host, &format!("/api/v1/store/products?q={long}"));
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn storefront_reads_that_reach_the_database_are_rate_limited_per_client_generously() {
    let ip = fresh_ip();
    let headers = [("cf-connecting-ip", ip.as_str())];
    // made-up searches miss the cache (an empty answer is never cached): each is database
    // work. The API's share stays under the general API limit (100 a minute, api_limit.rs);
    // the search pages reach the database too and spend the same budget.
    for i in 0..600 {
        let (path, api) =
            if i < 50 { (format!("/api/v1/store/products?q=nohit{i}"), true) } else { (format!("/search?q=nohit{i}"), false) };
        let r = send("GET", "acme.localhost", &path, &headers, None);
        assert_eq!(r.status, 200, "read {} of 600 ({path}): {}", i + 1, r.body);
        if api {
            assert_eq!(r.header("x-shoal-cache").as_deref(), Some("miss"), "{path}");
        }
    }
    let r = send("GET", "acme.localhost", "/api/v1/store/products?q=anything", &headers, None);
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"), "{}", r.body);
    assert!(r.header("retry-after").is_some());
    let page = send("GET", "acme.localhost", "/search?q=another-miss", &headers, None);
    assert_eq!(page.status, 429, "pages share the budget");
    // what is served from cache costs no database work and stays open to that client
    // (within the general API limit, of which it has spent 51)
    assert_eq!(send("GET", "acme.localhost", "/api/v1/store/brand", &headers, None).status, 200);
    // another client is unaffected
    assert_eq!(get("acme.localhost", "/api/v1/store/brand").status, 200);
}

#[test]
fn a_product_patch_names_the_field_it_refuses_and_changes_nothing() {
    let (brand, host, _) = shop_with_lamp("patch", r##"{"primary": "#112233"}"##, 0);
    for (body, field) in [
        (json!({"price": "cheap"}), "price"),
        (json!({"price": -1}), "price"),
        (json!({"status": "deleted"}), "status"),
        (json!({"title": ""}), "title"),
        (json!({"title": "x".repeat(201)}), "title"),
    ] {
        let r = admin("PATCH", &host, "/api/v1/admin/products/lamp", Some(body.clone()));
        assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_field"), "{body}: {}", r.body);
        assert!(r.json()["error"]["message"].as_str().is_some_and(|m| m.starts_with(&format!("{field}: "))), "{body}: {}", r.body);
    }
    assert_eq!(count(&format!("select count(*) from audit_log where brand_id = '{brand}' and action = 'product_updated'")), 0);
}
