//! Driving the edge API as Cloudflare would: the `cf` object wrangler dev takes in the
//! `MF-CF-Blob` header (in production `request.cf.tlsClientAuth`), and device rows bound to a
//! fingerprint with SQL, standing in for certificate activation, which is not built yet.

use crate::{admin, send, sql, unique, Reply};
use serde_json::{json, Value};

pub fn fingerprint() -> String {
    let u = unique("");
    let hex: String = u.chars().filter(char::is_ascii_hexdigit).collect();
    format!("{:0>64}", hex).chars().rev().take(64).collect()
}

pub fn cf(presented: &str, verified: &str, revoked: &str, fp: &str) -> String {
    json!({"clientAcceptEncoding": "", "tlsClientAuth": {"certPresented": presented, "certVerified": verified,
           "certRevoked": revoked, "certFingerprintSHA256": fp, "certIssuerDN": "CN=Shoal Dev CA", "certSubjectDN": "CN=device",
           "certNotBefore": "", "certNotAfter": "", "certSerial": "", "certIssuerDNLegacy": "", "certSubjectDNLegacy": "",
           "certIssuerDNRFC2253": "", "certSubjectDNRFC2253": "", "certFingerprintSHA1": "", "certIssuerSKI": "", "certSKI": ""}}).to_string()
}

pub fn edge(method: &str, path: &str, blob: &str, body: Option<Value>) -> Reply {
    send(method, "edge.localhost", path, &[("mf-cf-blob", blob), ("content-type", "application/json")], body.map(|b| b.to_string()))
}

/// A device of `brand` created through the admin API, then bound to a fresh fingerprint.
pub fn device(host: &str, days_valid: i64) -> (String, String) {
    let r = admin("POST", host, "/api/v1/admin/devices", Some(json!({"name": "Till 1", "store": "Main street"})));
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["activation_code"].as_str().map(str::len), Some(32));
    let id = r.json()["id"].as_str().unwrap_or_default().to_owned();
    let fp = fingerprint();
    sql(&format!("update devices set status = 'active', cert_fingerprint = '{fp}', hardware_id = 'HW-1234-5678-9999',
                  cert_issuer = 'CN=Shoal Dev CA', cert_expires_at = now() + interval '{days_valid} days' where id = '{id}'"));
    (id, fp)
}

