//! Brand lookups: host → brand through the service-role-only `resolve_brand` function.

use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;

use super::postgrest::rpc;
use crate::error::AppError;

pub async fn resolve(config: &Config, host: &str) -> Result<Option<BrandContext>, AppError> {
    let value = rpc(config, DbClaims::service(), "resolve_brand", serde_json::json!({ "p_host": host })).await?;
    if value.is_null() {
        return Ok(None);
    }
    serde_json::from_value(value).map(Some).map_err(|e| AppError::Internal(format!("resolve_brand returned an unexpected shape: {e}")))
}

/// Health probe: `shoal_ping()` proves PostgREST answers and reaches Postgres.
pub async fn ping(config: &Config) -> Result<(), AppError> {
    rpc(config, DbClaims::service(), "shoal_ping", serde_json::json!({})).await.map(|_| ())
}
