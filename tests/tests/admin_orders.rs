//! Staff order transitions under /api/v1/admin/orders (signed-in staff; see `staff_token`).

use shoal_domain::db_token::DbClaims;
use shoal_e2e::stripe::*;
use shoal_e2e::*;

fn paid_order(brand: &str, host_currency: &str, total: i64) -> (String, String) {
    let order = pending_order(brand, total, host_currency);
    let session = checkout_session(&order, brand, total, host_currency, "paid");
    let r = deliver(&event("checkout.session.completed", session.clone()));
    assert_eq!(r.json()["outcome"], "applied", "{}", r.body);
    (order, session["payment_intent"].as_str().unwrap_or_default().to_owned())
}

fn transition(host: &str, order: &str, body: Value) -> Reply {
    admin("POST", host, &format!("/api/v1/admin/orders/{order}/transitions"), Some(body))
}

#[test]
fn the_admin_api_takes_staff_sessions_only_never_a_database_token() {
    let (order, _) = paid_order(ACME_ID, "USD", 1000);
    let path = format!("/api/v1/admin/orders/{order}");
    let r = get("acme.localhost", &path);
    assert_eq!((r.status, r.error_code().as_str()), (401, "unauthorized"));
    let anon = format!("Bearer {}", token_for(DbClaims::anon_for_brand(ACME_ID)));
    let r = send("GET", "acme.localhost", &path, &[("authorization", &anon)], None);
    assert_eq!((r.status, r.error_code().as_str()), (401, "unauthorized"));
    // Supabase's service key: role service_role, signed with the JWT secret. No staff identity.
    let service = format!("Bearer {}", service_token());
    for (method, p, body) in
        [("GET", path.clone(), None), ("POST", format!("{path}/transitions"), Some(json!({"to": "processing"}).to_string()))]
    {
        let r = send(method, "acme.localhost", &p, &[("authorization", &service), ("content-type", "application/json")], body);
        assert_eq!((r.status, r.error_code().as_str()), (401, "unauthorized"), "{method} {p}: {}", r.body);
    }
    let r = send(
        "PATCH",
        "acme.localhost",
        "/api/v1/admin/settings/security",
        &[("authorization", &service), ("content-type", "application/json")],
        Some(json!({"require_mfa_for_admins": true}).to_string()),
    );
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(sql(&format!("select status from orders where id = '{order}'")), "paid", "nothing changed");
    assert_eq!(sql(&format!("select require_mfa_for_admins from brands where id = '{ACME_ID}'")), "f");
    assert_eq!(count(&format!("select count(*) from audit_log where actor = 'service_role' and target = '{order}'")), 0);
    let forged = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIiwiZXhwIjo5OTk5OTk5OTk5fQ.c2lnbmF0dXJl";
    let r = send("GET", "acme.localhost", &path, &[("authorization", forged)], None);
    assert_eq!(r.status, 401);
    let r = admin("GET", "acme.localhost", &path, None);
    assert_eq!(r.status, 200, "{}", r.body);
    let o = r.json();
    assert_eq!((o["status"].as_str(), o["payment_status"].as_str()), (Some("paid"), Some("paid")));
    assert_eq!(o["timeline"][0]["to"], "paid");
}

#[test]
fn another_brands_order_and_bad_ids_are_404() {
    let (order, _) = paid_order(ACME_ID, "USD", 1000);
    let r = admin("GET", "globex.localhost", &format!("/api/v1/admin/orders/{order}"), None);
    assert_eq!((r.status, r.error_code().as_str()), (404, "order_not_found"));
    let r = transition("globex.localhost", &order, json!({"to": "processing"}));
    assert_eq!(r.status, 404);
    assert_eq!(order_state(&order).status, "paid");
    for bad in ["not-a-uuid", "00000000-0000-4000-8000-00000000000z", "00000000-0000-4000-8000-000000000000"] {
        let r = admin("GET", "acme.localhost", &format!("/api/v1/admin/orders/{bad}"), None);
        assert_eq!((r.status, r.error_code().as_str()), (404, "order_not_found"), "{bad}");
    }
}

#[test]
fn staff_move_an_order_through_fulfilment_and_the_state_machine_refuses_the_rest() {
    let (order, _) = paid_order(ACME_ID, "USD", 2000);
    let host = "acme.localhost";
    assert_eq!(transition(host, &order, json!({"to": "processing"})).json()["status"], "processing");
    let r = transition(host, &order, json!({"to": "shipped"}));
    assert_eq!((r.status, r.error_code().as_str()), (422, "tracking_number_required"));
    let r = transition(host, &order, json!({"to": "shipped", "tracking_number": "1Z999AA10123456784"}));
    assert_eq!((r.json()["status"].as_str(), r.json()["tracking_number"].as_str()), (Some("shipped"), Some("1Z999AA10123456784")));
    assert_eq!(transition(host, &order, json!({"to": "delivered"})).json()["status"], "delivered");
    let r = transition(host, &order, json!({"to": "processing"}));
    assert_eq!((r.status, r.error_code().as_str()), (409, "forbidden_transition"));
    let r = transition(host, &order, json!({"to": "paid"}));
    assert_eq!((r.status, r.error_code().as_str()), (422, "status_not_settable_by_staff"));
    let r = transition(host, &order, json!({}));
    assert_eq!((r.status, r.error_code().as_str()), (400, "missing_field"));
    let timeline = admin("GET", host, &format!("/api/v1/admin/orders/{order}"), None).json()["timeline"].clone();
    let steps: Vec<&str> = timeline.as_array().map(|a| a.iter().filter_map(|e| e["to"].as_str()).collect()).unwrap_or_default();
    assert_eq!(steps, ["paid", "processing", "shipped", "delivered"]);
    assert_eq!(count(&format!("select count(*) from audit_log where target = '{order}' and action = 'order_status_changed'")), 3);
    assert_eq!(
        count(&format!(
            "select count(*) from email_outbox where template = 'order_shipped' and payload->>'tracking_number' = '1Z999AA10123456784'
                                and payload->>'order_number' = (select number::text from orders where id = '{order}')"
        )),
        1
    );
}

#[test]
fn cancelling_a_paid_order_refunds_it_through_stripe_first() {
    let (order, intent) = paid_order(ACME_ID, "USD", 3300);
    let r = transition("acme.localhost", &order, json!({"to": "cancelled"}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["status"], "cancelled");
    let refunds: Vec<Value> = stripe_requests("/v1/refunds")
        .into_iter()
        .filter(|e| e["headers"]["idempotency-key"] == format!("refund-cancel-{order}").as_str())
        .collect();
    assert_eq!(refunds.len(), 1);
    let body = refunds[0]["body"].as_str().unwrap_or_default();
    assert!(body.contains(&format!("payment_intent={intent}")) && body.contains("amount=3300"), "{body}");
}

#[test]
fn a_stripe_failure_leaves_the_order_as_it_was() {
    let (order, _) = paid_order(ACME_ID, "USD", 1200);
    stripe_fail("/v1/refunds", 500, 1);
    let r = transition("acme.localhost", &order, json!({"to": "cancelled"}));
    assert_eq!((r.status, r.error_code().as_str()), (502, "payment_provider_error"));
    assert_eq!(order_state(&order).status, "paid");
}

#[test]
fn a_forbidden_cancel_is_refused_by_the_domains_state_machine_before_any_refund() {
    let (order, _) = paid_order(ACME_ID, "USD", 1500);
    let host = "acme.localhost";
    assert_eq!(transition(host, &order, json!({"to": "processing"})).status, 200);
    assert_eq!(transition(host, &order, json!({"to": "shipped", "tracking_number": "1Z1"})).status, 200);
    assert_eq!(transition(host, &order, json!({"to": "delivered"})).status, 200);
    let r = transition(host, &order, json!({"to": "cancelled"}));
    assert_eq!((r.status, r.error_code().as_str()), (409, "forbidden_transition"), "{}", r.body);
    assert!(r.json()["error"]["message"].as_str().is_some_and(|m| m.contains("delivered -> cancelled")), "{}", r.body);
    let refunds = stripe_requests("/v1/refunds")
        .into_iter()
        .filter(|e| e["headers"]["idempotency-key"] == format!("refund-cancel-{order}").as_str())
        .count();
    assert_eq!(refunds, 0, "no money moves for a transition the state machine refuses");
    assert_eq!(order_state(&order).status, "delivered");
}

#[test]
fn a_transition_body_field_of_the_wrong_type_or_size_is_named() {
    let (order, _) = paid_order(ACME_ID, "USD", 1000);
    let r = transition("acme.localhost", &order, json!({"to": 5}));
    assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_field"), "{}", r.body);
    assert!(r.json()["error"]["message"].as_str().is_some_and(|m| m.starts_with("to: ")), "{}", r.body);
    let r = transition("acme.localhost", &order, json!({"to": "processing", "tracking_number": "x".repeat(101)}));
    assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_field"), "{}", r.body);
    assert!(r.json()["error"]["message"].as_str().is_some_and(|m| m.starts_with("tracking_number: ")), "{}", r.body);
    assert_eq!(order_state(&order).status, "paid");
}
