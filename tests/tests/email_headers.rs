//! What a brand name or a payload value can do to an email: nothing. The `From` display
//! name is a quoted string without line breaks (no header injection), and placeholders are
//! filled in one pass from the template (a value holding `{…}` is shown as it is).

use shoal_e2e::*;

fn email_api(path: &str) -> String {
    format!("http://127.0.0.1:{}{path}", email_port())
}

fn run_cron() {
    let r = get("127.0.0.1", "/__scheduled?cron=*/5+*+*+*+*");
    assert!(r.status < 500, "{}", r.body);
}

fn queue(brand: &str, template: &str, payload: &str) -> String {
    let id = sql(&format!(
        "insert into email_outbox (brand_id, to_email, template, locale, payload)
         values ('{brand}', 'owner@example.com', '{template}', 'en', '{payload}') returning id"
    ));
    id.lines().last().unwrap_or_default().to_owned()
}

fn sent(id: &str) -> Value {
    let journal = http("GET", &email_api("/__requests"), &[], None).json();
    let send = journal["data"].as_array().and_then(|a| a.iter().find(|e| e["headers"]["idempotency-key"] == id).cloned());
    let send = send.unwrap_or_else(|| panic!("{id} was not sent: {journal}"));
    serde_json::from_str(send["body"].as_str().unwrap_or("{}")).unwrap_or(Value::Null)
}

#[test]
fn a_brand_name_cannot_inject_headers_and_values_cannot_expand_placeholders() {
    let (brand, _) = new_brand("mail", "USD", "en");
    sql(&format!("update brands set name = E'Evil\\r\\nBcc: victim@example.com, \"Boss\" <boss@example.com>' where id = '{brand}'"));
    let injected = queue(&brand, "verification_code", r#"{"code": "123456"}"#);
    // a value that looks like a placeholder, and one that would hide the text after it
    let expanded = queue(&brand, "email_change_notice", r#"{"new_email": "{code}@evil.com", "code": "654321"}"#);
    let hidden = queue(&brand, "email_change_notice", r#"{"new_email": "{x}@evil.com"}"#);
    sql(&format!("update email_outbox set next_attempt_at = now() + interval '1 day' where status = 'pending' and id not in ('{injected}', '{expanded}', '{hidden}')"));
    sql(&format!(
        "update email_outbox set next_attempt_at = now() - interval '1 second' where id in ('{injected}', '{expanded}', '{hidden}')"
    ));
    run_cron();

    let msg = sent(&injected);
    let from = msg["from"].as_str().unwrap_or_default();
    assert!(!from.contains('\r') && !from.contains('\n'), "{from:?}");
    assert!(from.starts_with("\"Evil  Bcc: victim@example.com, \\\"Boss\\\" <boss@example.com>\" <"), "one quoted display name: {from}");
    let subject = msg["subject"].as_str().unwrap_or_default();
    assert!(!subject.contains('\r') && !subject.contains('\n'), "{subject:?}");

    let text = sent(&expanded)["text"].as_str().unwrap_or_default().to_owned();
    assert!(text.contains("changed to {code}@evil.com.") && !text.contains("654321"), "{text}");
    let text = sent(&hidden)["text"].as_str().unwrap_or_default().to_owned();
    assert!(text.contains("changed to {x}@evil.com.") && !text.contains('—'), "{text}");
}
