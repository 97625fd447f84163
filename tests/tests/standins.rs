//! The local stand-ins answer in their providers' documented wire formats.

use shoal_e2e::*;

fn stripe(path: &str) -> String {
    format!("http://127.0.0.1:{}{path}", stripe_port())
}

#[test]
fn stripe_stand_in_requires_a_secret_key_and_answers_stripe_errors() {
    let r = http("POST", &stripe("/v1/checkout/sessions"), &[], Some(String::new()));
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"]["type"], "invalid_request_error");
    let r = http("GET", &stripe("/v1/nothing"), &[("authorization", "Bearer sk_test_x")], None);
    assert_eq!(r.status, 404);
}

#[test]
fn stripe_stand_in_parses_form_bodies_and_replays_idempotent_requests() {
    let key = unique("idem");
    let form = "mode=payment&currency=usd&client_reference_id=ord_1&line_items[0][quantity]=2\
                &line_items[0][price_data][unit_amount]=1250&metadata[order_id]=ord_1";
    let headers = [
        ("authorization", "Bearer sk_test_x"),
        ("content-type", "application/x-www-form-urlencoded"),
        ("idempotency-key", key.as_str()),
    ];
    let first = http("POST", &stripe("/v1/checkout/sessions"), &headers, Some(form.into()));
    assert_eq!(first.status, 200, "{}", first.body);
    let session = first.json();
    assert_eq!(session["object"], "checkout.session");
    assert_eq!(session["amount_total"], 2500);
    assert_eq!(session["metadata"]["order_id"], "ord_1");

    let replay = http("POST", &stripe("/v1/checkout/sessions"), &headers, Some(form.into()));
    assert_eq!(replay.json()["id"], session["id"], "same key → the first response");
    assert_eq!(replay.header("idempotent-replayed").as_deref(), Some("true"));

    let changed = http("POST", &stripe("/v1/checkout/sessions"), &headers, Some(format!("{form}&currency=eur")));
    assert_eq!(changed.status, 400);
    assert_eq!(changed.json()["error"]["type"], "idempotency_error");

    let journal = http("GET", &stripe("/__requests"), &[], None).json();
    let seen = journal["data"].as_array().map(|a| {
        a.iter().filter(|e| e["headers"]["idempotency-key"] == key.as_str()).count()
    });
    assert_eq!(seen, Some(3), "every call is recorded");
}

#[test]
fn email_stand_in_accepts_resend_shaped_messages_and_records_them() {
    let url = format!("http://127.0.0.1:{}/emails", email_port());
    let subject = unique("hello-");
    let msg = json!({"from": "Shoal <no-reply@shoal.localhost>", "to": ["a@example.com"], "subject": subject, "text": "hi"});
    let r = http("POST", &url, &[("authorization", "Bearer re_test"), ("content-type", "application/json")], Some(msg.to_string()));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["id"].as_str().is_some_and(|id| id.len() == 36));
    let r = http("POST", &url, &[("authorization", "Bearer re_test")], Some(json!({"to": ["a@example.com"]}).to_string()));
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["name"], "missing_required_field");
    let inbox = http("GET", &format!("http://127.0.0.1:{}/__requests", email_port()), &[], None).json();
    assert!(inbox["data"].as_array().is_some_and(|a| a.iter().any(|e| e["body"].as_str().is_some_and(|b| b.contains(&subject)))));
}
