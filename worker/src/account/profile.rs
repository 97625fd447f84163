//! A signed-in staff member's own account: password, email, profile. Each change runs in
//! the database as the caller (`DbClaims::staff`), so RLS keeps it to their own row.
//!   POST /api/v1/account/password, /email, /email/confirm; PATCH|POST /api/v1/account/profile

use shoal_domain::codes;
use shoal_domain::config::Config;
use worker::{Env, Response};

use super::body::{self, CodeBody, EmailChangeBody, PasswordChangeBody, ProfileBody};
use super::signup::{code_key, new_code, strong_hash};
use super::Staff;
use super::{mfa, store};
use crate::error::{json_response, AppError};

/// The current password, and the current second factor when MFA is on; the account is
/// told by email.
pub async fn change_password(env: &Env, config: &Config, s: &Staff, b: &PasswordChangeBody) -> Result<Response, AppError> {
    let email = mfa::reauthenticate(env, config, s, &b.reauth, "password_change").await?;
    let hash = strong_hash(b.new_password.as_deref().unwrap_or_default(), &email)?;
    store::change_password(config, s, &hash).await?;
    Ok(json_response(&serde_json::json!({"password_changed": true}), 200))
}

/// Change of email: the current password (and the current second factor when MFA is on),
/// then a code to the new address.
pub async fn request_email_change(env: &Env, config: &Config, s: &Staff, b: &EmailChangeBody) -> Result<Response, AppError> {
    let new_email = body::email(&b.new_email, "new_email")?;
    mfa::reauthenticate(env, config, s, &b.reauth, "email_change").await?;
    let code = new_code()?;
    let hash = codes::hash(&code_key(config), "change_email", &s.claims.sub, &code);
    store::request_email_change(config, s, &new_email, &code, &hash).await?;
    Ok(json_response(&serde_json::json!({"code_sent_to": new_email}), 202))
}

pub async fn confirm_email_change(config: &Config, s: &Staff, b: &CodeBody) -> Result<Response, AppError> {
    let code = body::required(&b.code, "code")?;
    let hash = codes::hash(&code_key(config), "change_email", &s.claims.sub, code);
    let r = store::confirm_email_change(config, s, &hash).await?;
    code_outcome(&r.outcome, serde_json::json!({"email": r.email}))
}

pub async fn update_profile(config: &Config, s: &Staff, b: &ProfileBody) -> Result<Response, AppError> {
    let (name, locale) = b.checked()?;
    Ok(json_response(&serde_json::json!(store::update_profile(config, s, name, locale).await?), 200))
}

fn code_outcome(outcome: &str, ok: serde_json::Value) -> Result<Response, AppError> {
    match outcome {
        "ok" => Ok(json_response(&ok, 200)),
        "locked" => {
            Err(AppError::Refused { status: 429, code: "code_locked".into(), detail: Some("too many attempts; ask for a new code".into()) })
        }
        "expired" => Err(AppError::Refused { status: 400, code: "code_expired".into(), detail: None }),
        _ => Err(AppError::Refused { status: 400, code: "code_invalid".into(), detail: None }),
    }
}
