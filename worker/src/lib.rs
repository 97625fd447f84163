//! Shoal's Cloudflare Worker. Events enter here and go straight to the HTTP layer; all
//! rules live in `shoal-domain`, all storage calls in `store`.

mod config;
mod error;
mod http;
mod kv;
mod memo;
mod pages;
pub mod rate_limit;
mod store;
mod stripe;

use worker::{event, Context, Env, Request, Response, Result};

#[event(start)]
fn start() {
    // Panics are bugs, never control flow; this makes one readable in the logs.
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    Ok(http::serve(req, env, ctx).await)
}

#[event(scheduled)]
async fn scheduled(_event: worker::ScheduledEvent, env: Env, _ctx: worker::ScheduleContext) {
    // errors are logged, never thrown: the next run tries again
    let outcome = match config::load(&env) {
        Ok(config) => store::checkout::expire_reservations(&config).await.map_err(|e| format!("{}: {:?}", e.code(), e.detail())),
        Err(e) => Err(e.to_string()),
    };
    let line = match outcome {
        Ok(n) => serde_json::json!({"level": "info", "event": "scheduled", "reservations_expired_orders": n}),
        Err(e) => serde_json::json!({"level": "error", "event": "scheduled_failed", "detail": e}),
    };
    worker::console_log!("{line}");
}
