//! What every handler of the staff catalog API shares: the domain's field and query errors
//! as API errors, a request's query pairs, and the catalog write itself — one database
//! function called as the staff member, then the brand's cached host entries forgotten,
//! so the catalog version the database bumped is read by the next request and exactly
//! this brand's cached pages are stale.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use shoal_domain::catalog_admin::{FieldError, QueryError};
use shoal_domain::config::Config;
use worker::Request;

use super::{db, Staff};
use crate::error::AppError;

/// A body field the domain refused: `400 invalid_field` naming it.
pub fn field(e: FieldError) -> AppError {
    AppError::invalid_field(&e.field, &e.why)
}

/// A query parameter the domain refused: `422 invalid_query` naming it.
pub fn query(e: QueryError) -> AppError {
    AppError::Refused { status: 422, code: "invalid_query".into(), detail: Some(format!("{}: {}", e.param, e.why)) }
}

/// The request's query string as owned pairs.
pub fn query_pairs(req: &Request) -> Vec<(String, String)> {
    req.url().map(|u| u.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()).unwrap_or_default()
}

/// What every catalog write function answers.
#[derive(Debug, Deserialize)]
struct Written<T> {
    answer: T,
    invalidate_hosts: serde_json::Value,
}

/// Calls the write `function` as the caller, forgets the brand's cached hosts, and
/// answers what the function wrote.
pub async fn write<T: DeserializeOwned>(
    env: &worker::Env,
    config: &Config,
    caller: &Staff,
    function: &str,
    args: serde_json::Value,
) -> Result<T, AppError> {
    let written: Written<T> = db::call(config, caller, function, args).await?;
    crate::kv::forget_brand_hosts(env, &written.invalidate_hosts).await;
    Ok(written.answer)
}
