//! Custom domains of a brand (admin API; `manage_domains`: brand and super admins):
//!   GET    /api/v1/admin/domains
//!   POST   /api/v1/admin/domains                 {"host"} → a claim, with the TXT record to create
//!          (IP literals, the platform's hosts and special-use names are refused; a claim
//!          lapses after 7 days, and another brand's unverified claim never blocks one)
//!   POST   /api/v1/admin/domains/{host}/verify   looks the TXT record up (DNS over HTTPS): the
//!          verifying brand gets the host and every other brand's claim on it is dropped
//!   PATCH  /api/v1/admin/domains/{host}          {"primary": true}
//!   DELETE /api/v1/admin/domains/{host}
//! Every change forgets the host's cached brand in KV. All calls carry the staff member's
//! token except recording a verification: its proof is the worker's own DNS lookup, which
//! no staff token can carry, so that one step runs as the service role (docs/architecture.md).

use serde::{Deserialize, Serialize};
use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;
use shoal_domain::host::{check_custom_domain, normalize_host};
use worker::{Env, Method, Response};

use super::{db, Items};
use super::Caller;
use crate::error::{json_ok, AppError};
use crate::{kv, store};

/// The TXT record that proves a claim.
#[derive(Debug, Serialize, Deserialize)]
pub struct Verification {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub value: String,
}

/// A host of the brand (verified) or a claim on one (with its TXT record and lapse time).
#[derive(Debug, Serialize, Deserialize)]
pub struct Domain {
    pub host: String,
    pub is_primary: bool,
    pub verified: bool,
    pub verification: Option<Verification>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct AddBody {
    #[serde(default)]
    host: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct UpdateBody {
    #[serde(default)]
    primary: Option<bool>,
}

fn host_param(raw: &str) -> Result<String, AppError> {
    normalize_host(raw).map_err(AppError::InvalidHost)
}

async fn forget(env: &Env, host: &str) {
    kv::forget_brand_hosts(env, &serde_json::json!([host])).await;
}

pub async fn list(config: &Config, caller: &Caller) -> Result<Response, AppError> {
    let items: Vec<Domain> = db::call(config, caller, "admin_list_domains", serde_json::json!({})).await?;
    json_ok(&Items { items }, 200)
}

pub async fn add(env: &Env, config: &Config, caller: &Caller, body: AddBody) -> Result<Response, AppError> {
    let host = host_param(body.host.as_deref().unwrap_or_default())?;
    check_custom_domain(&host, &config.platform_host)
        .map_err(|why| AppError::Refused { status: 422, code: why.code().into(), detail: None })?;
    let token = format!("shoal-verify={}", shoal_domain::request_id::from_random(crate::random::bytes()?));
    let items: Vec<Domain> =
        db::call(config, caller, "admin_add_domain", serde_json::json!({"p_host": host, "p_token": token})).await?;
    forget(env, &host).await;
    json_ok(&Items { items }, 201)
}

pub async fn verify(env: &Env, config: &Config, brand: &BrandContext, caller: &Caller, raw_host: &str) -> Result<Response, AppError> {
    let host = host_param(raw_host)?;
    let token: Option<String> = db::call(config, caller, "admin_domain_token", serde_json::json!({"p_host": host})).await?;
    let Some(token) = token else {
        return Err(AppError::Refused { status: 404, code: "domain_not_found".into(), detail: Some("or already verified".into()) });
    };
    if !txt_records(config, &format!("_shoal.{host}")).await?.contains(&token) {
        return Err(AppError::Refused { status: 409, code: "verification_record_missing".into(), detail: Some(format!("_shoal.{host} TXT {token}")) });
    }
    let args = serde_json::json!({"p_brand_id": brand.id, "p_host": host, "p_actor": caller.actor()});
    store::postgrest::rpc(config, DbClaims::service(), "record_domain_verification", args).await?;
    forget(env, &host).await;
    list(config, caller).await
}

pub async fn update(env: &Env, config: &Config, caller: &Caller, raw_host: &str, body: UpdateBody) -> Result<Response, AppError> {
    let host = host_param(raw_host)?;
    let args = serde_json::json!({"p_host": host, "p_primary": body.primary == Some(true)});
    let items: Vec<Domain> = db::call(config, caller, "admin_update_domain", args).await?;
    forget(env, &host).await;
    json_ok(&Items { items }, 200)
}

pub async fn remove(env: &Env, config: &Config, caller: &Caller, raw_host: &str) -> Result<Response, AppError> {
    let host = host_param(raw_host)?;
    let items: Vec<Domain> = db::call(config, caller, "admin_remove_domain", serde_json::json!({"p_host": host})).await?;
    forget(env, &host).await;
    json_ok(&Items { items }, 200)
}

/// A DNS-over-HTTPS JSON answer (RFC 8484's JSON flavour): TXT records are type 16.
#[derive(Debug, Default, Deserialize)]
struct DnsAnswer {
    #[serde(rename = "Answer", default)]
    answer: Vec<DnsRecord>,
}

#[derive(Debug, Deserialize)]
struct DnsRecord {
    #[serde(rename = "type", default)]
    kind: u16,
    #[serde(default)]
    data: String,
}

/// TXT records of `name`, through a DNS-over-HTTPS JSON API.
async fn txt_records(config: &Config, name: &str) -> Result<Vec<String>, AppError> {
    let url = format!("{}/dns-query?name={name}&type=TXT", config.dns_api_base.trim_end_matches('/'));
    let (_, text) = crate::outbound::send(Method::Get, &url, &[("accept", "application/dns-json")], None)
        .await.map_err(|e| AppError::Internal(format!("dns: {e}")))?;
    let body: DnsAnswer = serde_json::from_str(&text).map_err(|e| AppError::Internal(format!("dns answer: {e}")))?;
    Ok(body.answer.into_iter().filter(|r| r.kind == 16).map(|r| r.data.trim_matches('"').to_owned()).collect())
}

