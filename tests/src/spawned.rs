//! A second worker under `wrangler dev`, with its own vars, for tests of configurations the
//! main stack does not run (production secrets, Cloudflare as certificate issuer). It
//! shares the stack's PostgREST; each has its own state folder and ports.

use crate::{http, project_root};
use serde_json::Value;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Worker {
    child: Child,
    pub port: u16,
    log: std::path::PathBuf,
}

impl Drop for Worker {
    fn drop(&mut self) {
        // wrangler runs workerd as a child: end the whole process group
        let _ = Command::new("kill").arg("--").arg(format!("-{}", self.child.id())).status();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(0)
}

pub fn start(vars: &[(&str, &str)]) -> Worker {
    let wrangler = std::env::var("SHOAL_NODE_BIN")
        .map(|b| format!("{b}/wrangler"))
        .unwrap_or_else(|_| panic!("SHOAL_NODE_BIN is not set: run through scripts/test"));
    let local = std::env::var("SHOAL_LOCAL").unwrap_or_else(|_| panic!("SHOAL_LOCAL is not set"));
    let port = free_port();
    let state = format!("{local}/prodcheck-{port}");
    let log = std::path::PathBuf::from(format!("{state}.log"));
    let mut cmd = Command::new(wrangler);
    cmd.current_dir(project_root())
        .args(["dev", "--local", "--ip", "127.0.0.1", "--port", &port.to_string()])
        .args(["--persist-to", &state, "--show-interactive-dev-session=false", "--log-level", "log"])
        .args(["--inspector-port", &free_port().to_string()])
        .env("WRANGLER_SEND_METRICS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false");
    for (k, v) in vars {
        cmd.arg("--var").arg(format!("{k}:{v}"));
    }
    // the stack's keys unless the test sets its own (an empty value tests its absence)
    let file = |name: &str| std::fs::read_to_string(format!("{local}/{name}")).unwrap_or_default().trim().to_owned();
    let defaults = [
        ("DATA_ENCRYPTION_KEYS", file("data_encryption_keys")),
        ("DB_JWT_SIGNING_KEY", file("db_jwt_signing_key.json")),
        ("SHOAL_SECRET", file("shoal_secret")),
        ("SHOAL_SECRET_PREVIOUS", file("shoal_secret_previous")),
        ("SUPABASE_API_KEY", "sb_secret_shoal_local_development_only".to_owned()),
    ];
    for (key, value) in defaults {
        if !vars.iter().any(|(k, _)| *k == key) {
            cmd.arg("--var").arg(format!("{key}:{value}"));
        }
    }
    let log_file = std::fs::File::create(&log).unwrap_or_else(|e| panic!("log: {e}"));
    let err_file = log_file.try_clone().unwrap_or_else(|e| panic!("log: {e}"));
    let child = cmd
        .stdin(Stdio::null())
        .stdout(log_file)
        .stderr(err_file)
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("spawn wrangler: {e}"));
    let worker = Worker { child, port, log };
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "wrangler did not start: {}", read_log(&worker));
        std::thread::sleep(Duration::from_millis(100));
    }
    worker
}

pub fn read_log(w: &Worker) -> String {
    std::fs::read_to_string(&w.log).unwrap_or_default()
}

/// workerd's console output reaches the log a moment after the response.
pub fn wait_for_log(w: &Worker, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let log = read_log(w);
        if log.contains(needle) || Instant::now() > deadline {
            return log;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn get_from(w: &Worker, host: &str, path: &str) -> (u16, Value) {
    let r = http("GET", &format!("http://127.0.0.1:{}{path}", w.port), &[("host", host)], None);
    (r.status, serde_json::from_str(&r.body).unwrap_or(Value::Null))
}
