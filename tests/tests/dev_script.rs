//! `scripts/dev up` refuses a taken port with a clear message and a non-zero exit, before
//! it starts anything; `scripts/dev down` leaves nothing of its stack running.

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

/// The ports of a second stack: free now (bound, then released).
fn free_ports() -> Vec<(&'static str, String)> {
    [
        "SHOAL_HTTP_PORT",
        "SHOAL_PG_PORT",
        "SHOAL_API_PORT",
        "SHOAL_API_ADMIN_PORT",
        "SHOAL_STRIPE_PORT",
        "SHOAL_EMAIL_PORT",
        "SHOAL_DNS_PORT",
        "SHOAL_CF_PORT",
    ]
    .into_iter()
    .map(|var| {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        (var, l.local_addr().expect("its address").port().to_string())
    })
    .collect()
}

/// Processes whose command line names one of `folders`, or whose session is one of
/// `sessions` (workerd runs in wrangler's session without naming the state folder).
fn processes_of(folders: &[String], sessions: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let args = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let args = String::from_utf8_lossy(&args).replace('\0', " ");
        // the session is the 6th field of stat, counted after the command's closing parenthesis
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let sid = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(3)).unwrap_or("").to_owned();
        if !args.is_empty() && (folders.iter().any(|f| args.contains(f.as_str())) || sessions.contains(&sid)) {
            found.push(format!("{pid} (session {sid}): {args}"));
        }
    }
    found
}

/// `scripts/dev down` leaves nothing of its stack running, also for a checkout the
/// `postgres` OS user cannot enter (a fresh CI clone in a private folder), where the
/// cluster lives in /var/tmp behind a link postgres cannot follow.
#[test]
fn down_leaves_no_process_of_the_stack_running_even_from_a_private_folder() {
    let private = std::env::temp_dir().join(unique("shoal-private-"));
    std::fs::create_dir(&private).expect("a private folder");
    std::fs::set_permissions(&private, std::os::unix::fs::PermissionsExt::from_mode(0o700)).expect("chmod 700");
    let state = private.join("state");
    // one set of ports for every command of this stack
    let ports = free_ports();
    let dev = |cmd: &str| {
        Command::new(project_root().join("scripts/dev"))
            .arg(cmd)
            .env("SHOAL_LOCAL", &state)
            .envs(ports.iter().map(|(var, port)| (*var, port.as_str())))
            .output()
            .unwrap_or_else(|e| panic!("scripts/dev {cmd}: {e}"))
    };
    let up = dev("up");
    let run = state.join("run");
    let mut sessions: Vec<String> = std::fs::read_dir(&run)
        .map(|d| d.flatten().filter_map(|e| std::fs::read_to_string(e.path()).ok()).map(|s| s.trim().to_owned()).collect())
        .unwrap_or_default();
    sessions.retain(|s| !s.is_empty());
    let cluster = std::fs::read_link(state.join("pg")).ok();
    let down = dev("down");
    let mut folders = vec![format!("{}/", state.display())];
    folders.extend(cluster.iter().map(|c| format!("{}", c.display())));
    let left = processes_of(&folders, &sessions);
    let listening: Vec<String> = ports
        .iter()
        .filter(|(_, p)| std::net::TcpStream::connect(format!("127.0.0.1:{p}")).is_ok())
        .map(|(v, p)| format!("{v}={p}"))
        .collect();
    let reset = dev("reset");
    let _ = std::fs::remove_dir_all(&private);
    assert!(up.status.success(), "up: {}", String::from_utf8_lossy(&up.stderr));
    assert!(cluster.is_some(), "postgres cannot enter the private folder, so the cluster lives elsewhere behind state/pg");
    assert!(sessions.len() >= 6, "up recorded its services' pids: {sessions:?}");
    assert!(down.status.success(), "down: {}", String::from_utf8_lossy(&down.stderr));
    assert!(left.is_empty(), "still running after down:\n{}", left.join("\n"));
    assert!(listening.is_empty(), "ports still answering after down: {listening:?}");
    assert!(reset.status.success(), "reset: {}", String::from_utf8_lossy(&reset.stderr));
}
