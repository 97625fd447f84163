//! Driving the edge API as a device behind Cloudflare would: real keys and PKCS#10 requests
//! made with the openssl CLI, activation through `POST /edge/v1/activate`, and then the
//! resulting certificate's fingerprint in the `cf` object wrangler dev takes in the
//! `MF-CF-Blob` header (in production Cloudflare sets `request.cf.tlsClientAuth`).

use crate::{admin, send, sql, unique, Reply};
use serde_json::{json, Value};
use std::process::Command;

pub fn cf(presented: &str, verified: &str, revoked: &str, fp: &str) -> String {
    json!({"clientAcceptEncoding": "", "tlsClientAuth": {"certPresented": presented, "certVerified": verified,
           "certRevoked": revoked, "certFingerprintSHA256": fp, "certIssuerDN": "CN=Shoal Dev Edge CA", "certSubjectDN": "CN=device",
           "certNotBefore": "", "certNotAfter": "", "certSerial": "", "certIssuerDNLegacy": "", "certSubjectDNLegacy": "",
           "certIssuerDNRFC2253": "", "certSubjectDNRFC2253": "", "certFingerprintSHA1": "", "certIssuerSKI": "", "certSKI": ""}})
    .to_string()
}

/// What Cloudflare reports for a verified, unrevoked certificate with this fingerprint.
pub fn verified(fp: &str) -> String {
    cf("1", "SUCCESS", "0", fp)
}

pub fn edge(method: &str, path: &str, blob: &str, body: Option<Value>) -> Reply {
    edge_with(method, path, blob, &[], body)
}

pub fn edge_with(method: &str, path: &str, blob: &str, extra: &[(&str, &str)], body: Option<Value>) -> Reply {
    let mut headers = vec![("mf-cf-blob", blob), ("content-type", "application/json")];
    headers.extend_from_slice(extra);
    send(method, "edge.localhost", path, &headers, body.map(|b| b.to_string()))
}

fn openssl(args: &[&str]) -> String {
    let out = Command::new("openssl").args(args).output().unwrap_or_else(|e| panic!("openssl: {e}"));
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fresh key and a PKCS#10 request for `CN=<hardware_id>`; `curve` is an openssl key spec
/// such as `ec:P-256` or `rsa:2048`.
pub fn csr_with(hardware_id: &str, curve: &str) -> String {
    csr_subject(&format!("/CN={hardware_id}"), curve)
}

/// A fresh key and a PKCS#10 request for any subject in openssl's `/K=v/…` form.
pub fn csr_subject(subject: &str, curve: &str) -> String {
    let dir = std::env::temp_dir().join(unique("edge-key-"));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let key = dir.join("device.key");
    let key = key.to_string_lossy();
    let mut args = vec!["req", "-new", "-nodes", "-keyout", &key, "-subj", subject];
    let (alg, param) = curve.split_once(':').unwrap_or((curve, ""));
    let curve_opt = format!("ec_paramgen_curve:{param}");
    match alg {
        "ec" => args.extend(["-newkey", "ec", "-pkeyopt", &curve_opt]),
        _ => args.extend(["-newkey", curve]),
    }
    let pem = openssl(&args);
    let _ = std::fs::remove_dir_all(&dir);
    pem
}

pub fn csr(hardware_id: &str) -> String {
    csr_with(hardware_id, "ec:P-256")
}

/// The SHA-256 fingerprint openssl computes for the first certificate of a PEM chain.
pub fn openssl_fingerprint(chain: &str) -> String {
    let path = std::env::temp_dir().join(unique("edge-cert-"));
    std::fs::write(&path, chain).unwrap_or_else(|e| panic!("{e}"));
    let out = openssl(&["x509", "-in", &path.to_string_lossy(), "-noout", "-fingerprint", "-sha256"]);
    let _ = std::fs::remove_file(&path);
    out.trim().rsplit('=').next().unwrap_or_default().replace(':', "").to_ascii_lowercase()
}

pub fn hardware_id() -> String {
    format!("HW-{}", unique("").chars().filter(char::is_ascii_alphanumeric).collect::<String>())
}

pub fn activate(code: &str, hardware_id: &str, csr: &str) -> Reply {
    let body = json!({"activation_code": code, "hardware_id": hardware_id, "csr": csr});
    send("POST", "edge.localhost", "/edge/v1/activate", &[("content-type", "application/json")], Some(body.to_string()))
}

/// A device of the brand at `host` created through the admin API (its one-time code).
pub fn created(host: &str) -> (String, String) {
    let r = admin("POST", host, "/api/v1/admin/devices", Some(json!({"name": "Till 1", "store": "Main street"})));
    assert_eq!(r.status, 201, "{}", r.body);
    let code = r.json()["activation_code"].as_str().unwrap_or_default().to_owned();
    (r.json()["id"].as_str().unwrap_or_default().to_owned(), code)
}

/// A device created and activated for real; returns (device id, fingerprint, hardware id).
pub fn activated(host: &str) -> (String, String, String) {
    let (id, code) = created(host);
    let hw = hardware_id();
    let r = activate(&code, &hw, &csr(&hw));
    assert_eq!(r.status, 201, "{}", r.body);
    (id, r.json()["fingerprint_sha256"].as_str().unwrap_or_default().to_owned(), hw)
}

/// An activated device whose certificate has `days_valid` days left: the expiry is moved
/// in the database, which is how time passes for a test.
pub fn device(host: &str, days_valid: i64) -> (String, String) {
    let (id, fp, _) = activated(host);
    sql(&format!("update devices set cert_expires_at = now() + interval '{days_valid} days' where id = '{id}'"));
    (id, fp)
}
