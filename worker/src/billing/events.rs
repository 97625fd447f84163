//! Stripe events: applied exactly once by `apply_stripe_event` (one transaction).

use serde::Deserialize;
use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;

use crate::error::AppError;

#[derive(Debug, Deserialize)]
pub struct Applied {
    pub outcome: String,
    #[serde(default)]
    pub event_id: Option<String>,
    /// Hosts whose cached brand config is stale after a billing change.
    #[serde(default)]
    pub invalidate_hosts: serde_json::Value,
}

pub async fn apply(config: &Config, event: &serde_json::Value) -> Result<Applied, AppError> {
    let value = crate::store::postgrest::rpc(
        config,
        DbClaims::service(),
        "apply_stripe_event",
        serde_json::json!({ "p_event": event, "p_livemode": config.stripe_livemode,
        "p_plans": config.payments.plans_by_price() }),
    )
    .await?;
    serde_json::from_value(value).map_err(|e| AppError::Internal(format!("apply_stripe_event answer: {e}")))
}
