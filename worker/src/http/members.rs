//! The audit log of a brand (admin API; `read_audit_log`). Members and invitations are in
//! `staff/members.rs` and `staff/invitations.rs`.
//!   GET    /api/v1/admin/audit-log?action=&actor=&from=&to=&cursor=&limit=

use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use worker::Request;

use crate::error::AppError;
use crate::store;

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
