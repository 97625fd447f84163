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
    let headers =
        [("authorization", "Bearer sk_test_x"), ("content-type", "application/x-www-form-urlencoded"), ("idempotency-key", key.as_str())];
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
    let seen = journal["data"].as_array().map(|a| a.iter().filter(|e| e["headers"]["idempotency-key"] == key.as_str()).count());
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

#[test]
fn cloudflare_stand_in_speaks_custom_hostnames_in_cloudflares_envelope() {
    let base = format!("http://127.0.0.1:{}", std::env::var("SHOAL_CF_PORT").unwrap_or_else(|_| "12114".into()));
    let zone = format!("{base}/client/v4/zones/0123456789abcdef0123456789abcdef/custom_hostnames");
    let auth = [("authorization", "Bearer cf-standin"), ("content-type", "application/json")];
    let host = format!("{}.brand-e2e.com", unique("standin"));
    let create = |h: &str| http("POST", &zone, &auth, Some(json!({"hostname": h, "ssl": {"method": "txt", "type": "dv"}}).to_string()));
    let r = create(&host);
    assert_eq!(r.status, 201, "{}", r.body);
    let v = r.json();
    assert_eq!(
        (v["success"].as_bool(), v["errors"].as_array().map(Vec::len), v["messages"].as_array().map(Vec::len)),
        (Some(true), Some(0), Some(0))
    );
    let h = &v["result"];
    assert_eq!(
        (h["status"].as_str(), h["ssl"]["status"].as_str(), h["ssl"]["method"].as_str()),
        (Some("pending"), Some("pending_validation"), Some("txt"))
    );
    assert_eq!(h["ownership_verification"]["name"], format!("_cf-custom-hostname.{host}"));
    assert!(h["ssl"]["validation_records"][0]["txt_value"].as_str().is_some_and(|t| !t.is_empty()));
    let id = h["id"].as_str().unwrap_or_default().to_owned();
    let listed = http("GET", &format!("{zone}?hostname={host}"), &auth, None).json();
    assert_eq!(listed["result"].as_array().map(Vec::len), Some(1));
    assert_eq!(http("PATCH", &format!("{zone}/{id}"), &auth, Some("{}".into())).status, 202);

    let code = |r: &Reply| (r.status, r.json()["errors"][0]["code"].as_i64().unwrap_or_default());
    assert_eq!(code(&create(&host)), (409, 1406), "one hostname per zone");
    assert_eq!(code(&create("shop.example")), (400, 1409), "reserved top-level domain");
    assert_eq!(code(&create("shop.example.com")), (400, 1411));
    assert_eq!(code(&create("bad_host!.com")), (400, 1407));
    assert_eq!(http("POST", &zone, &[], Some("{}".into())).status, 400, "no token, no answer");
    let live = http("GET", &format!("{base}/__custom_hostnames"), &[], None).json()["custom_hostnames"]
        .as_array()
        .map(Vec::len)
        .unwrap_or_default();
    http("POST", &format!("{base}/__custom_hostnames/quota"), &[], Some(json!({"quota": live}).to_string()));
    let over = create(&format!("{}.brand-e2e.com", unique("quota")));
    http("POST", &format!("{base}/__custom_hostnames/quota"), &[], Some(json!({"quota": null}).to_string()));
    assert_eq!(code(&over), (403, 1405), "a quota a test can set");

    assert_eq!(http("POST", &format!("{base}/__custom_hostnames/{host}/activate"), &[], Some("{}".into())).status, 200);
    let got = http("GET", &format!("{zone}/{id}"), &auth, None).json();
    assert_eq!((got["result"]["status"].as_str(), got["result"]["ssl"]["status"].as_str()), (Some("active"), Some("active")));
    assert_eq!(http("DELETE", &format!("{zone}/{id}"), &auth, None).status, 200);
    assert_eq!(code(&http("GET", &format!("{zone}/{id}"), &auth, None)), (404, 1436));
}

#[test]
fn stripe_stand_in_refunds_a_charge_it_knows_never_beyond_what_is_left() {
    let auth = [("authorization", "Bearer sk_test_x"), ("content-type", "application/x-www-form-urlencoded")];
    let form = "mode=payment&currency=eur&line_items[0][quantity]=1&line_items[0][price_data][unit_amount]=1000";
    let session = http("POST", &stripe("/v1/checkout/sessions"), &auth, Some(form.into())).json();
    let intent = session["payment_intent"].as_str().unwrap_or_default().to_owned();
    let refund = |body: String| http("POST", &stripe("/v1/refunds"), &auth, Some(body));
    let r = refund(format!("payment_intent={intent}&amount=600"));
    assert_eq!((r.status, r.json()["amount"].as_i64(), r.json()["currency"].as_str()), (200, Some(600), Some("eur")), "{}", r.body);
    let r = refund(format!("payment_intent={intent}&amount=500"));
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (400, Some("amount_too_large")), "{}", r.body);
    assert!(r.json()["error"]["message"].as_str().unwrap_or_default().contains("EUR 4.00"), "{}", r.body);
    let r = refund(format!("payment_intent={intent}"));
    assert_eq!((r.status, r.json()["amount"].as_i64()), (200, Some(400)), "no amount: what is left");
    let r = refund(format!("payment_intent={intent}&amount=1"));
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (400, Some("charge_already_refunded")), "{}", r.body);
    // a payment intent it never made is refunded as asked (the tests' made-up payments)
    let r = refund("payment_intent=pi_made_up&amount=5".into());
    assert_eq!((r.status, r.json()["amount"].as_i64()), (200, Some(5)));
}
