//! The email stand-in as an inbox. Mail goes out seconds after the request that queued it,
//! and a sent outbox row keeps no code or link: tests read them where a person would, in
//! the message the email API received.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{email_port, http, sql};

pub fn email_api(path: &str) -> String {
    format!("http://127.0.0.1:{}{path}", email_port())
}

/// Every request the email stand-in received, oldest first.
pub fn journal() -> Vec<Value> {
    http("GET", &email_api("/__requests"), &[], None).json()["data"].as_array().cloned().unwrap_or_default()
}

/// The message the email API accepted for outbox row `id` (its JSON body), if any yet.
pub fn accepted(id: &str) -> Option<Value> {
    journal()
        .into_iter()
        .find(|e| e["headers"]["idempotency-key"] == id && e["status"] == 200)
        .and_then(|e| serde_json::from_str(e["body"].as_str().unwrap_or("{}")).ok())
}

/// The newest `template` message to `to`, as the email API accepted it; waits up to 5 s
/// for it to arrive (no cron run: it is sent right after the request that queued it).
pub fn newest(to: &str, template: &str) -> Value {
    let started = Instant::now();
    loop {
        let id = sql(&format!(
            "select id from email_outbox where to_email = '{to}' and template = '{template}' order by created_at desc limit 1"
        ));
        if let Some(message) = Some(id).filter(|i| !i.is_empty()).and_then(|i| accepted(&i)) {
            return message;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "no {template} email to {to} reached the email API within 5 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The one-time code (six digits) of the newest `template` message to `to`.
pub fn code(to: &str, template: &str) -> String {
    let text = newest(to, template)["text"].as_str().unwrap_or_default().to_owned();
    text.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).unwrap_or_else(|| panic!("no code in {text}")).to_owned()
}

/// Every `href` of a message's HTML body, entities of `&amp;` undone.
pub fn hrefs(message: &Value) -> Vec<String> {
    let html = message["html"].as_str().unwrap_or_default();
    html.split("href=\"").skip(1).filter_map(|rest| rest.split('"').next()).map(|h| h.replace("&amp;", "&")).collect()
}

/// The first link (`http…`) of the newest `template` message to `to`: from its HTML
/// `href`s, else from its text.
pub fn link(to: &str, template: &str) -> String {
    let message = newest(to, template);
    if let Some(h) = hrefs(&message).into_iter().find(|h| h.starts_with("http")) {
        return h;
    }
    let text = message["text"].as_str().unwrap_or_default();
    text.split_whitespace()
        .find(|w| w.starts_with("http"))
        .map(|w| w.trim_end_matches(['.', ',']))
        .unwrap_or_else(|| panic!("no link in {text}"))
        .to_owned()
}
