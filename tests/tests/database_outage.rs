//! PostgREST stopped and restarted under a running worker. Its own test binary: cargo
//! runs test binaries one after another, so no other test sees the outage.

use shoal_e2e::stripe::*;
use shoal_e2e::*;
use std::time::{Duration, Instant};

fn health() -> Reply {
    get("127.0.0.1", "/healthz")
}

fn wait_for_status(want: u16) -> Reply {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = health();
        if r.status == want || Instant::now() > deadline {
            return r;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn healthz_turns_503_while_postgrest_is_down_and_recovers() {
    assert_eq!(health().status, 200);
    // warm the brand cache before the outage
    assert_eq!(get("globex.localhost", "/api/v1/store/brand").status, 200);
    let uncached = format!("{}.localhost", unique("outage"));

    // a verified webhook that cannot be applied answers 5xx, so Stripe delivers it again
    let order = pending_order(ACME_ID, 2100, "USD");
    let webhook = event("checkout.session.completed", checkout_session(&order, ACME_ID, 2100, "USD", "paid"));

    dev(&["api-stop"]);
    let down = health();
    let during = deliver(&webhook);
    let outcome = std::panic::catch_unwind(|| {
        assert_eq!((during.status, during.error_code().as_str()), (500, "webhook_not_applied"), "{}", during.body);
        assert_eq!(down.status, 503, "{}", down.body);
        let h = down.json();
        assert_eq!(h["status"], "degraded");
        assert_eq!(h["checks"]["database"]["status"], "down");
        assert_eq!(h["checks"]["kv"]["status"], "ok");
        // a cached brand still answers; an uncached host cannot be resolved → 503, not 404
        let cached = get("globex.localhost", "/api/v1/store/brand");
        assert_eq!((cached.status, cached.header("x-shoal-brand-cache").as_deref()), (200, Some("hit")));
        let r = get(&uncached, "/api/v1/store/brand");
        assert_eq!((r.status, r.error_code().as_str()), (503, "database_unavailable"));
    });
    dev(&["api-start"]);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
    let up = wait_for_status(200);
    assert_eq!(up.status, 200, "{}", up.body);
    assert_eq!(up.json()["status"], "ok");

    assert_eq!(order_state(&order).status, "pending", "nothing was half-applied");
    let redelivered = deliver(&webhook);
    assert_eq!(redelivered.status, 200, "{}", redelivered.body);
    assert_eq!(redelivered.json()["outcome"], "applied");
    assert_eq!(order_state(&order).status, "paid");
}
