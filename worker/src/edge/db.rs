//! How the edge API reaches the database. After admission every call carries the device's
//! own identity (`DbClaims::device`): the functions read device and brand from the token
//! and the tables' policies are the fence. Service role is left only for the steps before
//! a device is identified (certificate lookup, activation by code) and for cron work.

use serde::de::DeserializeOwned;
use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;
use shoal_domain::device_auth::BoundDevice;

use crate::error::AppError;
use crate::store::postgrest::rpc_raw;

/// A call with the given claims, its answer typed.
pub async fn call<T: DeserializeOwned>(config: &Config, claims: DbClaims, function: &str, args: serde_json::Value) -> Result<T, AppError> {
    let text = rpc_raw(config, claims, function, args).await?;
    // a function returning void answers with no body
    let text = if text.trim().is_empty() { "null" } else { text.as_str() };
    serde_json::from_str(text).map_err(|e| AppError::Internal(format!("{function}: unexpected answer: {e}")))
}

/// A call as the admitted device.
pub async fn as_device<T: DeserializeOwned>(
    config: &Config,
    device: &BoundDevice,
    function: &str,
    args: serde_json::Value,
) -> Result<T, AppError> {
    call(config, DbClaims::device(&device.id, &device.brand_id), function, args).await
}

/// A call no device owns yet (or no caller at all): certificate lookup, activation by
/// code, cron pruning. Listed in docs/architecture.md.
pub async fn as_service<T: DeserializeOwned>(config: &Config, function: &str, args: serde_json::Value) -> Result<T, AppError> {
    call(config, DbClaims::service(), function, args).await
}

/// The same call as the device, answering the body as PostgREST sent it: for large answers
/// passed on without building a value of every record (sync pull).
pub async fn raw_as_device(config: &Config, device: &BoundDevice, function: &str, args: serde_json::Value) -> Result<String, AppError> {
    rpc_raw(config, DbClaims::device(&device.id, &device.brand_id), function, args).await
}
