//! The device API on `edge.{PLATFORM_HOST}`: in-store POS servers behind Cloudflare mTLS.
//! Every request but activation by code and status is admitted by its certificate
//! (`admission`), and everything after admission reaches the database as the device
//! (`db::as_device`: role authenticated, app_role device, device_id, brand_id), so the
//! policies of the device's own rows are the fence, not this code.
//!   POST /edge/v1/activate (no certificate yet, or the current one to renew) → activation
//!   GET  /edge/v1/status (answers even for refused devices), GET /edge/v1/health → status
//!   GET  /edge/v1/commands, POST /edge/v1/commands/{id}/ack → commands
//!   POST /edge/v1/sync/push, GET /edge/v1/sync/pull → sync
//!   GET  /edge/v1/updates/latest, GET /edge/v1/updates/{platform}/{version}/download → updates

mod activation;
mod admission;
mod body;
pub mod certs;
mod commands;
pub mod db;
mod status;
mod sync;
pub mod updates;

pub use activation::ActivationCode;

use shoal_domain::config::Config;
use worker::{Method, Request, Response};

use crate::error::AppError;

pub async fn handle(mut req: Request, env: &worker::Env, config: &Config) -> Result<Response, AppError> {
    let path = req.path();
    // HEAD is answered as GET wherever GET is (the route table allows it)
    let method = if req.method() == Method::Head { Method::Get } else { req.method() };
    match (method.clone(), path.as_str()) {
        (Method::Post, "/edge/v1/activate") => return activation::activate(req, env, config).await,
        (Method::Get, "/edge/v1/status") => return status::status(&req, config).await,
        _ => {}
    }
    // the general API limit (`http::spend_api_budget`): an admitted device spends its own
    // budget wherever it connects from; a request no certificate admits, its IP's
    let admitted = match admission::admit(&req, config).await? {
        Ok(a) => a,
        Err(refused) => {
            crate::rate_limit::api(env, &crate::rate_limit::client_ip(&req)).await?;
            return Ok(refused);
        }
    };
    crate::rate_limit::api(env, &shoal_domain::rate_limit::device_client(&admitted.device.id)).await?;
    match (method, path.as_str()) {
        (Method::Get, "/edge/v1/health") => status::health(&req, config, &admitted).await,
        (Method::Get, "/edge/v1/updates/latest") => updates::latest(&req, config, &admitted).await,
        (Method::Get, p) if p.starts_with("/edge/v1/updates/") && p.ends_with("/download") => {
            let parts: Vec<&str> = p.trim_start_matches("/edge/v1/updates/").trim_end_matches("/download").split('/').collect();
            match parts.as_slice() {
                [platform, version] => updates::download(&req, env, config, &admitted, platform, version).await,
                _ => Err(AppError::NotFound),
            }
        }
        (Method::Post, "/edge/v1/sync/push") => sync::push(&mut req, config, &admitted).await,
        (Method::Get, "/edge/v1/sync/pull") => sync::pull(&req, config, &admitted).await,
        (Method::Get, "/edge/v1/commands") => commands::list(config, &admitted).await,
        (Method::Post, p) if p.starts_with("/edge/v1/commands/") && p.ends_with("/ack") => {
            let id = p.trim_start_matches("/edge/v1/commands/").trim_end_matches("/ack").to_owned();
            commands::ack(&mut req, config, &admitted, &id).await
        }
        // the route table (`shoal_domain::api_routes`) let it through: a handler is missing
        _ => Err(AppError::RouteNotHandled(format!("no handler for {} {path}", req.method()))),
    }
}
