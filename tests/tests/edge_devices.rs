//! The edge device API behind Cloudflare mTLS: the worker is driven with the `cf`
//! object wrangler dev accepts in the `MF-CF-Blob` header (what Cloudflare sets as
//! `request.cf.tlsClientAuth` in production), for devices activated through the API with
//! real certificates (see `shoal_e2e::edge`).

use shoal_e2e::edge::*;
use shoal_e2e::*;

#[test]
fn certificates_are_checked_field_by_field_and_refusals_say_why() {
    let (_, fp) = device("acme.localhost", 90);
    let ok = edge("GET", "/edge/v1/health", &cf("1", "SUCCESS", "0", &fp), None);
    assert_eq!(ok.status, 200, "{}", ok.body);
    let cases = [
        (cf("1", "SUCCESS", "1", &fp), 401, "certificate_revoked"),
        (cf("1", "FAILED:certificate has expired", "0", &fp), 401, "verification_failed"),
        (cf("0", "NONE", "0", ""), 401, "no_certificate"),
        (cf("1", "SUCCESS", "0", &"ab".repeat(32)), 401, "unknown_fingerprint"),
        (json!({"clientAcceptEncoding": ""}).to_string(), 401, "no_certificate"),
        (json!({"clientAcceptEncoding": "", "tlsClientAuth": {"certPresented": "1"}}).to_string(), 401, "verification_failed"),
    ];
    for (blob, status, code) in cases {
        let r = edge("GET", "/edge/v1/commands", &blob, None);
        assert_eq!((r.status, r.error_code().as_str()), (status, code), "{blob}");
    }
    let failed = edge("GET", "/edge/v1/commands", &cf("1", "FAILED:certificate has expired", "0", &fp), None);
    assert_eq!(failed.json()["error"]["details"]["detail"], "certificate has expired");
}

#[test]
fn a_revoked_device_is_refused_on_its_very_next_request() {
    let (id, fp) = device("acme.localhost", 90);
    let blob = cf("1", "SUCCESS", "0", &fp);
    assert_eq!(edge("GET", "/edge/v1/health", &blob, None).status, 200);
    let r = admin("POST", "acme.localhost", &format!("/api/v1/admin/devices/{id}/revoke"), Some(json!({"reason": "stolen"})));
    assert_eq!(r.status, 200, "{}", r.body);
    let refused = edge("GET", "/edge/v1/health", &blob, None);
    assert_eq!((refused.status, refused.error_code().as_str()), (403, "device_revoked"));
    assert_eq!(refused.json()["error"]["details"]["revoked_reason"], "stolen");
    assert!(refused.json()["error"]["details"]["revoked_at"].is_string());
    assert_eq!(count(&format!("select count(*) from audit_log where action = 'device_revoked' and target = '{id}'")), 1);
}

#[test]
fn status_reports_certificate_expiry_and_health_reports_components() {
    let (_, soon) = device("acme.localhost", 10);
    let s = edge("GET", "/edge/v1/status", &cf("1", "SUCCESS", "0", &soon), None).json();
    assert_eq!(s["code"], "certificate_expiring_soon");
    assert!(s["details"]["days_remaining"].as_i64().is_some_and(|d| (9..=10).contains(&d)), "{s}");
    let (id, expired) = device("acme.localhost", 90);
    sql(&format!("update devices set cert_expires_at = now() - interval '3 days' where id = '{id}'"));
    let s = edge("GET", "/edge/v1/status", &cf("1", "SUCCESS", "0", &expired), None).json();
    assert_eq!((s["code"].as_str(), s["details"]["days_overdue"].as_i64()), (Some("certificate_expired"), Some(3)));

    let (id, fp) = device("globex.localhost", 90);
    let h = edge("GET", "/edge/v1/health", &cf("1", "SUCCESS", "0", &fp), None);
    assert_eq!(h.status, 200, "{}", h.body);
    let h = h.json();
    assert_eq!(h["overall"], "healthy");
    assert_eq!(h["components"]["database"]["reachable"], true);
    assert!(h["components"]["certificate"]["fingerprint"].as_str().is_some_and(|f| f.contains('…') && f.len() < 20), "masked");
    assert!(h["device"]["hardware_id"].as_str().is_some_and(|x| !x.contains("5678")), "masked");
    assert_eq!(count(&format!("select count(*) from devices where id = '{id}' and last_seen_at > now() - interval '1 minute'")), 1);
}

#[test]
fn commands_are_delivered_once_under_concurrent_polls_and_acked_only_by_their_device() {
    let (id, fp) = device("acme.localhost", 90);
    let blob = cf("1", "SUCCESS", "0", &fp);
    let q = admin("POST", "acme.localhost", &format!("/api/v1/admin/devices/{id}/commands"), Some(json!({"kind": "refresh_catalog"})));
    assert_eq!(q.status, 201, "{}", q.body);
    let cmd = q.json()["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(count(&format!("select count(*) from audit_log where action = 'command_created' and target = '{cmd}'")), 1);
    let pollers: Vec<_> = (0..2)
        .map(|_| {
            let b = blob.clone();
            std::thread::spawn(move || edge("GET", "/edge/v1/commands", &b, None))
        })
        .collect();
    let got: Vec<usize> =
        pollers.into_iter().map(|p| p.join().map(|r| r.json()["items"].as_array().map(Vec::len).unwrap_or(0)).unwrap_or(9)).collect();
    assert_eq!(got.iter().sum::<usize>(), 1, "one poller gets it, the other nothing: {got:?}");
    assert_eq!(edge("GET", "/edge/v1/commands", &blob, None).json()["items"], json!([]), "leased, not delivered again");

    let (_, other) = device("globex.localhost", 90);
    let foreign = edge("POST", &format!("/edge/v1/commands/{cmd}/ack"), &cf("1", "SUCCESS", "0", &other), Some(json!({"success": true})));
    assert_eq!((foreign.status, foreign.error_code().as_str()), (404, "command_not_found"), "another brand's device");
    let ack = edge("POST", &format!("/edge/v1/commands/{cmd}/ack"), &blob, Some(json!({"success": true, "message": "done"})));
    assert_eq!((ack.status, ack.json()["status"].as_str()), (200, Some("succeeded")), "{}", ack.body);
    assert_eq!(edge("POST", &format!("/edge/v1/commands/{cmd}/ack"), &blob, Some(json!({"success": true}))).status, 404, "once");
    assert_eq!(edge("POST", "/edge/v1/commands/not-a-command/ack", &blob, Some(json!({"success": true}))).status, 404);
    let bad = admin("POST", "acme.localhost", &format!("/api/v1/admin/devices/{id}/commands"), Some(json!({"kind": "format_disk"})));
    assert_eq!(bad.error_code(), "invalid_kind");
}

#[test]
fn brand_domains_do_not_serve_the_edge_api() {
    let (_, fp) = device("acme.localhost", 90);
    let r = send("GET", "acme.localhost", "/edge/v1/status", &[("mf-cf-blob", &cf("1", "SUCCESS", "0", &fp))], None);
    assert_eq!(r.status, 404);
}

#[test]
fn a_bad_field_is_refused_by_its_name_and_changes_nothing() {
    let (id, fp) = device("acme.localhost", 90);
    let blob = cf("1", "SUCCESS", "0", &fp);
    let cmd = sql(&format!(
        "insert into device_commands (brand_id, device_id, kind, status, lease_until, created_by)
        values ('{ACME_ID}', '{id}', 'upload_logs', 'delivered', now() + interval '1 hour', 'e2e') returning id"
    ));
    let ack = |body: Value| edge("POST", &format!("/edge/v1/commands/{cmd}/ack"), &blob, Some(body));
    for (body, code, field) in [
        (json!({"success": "yes"}), "invalid_field", "success:"),
        (json!({"message": "done"}), "missing_field", "success:"),
        (json!({"success": true, "message": 42}), "invalid_field", "message:"),
        (json!({"success": true, "message": "x".repeat(2001)}), "invalid_field", "message:"),
    ] {
        let r = ack(body);
        assert_eq!((r.status, r.error_code().as_str()), (400, code), "{}", r.body);
        assert!(r.json()["error"]["message"].as_str().is_some_and(|m| m.starts_with(field)), "names the field: {}", r.body);
    }
    assert_eq!(sql(&format!("select status from device_commands where id = '{cmd}'")), "delivered", "no bad ack settled it");
    let list = edge("POST", &format!("/edge/v1/commands/{cmd}/ack"), &blob, Some(json!([true])));
    assert_eq!(list.status, 400, "a body that is no object: {}", list.body);

    let r = send(
        "POST",
        "edge.localhost",
        "/edge/v1/activate",
        &[("content-type", "application/json")],
        Some(json!({"activation_code": "0".repeat(32), "hardware_id": 1234, "csr": "x"}).to_string()),
    );
    assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_field"), "{}", r.body);
    assert!(r.json()["error"]["message"].as_str().is_some_and(|m| m.starts_with("hardware_id:")), "{}", r.body);
}
