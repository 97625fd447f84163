//! The staff caller's database calls: every one goes to PostgREST as the staff member
//! (role `authenticated` with their account, brand, role and session), so the database's
//! policies, not this code, are what keeps a brand's rows to its own staff. Answers are
//! read into the caller's typed structs.

use serde::de::DeserializeOwned;
use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;

use super::Staff;
use crate::error::AppError;
use crate::store::postgrest;

/// The claims the database token carries for this staff member. The role is the one the
/// session check just read from the database, not the (up to 15 minutes old) access token's.
pub fn claims(caller: &Staff) -> DbClaims {
    DbClaims::staff(&caller.claims.sub, &caller.claims.brand_id, caller.role.as_str(), &caller.claims.sid)
}

/// Calls `function` as the caller and reads its answer as `T`.
pub async fn call<T: DeserializeOwned>(config: &Config, caller: &Staff, function: &str, args: serde_json::Value) -> Result<T, AppError> {
    let value = postgrest::rpc(config, claims(caller), function, args).await?;
    serde_json::from_value(value).map_err(|e| AppError::Internal(format!("{function} answered an unexpected shape: {e}")))
}
