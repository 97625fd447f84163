//! The rate-limit Durable Objects do not grow forever: each sets an alarm for the end of
//! its window, which deletes the expired row and then the object's storage. Observed in the
//! local runtime's own storage files (wrangler keeps one SQLite file per object), without
//! any debug endpoint in the worker. Its own test binary: no other test writes windows
//! meanwhile. Takes a little over a minute (the shortest window is 60 s).

use shoal_e2e::*;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn objects_dir() -> PathBuf {
    let local = std::env::var("SHOAL_LOCAL").map(PathBuf::from).unwrap_or_else(|_| project_root().join(".local/test"));
    local.join("wrangler/v3/do/shoal-RateLimiter")
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}

/// Rows of `rate_windows` in one object's file whose window started in [from, to].
fn windows_started(file: &PathBuf, from: i64, to: i64) -> i64 {
    let query = format!("select count(*) from rate_windows where start_ms between {from} and {to}");
    let out = Command::new("sqlite3").arg("-readonly").arg(file).arg(query).output();
    // no such table: the object's storage was deleted
    out.ok().and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok()).unwrap_or(0)
}

fn files() -> Vec<PathBuf> {
    std::fs::read_dir(objects_dir())
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "sqlite")).collect())
        .unwrap_or_default()
}

#[test]
fn an_expired_window_is_deleted_by_the_objects_alarm() {
    // scripts/install brings sqlite3: without it this would prove nothing, so it fails
    assert!(Command::new("sqlite3").arg("-version").output().is_ok(), "sqlite3 is missing: run scripts/install");
    let from = now_ms();
    let r = send("GET", "acme.localhost", "/api/v1/store/orders/1?email=nobody@example.com", &[("cf-connecting-ip", &fresh_ip())], None);
    assert_eq!(r.status, 404, "{}", r.body);
    let to = now_ms();
    let ours: Vec<PathBuf> = files().into_iter().filter(|f| windows_started(f, from, to) > 0).collect();
    // the order-lookup window of this client
    assert!(!ours.is_empty(), "the request left its window in storage: {ours:?} in {:?}", objects_dir());
    // the window is 60 s; the alarm fires a second after it ends
    std::thread::sleep(Duration::from_millis((to + 62_000 - now_ms()).max(0) as u64));
    let deadline = now_ms() + 20_000;
    loop {
        let left: i64 = ours.iter().map(|f| windows_started(f, from, to)).sum();
        if left == 0 {
            break;
        }
        assert!(now_ms() < deadline, "{left} expired window(s) are still stored");
        std::thread::sleep(Duration::from_secs(1));
    }
}
