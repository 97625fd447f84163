//! `GET /healthz`: database (through PostgREST), KV, version. 503 when the database is
//! down, so a load balancer or uptime check sees it.

use shoal_domain::config::Config;
use worker::{Date, Env, Response};

use crate::config::VERSION;
use crate::error::json_response;
use crate::{kv, store};

pub async fn get(env: &Env, config: &Config) -> Response {
    let started = Date::now().as_millis();
    let database = store::brands::ping(config).await;
    let db_ms = Date::now().as_millis().saturating_sub(started);
    let kv_check = match env.kv(kv::BINDING) {
        Ok(store) => kv::probe(&store).await,
        Err(e) => Err(e.to_string()),
    };
    let db_ok = database.is_ok();
    let all_ok = db_ok && kv_check.is_ok();
    let body = serde_json::json!({
        "status": if all_ok { "ok" } else { "degraded" },
        "version": VERSION,
        "checks": {
            "database": if db_ok {
                serde_json::json!({"status": "ok", "latency_ms": db_ms})
            } else {
                serde_json::json!({"status": "down", "error": database.err().map(|e| e.code().to_owned())})
            },
            "kv": match &kv_check {
                Ok(()) => serde_json::json!({"status": "ok"}),
                Err(_) => serde_json::json!({"status": "down"}),
            },
        },
    });
    let mut resp = json_response(&body, if db_ok { 200 } else { 503 });
    let _ = resp.headers_mut().set("cache-control", "no-store");
    resp
}
