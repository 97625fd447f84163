//! The account's own calls, replayed straight at PostgREST with one account's database
//! token (as the worker mints it for a signed-in staff member) aimed at another account:
//! every function and every direct table write leaves the other account as it was.

use serde_json::{json, Value};
use shoal_domain::db_token::DbClaims;
use shoal_e2e::*;

fn api() -> String {
    format!("http://127.0.0.1:{}", std::env::var("SHOAL_API_PORT").unwrap_or_else(|_| "54330".into()))
}

fn as_token(token: &str, method: &str, path: &str, body: Value) -> Reply {
    let auth = format!("Bearer {token}");
    http(
        method,
        &format!("{}{path}", api()),
        &[("authorization", &auth), ("content-type", "application/json"), ("prefer", "return=representation")],
        Some(body.to_string()),
    )
}

/// Everything of the account a caller could change, as one line.
fn account_state(id: &str) -> String {
    sql(&format!(
        "select concat_ws('|', email, name, locale, password_hash, mfa_secret, mfa_pending_secret, mfa_enabled_at, \
         mfa_recovery_hashes::text, mfa_last_step, (select string_agg(s.id || ':' || coalesce(s.revoked_reason, 'live'), ',' order by s.id) \
         from sessions s where s.account_id = a.id)) from accounts a where id = '{id}'"
    ))
}

#[test]
fn another_accounts_token_changes_nothing_of_this_account_through_postgrest() {
    let attacker = signed_up_owner("fencea");
    let victim = signed_up_owner("fenceb");
    let attacker_id = sql(&format!("select id from accounts where email = '{}'", attacker.email));
    let victim_id = sql(&format!("select id from accounts where email = '{}'", victim.email));
    let attacker_sid = sql(&format!("select id from sessions where account_id = '{attacker_id}' limit 1"));
    let victim_sid = sql(&format!("select id from sessions where account_id = '{victim_id}' limit 1"));
    // the victim has a second factor pending, so MFA calls have something to change
    sql(&format!("update accounts set mfa_pending_secret = 'v1:k1:bm9uY2U=:dmljdGlt' where id = '{victim_id}'"));
    let before = account_state(&victim_id);
    assert!(!before.is_empty());

    let token = token_for(DbClaims::staff(&attacker_id, &attacker.brand_id, "brand_admin", &attacker_sid));
    // the same account's claims, naming the victim's session and brand as its admin: the
    // database confirms a staff role against memberships, so these claims are no admin's
    let aimed = token_for(DbClaims::staff(&attacker_id, &victim.brand_id, "brand_admin", &victim_sid));
    for t in [&token, &aimed] {
        let calls = [
            ("auth_update_profile", json!({"p_name": "Hacked", "p_locale": "es"})),
            ("auth_mfa_state", json!({})),
            ("auth_mfa_setup", json!({"p_secret": "v1:k1:bm9uY2U=:YXR0YWNr"})),
            ("auth_mfa_enable", json!({"p_recovery_hashes": ["h"], "p_step": 1})),
            ("auth_mfa_disable", json!({})),
            ("auth_reauthentication_failed", json!({"p_reason": "password", "p_purpose": "x"})),
            ("auth_request_email_change", json!({"p_new_email": unique("fencenew") + "@example.com", "p_code": "1", "p_code_hash": "h"})),
            ("auth_change_password", json!({"p_new_password_hash": "attacker-hash"})),
            ("auth_logout", json!({"p_jti": unique("jti"), "p_expires_at": "2099-01-01T00:00:00Z"})),
        ];
        for (function, args) in calls {
            let r = as_token(t, "POST", &format!("/rpc/{function}"), args);
            assert!(r.status < 500, "{function}: {} {}", r.status, r.body);
            if function == "auth_mfa_state" {
                assert_ne!(r.json()["email"], json!(victim.email), "auth_mfa_state answers the caller's own state");
            }
        }
        // old signatures that named the account are gone
        let named =
            as_token(t, "POST", "/rpc/auth_update_profile", json!({"p_account_id": victim_id, "p_name": "Hacked", "p_locale": null}));
        assert!(named.status >= 400, "{}", named.body);
        // straight at the tables
        let patched = as_token(t, "PATCH", &format!("/accounts?id=eq.{victim_id}"), json!({"name": "Hacked"}));
        // refused outright (the representation would show columns it may not read) or no row
        assert!(patched.status == 403 || patched.json() == json!([]), "{}", patched.body);
        let ended = as_token(t, "PATCH", &format!("/sessions?account_id=eq.{victim_id}"), json!({"revoked_at": "2020-01-01T00:00:00Z"}));
        assert_eq!(ended.json(), json!([]), "{}", ended.body);
        // the sealed TOTP secrets are granted to nobody (an account's own come through auth_mfa_state)
        let read = as_token(t, "GET", &format!("/accounts?id=eq.{victim_id}&select=id,mfa_pending_secret"), Value::Null);
        assert_eq!(read.json()["code"], json!("42501"), "{}", read.body);
    }
    assert_eq!(account_state(&victim_id), before, "the victim's account and sessions are as they were");
    // and the attacker's own calls did land on the attacker
    assert_eq!(sql(&format!("select password_hash from accounts where id = '{attacker_id}'")), "attacker-hash");
}

#[test]
fn a_shopper_or_service_token_cannot_call_the_account_functions() {
    let shopper = token_for(DbClaims::shopper(ACME_ID, None));
    let r = as_token(&shopper, "POST", "/rpc/auth_update_profile", json!({"p_name": "x", "p_locale": null}));
    assert!(matches!(r.status, 401 | 403 | 404), "{} {}", r.status, r.body);
    let service = service_token();
    let r = as_token(&service, "POST", "/rpc/auth_change_password", json!({"p_new_password_hash": "x"}));
    assert!(matches!(r.status, 401 | 403 | 404), "{} {}", r.status, r.body);
}
