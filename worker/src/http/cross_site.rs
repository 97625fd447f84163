//! Cross-site writes and CORS, applied by the pipeline (rules in `shoal_domain::cross_site`).
//! State-changing requests of browser-facing routes must come from the request's own
//! origin or from an origin the brand allow-listed for a headless storefront; CORS answers
//! (`/api/v1/store/*` only) name exactly that origin, never `*`.

use shoal_domain::brand::BrandContext;
use shoal_domain::config::{Config, Environment};
use shoal_domain::cross_site;
use worker::{Method, Request, Response};

use crate::error::AppError;

const PREFLIGHT_MAX_AGE: &str = "600";

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).ok().flatten()
}

fn allow_http(config: &Config) -> bool {
    config.environment == Environment::Development
}

/// The brand's headless-storefront origins (`theme.cors_origins`).
pub fn allowed_origins(config: &Config, brand: Option<&BrandContext>) -> Vec<String> {
    brand.map(|b| cross_site::allowed_origins(&b.theme, allow_http(config))).unwrap_or_default()
}

pub fn changes_state(method: &Method) -> bool {
    matches!(method, Method::Post | Method::Put | Method::Patch | Method::Delete)
}

fn refused() -> AppError {
    AppError::Refused { status: 403, code: "cross_origin_refused".into(), detail: None }
}

/// 403 `cross_origin_refused` for a write from another site; reads always pass.
pub fn check_write(req: &Request, config: &Config, host: &str, allowed: &[String]) -> Result<(), AppError> {
    if !changes_state(&req.method()) {
        return Ok(());
    }
    let origin = header(req, "origin");
    let site = header(req, "sec-fetch-site");
    cross_site::check_write(host, origin.as_deref(), site.as_deref(), allowed, allow_http(config)).map_err(|_| refused())
}

/// The allow-listed origin of this request, if it has one.
pub fn granted_origin(req: &Request, allowed: &[String]) -> Option<String> {
    header(req, "origin").filter(|o| cross_site::is_allowed(o, allowed)).and_then(|o| cross_site::normalize_origin(&o))
}

/// `OPTIONS` on `/api/v1/store/*`: 204 with the CORS grant for an allow-listed origin, 403
/// for any other.
pub fn preflight(req: &Request, allowed: &[String]) -> Result<Response, AppError> {
    let origin = granted_origin(req, allowed).ok_or_else(refused)?;
    let mut resp = Response::empty()?.with_status(204);
    let h = resp.headers_mut();
    let _ = h.set("access-control-allow-origin", &origin);
    let _ = h.set("access-control-allow-credentials", "true");
    let _ = h.set("access-control-allow-methods", "GET, POST, PUT, DELETE");
    let _ = h.set("access-control-allow-headers", "content-type");
    let _ = h.set("access-control-max-age", PREFLIGHT_MAX_AGE);
    let _ = h.set("vary", "Origin");
    Ok(resp)
}

/// CORS headers on a `/api/v1/store/*` answer: the grant for an allow-listed origin, and
/// `Vary: Origin` always (the answer differs by origin, so caches must key on it).
pub fn add_cors(resp: &mut Response, granted: Option<&str>) {
    let h = resp.headers_mut();
    if !h.get("vary").ok().flatten().is_some_and(|v| v.to_ascii_lowercase().contains("origin")) {
        let _ = h.append("vary", "Origin");
    }
    if let Some(origin) = granted {
        let _ = h.set("access-control-allow-origin", origin);
        let _ = h.set("access-control-allow-credentials", "true");
    }
}
