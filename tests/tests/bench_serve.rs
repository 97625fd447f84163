//! `bench/run` serves workers (bench/serve.mjs: node, and workerd under it) outside the
//! stack; whether the run ends normally or is interrupted, its EXIT trap ends them and
//! checks that nothing is left. These tests run bench/serve.sh, the functions bench/run
//! uses, on the built worker, without the benchmarks.

use shoal_e2e::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// A bash that serves the built worker as bench/run does, prints `ready <group id>`, then
/// runs `then`.
fn bench_shell(state: &std::path::Path, then: &str) -> Command {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("its address").port();
    let script = format!(
        "source scripts/lib.sh; source bench/serve.sh; trap 'finish $?' EXIT; trap 'exit 130' INT TERM; \
         serve probe \"$SHOAL_ROOT/worker/build/index.js\" {port} ENVIRONMENT=development; \
         echo ready $(cat \"$SHOAL_LOCAL/probe.pid\"); {then}"
    );
    // a session of its own, as a terminal gives a run: an interrupt goes to its group only
    let mut cmd = Command::new("setsid");
    cmd.args(["bash", "-c", &script]).current_dir(project_root()).env("SHOAL_LOCAL", state);
    cmd
}

/// Live (not zombie) processes in the process group `pgid`.
fn group_members(pgid: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        // fields after the command's closing parenthesis: state, ppid, pgrp, …
        let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
        if fields.len() > 2 && fields[2] == pgid && fields[0] != "Z" {
            let args = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            found.push(format!("{}: {}", entry.file_name().to_string_lossy(), String::from_utf8_lossy(&args).replace('\0', " ")));
        }
    }
    found
}

/// Waits for the `ready <group>` line; answers the group id and that its members ran.
fn ready_group(child: &mut std::process::Child) -> (String, Vec<String>) {
    let out = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(out).read_line(&mut line).expect("a line from the bench shell");
    let Some(pgid) = line.trim().strip_prefix("ready ").map(str::to_owned) else {
        let mut err = String::new();
        let _ = std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut err);
        panic!("the bench shell did not serve: {line:?}\n{err}");
    };
    let members = group_members(&pgid);
    (pgid, members)
}

fn left_after(pgid: &str) -> Vec<String> {
    // the trap has returned; give the kernel a moment to reap what it killed
    for _ in 0..20 {
        if group_members(pgid).is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    group_members(pgid)
}

#[test]
fn a_bench_run_that_ends_leaves_no_served_worker_running() {
    let state = std::env::temp_dir().join(unique("shoal-bench-serve-"));
    let mut child = bench_shell(&state, "true").stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("bash");
    let (pgid, members) = ready_group(&mut child);
    let out = child.wait_with_output().expect("the bench shell ends");
    let left = left_after(&pgid);
    let _ = std::fs::remove_dir_all(&state);
    assert!(members.iter().any(|m| m.contains("serve.mjs")), "node leads the served group: {members:?}");
    assert!(members.iter().any(|m| m.contains("workerd")), "workerd runs in the served group: {members:?}");
    assert!(out.status.success(), "the run's clean-up found nothing left: {}", String::from_utf8_lossy(&out.stderr));
    assert!(left.is_empty(), "still running after the run ended: {left:?}");
}

#[test]
fn an_interrupted_bench_run_leaves_no_served_worker_running() {
    let state = std::env::temp_dir().join(unique("shoal-bench-serve-"));
    let mut child = bench_shell(&state, "sleep 60").stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("bash");
    let (pgid, members) = ready_group(&mut child);
    // Ctrl-C or `timeout`: the signal goes to the run's process group (setsid made bash its leader)
    let _ = Command::new("kill").args(["-TERM", "--", &format!("-{}", child.id())]).status();
    let out = child.wait_with_output().expect("the bench shell ends");
    let left = left_after(&pgid);
    let _ = std::fs::remove_dir_all(&state);
    assert!(members.len() >= 2, "node and workerd were serving: {members:?}");
    assert!(!out.status.success(), "an interrupted run fails");
    assert!(left.is_empty(), "still running after the run was interrupted: {left:?}\n{}", String::from_utf8_lossy(&out.stderr));
}
