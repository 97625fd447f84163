//! Shoal's Cloudflare Worker. Events enter here and go straight to the HTTP layer; all
//! rules live in `shoal-domain`, all storage calls in `store`.

mod account;
mod billing;
mod body;
mod clock;
mod config;
mod edge;
mod email;
mod error;
mod http;
mod kv;
mod link_pages;
mod media;
mod memo;
mod outbound;
mod random;
pub mod rate_limit;
mod request;
mod shop;
mod staff;
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

/// Hours a sign-up has to verify its email before its brand, slug and address are released.
const UNVERIFIED_SIGNUP_HOURS: i64 = 48;

#[event(scheduled)]
async fn scheduled(_event: worker::ScheduledEvent, env: Env, _ctx: worker::ScheduleContext) {
    // errors are logged, never thrown: the next run tries again
    let config = match config::load(&env) {
        Ok(config) => config,
        Err(e) => {
            worker::console_error!("{}", serde_json::json!({"level": "error", "event": "scheduled_failed", "detail": e.to_string()}));
            return;
        }
    };
    let expired = shop::checkout::expire_reservations(&config).await.map_err(|e| format!("{}: {:?}", e.code(), e.detail()));
    let commands =
        edge::db::as_service::<i64>(&config, "expire_device_commands", serde_json::json!({})).await.map_err(|e| e.code().to_owned());
    let pruned = edge::db::as_service::<i64>(
        &config,
        "prune_sync_mutations",
        serde_json::json!({"p_days": shoal_domain::sync::MUTATION_RETENTION_DAYS}),
    )
    .await
    .map_err(|e| e.code().to_owned());
    // sign-ups never verified release their slug and email
    let signups = match store::cron::expire_unverified_signups(&config, UNVERIFIED_SIGNUP_HOURS).await {
        Ok(done) => {
            kv::forget_brand_hosts(&env, &done.hosts).await;
            // a claim that failed is kept for the next run; the database logs why
            Ok(done)
        }
        Err(e) => Err(e.code().to_owned()),
    };
    let emails = email::deliver_outbox(&config).await;
    // brand domains: pending custom hostnames refreshed, lapsed claims' deleted at Cloudflare
    let domains = staff::custom_hostnames::cron(&env, &config).await.map_err(|e| e.code().to_owned());
    worker::console_log!(
        "{}",
        serde_json::json!({"level": "info", "event": "scheduled", "reservations_expired_orders": expired,
                           "emails": emails, "device_commands_expired": commands,
                           "sync_mutations_pruned": pruned, "unverified_signups_expired": signups,
                           "custom_hostnames": domains})
    );
}
