//! Edge sync for an admitted device, as the device: brand and device come from its token,
//! never from the body, and the synced tables' policies fence every row.
//!   POST /edge/v1/sync/push  {"records": [{mutation_id, resource, op, id, base_version, data}]}
//!        → {"results": [{mutation_id, resource, id, status: applied|duplicate|conflict|invalid, …}], "summary"}
//!   GET  /edge/v1/sync/pull?cursor=&limit= → {"changes": [...], "cursor", "has_more"}
//! The batch is checked by `shoal_domain::sync` (malformed → 400, nothing applied) and
//! applied by ONE database function in one transaction, answered record by record.

use serde::{Deserialize, Serialize};
use shoal_domain::config::Config;
use shoal_domain::sync;
use worker::{Request, Response};

use super::admission::Admitted;
use super::db;
use crate::body::read_bytes;
use crate::error::{body_response, json_ok, AppError};
use crate::request::query_param;

fn malformed(m: sync::Malformed) -> AppError {
    let at = m.index.map(|i| format!("record {i}: ")).unwrap_or_default();
    AppError::Refused { status: 400, code: "malformed_batch".into(), detail: Some(format!("{at}{}", m.reason)) }
}

/// One record's answer: its head and status, and what that status carries (version,
/// code and server copy, or error) passed on as the database wrote it.
#[derive(Debug, Serialize, Deserialize)]
struct Outcome {
    status: String,
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Pushed {
    results: Vec<Outcome>,
}

#[derive(Debug, Default, Serialize)]
struct Summary {
    applied: u32,
    duplicate: u32,
    conflict: u32,
    invalid: u32,
}

#[derive(Serialize)]
struct PushAnswer {
    results: Vec<Outcome>,
    summary: Summary,
}

pub async fn push(req: &mut Request, config: &Config, a: &Admitted) -> Result<Response, AppError> {
    let bytes = read_bytes(req, sync::MAX_BODY_BYTES).await?;
    let body: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| malformed(sync::Malformed { index: None, reason: format!("the body is not JSON: {e}") }))?;
    let records = sync::check_batch(&body).map_err(malformed)?;
    let pushed: Pushed = db::as_device(config, &a.device, "edge_sync_push", serde_json::json!({"p_records": records})).await?;
    let mut summary = Summary::default();
    for r in &pushed.results {
        match r.status.as_str() {
            "applied" => summary.applied += 1,
            "duplicate" => summary.duplicate += 1,
            "conflict" => summary.conflict += 1,
            _ => summary.invalid += 1,
        }
    }
    json_ok(&PushAnswer { results: pushed.results, summary }, 200)
}

/// One page as the database answers it; `changes` stays raw text (up to 500 records).
#[derive(Deserialize)]
struct Page<'a> {
    #[serde(borrow)]
    changes: &'a serde_json::value::RawValue,
    next: i64,
    has_more: bool,
}

/// The page is passed on as PostgREST sent it: only `next` becomes the opaque cursor.
pub async fn pull(req: &Request, config: &Config, a: &Admitted) -> Result<Response, AppError> {
    let since = sync::decode_cursor(query_param(req, "cursor").as_deref())
        .ok_or_else(|| AppError::BadRequest("invalid_cursor", "cursor: not one this API gave out".into()))?;
    let limit = sync::pull_limit(query_param(req, "limit").as_deref())
        .map_err(|m| AppError::BadRequest("invalid_limit", format!("limit: {}", m.reason)))?;
    let raw = db::raw_as_device(config, &a.device, "edge_sync_pull", serde_json::json!({"p_since": since, "p_limit": limit})).await?;
    let page: Page<'_> = serde_json::from_str(&raw).map_err(|e| AppError::Internal(format!("sync pull page: {e}")))?;
    let body =
        format!("{{\"changes\":{},\"cursor\":\"{}\",\"has_more\":{}}}", page.changes.get(), sync::encode_cursor(page.next), page.has_more);
    Ok(body_response(body.into_bytes(), 200, "application/json; charset=utf-8"))
}
