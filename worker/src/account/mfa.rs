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

use super::body::{MfaBody, Reauth, SecondFactorFields};
use super::login::{invalid_credentials, DECOY_HASH};
use super::store::{self, MfaState};
use super::Staff;
use crate::error::{json_response, AppError};
use crate::rate_limit;

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
    Ok(totp::verify_step(&secret, code, crate::clock::now().timestamp()))
}

/// Where the account's sealed secret comes from: read at login (before anyone is signed
/// in) only when a TOTP code is given, or already in hand from the signed-in caller's state.
pub enum Secret<'a> {
    AtLogin,
    Known(Option<&'a str>),
}

/// Checks `otp` (TOTP, each time step once) or `recovery_code` (single use) against the
/// account's enabled factor.
pub async fn second_factor(
    config: &Config,
    account: &str,
    given: &SecondFactorFields,
    secret: Secret<'_>,
) -> Result<SecondFactor, AppError> {
    if let Some(otp) = given.otp.as_deref() {
        let loaded;
        let sealed = match secret {
            Secret::Known(s) => s,
            Secret::AtLogin => {
                loaded = store::login_mfa_secret(config, account).await?;
                loaded.as_deref()
            }
        };
        let Some(sealed) = sealed else { return Ok(SecondFactor::Wrong) };
        let Some(step) = step_of(config, account, sealed, otp)? else { return Ok(SecondFactor::Wrong) };
        let fresh = store::mfa_use_step(config, account, step).await?;
        return Ok(if fresh { SecondFactor::Ok } else { SecondFactor::Wrong });
    }
    if let Some(code) = given.recovery_code.as_deref() {
        let used = store::mfa_use_recovery(config, account, &recovery_hash(config, account, code)).await?;
        return Ok(if used { SecondFactor::Ok } else { SecondFactor::Wrong });
    }
    Ok(SecondFactor::Missing)
}

/// `current_password`, and when MFA is on also `otp` or `recovery_code`: what a stolen
/// access token alone does not have. Counted per account before anything is checked
/// (429 past the limit); a failure is audited with what failed, never what was typed.
/// `purpose` names the change asked for. Returns the account's email.
pub async fn reauthenticate(env: &Env, config: &Config, s: &Staff, given: &Reauth, purpose: &str) -> Result<String, AppError> {
    let account = s.claims.sub.as_str();
    rate_limit::check(env, "reauthenticate", account, REAUTHENTICATIONS_PER_HOUR, 3600).await?;
    let (failure, refusal) = match check_reauthentication(config, s, given).await? {
        Ok(email) => return Ok(email),
        Err(f) => f,
    };
    store::reauthentication_failed(config, s, failure, purpose).await?;
    Err(refusal)
}

/// The account's email, or what failed (for the audit log) and the answer.
async fn check_reauthentication(config: &Config, s: &Staff, given: &Reauth) -> Result<Result<String, (&'static str, AppError)>, AppError> {
    let account = s.claims.sub.as_str();
    let stored = store::password_hash(config, account).await?;
    let hash = stored.as_ref().and_then(|p| p.hash.as_deref()).unwrap_or(DECOY_HASH);
    if !password::verify(given.current_password.as_deref().unwrap_or_default(), hash) {
        return Ok(Err(("password", invalid_credentials())));
    }
    let st = store::mfa_state(config, s).await?;
    if st.enabled {
        match second_factor(config, account, &given.factor, Secret::Known(st.secret.as_deref())).await? {
            SecondFactor::Ok => {}
            SecondFactor::Missing => {
                let answer =
                    AppError::Refused { status: 401, code: "mfa_required".into(), detail: Some("send `otp` or `recovery_code`".into()) };
                return Ok(Err(("second_factor_missing", answer)));
            }
            SecondFactor::Wrong => return Ok(Err(("second_factor", refused(400, "otp_invalid")))),
        }
    }
    Ok(Ok(stored.and_then(|p| p.email).unwrap_or_default()))
}

/// `/api/v1/account/mfa/setup|enable|disable`. Setup needs the password (and, while MFA
/// is on, i.e. replacing the factor, the current factor too); disabling needs both; enable
/// needs a code of the pending secret that only a checked setup can have stored.
pub async fn handle(env: &Env, config: &Config, brand: &BrandContext, s: &Staff, step: &str, body: &MfaBody) -> Result<Response, AppError> {
    let account = s.claims.sub.as_str();
    let st: MfaState = store::mfa_state(config, s).await?;
    match step {
        "setup" => {
            // the password always (a stolen session must not enrol a factor of its own and
            // lock the owner out), and the current factor too when one is on
            reauthenticate(env, config, s, &body.reauth, "mfa_setup").await?;
            let secret = totp::secret_from(crate::random::bytes()?);
            store::mfa_setup(config, s, &seal(config, account, &secret)?).await?;
            let uri = totp::provisioning_uri(&secret, &brand.name, &st.email);
            Ok(json_response(&serde_json::json!({"secret": secret, "otpauth_uri": uri}), 200))
        }
        "enable" => {
            let pending = st.pending.as_deref().ok_or_else(|| refused(409, "mfa_setup_missing"))?;
            let otp = body.reauth.factor.otp.as_deref().unwrap_or_default();
            let step = step_of(config, account, pending, otp)?.ok_or_else(|| refused(400, "otp_invalid"))?;
            let recovery = totp::recovery_codes(crate::random::bytes()?);
            let hashes: Vec<String> = recovery.iter().map(|c| recovery_hash(config, account, c)).collect();
            store::mfa_enable(config, s, &hashes, step).await?;
            Ok(json_response(&serde_json::json!({"enabled": true, "recovery_codes": recovery}), 200))
        }
        _ => {
            if !st.enabled {
                return Err(refused(409, "mfa_not_enabled"));
            }
            reauthenticate(env, config, s, &body.reauth, "mfa_disable").await?;
            store::mfa_disable(config, s).await?;
            Ok(json_response(&serde_json::json!({"enabled": false}), 200))
        }
    }
}
