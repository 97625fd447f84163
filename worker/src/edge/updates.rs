//! App updates for devices: the newest release above their version, and its download
//! with `Range` support. Releases are platform-wide; devices read them with their own
//! token (`edge_releases`, policy "devices can read app releases").
//!   GET /edge/v1/updates/latest?version=&channel=&platform=        200 | 204
//!   GET /edge/v1/updates/{platform}/{version}/download             200 | 206 | 416

use serde::{Deserialize, Serialize};
use shoal_domain::config::Config;
use shoal_domain::updates::{self, Release};
use worker::{Env, Range, Request, Response};

use super::admission::Admitted;
use super::db;
use crate::error::{body_response, json_ok, AppError};
use crate::request::query_param;

/// Where published binaries live (staff/releases.rs puts them there).
pub const BINDING: &str = "RELEASES";

/// One row of `edge_releases`.
#[derive(Debug, Clone, Deserialize)]
struct ReleaseRow {
    version: String,
    channel: String,
    platform: String,
    sha256: String,
    size: u64,
    notes: String,
    r2_key: String,
    yanked: bool,
}

impl ReleaseRow {
    fn release(&self) -> Release {
        Release { version: self.version.clone(), channel: self.channel.clone(), platform: self.platform.clone(), yanked: self.yanked }
    }
}

/// A platform name as releases are filed under it (publishing and updates alike).
pub fn platform_ok(p: &str) -> bool {
    !p.is_empty() && p.len() <= 40 && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

fn bad(code: &'static str, what: &str) -> AppError {
    AppError::BadRequest(code, what.into())
}

/// Every release of a platform, as the device reads them.
async fn releases_as_device(config: &Config, a: &Admitted, platform: &str) -> Result<Vec<ReleaseRow>, AppError> {
    db::as_device(config, &a.device, "edge_releases", serde_json::json!({"p_platform": platform})).await
}

#[derive(Serialize)]
struct Latest<'a> {
    version: &'a str,
    channel: &'a str,
    sha256: &'a str,
    size: u64,
    notes: &'a str,
    download_url: String,
}

pub async fn latest(req: &Request, config: &Config, a: &Admitted) -> Result<Response, AppError> {
    let version = query_param(req, "version").ok_or_else(|| bad("invalid_version", "version: the device's current version"))?;
    let channel = query_param(req, "channel").unwrap_or_else(|| "stable".into());
    let platform = query_param(req, "platform").filter(|p| platform_ok(p)).ok_or_else(|| bad("invalid_platform", "platform"))?;
    let all = releases_as_device(config, a, &platform).await?;
    let list: Vec<Release> = all.iter().map(ReleaseRow::release).collect();
    let newest = updates::newest_above(&list, &version, &channel, &platform).map_err(|_| bad("invalid_version", "version: semver"))?;
    let Some(row) = newest.and_then(|chosen| all.iter().find(|r| r.version == chosen.version)) else {
        return Ok(body_response(Vec::new(), 204, "application/json"));
    };
    json_ok(
        &Latest {
            version: &row.version,
            channel: &row.channel,
            sha256: &row.sha256,
            size: row.size,
            notes: &row.notes,
            download_url: format!("/edge/v1/updates/{platform}/{}/download", row.version),
        },
        200,
    )
}

pub async fn download(
    req: &Request,
    env: &Env,
    config: &Config,
    a: &Admitted,
    platform: &str,
    version: &str,
) -> Result<Response, AppError> {
    let not_found = || AppError::Refused { status: 404, code: "release_not_found".into(), detail: None };
    let all = releases_as_device(config, a, platform).await?;
    let row = all.iter().find(|r| r.version == version && !r.yanked).ok_or_else(not_found)?;
    let size = row.size;
    let header = req.headers().get("range").ok().flatten();
    let range = match updates::byte_range(header.as_deref(), size) {
        Ok(r) => r,
        Err(updates::Unsatisfiable) => {
            let mut resp = body_response(Vec::new(), 416, "application/octet-stream");
            let _ = resp.headers_mut().set("content-range", &format!("bytes */{size}"));
            return Ok(resp);
        }
    };
    let bucket = env.bucket(BINDING)?;
    let mut get = bucket.get(&row.r2_key);
    if let Some((first, last)) = range {
        get = get.range(Range::OffsetWithLength { offset: first, length: last - first + 1 });
    }
    let object = get.execute().await?.ok_or_else(not_found)?;
    let bytes = object.body().ok_or_else(not_found)?.bytes().await?;
    let mut resp = body_response(bytes, if range.is_some() { 206 } else { 200 }, "application/octet-stream");
    let headers = resp.headers_mut();
    let _ = headers.set("accept-ranges", "bytes");
    let _ = headers.set("x-checksum-sha256", &row.sha256);
    if let Some((first, last)) = range {
        // computed here: Object::range() of workers-rs 0.8.7 panics
        let _ = headers.set("content-range", &format!("bytes {first}-{last}/{size}"));
    }
    Ok(resp)
}
