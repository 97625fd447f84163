//! The email outbox, as the cron handler and the immediate path after a request work
//! through it.

use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;

use crate::error::AppError;

/// A claimed outbox message, as `claim_due_emails` answers it.
#[derive(Debug, serde::Deserialize)]
pub struct Message {
    pub id: String,
    pub to: String,
    pub template: String,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub brand_name: Option<String>,
    #[serde(default)]
    pub payload: serde_json::Value,
    /// The sender's languages setting (`both` | `recipient`), see `email::Languages`.
    #[serde(default)]
    pub languages: Option<String>,
}

async fn rpc(config: &Config, function: &str, args: serde_json::Value) -> Result<serde_json::Value, AppError> {
    super::postgrest::rpc(config, DbClaims::service(), function, args).await
}

/// Claims due messages (only those of `ids` when given): their attempt counter is written
/// before anything is sent.
pub async fn claim(config: &Config, limit: i64, lease_seconds: i64, ids: Option<&[String]>) -> Result<Vec<Message>, AppError> {
    let v = rpc(config, "claim_due_emails", serde_json::json!({"p_limit": limit, "p_lease_seconds": lease_seconds, "p_ids": ids})).await?;
    serde_json::from_value(v).map_err(|e| AppError::Internal(format!("claim_due_emails answered an unexpected shape: {e}")))
}

pub async fn sent(config: &Config, id: &str, provider_id: &str) -> Result<(), AppError> {
    rpc(config, "mark_email_sent", serde_json::json!({"p_id": id, "p_provider_id": provider_id})).await.map(|_| ())
}

pub async fn failed(config: &Config, id: &str, error: &str, max_attempts: i64) -> Result<(), AppError> {
    rpc(config, "mark_email_failed", serde_json::json!({"p_id": id, "p_error": error, "p_max_attempts": max_attempts})).await.map(|_| ())
}
