//! The cron handler delivers the email outbox through the email API stand-in: rendered in
//! the brand's language, retried with backoff, dead-lettered after too many failures, and
//! never sent twice for one outbox row.

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
    assert_eq!(msg["subject"], format!("Globex Tienda: pedido {number} confirmado"));
    assert!(msg["text"].as_str().is_some_and(|t| t.contains("25,00\u{a0}€")), "{msg}");
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

    let invite = insert("member_invitation", r#"{"role": "editor", "invite_url": "https://acme.localhost/accept-invitation?token=raw-secret-token"}"#, "", "");
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
