//! Settings of the edge-device API: who signs device certificates and the thresholds of
//! the status reasons. Development signs with the local dev CA that `scripts/dev` makes;
//! production signs through Cloudflare's client-certificate API and refuses the dev CA,
//! so a key kept on a laptop can never mint production identities.

use crate::config::Environment;

pub const DEFAULT_CLOUDFLARE_API: &str = "https://api.cloudflare.com/client/v4";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdgeIssuer {
    /// PKCS#8 key and certificate of the dev CA (PEM)
    DevCa { key_pem: String, cert_pem: String },
    /// `POST /zones/{zone_id}/client_certificates` with an API token
    Cloudflare { api_base: String, api_token: String, zone_id: String },
    /// no issuer configured (development only): activation answers 503
    Unconfigured,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeSettings {
    pub issuer: EdgeIssuer,
    /// validity of issued device certificates
    pub cert_days: u32,
    /// a certificate closer than this to expiry is reported as expiring soon
    pub expiry_warning_days: i64,
    /// a device clock further than this from the server's is reported as tampered with
    pub clock_drift_seconds: i64,
    /// validity of the signed subscription token a device keeps for offline use
    pub license_hours: i64,
}

/// PEM from an env var: dotenv files and dashboards often carry it with literal `\n`.
fn pem(v: String) -> String {
    v.replace("\\n", "\n")
}

pub fn load(get: &dyn Fn(&str) -> Option<String>, environment: Environment, problems: &mut Vec<String>) -> EdgeSettings {
    let cloudflare = (get("CF_API_TOKEN"), get("CF_ZONE_ID"));
    let dev_ca = (get("EDGE_CA_KEY"), get("EDGE_CA_CERT"));
    let issuer = match (cloudflare, dev_ca) {
        // development signs with the dev CA whenever it is set, even beside the Cloudflare
        // settings the dev stack carries for custom hostnames (pointing at the API stand-in)
        (_, (Some(key), Some(cert))) if environment == Environment::Development => {
            EdgeIssuer::DevCa { key_pem: pem(key), cert_pem: pem(cert) }
        }
        ((Some(api_token), Some(zone_id)), _) => EdgeIssuer::Cloudflare {
            api_base: get("CF_API_BASE").unwrap_or_else(|| DEFAULT_CLOUDFLARE_API.into()).trim_end_matches('/').to_owned(),
            api_token,
            zone_id,
        },
        ((Some(_), None), _) | ((None, Some(_)), _) => {
            problems.push("CF_API_TOKEN and CF_ZONE_ID go together".into());
            EdgeIssuer::Unconfigured
        }
        (_, (Some(_), Some(_))) => {
            problems.push(
                "EDGE_CA_KEY is for development only; production signs device certificates through Cloudflare (CF_API_TOKEN, CF_ZONE_ID)"
                    .into(),
            );
            EdgeIssuer::Unconfigured
        }
        (_, (Some(_), None)) | (_, (None, Some(_))) => {
            problems.push("EDGE_CA_KEY and EDGE_CA_CERT go together".into());
            EdgeIssuer::Unconfigured
        }
        _ if environment == Environment::Production => {
            problems.push("CF_API_TOKEN and CF_ZONE_ID are missing (edge device certificates)".into());
            EdgeIssuer::Unconfigured
        }
        _ => EdgeIssuer::Unconfigured,
    };
    let mut number = |key: &str, default: i64, min: i64, max: i64| crate::config::bounded(get, problems, key, default, min, max);
    EdgeSettings {
        issuer,
        cert_days: number("EDGE_CERT_DAYS", 365, 7, 3650) as u32,
        expiry_warning_days: number("EDGE_EXPIRY_WARNING_DAYS", 30, 1, 365),
        clock_drift_seconds: number("EDGE_CLOCK_DRIFT_SECONDS", 300, 5, 86_400),
        license_hours: number("EDGE_LICENSE_HOURS", 72, 1, 24 * 30),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(env: Environment, pairs: &[(&str, &str)]) -> (EdgeSettings, Vec<String>) {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let mut problems = Vec::new();
        let s = load(&|k| map.get(k).cloned(), env, &mut problems);
        (s, problems)
    }

    #[test]
    fn cloudflare_wins_and_production_needs_it() {
        let (s, p) = settings(Environment::Production, &[("CF_API_TOKEN", "t"), ("CF_ZONE_ID", "z"), ("CF_API_BASE", "http://x/")]);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(s.issuer, EdgeIssuer::Cloudflare { api_base: "http://x".into(), api_token: "t".into(), zone_id: "z".into() });
        let (_, p) = settings(Environment::Production, &[]);
        assert_eq!(p, vec!["CF_API_TOKEN and CF_ZONE_ID are missing (edge device certificates)".to_string()]);
    }

    #[test]
    fn the_dev_ca_is_refused_in_production() {
        let (s, p) = settings(Environment::Production, &[("EDGE_CA_KEY", "k"), ("EDGE_CA_CERT", "c")]);
        assert_eq!(s.issuer, EdgeIssuer::Unconfigured);
        assert!(p[0].contains("development only"), "{p:?}");
        let (s, p) = settings(Environment::Development, &[("EDGE_CA_KEY", "a\\nb"), ("EDGE_CA_CERT", "c")]);
        assert!(p.is_empty());
        assert_eq!(s.issuer, EdgeIssuer::DevCa { key_pem: "a\nb".into(), cert_pem: "c".into() });
    }

    #[test]
    fn development_signs_with_the_dev_ca_beside_cloudflare_settings() {
        let (s, p) =
            settings(Environment::Development, &[("CF_API_TOKEN", "t"), ("CF_ZONE_ID", "z"), ("EDGE_CA_KEY", "k"), ("EDGE_CA_CERT", "c")]);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(s.issuer, EdgeIssuer::DevCa { key_pem: "k".into(), cert_pem: "c".into() });
    }

    #[test]
    fn halves_of_a_pair_and_bad_numbers_are_problems() {
        let (_, p) = settings(Environment::Development, &[("CF_API_TOKEN", "t"), ("EDGE_CA_KEY", "k"), ("EDGE_CERT_DAYS", "1")]);
        assert_eq!(p.len(), 2, "{p:?}");
        let (s, p) = settings(Environment::Development, &[]);
        assert!(p.is_empty());
        assert_eq!((s.issuer, s.cert_days, s.expiry_warning_days, s.clock_drift_seconds), (EdgeIssuer::Unconfigured, 365, 30, 300));
    }
}
