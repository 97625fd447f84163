//! Members and the audit log of a brand (admin API; brand admins only, by the role table).
//!   GET    /api/v1/admin/members
//!   POST   /api/v1/admin/members/invitations   {"email", "role"}  (voids earlier ones to the address)
//!   GET    /api/v1/admin/invitations            open invitations
//!   DELETE /api/v1/admin/invitations/{id}       revoke one
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

/// The link in the invitation is built on the brand's primary host, never on the Host the
/// admin's request came with (a request to another of the brand's hosts, or a forged one
/// behind a proxy, must not choose where the invitee is sent). Production links are
/// https; in development the request's scheme and port are kept so links work locally.
pub async fn invite(req: &Request, config: &Config, brand: &BrandContext, caller: &Caller, body: &serde_json::Value) -> Result<serde_json::Value, AppError> {
    let email = body["email"].as_str().and_then(shoal_domain::email_address::normalize)
        .ok_or_else(|| crate::account::invalid_email("email"))?;
    let role = staff_role(body)?.ok_or_else(|| AppError::BadRequest("invalid_role", "`role` is required".into()))?;
    let primary = store::admin::call(config, "admin_primary_host", serde_json::json!({"p_brand_id": brand.id})).await?;
    let base = super::brand_origin(req, config, brand, primary.as_str());
    let token = access_token::refresh_token(crate::random::bytes()?);
    let url = format!("{base}/admin/accept-invitation?token={token}");
    store::admin::invite(config, &brand.id, &email, role, &access_token::refresh_hash(&token), &url, &caller.actor()).await
}

pub async fn invitations(config: &Config, brand: &BrandContext) -> Result<serde_json::Value, AppError> {
    store::admin::call(config, "admin_list_invitations", serde_json::json!({"p_brand_id": brand.id})).await
}

pub async fn revoke_invitation(config: &Config, brand: &BrandContext, caller: &Caller, id: &str) -> Result<serde_json::Value, AppError> {
    if !is_uuid(id) {
        return Err(AppError::Refused { status: 404, code: "invitation_not_found".into(), detail: None });
    }
    store::admin::call(config, "admin_revoke_invitation",
        serde_json::json!({"p_brand_id": brand.id, "p_invitation_id": id, "p_actor": caller.actor()})).await
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
