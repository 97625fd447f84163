//! The dashboard's CSRF token: a cookie-authenticated caller (the browser) must send
//! `x-csrf-token` with every state-changing request. The token is the login's session
//! family id signed with the project secret for this brand (`Purpose::Csrf`, scope
//! `dashboard:{brand}`: a storefront form token never passes): stable across refresh
//! rotations, so every tab of one login holds the same one; a new login, another brand or
//! another browser's session has another. Another site can send the cookies but cannot read
//! the token (it is handed out only in JSON answers, which CORS keeps to the brand's origin).
//! Bearer callers send no cookie of theirs to forge with, so they are not asked.

use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::keys::Purpose;
use shoal_domain::signed_id;
use worker::{Method, Request};

use crate::error::AppError;

pub const HEADER: &str = "x-csrf-token";

fn scope(brand: &BrandContext) -> String {
    format!("dashboard:{}", brand.id)
}

/// The token of a session family, as the login, refresh and `me` answers carry it.
pub fn token(config: &Config, brand: &BrandContext, family_id: &str) -> String {
    signed_id::sign(&config.keys.signing(Purpose::Csrf), &scope(brand), family_id)
}

pub fn refused() -> AppError {
    AppError::Refused { status: 403, code: "csrf_token_invalid".into(), detail: None }
}

/// Whether this request changes state: anything but GET, HEAD and OPTIONS.
pub fn state_changing(req: &Request) -> bool {
    !matches!(req.method(), Method::Get | Method::Head | Method::Options)
}

/// The session family the request's `x-csrf-token` names, when its signature holds (under
/// the current or the previous secret); else 403 `csrf_token_invalid`.
pub fn family_of(req: &Request, config: &Config, brand: &BrandContext) -> Result<String, AppError> {
    let sent = req.headers().get(HEADER).ok().flatten().ok_or_else(refused)?;
    config.keys.verify(Purpose::Csrf, |key| signed_id::verify(key, &scope(brand), sent.trim()).map(str::to_owned)).ok_or_else(refused)
}
