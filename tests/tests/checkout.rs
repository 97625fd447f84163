//! Cart and checkout: server-side prices, reservations, Stripe Checkout, no half state.

use shoal_e2e::shop::*;
use shoal_e2e::stripe::*;
use shoal_e2e::*;

/// A product of a fresh brand with exactly `stock` units, so tests never share stock.
fn stocked_product(stock: i64, price: i64) -> (String, String, String) {
    let (brand, host) = new_brand("shop", "USD", "en");
    let variant = sql(&format!(
        "insert into products (brand_id, slug, title, status) values ('{brand}', 'mug', 'Mug', 'active');
         insert into variants (brand_id, product_id, sku, title, price_amount)
           select '{brand}', id, 'MUG-1', 'One size', {price} from products where brand_id = '{brand}' returning id"
    ));
    let variant = variant.lines().last().unwrap_or_default().to_owned();
    sql(&format!("insert into inventory_levels (variant_id, brand_id, available) values ('{variant}', '{brand}', {stock})"));
    (brand, host, variant)
}

/// A fresh brand with one product of `n` variants, each with `stock` units at `price`.
fn stocked_variants(n: usize, stock: i64, price: i64) -> (String, String, Vec<String>) {
    let (brand, host) = new_brand("caps", "USD", "en");
    sql(&format!("insert into products (brand_id, slug, title, status) values ('{brand}', 'tee', 'Tee', 'active')"));
    let variants = (0..n)
        .map(|i| {
            let id = sql(&format!(
                "insert into variants (brand_id, product_id, sku, title, price_amount, position)
                   select '{brand}', id, 'TEE-{i}', 'Size {i}', {price}, {i} from products where brand_id = '{brand}' returning id"
            ));
            let id = id.lines().last().unwrap_or_default().to_owned();
            sql(&format!("insert into inventory_levels (variant_id, brand_id, available) values ('{id}', '{brand}', {stock})"));
            id
        })
        .collect();
    (brand, host, variants)
}

/// The cart id inside a shopper's signed cookie (`{id}.{signature}`).
fn cart_of(s: &Shopper) -> String {
    s.cookie.as_deref().and_then(|c| c.split('.').next()).unwrap_or_default().to_owned()
}

fn stock(variant: &str) -> (i64, i64) {
    let row = sql(&format!("select available || '|' || reserved from inventory_levels where variant_id = '{variant}'"));
    let mut it = row.split('|').map(|v| v.parse::<i64>().unwrap_or(-1));
    (it.next().unwrap_or(-1), it.next().unwrap_or(-1))
}

#[test]
fn cart_lines_are_validated_and_priced_by_the_server() {
    let mut s = Shopper::new("acme.localhost");
    let small = variant_id("acme.localhost", "harbor-tee", 0);
    let large = variant_id("acme.localhost", "harbor-tee", 2);
    assert_eq!(s.add(&small, 1).status, 200);
    let cart = s.add(&large, 2).json();
    assert_eq!(cart["lines"].as_array().map(Vec::len), Some(2));
    let total: i64 = cart["lines"].as_array().map(|a| a.iter().map(|l| l["line_total"].as_i64().unwrap_or(0)).sum()).unwrap_or(0);
    assert_eq!(cart["subtotal"].as_i64(), Some(total));
    assert!(s.cookie.is_some());
    for (qty, code) in [
        (json!(0), "quantity_zero"),
        (json!(-2), "quantity_negative"),
        (json!(1.5), "quantity_not_an_integer"),
        (json!("3"), "quantity_not_an_integer"),
        (json!(11), "quantity_too_large"),
    ] {
        let r = s.call("POST", "/api/v1/store/cart/lines", Some(json!({"variant_id": small, "quantity": qty})));
        assert_eq!((r.status, r.error_code().as_str()), (400, code), "{qty}");
    }
    let r = s.add(&small, 10);
    assert_eq!((r.status, r.error_code().as_str()), (422, "quantity_too_large"), "1 + 10 is over the per-line maximum");
    let r = s.call("PUT", &format!("/api/v1/store/cart/lines/{large}"), Some(json!({"quantity": 0})));
    assert_eq!(r.json()["lines"].as_array().map(Vec::len), Some(1));
    let r = s.call("DELETE", &format!("/api/v1/store/cart/lines/{small}"), None);
    assert_eq!(r.json()["lines"], json!([]));
    let draft = sql("select v.id from variants v join products p on p.id = v.product_id where p.slug = 'prototype-jacket'");
    assert_eq!(s.add(&draft, 1).error_code(), "variant_not_found");
    let globex = variant_id("globex.localhost", "brisa-camiseta", 0);
    assert_eq!(s.add(&globex, 1).status, 404, "another brand's variant");
}

#[test]
fn more_than_the_stock_left_cannot_go_in_a_cart() {
    let (_, host, variant) = stocked_product(3, 1000);
    let mut s = Shopper::new(&host);
    let r = s.add(&variant, 4);
    assert_eq!((r.status, r.error_code().as_str()), (422, "quantity_exceeds_stock"));
    assert_eq!(s.add(&variant, 3).status, 200);
}

#[test]
fn a_tampered_or_foreign_cookie_is_a_new_empty_cart() {
    let mut s = Shopper::new("acme.localhost");
    s.add(&variant_id("acme.localhost", "summit-cap", 0), 1);
    let good = s.cookie.clone().unwrap_or_default();
    s.cookie = Some(good.replace(&good[..4], "ffff"));
    assert_eq!(s.call("GET", "/api/v1/store/cart", None).json()["lines"], json!([]));
    let mut other = Shopper::new("globex.localhost");
    other.cookie = Some(good);
    assert_eq!(other.call("GET", "/api/v1/store/cart", None).json()["lines"], json!([]), "acme's cookie means nothing on globex");
}

#[test]
fn checkout_ignores_client_prices_and_sends_the_servers_amount_to_stripe() {
    let mut s = Shopper::new("acme.localhost");
    let tee = variant_id("acme.localhost", "drift-tee", 1);
    let cap = variant_id("acme.localhost", "drift-cap", 0);
    s.add(&tee, 2);
    let cart = s.add(&cap, 1).json();
    let expected = cart["subtotal"].as_i64().unwrap_or(0);
    let buyer = unique("buyer");
    let r = s.checkout(json!({"email": format!("{buyer}@Example.com"), "total_amount": 1, "currency": "JPY",
                              "lines": [{"variant_id": tee, "unit_amount": 1, "quantity": 2}]}));
    assert_eq!(r.status, 201, "{}", r.body);
    let body = r.json();
    assert_eq!((body["total_amount"].as_i64(), body["currency"].as_str()), (Some(expected), Some("USD")));
    assert!(body["checkout_url"].as_str().is_some_and(|u| u.contains("/checkout/cs_test_")));
    let order_id = body["order_id"].as_str().unwrap_or_default();
    let sent: Vec<Value> =
        stripe_requests("/v1/checkout/sessions").into_iter().filter(|e| e["headers"]["idempotency-key"] == order_id).collect();
    assert_eq!(sent.len(), 1, "one session, with the order id as Idempotency-Key");
    let form = sent[0]["body"].as_str().unwrap_or_default();
    assert!(form.contains("currency=usd") && !form.contains("jpy"), "{form}");
    for line in cart["lines"].as_array().map(Vec::as_slice).unwrap_or_default() {
        let (unit, qty) = (line["unit_amount"].as_i64().unwrap_or(0), line["quantity"].as_i64().unwrap_or(0));
        let priced = (0..2).any(|i| {
            form.contains(&format!("line_items%5B{i}%5D%5Bprice_data%5D%5Bunit_amount%5D={unit}"))
                && form.contains(&format!("line_items%5B{i}%5D%5Bquantity%5D={qty}"))
        });
        assert!(priced, "line {line} not sent at the database price: {form}");
    }
    assert!(form.contains(&format!("metadata%5Border_id%5D={order_id}")), "{form}");
    assert_eq!(
        sql(&format!("select total_amount || '|' || email from orders where id = '{order_id}'")),
        format!("{expected}|{buyer}@example.com")
    );
    assert_eq!(s.call("GET", "/api/v1/store/cart", None).json()["lines"], json!([]), "the cart is emptied");
    let number = body["order_number"].as_i64().unwrap_or_default();
    let status = get("acme.localhost", &format!("/api/v1/store/orders/{number}?email={buyer}@example.com"));
    assert_eq!((status.status, status.json()["status"].as_str()), (200, Some("pending")));
    assert_eq!(get("acme.localhost", &format!("/api/v1/store/orders/{number}?email=someone@else.com")).status, 404);
    assert_eq!(get("globex.localhost", &format!("/api/v1/store/orders/{number}?email={buyer}@example.com")).status, 404);
}

#[test]
fn twenty_parallel_checkouts_for_the_last_five_units_make_exactly_five_orders() {
    let (brand, host, variant) = stocked_product(5, 1500);
    let mut shoppers: Vec<Shopper> = (0..20).map(|_| Shopper::new(&host)).collect();
    for s in shoppers.iter_mut() {
        assert_eq!(s.add(&variant, 1).status, 200);
    }
    let handles: Vec<_> = shoppers
        .into_iter()
        .enumerate()
        // one email each: the per-email cap on unpaid checkouts is not what this test races
        .map(|(i, mut s)| std::thread::spawn(move || s.checkout(json!({"email": format!("race{i}@example.com")}))))
        .collect();
    let mut statuses: Vec<u16> = handles.into_iter().map(|h| h.join().map(|r| r.status).unwrap_or(0)).collect();
    statuses.sort_unstable();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 5, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 15, "{statuses:?}");
    assert_eq!(count(&format!("select count(*) from orders where brand_id = '{brand}'")), 5);
    assert_eq!(stock(&variant), (5, 5));
}

#[test]
fn a_stripe_failure_cancels_the_order_and_releases_the_stock() {
    let (brand, host, variant) = stocked_product(4, 2000);
    let mut s = Shopper::new(&host);
    s.add(&variant, 2);
    stripe_fail("/v1/checkout/sessions", 500, 1);
    let r = s.checkout(json!({"email": "unlucky@example.com"}));
    assert_eq!((r.status, r.error_code().as_str()), (502, "payment_provider_error"));
    assert_eq!(stock(&variant), (4, 0), "no reserved stock left behind");
    assert_eq!(sql(&format!("select status from orders where brand_id = '{brand}'")), "cancelled");
    assert_eq!(s.call("GET", "/api/v1/store/cart", None).json()["lines"].as_array().map(Vec::len), Some(1), "the cart survives");
}

#[test]
fn payment_takes_the_stock_and_expired_reservations_return_it() {
    let (brand, host, variant) = stocked_product(10, 1000);
    let mut paying = Shopper::new(&host);
    paying.add(&variant, 3);
    let order = paying.checkout(json!({"email": "payer@example.com"})).json();
    let order_id = order["order_id"].as_str().unwrap_or_default().to_owned();
    let mut leaving = Shopper::new(&host);
    leaving.add(&variant, 2);
    let abandoned = leaving.checkout(json!({"email": "leaver@example.com"})).json();
    assert_eq!(stock(&variant), (10, 5));

    let session = checkout_session(&order_id, &brand, 3000, "USD", "paid");
    assert_eq!(deliver(&event("checkout.session.completed", session)).json()["outcome"], "applied");
    assert_eq!(stock(&variant), (7, 2), "paid units leave available; the other reservation stays");

    let abandoned_id = abandoned["order_id"].as_str().unwrap_or_default();
    sql(&format!("update reservations set expires_at = now() - interval '1 minute' where order_id = '{abandoned_id}'"));
    // the cron trigger, fired as wrangler dev --test-scheduled allows (crons never fire locally)
    let r = get("127.0.0.1", "/__scheduled?cron=*/5+*+*+*+*");
    assert!(r.status < 500, "{}", r.body);
    assert_eq!(sql(&format!("select status from orders where id = '{abandoned_id}'")), "cancelled");
    assert_eq!(stock(&variant), (7, 0));
}

#[test]
fn checkout_is_limited_to_ten_attempts_a_minute_per_ip() {
    let mut s = Shopper::new("acme.localhost");
    for i in 0..10 {
        let r = s.checkout(json!({"email": "x@example.com"}));
        assert_ne!(r.status, 429, "attempt {}", i + 1);
    }
    let r = s.checkout(json!({"email": "x@example.com"}));
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"));
    assert!(r.header("retry-after").and_then(|v| v.parse::<u64>().ok()).is_some_and(|s| (1..=60).contains(&s)));
    let mut other = Shopper::new("acme.localhost");
    assert_ne!(other.checkout(json!({"email": "x@example.com"})).status, 429, "another IP has its own budget");
}

#[test]
fn a_brand_with_a_connected_account_is_charged_there_with_the_platform_fee() {
    let (brand, host, variant) = stocked_product(5, 10_000);
    // connected, and Stripe enabled charges (tests/tests/stripe_connect.rs goes through onboarding)
    sql(&format!(
        "update brands set stripe_account = 'acct_1TestConnected' where id = '{brand}';
                  insert into brand_payment_accounts (brand_id, charges_enabled) values ('{brand}', true)"
    ));
    let mut s = Shopper::new(&host);
    s.add(&variant, 2);
    let r = s.checkout(json!({"email": "connect@example.com"}));
    assert_eq!(r.status, 201, "{}", r.body);
    let order_id = r.json()["order_id"].as_str().unwrap_or_default().to_owned();
    let sent = stripe_requests("/v1/checkout/sessions").into_iter().find(|e| e["headers"]["idempotency-key"] == order_id.as_str());
    let sent = sent.unwrap_or_else(|| panic!("no session for {order_id}"));
    assert_eq!(sent["headers"]["stripe-account"], "acct_1TestConnected");
    // PLATFORM_FEE_BPS defaults to 200 (2 %) of the 20,000 total
    let form = sent["body"].as_str().unwrap_or_default();
    assert!(form.contains("payment_intent_data%5Bapplication_fee_amount%5D=400"), "{form}");
    // paid on the hosted page: the events come from the connected account, and apply
    let url = r.json()["checkout_url"].as_str().unwrap_or_default().to_owned();
    assert_eq!(http("POST", &format!("{url}/pay"), &[], None).status, 303);
    assert_eq!(sql(&format!("select status || '|' || payment_status from orders where id = '{order_id}'")), "paid|paid");
    assert_eq!(count(&format!("select count(*) from processed_webhook_events where brand_id = '{brand}' and account = 'acct_1TestConnected' and outcome in ('applied', 'already_applied')")), 2);
    // a brand without one is charged on the platform account, without a fee
    let (_, host, variant) = stocked_product(5, 10_000);
    let mut s = Shopper::new(&host);
    s.add(&variant, 1);
    let id = s.checkout(json!({"email": "platform@example.com"})).json()["order_id"].as_str().unwrap_or_default().to_owned();
    let sent = stripe_requests("/v1/checkout/sessions").into_iter().find(|e| e["headers"]["idempotency-key"] == id.as_str());
    let sent = sent.unwrap_or_else(|| panic!("no session for {id}"));
    assert!(sent["headers"].get("stripe-account").is_none());
    assert!(!sent["body"].as_str().unwrap_or_default().contains("application_fee_amount"));
}

// ------------------------------------------------------------------ holds on stock (issue 10)

/// A Checkout Session as the Stripe stand-in holds it (status, URLs, expiry).
fn stripe_session(id: &str) -> Value {
    http(
        "GET",
        &format!("http://127.0.0.1:{}/v1/checkout/sessions/{id}", stripe_port()),
        &[("authorization", "Bearer sk_test_shoal")],
        None,
    )
    .json()
}

fn session_of(order_id: &str) -> String {
    sql(&format!("select stripe_checkout_session_id from orders where id = '{order_id}'"))
}

/// Follows a return URL Stripe was given (`http://host:port/path?query`) against the worker.
fn follow(url: &str) -> Reply {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or_default();
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = authority.split(':').next().unwrap_or_default();
    get(host, path)
}

#[test]
fn one_checkout_cannot_hold_every_unit_of_three_variants() {
    // the reproduction: three variants of ten units each, all in one cart, one unpaid checkout
    let (brand, host, variants) = stocked_variants(3, 10, 1000);
    let mut s = Shopper::new(&host);
    assert_eq!(s.add(&variants[0], 10).status, 200);
    assert_eq!(s.add(&variants[1], 10).status, 200);
    let r = s.add(&variants[2], 10);
    assert_eq!((r.status, r.error_code().as_str()), (422, "order_too_large"), "{}", r.body);
    assert!(r.body.contains("at most 20 units"), "{}", r.body);
    // a cart that got there anyway (written before the cap) is refused at checkout, holding nothing
    sql(&format!(
        "insert into cart_lines (cart_id, brand_id, variant_id, quantity) values ('{}', '{brand}', '{}', 10)",
        cart_of(&s),
        variants[2]
    ));
    let r = s.checkout(json!({"email": "hoarder@example.com"}));
    assert_eq!((r.status, r.error_code().as_str()), (422, "order_too_large"), "{}", r.body);
    assert_eq!(count(&format!("select count(*) from orders where brand_id = '{brand}'")), 0);
    for v in &variants {
        assert_eq!(stock(v), (10, 0), "nothing reserved");
    }
    // another shopper can still buy every variant
    let mut other = Shopper::new(&host);
    for v in &variants {
        assert_eq!(other.add(v, 5).status, 200);
    }
}

#[test]
fn unpaid_checkouts_are_capped_per_email_and_per_client() {
    let (brand, host, variants) = stocked_variants(1, 100, 500);
    let pending = || count(&format!("select count(*) from orders where brand_id = '{brand}' and status = 'pending'"));
    // per email: two unpaid checkouts, from any clients
    for i in 0..2 {
        let mut s = Shopper::new(&host);
        s.add(&variants[0], 1);
        assert_eq!(s.checkout(json!({"email": "Same@Example.com"})).status, 201, "checkout {}", i + 1);
    }
    let mut third = Shopper::new(&host);
    third.add(&variants[0], 1);
    let r = third.checkout(json!({"email": "same@example.com"}));
    assert_eq!((r.status, r.error_code().as_str()), (409, "too_many_pending_checkouts"), "{}", r.body);
    assert_eq!((pending(), stock(&variants[0])), (2, (100, 2)));
    // per client: four unpaid checkouts from one IP, whatever the emails; an IPv6 client is
    // its /64 (it can take any address in it), so a new address of the /64 is the same client
    let ip = fresh_ip();
    let net = ip.trim_end_matches("::1").to_owned();
    for i in 0..4 {
        let mut s = Shopper::new(&host);
        s.ip = format!("{net}::{:x}", i + 1);
        s.add(&variants[0], 1);
        assert_eq!(s.checkout(json!({"email": format!("client{i}@example.com")})).status, 201, "checkout {}", i + 1);
    }
    let mut fifth = Shopper::new(&host);
    fifth.ip = format!("{net}:ffff:ffff:ffff:fffe");
    fifth.add(&variants[0], 1);
    let r = fifth.checkout(json!({"email": "client4@example.com"}));
    assert_eq!((r.status, r.error_code().as_str()), (409, "too_many_pending_checkouts"), "{}", r.body);
    assert_eq!((pending(), stock(&variants[0])), (6, (100, 6)));
    // the IP itself is never stored: only a keyed hash
    assert_eq!(
        count(&format!("select count(*) from checkout_holds where brand_id = '{brand}' and client_key like '%{}%'", ip.replace(':', ""))),
        0
    );
}

#[test]
fn sessions_live_the_shortest_time_stripe_allows() {
    let (_, host, variant) = stocked_product(5, 1000);
    let mut s = Shopper::new(&host);
    s.add(&variant, 1);
    let before = now();
    let order = s.checkout(json!({"email": "brief@example.com"})).json();
    let session = stripe_session(&session_of(order["order_id"].as_str().unwrap_or_default()));
    let expires_at = session["expires_at"].as_i64().unwrap_or_default();
    assert!((before + 30 * 60..=now() + 31 * 60 + 5).contains(&expires_at), "{session}");
}

#[test]
fn cancelling_at_stripe_expires_the_session_and_releases_the_stock_at_once() {
    let (_, host, variant) = stocked_product(5, 1000);
    let mut s = Shopper::new(&host);
    s.add(&variant, 3);
    let order = s.checkout(json!({"email": "changed-mind@example.com"})).json();
    let order_id = order["order_id"].as_str().unwrap_or_default().to_owned();
    let session_id = session_of(&order_id);
    assert_eq!(stock(&variant), (5, 3));
    // someone without the shopper's link cannot cancel it: no token, or a forged one
    let number = order["order_number"].as_i64().unwrap_or_default();
    assert_eq!(get(&host, &format!("/checkout/cancel?order={number}")).status, 200);
    assert_eq!(get(&host, &format!("/checkout/cancel?order={number}&token={order_id}.{}", "0".repeat(64))).status, 200);
    assert_eq!((sql(&format!("select status from orders where id = '{order_id}'")), stock(&variant)), ("pending".into(), (5, 3)));
    // the shopper presses Cancel on Stripe's page and comes back through the cancel URL
    let back = http("POST", &format!("http://127.0.0.1:{}/checkout/{session_id}/cancel", stripe_port()), &[], None);
    assert_eq!(back.status, 303);
    let page = follow(&back.header("location").unwrap_or_default());
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(sql(&format!("select status from orders where id = '{order_id}'")), "cancelled");
    assert_eq!(stock(&variant), (5, 0), "released at once, not after 30 minutes");
    let cart = s.call("GET", "/api/v1/store/cart", None).json();
    assert_eq!(
        (cart["lines"][0]["variant_id"].as_str(), cart["lines"][0]["quantity"].as_i64()),
        (Some(variant.as_str()), Some(3)),
        "the shopper finds the cart as it was"
    );
    assert_eq!(stripe_session(&session_id)["status"], "expired");
    assert_eq!(stripe_requests(&format!("/v1/checkout/sessions/{session_id}/expire")).len(), 1);
    let pay = http("POST", &format!("http://127.0.0.1:{}/checkout/{session_id}/pay", stripe_port()), &[], None);
    assert_eq!(pay.status, 410, "an expired session cannot be paid");
    // coming back again changes nothing
    assert_eq!(follow(&back.header("location").unwrap_or_default()).status, 200);
    assert_eq!(stock(&variant), (5, 0));
}

#[test]
fn a_new_checkout_of_the_same_cart_replaces_the_unpaid_one() {
    let (brand, host, variant) = stocked_product(5, 1000);
    let mut s = Shopper::new(&host);
    s.add(&variant, 3);
    let first = s.checkout(json!({"email": "again@example.com"})).json();
    let first_id = first["order_id"].as_str().unwrap_or_default().to_owned();
    let first_session = session_of(&first_id);
    s.add(&variant, 2);
    let second = s.checkout(json!({"email": "again@example.com"}));
    assert_eq!(second.status, 201, "{}", second.body);
    assert_eq!(sql(&format!("select status from orders where id = '{first_id}'")), "cancelled");
    assert_eq!(stripe_session(&first_session)["status"], "expired");
    assert_eq!(stock(&variant), (5, 2), "only the new checkout holds stock");
    assert_eq!(count(&format!("select count(*) from orders where brand_id = '{brand}' and status = 'pending'")), 1);
}

#[test]
fn cart_writes_are_limited_to_sixty_a_minute_per_ip() {
    let (_, host, variant) = stocked_product(50, 1000);
    let mut s = Shopper::new(&host);
    for i in 0..60 {
        let r = s.call("PUT", &format!("/api/v1/store/cart/lines/{variant}"), Some(json!({"quantity": 1 + i % 3})));
        assert_eq!(r.status, 200, "write {}: {}", i + 1, r.body);
    }
    let r = s.add(&variant, 1);
    assert_eq!((r.status, r.error_code().as_str()), (429, "rate_limited"));
    assert!(r.header("retry-after").and_then(|v| v.parse::<u64>().ok()).is_some_and(|v| (1..=60).contains(&v)));
    let form = send(
        "POST",
        &host,
        "/cart/add",
        &[("content-type", "application/x-www-form-urlencoded"), ("cf-connecting-ip", &s.ip)],
        Some(format!("variant_id={variant}&quantity=1")),
    );
    assert_eq!(form.status, 429, "the form posts count too");
    assert_eq!(s.call("GET", "/api/v1/store/cart", None).json()["lines"][0]["quantity"], 3, "the refused writes changed nothing");
    let mut other = Shopper::new(&host);
    assert_eq!(other.add(&variant, 1).status, 200, "another IP has its own budget");
}

#[test]
fn a_malformed_variant_id_is_a_400_that_says_what_to_fix() {
    let (brand, host, _) = stocked_product(5, 1000);
    // the shop's own product form (with its CSRF token), posted with a junk variant id
    let mut browser = shoal_e2e::forms::Browser::new(&host);
    assert_eq!(browser.get("/p/mug").status, 200);
    let form = browser.post("/cart/add", &[("variant_id", "junk"), ("quantity", "1")]);
    assert_eq!(form.status, 400, "{}", form.body);
    assert!(form.body.contains("variant_id") && form.header("content-type").unwrap_or_default().starts_with("text/html"), "{}", form.body);
    let mut s = Shopper::new(&host);
    let r = s.add("junk", 1);
    assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_variant"));
    let r = s.call("PUT", "/api/v1/store/cart/lines/junk", Some(json!({"quantity": 1})));
    assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_variant"));
    assert_eq!(count(&format!("select count(*) from carts where brand_id = '{brand}'")), 0, "no cart was made");
}

#[test]
fn stripe_return_links_name_the_brands_primary_host() {
    let (brand, primary, variant) = stocked_product(5, 1000);
    let other = format!("shop-{}.localhost", unique("alt"));
    sql(&format!("insert into brand_domains (host, brand_id, is_primary, verified) values ('{other}', '{brand}', false, true)"));
    let mut s = Shopper::new(&other);
    s.add(&variant, 1);
    let order = s.checkout(json!({"email": "links@example.com"}));
    assert_eq!(order.status, 201, "{}", order.body);
    let session = stripe_session(&session_of(order.json()["order_id"].as_str().unwrap_or_default()));
    for key in ["success_url", "cancel_url"] {
        let url = session[key].as_str().unwrap_or_default();
        let host = url.split_once("://").map(|(_, r)| r.split([':', '/']).next().unwrap_or_default()).unwrap_or_default();
        assert_eq!(host, primary, "{key}: {url}");
    }
}

#[test]
fn the_cart_total_is_what_checkout_charges() {
    let (brand, host, variant) = stocked_product(5, 1000);
    // a second figure for the same price cannot be stored: the brand's own currency is the variant's price
    let stored = sql(&format!(
        "do $$ begin insert into prices (variant_id, brand_id, currency, amount) values ('{variant}', '{brand}', 'USD', 1);
         exception when others then null; end $$;
         select count(*) from prices where variant_id = '{variant}' and currency = 'USD'"
    ));
    assert_eq!(stored, "0", "a prices row in the brand's currency is refused");
    sql(&format!("insert into prices (variant_id, brand_id, currency, amount) values ('{variant}', '{brand}', 'EUR', 1)"));
    let mut s = Shopper::new(&host);
    let cart = s.add(&variant, 2).json();
    let shown = get(&host, "/api/v1/store/products/mug").json()["variants"][0]["price"].as_i64();
    let r = s.checkout(json!({"email": "price@example.com"}));
    assert_eq!(r.status, 201, "{}", r.body);
    let charged = r.json()["total_amount"].as_i64();
    assert_eq!((shown, cart["subtotal"].as_i64(), charged), (Some(1000), Some(2000), Some(2000)));
    let session = stripe_session(&session_of(r.json()["order_id"].as_str().unwrap_or_default()));
    assert_eq!(session["amount_total"], 2000, "Stripe is asked for what the cart showed");
}

#[test]
fn a_body_field_of_the_wrong_type_is_a_400_naming_it() {
    let (brand, host, variant) = stocked_product(5, 1000);
    let mut s = Shopper::new(&host);
    assert_eq!(s.add(&variant, 1).status, 200);
    let r = s.checkout(json!({"email": 5}));
    assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_field"), "{}", r.body);
    assert!(r.json()["error"]["message"].as_str().unwrap_or_default().starts_with("email:"), "{}", r.body);
    let r = s.checkout(json!({}));
    assert_eq!((r.status, r.error_code().as_str()), (400, "missing_field"), "{}", r.body);
    let r = s.call("POST", "/api/v1/store/cart/lines", Some(json!([variant, 1])));
    assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_json"), "{}", r.body);
    let r = s.call("POST", "/api/v1/store/cart/lines", Some(json!({"variant_id": variant, "quantity": "2"})));
    assert_eq!((r.status, r.error_code().as_str()), (400, "quantity_not_an_integer"), "{}", r.body);
    assert_eq!(count(&format!("select count(*) from orders where brand_id = '{brand}'")), 0, "no order was made");
    assert_eq!(sql(&format!("select quantity from cart_lines where brand_id = '{brand}'")), "1", "the cart is unchanged");
}

#[test]
fn a_line_whose_product_left_the_shop_is_not_shown_and_checkout_refuses_it() {
    let (brand, host, variant) = stocked_product(5, 1000);
    let mut s = Shopper::new(&host);
    assert_eq!(s.add(&variant, 2).status, 200);
    sql(&format!("update products set status = 'archived' where brand_id = '{brand}'"));
    let cart = s.call("GET", "/api/v1/store/cart", None);
    assert_eq!((cart.status, cart.json()["lines"].clone(), cart.json()["subtotal"].clone()), (200, json!([]), json!(0)), "{}", cart.body);
    let r = s.checkout(json!({"email": "late@example.com"}));
    assert_eq!((r.status, r.error_code().as_str()), (409, "product_unavailable"), "{}", r.body);
    assert_eq!(stock(&variant), (5, 0), "nothing reserved");
}
