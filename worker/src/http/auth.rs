//! `/api/v1/auth/login|refresh|logout` and `/api/v1/account/me` on a brand's host.
//! Tokens travel both as HttpOnly Secure SameSite=Strict cookies (the dashboard) and in
//! the JSON body (API clients, as a Bearer header).

use shoal_domain::access_token::{self, AccessClaims};
use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::rate_limit::client_key;
use shoal_domain::{email_address, password, request_id};
use worker::{Date, Env, Method, Request, Response};

use super::mfa::SecondFactor;
use super::read_json;
use crate::error::{json_response, AppError};
use crate::staff::{self, ACCESS_COOKIE, ACCESS_TTL_SECONDS, REFRESH_COOKIE};
use crate::store::{self, postgrest::now};
use crate::rate_limit;

/// Logins per client IP per minute; failed logins per hour per (email, brand host) and
/// per client IP. The per-email count is kept for every email typed, with or without an
/// account, so its 429 says nothing about existence, and failures on one brand's host
/// never lock anyone out of another brand.
const LOGINS_PER_MINUTE: i64 = 5;
const FAILURES_PER_HOUR: i64 = 100;
const IP_FAILURES_PER_HOUR: i64 = 50;
/// Verified when the email has no account (see `password::DECOY_HASH`).
pub(crate) const DECOY_HASH: &str = password::DECOY_HASH;

pub async fn handle(mut req: Request, env: &Env, config: &Config, brand: &BrandContext, request_id: &str) -> Result<Response, AppError> {
    match (req.method(), req.path().as_str()) {
        (Method::Post, "/api/v1/auth/login") => {
            let ip = rate_limit::client_ip(&req);
            rate_limit::check(env, "login", &ip, LOGINS_PER_MINUTE, 60).await?;
            let ua = req.headers().get("user-agent").ok().flatten().unwrap_or_default();
            let body = read_json(&mut req).await?;
            login(config, brand, &body, &ip, &ua, request_id).await
        }
        (Method::Post, "/api/v1/auth/refresh") => {
            let cookie = staff::cookie(&req, REFRESH_COOKIE);
            let body = read_json(&mut req).await.unwrap_or_default();
            let token = body["refresh_token"].as_str().map(str::to_owned).or(cookie).ok_or(AppError::Unauthorized)?;
            refresh(config, brand, &token).await
        }
        (Method::Post, "/api/v1/auth/logout") => {
            let s = staff::authenticate(&req, config, brand).await?;
            store::auth::logout(config, &s.claims.sid, &s.claims.jti, s.expires_at).await?;
            let mut resp = json_response(&serde_json::json!({"logged_out": true}), 200);
            clear_cookies(&mut resp);
            Ok(resp)
        }
        (Method::Post, "/api/v1/auth/forgot-password") => {
            super::account::send_code(req, env, config, "reset_password", "password_reset", "forgot_password").await
        }
        (Method::Post, "/api/v1/auth/reset-password") => super::account::reset_password(req, env, config).await,
        (Method::Post, "/api/v1/auth/accept-invitation") => {
            let body = read_json(&mut req).await?;
            accept_invitation(config, brand, &body).await
        }
        (Method::Post, "/api/v1/account/password") => {
            let s = staff::authenticate(&req, config, brand).await?;
            let body = read_json(&mut req).await?;
            change_password(env, config, brand, &s, &body).await
        }
        (Method::Post, "/api/v1/account/mfa/setup" | "/api/v1/account/mfa/enable" | "/api/v1/account/mfa/disable") => {
            let s = staff::authenticate(&req, config, brand).await?;
            let body = read_json(&mut req).await.unwrap_or_default();
            super::mfa::handle(env, config, brand, &s, req.path().rsplit('/').next().unwrap_or_default(), &body).await
        }
        (Method::Post | Method::Patch, "/api/v1/account/email" | "/api/v1/account/email/confirm" | "/api/v1/account/profile") => {
            let s = staff::authenticate(&req, config, brand).await?;
            let body = read_json(&mut req).await?;
            match req.path().as_str() {
                "/api/v1/account/email" => super::account::request_email_change(env, config, &brand.id, &s.claims.sub, &body).await,
                "/api/v1/account/email/confirm" => super::account::confirm_email_change(config, &brand.id, &s.claims.sub, &body).await,
                _ => super::account::update_profile(config, &s.claims.sub, &body).await,
            }
        }
        (Method::Get, "/api/v1/account/me") => {
            let s = staff::authenticate(&req, config, brand).await?;
            Ok(json_response(&serde_json::json!({"id": s.claims.sub, "brand_id": s.claims.brand_id, "role": s.role.as_str()}), 200))
        }
        (_, "/api/v1/auth/login" | "/api/v1/auth/refresh" | "/api/v1/auth/logout" | "/api/v1/account/me"
            | "/api/v1/auth/forgot-password" | "/api/v1/auth/reset-password" | "/api/v1/account/password"
            | "/api/v1/auth/accept-invitation") => {
            Err(AppError::MethodNotAllowed)
        }
        _ => Err(AppError::NotFound),
    }
}

/// A new member creates a password; an existing account proves it with its own.
async fn accept_invitation(config: &Config, brand: &BrandContext, body: &serde_json::Value) -> Result<Response, AppError> {
    let token = body["token"].as_str().unwrap_or_default();
    let token_hash = access_token::refresh_hash(token);
    let email = store::auth::invitation_email(config, &brand.id, &token_hash)
        .await?
        .and_then(|e| email_address::normalize(&e))
        .ok_or_else(|| AppError::Refused { status: 404, code: "invitation_not_found".into(), detail: None })?;
    let pass = body["password"].as_str().unwrap_or_default();
    let existing = store::auth::login_context(config, &brand.id, &email, "").await?;
    let new_hash = match existing["password_hash"].as_str() {
        Some(stored) if password::verify(pass, stored) => None,
        Some(_) => return Err(invalid_credentials()),
        None => Some(super::account::strong_hash(pass, &email)?),
    };
    let joined = store::auth::accept_invitation(config, &brand.id, &token_hash, new_hash.as_deref()).await?;
    Ok(json_response(&joined, 200))
}

/// The current password, and the current second factor when MFA is on; the account is
/// told by email.
async fn change_password(env: &Env, config: &Config, brand: &BrandContext, s: &staff::Staff, body: &serde_json::Value) -> Result<Response, AppError> {
    let email = super::mfa::reauthenticate(env, config, &brand.id, &s.claims.sub, body, "password_change").await?;
    let hash = super::account::strong_hash(body["new_password"].as_str().unwrap_or_default(), &email)?;
    store::auth::change_password(config, &s.claims.sub, &s.claims.sid, &hash, &brand.id).await?;
    Ok(json_response(&serde_json::json!({"password_changed": true}), 200))
}

pub(crate) fn invalid_credentials() -> AppError {
    AppError::Refused { status: 401, code: "invalid_credentials".into(), detail: None }
}

async fn login(config: &Config, brand: &BrandContext, body: &serde_json::Value, ip: &str, ua: &str, rid: &str) -> Result<Response, AppError> {
    let typed = body["email"].as_str().map(str::trim).unwrap_or_default();
    let pass = body["password"].as_str().unwrap_or_default();
    if typed.is_empty() || pass.is_empty() {
        return Err(AppError::BadRequest("missing_field", "`email` and `password` are required".into()));
    }
    // what is not an address (e.g. megabytes of text) is refused before it is counted or
    // written to the audit log; its shape says nothing about which accounts exist
    let email = email_address::normalize(typed).ok_or_else(|| super::account::invalid_email("email"))?;
    // failures are counted per client: an IPv6 client per /64 (it may use any address of it)
    let client = client_key(ip);
    let ctx = store::auth::login_context(config, &brand.id, &email, &client).await?;
    if ctx["recent_failures"].as_i64().unwrap_or(0) >= FAILURES_PER_HOUR || ctx["ip_failures"].as_i64().unwrap_or(0) >= IP_FAILURES_PER_HOUR {
        return Err(AppError::RateLimited(3600));
    }
    let started = Date::now().as_millis();
    let matches = password::verify(pass, ctx["password_hash"].as_str().unwrap_or(DECOY_HASH));
    let hash_ms = Date::now().as_millis().saturating_sub(started);
    let account = ctx["account_id"].as_str().unwrap_or_default();
    let member = ctx["status"].as_str() == Some("active") && ctx["role"].is_string();
    let verified = ctx["email_verified"].as_bool() == Some(true);
    if matches && member && !verified {
        // the owner of the address may be the one signing in: a fresh verification code
        // goes to it; the answer stays the same as for a wrong password
        super::account::send_verification(config, &email).await?;
    }
    // second factor, only asked once the password is right
    let second = if matches && member && verified && ctx["mfa_enabled"].as_bool() == Some(true) {
        Some(super::mfa::second_factor(config, account, body, None).await?)
    } else {
        None
    };
    if second == Some(SecondFactor::Missing) {
        return Err(AppError::Refused { status: 401, code: "mfa_required".into(), detail: Some("send `otp` or `recovery_code`".into()) });
    }
    let ok = matches && member && verified && second != Some(SecondFactor::Wrong);
    let refresh = access_token::refresh_token(crate::random::bytes()?);
    let record = store::auth::LoginRecord {
        account_id: ctx["account_id"].as_str(),
        email: &email,
        ok,
        refresh_hash: &access_token::refresh_hash(&refresh),
        ip,
        client: &client,
        user_agent: ua,
        request_id: rid,
    };
    let session = store::auth::login_finish(config, &brand.id, record).await?;
    worker::console_log!("{}", serde_json::json!({"level": "info", "event": "login", "ok": ok, "argon2_ms": hash_ms, "request_id": rid}));
    if !ok {
        return Err(invalid_credentials());
    }
    let role = ctx["role"].as_str().unwrap_or_default();
    issue(config, brand, account, role, session["session_id"].as_str().unwrap_or_default(), &refresh, 200)
}

/// The brand of the host is checked by the database before the token is spent.
async fn refresh(config: &Config, brand: &BrandContext, token: &str) -> Result<Response, AppError> {
    let next = access_token::refresh_token(crate::random::bytes()?);
    let r = store::auth::refresh(config, &access_token::refresh_hash(token), &access_token::refresh_hash(&next), &brand.id).await?;
    match r["outcome"].as_str() {
        Some("rotated") if r["brand_id"].as_str() == Some(brand.id.as_str()) => issue(
            config,
            brand,
            r["account_id"].as_str().unwrap_or_default(),
            r["role"].as_str().unwrap_or_default(),
            r["session_id"].as_str().unwrap_or_default(),
            &next,
            200,
        ),
        Some("reused") => Err(AppError::Refused { status: 401, code: "refresh_token_reused".into(), detail: None }),
        _ => Err(AppError::Refused { status: 401, code: "invalid_refresh_token".into(), detail: None }),
    }
}

fn issue(config: &Config, brand: &BrandContext, account: &str, role: &str, session: &str, refresh: &str, status: u16) -> Result<Response, AppError> {
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
                            "refresh_token": refresh, "account": {"id": account, "role": role}}),
        status,
    );
    let headers = resp.headers_mut();
    let _ = headers.set("cache-control", "no-store");
    let _ = headers.append(
        "set-cookie",
        &format!("{ACCESS_COOKIE}={access}; Path=/; Max-Age={ACCESS_TTL_SECONDS}; HttpOnly; Secure; SameSite=Strict"),
    );
    let _ = headers.append(
        "set-cookie",
        &format!("{REFRESH_COOKIE}={refresh}; Path=/api/v1/auth; Max-Age={}; HttpOnly; Secure; SameSite=Strict", config.session_idle_days * 86400),
    );
    Ok(resp)
}

fn clear_cookies(resp: &mut Response) {
    let headers = resp.headers_mut();
    let _ = headers.append("set-cookie", &format!("{ACCESS_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict"));
    let _ = headers.append("set-cookie", &format!("{REFRESH_COOKIE}=; Path=/api/v1/auth; Max-Age=0; HttpOnly; Secure; SameSite=Strict"));
}
