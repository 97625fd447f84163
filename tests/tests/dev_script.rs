//! `scripts/dev up` refuses a taken port with a clear message and a non-zero exit, before
//! it starts anything.

use shoal_e2e::*;
use std::process::Command;

#[test]
fn up_fails_clearly_when_a_port_is_taken() {
    let taken = worker_port().to_string(); // the running test worker holds it
    let state = std::env::temp_dir().join(unique("shoal-portcheck-"));
    let out = Command::new(project_root().join("scripts/dev"))
        .arg("up")
        .env("SHOAL_LOCAL", &state)
        .env("SHOAL_PG_PORT", &taken)
        .output()
        .unwrap_or_else(|e| panic!("scripts/dev: {e}"));
    let _ = std::fs::remove_dir_all(&state);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "up succeeded on a taken port: {stderr}");
    assert!(stderr.contains(&format!("port {taken} for postgres is taken")), "{stderr}");
    assert!(stderr.contains("SHOAL_"), "the message names the variable to change: {stderr}");
}
