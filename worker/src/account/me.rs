//! `GET /api/v1/account/me`: who is signed in, what their role lets them do (the dashboard
//! hides what it may not), their profile and language, the brand, and the session's CSRF
//! token (the dashboard sends it back as `x-csrf-token`).

use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::permissions::{allows, Action};
use worker::Response;

use super::caller::Staff;
use super::{csrf, store};
use crate::error::{json_response, AppError};

/// The snake_case name of each action, as the dashboard reads it.
fn action_name(a: Action) -> &'static str {
    match a {
        Action::ReadOrders => "read_orders",
        Action::ManageOrders => "manage_orders",
        Action::ReadCatalog => "read_catalog",
        Action::ManageCatalog => "manage_catalog",
        Action::ManageInventory => "manage_inventory",
        Action::ManageKnowledge => "manage_knowledge",
        Action::ManageMembers => "manage_members",
        Action::ManageDomains => "manage_domains",
        Action::ManageBilling => "manage_billing",
        Action::ManagePayments => "manage_payments",
        Action::ManageDevices => "manage_devices",
        Action::ReadAuditLog => "read_audit_log",
        Action::ManageData => "manage_data",
    }
}

pub async fn get(config: &Config, brand: &BrandContext, s: &Staff) -> Result<Response, AppError> {
    let profile = store::me(config, s).await?;
    let notifications = store::notifications(config, s).await?;
    let permissions: Vec<&str> = Action::ALL.into_iter().filter(|a| allows(s.role, *a)).map(action_name).collect();
    let locale = profile.locale.clone().filter(|l| !l.is_empty()).unwrap_or_else(|| brand.locale.clone());
    let mut resp = json_response(
        &serde_json::json!({
            "id": s.claims.sub,
            "brand_id": s.claims.brand_id,
            "role": s.role.as_str(),
            "permissions": permissions,
            "email": profile.email,
            "name": profile.name,
            "locale": locale,
            "mfa_enabled": profile.mfa_enabled,
            "mfa_required": s.mfa_required,
            "notifications": notifications,
            "brand": {"id": brand.id, "name": brand.name, "slug": brand.slug, "currency": brand.currency, "locale": brand.locale},
            "csrf_token": csrf::token(config, brand, &s.family_id),
        }),
        200,
    );
    let _ = resp.headers_mut().set("cache-control", "no-store");
    Ok(resp)
}
