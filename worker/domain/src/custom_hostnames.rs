//! Brand domains as Cloudflare for SaaS custom hostnames: the settings, the DNS records a
//! brand admin must set, when a hostname counts as live, and what Cloudflare's refusals
//! mean to the admin. The worker's `staff::custom_hostnames` speaks the API.
//!
//! Settings: the same `CF_API_TOKEN`/`CF_ZONE_ID`/`CF_API_BASE` as device certificates (the
//! platform zone), and `CF_SAAS_TARGET`, the hostname brands CNAME their domain to (the
//! zone's fallback origin route; default `customers.{PLATFORM_HOST}`). Production already
//! refuses to start without the token and zone (`edge_config`); without them in development
//! adding a custom domain answers 503 `custom_domains_unavailable` (`scripts/dev` sets them,
//! pointing at the Cloudflare API stand-in).

use serde::{Deserialize, Serialize};

use crate::edge_config::DEFAULT_CLOUDFLARE_API;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaasSettings {
    /// `…/client/v4`, without a trailing slash
    pub api_base: String,
    pub api_token: String,
    pub zone_id: String,
    /// the CNAME target brand domains point at
    pub target: String,
}

/// `None` when the token or zone is missing (a half pair is `edge_config`'s problem to report).
pub fn load(get: &dyn Fn(&str) -> Option<String>, platform_host: &str) -> Option<SaasSettings> {
    let (api_token, zone_id) = (get("CF_API_TOKEN")?, get("CF_ZONE_ID")?);
    Some(SaasSettings {
        api_base: get("CF_API_BASE").unwrap_or_else(|| DEFAULT_CLOUDFLARE_API.into()).trim_end_matches('/').to_owned(),
        api_token,
        zone_id,
        target: get("CF_SAAS_TARGET").map(|t| t.to_ascii_lowercase()).unwrap_or_else(|| format!("customers.{platform_host}")),
    })
}

/// The body of `POST /zones/{zone}/custom_hostnames`: a DV certificate validated by TXT
/// (works before the CNAME is in place, unlike `http`), TLS 1.2 at least. No
/// `custom_metadata`: Cloudflare refuses it (1413) on zones not entitled to it, and the
/// claim row already says whose hostname it is.
pub fn create_body(host: &str) -> serde_json::Value {
    serde_json::json!({
        "hostname": host,
        "ssl": {"method": "txt", "type": "dv", "settings": {"min_tls_version": "1.2"}},
    })
}

/// A custom hostname as Cloudflare answers it (the parts Shoal reads).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CustomHostname {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub hostname: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub ssl: Ssl,
    #[serde(default)]
    pub ownership_verification: Option<TxtRecord>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Ssl {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub validation_records: Vec<ValidationRecord>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ValidationRecord {
    #[serde(default)]
    pub txt_name: Option<String>,
    #[serde(default)]
    pub txt_value: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct TxtRecord {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub value: String,
}

/// One DNS record the brand admin must create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsRecord {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub value: String,
    /// what the record is for: `routing`, `ownership`, `certificate`
    pub purpose: String,
}

impl CustomHostname {
    /// Live only when Cloudflare serves it with its own certificate: both statuses active.
    pub fn is_active(&self) -> bool {
        self.status == "active" && self.ssl.status == "active"
    }

    /// The records to set: the CNAME to the SaaS target, the ownership TXT, and each
    /// certificate validation TXT Cloudflare still waits for.
    pub fn dns_records(&self, target: &str) -> Vec<DnsRecord> {
        let mut records =
            vec![DnsRecord { kind: "CNAME".into(), name: self.hostname.clone(), value: target.to_owned(), purpose: "routing".into() }];
        if let Some(o) = self.ownership_verification.as_ref().filter(|o| !o.name.is_empty()) {
            records.push(DnsRecord { kind: "TXT".into(), name: o.name.clone(), value: o.value.clone(), purpose: "ownership".into() });
        }
        for v in &self.ssl.validation_records {
            if let (Some(name), Some(value)) = (&v.txt_name, &v.txt_value) {
                records.push(DnsRecord { kind: "TXT".into(), name: name.clone(), value: value.clone(), purpose: "certificate".into() });
            }
        }
        records
    }

    /// What the database keeps of it (`record_domain_claim`, `record_custom_hostname_check`).
    pub fn to_record(&self, target: &str) -> serde_json::Value {
        serde_json::json!({"id": self.id, "hostname": self.hostname, "status": self.status, "ssl_status": self.ssl.status,
                           "dns_records": self.dns_records(target)})
    }
}

/// A Cloudflare refusal as the admin sees it: HTTP status, stable code, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub code: &'static str,
    pub message: &'static str,
}

/// Maps Cloudflare's answer (HTTP status and first API error code) to a refusal. Codes from
/// Cloudflare for SaaS's status-code reference: 1406 duplicate; 1407–1411 and 1437 an invalid
/// hostname; 1404/1405 no or exhausted quota; 1436 not found; 1000–1005, 10000 and 401/403
/// a token Cloudflare does not accept; 5xx Cloudflare itself.
pub fn refusal(http_status: u16, code: Option<i64>) -> Refusal {
    match (http_status, code) {
        (_, Some(1406)) | (409, None) => Refusal {
            status: 409,
            code: "hostname_exists",
            message: "this hostname is already registered with the platform's Cloudflare zone",
        },
        (_, Some(1407..=1411 | 1437)) => Refusal {
            status: 422,
            code: "hostname_invalid",
            message: "Cloudflare does not accept this hostname (reserved or example domains, special characters, no public suffix)",
        },
        (_, Some(1404 | 1405)) => Refusal {
            status: 429,
            code: "hostname_quota_exceeded",
            message: "the platform has used up its custom hostname quota; ask the platform operator",
        },
        (_, Some(1436)) | (404, None) => Refusal {
            status: 404,
            code: "hostname_missing",
            message: "the custom hostname is gone at Cloudflare; remove the domain and add it again",
        },
        (401 | 403, _) | (_, Some(1000..=1005 | 10000)) => Refusal {
            status: 502,
            code: "cloudflare_unauthorized",
            message: "Cloudflare refused the platform's API token; the platform operator must fix it",
        },
        (500.., _) | (_, Some(1500)) => {
            Refusal { status: 503, code: "cloudflare_unavailable", message: "Cloudflare is unavailable; retry shortly" }
        }
        _ => Refusal { status: 502, code: "cloudflare_refused", message: "Cloudflare refused the request" },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_reuse_the_zone_and_default_the_target_to_customers_of_the_platform() {
        let get = |k: &str| match k {
            "CF_API_TOKEN" => Some("t".to_owned()),
            "CF_ZONE_ID" => Some("z".to_owned()),
            "CF_API_BASE" => Some("http://x/client/v4/".to_owned()),
            _ => None,
        };
        let s = load(&get, "shoal.example").expect("settings");
        assert_eq!((s.api_base.as_str(), s.target.as_str()), ("http://x/client/v4", "customers.shoal.example"));
        assert_eq!(load(&|_| None, "shoal.example"), None);
        let with_target = |k: &str| if k == "CF_SAAS_TARGET" { Some("Edge.Example".to_owned()) } else { get(k) };
        assert_eq!(load(&with_target, "p").map(|s| s.target), Some("edge.example".to_owned()));
    }

    #[test]
    fn live_needs_both_the_hostname_and_its_certificate() {
        let mut h = CustomHostname { status: "active".into(), ..Default::default() };
        h.ssl.status = "pending_validation".into();
        assert!(!h.is_active());
        h.ssl.status = "active".into();
        assert!(h.is_active());
        h.status = "pending".into();
        assert!(!h.is_active());
    }

    #[test]
    fn records_are_the_cname_the_ownership_txt_and_each_certificate_txt() {
        let h: CustomHostname = serde_json::from_value(serde_json::json!({
            "id": "i", "hostname": "shop.brand.com", "status": "pending",
            "ownership_verification": {"type": "txt", "name": "_cf-custom-hostname.shop.brand.com", "value": "u"},
            "ssl": {"status": "pending_validation", "validation_records": [{"txt_name": "_acme-challenge.shop.brand.com", "txt_value": "v"}, {"http_url": "x"}]}
        })).expect("shape");
        let kinds: Vec<(String, String, String)> = h.dns_records("customers.p").into_iter().map(|r| (r.kind, r.name, r.value)).collect();
        assert_eq!(
            kinds,
            vec![
                ("CNAME".into(), "shop.brand.com".into(), "customers.p".into()),
                ("TXT".into(), "_cf-custom-hostname.shop.brand.com".into(), "u".into()),
                ("TXT".into(), "_acme-challenge.shop.brand.com".into(), "v".into()),
            ]
        );
    }

    #[test]
    fn cloudflare_refusals_map_to_stable_codes() {
        let cases = [
            (409, Some(1406), 409, "hostname_exists"),
            (400, Some(1407), 422, "hostname_invalid"),
            (400, Some(1409), 422, "hostname_invalid"),
            (400, Some(1411), 422, "hostname_invalid"),
            (403, Some(1405), 429, "hostname_quota_exceeded"),
            (403, Some(1404), 429, "hostname_quota_exceeded"),
            (404, Some(1436), 404, "hostname_missing"),
            (403, Some(10000), 502, "cloudflare_unauthorized"),
            (401, None, 502, "cloudflare_unauthorized"),
            (500, Some(1500), 503, "cloudflare_unavailable"),
            (502, None, 503, "cloudflare_unavailable"),
            (400, Some(1434), 502, "cloudflare_refused"),
        ];
        for (http, code, status, ours) in cases {
            let r = refusal(http, code);
            assert_eq!((r.status, r.code), (status, ours), "{http} {code:?}");
        }
    }
}
