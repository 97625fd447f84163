//! Edge sync for an admitted device, brand taken from its device row (never from the body).
//!   POST /edge/v1/sync/push  {"records": [{mutation_id, resource, op, id, base_version, data}]}
//!        → {"results": [{mutation_id, resource, id, status: applied|duplicate|conflict|invalid, …}], "summary"}
//!   GET  /edge/v1/sync/pull?cursor=&limit= → {"changes": [...], "cursor", "has_more"}
//! The batch is checked by `shoal_domain::sync` (malformed → 400, nothing applied) and
//! applied by ONE database function in one transaction, answered record by record.

use shoal_domain::config::Config;
use shoal_domain::sync;
use shoal_domain::db_token::DbClaims;
use worker::{Request, Response};

use super::edge::Admitted;
use super::query_param;
use crate::error::{body_response, AppError};
use crate::store;

fn malformed(m: sync::Malformed) -> AppError {
    let at = m.index.map(|i| format!("record {i}: ")).unwrap_or_default();
    AppError::Refused { status: 400, code: "malformed_batch".into(), detail: Some(format!("{at}{}", m.reason)) }
}

pub async fn push(req: &mut Request, config: &Config, a: &Admitted) -> Result<serde_json::Value, AppError> {
    let bytes = super::read_bytes(req, sync::MAX_BODY_BYTES).await?;
    let body: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| malformed(sync::Malformed { index: None, reason: format!("the body is not JSON: {e}") }))?;
    let records = sync::check_batch(&body).map_err(malformed)?;
    let mut answer = store::edge::call(config, "edge_sync_push", serde_json::json!({
        "p_brand_id": a.device.brand_id, "p_device_id": a.device.id, "p_records": records})).await?;
    let mut summary = serde_json::json!({"applied": 0, "duplicate": 0, "conflict": 0, "invalid": 0});
    for r in answer["results"].as_array().into_iter().flatten() {
        if let Some(n) = r["status"].as_str().and_then(|s| summary.get_mut(s)) {
            *n = serde_json::json!(n.as_i64().unwrap_or(0) + 1);
        }
    }
    answer["summary"] = summary;
    Ok(answer)
}

/// One page as the database answers it; `changes` stays raw text (up to 500 records).
#[derive(serde::Deserialize)]
struct Page<'a> {
    #[serde(borrow)]
    changes: &'a serde_json::value::RawValue,
    next: i64,
    has_more: bool,
}

/// The page is passed on as PostgREST sent it: only `next` becomes the opaque cursor.
pub async fn pull(req: &Request, config: &Config, a: &Admitted) -> Result<Response, AppError> {
    let since = sync::decode_cursor(query_param(req, "cursor").as_deref())
        .ok_or_else(|| AppError::BadRequest("invalid_cursor", "`cursor` is not one this API gave out".into()))?;
    let limit = sync::pull_limit(query_param(req, "limit").as_deref())
        .map_err(|m| AppError::BadRequest("invalid_limit", m.reason))?;
    let raw = store::postgrest::rpc_raw(config, DbClaims::service(), "edge_sync_pull", serde_json::json!({
        "p_brand_id": a.device.brand_id, "p_since": since, "p_limit": limit})).await?;
    let page: Page<'_> = serde_json::from_str(&raw).map_err(|e| AppError::Internal(format!("sync pull page: {e}")))?;
    let body = format!("{{\"changes\":{},\"cursor\":\"{}\",\"has_more\":{}}}", page.changes.get(), sync::encode_cursor(page.next), page.has_more);
    Ok(body_response(body.into_bytes(), 200, "application/json; charset=utf-8"))
}
