//! Exact rate limits: a Durable Object per (action, client IP) keeps a fixed window in its
//! SQLite storage; `shoal_domain::rate_limit::decide` makes the call. The client IP is
//! `CF-Connecting-IP`, set by Cloudflare; never the first `X-Forwarded-For` entry.

use serde::Deserialize;
use shoal_domain::rate_limit::{decide, Decision, Window};
use worker::{durable_object, Date, DurableObject, Env, Request, RequestInit, Response, Result as WResult, State};

use crate::error::AppError;

pub const BINDING: &str = "RATE_LIMITER";

#[derive(Deserialize)]
struct Ask {
    limit: i64,
    window_ms: i64,
}

#[durable_object]
pub struct RateLimiter {
    state: State,
}

impl DurableObject for RateLimiter {
    fn new(state: State, _env: Env) -> Self {
        RateLimiter { state }
    }

    async fn fetch(&self, mut req: Request) -> WResult<Response> {
        let ask: Ask = req.json().await?;
        let sql = self.state.storage().sql();
        sql.exec("CREATE TABLE IF NOT EXISTS rate_window (id INTEGER PRIMARY KEY, start_ms INTEGER NOT NULL, count INTEGER NOT NULL)", None)?;
        // no await between this read and the write below: the object handles one at a time
        let previous: Vec<Window> = sql.exec("SELECT start_ms, count FROM rate_window WHERE id = 1", None)?.to_array()?;
        let decision = decide(previous.into_iter().next(), Date::now().as_millis() as i64, ask.limit, ask.window_ms);
        sql.exec(
            "INSERT INTO rate_window (id, start_ms, count) VALUES (1, ?, ?) \
             ON CONFLICT(id) DO UPDATE SET start_ms = excluded.start_ms, count = excluded.count",
            vec![decision.window.start_ms.into(), decision.window.count.into()],
        )?;
        Response::from_json(&decision)
    }
}

/// The client's IP as Cloudflare reports it.
pub fn client_ip(req: &Request) -> String {
    req.headers().get("cf-connecting-ip").ok().flatten().unwrap_or_else(|| "unknown".into())
}

/// Counts one `action` for `ip`; refuses with 429 past `limit` per `window_secs`.
pub async fn check(env: &Env, action: &str, ip: &str, limit: i64, window_secs: i64) -> Result<(), AppError> {
    let namespace = env.durable_object(BINDING).map_err(|e| AppError::Internal(format!("rate limiter binding: {e}")))?;
    let stub = namespace.id_from_name(&format!("{action}:{ip}"))?.get_stub()?;
    let body = serde_json::json!({"limit": limit, "window_ms": window_secs * 1000}).to_string();
    let mut init = RequestInit::new();
    init.with_method(worker::Method::Post).with_body(Some(body.into()));
    let request = Request::new_with_init("https://rate-limiter/check", &init)?;
    let decision: Decision = stub.fetch_with_request(request).await?.json().await?;
    if decision.allowed {
        Ok(())
    } else {
        Err(AppError::RateLimited(decision.retry_after.max(1)))
    }
}
