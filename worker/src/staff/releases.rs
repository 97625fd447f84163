//! Edge app releases, published and yanked by platform super admins (binary → R2, row in
//! `app_releases`). The database calls run as the super admin (app_role super_admin and
//! their account in the token), which the release table's policies require. Devices read
//! releases elsewhere (`http/releases.rs`).
//!   POST   /api/v1/admin/releases?version=&channel=&platform=&notes=   (body: the binary)
//!   DELETE /api/v1/admin/releases/{platform}/{version}

use serde::{Deserialize, Serialize};
use shoal_domain::config::Config;
use shoal_domain::permissions::Role;
use shoal_domain::updates;
use worker::{Env, Request, Response};

use super::{db, Staff};
use crate::edge::updates::{platform_ok, BINDING};
use crate::error::{json_ok, AppError};

/// Largest binary accepted.
pub const MAX_BYTES: usize = 95 * 1024 * 1024;

fn bad(code: &'static str, what: &str) -> AppError {
    AppError::BadRequest(code, what.into())
}

pub fn require_super_admin(caller: &Staff) -> Result<(), AppError> {
    if caller.role == Role::SuperAdmin {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// What a publish names, from the query string; checked before the body is read.
#[derive(Debug)]
pub struct ReleaseParams {
    version: String,
    channel: String,
    platform: String,
    notes: Option<String>,
}

impl ReleaseParams {
    pub fn parse(req: &Request) -> Result<ReleaseParams, AppError> {
        let url = req.url().map_err(|_| AppError::NotFound)?;
        let q = |key: &str| url.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned());
        let version = q("version").unwrap_or_default();
        updates::release_version(&version).map_err(|e| bad(e.code(), e.message()))?;
        let channel = q("channel").filter(|c| c == "stable" || c == "beta").ok_or_else(|| bad("invalid_channel", "stable or beta"))?;
        let platform = q("platform").filter(|p| platform_ok(p)).ok_or_else(|| bad("invalid_platform", "platform"))?;
        Ok(ReleaseParams { version, channel, platform, notes: q("notes") })
    }
}

/// A release as `public.admin_list_releases` lists it.
#[derive(Debug, Deserialize)]
struct Listed {
    version: String,
    r2_key: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Published {
    pub version: String,
    pub channel: String,
    pub platform: String,
    pub sha256: String,
    pub size: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Yanked {
    pub platform: String,
    pub version: String,
    pub yanked: bool,
}

async fn listed(config: &Config, caller: &Staff, platform: &str) -> Result<Vec<Listed>, AppError> {
    db::call(config, caller, "admin_list_releases", serde_json::json!({"p_platform": platform})).await
}

pub async fn publish(env: &Env, config: &Config, caller: &Staff, params: ReleaseParams, bytes: Vec<u8>) -> Result<Response, AppError> {
    if bytes.is_empty() {
        return Err(AppError::PayloadTooLarge);
    }
    // a published version is immutable: refuse before touching R2, and address the object
    // by its hash so even a racing duplicate can never replace a published binary
    if listed(config, caller, &params.platform).await?.iter().any(|r| r.version == params.version) {
        return Err(AppError::Refused { status: 409, code: "release_exists".into(), detail: None });
    }
    let sha256 = updates::sha256_hex(&bytes);
    let key = format!("releases/{}/{}/{sha256}", params.platform, params.version);
    let size = bytes.len();
    let bucket = env.bucket(BINDING)?;
    bucket.put(&key, bytes).execute().await?;
    let args = serde_json::json!({"p_version": params.version, "p_channel": params.channel, "p_platform": params.platform,
        "p_sha256": sha256, "p_size": size, "p_notes": params.notes, "p_r2_key": key});
    match db::call::<Published>(config, caller, "admin_publish_release", args).await {
        Ok(row) => json_ok(&row, 201),
        Err(e) => {
            // remove the object only when the database says no row names it (a racing publish
            // of the same bytes may have; an unreadable database leaves it in place)
            if listed(config, caller, &params.platform).await.is_ok_and(|all| !all.iter().any(|r| r.r2_key == key)) {
                let _ = bucket.delete(&key).await;
            }
            Err(e)
        }
    }
}

pub async fn yank(config: &Config, caller: &Staff, platform: &str, version: &str) -> Result<Response, AppError> {
    let row: Yanked =
        db::call(config, caller, "admin_yank_release", serde_json::json!({"p_platform": platform, "p_version": version})).await?;
    json_ok(&row, 200)
}
