//! The operator's first super admin (`scripts/super-admin`, docs/deploy.md): run against
//! the stack with the worker's own credentials, it refuses while a super admin exists,
//! creates the first one (who sets a password with the emailed reset code and signs in as
//! super admin), refuses a second run, promotes another account with `--force`, and every
//! grant is in the platform audit log.
//!
//! One test, in steps: it sets the seeded super admin aside for its middle part and puts it
//! back at the end (test files run one after another, so no other test sees the gap).

use std::process::{Command, Output};

use shoal_e2e::*;

fn run(args: &[&str]) -> Output {
    let api_port = std::env::var("SHOAL_API_PORT").unwrap_or_else(|_| "54330".into());
    Command::new(project_root().join("scripts/super-admin"))
        .args(args)
        .env("POSTGREST_URL", format!("http://127.0.0.1:{api_port}"))
        .env("SUPABASE_API_KEY", "sb_secret_shoal_local_development_only")
        .env("DB_JWT_SIGNING_KEY", local_file("db_jwt_signing_key.json"))
        .env("PLATFORM_URL", format!("http://localhost:{}", worker_port()))
        .env_remove("SUPABASE_JWT_SECRET")
        .env_remove("PLATFORM_HOST")
        .output()
        .unwrap_or_else(|e| panic!("scripts/super-admin: {e}"))
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn grants_since(first_id: i64) -> Vec<String> {
    let rows = sql(&format!(
        "select detail->>'email' || ':' || (detail->>'outcome') || ':' || (detail->>'forced') from audit_log
          where action = 'super_admin_granted' and brand_id is null and actor = 'operator' and id > {first_id} order by id"
    ));
    rows.lines().map(str::to_owned).collect()
}

/// Puts the seeded super admins back, and takes the role from the test's accounts, however
/// the test ends.
struct Restore(Vec<String>);

impl Drop for Restore {
    fn drop(&mut self) {
        let seeded = self.0.iter().map(|e| format!("'{e}'")).collect::<Vec<_>>().join(",");
        sql(&format!("update accounts set is_super_admin = (email in ({seeded})) where is_super_admin or email in ({seeded})"));
    }
}

#[test]
fn the_first_super_admin_is_granted_once_then_only_by_force_and_every_grant_is_audited() {
    let first_id = count("select coalesce(max(id), 0) from audit_log");
    let newcomer = format!("{}@example.com", unique("first-super"));
    let other = format!("{}@example.com", unique("second-super"));

    // the seed has a super admin: a first run on this project is refused and changes nothing
    let refused = run(&["--email", &newcomer]);
    assert!(!refused.status.success(), "{}", text(&refused));
    assert!(text(&refused).contains("refused"), "{}", text(&refused));
    assert_eq!(count(&format!("select count(*) from accounts where email = '{newcomer}'")), 0);
    assert!(grants_since(first_id).is_empty());

    // a project with no super admin yet
    let seeded: Vec<String> = sql("select email from accounts where is_super_admin order by email").lines().map(str::to_owned).collect();
    assert!(!seeded.is_empty(), "the seed has a super admin");
    let _restore = Restore(seeded);
    sql("update accounts set is_super_admin = false where is_super_admin");

    let created = run(&["--email", &newcomer.to_uppercase()]);
    assert!(created.status.success(), "{}", text(&created));
    assert!(text(&created).contains(&format!("super admin created: {}", newcomer.to_uppercase())), "{}", text(&created));
    assert_eq!(count(&format!("select count(*) from accounts where email = '{newcomer}' and is_super_admin")), 1);

    // the password comes through the ordinary reset flow: the code was emailed (and reaches
    // the email API within seconds, its copy leaving the outbox)
    let code = mail::code(&newcomer, "password_reset");
    assert_eq!(code.len(), 6, "a reset code went to {newcomer}");
    let password = "Super-Admin-Pass-42";
    let ip = fresh_ip();
    let reset = send(
        "POST",
        "localhost",
        "/api/v1/auth/reset-password",
        &[("cf-connecting-ip", ip.as_str()), ("content-type", "application/json")],
        Some(json!({"email": newcomer, "code": code, "new_password": password}).to_string()),
    );
    assert_eq!(reset.status, 200, "{}", reset.body);

    // and the new super admin acts as one: on a brand it is no member of, with the platform role
    let token = sign_in("acme.localhost", &newcomer, password);
    let me = send("GET", "acme.localhost", "/api/v1/account/me", &[("authorization", &format!("Bearer {token}"))], None);
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["role"], "super_admin", "{}", me.body);

    // a second run is refused while the first super admin exists
    let again = run(&["--email", &other]);
    assert!(!again.status.success(), "{}", text(&again));
    assert!(text(&again).contains("super admin(s) exist already"), "{}", text(&again));
    assert_eq!(count(&format!("select count(*) from accounts where email = '{other}'")), 0);

    // --force promotes an existing account (it keeps its password; no code is sent)
    sql(&format!(
        "insert into accounts (email, password_hash, email_verified_at) select '{other}', password_hash, now() from accounts where email = 'admin@acme.localhost'"
    ));
    let forced = run(&["--email", &other, "--force"]);
    assert!(forced.status.success(), "{}", text(&forced));
    assert!(text(&forced).contains(&format!("super admin promoted: {other}")), "{}", text(&forced));
    assert_eq!(count(&format!("select count(*) from email_outbox where to_email = '{other}'")), 0);
    let token = sign_in("globex.localhost", &other, DEV_PASSWORD);
    let me = send("GET", "globex.localhost", "/api/v1/account/me", &[("authorization", &format!("Bearer {token}"))], None);
    assert_eq!(me.json()["role"], "super_admin", "{}", me.body);

    assert_eq!(grants_since(first_id), vec![format!("{newcomer}:created:false"), format!("{other}:promoted:true")]);
}
