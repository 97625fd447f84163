//! `/api/v1/admin/…` on a brand's host, for signed-in staff only (each route checks the
//! role × action table; database tokens, the service role's included, are refused). A
//! brand whose subscription is blocked gets 402 everywhere except billing, which it needs
//! to pay.

use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::permissions::Action;
use worker::{Method, Request, Response};

use super::{read_body, read_json};
use crate::error::{json_response, AppError};
use crate::staff::{self, billing, require, Caller};
use crate::store;

pub async fn handle(mut req: Request, env: &worker::Env, config: &Config, brand: &BrandContext) -> Result<Response, AppError> {
    let caller = staff::authenticate(&req, config, brand).await?;
    staff::require_mfa_if_demanded(&caller)?;
    let path = req.path();
    let rest = path.trim_start_matches("/api/v1/admin/");
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let base = super::origin(&req, brand);
    let billing = billing::state(config, &caller).await?;
    if segments.first() != Some(&"billing") {
        billing::refuse_if_blocked(&billing, &base)?;
    }
    match (req.method(), segments.as_slice()) {
        (Method::Get, ["orders", id]) => {
            require(&caller, Action::ReadOrders)?;
            staff::orders::get(config, &caller, id).await
        }
        (Method::Post, ["orders", id, "transitions"]) => {
            require(&caller, Action::ManageOrders)?;
            staff::orders::transition(config, brand, &caller, id, read_body(&mut req).await?).await
        }
        (Method::Patch, ["products", slug]) => {
            require(&caller, Action::ManageCatalog)?;
            staff::products::update(env, config, &caller, slug, read_body(&mut req).await?).await
        }
        (Method::Get, ["members"]) => {
            require(&caller, Action::ManageMembers)?;
            Ok(json_response(&serde_json::json!({"items": store::admin::members(config, &brand.id).await?}), 200))
        }
        (Method::Post, ["members", "invitations"]) => {
            require(&caller, Action::ManageMembers)?;
            let body: serde_json::Value = read_json(&mut req).await?;
            Ok(json_response(&super::members::invite(&req, config, brand, &caller, &body).await?, 201))
        }
        (Method::Get, ["invitations"]) => {
            require(&caller, Action::ManageMembers)?;
            Ok(json_response(&serde_json::json!({"items": super::members::invitations(config, brand).await?}), 200))
        }
        (Method::Delete, ["invitations", id]) => {
            require(&caller, Action::ManageMembers)?;
            Ok(json_response(&serde_json::json!({"items": super::members::revoke_invitation(config, brand, &caller, id).await?}), 200))
        }
        (Method::Patch, ["members", account]) => {
            require(&caller, Action::ManageMembers)?;
            let body: serde_json::Value = read_json(&mut req).await?;
            Ok(json_response(&serde_json::json!({"items": super::members::update(config, brand, &caller, account, &body, false).await?}), 200))
        }
        (Method::Delete, ["members", account]) => {
            require(&caller, Action::ManageMembers)?;
            let none = serde_json::json!({});
            Ok(json_response(&serde_json::json!({"items": super::members::update(config, brand, &caller, account, &none, true).await?}), 200))
        }
        (Method::Get, ["domains"]) => {
            require(&caller, Action::ManageDomains)?;
            Ok(json_response(&serde_json::json!({"items": super::domains::list(config, brand).await?}), 200))
        }
        (Method::Post, ["domains"]) => {
            require(&caller, Action::ManageDomains)?;
            let body: serde_json::Value = read_json(&mut req).await?;
            Ok(json_response(&serde_json::json!({"items": super::domains::add(env, config, brand, &caller, &body).await?}), 201))
        }
        (Method::Post, ["domains", host, "verify"]) => {
            require(&caller, Action::ManageDomains)?;
            Ok(json_response(&serde_json::json!({"items": super::domains::verify(env, config, brand, &caller, host).await?}), 200))
        }
        (Method::Patch, ["domains", host]) => {
            require(&caller, Action::ManageDomains)?;
            let body: serde_json::Value = read_json(&mut req).await?;
            let host = super::domains::host_of(host)?;
            let primary = body["primary"].as_bool() == Some(true);
            Ok(json_response(&serde_json::json!({"items": super::domains::update(env, config, brand, &caller, &host, false, primary).await?}), 200))
        }
        (Method::Delete, ["domains", host]) => {
            require(&caller, Action::ManageDomains)?;
            Ok(json_response(&serde_json::json!({"items": super::domains::remove(env, config, brand, &caller, host).await?}), 200))
        }
        (Method::Patch, ["settings", "security"]) => {
            require(&caller, Action::ManageMembers)?;
            staff::security::set(config, &caller, read_body(&mut req).await?).await
        }
        (Method::Get, ["export"]) => {
            require(&caller, Action::ManageData)?;
            staff::data::export(config, &caller).await
        }
        (Method::Post, ["customers", "erase"]) => {
            require(&caller, Action::ManageData)?;
            staff::data::erase(config, &caller, read_body(&mut req).await?).await
        }
        (Method::Post, ["releases"]) => {
            staff::releases::require_super_admin(&caller)?;
            // every parameter is checked before the body is read or anything reaches R2
            let params = staff::releases::ReleaseParams::parse(&req)?;
            let bytes = super::read_bytes(&mut req, staff::releases::MAX_BYTES).await?;
            staff::releases::publish(env, config, &caller, params, bytes).await
        }
        (Method::Delete, ["releases", platform, version]) => {
            staff::releases::require_super_admin(&caller)?;
            staff::releases::yank(config, &caller, platform, version).await
        }
        (Method::Post, ["devices"]) => {
            require(&caller, Action::ManageDevices)?;
            let body: serde_json::Value = read_json(&mut req).await?;
            Ok(json_response(&create_device(config, brand, &caller, &body).await?, 201))
        }
        (Method::Post, ["devices", id, "activation-code"]) => {
            require(&caller, Action::ManageDevices)?;
            Ok(json_response(&new_activation_code(config, brand, &caller, &device_id(id)?).await?, 201))
        }
        (Method::Post, ["devices", id, action @ ("revoke" | "commands")]) => {
            require(&caller, Action::ManageDevices)?;
            let body: serde_json::Value = read_json(&mut req).await?;
            let id = device_id(id)?;
            let done = if *action == "revoke" {
                let reason = body["reason"].as_str().filter(|r| !r.trim().is_empty())
                    .ok_or_else(|| AppError::BadRequest("missing_field", "`reason` is required".into()))?;
                let mut revoked = store::edge::call(config, "admin_revoke_device", serde_json::json!({"p_brand_id": brand.id,
                    "p_device_id": id, "p_reason": reason, "p_actor": caller.actor()})).await?;
                // the database refuses the device from now on; the issuer's revocation follows
                let at_issuer = crate::device_certs::revoke(config, revoked["cert_ref"].as_str().unwrap_or_default()).await;
                revoked["certificate_revoked_at_issuer"] = serde_json::json!(at_issuer.is_ok());
                revoked.as_object_mut().map(|o| o.remove("cert_ref"));
                revoked
            } else {
                let kind = body["kind"].as_str().filter(|k| matches!(*k, "refresh_catalog" | "rotate_certificate" | "upload_logs" | "lock_till" | "update_app"))
                    .ok_or_else(|| AppError::BadRequest("invalid_kind", "unknown command kind".into()))?;
                store::edge::call(config, "admin_queue_command", serde_json::json!({"p_brand_id": brand.id, "p_device_id": id,
                    "p_kind": kind, "p_payload": body["payload"], "p_actor": caller.actor()})).await?
            };
            Ok(json_response(&done, if *action == "revoke" { 200 } else { 201 }))
        }
        (Method::Get, ["audit-log"]) => {
            require(&caller, Action::ReadAuditLog)?;
            staff::audit::page(config, &caller, staff::audit::AuditQuery::parse(&req)?).await
        }
        (Method::Post, ["billing", "portal"]) => {
            require(&caller, Action::ManageBilling)?;
            billing::portal(config, &billing, &base).await
        }
        (Method::Post, ["billing", "checkout"]) => {
            require(&caller, Action::ManageBilling)?;
            billing::checkout(config, brand, &caller, &billing, &base, read_body(&mut req).await?).await
        }
        (_, ["orders", _] | ["orders", _, "transitions"] | ["billing", "portal" | "checkout"] | ["products", _]
            | ["members"] | ["members", _] | ["invitations"] | ["invitations", _] | ["audit-log"] | ["domains"] | ["domains", _] | ["domains", _, "verify"]
            | ["settings", "security"] | ["export"] | ["customers", "erase"] | ["devices"] | ["devices", _, _]
            | ["releases"] | ["releases", _, _]) => {
            Err(AppError::MethodNotAllowed)
        }
        _ => Err(AppError::NotFound),
    }
}

/// Device ids are UUIDs; anything else cannot name a device.
fn device_id(raw: &str) -> Result<&str, AppError> {
    if shoal_domain::ids::is_uuid(raw) {
        Ok(raw)
    } else {
        Err(AppError::Refused { status: 404, code: "device_not_found".into(), detail: None })
    }
}

/// A new device and its one-time activation code (shown once; stored as an HMAC).
async fn create_device(config: &Config, brand: &BrandContext, caller: &Caller, body: &serde_json::Value) -> Result<serde_json::Value, AppError> {
    let name = body["name"].as_str().map(str::trim).filter(|n| !n.is_empty() && n.len() <= 120)
        .ok_or_else(|| AppError::BadRequest("missing_field", "`name` is required".into()))?;
    with_new_activation_code(config, "admin_create_device", serde_json::json!({"p_brand_id": brand.id, "p_name": name,
        "p_store": body["store"], "p_actor": caller.actor()})).await
}

/// A fresh one-time code for an existing device (lapsed certificate, replaced box).
async fn new_activation_code(config: &Config, brand: &BrandContext, caller: &Caller, id: &str) -> Result<serde_json::Value, AppError> {
    with_new_activation_code(config, "admin_new_activation_code", serde_json::json!({"p_brand_id": brand.id, "p_device_id": id,
        "p_actor": caller.actor()})).await
}

/// Calls `function` with a fresh code added to `args` (its prefix and HMAC) and answers
/// the device with the code itself, the only time it is ever shown.
async fn with_new_activation_code(config: &Config, function: &str, mut args: serde_json::Value) -> Result<serde_json::Value, AppError> {
    let code = super::edge_activation::ActivationCode::fresh()?;
    args["p_code_prefix"] = serde_json::json!(code.prefix());
    args["p_code_hash"] = serde_json::json!(code.hash(config));
    let mut device = store::edge::call(config, function, args).await?;
    device["activation_code"] = serde_json::json!(code.as_str());
    Ok(device)
}
