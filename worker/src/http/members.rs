//! Members and the audit log of a brand (admin API; brand admins only, by the role table).
//!   GET    /api/v1/admin/members
//!   POST   /api/v1/admin/members/invitations   {"email", "role"}
//!   PATCH  /api/v1/admin/members/{account_id}  {"role"?, "status"?: "active"|"disabled"}
//!   DELETE /api/v1/admin/members/{account_id}
//!   GET    /api/v1/admin/audit-log?action=&actor=&from=&to=&cursor=&limit=

use shoal_domain::access_token;
use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::ids::is_uuid;
use shoal_domain::permissions::Role;
use worker::Request;

use crate::error::AppError;
use crate::staff::Caller;
use crate::store;

fn staff_role(body: &serde_json::Value) -> Result<Option<&str>, AppError> {
    match body["role"].as_str() {
        None => Ok(None),
        Some(r) if matches!(Role::parse(r), Some(Role::BrandAdmin | Role::Editor | Role::ReadOnly)) => Ok(Some(r)),
        Some(_) => Err(AppError::BadRequest("invalid_role", "role is brand_admin, editor or read_only".into())),
    }
}

pub async fn invite(config: &Config, brand: &BrandContext, caller: &Caller, base: &str, body: &serde_json::Value) -> Result<serde_json::Value, AppError> {
    let email = body["email"].as_str().map(|e| e.trim().to_lowercase()).filter(|e| e.contains('@'))
        .ok_or_else(|| AppError::BadRequest("invalid_email", "`email` is required".into()))?;
    let role = staff_role(body)?.ok_or_else(|| AppError::BadRequest("invalid_role", "`role` is required".into()))?;
    let token = access_token::refresh_token(crate::random::bytes()?);
    let url = format!("{base}/admin/accept-invitation?token={token}");
    store::admin::invite(config, &brand.id, &email, role, &access_token::refresh_hash(&token), &url, &caller.actor()).await
}

pub async fn update(config: &Config, brand: &BrandContext, caller: &Caller, account: &str, body: &serde_json::Value, remove: bool) -> Result<serde_json::Value, AppError> {
    if !is_uuid(account) {
        return Err(AppError::Refused { status: 404, code: "member_not_found".into(), detail: None });
    }
    staff_role(body)?;
    if let Some(status) = body["status"].as_str() {
        if !matches!(status, "active" | "disabled") {
            return Err(AppError::BadRequest("invalid_status", "status is active or disabled".into()));
        }
    }
    store::admin::update_member(config, &brand.id, account, body, remove, &caller.actor()).await
}

pub async fn audit_log(req: &Request, config: &Config, brand: &BrandContext) -> Result<serde_json::Value, AppError> {
    let q = |k: &str| super::query_param(req, k);
    let bad = |what: &'static str| AppError::BadRequest(what, format!("invalid {what}"));
    let before = match q("cursor") {
        None => None,
        Some(c) => Some(c.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| bad("invalid_cursor"))?),
    };
    let limit = match q("limit") {
        None => 50,
        Some(l) => l.parse::<i64>().ok().filter(|n| (1..=200).contains(n)).ok_or_else(|| bad("invalid_limit"))?,
    };
    let time = |k: &str| -> Result<Option<String>, AppError> {
        match q(k) {
            None => Ok(None),
            Some(t) => chrono::DateTime::parse_from_rfc3339(&t).map(|d| Some(d.to_rfc3339())).map_err(|_| bad("invalid_time")),
        }
    };
    let mut page = store::admin::audit_log(
        config,
        &brand.id,
        serde_json::json!({"p_action": q("action"), "p_actor": q("actor"), "p_from": time("from")?, "p_to": time("to")?,
                           "p_before": before, "p_limit": limit}),
    )
    .await?;
    if let Some(next) = page["next_before"].as_i64() {
        page["next_cursor"] = serde_json::json!(next.to_string());
    }
    if let Some(obj) = page.as_object_mut() {
        obj.remove("next_before");
    }
    Ok(page)
}
