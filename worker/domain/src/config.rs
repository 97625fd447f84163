//! The worker's configuration, read once from the Worker env and checked here.
//!
//! Production refuses to serve with a missing or weak secret instead of falling back to a
//! default: a silent default signing key would let anyone mint database tokens.

use crate::db_token::DbKey;
use crate::keys::ShoalKeys;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub environment: Environment,
    /// Signs database tokens: `DB_JWT_SIGNING_KEY` (ES256), else `SUPABASE_JWT_SECRET` (HS256).
    pub db_key: DbKey,
    /// `SUPABASE_API_KEY`, sent as `apikey` on every PostgREST request (Supabase's API
    /// gateway refuses requests without one); required in production.
    pub supabase_api_key: Option<String>,
    /// The worker's own tokens and HMACs (`SHOAL_SECRET`, `SHOAL_SECRET_PREVIOUS`, `SHOAL_HASH_SECRET`).
    pub keys: ShoalKeys,
    pub postgrest_url: String,
    /// Host of the platform itself (sign-up, landing page); `edge.{platform_host}` is the device API.
    pub platform_host: String,
    pub stripe_secret_key: Option<String>,
    /// Live or test mode, as the Stripe key says: every webhook event must share it.
    pub stripe_livemode: bool,
    /// Comma-separated in the env so a secret can be rotated without downtime.
    pub stripe_webhook_secrets: Vec<String>,
    pub stripe_api_base: String,
    /// Seconds a resolved host stays in KV (KV's minimum TTL is 60 s).
    pub brand_cache_ttl: u64,
    /// Seconds a catalog read stays in KV (its key also carries the catalog version).
    pub catalog_cache_ttl: u64,
    /// Minutes stock stays reserved for a pending order (longer than its 31-minute Stripe session).
    pub reservation_minutes: i64,
    /// The platform's fee on sales through a brand's connected account, in basis points.
    pub platform_fee_bps: i64,
    /// The transactional email API (Resend's wire format) and the sender address.
    pub email_api_base: String,
    pub email_api_key: Option<String>,
    pub email_from: String,
    /// DNS-over-HTTPS JSON API used to check custom domains' TXT records.
    pub dns_api_base: String,
    /// Staff sessions: a refresh token unused this long expires (idle timeout), and no
    /// session outlives the absolute timeout however often it is refreshed.
    pub session_idle_days: i64,
    pub session_absolute_days: i64,
    /// `DATA_ENCRYPTION_KEYS`: the keys that seal secrets at rest (TOTP secrets); the first seals.
    pub data_keys: crate::secret_box::DataKeys,
    /// Set per request on writes: who asked, so the audit log can say (never from the env).
    pub edge: crate::edge_config::EdgeSettings,
    /// `PAYMENTS_MODE` and `STRIPE_PRICES` (see `payments`).
    pub payments: crate::payments::PaymentSettings,
    /// Brand domains as Cloudflare for SaaS custom hostnames (`CF_API_TOKEN`, `CF_ZONE_ID`,
    /// `CF_API_BASE`, `CF_SAAS_TARGET`); `None` only in development without them.
    pub saas: Option<crate::custom_hostnames::SaasSettings>,
    pub request: Option<RequestMeta>,
}

/// The request behind a database write: its id, the client IP and user agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestMeta {
    pub id: String,
    pub ip: String,
    pub user_agent: String,
}

/// Every problem found, so an operator fixes them in one go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub problems: Vec<String>,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid worker configuration: {}", self.problems.join("; "))
    }
}

pub const DEFAULT_BRAND_CACHE_TTL: u64 = 300;
const MIN_KV_TTL: u64 = 60;
const DEFAULT_STRIPE_API: &str = "https://api.stripe.com";
const DEFAULT_EMAIL_API: &str = "https://api.resend.com";
const DEFAULT_EMAIL_FROM: &str = "no-reply@shoal.example";
const DEFAULT_DNS_API: &str = "https://cloudflare-dns.com";

/// A whole-number setting within bounds: absent = `default`; anything else out of bounds
/// or unparsable is a problem (and `default` stands in so every problem is listed at once).
pub(crate) fn bounded(
    get: &dyn Fn(&str) -> Option<String>,
    problems: &mut Vec<String>,
    key: &str,
    default: i64,
    min: i64,
    max: i64,
) -> i64 {
    match get(key) {
        None => default,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => n,
            _ => {
                problems.push(format!("{key} must be a whole number from {min} to {max}"));
                default
            }
        },
    }
}

/// Stripe's secret and restricted keys name their mode: `sk_live_…`/`rk_live_…` are live,
/// everything else (test keys, the local stand-in's) is test mode.
pub fn is_live_key(key: &str) -> bool {
    key.starts_with("sk_live_") || key.starts_with("rk_live_")
}

impl Config {
    /// Builds the config from a lookup over the Worker env (vars and secrets alike).
    /// A missing `ENVIRONMENT` means production: the safe reading of a forgotten var.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |k: &str| get(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let mut problems = Vec::new();
        let environment = match get("ENVIRONMENT").as_deref() {
            None | Some("production") => Environment::Production,
            Some("development") => Environment::Development,
            Some(other) => {
                problems.push(format!("ENVIRONMENT must be production or development, not {other:?}"));
                Environment::Production
            }
        };
        // ES256 when the signing key is set, whatever else is: an operator moving off the
        // legacy secret adds the key first and deletes the secret after, with no outage
        let db_key = match (get("DB_JWT_SIGNING_KEY"), get("SUPABASE_JWT_SECRET")) {
            (Some(jwk), _) => DbKey::from_jwk(&jwk)
                .map_err(|e| {
                    let why = match e {
                        crate::db_token::TokenError::BadKey(why) => why,
                        other => format!("{other:?}"),
                    };
                    problems.push(format!("DB_JWT_SIGNING_KEY must be a P-256 private JWK with a kid ({why})"))
                })
                .ok(),
            (None, Some(secret)) => DbKey::hs256(secret.as_bytes())
                .map_err(|_| problems.push(format!("SUPABASE_JWT_SECRET must be at least {} bytes", crate::db_token::MIN_SECRET_BYTES)))
                .ok(),
            (None, None) => {
                problems.push("DB_JWT_SIGNING_KEY is missing (or SUPABASE_JWT_SECRET for the legacy HS256 fallback)".into());
                None
            }
        };
        let supabase_api_key = get("SUPABASE_API_KEY");
        if environment == Environment::Production && supabase_api_key.is_none() {
            problems.push("SUPABASE_API_KEY is missing".into());
        }
        let keys = match get("SHOAL_SECRET") {
            None => {
                problems.push("SHOAL_SECRET is missing".into());
                None
            }
            Some(current) => {
                let previous = get("SHOAL_SECRET_PREVIOUS");
                let hashing = get("SHOAL_HASH_SECRET");
                ShoalKeys::new(current.as_bytes(), previous.as_deref().map(str::as_bytes), hashing.as_deref().map(str::as_bytes))
                    .map_err(|e| problems.push(e.to_string()))
                    .ok()
            }
        };
        let postgrest_url = get("POSTGREST_URL").unwrap_or_default();
        if postgrest_url.is_empty() {
            problems.push("POSTGREST_URL is missing".into());
        }
        let platform_host = get("PLATFORM_HOST").unwrap_or_default().to_ascii_lowercase();
        if platform_host.is_empty() {
            problems.push("PLATFORM_HOST is missing".into());
        }
        let stripe_secret_key = get("STRIPE_SECRET_KEY");
        let stripe_webhook_secrets: Vec<String> =
            get("STRIPE_WEBHOOK_SECRETS").unwrap_or_default().split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
        if environment == Environment::Production {
            if stripe_secret_key.is_none() {
                problems.push("STRIPE_SECRET_KEY is missing".into());
            }
            if stripe_webhook_secrets.is_empty() {
                problems.push("STRIPE_WEBHOOK_SECRETS is missing".into());
            }
            if get("EMAIL_API_KEY").is_none() {
                problems.push("EMAIL_API_KEY is missing".into());
            }
        }
        let brand_cache_ttl = match get("BRAND_CACHE_TTL") {
            None => DEFAULT_BRAND_CACHE_TTL,
            Some(v) => match v.parse::<u64>() {
                Ok(n) if n >= MIN_KV_TTL => n,
                _ => {
                    problems.push(format!("BRAND_CACHE_TTL must be a whole number of seconds >= {MIN_KV_TTL}"));
                    DEFAULT_BRAND_CACHE_TTL
                }
            },
        };
        let mut number = |key: &str, default: i64, min: i64, max: i64| bounded(&get, &mut problems, key, default, min, max);
        let catalog_cache_ttl = number("CATALOG_CACHE_TTL", 300, MIN_KV_TTL as i64, 86_400) as u64;
        // a hold outlives its Checkout Session (31 min, `cart::SESSION_LIFETIME_SECONDS`), so
        // a payment in the session's last second still finds its stock
        let reservation_minutes = number("RESERVATION_MINUTES", 35, 33, 24 * 60);
        let platform_fee_bps = number("PLATFORM_FEE_BPS", 200, 0, 5_000);
        let session_idle_days = number("SESSION_IDLE_DAYS", 30, 1, 365);
        let session_absolute_days = number("SESSION_ABSOLUTE_DAYS", 90, 1, 365);
        if session_absolute_days < session_idle_days {
            problems.push("SESSION_ABSOLUTE_DAYS must be at least SESSION_IDLE_DAYS".into());
        }
        // required everywhere: a stored secret sealed under a made-up default would be no
        // secret at all (scripts/dev generates one for development)
        let data_keys = match get("DATA_ENCRYPTION_KEYS").map(|v| crate::secret_box::DataKeys::parse(&v)) {
            Some(Ok(keys)) => Some(keys),
            Some(Err(e)) => {
                problems.push(format!("DATA_ENCRYPTION_KEYS: {e}"));
                None
            }
            None => {
                problems.push("DATA_ENCRYPTION_KEYS is missing".into());
                None
            }
        };
        let edge = crate::edge_config::load(&get, environment, &mut problems);
        let payments = crate::payments::load(&get, environment, &mut problems);
        let saas = crate::custom_hostnames::load(&get, &platform_host);
        let (Some(data_keys), Some(db_key), Some(keys)) = (data_keys, db_key, keys) else {
            return Err(ConfigError { problems });
        };
        if !problems.is_empty() {
            return Err(ConfigError { problems });
        }
        Ok(Config {
            environment,
            db_key,
            supabase_api_key,
            keys,
            postgrest_url: postgrest_url.trim_end_matches('/').to_owned(),
            platform_host,
            stripe_livemode: stripe_secret_key.as_deref().is_some_and(is_live_key),
            stripe_secret_key,
            stripe_webhook_secrets,
            stripe_api_base: get("STRIPE_API_BASE").unwrap_or_else(|| DEFAULT_STRIPE_API.into()),
            brand_cache_ttl,
            catalog_cache_ttl,
            reservation_minutes,
            platform_fee_bps,
            email_api_base: get("EMAIL_API_BASE").unwrap_or_else(|| DEFAULT_EMAIL_API.into()),
            email_api_key: get("EMAIL_API_KEY"),
            email_from: get("EMAIL_FROM").unwrap_or_else(|| DEFAULT_EMAIL_FROM.into()),
            dns_api_base: get("DNS_API_BASE").unwrap_or_else(|| DEFAULT_DNS_API.into()),
            session_idle_days,
            session_absolute_days,
            data_keys,
            edge,
            payments,
            saas,
            request: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const GOOD_SECRET: &str = "0123456789abcdef0123456789abcdef";
    const OTHER_SECRET: &str = "fedcba9876543210fedcba9876543210";
    const SIGNING_JWK: &str = r#"{"kty":"EC","kid":"k1","crv":"P-256","d":"LbgeUXT4fXHzFp7fV40bzzBFN2LmLXioflPSoQkt7CA","x":"6ATNXJOgjX2Qr3lK6TP4KaO-fLDVz9lNYGO-O4oPbOw","y":"TZpp4ycrr8jDhdilKY7Spzb8Vx8Mk5d9KnMM9SPq0Ds"}"#;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    fn production(extra: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        let mut base: Vec<(&str, String)> = vec![
            ("ENVIRONMENT", "production".into()),
            ("DB_JWT_SIGNING_KEY", SIGNING_JWK.into()),
            ("SUPABASE_API_KEY", "sb_secret_x".into()),
            ("SHOAL_SECRET", OTHER_SECRET.into()),
            ("POSTGREST_URL", "https://db.example/rest/v1/".into()),
            ("PLATFORM_HOST", "Shoal.Example".into()),
            ("STRIPE_SECRET_KEY", "sk_live_x".into()),
            ("STRIPE_WEBHOOK_SECRETS", "whsec_a, whsec_b".into()),
            ("EMAIL_API_KEY", "re_live_x".into()),
            ("DATA_ENCRYPTION_KEYS", "k1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=".into()),
            ("CF_API_TOKEN", "cf_x".into()),
            ("CF_ZONE_ID", "zone_x".into()),
            ("STRIPE_PRICES", "starter:price_live_s,growth:price_live_g".into()),
        ];
        for (k, v) in extra {
            base.retain(|(bk, _)| bk != k);
            if !v.is_empty() {
                base.push((k, v.to_string()));
            }
        }
        base
    }

    fn load(pairs: Vec<(&'static str, String)>) -> Result<Config, ConfigError> {
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Config::from_lookup(env(&borrowed))
    }

    #[test]
    fn complete_production_config_loads_and_normalises() {
        let c = load(production(&[])).expect("valid config");
        assert_eq!(c.environment, Environment::Production);
        assert_eq!(c.postgrest_url, "https://db.example/rest/v1");
        assert_eq!(c.platform_host, "shoal.example");
        assert_eq!(c.stripe_webhook_secrets, vec!["whsec_a", "whsec_b"]);
        assert_eq!(c.brand_cache_ttl, DEFAULT_BRAND_CACHE_TTL);
        assert_eq!(c.stripe_api_base, "https://api.stripe.com");
        assert_eq!(c.payments.mode, crate::payments::PaymentsMode::Connect);
        assert_eq!(c.payments.price_for("growth"), Some("price_live_g"));
    }

    #[test]
    fn production_refuses_missing_or_short_secrets() {
        for (key, value, needle) in [
            ("DB_JWT_SIGNING_KEY", "", "DB_JWT_SIGNING_KEY is missing"),
            ("DB_JWT_SIGNING_KEY", "not-a-jwk", "DB_JWT_SIGNING_KEY must be a P-256 private JWK with a kid (not JSON)"),
            ("SUPABASE_API_KEY", "", "SUPABASE_API_KEY is missing"),
            ("SHOAL_SECRET", "", "SHOAL_SECRET is missing"),
            ("SHOAL_SECRET", "too-short", "SHOAL_SECRET must be at least 32 bytes"),
            ("SHOAL_SECRET_PREVIOUS", "too-short", "SHOAL_SECRET_PREVIOUS must be at least 32 bytes"),
            ("SHOAL_SECRET_PREVIOUS", OTHER_SECRET, "SHOAL_SECRET_PREVIOUS must differ"),
            ("SHOAL_HASH_SECRET", "too-short", "SHOAL_HASH_SECRET must be at least 32 bytes"),
            ("STRIPE_SECRET_KEY", "", "STRIPE_SECRET_KEY is missing"),
            ("STRIPE_WEBHOOK_SECRETS", "", "STRIPE_WEBHOOK_SECRETS is missing"),
            ("STRIPE_WEBHOOK_SECRETS", " , ", "STRIPE_WEBHOOK_SECRETS is missing"),
            ("EMAIL_API_KEY", "", "EMAIL_API_KEY is missing"),
            ("STRIPE_PRICES", "", "STRIPE_PRICES is missing"),
            ("STRIPE_PRICES", "starter", "STRIPE_PRICES has \"starter\", not plan:price"),
            ("PAYMENTS_MODE", "merchant", "PAYMENTS_MODE must be connect or platform"),
            ("DATA_ENCRYPTION_KEYS", "", "DATA_ENCRYPTION_KEYS is missing"),
            ("DATA_ENCRYPTION_KEYS", "k1:c2hvcnQ=", "must be 32 bytes"),
        ] {
            let err = load(production(&[(key, value)])).expect_err(key);
            assert!(err.to_string().contains(needle), "{key}={value:?}: {err}");
        }
    }

    #[test]
    fn the_stripe_mode_follows_the_key() {
        assert!(is_live_key("sk_live_abc") && is_live_key("rk_live_abc"));
        assert!(!is_live_key("sk_test_abc") && !is_live_key("rk_test_abc") && !is_live_key("sk_livex"));
        let c = Config::from_lookup(env(&[
            ("ENVIRONMENT", "development"),
            ("SHOAL_SECRET", GOOD_SECRET),
            ("SUPABASE_JWT_SECRET", GOOD_SECRET),
            ("POSTGREST_URL", "http://db"),
            ("PLATFORM_HOST", "localhost"),
            ("STRIPE_SECRET_KEY", "sk_test_x"),
            ("DATA_ENCRYPTION_KEYS", "k1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="),
        ]));
        assert_eq!(c.map(|c| c.stripe_livemode), Ok(false));
    }

    #[test]
    fn a_missing_environment_is_treated_as_production() {
        let err = load(production(&[("ENVIRONMENT", ""), ("STRIPE_SECRET_KEY", "")])).expect_err("prod rules");
        assert!(err.to_string().contains("STRIPE_SECRET_KEY"));
    }

    #[test]
    fn development_allows_missing_stripe_and_apikey_but_never_a_weak_secret() {
        let c = load(production(&[
            ("ENVIRONMENT", "development"),
            ("STRIPE_SECRET_KEY", ""),
            ("STRIPE_WEBHOOK_SECRETS", ""),
            ("SUPABASE_API_KEY", ""),
        ]));
        assert_eq!(c.as_ref().map(|c| c.environment), Ok(Environment::Development));
        assert_eq!(c.map(|c| c.supabase_api_key), Ok(None));
        assert!(load(production(&[("ENVIRONMENT", "development"), ("SHOAL_SECRET", "short")])).is_err());
        assert!(load(production(&[("ENVIRONMENT", "development"), ("DB_JWT_SIGNING_KEY", "")])).is_err());
    }

    #[test]
    fn database_tokens_are_es256_when_the_key_is_set_and_hs256_only_as_fallback() {
        let c = load(production(&[])).expect("valid");
        assert_eq!((c.db_key.alg(), c.supabase_api_key.as_deref()), ("ES256", Some("sb_secret_x")));
        // the signing key wins while the legacy secret is still set (the switch has no gap)
        let both = load(production(&[("SUPABASE_JWT_SECRET", GOOD_SECRET)])).expect("valid");
        assert_eq!(both.db_key.alg(), "ES256");
        let legacy = load(production(&[("DB_JWT_SIGNING_KEY", ""), ("SUPABASE_JWT_SECRET", GOOD_SECRET)])).expect("valid");
        assert_eq!(legacy.db_key.alg(), "HS256");
        let short = load(production(&[("DB_JWT_SIGNING_KEY", ""), ("SUPABASE_JWT_SECRET", "short")])).expect_err("short");
        assert!(short.to_string().contains("SUPABASE_JWT_SECRET must be at least 32 bytes"), "{short}");
    }

    #[test]
    fn the_shoal_secret_is_separate_and_may_rotate() {
        let c = load(production(&[("SHOAL_SECRET_PREVIOUS", GOOD_SECRET)])).expect("valid");
        assert!(c.keys.rotating());
        let plain = load(production(&[])).expect("valid");
        assert!(!plain.keys.rotating());
        let pinned = load(production(&[("SHOAL_HASH_SECRET", GOOD_SECRET)])).expect("valid");
        let hash = crate::keys::StoredHash::MfaRecovery;
        assert_ne!(pinned.keys.hashing(hash), plain.keys.hashing(hash), "the hashing secret is used when set");
    }

    #[test]
    fn reports_every_problem_at_once() {
        let err = Config::from_lookup(env(&[("ENVIRONMENT", "staging"), ("BRAND_CACHE_TTL", "5")])).expect_err("bad");
        assert_eq!(err.problems.len(), 13, "{err}");
    }

    #[test]
    fn numeric_settings_have_defaults_and_bounds() {
        let c = load(production(&[])).expect("valid");
        assert_eq!((c.catalog_cache_ttl, c.reservation_minutes, c.platform_fee_bps), (300, 35, 200));
        assert!(load(production(&[("RESERVATION_MINUTES", "30")])).is_err(), "holds outlive the 31-minute Checkout Session");
        const { assert!(crate::cart::SESSION_LIFETIME_SECONDS < 33 * 60) };
        assert!(load(production(&[("PLATFORM_FEE_BPS", "-1")])).is_err());
        assert_eq!(load(production(&[("PLATFORM_FEE_BPS", "0")])).map(|c| c.platform_fee_bps), Ok(0));
        assert!(load(production(&[("SESSION_IDLE_DAYS", "60"), ("SESSION_ABSOLUTE_DAYS", "30")])).is_err());
    }

    #[test]
    fn cache_ttl_respects_kv_minimum() {
        assert_eq!(load(production(&[("BRAND_CACHE_TTL", "60")])).map(|c| c.brand_cache_ttl), Ok(60));
        assert!(load(production(&[("BRAND_CACHE_TTL", "59")])).is_err());
        assert!(load(production(&[("BRAND_CACHE_TTL", "soon")])).is_err());
    }
}
