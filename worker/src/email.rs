//! Delivers the email outbox through an HTTP email API, speaking Resend's wire format
//! (`POST {EMAIL_API_BASE}/emails`, Bearer key, JSON; `Idempotency-Key` = outbox id so a
//! retried send is never delivered twice).
//!
//! Two paths, one lease: right after a request whose database call queued mail, the rows
//! it named are sent once the response is out (`deliver_queued_soon`, `ctx.wait_until`);
//! the cron run sends whatever is still due (a failed send's retry, a row the immediate
//! path never reached) and dead-letters after `MAX_ATTEMPTS`. Why `wait_until` and not
//! Cloudflare Queues: docs/architecture.md "Email delivery".

use std::cell::RefCell;
use std::rc::Rc;

use shoal_domain::config::Config;
use shoal_domain::email;
use worker::{Context, Method};

use crate::store::outbox;

/// Messages per run, and how long a claimed message is leased to that run.
const BATCH: i64 = 25;
const LEASE_SECONDS: i64 = 120;
/// After this many failed attempts a message is dead-lettered.
pub const MAX_ATTEMPTS: i64 = 5;

#[derive(Debug, Default, serde::Serialize)]
pub struct Report {
    pub sent: u32,
    pub failed: u32,
}

/// The PostgREST response header naming the outbox rows a call committed (set by the
/// outbox's insert trigger, `announce_queued_emails`).
pub const QUEUED_HEADER: &str = "x-shoal-queued-emails";

thread_local! {
    /// Outbox ids committed by database calls of this isolate and not yet handed to a
    /// delivery. Requests interleave in an isolate, so whichever request finishes next may
    /// send another's rows: either way they go out right after they were committed.
    static QUEUED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Records the ids of one `x-shoal-queued-emails` header (comma-separated uuids).
pub fn note_queued(header: &str) {
    QUEUED.with(|q| {
        let mut q = q.borrow_mut();
        for id in header.split(',').map(str::trim).filter(|id| id.len() == 36) {
            if q.len() < BATCH as usize && !q.iter().any(|known| known == id) {
                q.push(id.to_owned());
            }
        }
    });
}

/// Called once per request by the pipeline, after the response is built: sends the rows
/// queued so far without holding the response back. A failure leaves them to the cron.
pub fn deliver_queued_soon(ctx: &Context, config: Rc<Config>) {
    let ids = QUEUED.with(|q| std::mem::take(&mut *q.borrow_mut()));
    if ids.is_empty() {
        return;
    }
    ctx.wait_until(async move {
        let report = deliver(&config, Some(&ids)).await;
        worker::console_log!("{}", serde_json::json!({"level": "info", "event": "emails_sent_now", "queued": ids.len(), "emails": report}));
    });
}

/// The cron's run: any due rows, a batch at a time (those its own jobs queued included).
pub async fn deliver_outbox(config: &Config) -> Result<Report, String> {
    QUEUED.with(|q| q.borrow_mut().clear());
    deliver(config, None).await
}

async fn deliver(config: &Config, ids: Option<&[String]>) -> Result<Report, String> {
    let due = outbox::claim(config, BATCH, LEASE_SECONDS, ids).await.map_err(|e| format!("claim: {}", e.code()))?;
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
    let languages = email::Languages::parse(message.languages.as_deref());
    let rendered = email::render_in(&message.template, message.locale.as_deref().unwrap_or("en"), languages, brand, &message.payload)
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
    let headers = [("authorization", bearer.as_str()), ("content-type", "application/json"), ("idempotency-key", message.id.as_str())];
    let url = format!("{}/emails", config.email_api_base.trim_end_matches('/'));
    let (status, text) =
        crate::outbound::send(Method::Post, &url, &headers, Some(body.to_string())).await.map_err(|e| format!("unreachable: {e}"))?;
    let answer: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    if (200..300).contains(&status) {
        Ok(answer["id"].as_str().unwrap_or_default().to_owned())
    } else {
        Err(format!("{status} {}", answer["message"].as_str().unwrap_or("")))
    }
}
