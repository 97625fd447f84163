//! Edge devices and their commands (service role; each function checks device and brand).

use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;

use super::postgrest::rpc;
use crate::error::AppError;

pub async fn call(config: &Config, function: &str, args: serde_json::Value) -> Result<serde_json::Value, AppError> {
    rpc(config, DbClaims::service(), function, args).await
}
