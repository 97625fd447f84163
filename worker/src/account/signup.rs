//! Before anyone is signed in: sign-up, email verification, codes and password reset.
//!   platform host: POST /api/v1/auth/signup, /verify-email, /resend-verification
//!   any shop or the platform: POST /api/v1/auth/forgot-password, /reset-password
//! Every step runs as service_role: no account owns it yet.

use shoal_domain::config::Config;
use shoal_domain::{codes, password, slug};
use worker::{Env, Request, Response};

use super::body::{self, EmailBody, ResetBody, SignupBody, VerifyBody};
use super::store;
use crate::body::read_json;
use crate::error::{json_response, AppError};
use crate::rate_limit;

/// Sign-ups per IP per minute; code requests (resend, forgot) per IP per minute, and per
/// address per hour (beyond it the answer is the same but nothing is sent, so an inbox
/// cannot be flooded and the answer still says nothing about the address); verification
/// attempts per IP per minute and per address per hour (a 6-digit code is not guessed).
const SIGNUPS_PER_MINUTE: i64 = 3;
const CODE_REQUESTS_PER_MINUTE: i64 = 3;
const CODE_REQUESTS_PER_HOUR_PER_EMAIL: i64 = 5;
const VERIFICATIONS_PER_MINUTE_PER_IP: i64 = 10;
const VERIFICATIONS_PER_HOUR_PER_EMAIL: i64 = 20;
/// Reset attempts per IP per minute and per email per hour (each code also locks after 5).
const RESETS_PER_MINUTE_PER_IP: i64 = 5;
const RESETS_PER_HOUR_PER_EMAIL: i64 = 10;

/// Codes are stored as hashes: keyed by the hashing secret, which outlives rotations.
pub(super) fn code_key(config: &Config) -> [u8; 32] {
    config.keys.hashing(shoal_domain::keys::StoredHash::OneTimeCode)
}

pub(super) fn new_code() -> Result<String, AppError> {
    let bytes: [u8; 32] = crate::random::bytes()?;
    let words: Vec<u32> = bytes.chunks(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
    codes::six_digits(&words).ok_or_else(|| AppError::Internal("no unbiased word".into()))
}

pub fn strong_hash(pass: &str, email: &str) -> Result<String, AppError> {
    password::check(pass, email).map_err(|e| AppError::Refused { status: 422, code: e.code().into(), detail: None })?;
    password::hash(pass, crate::random::bytes()?).ok_or_else(|| AppError::Internal("argon2".into()))
}

/// Sign-up answers alike whether or not the email has an account (the database tells an
/// existing owner by email instead); only a taken or refused slug is said, slugs being public.
pub async fn signup(mut req: Request, env: &Env, config: &Config) -> Result<Response, AppError> {
    rate_limit::check(env, "register", &rate_limit::client_ip(&req), SIGNUPS_PER_MINUTE, 60).await?;
    let b: SignupBody = body::parse(read_json(&mut req).await?)?;
    let email = body::email(&b.email, "email")?;
    let slug = body::required(&b.slug, "slug")?.to_lowercase();
    slug::check(&slug).map_err(|e| AppError::Refused { status: 422, code: e.code().into(), detail: None })?;
    let name = body::required(&b.brand_name, "brand_name")?;
    if name.chars().count() > 120 {
        return Err(AppError::Refused { status: 422, code: "invalid_brand_name".into(), detail: Some("at most 120 characters".into()) });
    }
    slug::check_brand_name(name).map_err(|code| AppError::Refused { status: 422, code: code.into(), detail: None })?;
    let (language, currency) = b.language_and_currency()?;
    let hash = strong_hash(b.password.as_deref().unwrap_or_default(), &email)?;
    let code = new_code()?;
    let created = store::signup(
        config,
        store::Signup {
            brand_name: name,
            slug: &slug,
            email: &email,
            password_hash: &hash,
            code: &code,
            code_hash: &codes::hash(&code_key(config), "verify_email", &email, &code),
            locale: language,
            currency,
        },
    )
    .await?;
    // the host may be cached as unknown (asked for before, or a released sign-up's)
    crate::kv::forget_brand_hosts(env, &serde_json::json!([created.host])).await;
    Ok(json_response(&serde_json::json!({"brand_id": created.brand_id, "host": created.host, "email_verification": "sent"}), 201))
}

pub async fn verify_email(mut req: Request, env: &Env, config: &Config) -> Result<Response, AppError> {
    rate_limit::check(env, "verify_email", &rate_limit::client_ip(&req), VERIFICATIONS_PER_MINUTE_PER_IP, 60).await?;
    let b: VerifyBody = body::parse(read_json(&mut req).await?)?;
    let email = body::email(&b.email, "email")?;
    rate_limit::check(env, "verify_email_address", &email, VERIFICATIONS_PER_HOUR_PER_EMAIL, 3600).await?;
    let code = body::required(&b.code, "code")?;
    let outcome =
        store::consume_code(config, &email, "verify_email", &codes::hash(&code_key(config), "verify_email", &email, code), None).await?;
    anonymous_code_outcome(&outcome.outcome, serde_json::json!({"verified": true}))
}

/// Same answer whether or not the email has an account, and whether or not the address
/// has had its hourly share of codes (past it nothing is sent).
pub async fn send_code(
    mut req: Request,
    env: &Env,
    config: &Config,
    purpose: &str,
    template: &str,
    action: &str,
) -> Result<Response, AppError> {
    rate_limit::check(env, action, &rate_limit::client_ip(&req), CODE_REQUESTS_PER_MINUTE, 60).await?;
    let b: EmailBody = body::parse(read_json(&mut req).await?)?;
    let email = body::email(&b.email, "email")?;
    let address_budget = rate_limit::check(env, &format!("{action}_address"), &email, CODE_REQUESTS_PER_HOUR_PER_EMAIL, 3600).await;
    match address_budget {
        Ok(()) => issue_code(config, &email, purpose, template).await?,
        // the address has had enough codes this hour: answer alike, send nothing
        Err(AppError::RateLimited(_)) => {}
        Err(e) => return Err(e),
    }
    Ok(json_response(&serde_json::json!({"accepted": true}), 202))
}

/// A fresh verification code to `email` (login of an unverified account with the right
/// password): nothing is sent when the account is verified or unknown.
pub async fn send_verification(config: &Config, email: &str) -> Result<(), AppError> {
    issue_code(config, email, "verify_email", "verification_code").await
}

/// A fresh code for `purpose` to `email` (stored as an HMAC), sent with `template`.
async fn issue_code(config: &Config, email: &str, purpose: &str, template: &str) -> Result<(), AppError> {
    let code = new_code()?;
    store::issue_code(config, email, purpose, &code, &codes::hash(&code_key(config), purpose, email, &code), template).await
}

pub async fn reset_password(mut req: Request, env: &Env, config: &Config) -> Result<Response, AppError> {
    rate_limit::check(env, "reset_password", &rate_limit::client_ip(&req), RESETS_PER_MINUTE_PER_IP, 60).await?;
    let b: ResetBody = body::parse(read_json(&mut req).await?)?;
    let email = body::email(&b.email, "email")?;
    rate_limit::check(env, "reset_password_email", &email, RESETS_PER_HOUR_PER_EMAIL, 3600).await?;
    let code = body::required(&b.code, "code")?;
    let hash = strong_hash(b.new_password.as_deref().unwrap_or_default(), &email)?;
    let code_hash = codes::hash(&code_key(config), "reset_password", &email, code);
    let outcome = store::consume_code(config, &email, "reset_password", &code_hash, Some(&hash)).await?;
    anonymous_code_outcome(&outcome.outcome, serde_json::json!({"password_reset": true}))
}

/// A code given with an email by someone not signed in: every failure answers the same, as
/// "locked" and "expired" happen only to addresses that have an account.
fn anonymous_code_outcome(outcome: &str, ok: serde_json::Value) -> Result<Response, AppError> {
    match outcome {
        "ok" => Ok(json_response(&ok, 200)),
        _ => Err(AppError::Refused {
            status: 400,
            code: "code_invalid".into(),
            detail: Some("wrong, expired or tried too often; ask for a new code".into()),
        }),
    }
}
