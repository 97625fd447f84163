//! The account's database functions, with typed answers. Two kinds of caller:
//! - before anyone is signed in (sign-up, login, codes, refresh, the session check, the
//!   login's second factor, invitations): `service_role`, as no account owns the step yet;
//! - a signed-in staff member on their own account (password, email, profile, logout, MFA):
//!   `authenticated` with `DbClaims::staff`; the functions run as the caller and read the
//!   account from the token, so RLS keeps them to that account's own row and sessions.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;

use super::Staff;
use crate::error::AppError;
use crate::store::postgrest::rpc;

async fn call<T: DeserializeOwned>(config: &Config, claims: DbClaims, function: &str, args: serde_json::Value) -> Result<T, AppError> {
    let value = rpc(config, claims, function, args).await?;
    serde_json::from_value(value).map_err(|e| AppError::Internal(format!("{function}: unexpected answer: {e}")))
}

/// No account owns the step yet.
async fn service<T: DeserializeOwned>(config: &Config, function: &str, args: serde_json::Value) -> Result<T, AppError> {
    call(config, DbClaims::service(), function, args).await
}

/// The signed-in staff member, on their own account.
async fn own<T: DeserializeOwned>(config: &Config, s: &Staff, function: &str, args: serde_json::Value) -> Result<T, AppError> {
    let claims = DbClaims::staff(&s.claims.sub, &s.claims.brand_id, s.role.as_str(), &s.claims.sid);
    call(config, claims, function, args).await
}

// ------------------------------------------------------------------ before sign-in

/// The account behind an email on a brand (fields absent when there is none) and the
/// failure counts of the email on this brand's host and of the client.
#[derive(Debug, Default, Deserialize)]
pub struct LoginContext {
    pub account_id: Option<String>,
    pub password_hash: Option<String>,
    pub role: Option<String>,
    pub status: Option<String>,
    #[serde(default)]
    pub email_verified: bool,
    #[serde(default)]
    pub mfa_enabled: bool,
    #[serde(default)]
    pub recent_failures: i64,
    #[serde(default)]
    pub ip_failures: i64,
}

/// `ip` "" = none.
pub async fn login_context(config: &Config, brand_id: &str, email: &str, ip: &str) -> Result<LoginContext, AppError> {
    let ip = (!ip.is_empty()).then_some(ip);
    service(config, "auth_login_context", serde_json::json!({"p_brand_id": brand_id, "p_email": email, "p_ip": ip})).await
}

pub struct LoginRecord<'a> {
    pub account_id: Option<&'a str>,
    pub email: &'a str,
    pub ok: bool,
    pub refresh_hash: &'a str,
    pub ip: &'a str,
    /// What failures are counted by: `rate_limit::client_key` of the IP (IPv6 per /64).
    pub client: &'a str,
    pub user_agent: &'a str,
    pub request_id: &'a str,
}

#[derive(Debug, Deserialize)]
pub struct OpenedSession {
    pub session_id: String,
    #[serde(default)]
    pub family_id: String,
}

/// The session opened by a successful login (none for a failure).
pub async fn login_finish(config: &Config, brand_id: &str, r: LoginRecord<'_>) -> Result<Option<OpenedSession>, AppError> {
    service(
        config,
        "auth_login_finish",
        serde_json::json!({"p_brand_id": brand_id, "p_account_id": r.account_id, "p_email": r.email, "p_ok": r.ok,
            "p_refresh_hash": r.refresh_hash, "p_idle_days": config.session_idle_days,
            "p_absolute_days": config.session_absolute_days, "p_ip": r.ip, "p_client_key": r.client, "p_user_agent": r.user_agent,
            "p_request_id": r.request_id}),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct LiveSession {
    pub role: Option<String>,
    #[serde(default)]
    pub mfa_enabled: bool,
    #[serde(default)]
    pub mfa_required: bool,
    #[serde(default)]
    pub family_id: Option<String>,
}

/// The live session's role and MFA state; none when the session is over. It verifies an
/// access token, so it runs before the caller is known: service_role.
pub async fn session(config: &Config, session_id: &str, jti: &str, brand_id: &str) -> Result<Option<LiveSession>, AppError> {
    service(config, "auth_session", serde_json::json!({"p_session_id": session_id, "p_jti": jti, "p_brand_id": brand_id})).await
}

#[derive(Debug, Deserialize)]
pub struct Refreshed {
    pub outcome: String,
    pub session_id: Option<String>,
    pub account_id: Option<String>,
    pub brand_id: Option<String>,
    pub role: Option<String>,
    #[serde(default)]
    pub family_id: Option<String>,
}

/// `family`: the session family a cookie caller's CSRF token names (the token must belong
/// to it, checked before anything is spent); none for a refresh token sent in the body.
pub async fn refresh(config: &Config, old_hash: &str, new_hash: &str, brand_id: &str, family: Option<&str>) -> Result<Refreshed, AppError> {
    service(
        config,
        "auth_refresh",
        serde_json::json!({"p_refresh_hash": old_hash, "p_new_refresh_hash": new_hash,
                           "p_idle_days": config.session_idle_days, "p_brand_id": brand_id, "p_family_id": family}),
    )
    .await
}

pub struct Signup<'a> {
    pub brand_name: &'a str,
    pub slug: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub code: &'a str,
    pub code_hash: &'a str,
    pub locale: &'a str,
    pub currency: &'a str,
}

#[derive(Debug, Deserialize, serde::Serialize)]
pub struct SignedUp {
    pub brand_id: String,
    pub host: String,
}

pub async fn signup(config: &Config, s: Signup<'_>) -> Result<SignedUp, AppError> {
    service(
        config,
        "auth_signup",
        serde_json::json!({"p_brand_name": s.brand_name, "p_slug": s.slug, "p_email": s.email, "p_password_hash": s.password_hash,
            "p_code": s.code, "p_code_hash": s.code_hash, "p_platform_host": config.platform_host, "p_locale": s.locale,
            "p_currency": s.currency}),
    )
    .await
}

pub async fn issue_code(config: &Config, email: &str, purpose: &str, code: &str, code_hash: &str, template: &str) -> Result<(), AppError> {
    service(
        config,
        "auth_issue_code",
        serde_json::json!({"p_email": email, "p_purpose": purpose, "p_code": code, "p_code_hash": code_hash, "p_template": template}),
    )
    .await
}

/// What checking a code came to: ok | invalid | expired | locked (and, for a change of
/// email, the address it moved to).
#[derive(Debug, Deserialize)]
pub struct CodeOutcome {
    pub outcome: String,
    pub email: Option<String>,
}

pub async fn consume_code(
    config: &Config,
    email: &str,
    purpose: &str,
    code_hash: &str,
    new_hash: Option<&str>,
) -> Result<CodeOutcome, AppError> {
    service(
        config,
        "auth_consume_code",
        serde_json::json!({"p_email": email, "p_purpose": purpose, "p_code_hash": code_hash, "p_new_password_hash": new_hash}),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct StoredPassword {
    pub hash: Option<String>,
    pub email: Option<String>,
}

/// The account's stored hash and email (none when there is no such account). The hash is
/// readable by no caller, so this stays service_role even during re-authentication.
pub async fn password_hash(config: &Config, account_id: &str) -> Result<Option<StoredPassword>, AppError> {
    service(config, "auth_password_hash", serde_json::json!({"p_account_id": account_id})).await
}

pub async fn invitation_email(config: &Config, brand_id: &str, token_hash: &str) -> Result<Option<String>, AppError> {
    service(config, "auth_invitation_email", serde_json::json!({"p_brand_id": brand_id, "p_token_hash": token_hash})).await
}

#[derive(Debug, Deserialize, serde::Serialize)]
pub struct Joined {
    pub account_id: String,
    pub email: String,
    pub role: String,
}

pub async fn accept_invitation(config: &Config, brand_id: &str, token_hash: &str, password_hash: Option<&str>) -> Result<Joined, AppError> {
    service(
        config,
        "auth_accept_invitation",
        serde_json::json!({"p_brand_id": brand_id, "p_token_hash": token_hash, "p_password_hash": password_hash}),
    )
    .await
}

/// The second factor at login (and in a re-authentication, which shares the check): a
/// TOTP step accepted once, past the last one. True when it was fresh.
pub async fn mfa_use_step(config: &Config, account: &str, step: i64) -> Result<bool, AppError> {
    let fresh: Option<bool> = service(config, "auth_mfa_use_step", serde_json::json!({"p_account_id": account, "p_step": step})).await?;
    Ok(fresh == Some(true))
}

/// A recovery code works once. True when it was one of the account's.
pub async fn mfa_use_recovery(config: &Config, account: &str, hash: &str) -> Result<bool, AppError> {
    let used: Option<bool> = service(config, "auth_mfa_use_recovery", serde_json::json!({"p_account_id": account, "p_hash": hash})).await?;
    Ok(used == Some(true))
}

/// The sealed secret of an account at login, before it is signed in.
pub async fn login_mfa_secret(config: &Config, account: &str) -> Result<Option<String>, AppError> {
    service(config, "auth_mfa_login_secret", serde_json::json!({"p_account_id": account})).await
}

// ------------------------------------------------------------ signed in, own account

pub async fn logout(config: &Config, s: &Staff) -> Result<(), AppError> {
    let at = shoal_domain::time::rfc3339(s.expires_at);
    own(config, s, "auth_logout", serde_json::json!({"p_jti": s.claims.jti, "p_expires_at": at})).await
}

pub async fn change_password(config: &Config, s: &Staff, new_hash: &str) -> Result<(), AppError> {
    own(config, s, "auth_change_password", serde_json::json!({"p_new_password_hash": new_hash})).await
}

pub async fn request_email_change(config: &Config, s: &Staff, new_email: &str, code: &str, code_hash: &str) -> Result<(), AppError> {
    own(config, s, "auth_request_email_change", serde_json::json!({"p_new_email": new_email, "p_code": code, "p_code_hash": code_hash}))
        .await
}

/// Consumes a code, so it stays with the code functions (service_role); the account is the
/// caller's, from its verified access token.
pub async fn confirm_email_change(config: &Config, s: &Staff, code_hash: &str) -> Result<CodeOutcome, AppError> {
    service(
        config,
        "auth_confirm_email_change",
        serde_json::json!({"p_account_id": s.claims.sub, "p_code_hash": code_hash, "p_brand_id": s.claims.brand_id}),
    )
    .await
}

#[derive(Debug, Deserialize, serde::Serialize)]
pub struct Profile {
    pub id: String,
    pub email: String,
    pub name: String,
    pub locale: String,
}

pub async fn update_profile(config: &Config, s: &Staff, name: Option<&str>, locale: Option<&str>) -> Result<Profile, AppError> {
    let updated: Option<Profile> = own(config, s, "auth_update_profile", serde_json::json!({"p_name": name, "p_locale": locale})).await?;
    updated.ok_or(AppError::Unauthorized)
}

/// The signed-in member's own profile (`GET /api/v1/account/me`).
#[derive(Debug, Default, Deserialize, serde::Serialize)]
pub struct Me {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub mfa_enabled: bool,
}

pub async fn me(config: &Config, s: &Staff) -> Result<Me, AppError> {
    let me: Option<Me> = own(config, s, "auth_me", serde_json::json!({})).await?;
    me.ok_or(AppError::Unauthorized)
}

/// The caller's MFA state; `secret` and `pending` are sealed.
#[derive(Debug, Default, Deserialize)]
pub struct MfaState {
    #[serde(default)]
    pub enabled: bool,
    pub secret: Option<String>,
    pub pending: Option<String>,
    #[serde(default)]
    pub email: String,
}

pub async fn mfa_state(config: &Config, s: &Staff) -> Result<MfaState, AppError> {
    let state: Option<MfaState> = own(config, s, "auth_mfa_state", serde_json::json!({})).await?;
    state.ok_or(AppError::Unauthorized)
}

pub async fn mfa_setup(config: &Config, s: &Staff, sealed: &str) -> Result<(), AppError> {
    own(config, s, "auth_mfa_setup", serde_json::json!({"p_secret": sealed})).await
}

pub async fn mfa_enable(config: &Config, s: &Staff, recovery_hashes: &[String], step: i64) -> Result<(), AppError> {
    own(config, s, "auth_mfa_enable", serde_json::json!({"p_recovery_hashes": recovery_hashes, "p_step": step})).await
}

pub async fn mfa_disable(config: &Config, s: &Staff) -> Result<(), AppError> {
    own(config, s, "auth_mfa_disable", serde_json::json!({})).await
}

/// What failed (password or second factor) and what was asked for; never what was typed.
pub async fn reauthentication_failed(config: &Config, s: &Staff, reason: &str, purpose: &str) -> Result<(), AppError> {
    own(config, s, "auth_reauthentication_failed", serde_json::json!({"p_reason": reason, "p_purpose": purpose})).await
}

// ------------------------------------------------------------------ notification choices

/// The caller's own choices on this brand (`staff_notifications`).
#[derive(Debug, Default, serde::Serialize, Deserialize)]
pub struct Notifications {
    pub new_order_email: bool,
}

pub async fn notifications(config: &Config, s: &Staff) -> Result<Notifications, AppError> {
    own(config, s, "account_notifications", serde_json::json!({})).await
}

pub async fn set_notifications(config: &Config, s: &Staff, new_order_email: bool) -> Result<Notifications, AppError> {
    own(config, s, "account_set_notifications", serde_json::json!({"p_new_order_email": new_order_email})).await
}
