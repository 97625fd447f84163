//! The brand's security setting: whether its admins must use a second factor.
//!   PATCH /api/v1/admin/settings/security   {"require_mfa_for_admins": true}

use serde::{Deserialize, Serialize};
use shoal_domain::config::Config;
use worker::Response;

use super::{db, Staff};
use crate::error::{json_ok, AppError};

#[derive(Debug, Serialize, Deserialize)]
pub struct SecuritySettings {
    pub require_mfa_for_admins: bool,
}

pub async fn set(config: &Config, caller: &Staff, body: SecuritySettings) -> Result<Response, AppError> {
    let args = serde_json::json!({"p_require_mfa": body.require_mfa_for_admins});
    let set: SecuritySettings = db::call(config, caller, "admin_set_security", args).await?;
    json_ok(&set, 200)
}
