//! Cloudflare for SaaS custom hostnames on the platform zone (API v4):
//!   POST   /zones/{zone}/custom_hostnames        {"hostname", "ssl": {"method": "txt", "type": "dv", …}}
//!   GET    /zones/{zone}/custom_hostnames/{id}
//!   DELETE /zones/{zone}/custom_hostnames/{id}
//! Refusals become the admin's codes through `shoal_domain::custom_hostnames::refusal`;
//! Cloudflare's own message goes to the log. Also cron's part: refreshing pending
//! hostnames and deleting those of lapsed claims (service role, docs/architecture.md).

use serde::Deserialize;
use shoal_domain::config::Config;
use shoal_domain::custom_hostnames::{create_body, refusal, CustomHostname, SaasSettings};
use worker::Method;

use crate::error::AppError;
use crate::{kv, store};

/// Custom hostnames cron refreshes (and lapsed ones it deletes) per run: each is one
/// Cloudflare call, and a run has a bounded number of subrequests.
pub const CRON_BATCH: i64 = 20;

/// Cloudflare API v4's envelope.
#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    success: bool,
    #[serde(default)]
    errors: Vec<ApiError>,
    #[serde(default)]
    result: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    message: String,
}

async fn call(
    s: &SaasSettings,
    method: Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> Result<Option<serde_json::Value>, AppError> {
    let url = format!("{}/zones/{}/custom_hostnames{path}", s.api_base, s.zone_id);
    let bearer = format!("Bearer {}", s.api_token);
    let headers = [("authorization", bearer.as_str()), ("content-type", "application/json")];
    let (status, text) = match crate::outbound::send(method, &url, &headers, body.map(|b| b.to_string())).await {
        Ok(answer) => answer,
        Err(e) => (599, format!("{{\"unreachable\": {:?}}}", e.to_string())),
    };
    let envelope: Option<Envelope> = serde_json::from_str(&text).ok();
    if let Some(e) = envelope.as_ref().filter(|e| (200..300).contains(&status) && e.success) {
        return Ok(e.result.clone());
    }
    let first = envelope.and_then(|e| e.errors.into_iter().next());
    let r = refusal(status, first.as_ref().and_then(|e| e.code));
    worker::console_warn!(
        "{}",
        serde_json::json!({"level": "warn", "event": "cloudflare_refused", "path": path, "status": status,
        "cloudflare_code": first.as_ref().and_then(|e| e.code), "cloudflare_message": first.map(|e| e.message), "code": r.code})
    );
    Err(AppError::Refused { status: r.status, code: r.code.into(), detail: Some(r.message.into()) })
}

fn read(result: Option<serde_json::Value>) -> Result<CustomHostname, AppError> {
    let h: CustomHostname = serde_json::from_value(result.unwrap_or_default())
        .map_err(|e| AppError::Internal(format!("cloudflare custom hostname answered an unexpected shape: {e}")))?;
    if h.id.is_empty() {
        return Err(AppError::Internal("cloudflare answered a custom hostname without an id".into()));
    }
    Ok(h)
}

pub async fn create(s: &SaasSettings, host: &str) -> Result<CustomHostname, AppError> {
    read(call(s, Method::Post, "", Some(create_body(host))).await?)
}

pub async fn get(s: &SaasSettings, id: &str) -> Result<CustomHostname, AppError> {
    read(call(s, Method::Get, &format!("/{id}"), None).await?)
}

/// Deletes a custom hostname; one Cloudflare no longer has counts as deleted.
pub async fn delete(s: &SaasSettings, id: &str) -> Result<(), AppError> {
    match call(s, Method::Delete, &format!("/{id}"), None).await {
        Err(e) if e.code() == "hostname_missing" => Ok(()),
        other => other.map(|_| ()),
    }
}

/// After a database write failed: the custom hostname just created must not outlive it.
pub async fn undo(s: &SaasSettings, id: &str) {
    if let Err(e) = delete(s, id).await {
        worker::console_error!(
            "{}",
            serde_json::json!({"level": "error", "event": "custom_hostname_orphaned", "custom_hostname_id": id, "code": e.code()})
        );
    }
}

#[derive(Deserialize)]
struct Due {
    #[serde(default)]
    refresh: Vec<DueHostname>,
    #[serde(default)]
    lapsed: Vec<DueHostname>,
}

#[derive(Deserialize)]
struct DueHostname {
    id: String,
    host: String,
}

/// What `record_custom_hostname_check` did: `active`, `pending` or `unknown`.
#[derive(Debug, Deserialize)]
pub struct Checked {
    pub state: String,
}

/// Records what Cloudflare answered for a claim's custom hostname (service role).
pub async fn record_check(config: &Config, s: &SaasSettings, current: &CustomHostname, actor: &str) -> Result<Checked, AppError> {
    let args = serde_json::json!({"p_custom_hostname": current.to_record(&s.target), "p_actor": actor});
    let done = store::cron::call(config, "record_custom_hostname_check", args).await?;
    serde_json::from_value(done).map_err(|e| AppError::Internal(format!("record_custom_hostname_check answered an unexpected shape: {e}")))
}

/// What a cron run did with custom hostnames.
#[derive(Debug, Default, serde::Serialize)]
pub struct CronReport {
    pub activated: i64,
    pub pending: i64,
    pub lapsed_deleted: i64,
    pub failed: i64,
}

/// Cron: refreshes a batch of pending custom hostnames (activating those Cloudflare reports
/// live) and deletes those of lapsed claims, at Cloudflare first and then in the database.
pub async fn cron(env: &worker::Env, config: &Config) -> Result<CronReport, AppError> {
    let mut report = CronReport::default();
    let Some(s) = config.saas.as_ref() else {
        return Ok(report);
    };
    let due = store::cron::call(config, "custom_hostnames_due", serde_json::json!({"p_limit": CRON_BATCH})).await?;
    let due: Due =
        serde_json::from_value(due).map_err(|e| AppError::Internal(format!("custom_hostnames_due answered an unexpected shape: {e}")))?;
    for h in &due.refresh {
        let checked = match get(s, &h.id).await {
            Ok(current) => record_check(config, s, &current, "system").await,
            Err(e) => Err(e),
        };
        match checked {
            Ok(c) if c.state == "active" => {
                report.activated += 1;
                kv::forget_brand_hosts(env, &serde_json::json!([h.host])).await;
            }
            Ok(_) => report.pending += 1,
            Err(_) => report.failed += 1,
        }
    }
    for h in &due.lapsed {
        let dropped = match delete(s, &h.id).await {
            Ok(()) => store::cron::call(config, "drop_lapsed_custom_hostname", serde_json::json!({"p_custom_hostname_id": h.id}))
                .await
                .map(|_| ()),
            Err(e) => Err(e),
        };
        match dropped {
            Ok(()) => report.lapsed_deleted += 1,
            Err(_) => report.failed += 1,
        }
    }
    Ok(report)
}
