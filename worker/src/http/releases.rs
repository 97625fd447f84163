//! Edge app releases. Super admins publish (binary body → R2, row in `app_releases`) and
//! yank; devices read them in `crate::edge::updates`.
//!   POST   /api/v1/admin/releases?version=&channel=&platform=&notes=   (body: the binary)
//!   DELETE /api/v1/admin/releases/{platform}/{version}

use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;
use shoal_domain::updates;
use worker::{Env, Request, Response};

use super::query_param;
use crate::edge::db::as_service;
use crate::edge::updates::{platform_ok, ReleaseRow, BINDING};
use crate::error::{json_response, AppError};
use crate::staff::Caller;

const MAX_BYTES: usize = 95 * 1024 * 1024;

fn bad(code: &'static str, what: &str) -> AppError {
    AppError::BadRequest(code, what.into())
}

pub fn require_super_admin(caller: &Caller) -> Result<(), AppError> {
    if caller.role == shoal_domain::permissions::Role::SuperAdmin {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn publish(mut req: Request, env: &Env, config: &Config, caller: &Caller) -> Result<Response, AppError> {
    // every parameter is checked before the body is read or anything reaches R2
    let version = query_param(&req, "version").unwrap_or_default();
    updates::release_version(&version).map_err(|e| bad(e.code(), e.message()))?;
    let channel = query_param(&req, "channel").filter(|c| c == "stable" || c == "beta").ok_or_else(|| bad("invalid_channel", "stable or beta"))?;
    let platform = query_param(&req, "platform").filter(|p| platform_ok(p)).ok_or_else(|| bad("invalid_platform", "platform"))?;
    let bytes = super::read_bytes(&mut req, MAX_BYTES).await?;
    if bytes.is_empty() {
        return Err(AppError::PayloadTooLarge);
    }
    // a published version is immutable: refuse before touching R2, and address the object
    // by its hash so even a racing duplicate can never replace a published binary
    if releases(config, &platform).await?.iter().any(|r| r.version == version) {
        return Err(AppError::Refused { status: 409, code: "release_exists".into(), detail: None });
    }
    let sha256 = updates::sha256_hex(&bytes);
    let key = format!("releases/{platform}/{version}/{sha256}");
    let size = bytes.len();
    let bucket = env.bucket(BINDING)?;
    bucket.put(&key, bytes).execute().await?;
    let row: Result<serde_json::Value, AppError> = as_service(config, "admin_publish_release", serde_json::json!({"p_version": version, "p_channel": channel,
        "p_platform": platform, "p_sha256": sha256, "p_size": size, "p_notes": query_param(&req, "notes"), "p_r2_key": key,
        "p_actor": caller.actor()})).await;
    match row {
        Ok(row) => Ok(json_response(&row, 201)),
        Err(e) => {
            // remove the object only when the database says no row names it (a racing publish
            // of the same bytes may have; an unreadable database leaves it in place)
            if releases(config, &platform).await.is_ok_and(|all| !all.iter().any(|r| r.r2_key == key)) {
                let _ = bucket.delete(&key).await;
            }
            Err(e)
        }
    }
}

pub async fn yank(config: &Config, caller: &Caller, platform: &str, version: &str) -> Result<Response, AppError> {
    let row: serde_json::Value = as_service(config, "admin_yank_release",
        serde_json::json!({"p_platform": platform, "p_version": version, "p_actor": caller.actor()})).await?;
    Ok(json_response(&row, 200))
}

async fn releases(config: &Config, platform: &str) -> Result<Vec<ReleaseRow>, AppError> {
    crate::edge::updates::releases(config, DbClaims::service(), platform).await
}
