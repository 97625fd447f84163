//! Who is calling the admin and account APIs: a signed-in staff member, whose session, token id and
//! membership are re-checked in the database on every request, so logout, disabling and
//! role changes apply at once. Only Shoal's own access tokens (Bearer or cookie) are
//! accepted: a database token, even `service_role` signed with the JWT secret (Supabase's
//! long-lived service key), is no staff identity and gets 401.

use shoal_domain::access_token::{self, AccessClaims};
use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::permissions::{allows, Action, Role};
use worker::Request;

use crate::clock::now;
use crate::error::AppError;

pub const ACCESS_TTL_SECONDS: i64 = 15 * 60;
pub const ACCESS_COOKIE: &str = "shoal_access";
pub const REFRESH_COOKIE: &str = "shoal_refresh";

pub struct Staff {
    pub claims: AccessClaims,
    pub role: Role,
    pub expires_at: i64,
    pub mfa_enabled: bool,
    /// The brand requires MFA of its admins.
    pub mfa_required: bool,
    /// The login's session family (what the dashboard's CSRF token is bound to).
    pub family_id: String,
}

/// The caller of an admin route is always a staff member (the service role was dropped).
pub type Caller = Staff;

impl Staff {
    /// The account id the audit log names.
    pub fn actor(&self) -> String {
        self.claims.sub.clone()
    }
}

pub fn cookie(req: &Request, name: &str) -> Option<String> {
    let cookies = req.headers().get("cookie").ok().flatten()?;
    cookies.split(';').filter_map(|c| c.trim().split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| v.to_owned())
}

fn bearer(req: &Request) -> Option<String> {
    let header = req.headers().get("authorization").ok().flatten()?;
    header.strip_prefix("Bearer ").map(|t| t.trim().to_owned())
}

/// The caller of this request, checked against the brand of the host. A caller signed in
/// by cookie (the dashboard) must also send the CSRF token of its session with anything
/// that changes state (`csrf`); a Bearer caller is not asked.
pub async fn authenticate(req: &Request, config: &Config, brand: &BrandContext) -> Result<Caller, AppError> {
    let by_cookie = bearer(req).is_none();
    let token = bearer(req).or_else(|| cookie(req, ACCESS_COOKIE)).ok_or(AppError::Unauthorized)?;
    // any accepted Shoal key: a token signed before a rotation holds until it expires
    let at = now();
    let (claims, expires_at) = config
        .keys
        .verify(shoal_domain::keys::Purpose::AccessToken, |key| access_token::verify(key, &token, at))
        .ok_or(AppError::Unauthorized)?;
    if claims.brand_id != brand.id {
        // a token of another brand never works here, whatever it claims
        return Err(AppError::Unauthorized);
    }
    let session = super::session(config, &claims.sid, &claims.jti, &brand.id).await?.ok_or(AppError::Unauthorized)?;
    let role = session.role.as_deref().and_then(Role::parse).ok_or(AppError::Unauthorized)?;
    let family_id = session.family_id.unwrap_or_default();
    if by_cookie && super::csrf::state_changing(req) && (family_id.is_empty() || super::csrf::family_of(req, config, brand)? != family_id) {
        return Err(super::csrf::refused());
    }
    Ok(Staff { claims, role, expires_at, mfa_enabled: session.mfa_enabled, mfa_required: session.mfa_required, family_id })
}

/// A brand that requires MFA of its admins lets an admin without it do nothing but set
/// it up (the account endpoints stay open). Platform super admins acting on the brand are
/// admins there too: the requirement holds for them as well.
pub fn require_mfa_if_demanded(caller: &Caller) -> Result<(), AppError> {
    if matches!(caller.role, Role::BrandAdmin | Role::SuperAdmin) && caller.mfa_required && !caller.mfa_enabled {
        return Err(AppError::Refused { status: 403, code: "mfa_enrollment_required".into(), detail: None });
    }
    Ok(())
}

/// Refuses with 403 unless the caller may do `action`.
pub fn require(caller: &Caller, action: Action) -> Result<(), AppError> {
    if allows(caller.role, action) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}
