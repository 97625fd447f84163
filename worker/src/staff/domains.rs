//! Custom domains of a brand (admin API; `manage_domains`: brand and super admins), each a
//! Cloudflare for SaaS custom hostname on the platform zone:
//!   GET    /api/v1/admin/domains
//!   POST   /api/v1/admin/domains                 {"host"} → a claim holding a new custom
//!          hostname, listed with the DNS records to set (CNAME to the SaaS target, Cloudflare's
//!          ownership and certificate TXT records). IP literals, the platform's hosts and
//!          special-use names are refused; a claim lapses after 7 days. When another brand's
//!          claim holds the host's custom hostname (Cloudflare takes a host once per zone), the
//!          claim holds none and shows a `_shoal.{host}` TXT proof instead.
//!   POST   /api/v1/admin/domains/{host}/verify   asks Cloudflare (at most once per 10 s per
//!          brand and host): both the hostname and its certificate active → the host is the
//!          brand's (200, as for a host already verified); otherwise the current statuses and
//!          records (202). A claim proving by TXT (DNS over HTTPS) drops every other claim on
//!          the host, deletes their custom hostname and registers its own (202: now set the
//!          records shown).
//!   PATCH  /api/v1/admin/domains/{host}          {"primary": true}
//!   DELETE /api/v1/admin/domains/{host}          deletes the custom hostname at Cloudflare, then the row
//! Cloudflare is asked first and the database written after; a database write that fails
//! deletes what was just created at Cloudflare. Every change forgets the host's cached brand
//! in KV. Staff calls carry the staff member's token; what Cloudflare or DNS answered is
//! recorded as the service role (docs/architecture.md "Who the database sees").

use serde::{Deserialize, Serialize};
use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::custom_hostnames::{DnsRecord, SaasSettings};
use shoal_domain::db_token::DbClaims;
use shoal_domain::host::{check_custom_domain, normalize_host};
use worker::{Env, Method, Response};

use super::custom_hostnames as cf;
use super::Caller;
use super::{db, Items};
use crate::error::{json_ok, AppError};
use crate::{kv, rate_limit, store};

/// Refreshes of one host's status at Cloudflare: one per this many seconds per brand.
pub const REFRESH_WINDOW_SECONDS: i64 = 10;

/// The TXT record that proves a claim whose host's custom hostname another claim holds.
#[derive(Debug, Serialize, Deserialize)]
pub struct Verification {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub value: String,
}

/// A host of the brand (verified) or a claim on one: its statuses at Cloudflare, the DNS
/// records to set (or the TXT proof), and its lapse time.
#[derive(Debug, Serialize, Deserialize)]
pub struct Domain {
    pub host: String,
    pub is_primary: bool,
    pub verified: bool,
    pub status: String,
    pub ssl_status: Option<String>,
    #[serde(default)]
    pub dns_records: Vec<DnsRecord>,
    pub verification: Option<Verification>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<String>,
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

#[derive(Deserialize)]
struct Availability {
    held: bool,
}

#[derive(Deserialize)]
struct Claim {
    token: String,
    custom_hostname_id: Option<String>,
}

#[derive(Deserialize)]
struct Removal {
    custom_hostname_id: Option<String>,
}

fn host_param(raw: &str) -> Result<String, AppError> {
    normalize_host(raw).map_err(AppError::InvalidHost)
}

fn saas(config: &Config) -> Result<&SaasSettings, AppError> {
    config.saas.as_ref().ok_or_else(|| AppError::Refused {
        status: 503,
        code: "custom_domains_unavailable".into(),
        detail: Some("Cloudflare for SaaS is not configured (CF_API_TOKEN, CF_ZONE_ID)".into()),
    })
}

async fn forget(env: &Env, host: &str) {
    kv::forget_brand_hosts(env, &serde_json::json!([host])).await;
}

async fn listed(config: &Config, caller: &Caller, status: u16) -> Result<Response, AppError> {
    let items: Vec<Domain> = db::call(config, caller, "admin_list_domains", serde_json::json!({})).await?;
    json_ok(&Items { items }, status)
}

pub async fn list(config: &Config, caller: &Caller) -> Result<Response, AppError> {
    listed(config, caller, 200).await
}

/// Creates the host's custom hostname at Cloudflare, then records the claim holding it
/// (a new one, or the brand's claim that held none); deletes it again if that fails.
async fn register(
    config: &Config,
    s: &SaasSettings,
    brand: &BrandContext,
    caller: &Caller,
    host: &str,
    token: &str,
) -> Result<(), AppError> {
    let created = cf::create(s, host).await?;
    let args = serde_json::json!({"p_brand_id": brand.id, "p_host": host, "p_token": token, "p_actor": caller.actor(),
                                  "p_custom_hostname": created.to_record(&s.target)});
    if let Err(e) = store::postgrest::rpc(config, DbClaims::service(), "record_domain_claim", args).await {
        cf::undo(s, &created.id).await;
        return Err(e);
    }
    Ok(())
}

pub async fn add(env: &Env, config: &Config, brand: &BrandContext, caller: &Caller, body: AddBody) -> Result<Response, AppError> {
    let host = host_param(body.host.as_deref().unwrap_or_default())?;
    check_custom_domain(&host, &config.platform_host).map_err(|why| AppError::Refused {
        status: 422,
        code: why.code().into(),
        detail: None,
    })?;
    let s = saas(config)?;
    let token = format!("shoal-verify={}", shoal_domain::request_id::from_random(crate::random::bytes()?));
    let availability: Availability = db::call(config, caller, "admin_domain_availability", serde_json::json!({"p_host": host})).await?;
    if availability.held {
        let _: serde_json::Value =
            db::call(config, caller, "admin_add_domain", serde_json::json!({"p_host": host, "p_token": token})).await?;
    } else {
        register(config, s, brand, caller, &host, &token).await?;
    }
    forget(env, &host).await;
    listed(config, caller, 201).await
}

pub async fn verify(env: &Env, config: &Config, brand: &BrandContext, caller: &Caller, raw_host: &str) -> Result<Response, AppError> {
    let host = host_param(raw_host)?;
    let s = saas(config)?;
    let claim: Option<Claim> = db::call(config, caller, "admin_domain_claim", serde_json::json!({"p_host": host})).await?;
    let Some(claim) = claim else {
        // verified meanwhile (cron's refresh, say): the answer the admin was waiting for
        let items: Vec<Domain> = db::call(config, caller, "admin_list_domains", serde_json::json!({})).await?;
        if items.iter().any(|d| d.host == host && d.verified) {
            return json_ok(&Items { items }, 200);
        }
        return Err(AppError::Refused { status: 404, code: "domain_not_found".into(), detail: None });
    };
    let Some(id) = claim.custom_hostname_id else {
        return take_over(env, config, s, brand, caller, &host, &claim.token).await;
    };
    rate_limit::check(env, "domain_refresh", &format!("{}/{host}", brand.id), 1, REFRESH_WINDOW_SECONDS).await?;
    let current = cf::get(s, &id).await?;
    let checked = cf::record_check(config, s, &current, &caller.actor()).await?;
    forget(env, &host).await;
    listed(config, caller, if checked.state == "active" { 200 } else { 202 }).await
}

/// The brand's `_shoal.{host}` TXT token is in DNS: the host's custom hostname (another
/// brand's claim held it) is deleted at Cloudflare, that claim dropped, and the brand's own
/// custom hostname created; it then goes live as any other (202: set the records listed).
async fn take_over(
    env: &Env,
    config: &Config,
    s: &SaasSettings,
    brand: &BrandContext,
    caller: &Caller,
    host: &str,
    token: &str,
) -> Result<Response, AppError> {
    if !txt_records(config, &format!("_shoal.{host}")).await?.iter().any(|t| t == token) {
        return Err(AppError::Refused {
            status: 409,
            code: "verification_record_missing".into(),
            detail: Some(format!("_shoal.{host} TXT {token}")),
        });
    }
    let args = serde_json::json!({"p_brand_id": brand.id, "p_host": host, "p_actor": caller.actor()});
    let dropped = store::postgrest::rpc(config, DbClaims::service(), "take_over_domain", args).await?;
    let dropped: Vec<String> =
        serde_json::from_value(dropped).map_err(|e| AppError::Internal(format!("take_over_domain answered an unexpected shape: {e}")))?;
    for id in &dropped {
        cf::delete(s, id).await?;
    }
    register(config, s, brand, caller, host, token).await?;
    forget(env, host).await;
    listed(config, caller, 202).await
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
    let removal: Removal = db::call(config, caller, "admin_domain_removal", serde_json::json!({"p_host": host})).await?;
    if let Some(id) = removal.custom_hostname_id {
        cf::delete(saas(config)?, &id).await?;
    }
    let items: Vec<Domain> = db::call(config, caller, "admin_remove_domain", serde_json::json!({"p_host": host})).await?;
    forget(env, &host).await;
    json_ok(&Items { items }, 200)
}

/// A DNS-over-HTTPS JSON answer (RFC 8484's JSON flavour): TXT records are type 16.
#[derive(Debug, Default, Deserialize)]
struct DnsAnswer {
    #[serde(rename = "Answer", default)]
    answer: Vec<DohRecord>,
}

#[derive(Debug, Deserialize)]
struct DohRecord {
    #[serde(rename = "type", default)]
    kind: u16,
    #[serde(default)]
    data: String,
}

/// TXT records of `name`, through a DNS-over-HTTPS JSON API.
async fn txt_records(config: &Config, name: &str) -> Result<Vec<String>, AppError> {
    let url = format!("{}/dns-query?name={name}&type=TXT", config.dns_api_base.trim_end_matches('/'));
    let (_, text) = crate::outbound::send(Method::Get, &url, &[("accept", "application/dns-json")], None)
        .await
        .map_err(|e| AppError::Internal(format!("dns: {e}")))?;
    let body: DnsAnswer = serde_json::from_str(&text).map_err(|e| AppError::Internal(format!("dns answer: {e}")))?;
    Ok(body.answer.into_iter().filter(|r| r.kind == 16).map(|r| r.data.trim_matches('"').to_owned()).collect())
}
