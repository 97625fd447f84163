//! Exact rate limits: a Durable Object per (action, client) keeps a fixed window in its
//! SQLite storage; `shoal_domain::rate_limit::decide` makes the call. The client is
//! `CF-Connecting-IP` (set by Cloudflare; never the first `X-Forwarded-For` entry), an
//! IPv6 client counted per /64 (`client_key`). Each object sets an alarm for the end of
//! its window, which deletes the expired row and, when nothing is left, all its storage:
//! objects of clients that went away do not accumulate.

use std::time::Duration;

use serde::Deserialize;
use shoal_domain::rate_limit::{client_key, decide, expires_at_ms, Decision, Window};
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
        let storage = self.state.storage();
        let sql = storage.sql();
        sql.exec(CREATE, None)?;
        let now = Date::now().as_millis() as i64;
        // no await between this read and the write below: the object handles one at a time
        let previous: Vec<Window> = sql.exec("SELECT start_ms, count FROM rate_windows WHERE id = 1", None)?.to_array()?;
        let decision = decide(previous.into_iter().next(), now, ask.limit, ask.window_ms);
        let expires = expires_at_ms(decision.window, ask.window_ms);
        sql.exec(
            "INSERT INTO rate_windows (id, start_ms, count, expires_ms) VALUES (1, ?, ?, ?) \
             ON CONFLICT(id) DO UPDATE SET start_ms = excluded.start_ms, count = excluded.count, expires_ms = excluded.expires_ms",
            vec![decision.window.start_ms.into(), decision.window.count.into(), expires.into()],
        )?;
        if decision.allowed && decision.window.count == 1 {
            // a new window: wake up when it ends (this replaces any earlier alarm)
            storage.set_alarm(until(expires, now)).await?;
        }
        Response::from_json(&decision)
    }

    async fn alarm(&self) -> WResult<Response> {
        let storage = self.state.storage();
        let sql = storage.sql();
        sql.exec(CREATE, None)?;
        let now = Date::now().as_millis() as i64;
        sql.exec(PRUNE, vec![now.into()])?;
        let left: Vec<Left> =
            sql.exec("SELECT count(*) AS n, coalesce(min(expires_ms), 0) AS next_ms FROM rate_windows", None)?.to_array()?;
        match left.first() {
            Some(l) if l.n > 0 => storage.set_alarm(until(l.next_ms, now)).await?,
            // nothing left to remember: drop the object's storage entirely
            _ => storage.delete_all().await?,
        }
        Response::ok("pruned")
    }
}

const CREATE: &str =
    "CREATE TABLE IF NOT EXISTS rate_windows (id INTEGER PRIMARY KEY, start_ms INTEGER NOT NULL, count INTEGER NOT NULL, expires_ms INTEGER NOT NULL)";
/// Windows that have ended count for nothing.
const PRUNE: &str = "DELETE FROM rate_windows WHERE expires_ms <= ?";

#[derive(Deserialize)]
struct Left {
    n: i64,
    next_ms: i64,
}

/// From now until `at_ms` (a little after, so the window has surely ended).
fn until(at_ms: i64, now_ms: i64) -> Duration {
    Duration::from_millis(at_ms.saturating_sub(now_ms).max(0) as u64 + 1_000)
}

/// The client's IP as Cloudflare reports it.
pub fn client_ip(req: &Request) -> String {
    req.headers().get("cf-connecting-ip").ok().flatten().unwrap_or_else(|| "unknown".into())
}

/// Counts one `action` for `ip`; refuses with 429 past `limit` per `window_secs`.
pub async fn check(env: &Env, action: &str, ip: &str, limit: i64, window_secs: i64) -> Result<(), AppError> {
    let namespace = env.durable_object(BINDING).map_err(|e| AppError::Internal(format!("rate limiter binding: {e}")))?;
    let stub = namespace.id_from_name(&format!("{action}:{}", client_key(ip)))?.get_stub()?;
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

/// The Workers Rate Limiting binding that counts the general API limit (wrangler.toml).
pub const API_BINDING: &str = "API_LIMIT";

/// The general API limit for one client (an IP, or `device_client` for an admitted
/// device); which requests spend it is `shoal_domain::rate_limit::api_budget`.
///
/// Counted by Cloudflare's Rate Limiting binding (`API_BINDING`: `API_PER_MINUTE` per 60 s
/// per key, counted per Cloudflare location and cached there), not by the Durable Object:
/// it runs on every API request, and a Durable Object round trip on each one cut the
/// cached API to a fifth of its throughput (bench/run: brand endpoint 0.53× → 0.10× of
/// hello-world). The limits whose exact count matters (login, sign-up, codes, payment) stay
/// in the Durable Object (`check`).
pub async fn api(env: &Env, client: &str) -> Result<(), AppError> {
    let limiter = env.rate_limiter(API_BINDING).map_err(|e| AppError::Internal(format!("api limit binding: {e}")))?;
    let outcome = limiter.limit(format!("api:{}", client_key(client))).await?;
    if outcome.success {
        Ok(())
    } else {
        // the binding counts in windows of its period; the next one starts within a minute
        let now_secs = (worker::Date::now().as_millis() / 1000) as i64;
        Err(AppError::RateLimited((60 - now_secs.rem_euclid(60)).max(1)))
    }
}
