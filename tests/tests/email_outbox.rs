//! The email outbox reaches the email API stand-in seconds after the request that queued
//! it, with the cron handler as the backstop: rendered in the brand's language, retried
//! with backoff, dead-lettered after too many failures, and never sent twice for one
//! outbox row, even when the cron runs while requests send their own mail.

use shoal_e2e::*;

fn email_api(path: &str) -> String {
    format!("http://127.0.0.1:{}{path}", email_port())
}

fn fail_next_sends(times: u32) {
    let body = json!({"times": times, "status": 500}).to_string();
    assert_eq!(http("POST", &email_api("/__fail"), &[("authorization", "Bearer x")], Some(body)).status, 200);
}

/// Fires the cron trigger (wrangler dev --test-scheduled), as Cloudflare would.
fn run_cron() {
    let r = get("127.0.0.1", "/__scheduled?cron=*/5+*+*+*+*");
    assert!(r.status < 500, "{}", r.body);
}

fn row(id: &str) -> (String, i64) {
    let r = sql(&format!("select status || '|' || attempts from email_outbox where id = '{id}'"));
    let mut it = r.split('|');
    (it.next().unwrap_or_default().to_owned(), it.next().and_then(|a| a.parse().ok()).unwrap_or(-1))
}

fn sends_of(id: &str) -> Vec<Value> {
    let journal = http("GET", &email_api("/__requests"), &[], None).json();
    journal["data"].as_array().map(|a| a.iter().filter(|e| e["headers"]["idempotency-key"] == id).cloned().collect()).unwrap_or_default()
}

/// Tests of this file that run the cron one at a time (each makes only its own row due).
static CRON: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Only this test's row is due: everything else pending waits a day.
fn only_due(id: &str) {
    sql(&format!("update email_outbox set next_attempt_at = now() + interval '1 day' where status = 'pending' and id <> '{id}'"));
    sql(&format!("update email_outbox set next_attempt_at = now() - interval '1 second' where id = '{id}'"));
}

#[test]
fn outbox_is_delivered_after_the_email_api_fails_twice_and_the_dead_letter_after_five() {
    let _one = CRON.lock();
    let number = unique("").chars().filter(char::is_ascii_digit).take(9).collect::<String>();
    let id = sql(&format!(
        "insert into email_outbox (brand_id, to_email, template, locale, payload)
         values ('{GLOBEX_ID}', 'cliente@example.com', 'order_confirmation', 'es',
                 '{{\"order_number\": {number}, \"amount\": 2500, \"currency\": \"EUR\"}}') returning id"
    ));
    let id = id.lines().last().unwrap_or_default().to_owned();
    fail_next_sends(2);
    for attempt in 1..=3 {
        only_due(&id);
        run_cron();
        let (status, attempts) = row(&id);
        assert_eq!(attempts, attempt, "attempt counter written for every try");
        assert_eq!(status, if attempt < 3 { "pending" } else { "sent" });
        if attempt < 3 {
            // exponential backoff: 1 minute after the first failure, 2 after the second
            let wait = sql(&format!("select round(extract(epoch from next_attempt_at - now()) / 60) from email_outbox where id = '{id}'"));
            assert_eq!(wait, (1i64 << (attempt - 1)).to_string(), "attempt {attempt}");
        }
    }
    let sends = sends_of(&id);
    assert_eq!(sends.iter().map(|s| s["status"].as_i64().unwrap_or(0)).collect::<Vec<_>>(), [500, 500, 200]);
    let msg: Value = serde_json::from_str(sends[2]["body"].as_str().unwrap_or("{}")).unwrap_or(Value::Null);
    assert_eq!(msg["to"], json!(["cliente@example.com"]));
    // both languages (the default), the brand's first, each formatting the amount its way
    assert_eq!(msg["subject"], format!("Globex Tienda: pedido {number} confirmado · Globex Tienda: order {number} confirmed"));
    assert!(msg["text"].as_str().is_some_and(|t| t.starts_with("Gracias") && t.contains("25,00\u{a0}€") && t.contains("€25.00")), "{msg}");
    assert!(msg["from"].as_str().is_some_and(|f| f.starts_with("\"Globex Tienda\" <")), "{msg}");
    // once sent, never sent again
    only_due(&id);
    run_cron();
    assert_eq!(sends_of(&id).len(), 3);

    // a message that keeps failing ends in the dead letter state
    let dead = sql(&format!(
        "insert into email_outbox (brand_id, to_email, template, payload) values ('{ACME_ID}', 'x@example.com', 'trial_ending', '{{}}') returning id"
    ));
    let dead = dead.lines().last().unwrap_or_default().to_owned();
    fail_next_sends(10);
    for _ in 0..5 {
        only_due(&dead);
        run_cron();
    }
    assert_eq!(row(&dead), ("dead".to_owned(), 5));
    fail_next_sends(0);
}

fn insert(template: &str, payload: &str, extra_cols: &str, extra_vals: &str) -> String {
    let id = sql(&format!(
        "insert into email_outbox (brand_id, to_email, template, payload{extra_cols}) values ('{ACME_ID}', '{}@example.com', '{template}', '{payload}'{extra_vals}) returning id",
        unique("to")
    ));
    id.lines().last().unwrap_or_default().to_owned()
}

fn payload(id: &str) -> Value {
    serde_json::from_str(&sql(&format!("select payload from email_outbox where id = '{id}'"))).unwrap_or(Value::Null)
}

#[test]
fn secrets_leave_the_outbox_once_sent_and_dead_letters_lose_them_after_their_retention() {
    let _one = CRON.lock();
    let code = insert("verification_code", r#"{"code": "314159"}"#, "", "");
    only_due(&code);
    run_cron();
    assert_eq!(row(&code).0, "sent");
    assert!(sends_of(&code).iter().any(|s| s["body"].as_str().is_some_and(|b| b.contains("314159"))), "the email carried the code");
    assert_eq!(payload(&code), json!({}), "the sent row keeps no code");

    let invite = insert(
        "member_invitation",
        r#"{"role": "editor", "invite_url": "https://acme.localhost/admin/accept-invitation?token=raw-secret-token"}"#,
        "",
        "",
    );
    only_due(&invite);
    run_cron();
    assert_eq!(row(&invite).0, "sent");
    assert_eq!(payload(&invite), json!({"role": "editor"}), "non-secret fields stay, the raw token goes");
    assert_eq!(count("select count(*) from email_outbox where status = 'sent' and (payload ? 'code' or payload::text like '%token=%')"), 0);

    // dead letters keep their payload for 7 days (to look at), then lose the secrets
    let old = insert("password_reset", r#"{"code": "271828"}"#, ", status, created_at", ", 'dead', now() - interval '8 days'");
    let recent = insert("password_reset", r#"{"code": "161803"}"#, ", status, created_at", ", 'dead', now() - interval '1 day'");
    only_due("00000000-0000-4000-8000-000000000000");
    run_cron();
    assert_eq!(payload(&old), json!({}), "past retention: scrubbed");
    assert_eq!(payload(&recent), json!({"code": "161803"}), "within retention: kept");
}

/// A sign-up on the platform host from a client of its own; answers the address used.
fn sign_up(prefix: &str) -> String {
    let slug = unique(prefix).chars().take(30).collect::<String>();
    let email = format!("{slug}@example.com");
    let ip = fresh_ip();
    let post = || {
        send(
            "POST",
            "localhost",
            "/api/v1/auth/signup",
            &[("cf-connecting-ip", ip.as_str()), ("content-type", "application/json")],
            Some(json!({"brand_name": "Quick Shop", "slug": slug, "email": email, "password": OWNER_PASSWORD}).to_string()),
        )
    };
    let mut r = post();
    // In the full suite, the local runtime (wrangler dev) sometimes drops the first of a burst
    // of concurrent sign-ups with its own 503 before the worker sees it (nothing logged,
    // nothing written): retry that one once, as its message asks. Not yet understood; see the
    // closing note of issues 12 and 18. Any other answer fails as before.
    if r.status == 503 && r.body.contains("Your worker restarted mid-request") {
        r = post();
    }
    assert_eq!(r.status, 201, "{}", r.body);
    email
}

fn outbox_id(email: &str) -> String {
    sql(&format!("select id from email_outbox where to_email = '{email}' and template = 'verification_code'"))
}

#[test]
fn a_sign_up_code_reaches_the_email_api_within_seconds_without_a_cron_run() {
    let _one = CRON.lock();
    let started = std::time::Instant::now();
    let email = sign_up("quick");
    // mail::code waits at most 5 s for the message; no cron is run here
    let code = mail::code(&email, "verification_code");
    assert_eq!(code.len(), 6);
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
    let id = outbox_id(&email);
    assert_eq!(row(&id), ("sent".to_owned(), 1), "sent once, by the request's own delivery");
    assert_eq!(payload(&id), json!({}), "and the code left the outbox");
    let r = send(
        "POST",
        "localhost",
        "/api/v1/auth/verify-email",
        &[("content-type", "application/json")],
        Some(json!({"email": email, "code": code}).to_string()),
    );
    assert_eq!(r.status, 200, "the emailed code works: {}", r.body);
}

#[test]
fn a_failing_email_api_leaves_the_row_to_the_cron_with_its_retry_and_backoff() {
    let _one = CRON.lock();
    fail_next_sends(1);
    let email = sign_up("retry");
    let id = outbox_id(&email);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while row(&id).1 < 1 {
        assert!(std::time::Instant::now() < deadline, "the request's delivery never tried");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(row(&id), ("pending".to_owned(), 1), "the failed try is counted and the row kept");
    let wait = sql(&format!("select round(extract(epoch from next_attempt_at - now()) / 60) from email_outbox where id = '{id}'"));
    assert_eq!(wait, "1", "the usual backoff: one minute after the first failure");
    assert!(sql(&format!("select last_error from email_outbox where id = '{id}'")).starts_with("500"));
    only_due(&id);
    run_cron();
    assert_eq!(row(&id), ("sent".to_owned(), 2), "the cron sent it on its retry");
    assert_eq!(sends_of(&id).iter().map(|s| s["status"].as_i64().unwrap_or(0)).collect::<Vec<_>>(), [500, 200]);
}

#[test]
fn requests_sending_their_own_mail_and_concurrent_cron_runs_never_send_one_row_twice() {
    let _one = CRON.lock();
    fail_next_sends(0);
    let signups: Vec<_> = (0..8).map(|_| std::thread::spawn(|| sign_up("race"))).collect();
    let crons: Vec<_> = (0..4).map(|_| std::thread::spawn(run_cron)).collect();
    let emails: Vec<String> = signups.into_iter().map(|t| t.join().unwrap_or_default()).collect();
    for c in crons {
        let _ = c.join();
    }
    run_cron();
    for email in &emails {
        mail::newest(email, "verification_code");
        let id = outbox_id(email);
        assert_eq!(row(&id), ("sent".to_owned(), 1), "{email}: one claim, one send");
        assert_eq!(sends_of(&id).len(), 1, "{email}: the email API saw it once");
    }
}

#[test]
fn a_brand_chooses_both_languages_or_the_recipients_only_for_its_mail() {
    let _one = CRON.lock();
    let (brand, host) = new_brand("langs", "EUR", "es");
    let queue = || {
        let id = sql(&format!(
            "insert into email_outbox (brand_id, to_email, template, locale, payload)
             values ('{brand}', '{}@example.com', 'order_shipped', 'es', '{{\"order_number\": 7, \"tracking_number\": \"1Z9\"}}') returning id",
            unique("to")));
        id.lines().last().unwrap_or_default().to_owned()
    };
    let sent = |id: &str| -> Value {
        only_due(id);
        run_cron();
        let send = sends_of(id).pop().unwrap_or_else(|| panic!("{id} was not sent"));
        serde_json::from_str(send["body"].as_str().unwrap_or("{}")).unwrap_or(Value::Null)
    };
    let name = sql(&format!("select name from brands where id = '{brand}'"));
    let both = sent(&queue());
    assert_eq!(both["subject"], format!("{name}: pedido 7 enviado · {name}: order 7 shipped"));
    let html = both["html"].as_str().unwrap_or_default();
    assert!(html.find("<section lang=\"es\">") < html.find("<section lang=\"en\">") && html.contains("<section lang=\"en\">"), "{html}");

    // the brand's admin asks for the recipient's language only
    let r = admin("PATCH", &host, "/api/v1/admin/settings/email", Some(json!({"email_languages": "recipient"})));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["email_languages"], "recipient");
    assert_eq!(count(&format!("select count(*) from audit_log where brand_id = '{brand}' and action = 'email_settings_changed'")), 1);
    let one = sent(&queue());
    assert_eq!(one["subject"], format!("{name}: pedido 7 enviado"));
    let text = one["text"].as_str().unwrap_or_default();
    assert!(text.contains("1Z9") && !text.contains("shipped") && !text.contains("on its way"), "{text}");
    assert!(!one["html"].as_str().unwrap_or_default().contains("lang=\"en\""), "{one}");

    let r = admin("PATCH", &host, "/api/v1/admin/settings/email", Some(json!({"email_languages": "french"})));
    assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_email_languages"), "{}", r.body);
    assert_eq!(sql(&format!("select email_languages from brands where id = '{brand}'")), "recipient");
}
