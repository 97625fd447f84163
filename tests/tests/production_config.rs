//! In production the worker refuses to serve with missing or weak secrets, at the first
//! request, with a logged error and a 500, instead of falling back to a default. Each
//! case runs its own `wrangler dev` with production vars.

use shoal_e2e::spawned::*;
use shoal_e2e::*;

fn base_vars(api: &str) -> Vec<(&'static str, String)> {
    vec![("ENVIRONMENT", "production".into()), ("PLATFORM_HOST", "localhost".into()), ("POSTGREST_URL", api.into())]
}

fn api_url() -> String {
    format!("http://127.0.0.1:{}", std::env::var("SHOAL_API_PORT").unwrap_or_else(|_| "54330".into()))
}

#[test]
fn production_refuses_a_short_shoal_secret_and_missing_keys() {
    let mut vars = base_vars(&api_url());
    vars.push(("SHOAL_SECRET", "too-short".into()));
    vars.push(("DB_JWT_SIGNING_KEY", String::new()));
    vars.push(("SUPABASE_API_KEY", String::new()));
    vars.push(("DATA_ENCRYPTION_KEYS", String::new()));
    let borrowed: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let w = start(&borrowed);
    for path in ["/api/v1/store/brand", "/healthz"] {
        let (status, body) = get_from(&w, "acme.localhost", path);
        assert_eq!(status, 500, "{path}: {body}");
        assert_eq!(body["error"]["code"], "config_invalid");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(!message.contains("SHOAL_SECRET"), "details stay in the log, not the response: {message}");
    }
    let log = wait_for_log(&w, "EMAIL_API_KEY is missing");
    for needle in [
        "config_invalid",
        "SHOAL_SECRET must be at least 32 bytes",
        "DB_JWT_SIGNING_KEY is missing",
        "SUPABASE_API_KEY is missing",
        "STRIPE_SECRET_KEY is missing",
        "STRIPE_WEBHOOK_SECRETS is missing",
        "EMAIL_API_KEY is missing",
        "CF_API_TOKEN and CF_ZONE_ID are missing",
        "DATA_ENCRYPTION_KEYS is missing",
        "STRIPE_PRICES is missing",
    ] {
        assert!(log.contains(needle), "log lacks {needle:?}:\n{log}");
    }
}

#[test]
fn production_with_every_secret_serves_brands() {
    // the stack's database key, Shoal secrets and an API key come from spawned::start
    let mut vars = base_vars(&api_url());
    vars.extend([
        ("STRIPE_SECRET_KEY", "sk_test_prodcheck".into()),
        ("STRIPE_WEBHOOK_SECRETS", "whsec_prodcheck".into()),
        ("EMAIL_API_KEY", "re_prodcheck".into()),
        ("CF_API_TOKEN", "cf_prodcheck".into()),
        ("CF_ZONE_ID", "zoneprodcheck".into()),
        ("STRIPE_PRICES", "starter:price_prodcheck_s,growth:price_prodcheck_g".into()),
    ]);
    let borrowed: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let w = start(&borrowed);
    let (status, body) = get_from(&w, "acme.localhost", "/api/v1/store/brand");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], ACME_ID);
    // production answers carry HSTS (development ones do not)
    let r = http("GET", &format!("http://127.0.0.1:{}/api/v1/store/brand", w.port), &[("host", "acme.localhost")], None);
    assert_eq!(r.header("strict-transport-security").as_deref(), Some("max-age=31536000; includeSubDomains"));
}
