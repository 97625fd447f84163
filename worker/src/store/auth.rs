//! Accounts and sessions: one database function per step, service role only.

use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;

use super::postgrest::rpc;
use crate::error::AppError;

async fn call(config: &Config, function: &str, args: serde_json::Value) -> Result<serde_json::Value, AppError> {
    rpc(config, DbClaims::service(), function, args).await
}

/// The account behind `email` for this brand (fields null when there is none) and the
/// failure counts of the email on this brand's host and of the client IP (`ip` "" = none).
pub async fn login_context(config: &Config, brand_id: &str, email: &str, ip: &str) -> Result<serde_json::Value, AppError> {
    let ip = (!ip.is_empty()).then_some(ip);
    call(config, "auth_login_context", serde_json::json!({"p_brand_id": brand_id, "p_email": email, "p_ip": ip})).await
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

pub async fn login_finish(config: &Config, brand_id: &str, r: LoginRecord<'_>) -> Result<serde_json::Value, AppError> {
    call(
        config,
        "auth_login_finish",
        serde_json::json!({"p_brand_id": brand_id, "p_account_id": r.account_id, "p_email": r.email, "p_ok": r.ok,
            "p_refresh_hash": r.refresh_hash, "p_idle_days": config.session_idle_days,
            "p_absolute_days": config.session_absolute_days, "p_ip": r.ip, "p_client_key": r.client, "p_user_agent": r.user_agent,
            "p_request_id": r.request_id}),
    )
    .await
}

/// The live session's role and MFA state, or null when the session is over.
pub async fn session(config: &Config, session_id: &str, jti: &str, brand_id: &str) -> Result<serde_json::Value, AppError> {
    call(config, "auth_session", serde_json::json!({"p_session_id": session_id, "p_jti": jti, "p_brand_id": brand_id})).await
}

pub async fn mfa(config: &Config, function: &str, args: serde_json::Value) -> Result<serde_json::Value, AppError> {
    call(config, function, args).await
}

pub async fn refresh(config: &Config, old_hash: &str, new_hash: &str, brand_id: &str) -> Result<serde_json::Value, AppError> {
    call(
        config,
        "auth_refresh",
        serde_json::json!({"p_refresh_hash": old_hash, "p_new_refresh_hash": new_hash,
                           "p_idle_days": config.session_idle_days, "p_brand_id": brand_id}),
    )
    .await
}

pub async fn logout(config: &Config, session_id: &str, jti: &str, expires_at: i64) -> Result<(), AppError> {
    let at = shoal_domain::time::rfc3339(expires_at);
    call(config, "auth_logout", serde_json::json!({"p_session_id": session_id, "p_jti": jti, "p_expires_at": at})).await.map(|_| ())
}

pub async fn signup(config: &Config, args: serde_json::Value) -> Result<serde_json::Value, AppError> {
    call(config, "auth_signup", args).await
}

pub async fn issue_code(config: &Config, email: &str, purpose: &str, code: &str, code_hash: &str, template: &str) -> Result<(), AppError> {
    call(
        config,
        "auth_issue_code",
        serde_json::json!({"p_email": email, "p_purpose": purpose, "p_code": code, "p_code_hash": code_hash, "p_template": template}),
    )
    .await
    .map(|_| ())
}

pub async fn consume_code(config: &Config, email: &str, purpose: &str, code_hash: &str, new_hash: Option<&str>) -> Result<String, AppError> {
    let v = call(
        config,
        "auth_consume_code",
        serde_json::json!({"p_email": email, "p_purpose": purpose, "p_code_hash": code_hash, "p_new_password_hash": new_hash}),
    )
    .await?;
    Ok(v["outcome"].as_str().unwrap_or("invalid").to_owned())
}

/// The account's stored hash and email.
pub async fn password_hash(config: &Config, account_id: &str) -> Result<serde_json::Value, AppError> {
    call(config, "auth_password_hash", serde_json::json!({"p_account_id": account_id})).await
}

pub async fn change_password(config: &Config, account_id: &str, session_id: &str, new_hash: &str, brand_id: &str) -> Result<(), AppError> {
    call(
        config,
        "auth_change_password",
        serde_json::json!({"p_account_id": account_id, "p_session_id": session_id, "p_new_password_hash": new_hash, "p_brand_id": brand_id}),
    )
    .await
    .map(|_| ())
}

pub async fn invitation_email(config: &Config, brand_id: &str, token_hash: &str) -> Result<Option<String>, AppError> {
    let v = call(config, "auth_invitation_email", serde_json::json!({"p_brand_id": brand_id, "p_token_hash": token_hash})).await?;
    Ok(v.as_str().map(str::to_owned))
}

pub async fn accept_invitation(config: &Config, brand_id: &str, token_hash: &str, password_hash: Option<&str>) -> Result<serde_json::Value, AppError> {
    call(
        config,
        "auth_accept_invitation",
        serde_json::json!({"p_brand_id": brand_id, "p_token_hash": token_hash, "p_password_hash": password_hash}),
    )
    .await
}

pub async fn request_email_change(config: &Config, account: &str, new_email: &str, code: &str, code_hash: &str, brand_id: &str) -> Result<(), AppError> {
    call(
        config,
        "auth_request_email_change",
        serde_json::json!({"p_account_id": account, "p_new_email": new_email, "p_code": code, "p_code_hash": code_hash, "p_brand_id": brand_id}),
    )
    .await
    .map(|_| ())
}

pub async fn confirm_email_change(config: &Config, account: &str, code_hash: &str, brand_id: &str) -> Result<serde_json::Value, AppError> {
    call(config, "auth_confirm_email_change", serde_json::json!({"p_account_id": account, "p_code_hash": code_hash, "p_brand_id": brand_id})).await
}

pub async fn update_profile(config: &Config, account: &str, name: Option<&str>, locale: Option<&str>) -> Result<serde_json::Value, AppError> {
    call(config, "auth_update_profile", serde_json::json!({"p_account_id": account, "p_name": name, "p_locale": locale})).await
}
