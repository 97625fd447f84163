//! Staff refunds through Stripe (POST /api/v1/admin/orders/{id}/refunds) and the order
//! detail's money side (payments, refunds, allowed_transitions).

use shoal_e2e::stripe::*;
use shoal_e2e::*;

/// The tests here share the Stripe stand-in's refund endpoint, and one makes it fail: one at a time.
static STRIPE: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    STRIPE.lock().unwrap_or_else(|e| e.into_inner())
}

fn paid_order(brand: &str, currency: &str, total: i64) -> (String, String) {
    paid_order_on(brand, currency, total, None)
}

/// Paid through Checkout, on the brand's connected account when it has one (its events come from there).
fn paid_order_on(brand: &str, currency: &str, total: i64, account: Option<&str>) -> (String, String) {
    let order = pending_order(brand, total, currency);
    let session = checkout_session(&order, brand, total, currency, "paid");
    let paid = event("checkout.session.completed", session.clone());
    let r = deliver(&account.map_or(paid.clone(), |a| from_account(paid, a)));
    assert_eq!(r.json()["outcome"], "applied", "{}", r.body);
    (order, session["payment_intent"].as_str().unwrap_or_default().to_owned())
}

fn refund(host: &str, order: &str, body: Value) -> Reply {
    admin("POST", host, &format!("/api/v1/admin/orders/{order}/refunds"), Some(body))
}

/// The Stripe refund requests made for `order` (the worker names it in the metadata).
fn stripe_refunds(order: &str) -> Vec<Value> {
    stripe_requests("/v1/refunds")
        .into_iter()
        .filter(|e| e["body"].as_str().unwrap_or_default().contains(&format!("metadata%5Border_id%5D={order}")))
        .collect()
}

fn snapshot(order: &str) -> String {
    sql(&format!(
        "select o.amount_refunded || '|' || o.payment_status || '|' || o.status
                || '|' || (select count(*) from refunds where order_id = o.id)
                || '|' || (select count(*) from order_events where order_id = o.id)
                || '|' || (select count(*) from audit_log where target = o.id::text)
                || '|' || (select count(*) from email_outbox where template = 'refund_processed'
                            and payload->>'order_number' = o.number::text)
           from orders o where o.id = '{order}'"
    ))
}

#[test]
fn a_partial_then_a_full_refund_then_nothing_is_left_to_refund() {
    let _one = one_at_a_time();
    let (order, intent) = paid_order(ACME_ID, "USD", 3000);
    let host = "acme.localhost";
    let detail = admin("GET", host, &format!("/api/v1/admin/orders/{order}"), None).json();
    assert_eq!(detail["allowed_transitions"], json!(["processing", "cancelled"]));
    assert_eq!(detail["refundable_amount"], 3000);
    assert_eq!(detail["payments"][0]["payment_intent"], intent.as_str());
    assert_eq!(detail["payments"][0]["amount"], 3000);
    assert_eq!(detail["refunds"], json!([]));

    let r = refund(host, &order, json!({"amount": 1000, "reason": "one shirt was damaged"}));
    assert_eq!(r.status, 201, "{}", r.body);
    let o = r.json();
    assert_eq!((o["payment_status"].as_str(), o["amount_refunded"].as_i64()), (Some("partially_refunded"), Some(1000)));
    assert_eq!((o["refunds"][0]["amount"].as_i64(), o["refunds"][0]["reason"].as_str()), (Some(1000), Some("one shirt was damaged")));
    assert_eq!(o["refundable_amount"], 2000);
    assert_eq!(o["status"], "paid", "a refund moves money, not the fulfilment status");
    let step = o["timeline"].as_array().and_then(|t| t.iter().find(|e| e["kind"] == "refunded").cloned()).unwrap_or_default();
    assert_eq!((step["detail"]["amount"].as_i64(), step["detail"]["reason"].as_str()), (Some(1000), Some("one shirt was damaged")));
    let sent = stripe_refunds(&order);
    assert_eq!(sent.len(), 1);
    let form = sent[0]["body"].as_str().unwrap_or_default();
    assert!(form.contains(&format!("payment_intent={intent}")) && form.contains("amount=1000"), "{form}");
    assert_eq!(sent[0]["headers"]["idempotency-key"], format!("refund-{order}-0-1000").as_str());
    assert_eq!(count(&format!("select count(*) from audit_log where action = 'order_refunded' and target = '{order}'")), 1);

    // more than what is left: refused before Stripe hears of it
    let before = snapshot(&order);
    let r = refund(host, &order, json!({"amount": 2001}));
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_amount"), "{}", r.body);
    assert!(r.body.contains("2000"), "{}", r.body);
    assert_eq!(snapshot(&order), before);

    // no amount: what is left
    let r = refund(host, &order, json!({}));
    assert_eq!(r.status, 201, "{}", r.body);
    let o = r.json();
    assert_eq!((o["payment_status"].as_str(), o["amount_refunded"].as_i64()), (Some("refunded"), Some(3000)));
    assert_eq!(o["refunds"].as_array().map(Vec::len), Some(2));
    assert_eq!(o["refundable_amount"], 0);
    assert_eq!(stripe_refunds(&order).len(), 2);

    // a third: nothing is left, nothing changes, Stripe is not asked
    let before = snapshot(&order);
    for body in [json!({}), json!({"amount": 1})] {
        let r = refund(host, &order, body);
        assert_eq!((r.status, r.error_code().as_str()), (409, "order_not_refundable"), "{}", r.body);
    }
    assert_eq!(snapshot(&order), before);
    assert_eq!(stripe_refunds(&order).len(), 2);
    assert_eq!(count(&format!("select count(*) from email_outbox where template = 'refund_processed' and payload->>'order_number' = (select number::text from orders where id = '{order}')")), 2);
}

#[test]
fn stripes_refund_event_for_a_refund_staff_made_counts_nothing_twice() {
    let _one = one_at_a_time();
    let (order, intent) = paid_order(ACME_ID, "USD", 5000);
    let r = refund("acme.localhost", &order, json!({"amount": 2000}));
    assert_eq!(r.status, 201, "{}", r.body);
    let refund_id = r.json()["refunds"][0]["id"].as_str().unwrap_or_default().to_owned();
    let before = sql(&format!("select count(*) from order_events where order_id = '{order}'"));
    // Stripe's charge.refunded for the same refund (amount_refunded is cumulative)
    let mut charge = charge(&order, &intent, 5000, 2000, "USD");
    charge["refunds"]["data"][0]["id"] = json!(refund_id);
    let r = deliver(&event("charge.refunded", charge));
    assert_eq!(r.json()["outcome"], "applied", "{}", r.body);
    let state = order_state(&order);
    assert_eq!((state.payment_status.as_str(), state.amount_refunded), ("partially_refunded", 2000));
    assert_eq!(count(&format!("select count(*) from refunds where order_id = '{order}'")), 1);
    assert_eq!(sql(&format!("select count(*) from order_events where order_id = '{order}'")), before, "no second timeline entry");
    assert_eq!(
        count(&format!("select count(*) from email_outbox where template = 'refund_processed' and payload->>'order_number' = (select number::text from orders where id = '{order}')")),
        1,
        "one email for one refund"
    );
    // a refund made in Stripe's dashboard still counts when its event arrives
    let mut charge2 = shoal_e2e::stripe::charge(&order, &intent, 5000, 2500, "USD");
    charge2["refunds"]["data"][0]["amount"] = json!(500);
    deliver(&event("charge.refunded", charge2));
    assert_eq!(order_state(&order).amount_refunded, 2500);
    // and a staff refund after it is measured from there
    let r = refund("acme.localhost", &order, json!({}));
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!((r.json()["amount_refunded"].as_i64(), r.json()["payment_status"].as_str()), (Some(5000), Some("refunded")));
}

#[test]
fn refunds_are_refused_for_other_brands_readers_strangers_and_unpaid_orders() {
    let _one = one_at_a_time();
    let (order, _) = paid_order(ACME_ID, "USD", 1500);
    let before = snapshot(&order);
    // another brand's staff: no such order
    let r = refund("globex.localhost", &order, json!({"amount": 100}));
    assert_eq!((r.status, r.error_code().as_str()), (404, "order_not_found"), "{}", r.body);
    for bad in ["not-a-uuid", "00000000-0000-4000-8000-000000000000"] {
        let r = refund("acme.localhost", bad, json!({}));
        assert_eq!((r.status, r.error_code().as_str()), (404, "order_not_found"), "{bad}");
    }
    // read_only may read orders, not refund them
    let viewer = format!("Bearer {}", staff_session("acme.localhost", ACME_ID, "read_only"));
    let path = format!("/api/v1/admin/orders/{order}/refunds");
    let headers = [("authorization", viewer.as_str()), ("content-type", "application/json")];
    let r = send("POST", "acme.localhost", &path, &headers, Some("{}".into()));
    assert_eq!((r.status, r.error_code().as_str()), (403, "forbidden"), "{}", r.body);
    let r = send("GET", "acme.localhost", &format!("/api/v1/admin/orders/{order}"), &headers, None);
    assert_eq!(r.status, 200, "a reader reads the order: {}", r.body);
    assert_eq!(r.json()["allowed_transitions"], json!([]), "and may move it nowhere");
    // no token, a forged one
    let r = send("POST", "acme.localhost", &path, &[("content-type", "application/json")], Some("{}".into()));
    assert_eq!(r.status, 401);
    let forged = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJl";
    let r = send("POST", "acme.localhost", &path, &[("authorization", forged), ("content-type", "application/json")], Some("{}".into()));
    assert_eq!(r.status, 401);
    // bad amounts and reasons
    for body in [json!({"amount": 0}), json!({"amount": -5}), json!({"amount": 1501})] {
        let r = refund("acme.localhost", &order, body.clone());
        assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_amount"), "{body}");
    }
    for reason in ["x".repeat(501), "nul\u{0}byte".to_owned()] {
        let r = refund("acme.localhost", &order, json!({ "reason": reason }));
        assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_field"), "{}", r.body);
    }
    let r = refund("acme.localhost", &order, json!({"amount": "ten"}));
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(snapshot(&order), before);
    assert!(stripe_refunds(&order).is_empty());
    // an unpaid order has nothing to refund
    let pending = pending_order(ACME_ID, 1000, "USD");
    let r = refund("acme.localhost", &pending, json!({}));
    assert_eq!((r.status, r.error_code().as_str()), (409, "order_not_refundable"));
    assert_eq!(
        admin("GET", "acme.localhost", &format!("/api/v1/admin/orders/{pending}"), None).json()["allowed_transitions"],
        json!(["cancelled"])
    );
}

#[test]
fn a_stripe_failure_records_nothing_and_a_connected_brand_refunds_on_its_account() {
    let _one = one_at_a_time();
    let (order, _) = paid_order(ACME_ID, "USD", 1200);
    let before = snapshot(&order);
    stripe_fail("/v1/refunds", 500, 1);
    let r = refund("acme.localhost", &order, json!({"amount": 200}));
    assert_eq!((r.status, r.error_code().as_str()), (502, "payment_provider_error"));
    assert_eq!(snapshot(&order), before);

    let (brand, host) = new_brand("rf", "EUR", "es");
    let account = format!("acct_1{}", unique("R"));
    sql(&format!(
        "update brands set stripe_account = '{account}' where id = '{brand}';
         insert into brand_payment_accounts (brand_id, charges_enabled) values ('{brand}', true)"
    ));
    let (order, _) = paid_order_on(&brand, "EUR", 4000, Some(&account));
    let r = refund(&host, &order, json!({"amount": 400}));
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!((r.json()["refunds"][0]["currency"].as_str(), r.json()["currency"].as_str()), (Some("EUR"), Some("EUR")));
    let sent = stripe_refunds(&order);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["headers"]["stripe-account"], account.as_str());
}

#[test]
fn a_staff_database_token_sent_straight_to_postgrest_records_no_refund_of_another_brand() {
    let _one = one_at_a_time();
    // brand A's admin token replayed at PostgREST, naming brand B's (globex) order
    let (brand_a, _) = new_brand("rfx", "USD", "en");
    let (order, _) = paid_order(GLOBEX_ID, "EUR", 2000);
    let before = snapshot(&order);
    let api = format!("http://127.0.0.1:{}", std::env::var("SHOAL_API_PORT").unwrap_or_else(|_| "54330".into()));
    let call = |claims: shoal_domain::db_token::DbClaims, function: &str, args: Value| {
        let auth = format!("Bearer {}", token_for(claims));
        http(
            "POST",
            &format!("{api}/rpc/{function}"),
            &[("authorization", &auth), ("content-type", "application/json")],
            Some(args.to_string()),
        )
    };
    let args = json!({"p_order_id": order, "p_refund_id": "re_forged", "p_amount": 2000, "p_currency": "EUR", "p_status": "succeeded", "p_reason": null});
    let r = call(staff_claims(&brand_a, "brand_admin"), "staff_record_refund", args.clone());
    assert_eq!(r.status, 404, "{}", r.body);
    let r = call(staff_claims(&brand_a, "brand_admin"), "admin_refundable", json!({"p_order_id": order}));
    assert_eq!((r.status, r.body.trim()), (200, "null"));
    let r = call(staff_claims(&brand_a, "brand_admin"), "admin_list_orders", json!({"p_q": "shopper", "p_limit": 10000}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!r.body.contains(&order));
    // globex's own reader may not record one either
    let r = call(staff_claims(GLOBEX_ID, "read_only"), "staff_record_refund", args);
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(snapshot(&order), before);
}
