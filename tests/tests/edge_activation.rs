//! Device activation with real keys: openssl makes the key and the PKCS#10 request, the
//! worker checks it and has it signed (the dev CA here; Cloudflare's API — its local
//! stand-in — in the last test), and the fingerprint then admits the device.

use shoal_e2e::edge::*;
use shoal_e2e::spawned::*;
use shoal_e2e::*;

fn dev_ca() -> String {
    format!("{}/edge-ca/ca.pem", std::env::var("SHOAL_LOCAL").unwrap_or_default())
}

#[test]
fn activation_signs_the_request_and_binds_the_certificate_once() {
    let (id, code) = created("acme.localhost");
    let hw = hardware_id();
    let r = activate(&code, &hw, &csr(&hw));
    assert_eq!(r.status, 201, "{}", r.body);
    let a = r.json();
    assert_eq!((a["device_id"].as_str(), a["brand_id"].as_str(), a["renewal"].as_bool()), (Some(id.as_str()), Some(ACME_ID), Some(false)));
    let chain = a["certificate_chain"].as_str().unwrap_or_default();
    assert_eq!(chain.matches("BEGIN CERTIFICATE").count(), 2, "leaf and CA");
    let fp = a["fingerprint_sha256"].as_str().unwrap_or_default();
    assert_eq!(openssl_fingerprint(chain), fp, "the fingerprint Cloudflare would report");
    // the chain verifies against the dev CA with openssl, for client authentication
    let leaf = std::env::temp_dir().join(unique("leaf-"));
    std::fs::write(&leaf, chain).unwrap_or_else(|e| panic!("{e}"));
    let verify = std::process::Command::new("openssl")
        .args(["verify", "-purpose", "sslclient", "-CAfile", &dev_ca(), &leaf.to_string_lossy()])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
    assert!(a["expires_at"].as_str().is_some_and(|e| e.len() >= 20));
    assert!(a["license_public_key"].as_str().is_some_and(|k| k.starts_with("-----BEGIN PUBLIC KEY-----")));

    assert_eq!(edge("GET", "/edge/v1/health", &verified(fp), None).status, 200);
    assert_eq!(
        count(&format!(
            "select count(*) from devices where id = '{id}' and status = 'active' and hardware_id = '{hw}'
        and cert_fingerprint = '{fp}' and activation_code_hash is null"
        )),
        1
    );
    assert_eq!(count(&format!("select count(*) from audit_log where action = 'device_activated' and target = '{id}'")), 1);
    let again = activate(&code, &hw, &csr(&hw));
    assert_eq!((again.status, again.error_code().as_str()), (401, "activation_code_invalid"), "one-time code");
}

#[test]
fn bad_requests_are_refused_with_reasons_and_bind_nothing() {
    let (id, code) = created("globex.localhost");
    let hw = hardware_id();
    let cases = [
        (json!({"activation_code": code, "hardware_id": hw, "csr": csr_with(&hw, "rsa:2048")}), "csr_unsupported_key"),
        (json!({"activation_code": code, "hardware_id": hw, "csr": csr_with(&hw, "ec:P-384")}), "csr_unsupported_key"),
        (json!({"activation_code": code, "hardware_id": hw, "csr": csr("HW-SOMEONE-ELSE")}), "csr_subject_mismatch"),
        (
            json!({"activation_code": code, "hardware_id": hw, "csr": "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----"}),
            "csr_malformed",
        ),
        (json!({"activation_code": code, "hardware_id": "a b", "csr": csr(&hw)}), "invalid_hardware_id"),
        (json!({"activation_code": code, "hardware_id": hw}), "missing_field"),
    ];
    for (body, want) in cases {
        let r = send("POST", "edge.localhost", "/edge/v1/activate", &[("content-type", "application/json")], Some(body.to_string()));
        assert_eq!((r.status, r.error_code().as_str()), (400, want), "{}", r.body);
    }
    let malformed = send("POST", "edge.localhost", "/edge/v1/activate", &[("content-type", "application/json")], Some("{".into()));
    assert_eq!(malformed.status, 400);
    assert_eq!(count(&format!("select count(*) from devices where id = '{id}' and status = 'pending' and cert_fingerprint is null")), 1);
    // the code survived all of that: it was never the problem
    assert_eq!(activate(&code, &hw, &csr(&hw)).status, 201);
}

#[test]
fn five_wrong_codes_burn_the_code_and_an_expired_code_is_gone() {
    let (id, code) = created("acme.localhost");
    let hw = hardware_id();
    let wrong = format!("{}{}", &code[..8], "0".repeat(24));
    let answers: Vec<String> = (0..5).map(|_| activate(&wrong, &hw, &csr(&hw)).error_code()).collect();
    assert_eq!(answers[..4], ["activation_code_invalid"; 4]);
    assert_eq!(answers[4], "activation_attempts_exhausted");
    let right = activate(&code, &hw, &csr(&hw));
    assert_eq!((right.status, right.error_code().as_str()), (403, "activation_attempts_exhausted"), "even the right code, now");
    assert_eq!(count(&format!("select count(*) from devices where id = '{id}' and status = 'pending'")), 1);

    let (id, code) = created("acme.localhost");
    sql(&format!("update devices set activation_expires_at = now() - interval '1 minute' where id = '{id}'"));
    let late = activate(&code, &hw, &csr(&hw));
    assert_eq!((late.status, late.error_code().as_str()), (410, "activation_code_expired"));
    // staff can issue a new code for the same device
    let fresh = admin("POST", "acme.localhost", &format!("/api/v1/admin/devices/{id}/activation-code"), None);
    assert_eq!(fresh.status, 201, "{}", fresh.body);
    let new_code = fresh.json()["activation_code"].as_str().unwrap_or_default().to_owned();
    assert_eq!(activate(&new_code, &hw, &csr(&hw)).status, 201);
}

#[test]
fn two_racing_activations_with_one_code_bind_one_certificate() {
    let (id, code) = created("acme.localhost");
    let racers: Vec<_> = (0..2)
        .map(|_| {
            let (code, hw) = (code.clone(), hardware_id());
            let request = csr(&hw);
            std::thread::spawn(move || activate(&code, &hw, &request).status)
        })
        .collect();
    let mut statuses: Vec<u16> = racers.into_iter().map(|r| r.join().unwrap_or(0)).collect();
    statuses.sort();
    assert_eq!(statuses[0], 201, "{statuses:?}");
    assert!(statuses[1] == 409 || statuses[1] == 401, "the other loses: {statuses:?}");
    assert_eq!(count(&format!("select count(*) from audit_log where action = 'device_activated' and target = '{id}'")), 1);
}

#[test]
fn renewal_rebinds_with_the_current_certificate_and_retires_the_old_one() {
    let (id, old_fp, hw) = activated("acme.localhost");
    let body = json!({"hardware_id": hw, "csr": csr(&hw)});
    let renewed = edge("POST", "/edge/v1/activate", &verified(&old_fp), Some(body));
    assert_eq!(renewed.status, 201, "{}", renewed.body);
    assert_eq!(renewed.json()["renewal"], true);
    let new_fp = renewed.json()["fingerprint_sha256"].as_str().unwrap_or_default().to_owned();
    assert_ne!(new_fp, old_fp);
    assert_eq!(edge("GET", "/edge/v1/health", &verified(&new_fp), None).status, 200);
    assert_eq!(edge("GET", "/edge/v1/health", &verified(&old_fp), None).error_code(), "unknown_fingerprint");
    assert_eq!(count(&format!("select count(*) from audit_log where action = 'device_certificate_renewed' and target = '{id}'")), 1);

    let other = hardware_id();
    let stolen = edge("POST", "/edge/v1/activate", &verified(&new_fp), Some(json!({"hardware_id": other, "csr": csr(&other)})));
    assert_eq!((stolen.status, stolen.error_code().as_str()), (403, "device_mismatch"));
    let anonymous = send(
        "POST",
        "edge.localhost",
        "/edge/v1/activate",
        &[("content-type", "application/json")],
        Some(json!({"hardware_id": hw, "csr": csr(&hw)}).to_string()),
    );
    assert_eq!((anonymous.status, anonymous.error_code().as_str()), (401, "no_certificate"), "no code and no certificate");
}

/// The leaf certificate's subject as openssl prints it (RFC 2253: the last RDN first).
fn leaf_subject(chain: &str) -> String {
    let leaf = std::env::temp_dir().join(unique("subject-"));
    std::fs::write(&leaf, chain).unwrap_or_else(|e| panic!("{e}"));
    let out = std::process::Command::new("openssl")
        .args(["x509", "-in", &leaf.to_string_lossy(), "-noout", "-subject", "-nameopt", "RFC2253"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_file(&leaf);
    String::from_utf8_lossy(&out.stdout).trim().trim_start_matches("subject=").to_owned()
}

#[test]
fn the_certificate_subject_is_written_by_shoal_never_copied_from_the_request() {
    let (id, code) = created("acme.localhost");
    let hw = hardware_id();
    // the reproduction: a request naming an organisation, a role and an email besides the CN
    let forged = csr_subject(&format!("/CN={hw}/O=Acme Outfitters/OU=super_admin/emailAddress=admin@acme.localhost"), "ec:P-256");
    let r = activate(&code, &hw, &forged);
    assert_eq!((r.status, r.error_code().as_str()), (400, "csr_subject_mismatch"), "{}", r.body);
    assert_eq!(count(&format!("select count(*) from devices where id = '{id}' and status = 'pending' and cert_fingerprint is null")), 1);
    let r = activate(&code, &hw, &csr(&hw));
    assert_eq!(r.status, 201, "{}", r.body);
    let subject = leaf_subject(r.json()["certificate_chain"].as_str().unwrap_or_default());
    assert_eq!(subject, format!("CN={hw},O={ACME_ID}"), "CN = hardware id, O = the brand's id, nothing else");
}

#[test]
fn activation_is_rate_limited_per_client() {
    let codes: Vec<u16> = (0..11).map(|_| activate("0".repeat(32).as_str(), "HW-RATE-0001", "x").status).collect();
    assert!(codes[..10].iter().all(|s| *s == 400), "{codes:?}");
    assert_eq!(codes[10], 429);
}

/// Production's path: the same worker code with Cloudflare as issuer (its API stand-in
/// signs with its own CA and records revocations).
#[test]
fn with_cloudflare_as_issuer_certificates_come_from_the_api_and_revocation_reaches_it() {
    let cf_base = format!("http://127.0.0.1:{}/client/v4", std::env::var("SHOAL_CF_PORT").unwrap_or_default());
    let api = format!("http://127.0.0.1:{}", std::env::var("SHOAL_API_PORT").unwrap_or_default());
    let vars = [
        ("ENVIRONMENT", "development"),
        ("PLATFORM_HOST", "localhost"),
        ("POSTGREST_URL", api.as_str()),
        ("CF_API_BASE", cf_base.as_str()),
        ("CF_API_TOKEN", "cf-token-e2e"),
        ("CF_ZONE_ID", "0123456789abcdef0123456789abcdef"),
    ];
    let w = start(&vars);
    let (id, code) = created("acme.localhost");
    let hw = hardware_id();
    // Cloudflare signs the subject a request carries: one naming more than the CN never reaches it
    let forged = csr_subject(&format!("/CN={hw}/O=Acme Outfitters/OU=super_admin"), "ec:P-256");
    let body = json!({"activation_code": code, "hardware_id": hw, "csr": forged}).to_string();
    let r = http(
        "POST",
        &format!("http://127.0.0.1:{}/edge/v1/activate", w.port),
        &[("host", "edge.localhost"), ("content-type", "application/json"), ("cf-connecting-ip", &fresh_ip())],
        Some(body),
    );
    assert_eq!((r.status, r.error_code().as_str()), (400, "csr_subject_mismatch"), "{}", r.body);
    let body = json!({"activation_code": code, "hardware_id": hw, "csr": csr(&hw)}).to_string();
    let r = http(
        "POST",
        &format!("http://127.0.0.1:{}/edge/v1/activate", w.port),
        &[("host", "edge.localhost"), ("content-type", "application/json"), ("cf-connecting-ip", &fresh_ip())],
        Some(body),
    );
    assert_eq!(r.status, 201, "{}\n{}", r.body, read_log(&w));
    let a = r.json();
    assert!(a["issuer"].as_str().is_some_and(|i| i.starts_with("Cloudflare Managed CA")), "{a}");
    let fp = a["fingerprint_sha256"].as_str().unwrap_or_default().to_owned();
    assert_eq!(openssl_fingerprint(a["certificate_chain"].as_str().unwrap_or_default()), fp);

    // what the Cloudflare stand-in has issued, as (common name, fingerprint, status) per certificate
    let certificates = || -> Vec<(String, String, String)> {
        let all =
            http("GET", &format!("http://127.0.0.1:{}/__certificates", std::env::var("SHOAL_CF_PORT").unwrap_or_default()), &[], None)
                .json();
        all["certificates"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                (
                    c["common_name"].as_str().unwrap_or_default().to_owned(),
                    c["fingerprint_sha256"].as_str().unwrap_or_default().to_owned(),
                    c["status"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    };
    let status_of = |fp: &str| certificates().into_iter().find(|c| c.1 == fp).map(|c| (c.0, c.2));
    assert_eq!(status_of(&fp), Some((hw.clone(), "active".to_owned())), "issued by the API");
    assert_eq!(certificates().iter().filter(|c| c.0 == hw).count(), 1, "the refused request was never sent to the API");
    assert_eq!(leaf_subject(a["certificate_chain"].as_str().unwrap_or_default()), format!("CN={hw}"));

    // renewal: the superseded certificate is revoked at the issuer
    let edge_at = |blob: &str, body: Value| {
        http(
            "POST",
            &format!("http://127.0.0.1:{}/edge/v1/activate", w.port),
            &[("host", "edge.localhost"), ("content-type", "application/json"), ("cf-connecting-ip", &fresh_ip()), ("mf-cf-blob", blob)],
            Some(body.to_string()),
        )
    };
    let renewed = edge_at(&verified(&fp), json!({"hardware_id": hw, "csr": csr(&hw)}));
    assert_eq!(renewed.status, 201, "{}", renewed.body);
    let new_fp = renewed.json()["fingerprint_sha256"].as_str().unwrap_or_default().to_owned();
    assert_eq!(status_of(&fp).map(|c| c.1), Some("pending_revocation".to_owned()));
    // a certificate signed for a renewal the database then refuses is revoked too
    let other = hardware_id();
    let refused = edge_at(&verified(&new_fp), json!({"hardware_id": other, "csr": csr(&other)}));
    assert_eq!(refused.error_code(), "device_mismatch");
    let orphan: Vec<String> = certificates().into_iter().filter(|c| c.0 == other).map(|c| c.2).collect();
    assert_eq!(orphan, ["pending_revocation"], "signed, never bound, revoked");

    let revoked = http(
        "POST",
        &format!("http://127.0.0.1:{}/api/v1/admin/devices/{id}/revoke", w.port),
        &[
            ("host", "acme.localhost"),
            ("authorization", &format!("Bearer {}", staff_token("acme.localhost"))),
            ("content-type", "application/json"),
        ],
        Some(json!({"reason": "lost"}).to_string()),
    );
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert_eq!(revoked.json()["certificate_revoked_at_issuer"], true);
    assert_eq!(status_of(&new_fp).map(|c| c.1), Some("pending_revocation".to_owned()));
}
