//! Every endpoint of the staff catalog API attacked: another brand's ids through one's own
//! host, one's own token on another brand's host, no token, a forged or database token,
//! a read_only member's writes, malformed, mistyped and oversized bodies, bad ids and
//! cursors. Each is refused, and the database holds exactly what it held before (brand A's
//! and brand B's catalog, stock, ledger, audit rows and catalog version, read as postgres).

use shoal_e2e::*;

struct Shop {
    brand: String,
    host: String,
    product: String,
    variant: String,
    category: String,
}

/// A brand with one category and one product of two variants, made through the API.
fn shop(prefix: &str) -> Shop {
    let (brand, host) = new_brand(prefix, "USD", "en");
    let c = admin("POST", &host, "/api/v1/admin/categories", Some(json!({"name": "Hats"})));
    assert_eq!(c.status, 201, "{}", c.body);
    let p = admin(
        "POST",
        &host,
        "/api/v1/admin/products",
        Some(json!({"title": "Fence Tee", "status": "active", "category_id": c.json()["id"], "variants": [
            {"sku": "F-S", "options": {"size": "S"}, "price_amount": 1000, "available": 4},
            {"sku": "F-M", "options": {"size": "M"}, "price_amount": 1000, "available": 4}]})),
    );
    assert_eq!(p.status, 201, "{}", p.body);
    let p = p.json();
    Shop {
        brand,
        host,
        product: p["id"].as_str().unwrap_or_default().to_owned(),
        variant: p["variants"][0]["id"].as_str().unwrap_or_default().to_owned(),
        category: c.json()["id"].as_str().unwrap_or_default().to_owned(),
    }
}

/// Everything of the brand the catalog API could change, as one digest (read as postgres).
fn catalog_state(brand: &str) -> String {
    sql(&format!(
        "select md5(concat_ws('|',
           (select catalog_version from brands where id = '{brand}'),
           (select json_agg(t order by t.id)::text from products t where brand_id = '{brand}'),
           (select json_agg(t order by t.id)::text from variants t where brand_id = '{brand}'),
           (select json_agg(t order by t.variant_id, t.currency)::text from prices t where brand_id = '{brand}'),
           (select json_agg(t order by t.id)::text from categories t where brand_id = '{brand}'),
           (select json_agg(t order by t.variant_id)::text from inventory_levels t where brand_id = '{brand}'),
           (select json_agg(t order by t.id)::text from inventory_adjustments t where brand_id = '{brand}'),
           (select count(*) from audit_log where brand_id = '{brand}')))"
    ))
}

/// Every endpoint of the catalog API, as (method, path, body), aimed at `s`'s rows.
fn endpoints(s: &Shop) -> Vec<(&'static str, String, Option<Value>)> {
    let (p, v, c) = (&s.product, &s.variant, &s.category);
    vec![
        ("GET", "/api/v1/admin/products".into(), None),
        ("POST", "/api/v1/admin/products".into(), Some(json!({"title": "Evil", "variants": [{"sku": "EVIL", "price_amount": 1}]}))),
        ("GET", format!("/api/v1/admin/products/{p}"), None),
        ("PATCH", format!("/api/v1/admin/products/{p}"), Some(json!({"title": "Hacked", "category_id": null}))),
        ("POST", format!("/api/v1/admin/products/{p}/archive"), None),
        ("POST", format!("/api/v1/admin/products/{p}/restore"), None),
        ("POST", format!("/api/v1/admin/products/{p}/duplicate"), None),
        (
            "POST",
            format!("/api/v1/admin/products/{p}/variants"),
            Some(json!({"sku": "EVIL-V", "options": {"size": "XL"}, "price_amount": 1})),
        ),
        ("PATCH", format!("/api/v1/admin/products/{p}/variants/{v}"), Some(json!({"price_amount": 1}))),
        ("DELETE", format!("/api/v1/admin/products/{p}/variants/{v}"), None),
        ("GET", "/api/v1/admin/categories".into(), None),
        ("POST", "/api/v1/admin/categories".into(), Some(json!({"name": "Evil"}))),
        ("PATCH", format!("/api/v1/admin/categories/{c}"), Some(json!({"name": "Hacked"}))),
        ("DELETE", format!("/api/v1/admin/categories/{c}"), None),
        ("POST", "/api/v1/admin/categories/reorder".into(), Some(json!({"ids": [c]}))),
        ("GET", "/api/v1/admin/inventory".into(), None),
        ("PATCH", format!("/api/v1/admin/inventory/{v}"), Some(json!({"low_stock_threshold": 99}))),
        ("POST", format!("/api/v1/admin/inventory/{v}/adjustments"), Some(json!({"delta": -4, "reason": "damaged"}))),
        ("GET", format!("/api/v1/admin/inventory/{v}/adjustments"), None),
    ]
}

fn call(method: &str, host: &str, path: &str, auth: Option<&str>, body: Option<&Value>) -> Reply {
    let bearer = auth.map(|t| format!("Bearer {t}"));
    // a client of its own per request: these tests send more than the general API limit
    // lets one client send in a minute
    let ip = fresh_ip();
    let mut headers = vec![("content-type", "application/json"), ("cf-connecting-ip", ip.as_str())];
    if let Some(b) = bearer.as_deref() {
        headers.push(("authorization", b));
    }
    send(method, host, path, &headers, body.map(Value::to_string))
}

#[test]
fn brand_a_staff_reach_none_of_brand_bs_catalog_by_id_and_change_nothing() {
    let (a, b) = (shop("fenca"), shop("fencb"));
    let token = staff_token(&a.host);
    let (a_before, b_before) = (catalog_state(&a.brand), catalog_state(&b.brand));
    for (method, path, body) in endpoints(&b) {
        // collection routes (no id) act on the caller's own brand: left to the tests of that brand
        if !path.contains(&b.product) && !path.contains(&b.variant) && !path.contains(&b.category) {
            continue;
        }
        let r = call(method, &a.host, &path, Some(&token), body.as_ref());
        let expected = if path.ends_with("/reorder") { 422 } else { 404 };
        assert_eq!(r.status, expected, "{method} {path}: {}", r.body);
        assert!(!r.body.contains("Fence Tee"), "{method} {path} leaked: {}", r.body);
    }
    assert_eq!(catalog_state(&b.brand), b_before, "brand B unchanged");
    assert_eq!(catalog_state(&a.brand), a_before, "brand A unchanged");
    // lists and searches show A's own rows only
    let r = call("GET", &a.host, "/api/v1/admin/inventory?q=F-", Some(&token), None);
    let listed: Vec<String> = r.json()["items"]
        .as_array()
        .map(|i| i.iter().filter_map(|l| l["variant_id"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    assert!(listed.contains(&a.variant) && !listed.contains(&b.variant), "{}", r.body);
    let r = call("GET", &a.host, "/api/v1/admin/products?q=fence", Some(&token), None);
    assert!(r.body.contains(&a.product) && !r.body.contains(&b.product), "{}", r.body);
    let r = call("GET", &a.host, &format!("/api/v1/admin/products?category={}", b.category), Some(&token), None);
    assert_eq!(r.json()["items"], json!([]));
}

#[test]
fn a_token_on_another_brands_host_no_token_and_forged_tokens_are_refused_and_change_nothing() {
    let (a, b) = (shop("fenhosta"), shop("fenhostb"));
    let a_token = staff_token(&a.host);
    let mut tampered = a_token.clone();
    let last = tampered.pop().map(|c| if c == 'A' { 'B' } else { 'A' }).unwrap_or('A');
    tampered.push(last);
    let database_token = token_for(shoal_domain::db_token::DbClaims::staff(&uuid(), &b.brand, "brand_admin", "sid"));
    let service = service_token();
    let (a_before, b_before) = (catalog_state(&a.brand), catalog_state(&b.brand));
    for (method, path, body) in endpoints(&b) {
        for auth in [
            Some(a_token.as_str()),
            None,
            Some("not-a-token"),
            Some(tampered.as_str()),
            Some(database_token.as_str()),
            Some(service.as_str()),
        ] {
            let r = call(method, &b.host, &path, auth, body.as_ref());
            assert_eq!((r.status, r.error_code().as_str()), (401, "unauthorized"), "{method} {path} with {auth:?}: {}", r.body);
        }
    }
    assert_eq!(catalog_state(&a.brand), a_before);
    assert_eq!(catalog_state(&b.brand), b_before);
}

#[test]
fn a_read_only_member_reads_the_catalog_and_writes_nothing() {
    let s = shop("fenro");
    let viewer = staff_session(&s.host, &s.brand, "read_only");
    let before = catalog_state(&s.brand);
    for (method, path, body) in endpoints(&s) {
        let r = call(method, &s.host, &path, Some(&viewer), body.as_ref());
        if method == "GET" {
            assert_eq!(r.status, 200, "{path}: {}", r.body);
        } else {
            assert_eq!((r.status, r.error_code().as_str()), (403, "forbidden"), "{method} {path}: {}", r.body);
        }
    }
    assert_eq!(catalog_state(&s.brand), before);
    // the ledger names who moved stock to every member who reads it
    let r = call("GET", &s.host, &format!("/api/v1/admin/inventory/{}/adjustments", s.variant), Some(&viewer), None);
    assert_eq!(r.json()["items"][0]["actor_email"].as_str(), Some(format!("e2e-admin-{}@example.com", s.brand).as_str()), "{}", r.body);
    // an editor may (the role table: catalog and inventory are theirs)
    let editor = staff_session(&s.host, &s.brand, "editor");
    let r = call(
        "POST",
        &s.host,
        &format!("/api/v1/admin/inventory/{}/adjustments", s.variant),
        Some(&editor),
        Some(&json!({"delta": 1, "reason": "returned"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
}

#[test]
fn malformed_mistyped_and_oversized_bodies_and_bad_ids_are_refused_and_change_nothing() {
    let s = shop("fenbody");
    let token = staff_token(&s.host);
    let before = catalog_state(&s.brand);
    let (p, v, c) = (&s.product, &s.variant, &s.category);
    let raw = |method: &str, path: &str, content_type: &str, body: String| {
        let (auth, ip) = (format!("Bearer {token}"), fresh_ip());
        send(method, &s.host, path, &[("authorization", &auth), ("content-type", content_type), ("cf-connecting-ip", &ip)], Some(body))
    };
    for (method, path, _) in endpoints(&s).into_iter().filter(|(m, _, b)| *m != "GET" && b.is_some()) {
        let r = raw(method, &path, "application/json", "{not json".into());
        assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_json"), "{method} {path}: {}", r.body);
        let r = raw(method, &path, "application/json", "[1, 2]".into());
        assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_json"), "{method} {path}: {}", r.body);
        let r = raw(method, &path, "text/plain", "{}".into());
        assert_eq!(r.status, 415, "{method} {path}: {}", r.body);
        let r = raw(method, &path, "application/json", format!("{{\"title\": \"{}\"}}", "x".repeat(70 * 1024)));
        assert_eq!((r.status, r.error_code().as_str()), (413, "payload_too_large"), "{method} {path}: {}", r.body);
    }
    // wrong types and values name the field
    let bad: Vec<(&str, String, Value, &str)> = vec![
        ("POST", "/api/v1/admin/products".into(), json!({"title": "x"}), "variants"),
        ("POST", "/api/v1/admin/products".into(), json!({"title": 5, "variants": []}), "title"),
        ("POST", "/api/v1/admin/products".into(), json!({"title": "x", "variants": []}), "variants"),
        (
            "POST",
            "/api/v1/admin/products".into(),
            json!({"title": "x", "status": "live", "variants": [{"sku": "Q", "price_amount": 1}]}),
            "status",
        ),
        ("POST", "/api/v1/admin/products".into(), json!({"title": "x", "variants": [{"sku": "Q", "price_amount": 1.5}]}), "variants"),
        (
            "POST",
            "/api/v1/admin/products".into(),
            json!({"title": "x", "variants": [{"sku": "Q", "price_amount": -1}]}),
            "variants[0].price_amount",
        ),
        ("PATCH", format!("/api/v1/admin/products/{p}"), json!({"slug": "Not A Slug"}), "slug"),
        ("PATCH", format!("/api/v1/admin/products/{p}"), json!({"title": ""}), "title"),
        ("PATCH", format!("/api/v1/admin/products/{p}"), json!({"category_id": "hats"}), "category_id"),
        ("PATCH", format!("/api/v1/admin/products/{p}"), json!({"price": 100}), "price"),
        ("POST", format!("/api/v1/admin/products/{p}/variants"), json!({"sku": "has space", "price_amount": 1}), "sku"),
        (
            "PATCH",
            format!("/api/v1/admin/products/{p}/variants/{v}"),
            json!({"options": {"a": "1", "b": "2", "c": "3", "d": "4"}}),
            "options",
        ),
        ("PATCH", format!("/api/v1/admin/products/{p}/variants/{v}"), json!({"prices": {"euro": 5}}), "prices.euro"),
        ("POST", "/api/v1/admin/categories".into(), json!({"slug": "x"}), "name"),
        ("PATCH", format!("/api/v1/admin/categories/{c}"), json!({"slug": "-x-"}), "slug"),
        ("POST", "/api/v1/admin/categories/reorder".into(), json!({"ids": ["nope"]}), "ids"),
        ("POST", format!("/api/v1/admin/inventory/{v}/adjustments"), json!({"delta": "5", "reason": "received"}), "delta"),
        (
            "POST",
            format!("/api/v1/admin/inventory/{v}/adjustments"),
            json!({"delta": 5, "reason": "received", "note": "n".repeat(501)}),
            "note",
        ),
        ("PATCH", format!("/api/v1/admin/inventory/{v}"), json!({"low_stock_threshold": -1}), "low_stock_threshold"),
    ];
    for (method, path, body, field) in bad {
        let r = call(method, &s.host, &path, Some(&token), Some(&body));
        assert_eq!(r.status, 400, "{method} {path} {body}: {}", r.body);
        assert!(r.json()["error"]["message"].as_str().unwrap_or("").starts_with(field), "{method} {path} {body}: {}", r.body);
    }
    // ids that are no UUIDs (or name nothing) are 404 with the resource's code
    for (method, path, code) in [
        ("GET", "/api/v1/admin/products/not-a-uuid".to_owned(), "product_not_found"),
        ("POST", "/api/v1/admin/products/00000000-0000-4000-8000-000000000000/duplicate".to_owned(), "product_not_found"),
        ("DELETE", format!("/api/v1/admin/products/{p}/variants/x"), "variant_not_found"),
        ("DELETE", format!("/api/v1/admin/products/{p}/variants/{}", uuid()), "variant_not_found"),
        ("DELETE", "/api/v1/admin/categories/1".to_owned(), "category_not_found"),
        ("GET", "/api/v1/admin/inventory/zzz/adjustments".to_owned(), "variant_not_found"),
        ("GET", format!("/api/v1/admin/inventory/{}/adjustments", uuid()), "variant_not_found"),
    ] {
        let r = call(method, &s.host, &path, Some(&token), None);
        assert_eq!((r.status, r.error_code().as_str()), (404, code), "{method} {path}: {}", r.body);
    }
    // bad cursors and limits: 422 naming the parameter
    for path in [
        "/api/v1/admin/products?cursor=Zm9v".to_owned(),
        "/api/v1/admin/products?limit=abc".to_owned(),
        "/api/v1/admin/inventory?cursor=%FF".to_owned(),
        "/api/v1/admin/inventory?low_stock=1".to_owned(),
        format!("/api/v1/admin/inventory/{v}/adjustments?cursor=LTE"),
        format!("/api/v1/admin/inventory/{v}/adjustments?limit=1000"),
    ] {
        let r = call("GET", &s.host, &path, Some(&token), None);
        assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_query"), "{path}: {}", r.body);
    }
    // methods a route does not take
    for (method, path) in [
        ("PUT", "/api/v1/admin/products".to_owned()),
        ("GET", format!("/api/v1/admin/products/{p}/archive")),
        ("DELETE", "/api/v1/admin/inventory".to_owned()),
    ] {
        let r = call(method, &s.host, &path, Some(&token), None);
        assert_eq!(r.status, 405, "{method} {path}: {}", r.body);
    }
    assert_eq!(catalog_state(&s.brand), before);
}

/// `{method} /{path}` straight to PostgREST with a token for `claims` (as a stolen or
/// replayed database token would be sent, without the worker).
fn postgrest(method: &str, claims: shoal_domain::db_token::DbClaims, path: &str, body: Value) -> Reply {
    let api = format!("http://127.0.0.1:{}", std::env::var("SHOAL_API_PORT").unwrap_or_else(|_| "54330".into()));
    let auth = format!("Bearer {}", token_for(claims));
    http(method, &format!("{api}/{path}"), &[("authorization", &auth), ("content-type", "application/json")], Some(body.to_string()))
}

#[test]
fn without_the_worker_a_staff_or_shopper_database_token_changes_nothing_of_another_brand_and_writes_no_ledger() {
    let (a, b) = (shop("fenpga"), shop("fenpgb"));
    let (a_before, b_before) = (catalog_state(&a.brand), catalog_state(&b.brand));
    let a_admin = || staff_claims(&a.brand, "brand_admin");
    let (p, v, c) = (&b.product, &b.variant, &b.category);
    for (function, args) in [
        ("admin_get_product", json!({"p_product_id": p})),
        ("admin_edit_product", json!({"p_product_id": p, "p": {"title": "Hacked"}})),
        ("admin_set_product_archived", json!({"p_product_id": p, "p_archived": true})),
        ("admin_duplicate_product", json!({"p_product_id": p})),
        ("admin_add_variant", json!({"p_product_id": p, "p": {"sku": "EVIL", "title": "x", "options": {"size": "XL"}, "price_amount": 1}})),
        ("admin_edit_variant", json!({"p_product_id": p, "p_variant_id": v, "p": {"price_amount": 1}})),
        ("admin_delete_variant", json!({"p_product_id": p, "p_variant_id": v})),
        ("admin_edit_category", json!({"p_category_id": c, "p_name": "Hacked", "p_slug": null})),
        ("admin_delete_category", json!({"p_category_id": c})),
        ("admin_adjust_inventory", json!({"p_variant_id": v, "p_delta": -4, "p_reason": "damaged", "p_note": null})),
        ("admin_set_low_stock_threshold", json!({"p_variant_id": v, "p_threshold": 9})),
        ("admin_inventory_adjustments", json!({"p_variant_id": v, "p_before": null, "p_limit": 10})),
    ] {
        let r = postgrest("POST", a_admin(), &format!("rpc/{function}"), args.clone());
        assert_eq!(r.status, 404, "{function} as brand A's admin: {}", r.body);
        let r = postgrest("POST", shoal_domain::db_token::DbClaims::anon_for_brand(&b.brand), &format!("rpc/{function}"), args);
        assert!(matches!(r.status, 401 | 403 | 404), "{function} as a shopper of B: {} {}", r.status, r.body);
    }
    // the ledger takes no row from any caller directly, not even of the caller's own brand
    let forged =
        json!({"brand_id": a.brand, "variant_id": a.variant, "delta": 100, "reason": "other", "available_after": 104, "actor": uuid()});
    let r = postgrest("POST", a_admin(), "inventory_adjustments", forged);
    assert!(matches!(r.status, 401 | 403), "{} {}", r.status, r.body);
    // nor stock rows of another brand's variants, nor prices of them
    let r = postgrest("POST", a_admin(), "prices", json!({"variant_id": v, "brand_id": a.brand, "currency": "EUR", "amount": 1}));
    assert!(matches!(r.status, 401 | 403), "{} {}", r.status, r.body);
    assert_eq!(catalog_state(&a.brand), a_before);
    assert_eq!(catalog_state(&b.brand), b_before);
}
