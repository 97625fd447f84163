//! Edge app releases for devices (super admins publish and yank them: `staff/releases.rs`):
//! devices ask for the newest release above their version and download it with `Range`
//! support.
//!   GET    /edge/v1/updates/latest?version=&channel=&platform=        200 | 204
//!   GET    /edge/v1/updates/{platform}/{version}/download             200 | 206 | 416

use shoal_domain::config::Config;
use shoal_domain::updates::{self, Release};
use worker::{Env, Range, Request, Response};

use super::query_param;
use crate::error::{body_response, json_response, AppError};
use crate::store;

const BINDING: &str = "RELEASES";

fn platform_ok(p: &str) -> bool {
    !p.is_empty() && p.len() <= 40 && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

fn bad(code: &'static str, what: &str) -> AppError {
    AppError::BadRequest(code, what.into())
}

async fn releases(config: &Config, platform: &str) -> Result<Vec<(Release, serde_json::Value)>, AppError> {
    let rows = store::edge::call(config, "edge_releases", serde_json::json!({"p_platform": platform})).await?;
    Ok(rows
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    (Release {
                        version: r["version"].as_str().unwrap_or_default().to_owned(),
                        channel: r["channel"].as_str().unwrap_or_default().to_owned(),
                        platform: r["platform"].as_str().unwrap_or_default().to_owned(),
                        yanked: r["yanked"].as_bool().unwrap_or(true),
                    }, r.clone())
                })
                .collect()
        })
        .unwrap_or_default())
}

pub async fn latest(req: &Request, config: &Config) -> Result<Response, AppError> {
    let version = query_param(req, "version").ok_or_else(|| bad("invalid_version", "the device's current version"))?;
    let channel = query_param(req, "channel").unwrap_or_else(|| "stable".into());
    let platform = query_param(req, "platform").filter(|p| platform_ok(p)).ok_or_else(|| bad("invalid_platform", "platform"))?;
    let all = releases(config, &platform).await?;
    let list: Vec<Release> = all.iter().map(|(r, _)| r.clone()).collect();
    let newest = updates::newest_above(&list, &version, &channel, &platform).map_err(|_| bad("invalid_version", "semver version"))?;
    let Some(chosen) = newest else {
        return Ok(body_response(Vec::new(), 204, "application/json"));
    };
    let row = all.iter().find(|(r, _)| r.version == chosen.version).map(|(_, v)| v.clone()).unwrap_or_default();
    Ok(json_response(&serde_json::json!({"version": row["version"], "channel": row["channel"], "sha256": row["sha256"],
        "size": row["size"], "notes": row["notes"],
        "download_url": format!("/edge/v1/updates/{platform}/{}/download", chosen.version)}), 200))
}

pub async fn download(req: &Request, env: &Env, config: &Config, platform: &str, version: &str) -> Result<Response, AppError> {
    let not_found = || AppError::Refused { status: 404, code: "release_not_found".into(), detail: None };
    let all = releases(config, platform).await?;
    let (_, row) = all.iter().find(|(r, _)| r.version == version && !r.yanked).ok_or_else(not_found)?;
    let size = row["size"].as_u64().unwrap_or(0);
    let header = req.headers().get("range").ok().flatten();
    let range = match updates::byte_range(header.as_deref(), size) {
        Ok(r) => r,
        Err(()) => {
            let mut resp = body_response(Vec::new(), 416, "application/octet-stream");
            let _ = resp.headers_mut().set("content-range", &format!("bytes */{size}"));
            return Ok(resp);
        }
    };
    let bucket = env.bucket(BINDING)?;
    let mut get = bucket.get(row["r2_key"].as_str().unwrap_or_default());
    if let Some((first, last)) = range {
        get = get.range(Range::OffsetWithLength { offset: first, length: last - first + 1 });
    }
    let object = get.execute().await?.ok_or_else(not_found)?;
    let bytes = object.body().ok_or_else(not_found)?.bytes().await?;
    let mut resp = body_response(bytes, if range.is_some() { 206 } else { 200 }, "application/octet-stream");
    let headers = resp.headers_mut();
    let _ = headers.set("accept-ranges", "bytes");
    let _ = headers.set("x-checksum-sha256", row["sha256"].as_str().unwrap_or_default());
    if let Some((first, last)) = range {
        // computed here: Object::range() of workers-rs 0.8.7 panics
        let _ = headers.set("content-range", &format!("bytes {first}-{last}/{size}"));
    }
    Ok(resp)
}
