//! Custom domains of a brand (brand admins):
//!   GET    /api/v1/admin/domains
//!   POST   /api/v1/admin/domains                 {"host"} → a claim, with the TXT record to create
//!          (IP literals, the platform's hosts and special-use names are refused; a claim
//!          lapses after 7 days, and another brand's unverified claim never blocks one)
//!   POST   /api/v1/admin/domains/{host}/verify   looks the TXT record up (DNS over HTTPS): the
//!          verifying brand gets the host and every other brand's claim on it is dropped
//!   PATCH  /api/v1/admin/domains/{host}          {"primary": true}
//!   DELETE /api/v1/admin/domains/{host}
//! Every change forgets the host's cached brand in KV.

use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::host::{check_custom_domain, normalize_host};
use worker::{Env, Method};

use crate::error::AppError;
use crate::staff::Caller;
use crate::{kv, store};

fn host_param(raw: &str) -> Result<String, AppError> {
    normalize_host(raw).map_err(AppError::InvalidHost)
}

pub async fn list(config: &Config, brand: &BrandContext) -> Result<serde_json::Value, AppError> {
    store::admin::call(config, "admin_list_domains", serde_json::json!({"p_brand_id": brand.id})).await
}

pub async fn add(env: &Env, config: &Config, brand: &BrandContext, caller: &Caller, body: &serde_json::Value) -> Result<serde_json::Value, AppError> {
    let host = host_param(body["host"].as_str().unwrap_or_default())?;
    check_custom_domain(&host, &config.platform_host)
        .map_err(|why| AppError::Refused { status: 422, code: why.code().into(), detail: None })?;
    let token = format!("shoal-verify={}", shoal_domain::request_id::from_random(crate::random::bytes()?));
    let list = store::admin::call(
        config,
        "admin_add_domain",
        serde_json::json!({"p_brand_id": brand.id, "p_host": host, "p_token": token, "p_actor": caller.actor()}),
    )
    .await?;
    kv::forget_brand_hosts(env, &serde_json::json!([host])).await;
    Ok(list)
}

pub async fn verify(env: &Env, config: &Config, brand: &BrandContext, caller: &Caller, raw_host: &str) -> Result<serde_json::Value, AppError> {
    let host = host_param(raw_host)?;
    let token = store::admin::call(config, "admin_domain_token", serde_json::json!({"p_brand_id": brand.id, "p_host": host})).await?;
    let Some(token) = token.as_str() else {
        return Err(AppError::Refused { status: 404, code: "domain_not_found".into(), detail: Some("or already verified".into()) });
    };
    if !txt_records(config, &format!("_shoal.{host}")).await?.iter().any(|t| t == token) {
        return Err(AppError::Refused { status: 409, code: "verification_record_missing".into(), detail: Some(format!("_shoal.{host} TXT {token}")) });
    }
    update(env, config, brand, caller, &host, true, false).await
}

pub async fn update(env: &Env, config: &Config, brand: &BrandContext, caller: &Caller, host: &str, verified: bool, primary: bool) -> Result<serde_json::Value, AppError> {
    let list = store::admin::call(
        config,
        "admin_update_domain",
        serde_json::json!({"p_brand_id": brand.id, "p_host": host, "p_verified": verified, "p_primary": primary, "p_actor": caller.actor()}),
    )
    .await?;
    kv::forget_brand_hosts(env, &serde_json::json!([host])).await;
    Ok(list)
}

pub async fn remove(env: &Env, config: &Config, brand: &BrandContext, caller: &Caller, raw_host: &str) -> Result<serde_json::Value, AppError> {
    let host = host_param(raw_host)?;
    let list = store::admin::call(
        config,
        "admin_remove_domain",
        serde_json::json!({"p_brand_id": brand.id, "p_host": host, "p_actor": caller.actor()}),
    )
    .await?;
    kv::forget_brand_hosts(env, &serde_json::json!([host])).await;
    Ok(list)
}

pub fn host_of(raw: &str) -> Result<String, AppError> {
    host_param(raw)
}

/// TXT records of `name`, through a DNS-over-HTTPS JSON API.
async fn txt_records(config: &Config, name: &str) -> Result<Vec<String>, AppError> {
    let url = format!("{}/dns-query?name={name}&type=TXT", config.dns_api_base.trim_end_matches('/'));
    let (_, text) = crate::outbound::send(Method::Get, &url, &[("accept", "application/dns-json")], None)
        .await.map_err(|e| AppError::Internal(format!("dns: {e}")))?;
    let body: serde_json::Value = serde_json::from_str(&text).map_err(|e| AppError::Internal(format!("dns answer: {e}")))?;
    Ok(body["Answer"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|r| r["type"] == 16)
                .filter_map(|r| r["data"].as_str())
                .map(|d| d.trim_matches('"').to_owned())
                .collect()
        })
        .unwrap_or_default())
}
