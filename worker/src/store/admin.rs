//! Admin reads and staff writes not yet moved to `staff/` (members, domains; cron), each
//! one database function scoped to the brand. Orders, catalog, billing, data, audit and
//! security calls live in `staff/` and run as the staff member.

use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;

use crate::error::AppError;

async fn rpc(config: &Config, function: &str, args: serde_json::Value) -> Result<serde_json::Value, AppError> {
    super::postgrest::rpc(config, DbClaims::service(), function, args).await
}

pub async fn members(config: &Config, brand_id: &str) -> Result<serde_json::Value, AppError> {
    rpc(config, "admin_list_members", serde_json::json!({"p_brand_id": brand_id})).await
}

pub async fn invite(config: &Config, brand_id: &str, email: &str, role: &str, token_hash: &str, url: &str, actor: &str) -> Result<serde_json::Value, AppError> {
    rpc(
        config,
        "admin_invite_member",
        serde_json::json!({"p_brand_id": brand_id, "p_email": email, "p_role": role, "p_token_hash": token_hash,
                           "p_invite_url": url, "p_actor": actor}),
    )
    .await
}

pub async fn update_member(config: &Config, brand_id: &str, account: &str, patch: &serde_json::Value, remove: bool, actor: &str) -> Result<serde_json::Value, AppError> {
    rpc(
        config,
        "admin_update_member",
        serde_json::json!({"p_brand_id": brand_id, "p_account_id": account, "p_role": patch["role"], "p_status": patch["status"],
                           "p_remove": remove, "p_actor": actor}),
    )
    .await
}

/// Any admin database function by name (each checks the brand it is given).
pub async fn call(config: &Config, function: &str, args: serde_json::Value) -> Result<serde_json::Value, AppError> {
    rpc(config, function, args).await
}
