//! Delivers the email outbox through an HTTP email API, speaking Resend's wire format
//! (`POST {EMAIL_API_BASE}/emails`, Bearer key, JSON; `Idempotency-Key` = outbox id so a
//! retried send is never delivered twice). Run by the cron handler.

use shoal_domain::config::Config;
use shoal_domain::email;
use worker::Method;

use crate::store::outbox;

/// Messages per cron run, and how long a claimed message is leased to this run.
const BATCH: i64 = 25;
const LEASE_SECONDS: i64 = 120;
/// After this many failed attempts a message is dead-lettered.
pub const MAX_ATTEMPTS: i64 = 5;

#[derive(Debug, Default, serde::Serialize)]
pub struct Report {
    pub sent: u32,
    pub failed: u32,
}

pub async fn deliver_outbox(config: &Config) -> Result<Report, String> {
    let due = outbox::claim(config, BATCH, LEASE_SECONDS).await.map_err(|e| format!("claim: {}", e.code()))?;
    let mut report = Report::default();
    for message in due {
        let id = message.id.clone();
        match send(config, &message).await {
            Ok(provider_id) => {
                report.sent += 1;
                outbox::sent(config, &id, &provider_id).await.map_err(|e| format!("mark sent: {}", e.code()))?;
            }
            Err(why) => {
                report.failed += 1;
                outbox::failed(config, &id, &why, MAX_ATTEMPTS).await.map_err(|e| format!("mark failed: {}", e.code()))?;
            }
        }
    }
    Ok(report)
}

async fn send(config: &Config, message: &outbox::Message) -> Result<String, String> {
    let brand = message.brand_name.as_deref().unwrap_or("Shoal");
    let rendered = email::render(&message.template, message.locale.as_deref().unwrap_or("en"), brand, &message.payload)
        .ok_or_else(|| format!("unknown template {}", message.template))?;
    let body = serde_json::json!({
        // the brand's name is data: quoted and stripped of line breaks (header injection)
        "from": email::from_header(brand, &config.email_from),
        "to": [message.to],
        "subject": rendered.subject,
        "text": rendered.text,
        "html": rendered.html,
    });
    let key = config.email_api_key.as_deref().ok_or("EMAIL_API_KEY is not configured")?;
    let bearer = format!("Bearer {key}");
    let headers = [("authorization", bearer.as_str()), ("content-type", "application/json"),
                   ("idempotency-key", message.id.as_str())];
    let url = format!("{}/emails", config.email_api_base.trim_end_matches('/'));
    let (status, text) = crate::outbound::send(Method::Post, &url, &headers, Some(body.to_string()))
        .await.map_err(|e| format!("unreachable: {e}"))?;
    let answer: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    if (200..300).contains(&status) {
        Ok(answer["id"].as_str().unwrap_or_default().to_owned())
    } else {
        Err(format!("{status} {}", answer["message"].as_str().unwrap_or("")))
    }
}
