//! In production the worker refuses to serve with missing or weak secrets, at the first
//! request, with a logged error and a 500, instead of falling back to a default. Each
//! case runs its own `wrangler dev` with production vars.

use shoal_e2e::*;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Worker {
    child: Child,
    port: u16,
    log: std::path::PathBuf,
}

impl Drop for Worker {
    fn drop(&mut self) {
        // wrangler runs workerd as a child: end the whole process group
        let _ = Command::new("kill").arg("--").arg(format!("-{}", self.child.id())).status();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(0)
}

fn start(vars: &[(&str, &str)]) -> Worker {
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

fn read_log(w: &Worker) -> String {
    std::fs::read_to_string(&w.log).unwrap_or_default()
}

/// workerd's console output reaches the log a moment after the response.
fn wait_for_log(w: &Worker, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let log = read_log(w);
        if log.contains(needle) || Instant::now() > deadline {
            return log;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn get_from(w: &Worker, host: &str, path: &str) -> (u16, Value) {
    let r = http("GET", &format!("http://127.0.0.1:{}{path}", w.port), &[("host", host)], None);
    (r.status, serde_json::from_str(&r.body).unwrap_or(Value::Null))
}

fn base_vars(api: &str) -> Vec<(&'static str, String)> {
    vec![
        ("ENVIRONMENT", "production".into()),
        ("PLATFORM_HOST", "localhost".into()),
        ("POSTGREST_URL", api.into()),
    ]
}

fn api_url() -> String {
    format!("http://127.0.0.1:{}", std::env::var("SHOAL_API_PORT").unwrap_or_else(|_| "54330".into()))
}

#[test]
fn production_refuses_a_short_jwt_secret_and_missing_stripe_keys() {
    let mut vars = base_vars(&api_url());
    vars.push(("JWT_SECRET", "too-short".into()));
    let borrowed: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let w = start(&borrowed);
    for path in ["/api/v1/store/brand", "/healthz"] {
        let (status, body) = get_from(&w, "acme.localhost", path);
        assert_eq!(status, 500, "{path}: {body}");
        assert_eq!(body["error"]["code"], "config_invalid");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(!message.contains("JWT_SECRET"), "details stay in the log, not the response: {message}");
    }
    let log = wait_for_log(&w, "EMAIL_API_KEY is missing");
    for needle in ["config_invalid", "JWT_SECRET must be at least 32 bytes", "STRIPE_SECRET_KEY is missing", "STRIPE_WEBHOOK_SECRETS is missing", "EMAIL_API_KEY is missing"] {
        assert!(log.contains(needle), "log lacks {needle:?}:\n{log}");
    }
}

#[test]
fn production_with_every_secret_serves_brands() {
    let local = std::env::var("SHOAL_LOCAL").unwrap_or_default();
    let secret = std::fs::read_to_string(format!("{local}/jwt_secret")).unwrap_or_default();
    let mut vars = base_vars(&api_url());
    vars.extend([
        ("JWT_SECRET", secret.trim().to_owned()),
        ("STRIPE_SECRET_KEY", "sk_test_prodcheck".into()),
        ("STRIPE_WEBHOOK_SECRETS", "whsec_prodcheck".into()),
        ("EMAIL_API_KEY", "re_prodcheck".into()),
    ]);
    let borrowed: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let w = start(&borrowed);
    let (status, body) = get_from(&w, "acme.localhost", "/api/v1/store/brand");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], ACME_ID);
}
