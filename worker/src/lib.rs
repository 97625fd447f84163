//! Shoal's Cloudflare Worker. Events enter here and go straight to the HTTP layer; all
//! rules live in `shoal-domain`, all storage calls in `store`.

mod config;
mod error;
mod http;
mod kv;
mod store;
mod stripe;

use worker::{event, Context, Env, Request, Response, Result};

#[event(start)]
fn start() {
    // Panics are bugs, never control flow; this makes one readable in the logs.
    console_error_panic_hook::set_once();
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    Ok(http::serve(req, env).await)
}
