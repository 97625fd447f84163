//! The staff catalog API as a brand runs its catalog with it: products with variants,
//! archive/restore/duplicate, categories, inventory with its ledger, list filters and
//! cursors, and the cache: a catalog write makes exactly that brand's cached pages stale.
//! (Attacks on every endpoint: admin_catalog_fence.rs.)

use shoal_e2e::*;

fn body(r: &Reply, status: u16) -> Value {
    assert_eq!(r.status, status, "{}", r.body);
    r.json()
}

/// A product of two sizes (S in stock, M not) on `host`, through the API.
fn tee(host: &str, slug: &str, extra: Value) -> Value {
    let mut product = json!({
        "title": "Harbor Tee", "slug": slug, "description": "Heavy cotton.",
        "variants": [
            {"sku": format!("{slug}-S"), "options": {"size": "S"}, "price_amount": 2500, "compare_at_amount": 3000,
             "weight_grams": 180, "prices": {"EUR": 2300}, "available": 5, "low_stock_threshold": 2},
            {"sku": format!("{slug}-M"), "options": {"size": "M"}, "price_amount": 2600}
        ]
    });
    if let (Some(p), Some(e)) = (product.as_object_mut(), extra.as_object()) {
        p.extend(e.clone());
    }
    body(&admin("POST", host, "/api/v1/admin/products", Some(product)), 201)
}

#[test]
fn a_brand_admin_creates_a_product_with_two_variants_and_shoppers_see_it_once_active() {
    let (brand, host) = new_brand("catnew", "USD", "en");
    let category = body(&admin("POST", &host, "/api/v1/admin/categories", Some(json!({"name": "T-Shirts & Tops"}))), 201);
    assert_eq!((category["slug"].as_str(), category["product_count"].as_i64()), (Some("t-shirts-tops"), Some(0)));
    let p = tee(&host, "harbor-tee", json!({"category_id": category["id"]}));
    assert_eq!(
        (p["status"].as_str(), p["currency"].as_str(), p["category_id"].as_str()),
        (Some("draft"), Some("USD"), category["id"].as_str())
    );
    let v = &p["variants"];
    assert_eq!(v.as_array().map(Vec::len), Some(2));
    assert_eq!(
        (v[0]["title"].as_str(), v[0]["options"]["size"].as_str(), v[0]["prices"]["EUR"].as_i64()),
        (Some("S"), Some("S"), Some(2300))
    );
    assert_eq!((v[0]["compare_at_amount"].as_i64(), v[0]["weight_grams"].as_i64()), (Some(3000), Some(180)));
    assert_eq!(v[0]["inventory"], json!({"available": 5, "reserved": 0, "low_stock_threshold": 2}));
    assert_eq!(v[1]["inventory"]["available"], 0);
    // the detail reads back the same
    let id = p["id"].as_str().unwrap_or_default();
    assert_eq!(body(&admin("GET", &host, &format!("/api/v1/admin/products/{id}"), None), 200), p);
    // a draft is not for sale
    assert_eq!(get(&host, "/api/v1/store/products/harbor-tee").status, 404);
    let active = body(&admin("PATCH", &host, &format!("/api/v1/admin/products/{id}"), Some(json!({"status": "active"}))), 200);
    assert_eq!(active["status"], "active");
    let shop = get(&host, "/api/v1/store/products/harbor-tee");
    let shop = body(&shop, 200);
    assert_eq!((shop["title"].as_str(), shop["category"]["slug"].as_str()), (Some("Harbor Tee"), Some("t-shirts-tops")));
    let sizes: Vec<(String, i64, i64)> = shop["variants"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| {
                    (v["title"].as_str().unwrap_or("").to_owned(), v["price"].as_i64().unwrap_or(-1), v["available"].as_i64().unwrap_or(-1))
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(sizes, vec![("S".to_owned(), 2500, 5), ("M".to_owned(), 2600, 0)]);
    assert!(body(&get(&host, "/api/v1/store/products"), 200)["items"].to_string().contains("harbor-tee"));
    // audited as the admin, the initial stock in the ledger
    let admin_id = sql(&format!("select id from accounts where email = 'e2e-admin-{brand}@example.com'"));
    assert_eq!(sql(&format!("select actor from audit_log where brand_id = '{brand}' and action = 'product_created'")), admin_id);
    assert_eq!(
        count(&format!("select count(*) from inventory_adjustments where brand_id = '{brand}' and reason = 'received' and delta = 5")),
        1
    );
    // the same title again takes the next free slug
    let again = body(
        &admin(
            "POST",
            &host,
            "/api/v1/admin/products",
            Some(json!({"title": "Harbor Tee", "variants": [{"sku": "HT-X", "price_amount": 1}]})),
        ),
        201,
    );
    assert_eq!((again["slug"].as_str(), again["variants"][0]["title"].as_str()), (Some("harbor-tee-2"), Some("Default")));
    let taken = admin(
        "POST",
        &host,
        "/api/v1/admin/products",
        Some(json!({"title": "T", "slug": "harbor-tee", "variants": [{"sku": "HT-Y", "price_amount": 1}]})),
    );
    assert_eq!((taken.status, taken.error_code().as_str()), (409, "slug_taken"));
}

#[test]
fn a_products_fields_and_variants_are_edited_and_its_last_variant_stays() {
    let (_, host) = new_brand("catvar", "USD", "en");
    let p = tee(&host, "edit-tee", json!({}));
    let id = p["id"].as_str().unwrap_or_default().to_owned();
    let path = format!("/api/v1/admin/products/{id}");
    let e = body(&admin("PATCH", &host, &path, Some(json!({"title": "Harbour Tee", "slug": "harbour-tee", "description": "New."}))), 200);
    assert_eq!(
        (e["title"].as_str(), e["slug"].as_str(), e["description"].as_str()),
        (Some("Harbour Tee"), Some("harbour-tee"), Some("New."))
    );
    // a variant more, with a colour? No: every variant names the same options
    let r = admin(
        "POST",
        &host,
        &format!("{path}/variants"),
        Some(json!({"sku": "EDIT-RED", "options": {"colour": "red"}, "price_amount": 1})),
    );
    assert_eq!((r.status, r.error_code().as_str()), (422, "option_names_differ"), "{}", r.body);
    let r = admin("POST", &host, &format!("{path}/variants"), Some(json!({"sku": "EDIT-S2", "options": {"size": "S"}, "price_amount": 1})));
    assert_eq!((r.status, r.error_code().as_str()), (409, "duplicate_options"), "{}", r.body);
    let r =
        admin("POST", &host, &format!("{path}/variants"), Some(json!({"sku": "edit-tee-S", "options": {"size": "XL"}, "price_amount": 1})));
    assert_eq!((r.status, r.error_code().as_str()), (409, "sku_taken"), "{}", r.body);
    let added = body(
        &admin("POST", &host, &format!("{path}/variants"), Some(json!({"sku": "EDIT-L", "options": {"size": "L"}, "price_amount": 2700}))),
        201,
    );
    let variants = added["variants"].as_array().cloned().unwrap_or_default();
    assert_eq!(variants.iter().map(|v| v["sku"].as_str().unwrap_or("")).collect::<Vec<_>>(), ["edit-tee-S", "edit-tee-M", "EDIT-L"]);
    let s = variants[0]["id"].as_str().unwrap_or_default().to_owned();
    // compare-at must stay above the price: in one body (the worker), or against the stored one (the database)
    let r = admin("PATCH", &host, &format!("{path}/variants/{s}"), Some(json!({"price_amount": 3000, "compare_at_amount": 3000})));
    assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_field"), "{}", r.body);
    let r = admin("PATCH", &host, &format!("{path}/variants/{s}"), Some(json!({"price_amount": 3100})));
    assert_eq!((r.status, r.error_code().as_str()), (422, "compare_at_not_above_price"), "{}", r.body);
    let v = body(
        &admin(
            "PATCH",
            &host,
            &format!("{path}/variants/{s}"),
            Some(json!({"price_amount": 3100, "compare_at_amount": null, "prices": {"GBP": 2000}, "weight_grams": null})),
        ),
        200,
    );
    let s_now = &v["variants"][0];
    assert_eq!(
        (s_now["price_amount"].as_i64(), s_now["compare_at_amount"].as_i64(), s_now["weight_grams"].as_i64()),
        (Some(3100), None, None)
    );
    assert_eq!(s_now["prices"], json!({"GBP": 2000}));
    // a price in the brand's own currency is the variant's price, not a second one
    let r = admin("PATCH", &host, &format!("{path}/variants/{s}"), Some(json!({"prices": {"USD": 1}})));
    assert_eq!((r.status, r.error_code().as_str()), (422, "price_in_brand_currency"), "{}", r.body);
    // delete down to one; the last one stays
    let ids: Vec<String> = variants.iter().map(|v| v["id"].as_str().unwrap_or("").to_owned()).collect();
    body(&admin("DELETE", &host, &format!("{path}/variants/{}", ids[1]), None), 200);
    let last = body(&admin("DELETE", &host, &format!("{path}/variants/{}", ids[2]), None), 200);
    assert_eq!(last["variants"].as_array().map(Vec::len), Some(1));
    let r = admin("DELETE", &host, &format!("{path}/variants/{s}"), None);
    assert_eq!((r.status, r.error_code().as_str()), (409, "last_variant"));
    assert_eq!(count(&format!("select count(*) from variants where product_id = '{id}'")), 1);
}

#[test]
fn products_are_archived_restored_and_duplicated_as_drafts_without_stock() {
    let (_, host) = new_brand("catdup", "USD", "en");
    let p = tee(&host, "dup-tee", json!({"status": "active"}));
    let path = format!("/api/v1/admin/products/{}", p["id"].as_str().unwrap_or_default());
    assert_eq!(body(&admin("POST", &host, &format!("{path}/archive"), None), 200)["status"], "archived");
    assert_eq!(get(&host, "/api/v1/store/products/dup-tee").status, 404, "archived is off sale");
    assert_eq!(body(&admin("POST", &host, &format!("{path}/restore"), None), 200)["status"], "draft");
    let r = admin("POST", &host, &format!("{path}/restore"), None);
    assert_eq!((r.status, r.error_code().as_str()), (409, "not_archived"));
    let copy = body(&admin("POST", &host, &format!("{path}/duplicate"), None), 201);
    assert_eq!(
        (copy["slug"].as_str(), copy["status"].as_str(), copy["title"].as_str()),
        (Some("dup-tee-copy"), Some("draft"), Some("Harbor Tee"))
    );
    assert_ne!(copy["id"], p["id"]);
    let skus: Vec<&str> = copy["variants"].as_array().map(|a| a.iter().filter_map(|v| v["sku"].as_str()).collect()).unwrap_or_default();
    assert_eq!(skus, ["dup-tee-S-copy", "dup-tee-M-copy"]);
    assert_eq!(copy["variants"][0]["inventory"], json!({"available": 0, "reserved": 0, "low_stock_threshold": 2}));
    assert_eq!(copy["variants"][0]["prices"]["EUR"], 2300);
    let again = body(&admin("POST", &host, &format!("{path}/duplicate"), None), 201);
    assert_eq!((again["slug"].as_str(), again["variants"][0]["sku"].as_str()), (Some("dup-tee-copy-2"), Some("dup-tee-S-copy-2")));
}

#[test]
fn the_product_list_filters_and_pages_with_an_opaque_cursor() {
    let (_, host) = new_brand("catlist", "USD", "en");
    let hats = body(&admin("POST", &host, "/api/v1/admin/categories", Some(json!({"name": "Hats"}))), 201);
    let mut made = Vec::new();
    for (i, (title, sku, stock)) in
        [("Wool Beanie", "BEAN-1", 0), ("Canvas Tote", "TOTE-1", 50), ("Linen Shirt", "SHIRT-1", 50)].iter().enumerate()
    {
        let category = if i == 0 { hats["id"].clone() } else { Value::Null };
        let status = if i == 2 { "active" } else { "draft" };
        let p = admin(
            "POST",
            &host,
            "/api/v1/admin/products",
            Some(
                json!({"title": title, "status": status, "category_id": category, "variants": [{"sku": sku, "price_amount": 1000 + i as i64, "available": stock}]}),
            ),
        );
        made.push(body(&p, 201)["id"].as_str().unwrap_or_default().to_owned());
    }
    let ids = |r: &Value| {
        r["items"].as_array().map(|a| a.iter().filter_map(|p| p["id"].as_str().map(str::to_owned)).collect::<Vec<_>>()).unwrap_or_default()
    };
    // newest first, two at a time
    let first = body(&admin("GET", &host, "/api/v1/admin/products?limit=2", None), 200);
    assert_eq!(ids(&first), vec![made[2].clone(), made[1].clone()]);
    let item = &first["items"][0];
    assert_eq!(
        (item["variant_count"].as_i64(), item["available"].as_i64(), item["price_min"].as_i64(), item["currency"].as_str()),
        (Some(1), Some(50), Some(1002), Some("USD"))
    );
    let cursor = first["next_cursor"].as_str().unwrap_or_default().to_owned();
    assert!(!cursor.is_empty() && !cursor.contains('|'), "opaque: {cursor}");
    let second = body(&admin("GET", &host, &format!("/api/v1/admin/products?limit=2&cursor={cursor}"), None), 200);
    assert_eq!((ids(&second), second["next_cursor"].is_null()), (vec![made[0].clone()], true));
    // filters
    let only = |query: &str| ids(&body(&admin("GET", &host, &format!("/api/v1/admin/products?{query}"), None), 200));
    assert_eq!(only("status=active"), vec![made[2].clone()]);
    assert_eq!(only(&format!("category={}", hats["id"].as_str().unwrap_or_default())), vec![made[0].clone()]);
    assert_eq!(only("low_stock=true"), vec![made[0].clone()]);
    assert_eq!(only("q=canv"), vec![made[1].clone()]);
    assert_eq!(only("q=shirt-1"), vec![made[2].clone()], "a SKU prefix");
    assert_eq!(only("q=nothing+like+it"), Vec::<String>::new());
    // a bad parameter is 422 naming it
    for (query, param) in [
        ("cursor=zzz", "cursor"),
        ("limit=0", "limit"),
        ("limit=500", "limit"),
        ("status=gone", "status"),
        ("category=hats", "category"),
        ("low_stock=maybe", "low_stock"),
    ] {
        let r = admin("GET", &host, &format!("/api/v1/admin/products?{query}"), None);
        assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_query"), "{query}: {}", r.body);
        assert!(r.json()["error"]["message"].as_str().unwrap_or("").contains(param), "{query}: {}", r.body);
    }
}

#[test]
fn categories_are_created_renamed_reordered_assigned_and_deleted() {
    let (_, host) = new_brand("catcats", "USD", "en");
    let make = |name: &str| body(&admin("POST", &host, "/api/v1/admin/categories", Some(json!({"name": name}))), 201);
    let (a, b, c) = (make("Hats"), make("Bags"), make("Socks"));
    assert_eq!((a["position"].as_i64(), c["position"].as_i64()), (Some(0), Some(2)));
    let id = |v: &Value| v["id"].as_str().unwrap_or_default().to_owned();
    let renamed =
        body(&admin("PATCH", &host, &format!("/api/v1/admin/categories/{}", id(&b)), Some(json!({"name": "Totes", "slug": "totes"}))), 200);
    assert_eq!((renamed["name"].as_str(), renamed["slug"].as_str()), (Some("Totes"), Some("totes")));
    let r = admin("PATCH", &host, &format!("/api/v1/admin/categories/{}", id(&c)), Some(json!({"slug": "hats"})));
    assert_eq!((r.status, r.error_code().as_str()), (409, "slug_taken"));
    // reorder: every category exactly once
    for ids in [vec![id(&c), id(&a)], vec![id(&c), id(&a), id(&a)], vec![id(&c), id(&a), id(&b), uuid()]] {
        let r = admin("POST", &host, "/api/v1/admin/categories/reorder", Some(json!({ "ids": ids })));
        assert_eq!((r.status, r.error_code().as_str()), (422, "reorder_set_mismatch"), "{}", r.body);
    }
    let list = body(&admin("POST", &host, "/api/v1/admin/categories/reorder", Some(json!({"ids": [id(&c), id(&a), id(&b)]}))), 200);
    let slugs: Vec<&str> = list["items"].as_array().map(|a| a.iter().filter_map(|c| c["slug"].as_str()).collect()).unwrap_or_default();
    assert_eq!(slugs, ["socks", "hats", "totes"]);
    let listed = body(&admin("GET", &host, "/api/v1/admin/categories", None), 200);
    assert_eq!(listed, list);
    // assign through the product, then delete the category: the product is uncategorised
    let p = tee(&host, "cat-tee", json!({}));
    let path = format!("/api/v1/admin/products/{}", id(&p));
    assert_eq!(body(&admin("PATCH", &host, &path, Some(json!({"category_id": id(&a)}))), 200)["category_id"], a["id"]);
    assert_eq!(body(&admin("GET", &host, "/api/v1/admin/categories", None), 200)["items"][1]["product_count"], 1);
    let after = body(&admin("DELETE", &host, &format!("/api/v1/admin/categories/{}", id(&a)), None), 200);
    assert_eq!(after["items"].as_array().map(Vec::len), Some(2));
    assert!(body(&admin("GET", &host, &path, None), 200)["category_id"].is_null());
    // unassign explicitly
    assert_eq!(body(&admin("PATCH", &host, &path, Some(json!({"category_id": id(&c)}))), 200)["category_id"], c["id"]);
    assert!(body(&admin("PATCH", &host, &path, Some(json!({"category_id": null}))), 200)["category_id"].is_null());
}

#[test]
fn stock_adjustments_are_a_ledger_of_who_why_and_how_much_and_never_go_below_reserved() {
    let (brand, host) = new_brand("catinv", "USD", "en");
    let p = tee(&host, "inv-tee", json!({}));
    let s = p["variants"][0]["id"].as_str().unwrap_or_default().to_owned();
    let adjust = |delta: i64, reason: &str, note: Value| {
        admin(
            "POST",
            &host,
            &format!("/api/v1/admin/inventory/{s}/adjustments"),
            Some(json!({"delta": delta, "reason": reason, "note": note})),
        )
    };
    let r = body(&adjust(10, "received", json!("pallet 7")), 201);
    assert_eq!(
        (r["available"].as_i64(), r["reserved"].as_i64(), r["adjustment"]["available_after"].as_i64()),
        (Some(15), Some(0), Some(15))
    );
    assert_eq!(r["adjustment"]["actor_email"].as_str(), Some(format!("e2e-admin-{brand}@example.com").as_str()));
    // pending orders hold 12 of the 15: at most 3 may go
    sql(&format!("update inventory_levels set reserved = 12 where variant_id = '{s}'"));
    let r = adjust(-4, "damaged", Value::Null);
    assert_eq!((r.status, r.error_code().as_str()), (409, "insufficient_stock"), "{}", r.body);
    body(&adjust(-3, "damaged", json!("water")), 201);
    assert_eq!(sql(&format!("select available || '/' || reserved from inventory_levels where variant_id = '{s}'")), "12/12");
    for bad in [json!({"delta": 0, "reason": "other"}), json!({"delta": 1, "reason": "stolen"}), json!({"delta": 1})] {
        let r = admin("POST", &host, &format!("/api/v1/admin/inventory/{s}/adjustments"), Some(bad.clone()));
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
    }
    // the ledger, newest first, a page at a time
    let page = body(&admin("GET", &host, &format!("/api/v1/admin/inventory/{s}/adjustments?limit=2"), None), 200);
    let deltas: Vec<i64> = page["items"].as_array().map(|a| a.iter().filter_map(|e| e["delta"].as_i64()).collect()).unwrap_or_default();
    assert_eq!(deltas, [-3, 10]);
    assert_eq!((page["items"][0]["reason"].as_str(), page["items"][0]["note"].as_str()), (Some("damaged"), Some("water")));
    let next = page["next_cursor"].as_str().unwrap_or_default().to_owned();
    let rest = body(&admin("GET", &host, &format!("/api/v1/admin/inventory/{s}/adjustments?cursor={next}"), None), 200);
    assert_eq!((rest["items"][0]["delta"].as_i64(), rest["items"][0]["note"].as_str()), (Some(5), Some("initial stock")));
    assert!(rest["next_cursor"].is_null());
    // thresholds and the low-stock list
    let m = p["variants"][1]["id"].as_str().unwrap_or_default().to_owned();
    let t = body(&admin("PATCH", &host, &format!("/api/v1/admin/inventory/{s}"), Some(json!({"low_stock_threshold": 0}))), 200);
    assert_eq!((t["low_stock_threshold"].as_i64(), t["low_stock"].as_bool()), (Some(0), Some(true)));
    let levels = body(&admin("GET", &host, "/api/v1/admin/inventory?low_stock=true", None), 200);
    let low: Vec<&str> =
        levels["items"].as_array().map(|a| a.iter().filter_map(|l| l["variant_id"].as_str()).collect()).unwrap_or_default();
    assert_eq!(low, [m.as_str(), s.as_str()], "both have nothing left to sell, by SKU");
    body(&admin("POST", &host, &format!("/api/v1/admin/inventory/{m}/adjustments"), Some(json!({"delta": 9, "reason": "received"}))), 201);
    let levels = body(&admin("GET", &host, "/api/v1/admin/inventory?low_stock=true&q=inv-tee", None), 200);
    assert_eq!(levels["items"].as_array().map(Vec::len), Some(1));
    let all = body(&admin("GET", &host, "/api/v1/admin/inventory?limit=1", None), 200);
    assert_eq!(all["items"][0]["sku"], "inv-tee-M");
    let next = all["next_cursor"].as_str().unwrap_or_default().to_owned();
    let all2 = body(&admin("GET", &host, &format!("/api/v1/admin/inventory?limit=1&cursor={next}"), None), 200);
    assert_eq!((all2["items"][0]["sku"].as_str(), all2["next_cursor"].is_null()), (Some("inv-tee-S"), true));
    // audited
    assert_eq!(count(&format!("select count(*) from audit_log where brand_id = '{brand}' and action = 'inventory_adjusted'")), 3);
    assert_eq!(count(&format!("select count(*) from audit_log where brand_id = '{brand}' and action = 'low_stock_threshold_set'")), 1);
}

#[test]
fn a_catalog_write_makes_that_brands_cached_pages_stale_and_no_other_brands() {
    let (a_brand, a) = new_brand("cacha", "USD", "en");
    let (b_brand, b) = new_brand("cachb", "USD", "en");
    for host in [&a, &b] {
        let p = tee(host, "cache-tee", json!({"status": "active"}));
        assert_eq!(p["status"], "active");
    }
    let pages = ["/api/v1/store/products/cache-tee", "/api/v1/store/products"];
    for host in [&a, &b] {
        for page in pages {
            get(host, page);
            assert_eq!(get(host, page).header("x-shoal-cache").as_deref(), Some("hit"), "{host}{page} is cached");
        }
    }
    let b_version = sql(&format!("select catalog_version from brands where id = '{b_brand}'"));
    let b_before: Vec<Value> = pages.iter().map(|p| get(&b, p).json()).collect();
    // an inventory adjustment changes what A's product page shows: A's pages are fresh at once
    let a_product = body(&admin("GET", &a, "/api/v1/admin/products?q=cache-tee-M", None), 200);
    let a_id = a_product["items"][0]["id"].as_str().unwrap_or_default().to_owned();
    let a_detail = body(&admin("GET", &a, &format!("/api/v1/admin/products/{a_id}"), None), 200);
    let m = a_detail["variants"][1]["id"].as_str().unwrap_or_default().to_owned();
    body(&admin("POST", &a, &format!("/api/v1/admin/inventory/{m}/adjustments"), Some(json!({"delta": 7, "reason": "received"}))), 201);
    let fresh = get(&a, pages[0]);
    assert_eq!(fresh.header("x-shoal-cache").as_deref(), Some("miss"));
    assert_eq!(fresh.json()["variants"][1]["available"], 7);
    assert_eq!(get(&a, pages[1]).header("x-shoal-cache").as_deref(), Some("miss"));
    // a catalog edit too (title)
    body(&admin("PATCH", &a, &format!("/api/v1/admin/products/{a_id}"), Some(json!({"title": "Cached Tee"}))), 200);
    let fresh = get(&a, pages[0]);
    assert_eq!((fresh.header("x-shoal-cache").as_deref(), fresh.json()["title"].as_str()), (Some("miss"), Some("Cached Tee")));
    // brand B: the same version, its cached entries still served as they were
    assert_eq!(sql(&format!("select catalog_version from brands where id = '{b_brand}'")), b_version);
    for (page, before) in pages.iter().zip(&b_before) {
        let r = get(&b, page);
        assert_eq!(r.header("x-shoal-cache").as_deref(), Some("hit"), "{b}{page}");
        assert_eq!(&r.json(), before);
    }
    assert_ne!(a_brand, b_brand);
}
