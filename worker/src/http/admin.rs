//! `/api/v1/admin/…` on a brand's host, for signed-in staff only (each route checks the
//! role × action table; database tokens, the service role's included, are refused). A
//! brand whose subscription is blocked gets 402 everywhere except billing, which it needs
//! to pay.

use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::permissions::Action;
use worker::{Method, Request, Response};

use super::read_body;
use crate::error::AppError;
use crate::staff::{self, billing, require};

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
    // HEAD is answered as GET wherever GET is (the route table allows it)
    let method = if req.method() == Method::Head { Method::Get } else { req.method() };
    match (method, segments.as_slice()) {
        (Method::Get, ["orders"]) => {
            require(&caller, Action::ReadOrders)?;
            staff::orders_list::list(config, &caller, staff::orders_list::filters(&req)?).await
        }
        (Method::Get, ["orders", "export.csv"]) => {
            require(&caller, Action::ReadOrders)?;
            staff::orders_export::export(config, &caller, staff::orders_list::filters(&req)?).await
        }
        (Method::Post, ["orders", id, "refunds"]) => {
            require(&caller, Action::ManageOrders)?;
            staff::refunds::create(config, brand, &caller, id, read_body(&mut req).await?).await
        }
        (Method::Get, ["customers"]) => {
            require(&caller, Action::ReadOrders)?;
            staff::customers::list(config, &caller, staff::customers::CustomerQuery::parse(&req)?).await
        }
        (Method::Get, ["customers", id]) => {
            require(&caller, Action::ReadOrders)?;
            staff::customers::get(config, &caller, id).await
        }
        (Method::Get, ["overview"]) => {
            require(&caller, Action::ReadOrders)?;
            staff::overview::get(config, &caller).await
        }
        (Method::Get, ["devices"]) => {
            require(&caller, Action::ManageDevices)?;
            staff::devices_read::list(config, brand, &caller, &billing.state).await
        }
        (Method::Get, ["devices", id]) => {
            require(&caller, Action::ManageDevices)?;
            staff::devices_read::get(config, brand, &caller, &billing.state, id).await
        }
        // `orders/export.csv` is its own route (the route table's), not an order id
        (Method::Get, ["orders", id]) if *id != "export.csv" => {
            require(&caller, Action::ReadOrders)?;
            staff::orders::get(config, &caller, id).await
        }
        (Method::Post, ["orders", id, "transitions"]) => {
            require(&caller, Action::ManageOrders)?;
            staff::orders::transition(config, brand, &caller, id, read_body(&mut req).await?).await
        }
        (Method::Get, ["products"]) => {
            require(&caller, Action::ReadCatalog)?;
            staff::catalog_products::list(&req, config, &caller).await
        }
        (Method::Post, ["products"]) => {
            require(&caller, Action::ManageCatalog)?;
            staff::catalog_products::create(env, config, &caller, read_body(&mut req).await?).await
        }
        (Method::Get, ["products", id]) => {
            require(&caller, Action::ReadCatalog)?;
            staff::catalog_products::get(config, &caller, id).await
        }
        // `{id}`; a slug (not a UUID) is the older edit with a price for every variant
        (Method::Patch, ["products", id]) if shoal_domain::ids::is_uuid(id) => {
            require(&caller, Action::ManageCatalog)?;
            staff::catalog_products::edit(env, config, &caller, id, read_body(&mut req).await?).await
        }
        (Method::Patch, ["products", slug]) => {
            require(&caller, Action::ManageCatalog)?;
            staff::products::update(env, config, &caller, slug, read_body(&mut req).await?).await
        }
        (Method::Post, ["products", id, action @ ("archive" | "restore")]) => {
            require(&caller, Action::ManageCatalog)?;
            staff::catalog_products::set_archived(env, config, &caller, id, *action == "archive").await
        }
        (Method::Post, ["products", id, "duplicate"]) => {
            require(&caller, Action::ManageCatalog)?;
            staff::catalog_products::duplicate(env, config, &caller, id).await
        }
        (Method::Post, ["products", id, "variants"]) => {
            require(&caller, Action::ManageCatalog)?;
            staff::catalog_variants::add(env, config, &caller, id, read_body(&mut req).await?).await
        }
        (Method::Patch, ["products", id, "variants", variant]) => {
            require(&caller, Action::ManageCatalog)?;
            staff::catalog_variants::edit(env, config, &caller, id, variant, read_body(&mut req).await?).await
        }
        (Method::Delete, ["products", id, "variants", variant]) => {
            require(&caller, Action::ManageCatalog)?;
            staff::catalog_variants::delete(env, config, &caller, id, variant).await
        }
        (Method::Get, ["categories"]) => {
            require(&caller, Action::ReadCatalog)?;
            staff::categories::list(config, &caller).await
        }
        (Method::Post, ["categories"]) => {
            require(&caller, Action::ManageCatalog)?;
            staff::categories::create(env, config, &caller, read_body(&mut req).await?).await
        }
        (Method::Post, ["categories", "reorder"]) => {
            require(&caller, Action::ManageCatalog)?;
            staff::categories::reorder(env, config, &caller, read_body(&mut req).await?).await
        }
        (Method::Patch, ["categories", id]) => {
            require(&caller, Action::ManageCatalog)?;
            staff::categories::edit(env, config, &caller, id, read_body(&mut req).await?).await
        }
        (Method::Delete, ["categories", id]) => {
            require(&caller, Action::ManageCatalog)?;
            staff::categories::delete(env, config, &caller, id).await
        }
        (Method::Get, ["inventory"]) => {
            require(&caller, Action::ReadCatalog)?;
            staff::inventory::list(&req, config, &caller).await
        }
        (Method::Patch, ["inventory", variant]) => {
            require(&caller, Action::ManageInventory)?;
            staff::inventory::set_threshold(env, config, &caller, variant, read_body(&mut req).await?).await
        }
        (Method::Get, ["inventory", variant, "adjustments"]) => {
            require(&caller, Action::ReadCatalog)?;
            staff::inventory::ledger(&req, config, &caller, variant).await
        }
        (Method::Post, ["inventory", variant, "adjustments"]) => {
            require(&caller, Action::ManageInventory)?;
            staff::inventory::adjust(env, config, &caller, variant, read_body(&mut req).await?).await
        }
        (Method::Post, ["products", product, "images"]) => {
            require(&caller, Action::ManageCatalog)?;
            let alt = staff::media::alt_param(&req)?;
            let bytes = super::read_bytes(&mut req, shoal_domain::media::MAX_BYTES).await?;
            staff::media::upload(env, config, &caller, product, alt, bytes).await
        }
        (Method::Patch, ["products", product, "images", image]) => {
            require(&caller, Action::ManageCatalog)?;
            staff::media::update(env, config, &caller, product, image, read_body(&mut req).await?).await
        }
        (Method::Delete, ["products", product, "images", image]) => {
            require(&caller, Action::ManageCatalog)?;
            staff::media::delete(env, config, &caller, product, image).await
        }
        (Method::Get, ["settings"]) => {
            require(&caller, Action::ReadCatalog)?;
            staff::settings::get(config, &caller).await
        }
        (Method::Patch, ["settings"]) => {
            require(&caller, Action::ManageMembers)?;
            staff::settings::update(env, config, &caller, read_body(&mut req).await?).await
        }
        (Method::Post, ["settings", "logo"]) => {
            require(&caller, Action::ManageMembers)?;
            let bytes = super::read_bytes(&mut req, shoal_domain::media::MAX_BYTES).await?;
            staff::media::logo(env, config, &caller, bytes).await
        }
        (Method::Put, ["settings", "legal", kind, language]) => {
            require(&caller, Action::ManageMembers)?;
            staff::settings::set_legal(config, &caller, kind, language, read_body(&mut req).await?).await
        }
        (Method::Post, ["settings", "publish"]) => {
            require(&caller, Action::ManageMembers)?;
            staff::settings::publish(env, config, &caller, read_body(&mut req).await?).await
        }
        (Method::Get, ["members"]) => {
            require(&caller, Action::ManageMembers)?;
            staff::members::list(config, &caller).await
        }
        (Method::Post, ["members", "invitations"]) => {
            require(&caller, Action::ManageMembers)?;
            let body = read_body(&mut req).await?;
            staff::invitations::invite(&req, config, brand, &caller, body).await
        }
        (Method::Get, ["invitations"]) => {
            require(&caller, Action::ManageMembers)?;
            staff::invitations::list(config, &caller).await
        }
        (Method::Delete, ["invitations", id]) => {
            require(&caller, Action::ManageMembers)?;
            staff::invitations::revoke(config, &caller, id).await
        }
        (Method::Patch, ["members", account]) => {
            require(&caller, Action::ManageMembers)?;
            let body = read_body(&mut req).await?;
            staff::members::update(config, &caller, account, Some(body)).await
        }
        (Method::Delete, ["members", account]) => {
            require(&caller, Action::ManageMembers)?;
            staff::members::update(config, &caller, account, None).await
        }
        (Method::Get, ["domains"]) => {
            require(&caller, Action::ManageDomains)?;
            staff::domains::list(config, &caller).await
        }
        (Method::Post, ["domains"]) => {
            require(&caller, Action::ManageDomains)?;
            let body = read_body(&mut req).await?;
            staff::domains::add(env, config, brand, &caller, body).await
        }
        (Method::Post, ["domains", host, "verify"]) => {
            require(&caller, Action::ManageDomains)?;
            staff::domains::verify(env, config, brand, &caller, host).await
        }
        (Method::Patch, ["domains", host]) => {
            require(&caller, Action::ManageDomains)?;
            let body = read_body(&mut req).await?;
            staff::domains::update(env, config, &caller, host, body).await
        }
        (Method::Delete, ["domains", host]) => {
            require(&caller, Action::ManageDomains)?;
            staff::domains::remove(env, config, &caller, host).await
        }
        (Method::Patch, ["settings", "security"]) => {
            require(&caller, Action::ManageMembers)?;
            staff::security::set(config, &caller, read_body(&mut req).await?).await
        }
        (Method::Patch, ["settings", "email"]) => {
            require(&caller, Action::ManageMembers)?;
            staff::email_settings::set(config, &caller, read_body(&mut req).await?).await
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
            let body = read_body(&mut req).await?;
            staff::devices::create(config, &caller, body).await
        }
        (Method::Post, ["devices", id, "activation-code"]) => {
            require(&caller, Action::ManageDevices)?;
            staff::devices::new_activation_code(config, &caller, id).await
        }
        (Method::Post, ["devices", id, "revoke"]) => {
            require(&caller, Action::ManageDevices)?;
            let body = read_body(&mut req).await?;
            staff::devices::revoke(config, &caller, id, body).await
        }
        (Method::Post, ["devices", id, "commands"]) => {
            require(&caller, Action::ManageDevices)?;
            let body = read_body(&mut req).await?;
            staff::devices::queue_command(config, &caller, id, body).await
        }
        (Method::Get, ["audit-log"]) => {
            require(&caller, Action::ReadAuditLog)?;
            staff::audit::page(config, &caller, staff::audit::AuditQuery::parse(&req)?).await
        }
        (Method::Get, ["payments"]) => {
            require(&caller, Action::ManagePayments)?;
            staff::payments::get(config, &caller).await
        }
        (Method::Post, ["payments", "connect"]) => {
            require(&caller, Action::ManagePayments)?;
            staff::payments::connect(&req, env, config, brand, &caller).await
        }
        (Method::Get, ["billing"]) => {
            require(&caller, Action::ManageBilling)?;
            billing::get(&billing)
        }
        (Method::Get, ["billing", "invoices"]) => {
            require(&caller, Action::ManageBilling)?;
            billing::invoices(config, &billing, &staff::orders_list::query_pairs(&req)?).await
        }
        (Method::Post, ["billing", "portal"]) => {
            require(&caller, Action::ManageBilling)?;
            billing::portal(config, &billing, &base).await
        }
        (Method::Post, ["billing", "checkout"]) => {
            require(&caller, Action::ManageBilling)?;
            billing::checkout(config, brand, &caller, &billing, &base, read_body(&mut req).await?).await
        }
        // the route table (`shoal_domain::api_routes`) let it through: a handler is missing
        _ => Err(super::not_handled(&req)),
    }
}
