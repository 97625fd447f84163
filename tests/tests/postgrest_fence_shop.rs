//! The shopper's functions hold their fence without the worker: a shopper token of brand A
//! (`anon`, brand A, a cart id) sent straight to PostgREST with brand B's cart, order and
//! variant ids reads nothing and changes nothing; another shopper's cart of the same brand
//! is out of reach; staff and device tokens are no shoppers. Every "nothing changed" is
//! read back from the database.

use shoal_domain::db_token::DbClaims;
use shoal_e2e::shop::{shop_with_lamp, Shopper};
use shoal_e2e::*;

fn api() -> String {
    format!("http://127.0.0.1:{}", std::env::var("SHOAL_API_PORT").unwrap_or_else(|_| "54330".into()))
}

/// `POST /rpc/{function}` with `claims`' token.
fn rpc(claims: DbClaims, function: &str, body: Value) -> Reply {
    let auth = format!("Bearer {}", token_for(claims));
    http(
        "POST",
        &format!("{}/rpc/{function}", api()),
        &[("authorization", &auth), ("content-type", "application/json")],
        Some(body.to_string()),
    )
}

/// A table request (`GET /carts?…`, `PATCH`, `DELETE`) with `claims`' token.
fn table(claims: DbClaims, method: &str, path: &str, body: Option<Value>) -> Reply {
    let auth = format!("Bearer {}", token_for(claims));
    let headers = [("authorization", auth.as_str()), ("content-type", "application/json"), ("prefer", "return=representation")];
    http(method, &format!("{}/{path}", api()), &headers, body.map(|b| b.to_string()))
}

/// Brand B's shopper with an unpaid checkout (session attached) and a line back in the cart.
struct BrandB {
    brand: String,
    variant: String,
    cart: String,
    order: String,
    number: i64,
}

fn brand_b_with_a_checkout() -> BrandB {
    let (brand, host, variant) = shop_with_lamp("fence-b", "{}", 10);
    let mut s = Shopper::new(&host);
    assert_eq!(s.add(&variant, 2).status, 200);
    let started = s.checkout(json!({"email": "buyer@fence-b.test"}));
    assert_eq!(started.status, 201, "{}", started.body);
    let order = started.json()["order_id"].as_str().unwrap_or_default().to_owned();
    let number = started.json()["order_number"].as_i64().unwrap_or_default();
    assert_eq!(s.add(&variant, 1).status, 200);
    let cart = sql(&format!("select cart_id from checkout_holds where order_id = '{order}'"));
    BrandB { brand, variant, cart, order, number }
}

/// What of B must not move: its cart line, order status and session, and reserved stock.
fn state_of(b: &BrandB) -> String {
    sql(&format!(
        "select (select string_agg(variant_id || ':' || quantity, ',') from cart_lines where cart_id = '{}') || '|' ||
                (select status || ':' || coalesce(stripe_checkout_session_id, '') from orders where id = '{}') || '|' ||
                (select reserved from inventory_levels where variant_id = '{}') || '|' ||
                (select count(*) from orders where brand_id = '{}')",
        b.cart, b.order, b.variant, b.brand
    ))
}

fn refused(r: &Reply) -> bool {
    (400..500).contains(&r.status)
}

#[test]
fn a_shopper_token_of_another_brand_with_brand_bs_ids_reads_and_changes_nothing() {
    let b = brand_b_with_a_checkout();
    let (brand_a, _, variant_a) = shop_with_lamp("fence-a", "{}", 10);
    let before = state_of(&b);
    let orders_of_a = || count(&format!("select count(*) from orders where brand_id = '{brand_a}'"));
    let a_with_bs_cart = || DbClaims::shopper(&brand_a, Some(&b.cart));

    let cart = rpc(a_with_bs_cart(), "store_get_cart", json!({}));
    assert_eq!((cart.status, cart.json()["lines"].clone()), (200, json!([])), "{}", cart.body);
    for path in ["carts?select=id", "cart_lines?select=variant_id", "orders?select=id", "checkout_holds?select=order_id"] {
        let r = table(a_with_bs_cart(), "GET", path, None);
        assert_eq!((r.status, r.json()), (200, json!([])), "{path}: {}", r.body);
    }
    let line = rpc(
        a_with_bs_cart(),
        "store_set_cart_line",
        json!({"p_variant_id": variant_a, "p_quantity": 1, "p_mode": "add", "p_max_per_line": 10, "p_max_units": 20}),
    );
    assert!(refused(&line), "opening a cart under B's cart id: {} {}", line.status, line.body);
    let foreign_variant = rpc(
        DbClaims::shopper(&brand_a, Some(&uuid())),
        "store_set_cart_line",
        json!({"p_variant_id": b.variant, "p_quantity": 1, "p_mode": "add", "p_max_per_line": 10, "p_max_units": 20}),
    );
    assert_eq!(
        (foreign_variant.status, foreign_variant.json()["message"].as_str()),
        (404, Some("variant_not_found")),
        "{}",
        foreign_variant.body
    );
    let pending = rpc(a_with_bs_cart(), "pending_checkouts", json!({"p_order_id": b.order}));
    assert_eq!((pending.status, pending.json()), (200, json!([])));
    rpc(a_with_bs_cart(), "abandon_checkout", json!({"p_order_id": b.order, "p_reason": "cancelled_by_shopper"}));
    rpc(a_with_bs_cart(), "attach_checkout_session", json!({"p_order_id": b.order, "p_session_id": "cs_forged"}));
    let checkout = rpc(
        a_with_bs_cart(),
        "checkout_cart",
        json!({"p_email": "thief@fence-a.test", "p_reservation_minutes": 35,
        "p_client_key": "c".repeat(64), "p_max_units": 20, "p_max_pending_per_email": 2, "p_max_pending_per_client": 4}),
    );
    assert_eq!((checkout.status, checkout.json()["message"].as_str()), (422, Some("cart_empty")), "{}", checkout.body);
    let status =
        rpc(DbClaims::shopper(&brand_a, None), "store_order_status", json!({"p_number": b.number, "p_email": "buyer@fence-b.test"}));
    assert_eq!((status.status, status.json()), (200, Value::Null), "B's order is no order of A");
    table(a_with_bs_cart(), "PATCH", &format!("cart_lines?cart_id=eq.{}", b.cart), Some(json!({"quantity": 9})));
    table(a_with_bs_cart(), "DELETE", &format!("cart_lines?cart_id=eq.{}", b.cart), None);

    assert_eq!(state_of(&b), before, "brand B's cart, order, session and stock are unchanged");
    assert_eq!(orders_of_a(), 0, "no order was made in A");
    assert_eq!(count(&format!("select count(*) from carts where id = '{}' and brand_id = '{brand_a}'", b.cart)), 0);
}

#[test]
fn another_shopper_of_the_same_brand_cannot_reach_a_cart_or_its_checkout() {
    let b = brand_b_with_a_checkout();
    let before = state_of(&b);
    let other = || DbClaims::shopper(&b.brand, Some(&uuid()));
    assert_eq!(table(other(), "GET", "cart_lines?select=variant_id", None).json(), json!([]));
    assert_eq!(table(other(), "GET", "orders?select=id", None).json(), json!([]));
    assert_eq!(rpc(other(), "pending_checkouts", json!({"p_order_id": b.order})).json(), json!([]));
    rpc(other(), "abandon_checkout", json!({"p_order_id": b.order, "p_reason": "cancelled_by_shopper"}));
    rpc(other(), "attach_checkout_session", json!({"p_order_id": b.order, "p_session_id": "cs_forged"}));
    table(other(), "PATCH", &format!("cart_lines?cart_id=eq.{}", b.cart), Some(json!({"quantity": 9})));
    table(other(), "DELETE", &format!("cart_lines?cart_id=eq.{}", b.cart), None);
    assert_eq!(state_of(&b), before, "the other shopper's cart and checkout are unchanged");
    // the owner's own token does reach them: the fence is not a wall
    let own = rpc(DbClaims::shopper(&b.brand, Some(&b.cart)), "pending_checkouts", json!({}));
    assert_eq!(own.json().as_array().map(Vec::len), Some(1), "{}", own.body);
}

#[test]
fn staff_and_device_tokens_are_no_shoppers() {
    let b = brand_b_with_a_checkout();
    let before = state_of(&b);
    let account = sql("select account_id from memberships limit 1");
    let callers = [
        DbClaims { cart_id: Some(b.cart.clone()), ..DbClaims::staff(&account, &b.brand, "brand_admin", &uuid()) },
        DbClaims { cart_id: Some(b.cart.clone()), ..DbClaims::device(&uuid(), &b.brand) },
    ];
    for claims in callers {
        for (function, body) in [
            ("store_get_cart", json!({})),
            ("pending_checkouts", json!({})),
            ("abandon_checkout", json!({"p_order_id": b.order, "p_reason": "cancelled_by_shopper"})),
            ("attach_checkout_session", json!({"p_order_id": b.order, "p_session_id": "cs_forged"})),
            ("store_order_status", json!({"p_number": b.number, "p_email": "buyer@fence-b.test"})),
            (
                "checkout_cart",
                json!({"p_email": "staff@fence-b.test", "p_reservation_minutes": 35, "p_client_key": "c".repeat(64),
                                     "p_max_units": 20, "p_max_pending_per_email": 2, "p_max_pending_per_client": 4}),
            ),
        ] {
            let r = rpc(claims.clone(), function, body);
            assert!(refused(&r), "{:?} calling {function}: {} {}", claims.app_role, r.status, r.body);
        }
        let lines = table(claims.clone(), "GET", "cart_lines?select=variant_id", None);
        assert!(refused(&lines) || lines.json() == json!([]), "{}", lines.body);
    }
    assert_eq!(state_of(&b), before);
}
