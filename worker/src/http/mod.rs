//! The HTTP layer: request id, routing, the brand middleware, one log line per request,
//! and the single place where an `AppError` becomes a response.

mod admin;
mod brand;
mod cross_site;
mod dashboard;
mod health;
mod landing;
mod openapi;
mod security_headers;
mod unavailable;

use shoal_domain::api_routes::{self, HostKind, Lookup};
use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::host::normalize_host;
use shoal_domain::rate_limit::{api_budget, ApiBudget, Site};
use shoal_domain::request_id;
use worker::{Context, Date, Env, Method, Request, Response};

use crate::account::signup;
use crate::config;
use crate::error::AppError;
use crate::shop;

use crate::body::{read_body, read_bytes};
use crate::request::{origin, query_param};

/// Cart reads per client per minute (each one reads the database; catalog reads are
/// limited where they miss the cache, in `catalog`).
const CART_READS_PER_MINUTE: i64 = 600;
/// Order-status lookups (number + email) per client per minute: a shopper checks a few
/// orders; more would be guessing emails.
const ORDER_LOOKUPS_PER_MINUTE: i64 = 20;

/// What the access log records besides method, path and status.
#[derive(Default)]
struct RequestLog {
    request_id: String,
    brand_id: Option<String>,
    /// A `/api/v1/store/*` request: its answer, error or not, carries the CORS headers.
    store_api: bool,
    /// The allow-listed origin it came from, if any.
    cors_origin: Option<String>,
}

pub async fn serve(req: Request, env: Env, ctx: Context) -> Response {
    let started = Date::now().as_millis();
    let request_id = request_id_of(&req);
    let method = req.method().to_string();
    let path = req.path();
    let mut log = RequestLog { request_id: request_id.clone(), ..Default::default() };
    let mut resp = match route(req, &env, &ctx, &mut log).await {
        Ok(resp) => resp,
        Err(err) => {
            if let Some(detail) = err.detail() {
                worker::console_error!(
                    "{}",
                    serde_json::json!({"level": "error", "request_id": request_id, "code": err.code(), "detail": detail})
                );
            }
            err.into_response()
        }
    };
    let _ = resp.headers_mut().set("x-request-id", &request_id);
    if log.store_api {
        cross_site::add_cors(&mut resp, log.cors_origin.as_deref());
    }
    let loaded = config::load(&env);
    if let Ok(config) = &loaded {
        // mail this request queued goes out now, not at the next cron run
        crate::email::deliver_queued_soon(&ctx, config.clone());
    }
    let production = loaded.map(|c| c.environment == shoal_domain::config::Environment::Production).unwrap_or(true);
    security_headers::apply(&mut resp, production);
    worker::console_log!(
        "{}",
        serde_json::json!({
            "level": "info", "request_id": request_id, "brand_id": log.brand_id,
            "method": method, "path": path, "status": resp.status_code(),
            "duration_ms": Date::now().as_millis().saturating_sub(started),
        })
    );
    resp
}

async fn route(req: Request, env: &Env, ctx: &Context, log: &mut RequestLog) -> Result<Response, AppError> {
    let config = config::load(env).map_err(|_| AppError::Config)?;
    let path = req.path();
    // writes and staff reads carry the request's identity down to the audit log
    let audited = req.method() != Method::Get || path.starts_with("/api/v1/admin/") || path.starts_with("/api/v1/account/");
    let config = if audited {
        let meta = shoal_domain::config::RequestMeta {
            id: log.request_id.clone(),
            ip: crate::rate_limit::client_ip(&req),
            user_agent: req.headers().get("user-agent").ok().flatten().unwrap_or_default(),
        };
        std::rc::Rc::new(Config { request: Some(meta), ..(*config).clone() })
    } else {
        config
    };
    if !api_routes::governs(&path) && unnamed_method(&req) {
        // workers-rs reads a method it has no name for (QUERY, PROPFIND…) as GET; nothing
        // here answers one (API paths get the route table's 405 with `Allow` below)
        return Err(AppError::MethodNotAllowed);
    }
    if path == "/healthz" {
        return only_get(&req).and(Ok(health::get(env, &config).await));
    }
    if path == "/webhooks/stripe" {
        // Stripe names no brand by host: the event's own ids lead to the order or brand
        return match req.method() {
            Method::Post => crate::billing::webhooks::post(req, env, &config).await,
            _ => Err(AppError::MethodNotAllowed),
        };
    }
    let host = normalize_host(&raw_host(&req)).map_err(AppError::InvalidHost)?;
    let kind = host_kind(&host, &config);
    if path == openapi::PATH {
        // the API's description, on every host, before any brand is looked up
        routed(&req, kind, &path)?;
        return Ok(openapi::get());
    }
    if kind == HostKind::Edge {
        // devices only: brand domains never serve /edge/v1; devices authenticate by
        // certificate and token, so no Origin rules apply
        routed(&req, kind, &path)?;
        spend_api_budget(&req, env, Site::Edge, &path).await?;
        return if path.starts_with("/edge/v1/") { crate::edge::handle(req, env, &config).await } else { Err(AppError::NotFound) };
    }
    if kind == HostKind::Platform {
        routed(&req, kind, &path)?;
        cross_site::check_write(&req, &config, &raw_host(&req), &[])?;
        spend_api_budget(&req, env, Site::Platform, &path).await?;
        return platform(req, env, &config, &path).await;
    }
    let (brand, cache) = brand::resolve(env, ctx, &config, &host).await?;
    log.brand_id = Some(brand.id.clone());
    let store_api = path.starts_with("/api/v1/store/");
    let allowed = cross_site::allowed_origins(&config, Some(&brand));
    log.store_api = store_api;
    log.cors_origin = cross_site::granted_origin(&req, &allowed);
    // after the CORS facts are known, so a store client can read a no_route answer too
    routed(&req, kind, &path)?;
    if store_api && req.method() == Method::Options {
        return cross_site::preflight(&req, &allowed);
    }
    cross_site::check_write(&req, &config, &raw_host(&req), &allowed)?;
    let staff = path.starts_with("/api/v1/admin/") || path.starts_with("/api/v1/account/") || path.starts_with("/api/v1/auth/");
    spend_api_budget(&req, env, Site::Brand, &path).await?;
    let ip = crate::rate_limit::client_ip(&req);
    if !staff && matches!(req.method(), Method::Get | Method::Head) {
        if path == "/cart" || path.starts_with("/api/v1/store/cart") {
            crate::rate_limit::check(env, "store_read", &ip, CART_READS_PER_MINUTE, 60).await?;
        }
        if is_order_lookup(&req, &path) {
            crate::rate_limit::check(env, "order_lookup", &ip, ORDER_LOOKUPS_PER_MINUTE, 60).await?;
        }
    }
    let mut resp = if crate::link_pages::on_brand_host(&path) {
        crate::link_pages::brand(req, env, &config, &brand, &path).await?
    } else if path.starts_with("/api/v1/auth/") || path.starts_with("/api/v1/account/") {
        crate::account::handle(req, env, &config, &brand, &log.request_id).await?
    } else if path.starts_with("/api/v1/admin/") {
        admin::handle(req, env, &config, &brand).await?
    } else if dashboard::serves(&path) {
        // whatever the billing state: a blocked brand's owner signs in to pay
        dashboard::shell(&req, "brand", &brand.locale)?
    } else if let Some(name) = path.strip_prefix("/media/") {
        // images answer whatever the shop's state: the dashboard shows them before it opens
        crate::media::serve(&req, env, &brand, name).await?
    } else if brand.billing.blocked_at(crate::clock::now().timestamp()) {
        unavailable::storefront(&brand, path.starts_with("/api/"))
    } else if !brand.published && unavailable::gated_until_published(&path) {
        unavailable::coming_soon(&brand, path.starts_with("/api/"))
    } else {
        storefront(req, env, ctx, &config, &brand, &path).await?
    };
    let _ = resp.headers_mut().set("x-shoal-brand-cache", cache.as_str());
    Ok(resp)
}

/// Which kind of host this is: the edge's, the platform's, or (any other) a brand's.
fn host_kind(host: &str, config: &Config) -> HostKind {
    if host.strip_prefix("edge.") == Some(config.platform_host.as_str()) {
        HostKind::Edge
    } else if host == config.platform_host {
        HostKind::Platform
    } else {
        HostKind::Brand
    }
}

/// The route table's word on an API path (`shoal_domain::api_routes`), before any
/// dispatcher: 404 `no_route` for a path it does not hold, 405 with `Allow` for another
/// method. Paths outside the APIs pass untouched.
fn routed(req: &Request, kind: HostKind, path: &str) -> Result<(), AppError> {
    if !api_routes::governs(path) {
        return Ok(());
    }
    // the method as sent: workers-rs reads one it has no name for (QUERY…) as GET
    match api_routes::lookup(kind, &req.inner().method(), path) {
        Lookup::Routed(_) => Ok(()),
        Lookup::WrongMethod(allow) => Err(AppError::WrongMethod(allow)),
        Lookup::NoRoute => Err(AppError::NoRoute),
    }
}

/// Whether the request's method is one workers-rs has no name for (and reads as GET).
fn unnamed_method(req: &Request) -> bool {
    !req.inner().method().eq_ignore_ascii_case(req.method().as_ref())
}

/// The answer for a route the table holds that no dispatcher arm handles: a bug, logged.
pub(crate) fn not_handled(req: &Request) -> AppError {
    AppError::RouteNotHandled(format!("no handler for {} {}", req.method(), req.path()))
}

/// The general API limit, in one place for every host: the route class decides whose
/// budget a request spends (`api_budget`). A device's budget is spent by the edge router
/// right after admission, where its id is known (`edge::handle`).
async fn spend_api_budget(req: &Request, env: &Env, site: Site, path: &str) -> Result<(), AppError> {
    match api_budget(site, req.method().as_ref(), path) {
        ApiBudget::Client => crate::rate_limit::api(env, &crate::rate_limit::client_ip(req)).await,
        ApiBudget::Device | ApiBudget::Exempt => Ok(()),
    }
}

/// `GET /api/v1/store/orders/{n}` and the `/orders` page once it is given a number or an
/// email: each one is a guess at an (order, email) pair.
fn is_order_lookup(req: &Request, path: &str) -> bool {
    path.starts_with("/api/v1/store/orders/")
        || (path == "/orders" && (query_param(req, "number").is_some() || query_param(req, "email").is_some()))
}

async fn storefront(
    req: Request,
    env: &Env,
    ctx: &Context,
    config: &Config,
    brand: &BrandContext,
    path: &str,
) -> Result<Response, AppError> {
    if let Some(rest) = path.strip_prefix("/api/v1/store/cart") {
        return shop::cart::handle(req, env, config, brand, rest).await;
    }
    if path == "/api/v1/store/checkout" {
        return match req.method() {
            Method::Post => shop::checkout::post(req, env, config, brand).await,
            _ => Err(AppError::MethodNotAllowed),
        };
    }
    if !path.starts_with("/api/") {
        return Ok(shop::pages::handle(req, env, ctx, config, brand, path).await);
    }
    only_get(&req)?;
    match path {
        "/api/v1/store/brand" => Ok(shop::brand::get(brand)),
        "/api/v1/store/products" => shop::catalog::products(&req, env, ctx, config, brand).await,
        "/api/v1/store/categories" => shop::catalog::categories(&req, env, ctx, config, brand).await,
        _ => {
            if let Some(slug) = path.strip_prefix("/api/v1/store/products/") {
                shop::catalog::product(&req, env, ctx, config, brand, slug).await
            } else if let Some(number) = path.strip_prefix("/api/v1/store/orders/") {
                shop::order_status::get(&req, config, brand, number).await
            } else {
                Err(not_handled(&req))
            }
        }
    }
}

/// The platform's own host: landing page and brand sign-up.
async fn platform(req: Request, env: &Env, config: &Config, path: &str) -> Result<Response, AppError> {
    let post = req.method() == Method::Post;
    match path {
        "/api/v1/auth/signup" if post => signup::signup(req, env, config).await,
        "/api/v1/auth/verify-email" if post => signup::verify_email(req, env, config).await,
        "/api/v1/auth/resend-verification" if post => {
            signup::send_code(req, env, config, "verify_email", "verification_code", "resend_verification").await
        }
        "/api/v1/auth/forgot-password" if post => {
            signup::send_code(req, env, config, "reset_password", "password_reset", "forgot_password").await
        }
        "/api/v1/auth/reset-password" if post => signup::reset_password(req, env, config).await,
        _ if path.starts_with("/api/") => Err(not_handled(&req)),
        _ if crate::link_pages::on_platform_host(path) => crate::link_pages::platform(&req, config, path).await,
        _ if dashboard::serves(path) => dashboard::shell(&req, "platform", "en"),
        _ => landing::get(&req),
    }
}

fn only_get(req: &Request) -> Result<(), AppError> {
    match req.method() {
        Method::Get | Method::Head => Ok(()),
        _ => Err(AppError::MethodNotAllowed),
    }
}

/// The Host header (what the client asked for); the URL's host when it is absent.
fn raw_host(req: &Request) -> String {
    match req.headers().get("host") {
        Ok(Some(h)) if !h.is_empty() => h,
        _ => req.url().ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default(),
    }
}

fn request_id_of(req: &Request) -> String {
    if let Ok(Some(incoming)) = req.headers().get("x-request-id") {
        if let Some(id) = request_id::accept_incoming(&incoming) {
            return id.to_owned();
        }
    }
    let mut bytes = [0u8; 16];
    // crypto.getRandomValues cannot fail for 16 bytes; a zero id would still be logged
    let _ = getrandom::fill(&mut bytes);
    request_id::from_random(bytes)
}
