//! Scheduled work no caller owns (expiring unverified sign-ups and the like): the service
//! role, one database function per job.

use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;

use crate::error::AppError;

/// A cron job's database function by name.
pub async fn call(config: &Config, function: &str, args: serde_json::Value) -> Result<serde_json::Value, AppError> {
    super::postgrest::rpc(config, DbClaims::service(), function, args).await
}
