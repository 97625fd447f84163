//! The brand fence without the worker: a staff database token of one brand, sent straight
//! to PostgREST (as a stolen or replayed token would be), calls every staff function of
//! orders, catalog, billing, data, audit, the security setting and releases with another
//! brand's ids. Each call is refused or touches nothing; the rows are checked after.
//! "Brand A" is a fresh brand of each test (so its own changes disturb no other test),
//! brand B is globex.

use shoal_domain::db_token::DbClaims;
use shoal_e2e::*;

fn api() -> String {
    format!("http://127.0.0.1:{}", std::env::var("SHOAL_API_PORT").unwrap_or_else(|_| "54330".into()))
}

/// `POST /rpc/{function}` with `claims`' token.
fn rpc(claims: DbClaims, function: &str, args: Value) -> Reply {
    let auth = format!("Bearer {}", token_for(claims));
    http(
        "POST",
        &format!("{}/rpc/{function}", api()),
        &[("authorization", &auth), ("content-type", "application/json")],
        Some(args.to_string()),
    )
}

/// A staff member of `brand` with `role` (a fresh account the database confirms).
fn staff(brand: &str, role: &str) -> DbClaims {
    staff_claims(brand, role)
}

/// A paid order of brand B (globex) with `email`.
fn globex_order(email: &str) -> String {
    sql(&format!(
        "insert into orders (brand_id, email, currency, total_amount, status, payment_status)
         values ('{GLOBEX_ID}', '{email}', 'EUR', 2000, 'paid', 'paid') returning id"
    ))
}

#[test]
fn brand_a_staff_token_reads_and_moves_no_order_of_brand_b() {
    let (brand_a, _) = new_brand("fence-orders", "USD", "en");
    let email = format!("{}@example.com", unique("fence-order-"));
    let order = globex_order(&email);
    let admin = || staff(&brand_a, "brand_admin");
    let read = rpc(admin(), "admin_get_order", json!({"p_order_id": order}));
    assert_eq!((read.status, read.body.trim()), (200, "null"), "another brand's order reads as nothing");
    let moved = rpc(admin(), "staff_transition_order", json!({"p_order_id": order, "p_to": "processing", "p_tracking": null}));
    assert_eq!(moved.status, 404, "{}", moved.body);
    // the old signature, brand and actor as parameters, no longer exists
    let old = rpc(
        admin(),
        "staff_transition_order",
        json!({"p_brand_id": GLOBEX_ID, "p_order_id": order, "p_to": "processing", "p_tracking": null, "p_actor": "x"}),
    );
    assert_eq!(old.status, 404, "{}", old.body);
    let direct = http(
        "PATCH",
        &format!("{}/orders?id=eq.{order}", api()),
        &[
            ("authorization", &format!("Bearer {}", token_for(admin()))),
            ("content-type", "application/json"),
            ("prefer", "return=representation"),
        ],
        Some(json!({"email": "erased-x@erased.invalid"}).to_string()),
    );
    assert_eq!(direct.json(), json!([]), "no row of brand B is writable: {}", direct.body);
    let viewer = rpc(
        staff(GLOBEX_ID, "read_only"),
        "staff_transition_order",
        json!({"p_order_id": order, "p_to": "processing", "p_tracking": null}),
    );
    assert_eq!(viewer.status, 403, "read_only of the order's own brand cannot move it: {}", viewer.body);
    assert_eq!(sql(&format!("select status || ' ' || email from orders where id = '{order}'")), format!("paid {email}"));
    assert_eq!(count(&format!("select count(*) from order_events where order_id = '{order}'")), 0);
    assert_eq!(count(&format!("select count(*) from audit_log where target = '{order}'")), 0);
}

#[test]
fn brand_a_staff_token_changes_no_product_of_brand_b() {
    let (brand_a, _) = new_brand("fence-catalog", "USD", "en");
    let before =
        sql(&format!("select title || ' ' || status from products where brand_id = '{GLOBEX_ID}' and slug = 'chaqueta-prototipo'"));
    let r = rpc(
        staff(&brand_a, "brand_admin"),
        "admin_update_product",
        json!({"p_slug": "chaqueta-prototipo", "p_title": "Hacked", "p_status": "active", "p_price": 1}),
    );
    assert_eq!((r.status, r.json()["message"].as_str()), (404, Some("product_not_found")), "{}", r.body);
    let viewer = rpc(
        staff(GLOBEX_ID, "read_only"),
        "admin_update_product",
        json!({"p_slug": "chaqueta-prototipo", "p_title": "Hacked", "p_status": null, "p_price": null}),
    );
    assert_eq!(viewer.status, 403, "{}", viewer.body);
    assert_eq!(
        sql(&format!("select title || ' ' || status from products where brand_id = '{GLOBEX_ID}' and slug = 'chaqueta-prototipo'")),
        before
    );
    assert_eq!(
        count(
            "select count(*) from variants v join products p on p.id = v.product_id
                                where p.slug = 'chaqueta-prototipo' and v.price_amount = 1"
        ),
        0
    );
}

#[test]
fn brand_a_staff_token_exports_and_erases_nothing_of_brand_b() {
    let (brand_a, _) = new_brand("fence-data", "USD", "en");
    let email = format!("{}@example.com", unique("fence-victim-"));
    let order = globex_order(&email);
    sql(&format!("insert into email_outbox (brand_id, to_email, template) values ('{GLOBEX_ID}', '{email}', 'pgtap')"));
    let export = rpc(staff(&brand_a, "brand_admin"), "admin_export", json!({}));
    assert_eq!(export.status, 200, "{}", export.body);
    assert_eq!(export.json()["brand"]["id"], brand_a.as_str());
    assert!(!export.body.contains(&email) && !export.body.contains("Camiseta"), "nothing of brand B: {}", export.body);
    let erased = rpc(staff(&brand_a, "brand_admin"), "admin_erase_customer", json!({"p_email": email}));
    assert_eq!(erased.json()["orders_anonymised"], 0, "{}", erased.body);
    let viewer = rpc(staff(GLOBEX_ID, "read_only"), "admin_erase_customer", json!({"p_email": email}));
    assert_eq!(viewer.status, 403, "{}", viewer.body);
    let editor = rpc(staff(GLOBEX_ID, "editor"), "admin_export", json!({}));
    assert_eq!(editor.status, 403, "{}", editor.body);
    assert_eq!(sql(&format!("select email from orders where id = '{order}'")), email);
    assert_eq!(count(&format!("select count(*) from email_outbox where to_email = '{email}'")), 1);
}

#[test]
fn brand_a_staff_token_reads_no_audit_row_of_brand_b() {
    let (brand_a, _) = new_brand("fence-audit", "USD", "en");
    let action = unique("globex_secret_");
    sql(&format!("insert into audit_log (brand_id, actor, action) values ('{GLOBEX_ID}', 'system', '{action}')"));
    let page = rpc(
        staff(&brand_a, "brand_admin"),
        "admin_audit_log",
        json!({"p_action": action, "p_by": null, "p_from": null, "p_to": null, "p_before": null, "p_limit": 200}),
    );
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.json()["items"], json!([]), "{}", page.body);
    let viewer = rpc(
        staff(GLOBEX_ID, "read_only"),
        "admin_audit_log",
        json!({"p_action": action, "p_by": null, "p_from": null, "p_to": null, "p_before": null, "p_limit": 200}),
    );
    assert_eq!(viewer.status, 403, "{}", viewer.body);
}

#[test]
fn brand_a_staff_token_changes_no_security_setting_or_billing_of_brand_b() {
    let (brand_a, _) = new_brand("fence-settings", "USD", "en");
    let customer = unique("cus_globexfence");
    let set = rpc(staff(&brand_a, "brand_admin"), "admin_set_security", json!({"p_require_mfa": true}));
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(sql(&format!("select require_mfa_for_admins from brands where id = '{brand_a}'")), "t", "the token's own brand");
    let viewer = rpc(staff(GLOBEX_ID, "read_only"), "admin_set_security", json!({"p_require_mfa": true}));
    assert_eq!(viewer.status, 403, "{}", viewer.body);
    assert_eq!(sql(&format!("select require_mfa_for_admins from brands where id = '{GLOBEX_ID}'")), "f");

    let state = rpc(staff(&brand_a, "brand_admin"), "brand_billing_state", json!({}));
    assert_eq!((state.status, state.json()["status"].as_str()), (200, Some("none")), "{}", state.body);
    let bound = rpc(staff(&brand_a, "brand_admin"), "admin_bind_billing_customer", json!({"p_customer": customer}));
    assert_eq!(bound.status, 200, "{}", bound.body);
    let editor = rpc(staff(GLOBEX_ID, "editor"), "admin_bind_billing_customer", json!({"p_customer": "cus_editor"}));
    assert_eq!(editor.status, 403, "{}", editor.body);
    assert_eq!(
        sql(&format!("select brand_id || ' ' || status from brand_subscriptions where stripe_customer_id = '{customer}'")),
        format!("{brand_a} incomplete"),
        "bound to the token's brand only"
    );
    assert_eq!(
        count(&format!("select count(*) from brand_subscriptions where brand_id = '{GLOBEX_ID}' and stripe_customer_id = 'cus_editor'")),
        0
    );
}

#[test]
fn only_a_super_admin_token_publishes_or_yanks_releases_and_in_its_own_name() {
    let platform = unique("fence-").to_lowercase().chars().take(30).collect::<String>();
    let args = |version: &str| {
        json!({"p_version": version, "p_channel": "stable", "p_platform": platform, "p_sha256": "a".repeat(64),
                                     "p_size": 1, "p_notes": null, "p_r2_key": "k"})
    };
    let admin = rpc(staff(GLOBEX_ID, "brand_admin"), "admin_publish_release", args("1.0.0"));
    assert_eq!(admin.status, 403, "{}", admin.body);
    let device = rpc(DbClaims::device(&uuid(), GLOBEX_ID), "admin_publish_release", args("1.0.1"));
    assert_eq!(device.status, 403, "{}", device.body);
    let shopper = rpc(DbClaims::anon_for_brand(GLOBEX_ID), "admin_publish_release", args("1.0.2"));
    assert!(matches!(shopper.status, 401 | 403), "{}", shopper.body);
    assert_eq!(count(&format!("select count(*) from app_releases where platform = '{platform}'")), 0);

    let me = staff_member(GLOBEX_ID, "super_admin");
    let published = rpc(DbClaims::staff(&me, GLOBEX_ID, "super_admin", "sid"), "admin_publish_release", args("1.1.0"));
    assert_eq!(published.status, 200, "{}", published.body);
    assert_eq!(sql(&format!("select created_by from app_releases where platform = '{platform}'")), me, "authored by the token's account");
    let yank = rpc(staff(GLOBEX_ID, "brand_admin"), "admin_yank_release", json!({"p_platform": platform, "p_version": "1.1.0"}));
    assert_eq!(yank.status, 403, "{}", yank.body);
    assert_eq!(sql(&format!("select yanked from app_releases where platform = '{platform}'")), "f");
    let listed = rpc(staff(GLOBEX_ID, "brand_admin"), "admin_list_releases", json!({"p_platform": platform}));
    assert_eq!((listed.status, listed.json()), (200, json!([])), "only super admins see releases: {}", listed.body);
}

#[test]
fn a_shopper_token_calls_no_staff_function() {
    let shopper = || DbClaims::anon_for_brand(GLOBEX_ID);
    for (function, args) in [
        ("admin_get_order", json!({"p_order_id": uuid()})),
        ("staff_transition_order", json!({"p_order_id": uuid(), "p_to": "processing", "p_tracking": null})),
        ("admin_update_product", json!({"p_slug": "gorras", "p_title": "x", "p_status": null, "p_price": null})),
        ("admin_export", json!({})),
        ("admin_erase_customer", json!({"p_email": "a@example.com"})),
        ("admin_audit_log", json!({"p_action": null, "p_by": null, "p_from": null, "p_to": null, "p_before": null, "p_limit": 1})),
        ("admin_set_security", json!({"p_require_mfa": true})),
        ("brand_billing_state", json!({})),
        ("admin_bind_billing_customer", json!({"p_customer": "cus_shopper"})),
        ("admin_yank_release", json!({"p_platform": "x", "p_version": "1.0.0"})),
    ] {
        let r = rpc(shopper(), function, args);
        assert!(matches!(r.status, 401 | 403), "{function}: {} {}", r.status, r.body);
    }
    assert_eq!(sql(&format!("select require_mfa_for_admins from brands where id = '{GLOBEX_ID}'")), "f");
}
