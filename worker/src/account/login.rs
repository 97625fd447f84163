//! Signing in and out on a brand's host: login, refresh, logout, accepting an invitation.
//! Tokens travel both as HttpOnly Secure SameSite=Strict cookies (the dashboard) and in
//! the JSON body (API clients, as a Bearer header). Login, refresh and invitations run
//! before anyone is signed in (service_role); logout is the signed-in account's own call.

use shoal_domain::access_token::{self, AccessClaims};
use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::rate_limit::client_key;
use shoal_domain::{email_address, password, request_id};
use worker::{Date, Response};

use super::body::{self, InvitationBody, LoginBody};
use super::caller::{Staff, ACCESS_COOKIE, ACCESS_TTL_SECONDS, REFRESH_COOKIE};
use super::mfa::{self, SecondFactor};
use super::store;
use crate::clock::now;
use crate::error::{json_response, AppError};

/// Logins per client IP per minute; failed logins per hour per (email, brand host) and
/// per client IP. The per-email count is kept for every email typed, with or without an
/// account, so its 429 says nothing about existence, and failures on one brand's host
/// never lock anyone out of another brand.
pub(super) const LOGINS_PER_MINUTE: i64 = 5;
const FAILURES_PER_HOUR: i64 = 100;
const IP_FAILURES_PER_HOUR: i64 = 50;
/// Verified when the email has no account (see `password::DECOY_HASH`).
pub(crate) const DECOY_HASH: &str = password::DECOY_HASH;

pub(crate) fn invalid_credentials() -> AppError {
    AppError::Refused { status: 401, code: "invalid_credentials".into(), detail: None }
}

pub struct Client<'a> {
    pub ip: &'a str,
    pub user_agent: &'a str,
    pub request_id: &'a str,
}

pub async fn login(config: &Config, brand: &BrandContext, b: &LoginBody, client: Client<'_>) -> Result<Response, AppError> {
    let typed = b.email.as_deref().map(str::trim).unwrap_or_default();
    let pass = b.password.as_deref().unwrap_or_default();
    if typed.is_empty() || pass.is_empty() {
        return Err(AppError::BadRequest("missing_field", "`email` and `password` are required".into()));
    }
    // what is not an address (e.g. megabytes of text) is refused before it is counted or
    // written to the audit log; its shape says nothing about which accounts exist
    let email = email_address::normalize(typed).ok_or_else(|| body::invalid_email("email"))?;
    // failures are counted per client: an IPv6 client per /64 (it may use any address of it)
    let counted_as = client_key(client.ip);
    let ctx = store::login_context(config, &brand.id, &email, &counted_as).await?;
    if ctx.recent_failures >= FAILURES_PER_HOUR || ctx.ip_failures >= IP_FAILURES_PER_HOUR {
        return Err(AppError::RateLimited(3600));
    }
    let started = Date::now().as_millis();
    let matches = password::verify(pass, ctx.password_hash.as_deref().unwrap_or(DECOY_HASH));
    let hash_ms = Date::now().as_millis().saturating_sub(started);
    let account = ctx.account_id.as_deref().unwrap_or_default();
    let member = ctx.status.as_deref() == Some("active") && ctx.role.is_some();
    let verified = ctx.email_verified;
    if matches && member && !verified {
        // the owner of the address may be the one signing in: a fresh verification code
        // goes to it; the answer stays the same as for a wrong password
        super::signup::send_verification(config, &email).await?;
    }
    // second factor, only asked once the password is right
    let second = if matches && member && verified && ctx.mfa_enabled {
        Some(mfa::second_factor(config, account, &b.factor, mfa::Secret::AtLogin).await?)
    } else {
        None
    };
    if second == Some(SecondFactor::Missing) {
        return Err(AppError::Refused { status: 401, code: "mfa_required".into(), detail: Some("send `otp` or `recovery_code`".into()) });
    }
    let ok = matches && member && verified && second != Some(SecondFactor::Wrong);
    let refresh = access_token::refresh_token(crate::random::bytes()?);
    let record = store::LoginRecord {
        account_id: ctx.account_id.as_deref(),
        email: &email,
        ok,
        refresh_hash: &access_token::refresh_hash(&refresh),
        ip: client.ip,
        client: &counted_as,
        user_agent: client.user_agent,
        request_id: client.request_id,
    };
    let session = store::login_finish(config, &brand.id, record).await?;
    worker::console_log!(
        "{}",
        serde_json::json!({"level": "info", "event": "login", "ok": ok, "argon2_ms": hash_ms, "request_id": client.request_id})
    );
    let Some(session) = session.filter(|_| ok) else { return Err(invalid_credentials()) };
    let role = ctx.role.as_deref().unwrap_or_default();
    issue(config, brand, account, role, &session.session_id, &session.family_id, &refresh)
}

/// The brand of the host is checked by the database before the token is spent; so is the
/// session family a cookie caller's CSRF token names (`family`).
pub async fn refresh(config: &Config, brand: &BrandContext, token: &str, family: Option<&str>) -> Result<Response, AppError> {
    let next = access_token::refresh_token(crate::random::bytes()?);
    let r = store::refresh(config, &access_token::refresh_hash(token), &access_token::refresh_hash(&next), &brand.id, family).await?;
    match r.outcome.as_str() {
        "rotated" if r.brand_id.as_deref() == Some(brand.id.as_str()) => issue(
            config,
            brand,
            r.account_id.as_deref().unwrap_or_default(),
            r.role.as_deref().unwrap_or_default(),
            r.session_id.as_deref().unwrap_or_default(),
            r.family_id.as_deref().unwrap_or_default(),
            &next,
        ),
        "csrf" => Err(super::csrf::refused()),
        "reused" => Err(AppError::Refused { status: 401, code: "refresh_token_reused".into(), detail: None }),
        _ => Err(AppError::Refused { status: 401, code: "invalid_refresh_token".into(), detail: None }),
    }
}

/// Ends the session family of the caller's token, as the caller.
pub async fn logout(config: &Config, s: &Staff) -> Result<Response, AppError> {
    store::logout(config, s).await?;
    let mut resp = json_response(&serde_json::json!({"logged_out": true}), 200);
    clear_cookies(&mut resp);
    Ok(resp)
}

/// A new member creates a password; an existing account proves it with its own.
pub async fn accept_invitation(config: &Config, brand: &BrandContext, b: &InvitationBody) -> Result<Response, AppError> {
    let token_hash = access_token::refresh_hash(b.token.as_deref().unwrap_or_default());
    let email = store::invitation_email(config, &brand.id, &token_hash)
        .await?
        .and_then(|e| email_address::normalize(&e))
        .ok_or_else(|| AppError::Refused { status: 404, code: "invitation_not_found".into(), detail: None })?;
    let pass = b.password.as_deref().unwrap_or_default();
    let existing = store::login_context(config, &brand.id, &email, "").await?;
    let new_hash = match existing.password_hash.as_deref() {
        Some(stored) if password::verify(pass, stored) => None,
        Some(_) => return Err(invalid_credentials()),
        None => Some(super::signup::strong_hash(pass, &email)?),
    };
    let joined = store::accept_invitation(config, &brand.id, &token_hash, new_hash.as_deref()).await?;
    Ok(json_response(&serde_json::json!(joined), 200))
}

fn issue(
    config: &Config,
    brand: &BrandContext,
    account: &str,
    role: &str,
    session: &str,
    family: &str,
    refresh: &str,
) -> Result<Response, AppError> {
    let claims = AccessClaims {
        sub: account.to_owned(),
        brand_id: brand.id.clone(),
        app_role: role.to_owned(),
        jti: request_id::from_random(crate::random::bytes()?),
        sid: session.to_owned(),
    };
    let access = access_token::mint(&config.keys.signing(shoal_domain::keys::Purpose::AccessToken), claims, now(), ACCESS_TTL_SECONDS)
        .ok_or_else(|| AppError::Internal("cannot mint access token".into()))?;
    let mut resp = json_response(
        &serde_json::json!({"access_token": access, "token_type": "Bearer", "expires_in": ACCESS_TTL_SECONDS,
                            "refresh_token": refresh, "account": {"id": account, "role": role},
                            "csrf_token": super::csrf::token(config, brand, family)}),
        200,
    );
    let headers = resp.headers_mut();
    let _ = headers.set("cache-control", "no-store");
    let _ = headers.append(
        "set-cookie",
        &format!("{ACCESS_COOKIE}={access}; Path=/; Max-Age={ACCESS_TTL_SECONDS}; HttpOnly; Secure; SameSite=Strict"),
    );
    let _ = headers.append(
        "set-cookie",
        &format!(
            "{REFRESH_COOKIE}={refresh}; Path=/api/v1/auth; Max-Age={}; HttpOnly; Secure; SameSite=Strict",
            config.session_idle_days * 86400
        ),
    );
    Ok(resp)
}

fn clear_cookies(resp: &mut Response) {
    let headers = resp.headers_mut();
    let _ = headers.append("set-cookie", &format!("{ACCESS_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict"));
    let _ = headers.append("set-cookie", &format!("{REFRESH_COOKIE}=; Path=/api/v1/auth; Max-Age=0; HttpOnly; Secure; SameSite=Strict"));
}
