//! Members of a brand (admin API; `manage_members`: brand and super admins):
//!   GET    /api/v1/admin/members
//!   PATCH  /api/v1/admin/members/{account_id}  {"role"?, "status"?: "active"|"disabled"}
//!   DELETE /api/v1/admin/members/{account_id}
//! The last active brand admin stays (the database checks it under the brand's member lock).

use serde::{Deserialize, Serialize};
use shoal_domain::config::Config;
use shoal_domain::permissions::Role;
use worker::Response;

use super::Caller;
use super::{db, uuid_or, Items};
use crate::error::{json_ok, AppError};

#[derive(Debug, Serialize, Deserialize)]
pub struct Member {
    pub account_id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub status: String,
    pub since: String,
}

/// A role a member may be given (super admins are platform staff, never members).
pub fn member_role(raw: &str) -> Result<Role, AppError> {
    match Role::parse(raw) {
        Some(role @ (Role::BrandAdmin | Role::Editor | Role::ReadOnly)) => Ok(role),
        _ => Err(AppError::BadRequest("invalid_role", "role is brand_admin, editor or read_only".into())),
    }
}

/// `PATCH /members/{id}` as sent.
#[derive(Debug, Default, Deserialize)]
pub struct MemberPatch {
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

/// A change checked: role and status are each absent or one of the allowed values.
struct ValidPatch {
    role: Option<Role>,
    status: Option<&'static str>,
}

impl MemberPatch {
    fn validate(&self) -> Result<ValidPatch, AppError> {
        let role = self.role.as_deref().map(member_role).transpose()?;
        let status = match self.status.as_deref() {
            None => None,
            Some("active") => Some("active"),
            Some("disabled") => Some("disabled"),
            Some(_) => return Err(AppError::BadRequest("invalid_status", "status is active or disabled".into())),
        };
        Ok(ValidPatch { role, status })
    }
}

pub async fn list(config: &Config, caller: &Caller) -> Result<Response, AppError> {
    let items: Vec<Member> = db::call(config, caller, "admin_list_members", serde_json::json!({})).await?;
    json_ok(&Items { items }, 200)
}

/// A role or status change (`patch`), or the member's removal (`patch` is `None`).
pub async fn update(config: &Config, caller: &Caller, account: &str, patch: Option<MemberPatch>) -> Result<Response, AppError> {
    let account = uuid_or(account, "member_not_found")?;
    let remove = patch.is_none();
    let change = patch.unwrap_or_default().validate()?;
    let args = serde_json::json!({"p_member_id": account, "p_role": change.role.map(Role::as_str),
                                  "p_status": change.status, "p_remove": remove});
    let items: Vec<Member> = db::call(config, caller, "admin_update_member", args).await?;
    json_ok(&Items { items }, 200)
}
