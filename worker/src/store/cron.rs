//! Scheduled work no caller owns (expiring unverified sign-ups and the like): the service
//! role, one database function per job.

use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;

use crate::error::AppError;

/// A cron job's database function by name.
pub async fn call(config: &Config, function: &str, args: serde_json::Value) -> Result<serde_json::Value, AppError> {
    super::postgrest::rpc(config, DbClaims::service(), function, args).await
}

/// What `expire_unverified_signups` did: brands released, claims that failed (kept for the
/// next run), and the hosts whose cached brand config is now stale.
#[derive(Debug, serde::Deserialize, serde::Serialize)]
pub struct ExpiredSignups {
    pub expired: i64,
    pub failed: i64,
    #[serde(default, skip_serializing)]
    pub hosts: serde_json::Value,
}

/// Sign-ups never verified within `hours` release their slug and email.
pub async fn expire_unverified_signups(config: &Config, hours: i64) -> Result<ExpiredSignups, AppError> {
    let done = call(config, "expire_unverified_signups", serde_json::json!({"p_hours": hours})).await?;
    serde_json::from_value(done).map_err(|e| AppError::Internal(format!("expire_unverified_signups answered an unexpected shape: {e}")))
}
