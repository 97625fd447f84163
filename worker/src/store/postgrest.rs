//! A PostgREST client per request: the `postgrest` crate over the Workers fetch API, with
//! a short-lived JWT whose claims select the Postgres role and the brand.

use shoal_domain::config::Config;
use shoal_domain::db_token::{self, DbClaims};

use crate::error::AppError;

fn client(config: &Config, claims: DbClaims) -> Result<postgrest::Postgrest, AppError> {
    let token = super::db_tokens::token(config, claims)?;
    let mut db = postgrest::Postgrest::new(&config.postgrest_url);
    for (name, value) in db_token::request_headers(config.supabase_api_key.as_deref(), &token) {
        db = db.insert_header(name, value);
    }
    // PostgREST hands request headers to Postgres (`request.headers`): the audit log's
    // ip, user_agent and request_id columns default from these
    if let Some(meta) = &config.request {
        db = db
            .insert_header("x-shoal-request-id", meta.id.as_str())
            .insert_header("x-shoal-client-ip", meta.ip.as_str())
            .insert_header("x-shoal-user-agent", meta.user_agent.chars().take(256).collect::<String>());
    }
    Ok(db)
}

/// Sends a request and returns the JSON body of a 2xx answer. A transport failure or a
/// 5xx means the database is unavailable; any other status is a bug on our side.
async fn send_text(builder: postgrest::Builder) -> Result<String, AppError> {
    let resp = builder.execute().await.map_err(|e| AppError::DatabaseUnavailable(format!("postgrest unreachable: {e}")))?;
    let status = resp.status().as_u16();
    if let Some(ids) = resp.headers().get(crate::email::QUEUED_HEADER).and_then(|v| v.to_str().ok()) {
        // the call committed outbox rows: the pipeline sends them once the response is out
        crate::email::note_queued(ids);
    }
    let text = resp.text().await.map_err(|e| AppError::DatabaseUnavailable(format!("postgrest body: {e}")))?;
    match status {
        200..=299 => Ok(text),
        500..=599 => Err(AppError::DatabaseUnavailable(format!("postgrest {status}: {text}"))),
        // the caller's role may not do this (a function's require_staff, a policy, a missing
        // grant): the database's fence held where the worker's own role check did not
        403 if serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|b| b["code"] == "42501") => Err(AppError::Forbidden),
        // a function refused on purpose (errcode PT401/PT403/PT404/PT409/PT410/PT422): its
        // message is the code; a 403 without a PT code is PostgREST refusing our token, a bug;
        // a 401 without one is PostgREST refusing our token's signature (a signing key the
        // project does not hold) or Supabase's gateway refusing the apikey: the worker's keys
        401 | 403 | 404 | 409 | 410 | 422 => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(body) if body["code"].as_str().is_some_and(|c| c.starts_with("PT")) => Err(AppError::Refused {
                status,
                code: body["message"].as_str().unwrap_or("refused").to_owned(),
                detail: body["details"].as_str().map(str::to_owned),
            }),
            _ if status == 401 => Err(AppError::DatabaseUnauthorized(format!("postgrest 401: {text}"))),
            _ => Err(AppError::Internal(format!("postgrest {status}: {text}"))),
        },
        // text Postgres cannot hold (a NUL character, an invalid byte sequence) came from the
        // caller: theirs to fix, not our failure
        400 if serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|b| matches!(b["code"].as_str(), Some("22P05" | "22021"))) => {
            Err(AppError::BadRequest("invalid_text", "text may not contain NUL characters or invalid UTF-8".into()))
        }
        _ => Err(AppError::Internal(format!("postgrest {status}: {text}"))),
    }
}

async fn send_json(builder: postgrest::Builder) -> Result<serde_json::Value, AppError> {
    let text = send_text(builder).await?;
    // a function returning void answers with no body
    if text.trim().is_empty() {
        return Ok(serde_json::Value::Null);
    }
    serde_json::from_str(&text).map_err(|e| AppError::Internal(format!("postgrest json: {e}")))
}

/// Calls a database function under `/rpc` with a token for `claims`.
pub async fn rpc(config: &Config, claims: DbClaims, function: &str, args: serde_json::Value) -> Result<serde_json::Value, AppError> {
    let db = client(config, claims)?;
    send_json(db.rpc(function, args.to_string())).await
}

/// The same call, answering the body as PostgREST sent it: for large answers the worker
/// passes on without building a `serde_json::Value` of every record (edge sync pull).
pub async fn rpc_raw(config: &Config, claims: DbClaims, function: &str, args: serde_json::Value) -> Result<String, AppError> {
    let db = client(config, claims)?;
    send_text(db.rpc(function, args.to_string())).await
}
