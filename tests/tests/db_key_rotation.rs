//! Rotating the database signing key as docs/architecture.md ("Keys") describes it: the
//! new key's public half joins the JWK set PostgREST trusts, the worker moves to the new
//! key, and only then is the old one dropped. Its own test binary: PostgREST restarts
//! under it (cargo runs test binaries one after another), and the stack's key is put back
//! at the end, whatever happens.

use shoal_domain::db_token::{mint, DbClaims, DbKey};
use shoal_e2e::spawned::*;
use shoal_e2e::*;

fn ping(key: &DbKey) -> u16 {
    let token = mint(key, DbClaims::service(), chrono_now(), 60).unwrap_or_else(|e| panic!("{e:?}"));
    let url = format!("http://127.0.0.1:{}/rpc/shoal_ping", std::env::var("SHOAL_API_PORT").unwrap_or_else(|_| "54330".into()));
    http("POST", &url, &[("authorization", &format!("Bearer {token}")), ("content-type", "application/json")], Some("{}".into())).status
}

/// Restarts PostgREST and waits until its schema cache is loaded (it answers 503 before).
fn restart_api() {
    dev(&["api-stop"]);
    dev(&["api-start"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while ping(&db_key()) == 503 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Puts the stack's own key back as the only trusted one (the main worker signs with it).
struct Restore(String);

impl Drop for Restore {
    fn drop(&mut self) {
        let local = std::env::var("SHOAL_LOCAL").unwrap_or_default();
        let _ = std::fs::write(format!("{local}/db_jwt_signing_key.json"), &self.0);
        let _ = std::fs::remove_file(format!("{local}/db_jwt_retired_public_keys.json"));
        restart_api();
    }
}

#[test]
fn during_a_database_key_rotation_postgrest_trusts_both_keys_and_afterwards_only_the_new() {
    let old = db_key();
    let _restore = Restore(local_file("db_jwt_signing_key.json"));
    dev(&["rotate-db-key"]);
    let new = db_key();
    assert_ne!(old.public_jwk(), new.public_jwk());
    restart_api();

    // the overlap: the running worker still signs with the old key, a worker started now
    // (a deploy with the new DB_JWT_SIGNING_KEY) with the new one; both reach the database
    assert_eq!((ping(&old), ping(&new)), (200, 200));
    assert_eq!(get("127.0.0.1", "/healthz").status, 200, "the worker on the old key lost the database");
    let api = format!("http://127.0.0.1:{}", std::env::var("SHOAL_API_PORT").unwrap_or_default());
    let deployed = start(&[("ENVIRONMENT", "development"), ("PLATFORM_HOST", "localhost"), ("POSTGREST_URL", &api)]);
    let (status, body) = get_from(&deployed, "acme.localhost", "/api/v1/store/brand");
    assert_eq!((status, body["id"].as_str()), (200, Some(ACME_ID)), "the worker on the new key: {body}");

    // the end of the overlap: the old key is no longer trusted
    dev(&["rotate-db-key", "done"]);
    restart_api();
    assert_eq!((ping(&old), ping(&new)), (401, 200));
    let (status, health) = get_from(&deployed, "127.0.0.1", "/healthz");
    assert_eq!(status, 200, "{health}");
    // a worker left on the retired key now gets a clear answer, not a bare 500
    let stale = get("127.0.0.1", "/healthz");
    assert_eq!(
        (stale.status, stale.json()["checks"]["database"]["error"].as_str()),
        (503, Some("database_unauthorized")),
        "{}",
        stale.body
    );
}
