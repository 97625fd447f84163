//! `POST /webhooks/stripe`: signatures, exactly-once application, the order lifecycle.

use shoal_e2e::stripe::*;
use shoal_e2e::*;

fn outcome(r: &Reply) -> String {
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["outcome"].as_str().unwrap_or_default().to_owned()
}

fn paid_order(total: i64) -> (String, Value) {
    let order = pending_order(ACME_ID, total, "USD");
    let session = checkout_session(&order, ACME_ID, total, "USD", "paid");
    let ev = event("checkout.session.completed", session.clone());
    assert_eq!(outcome(&deliver(&ev)), "applied");
    (order, session)
}

#[test]
fn a_valid_event_is_applied_once_with_timeline_audit_and_email() {
    let order = pending_order(ACME_ID, 4200, "USD");
    let ev = event("checkout.session.completed", checkout_session(&order, ACME_ID, 4200, "USD", "paid"));
    let r = deliver(&ev);
    assert_eq!(outcome(&r), "applied");
    assert_eq!(r.json()["event_id"], ev["id"]);
    let state = order_state(&order);
    assert_eq!((state.status.as_str(), state.payment_status.as_str()), ("paid", "paid"));
    let id = &order;
    assert_eq!(count(&format!("select count(*) from order_events where order_id = '{id}' and to_status = 'paid'")), 1);
    assert_eq!(count(&format!("select count(*) from audit_log where target = '{id}' and action = 'order_paid' and actor = 'stripe'")), 1);
    assert_eq!(count(&format!("select count(*) from email_outbox where payload->>'order_number' = (select number::text from orders where id = '{id}') and template = 'order_confirmation'")), 1);
    let recorded = sql(&format!(
        "select event_type || '|' || outcome || '|' || brand_id from processed_webhook_events where event_id = '{}'",
        ev["id"].as_str().unwrap_or_default()
    ));
    assert_eq!(recorded, format!("checkout.session.completed|applied|{ACME_ID}"));
}

#[test]
fn the_same_event_five_times_in_a_row_is_applied_once() {
    let order = pending_order(ACME_ID, 1000, "USD");
    let ev = event("checkout.session.completed", checkout_session(&order, ACME_ID, 1000, "USD", "paid"));
    let outcomes: Vec<String> = (0..5).map(|_| outcome(&deliver(&ev))).collect();
    assert_eq!(outcomes, ["applied", "duplicate", "duplicate", "duplicate", "duplicate"]);
    assert_eq!(count(&format!("select count(*) from order_events where order_id = '{order}'")), 1);
    assert_eq!(count(&format!("select count(*) from email_outbox where template = 'order_confirmation' and payload->>'order_number' = (select number::text from orders where id = '{order}')")), 1);
}

#[test]
fn the_same_event_five_times_concurrently_is_applied_once() {
    let order = pending_order(ACME_ID, 1500, "USD");
    let ev = event("checkout.session.completed", checkout_session(&order, ACME_ID, 1500, "USD", "paid"));
    let handles: Vec<_> = (0..5)
        .map(|_| {
            let ev = ev.clone();
            std::thread::spawn(move || deliver(&ev))
        })
        .collect();
    let mut outcomes: Vec<String> = handles.into_iter().map(|h| outcome(&h.join().unwrap_or_else(|_| panic!("thread")))).collect();
    outcomes.sort();
    assert_eq!(outcomes, ["applied", "duplicate", "duplicate", "duplicate", "duplicate"]);
    assert_eq!(count(&format!("select count(*) from order_events where order_id = '{order}'")), 1);
    assert_eq!(order_state(&order).status, "paid");
}

#[test]
fn bad_signatures_are_refused_with_distinct_codes_and_nothing_written() {
    let order = pending_order(ACME_ID, 700, "USD");
    let ev = event("checkout.session.completed", checkout_session(&order, ACME_ID, 700, "USD", "paid"));
    let body = ev.to_string();
    let t = now();
    let cases = [
        (None, "signature_missing"),
        (Some("nonsense".to_owned()), "signature_malformed"),
        (Some(format!("t={t}")), "signature_malformed"),
        (Some(signature_header("whsec_not_ours", t, &body)), "signature_mismatch"),
        (Some(signature_header(&secret(), t - 400, &body)), "signature_timestamp_out_of_tolerance"),
        (Some(signature_header(&secret(), t + 400, &body)), "signature_timestamp_out_of_tolerance"),
    ];
    for (header, code) in cases {
        let r = post_raw(&body, header.as_deref());
        assert_eq!(r.status, 400, "{header:?}: {}", r.body);
        assert_eq!(r.error_code(), code, "{header:?}");
    }
    // a body changed after signing fails too
    let sig = signature_header(&secret(), t, &body);
    let tampered = body.replace("\"amount_total\":700", "\"amount_total\":1");
    assert_eq!(post_raw(&tampered, Some(&sig)).error_code(), "signature_mismatch");
    let id = ev["id"].as_str().unwrap_or_default();
    assert_eq!(count(&format!("select count(*) from processed_webhook_events where event_id = '{id}'")), 0);
    assert_eq!(order_state(&order).status, "pending");
}

#[test]
fn two_v1_entries_pass_when_one_is_valid_and_a_rotated_secret_is_accepted() {
    let all = secrets();
    assert!(all.len() >= 2, "the test stack runs with two webhook secrets: {all:?}");
    let order = pending_order(ACME_ID, 800, "USD");
    let ev = event("checkout.session.completed", checkout_session(&order, ACME_ID, 800, "USD", "paid"));
    let body = ev.to_string();
    let t = now();
    let valid = shoal_domain::stripe_signature::sign(&all[0], t, body.as_bytes());
    let header = format!("t={t},v1={},v1={valid}", "ab".repeat(32));
    assert_eq!(outcome(&post_raw(&body, Some(&header))), "applied");

    // the previous secret (rotation in progress) still verifies
    let order = pending_order(ACME_ID, 900, "USD");
    let ev = event("checkout.session.completed", checkout_session(&order, ACME_ID, 900, "USD", "paid"));
    let body = ev.to_string();
    assert_eq!(outcome(&post_raw(&body, Some(&signature_header(&all[1], now(), &body)))), "applied");
}

#[test]
fn oversized_and_malformed_bodies_are_refused() {
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(600 * 1024));
    let r = post_raw(&big, Some(&signature_header(&secret(), now(), &big)));
    assert_eq!((r.status, r.error_code().as_str()), (413, "payload_too_large"));
    let not_event = json!({"hello": "world"}).to_string();
    let r = post_raw(&not_event, Some(&signature_header(&secret(), now(), &not_event)));
    assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_event"));
    let r = send("GET", "localhost", "/webhooks/stripe", &[], None);
    assert_eq!(r.status, 405);
}

#[test]
fn unknown_event_types_are_recorded_and_answered_200() {
    let ev = event("customer.tax_id.created", json!({"id": "txi_1", "object": "tax_id"}));
    assert_eq!(outcome(&deliver(&ev)), "unhandled");
    let id = ev["id"].as_str().unwrap_or_default();
    assert_eq!(sql(&format!("select outcome from processed_webhook_events where event_id = '{id}'")), "unhandled");
}

#[test]
fn a_late_payment_failure_never_unpays_an_order() {
    let (order, session) = paid_order(2000);
    let pi = session["payment_intent"].as_str().unwrap_or_default();
    let failed = event(
        "payment_intent.payment_failed",
        json!({
            "id": pi, "object": "payment_intent", "amount": 2000, "currency": "usd", "status": "requires_payment_method",
            "last_payment_error": {"code": "card_declined"}, "metadata": {}
        }),
    );
    let r = deliver(&failed);
    assert_eq!(outcome(&r), "ignored");
    assert_eq!(order_state(&order).status, "paid");
    assert_eq!(order_state(&order).payment_status, "paid");
    let id = failed["id"].as_str().unwrap_or_default();
    assert_eq!(count(&format!("select count(*) from audit_log where action = 'webhook_ignored' and target = '{id}'")), 1);
}

#[test]
fn a_refund_arriving_before_the_payment_is_applied_from_the_charge_state() {
    let order = pending_order(ACME_ID, 3000, "USD");
    let session = checkout_session(&order, ACME_ID, 3000, "USD", "paid");
    let pi = session["payment_intent"].as_str().unwrap_or_default().to_owned();
    assert_eq!(outcome(&deliver(&event("charge.refunded", charge(&order, &pi, 3000, 1200, "USD")))), "applied");
    let state = order_state(&order);
    assert_eq!((state.status.as_str(), state.payment_status.as_str(), state.amount_refunded), ("paid", "partially_refunded", 1200));
    // the paid event arrives late: nothing to do, the refund stays
    assert_eq!(outcome(&deliver(&event("checkout.session.completed", session))), "already_applied");
    assert_eq!(order_state(&order).payment_status, "partially_refunded");
    // a stale, smaller refund total never lowers what was refunded; the full one completes it
    assert_eq!(outcome(&deliver(&event("charge.refunded", charge(&order, &pi, 3000, 3000, "USD")))), "applied");
    assert_eq!(outcome(&deliver(&event("charge.refunded", charge(&order, &pi, 3000, 500, "USD")))), "applied");
    let state = order_state(&order);
    assert_eq!((state.payment_status.as_str(), state.amount_refunded), ("refunded", 3000));
    assert_eq!(count(&format!("select count(*) from refunds where order_id = '{order}'")), 3);
    assert!(count(&format!("select count(*) from audit_log where action = 'refund_seen' and target = '{order}'")) >= 3);
}

#[test]
fn an_amount_or_currency_mismatch_marks_the_order_for_review() {
    let order = pending_order(ACME_ID, 5000, "USD");
    assert_eq!(outcome(&deliver(&event("checkout.session.completed", checkout_session(&order, ACME_ID, 50, "USD", "paid")))), "review");
    let state = order_state(&order);
    assert_eq!((state.status.as_str(), state.payment_status.as_str(), state.needs_review), ("pending", "unpaid", true));

    let order = pending_order(ACME_ID, 5000, "USD");
    assert_eq!(outcome(&deliver(&event("checkout.session.completed", checkout_session(&order, ACME_ID, 5000, "EUR", "paid")))), "review");
    assert!(order_state(&order).needs_review);
    assert_eq!(count(&format!("select count(*) from audit_log where action = 'payment_amount_mismatch' and target = '{order}'")), 1);
}

#[test]
fn delayed_payment_methods_wait_then_succeed_or_fail() {
    let order = pending_order(ACME_ID, 2500, "USD");
    let session = checkout_session(&order, ACME_ID, 2500, "USD", "unpaid");
    assert_eq!(outcome(&deliver(&event("checkout.session.completed", session.clone()))), "awaiting_payment");
    assert_eq!(order_state(&order).status, "pending");
    assert_eq!(outcome(&deliver(&event("checkout.session.async_payment_succeeded", session))), "applied");
    assert_eq!(order_state(&order).status, "paid");

    let order = pending_order(ACME_ID, 2500, "USD");
    let session = checkout_session(&order, ACME_ID, 2500, "USD", "unpaid");
    assert_eq!(outcome(&deliver(&event("checkout.session.completed", session.clone()))), "awaiting_payment");
    assert_eq!(outcome(&deliver(&event("checkout.session.async_payment_failed", session.clone()))), "applied");
    assert_eq!(order_state(&order).status, "failed");
    // a success after the failure cannot revive a failed order silently: it goes to review
    assert_eq!(outcome(&deliver(&event("checkout.session.async_payment_succeeded", session))), "review");
    assert!(order_state(&order).needs_review);
}

#[test]
fn payment_intent_succeeded_pays_and_a_failed_attempt_before_it_is_only_noted() {
    let order = pending_order(GLOBEX_ID, 1999, "EUR");
    let pi = unique("pi_");
    let attempt = event(
        "payment_intent.payment_failed",
        json!({
            "id": pi, "object": "payment_intent", "amount": 1999, "currency": "eur",
            "last_payment_error": {"code": "card_declined"}, "metadata": {"order_id": order, "brand_id": GLOBEX_ID}
        }),
    );
    assert_eq!(outcome(&deliver(&attempt)), "recorded");
    assert_eq!(order_state(&order).status, "pending");
    let ok = event(
        "payment_intent.succeeded",
        json!({
            "id": pi, "object": "payment_intent", "amount": 1999, "amount_received": 1999, "currency": "eur",
            "status": "succeeded", "latest_charge": unique("ch_"), "metadata": {"order_id": order, "brand_id": GLOBEX_ID}
        }),
    );
    assert_eq!(outcome(&deliver(&ok)), "applied");
    assert_eq!(order_state(&order).payment_status, "paid");
    assert_eq!(
        sql(&format!("select locale from email_outbox where template = 'order_confirmation' and brand_id = '{GLOBEX_ID}' limit 1")),
        "es"
    );
}

#[test]
fn disputes_open_and_close() {
    let (order, session) = paid_order(6400);
    let pi = session["payment_intent"].as_str().unwrap_or_default();
    let dispute = dispute(pi, 6400, "USD");
    assert_eq!(outcome(&deliver(&event("charge.dispute.created", dispute.clone()))), "applied");
    assert_eq!(order_state(&order).payment_status, "disputed");
    let mut won = dispute;
    won["status"] = json!("won");
    assert_eq!(outcome(&deliver(&event("charge.dispute.closed", won))), "applied");
    assert_eq!(order_state(&order).payment_status, "paid");
    assert_eq!(
        count(&format!("select count(*) from audit_log where target = '{order}' and action in ('dispute_opened', 'dispute_closed')")),
        2
    );
}

#[test]
fn the_database_enforces_the_same_transition_table_as_the_domain() {
    let rows = sql("select from_status || '>' || to_status from public.order_transitions order by 1");
    let mut db: Vec<&str> = rows.lines().collect();
    db.sort_unstable();
    let mut domain: Vec<String> =
        shoal_domain::order::state::TRANSITIONS.iter().map(|(a, b)| format!("{}>{}", a.as_str(), b.as_str())).collect();
    domain.sort();
    assert_eq!(db, domain);
}
