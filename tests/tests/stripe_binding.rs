//! Stripe events are bound to the account they come from (issue 10, finding 1): a Connect
//! endpoint receives genuinely signed events of every connected account, so an event may
//! change only what belongs to the account that sent it, in the deployment's mode.

use shoal_e2e::stripe::*;
use shoal_e2e::*;

const ATTACKER: &str = "acct_1AttackerOwnShop";

fn outcome(r: &Reply) -> String {
    assert_eq!(r.status, 200, "refused events are answered 200 so Stripe stops retrying: {}", r.body);
    r.json()["outcome"].as_str().unwrap_or_default().to_owned()
}

fn recorded(event: &Value) -> String {
    let id = event["id"].as_str().unwrap_or_default();
    sql(&format!("select outcome || '|' || coalesce(detail, '') from processed_webhook_events where event_id = '{id}'"))
}

fn refusals_audited(event: &Value, brand: Option<&str>) -> i64 {
    let id = event["id"].as_str().unwrap_or_default();
    let brand = brand.map_or("brand_id is null".to_owned(), |b| format!("brand_id = '{b}'"));
    count(&format!("select count(*) from audit_log where action = 'webhook_refused' and target = '{id}' and {brand}"))
}

fn payment_intent(order: &str, brand: &str, amount: i64, currency: &str) -> Value {
    json!({"id": unique("pi_"), "object": "payment_intent", "amount": amount, "amount_received": amount,
           "currency": currency.to_lowercase(), "status": "succeeded", "latest_charge": unique("ch_"),
           "metadata": {"order_id": order, "brand_id": brand}})
}

/// A brand paid through its own connected account.
fn connected_brand(prefix: &str) -> (String, String) {
    let (brand, _) = new_brand(prefix, "USD", "en");
    let account = format!("acct_1{}", unique("").replace('-', ""));
    sql(&format!("update brands set stripe_account = '{account}' where id = '{brand}'"));
    (brand, account)
}

#[test]
fn a_connected_accounts_payment_event_cannot_pay_another_brands_order() {
    // the reproduction: metadata.order_id of a pending acme order, from someone else's account
    let order = pending_order(ACME_ID, 4200, "USD");
    let ev = from_account(event("payment_intent.succeeded", payment_intent(&order, ACME_ID, 4200, "USD")), ATTACKER);
    assert_eq!(outcome(&deliver(&ev)), "refused");
    let state = order_state(&order);
    assert_eq!((state.status.as_str(), state.payment_status.as_str()), ("pending", "unpaid"));
    assert!(recorded(&ev).starts_with("refused|account_mismatch"), "{}", recorded(&ev));
    assert_eq!(refusals_audited(&ev, Some(ACME_ID)), 1, "acme's audit log shows the attempt");
    assert_eq!(count(&format!("select count(*) from order_events where order_id = '{order}'")), 0);
    assert_eq!(
        count(&format!(
            "select count(*) from email_outbox where payload->>'order_number' = (select number::text from orders where id = '{order}')"
        )),
        0
    );

    // the same with the order's own stored checkout session id: still another account's
    let session = checkout_session(&order, ACME_ID, 4200, "USD", "paid");
    let ev = from_account(event("checkout.session.completed", session.clone()), ATTACKER);
    assert_eq!(outcome(&deliver(&ev)), "refused");
    assert_eq!(order_state(&order).status, "pending");

    // from the platform's own account (acme has no connected account) it applies
    assert_eq!(outcome(&deliver(&event("checkout.session.completed", session))), "applied");
    assert_eq!(order_state(&order).status, "paid");
}

#[test]
fn a_brand_with_a_connected_account_accepts_only_that_accounts_events() {
    let (brand, account) = connected_brand("conn");
    let order = pending_order(&brand, 1500, "USD");
    for sender in [None, Some(ATTACKER)] {
        let ev = event("payment_intent.succeeded", payment_intent(&order, &brand, 1500, "USD"));
        let ev = match sender {
            Some(a) => from_account(ev, a),
            None => ev,
        };
        assert_eq!(outcome(&deliver(&ev)), "refused", "{sender:?}");
        assert_eq!(refusals_audited(&ev, Some(&brand)), 1);
        assert_eq!(order_state(&order).payment_status, "unpaid");
    }
    let ev = from_account(event("payment_intent.succeeded", payment_intent(&order, &brand, 1500, "USD")), &account);
    assert_eq!(outcome(&deliver(&ev)), "applied");
    assert_eq!(order_state(&order).payment_status, "paid");

    // refunds and disputes of that order are bound the same way
    let pi = ev["data"]["object"]["id"].as_str().unwrap_or_default().to_owned();
    let refund = from_account(event("charge.refunded", charge(&order, &pi, 1500, 1500, "USD")), ATTACKER);
    assert_eq!(outcome(&deliver(&refund)), "refused");
    let dispute = dispute(&pi, 1500, "USD");
    assert_eq!(outcome(&deliver(&event("charge.dispute.created", dispute))), "refused");
    let state = order_state(&order);
    assert_eq!((state.payment_status.as_str(), state.amount_refunded), ("paid", 0));
}

#[test]
fn an_event_of_the_other_mode_is_recorded_and_ignored() {
    // the deployment runs a test key: a live event (or a test event of a live account) never applies
    let order = pending_order(ACME_ID, 900, "USD");
    let mut ev = event("checkout.session.completed", checkout_session(&order, ACME_ID, 900, "USD", "paid"));
    ev["livemode"] = json!(true);
    assert_eq!(outcome(&deliver(&ev)), "refused");
    assert!(recorded(&ev).starts_with("refused|livemode_mismatch"), "{}", recorded(&ev));
    assert_eq!(refusals_audited(&ev, None), 1);
    assert_eq!(order_state(&order).status, "pending");
    // an event without livemode is not a Stripe event
    let mut ev = event("checkout.session.completed", checkout_session(&order, ACME_ID, 900, "USD", "paid"));
    ev.as_object_mut().map(|o| o.remove("livemode"));
    let body = ev.to_string();
    let r = post_raw(&body, Some(&signature_header(&secret(), now(), &body)));
    assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_event"));
    assert_eq!(order_state(&order).status, "pending");
}

#[test]
fn billing_events_of_a_connected_account_never_touch_a_brands_subscription() {
    let (brand, host) = new_brand("victim", "USD", "en");
    let (sub, customer) = billing_customer(&brand);
    let live = |status: &str| {
        json!({"id": sub, "object": "subscription", "customer": customer, "status": status,
        "current_period_end": now() + 86400, "cancel_at_period_end": false, "metadata": {"brand_id": brand}})
    };
    assert_eq!(outcome(&deliver(&event("customer.subscription.created", live("active")))), "applied");
    let before = sql(&format!("select status || '|' || last_event_created from brand_subscriptions where brand_id = '{brand}'"));

    // the reproduction: a deletion naming the brand, from a connected account
    let deleted = from_account(event("customer.subscription.deleted", live("canceled")), ATTACKER);
    assert_eq!(outcome(&deliver(&deleted)), "refused");
    assert_eq!(refusals_audited(&deleted, None), 1);
    // metadata alone (another subscription and customer) names no brand, even from the platform
    let forged = json!({"id": unique("sub_"), "object": "subscription", "customer": unique("cus_"), "status": "canceled",
                        "metadata": {"brand_id": brand}});
    assert_eq!(outcome(&deliver(&event("customer.subscription.deleted", forged))), "brand_not_found");
    let invoice = json!({"id": unique("in_"), "object": "invoice", "customer": customer, "subscription": sub,
                         "subscription_details": {"metadata": {"brand_id": brand}}});
    assert_eq!(outcome(&deliver(&from_account(event("invoice.payment_failed", invoice), ATTACKER))), "refused");
    assert_eq!(sql(&format!("select status || '|' || last_event_created from brand_subscriptions where brand_id = '{brand}'")), before);
    assert_eq!(get(&host, "/api/v1/store/brand").status, 200, "the storefront stays open");
}

#[test]
fn a_blocked_brand_cannot_be_reopened_by_a_forged_subscription_update() {
    let (brand, host) = new_brand("blocked", "USD", "en");
    let (sub, customer) = billing_customer(&brand);
    sql(&format!("update brand_subscriptions set status = 'canceled', stripe_subscription_id = '{sub}', grace_period_ends_at = now() - interval '1 day' where brand_id = '{brand}'"));
    assert_eq!(get(&host, "/api/v1/store/brand").status, 503);
    let active = json!({"id": sub, "object": "subscription", "customer": customer, "status": "active", "metadata": {"brand_id": brand}});
    assert_eq!(outcome(&deliver(&from_account(event("customer.subscription.updated", active), ATTACKER))), "refused");
    assert_eq!(sql(&format!("select status from brand_subscriptions where brand_id = '{brand}'")), "canceled");
    assert_eq!(get(&host, "/api/v1/store/brand").status, 503);
}

#[test]
fn a_dispute_arriving_before_the_payment_is_applied_when_the_payment_is_known() {
    let order = pending_order(ACME_ID, 2200, "USD");
    let session = checkout_session(&order, ACME_ID, 2200, "USD", "paid");
    let pi = session["payment_intent"].as_str().unwrap_or_default().to_owned();
    let dispute = dispute(&pi, 2200, "USD");
    let mut opened = event("charge.dispute.created", dispute);
    opened["created"] = json!(now() - 5);
    assert_eq!(outcome(&deliver(&opened)), "deferred");
    assert_eq!(order_state(&order).payment_status, "unpaid");
    // the payment arrives: paid, then the kept dispute applies in the same transaction
    assert_eq!(outcome(&deliver(&event("checkout.session.completed", session))), "applied");
    let state = order_state(&order);
    assert_eq!((state.status.as_str(), state.payment_status.as_str()), ("paid", "disputed"));
    assert_eq!(recorded(&opened), "applied|");
    assert_eq!(count(&format!("select count(*) from audit_log where target = '{order}' and action = 'dispute_opened'")), 1);
    assert_eq!(count(&format!("select count(*) from deferred_stripe_events where payment_intent = '{pi}'")), 0);
}

#[test]
fn a_dispute_while_a_delayed_payment_is_pending_waits_for_the_payment() {
    // a bank debit: the session completes unpaid, then a dispute arrives before the money
    let order = pending_order(ACME_ID, 3100, "USD");
    // one unit held, as checkout holds it
    sql(&format!(
        "with v as (select variant_id from inventory_levels where brand_id = '{ACME_ID}' and available - reserved > 0 limit 1),
                       held as (update inventory_levels set reserved = reserved + 1 where variant_id = (select variant_id from v))
                  insert into reservations (brand_id, order_id, variant_id, quantity, expires_at)
                  select '{ACME_ID}', '{order}', variant_id, 1, now() + interval '35 minutes' from v"
    ));
    let session = checkout_session(&order, ACME_ID, 3100, "USD", "unpaid");
    assert_eq!(outcome(&deliver(&event("checkout.session.completed", session.clone()))), "awaiting_payment");
    // the hold now outlives the checkout: the reservation cron does not cancel an order being paid
    assert_eq!(
        count(&format!("select count(*) from reservations where order_id = '{order}' and expires_at > now() + interval '14 days'")),
        1
    );
    let pi = session["payment_intent"].as_str().unwrap_or_default();
    let dispute = dispute(pi, 3100, "USD");
    assert_eq!(outcome(&deliver(&event("charge.dispute.created", dispute))), "deferred");
    assert_eq!(order_state(&order).payment_status, "unpaid", "no dispute on money not received yet");
    assert_eq!(outcome(&deliver(&event("checkout.session.async_payment_succeeded", session))), "applied");
    let state = order_state(&order);
    assert_eq!((state.status.as_str(), state.payment_status.as_str()), ("paid", "disputed"));
}

#[test]
fn an_amount_mismatch_keeps_the_deferred_dispute_waiting() {
    let order = pending_order(ACME_ID, 5000, "USD");
    let session = checkout_session(&order, ACME_ID, 5000, "USD", "paid");
    let pi = session["payment_intent"].as_str().unwrap_or_default().to_owned();
    let dispute = dispute(&pi, 50, "USD");
    assert_eq!(outcome(&deliver(&event("charge.dispute.created", dispute))), "deferred");
    let mut short = session;
    short["amount_total"] = json!(50);
    assert_eq!(outcome(&deliver(&event("checkout.session.completed", short))), "review");
    let state = order_state(&order);
    assert_eq!((state.status.as_str(), state.payment_status.as_str(), state.needs_review), ("pending", "unpaid", true));
    assert_eq!(count(&format!("select count(*) from deferred_stripe_events where payment_intent = '{pi}'")), 1, "it waits for a person");
}

#[test]
fn a_nul_character_a_connected_account_put_in_metadata_does_not_fail_the_delivery() {
    // Postgres text cannot hold NUL; failing the delivery would make Stripe retry it for days
    let order = pending_order(ACME_ID, 1200, "USD");
    let mut session = checkout_session(&order, ACME_ID, 1200, "USD", "paid");
    session["metadata"]["note\u{0}key"] = json!("a\u{0}b");
    let ev = event("checkout.session.completed", session);
    assert!(ev.to_string().contains("\\u0000"), "the body carries the escaped NUL");
    assert_eq!(outcome(&deliver(&ev)), "applied");
    assert_eq!(order_state(&order).status, "paid");
}
