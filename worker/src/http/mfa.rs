//! Staff MFA: `/api/v1/account/mfa/setup|enable|disable`, the second factor at login, and
//! re-authentication (password, plus the current second factor when MFA is on) before a
//! change that would hand the account to someone else: replacing or disabling the factor,
//! a new password, a new email.
//!
//! TOTP secrets are sealed (AES-256-GCM, `shoal_domain::secret_box`) before they reach the
//! database and opened only here, where a code is checked. A TOTP time step is accepted
//! once per account, so a code seen over someone's shoulder cannot be replayed.
//!
//! Re-authentication is limited per account (`REAUTHENTICATIONS_PER_HOUR`, every attempt
//! counted before anything is checked), so a stolen session cannot guess the password or
//! the second factor; each failure is audited as `reauthentication_failed`.

use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::{password, secret_box, totp};
use worker::{Env, Response};

use super::auth::{invalid_credentials, DECOY_HASH};
use crate::error::{json_response, AppError};
use crate::rate_limit;
use crate::store;

/// Re-authentications per account per hour (password change, email change, MFA setup and
/// disabling together): enough for an owner's changes, far too few to guess a password or
/// a 6-digit code.
const REAUTHENTICATIONS_PER_HOUR: i64 = 10;

fn recovery_hash(config: &Config, account: &str, code: &str) -> String {
    // stored hashes outlive a rotation of SHOAL_SECRET: keyed by the hashing secret
    totp::recovery_hash(&config.keys.hashing(shoal_domain::keys::StoredHash::MfaRecovery), account, code)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    Ok,
    Wrong,
    Missing,
}

fn refused(status: u16, code: &str) -> AppError {
    AppError::Refused { status, code: code.into(), detail: None }
}

async fn state(config: &Config, account: &str) -> Result<serde_json::Value, AppError> {
    store::auth::mfa(config, "auth_mfa_state", serde_json::json!({"p_account_id": account})).await
}

fn seal(config: &Config, account: &str, secret: &str) -> Result<String, AppError> {
    config
        .data_keys
        .seal(secret, &secret_box::totp_aad(account), crate::random::bytes()?)
        .ok_or_else(|| AppError::Internal("cannot seal the TOTP secret".into()))
}

/// A sealed secret that does not open (altered, or its key retired) is an operator's
/// problem, never a way in: 500, logged.
fn open(config: &Config, account: &str, sealed: &str) -> Result<String, AppError> {
    config
        .data_keys
        .open(sealed, &secret_box::totp_aad(account))
        .ok_or_else(|| AppError::Internal("a sealed TOTP secret does not open".into()))
}

/// The TOTP step `code` matches for the sealed secret, if any.
fn step_of(config: &Config, account: &str, sealed: &str, code: &str) -> Result<Option<i64>, AppError> {
    let secret = open(config, account, sealed)?;
    Ok(totp::verify_step(&secret, code, crate::store::postgrest::now().timestamp()))
}

/// Checks `otp` (TOTP, each time step once) or `recovery_code` (single use) from a body
/// against the account's enabled factor. `known`: the account's MFA state when the caller
/// has already read it (it is read here otherwise, and only for a TOTP code).
pub async fn second_factor(config: &Config, account: &str, body: &serde_json::Value, known: Option<&serde_json::Value>) -> Result<SecondFactor, AppError> {
    if let Some(otp) = body["otp"].as_str() {
        let loaded;
        let st = match known {
            Some(st) => st,
            None => {
                loaded = state(config, account).await?;
                &loaded
            }
        };
        let Some(sealed) = st["secret"].as_str() else { return Ok(SecondFactor::Wrong) };
        let Some(step) = step_of(config, account, sealed, otp)? else { return Ok(SecondFactor::Wrong) };
        let fresh = store::auth::mfa(config, "auth_mfa_use_step", serde_json::json!({"p_account_id": account, "p_step": step})).await?;
        return Ok(if fresh.as_bool() == Some(true) { SecondFactor::Ok } else { SecondFactor::Wrong });
    }
    if let Some(code) = body["recovery_code"].as_str() {
        let used = store::auth::mfa(config, "auth_mfa_use_recovery", serde_json::json!({"p_account_id": account, "p_hash": recovery_hash(config, account, code)})).await?;
        return Ok(if used.as_bool() == Some(true) { SecondFactor::Ok } else { SecondFactor::Wrong });
    }
    Ok(SecondFactor::Missing)
}

/// `current_password`, and when MFA is on also `otp` or `recovery_code`: what a stolen
/// access token alone does not have. Counted per account before anything is checked
/// (429 past the limit); a failure is audited with what failed, never what was typed.
/// `purpose` names the change asked for. Returns the account's email.
pub async fn reauthenticate(env: &Env, config: &Config, brand_id: &str, account: &str, body: &serde_json::Value, purpose: &str) -> Result<String, AppError> {
    rate_limit::check(env, "reauthenticate", account, REAUTHENTICATIONS_PER_HOUR, 3600).await?;
    let (failure, refusal) = match check_reauthentication(config, account, body).await? {
        Ok(email) => return Ok(email),
        Err(f) => f,
    };
    store::auth::mfa(config, "auth_reauthentication_failed",
        serde_json::json!({"p_account_id": account, "p_brand_id": brand_id, "p_reason": failure, "p_purpose": purpose})).await?;
    Err(refusal)
}

/// The account's email, or what failed (for the audit log) and the answer.
async fn check_reauthentication(config: &Config, account: &str, body: &serde_json::Value) -> Result<Result<String, (&'static str, AppError)>, AppError> {
    let stored = store::auth::password_hash(config, account).await?;
    if !password::verify(body["current_password"].as_str().unwrap_or_default(), stored["hash"].as_str().unwrap_or(DECOY_HASH)) {
        return Ok(Err(("password", invalid_credentials())));
    }
    let st = state(config, account).await?;
    if st["enabled"].as_bool() == Some(true) {
        match second_factor(config, account, body, Some(&st)).await? {
            SecondFactor::Ok => {}
            SecondFactor::Missing => {
                let answer = AppError::Refused { status: 401, code: "mfa_required".into(), detail: Some("send `otp` or `recovery_code`".into()) };
                return Ok(Err(("second_factor_missing", answer)));
            }
            SecondFactor::Wrong => return Ok(Err(("second_factor", refused(400, "otp_invalid")))),
        }
    }
    Ok(Ok(stored["email"].as_str().unwrap_or_default().to_owned()))
}

/// `/api/v1/account/mfa/setup|enable|disable`. Setup needs the password (and, while MFA
/// is on, i.e. replacing the factor, the current factor too); disabling needs both; enable
/// needs a code of the pending secret that only a checked setup can have stored.
pub async fn handle(env: &Env, config: &Config, brand: &BrandContext, s: &crate::staff::Staff, step: &str, body: &serde_json::Value) -> Result<Response, AppError> {
    let account = s.claims.sub.as_str();
    let st = state(config, account).await?;
    let enabled = st["enabled"].as_bool() == Some(true);
    match step {
        "setup" => {
            // the password always (a stolen session must not enrol a factor of its own and
            // lock the owner out), and the current factor too when one is on
            reauthenticate(env, config, &brand.id, account, body, "mfa_setup").await?;
            let secret = totp::secret_from(crate::random::bytes()?);
            store::auth::mfa(config, "auth_mfa_setup", serde_json::json!({"p_account_id": account, "p_secret": seal(config, account, &secret)?})).await?;
            let uri = totp::provisioning_uri(&secret, &brand.name, st["email"].as_str().unwrap_or_default());
            Ok(json_response(&serde_json::json!({"secret": secret, "otpauth_uri": uri}), 200))
        }
        "enable" => {
            let pending = st["pending"].as_str().ok_or_else(|| refused(409, "mfa_setup_missing"))?;
            let step = step_of(config, account, pending, body["otp"].as_str().unwrap_or_default())?.ok_or_else(|| refused(400, "otp_invalid"))?;
            let recovery = totp::recovery_codes(crate::random::bytes()?);
            let hashes: Vec<String> = recovery.iter().map(|c| recovery_hash(config, account, c)).collect();
            store::auth::mfa(config, "auth_mfa_enable",
                serde_json::json!({"p_account_id": account, "p_recovery_hashes": hashes, "p_brand_id": brand.id, "p_step": step})).await?;
            Ok(json_response(&serde_json::json!({"enabled": true, "recovery_codes": recovery}), 200))
        }
        _ => {
            if !enabled {
                return Err(refused(409, "mfa_not_enabled"));
            }
            reauthenticate(env, config, &brand.id, account, body, "mfa_disable").await?;
            store::auth::mfa(config, "auth_mfa_disable", serde_json::json!({"p_account_id": account, "p_brand_id": brand.id})).await?;
            Ok(json_response(&serde_json::json!({"enabled": false}), 200))
        }
    }
}
