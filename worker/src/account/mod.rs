//! Staff accounts: sign-up, codes and login before anyone is signed in (service_role), and
//! a signed-in staff member's calls on their own account (password, email, profile,
//! logout, MFA), which reach the database as that member (`DbClaims::staff`) so RLS keeps
//! them to their own row and sessions.
//!
//! Routes on a brand's host: `/api/v1/auth/login|refresh|logout|forgot-password|
//! reset-password|accept-invitation`, `/api/v1/account/me|password|email|email/confirm|
//! profile|mfa/*`. Sign-up and verification (platform host) are routed from http/mod.rs.

mod body;
pub mod csrf;
mod login;
mod me;
mod mfa;
mod profile;
pub mod signup;
mod store;

use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use worker::{Env, Method, Request, Response};

mod caller;
pub use body::invalid_email;
pub use caller::{authenticate, require, require_mfa_if_demanded, Caller, Staff};
pub use store::session;

use crate::body::read_json;
use crate::error::{json_response, AppError};
use crate::rate_limit;

pub async fn handle(mut req: Request, env: &Env, config: &Config, brand: &BrandContext, request_id: &str) -> Result<Response, AppError> {
    // HEAD is answered as GET wherever GET is (the route table allows it)
    let method = if req.method() == Method::Head { Method::Get } else { req.method() };
    match (method, req.path().as_str()) {
        (Method::Post, "/api/v1/auth/login") => {
            let ip = rate_limit::client_ip(&req);
            rate_limit::check(env, "login", &ip, login::LOGINS_PER_MINUTE, 60).await?;
            let ua = req.headers().get("user-agent").ok().flatten().unwrap_or_default();
            let b = body::parse(read_json(&mut req).await?)?;
            login::login(config, brand, &b, login::Client { ip: &ip, user_agent: &ua, request_id }).await
        }
        (Method::Post, "/api/v1/auth/refresh") => {
            let cookie = caller::cookie(&req, caller::REFRESH_COOKIE);
            // the cookie alone will do (the dashboard sends no body), with its CSRF token
            let b: body::RefreshBody = match read_json(&mut req).await {
                Ok(v) => body::parse(v)?,
                Err(_) => body::RefreshBody::default(),
            };
            let (token, family) = match (b.refresh_token, cookie) {
                (Some(token), _) => (token, None),
                (None, Some(token)) => (token, Some(csrf::family_of(&req, config, brand)?)),
                (None, None) => return Err(AppError::Unauthorized),
            };
            login::refresh(config, brand, &token, family.as_deref()).await
        }
        (Method::Post, "/api/v1/auth/logout") => {
            let s = caller::authenticate(&req, config, brand).await?;
            login::logout(config, &s).await
        }
        (Method::Post, "/api/v1/auth/forgot-password") => {
            signup::send_code(req, env, config, "reset_password", "password_reset", "forgot_password").await
        }
        (Method::Post, "/api/v1/auth/reset-password") => signup::reset_password(req, env, config).await,
        (Method::Post, "/api/v1/auth/accept-invitation") => {
            let b = body::parse(read_json(&mut req).await?)?;
            login::accept_invitation(config, brand, &b).await
        }
        (Method::Post, "/api/v1/account/password") => {
            let s = caller::authenticate(&req, config, brand).await?;
            let b = body::parse(read_json(&mut req).await?)?;
            profile::change_password(env, config, &s, &b).await
        }
        (Method::Post, "/api/v1/account/mfa/setup" | "/api/v1/account/mfa/enable" | "/api/v1/account/mfa/disable") => {
            let s = caller::authenticate(&req, config, brand).await?;
            let b = match read_json(&mut req).await {
                Ok(v) => body::parse(v)?,
                Err(_) => body::MfaBody::default(),
            };
            mfa::handle(env, config, brand, &s, req.path().rsplit('/').next().unwrap_or_default(), &b).await
        }
        (Method::Post, "/api/v1/account/email" | "/api/v1/account/email/confirm") | (Method::Patch, "/api/v1/account/profile") => {
            let s = caller::authenticate(&req, config, brand).await?;
            let value = read_json(&mut req).await?;
            match req.path().as_str() {
                "/api/v1/account/email" => profile::request_email_change(env, config, &s, &body::parse(value)?).await,
                "/api/v1/account/email/confirm" => profile::confirm_email_change(config, &s, &body::parse(value)?).await,
                _ => profile::update_profile(config, &s, &body::parse(value)?).await,
            }
        }
        (Method::Get, "/api/v1/account/me") => {
            let s = caller::authenticate(&req, config, brand).await?;
            me::get(config, brand, &s).await
        }
        // each staff member's own choice of an email per new (paid) order on this brand
        (Method::Patch, "/api/v1/account/notifications") => {
            let s = caller::authenticate(&req, config, brand).await?;
            let b: body::NotificationsBody = crate::body::parse_body(read_json(&mut req).await?)?;
            Ok(json_response(&store::set_notifications(config, &s, b.new_order_email).await?, 200))
        }
        // the route table (`shoal_domain::api_routes`) let it through: a handler is missing
        _ => Err(AppError::RouteNotHandled(format!("no handler for {} {}", req.method(), req.path()))),
    }
}

/// Accepts an invitation from the invitation page's form (`link_pages`), as the
/// `accept-invitation` API does for a JSON body.
pub async fn accept_invitation(config: &Config, brand: &BrandContext, token: &str, password: &str) -> Result<(), AppError> {
    let b = body::InvitationBody { token: Some(token.to_owned()), password: Some(password.to_owned()) };
    login::accept_invitation(config, brand, &b).await.map(|_| ())
}
