//! Stripe Connect onboarding (issue 12, item 6): a brand admin connects the brand's Stripe
//! account from the admin API, Stripe's `account.updated` events say when it can take
//! charges, and until then the shop's checkout answers `payments_not_ready` without
//! writing anything. The dev stack runs PAYMENTS_MODE=platform (the demo brands are paid
//! on the platform's account), so these brands are ones that have begun connecting.

use shoal_e2e::forms::Browser;
use shoal_e2e::shop::*;
use shoal_e2e::stripe::*;
use shoal_e2e::*;

fn call_as(token: &str, method: &str, host: &str, path: &str) -> Reply {
    let auth = format!("Bearer {token}");
    let body = (method == "POST").then(|| "{}".to_owned());
    send(method, host, path, &[("authorization", &auth), ("content-type", "application/json")], body)
}

fn account_of(brand: &str) -> String {
    sql(&format!("select coalesce(stripe_account, '') from brands where id = '{brand}'"))
}

/// `charges|payouts|details|requirements|disabled reason` of the brand's payment account.
fn payment_row(brand: &str) -> String {
    sql(&format!(
        "select charges_enabled || '|' || payouts_enabled || '|' || details_submitted || '|' || requirements_due::text
                  || '|' || coalesce(disabled_reason, '') from brand_payment_accounts where brand_id = '{brand}'"
    ))
}

fn accounts_created_for(brand: &str) -> usize {
    let key = format!("connect-account-{brand}");
    stripe_requests("/v1/accounts").iter().filter(|e| e["headers"]["idempotency-key"] == key.as_str()).count()
}

fn stand_in(path: &str) -> String {
    format!("http://127.0.0.1:{}{path}", stripe_port())
}

/// The path of a stand-in onboarding URL (`http://127.0.0.1:port/setup/{token}`).
fn setup_path(url: &str) -> String {
    let token = url.rsplit('/').next().unwrap_or_default();
    format!("/setup/{token}")
}

fn connect(host: &str) -> String {
    let r = admin("POST", host, "/api/v1/admin/payments/connect", None);
    assert_eq!(r.status, 200, "{}", r.body);
    let url = r.json()["url"].as_str().unwrap_or_default().to_owned();
    assert!(url.starts_with(&stand_in("/setup/")), "{url}");
    url
}

/// A Connect event about `account`, sent by that account unless `from` says otherwise.
fn account_updated(account: &str, from: Option<&str>, fields: Value) -> Value {
    let mut object = json!({"id": account, "object": "account", "charges_enabled": false, "payouts_enabled": false,
                            "details_submitted": false, "requirements": {"currently_due": [], "past_due": [], "disabled_reason": null}});
    if let (Some(o), Some(f)) = (object.as_object_mut(), fields.as_object()) {
        o.extend(f.clone());
    }
    let ev = event("account.updated", object);
    match from {
        Some(sender) => from_account(ev, sender),
        None => ev,
    }
}

fn outcome(ev: &Value) -> String {
    let r = deliver(ev);
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["outcome"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn a_brand_admin_connects_once_and_the_shop_takes_payments_when_stripe_enables_charges() {
    let (brand, host, variant) = shop_with_lamp("connect", "{}", 5);
    let r = admin("GET", &host, "/api/v1/admin/payments", None);
    assert_eq!((r.status, r.json()["state"].as_str()), (200, Some("none")), "{}", r.body);

    // the first connect creates the account (controller properties, once per brand) and binds it
    let first = connect(&host);
    let account = account_of(&brand);
    assert!(account.starts_with("acct_"), "{account}");
    assert_eq!(accounts_created_for(&brand), 1);
    let created = stripe_requests("/v1/accounts")
        .into_iter()
        .rev()
        .find(|e| e["headers"]["idempotency-key"] == format!("connect-account-{brand}").as_str());
    let form = created.map(|e| e["body"].as_str().unwrap_or_default().to_owned()).unwrap_or_default();
    for part in [
        "controller%5Bstripe_dashboard%5D%5Btype%5D=full",
        "controller%5Bfees%5D%5Bpayer%5D=account",
        "controller%5Blosses%5D%5Bpayments%5D=stripe",
        &format!("metadata%5Bbrand_id%5D={brand}"),
    ] {
        assert!(form.contains(part), "{part} missing in {form}");
    }
    assert!(!form.contains("type="), "no account type: controller properties instead ({form})");
    assert_eq!(
        count(&format!(
            "select count(*) from audit_log where brand_id = '{brand}' and action = 'payment_account_created' and target = '{account}'"
        )),
        1
    );
    // the link returns to the brand's own host (the scheme and port the request came with,
    // in development; https on the default port in production)
    // this brand's newest link (tests running beside this one ask for links of their own)
    let mine = format!("account={account}&");
    let link = stripe_requests("/v1/account_links")
        .into_iter()
        .rev()
        .find(|e| e["body"].as_str().is_some_and(|b| b.contains(&mine)))
        .map(|e| e["body"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    let origin = format!("http%3A%2F%2F{host}");
    for part in [
        format!("account={account}"),
        "type=account_onboarding".into(),
        format!("return_url={origin}%2Fadmin%2Fpayments%2Freturn"),
        format!("refresh_url={origin}%2Fadmin%2Fpayments%2Frefresh"),
    ] {
        assert!(link.contains(&part), "{part} missing in {link}");
    }
    let r = admin("GET", &host, "/api/v1/admin/payments", None);
    assert_eq!(
        (r.json()["state"].as_str(), r.json()["stripe_account"].as_str()),
        (Some("onboarding"), Some(account.as_str())),
        "{}",
        r.body
    );

    // not ready yet: the checkout writes nothing and says why
    let mut s = Shopper::new(&host);
    assert_eq!(s.add(&variant, 2).status, 200);
    let r = s.checkout(json!({"email": "early@example.com"}));
    assert_eq!((r.status, r.error_code().as_str()), (409, "payments_not_ready"), "{}", r.body);
    assert_eq!(count(&format!("select count(*) from orders where brand_id = '{brand}'")), 0, "no order");
    assert_eq!(count(&format!("select coalesce(sum(reserved), 0) from inventory_levels where brand_id = '{brand}'")), 0, "no reservation");
    // the storefront's form says so in the shopper's words
    let mut browser = Browser::new(&host);
    assert_eq!(browser.get("/p/lamp").status, 200);
    assert_eq!(browser.post("/cart/add", &[("variant_id", &variant), ("quantity", "1")]).status, 303);
    assert_eq!(browser.get("/cart").status, 200);
    let page = browser.post("/checkout", &[("email", "form@example.com")]);
    assert_eq!(page.status, 409, "{}", page.body);
    assert!(
        page.body.contains("take payments yet") && page.header("content-type").unwrap_or_default().starts_with("text/html"),
        "{}",
        page.body
    );
    assert_eq!(count(&format!("select count(*) from orders where brand_id = '{brand}'")), 0);

    // a second connect reuses the account and hands out a new link
    let second = connect(&host);
    assert_ne!(first, second);
    assert_eq!((account_of(&brand), accounts_created_for(&brand)), (account.clone(), 1));

    // both return addresses answer on the brand's host
    for path in ["/admin/payments/return", "/admin/payments/refresh"] {
        let r = get(&host, path);
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        assert!(r.body.contains("<h1") && r.body.contains("Stripe"), "{path}: {}", r.body);
    }

    // the admin completes Stripe's onboarding: Stripe sends account.updated, then returns
    let done = http("POST", &stand_in(&format!("{}/complete", setup_path(&second))), &[], None);
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.header("location"), Some(format!("http://{host}/admin/payments/return")));
    assert_eq!(payment_row(&brand), "true|true|true|[]|");
    assert_eq!(
        count(&format!(
            "select count(*) from processed_webhook_events where event_type = 'account.updated' and account = '{account}'
                                and brand_id = '{brand}' and outcome = 'applied'"
        )),
        1
    );
    assert_eq!(
        count(&format!(
            "select count(*) from audit_log where brand_id = '{brand}' and action = 'payment_account_updated' and actor = 'stripe'"
        )),
        1
    );
    let r = admin("GET", &host, "/api/v1/admin/payments", None);
    assert_eq!(r.json()["state"], "charges_enabled", "{}", r.body);
    // a used link leads to the refresh address
    let again = http("GET", &stand_in(&setup_path(&second)), &[], None);
    assert_eq!(again.header("location"), Some(format!("http://{host}/admin/payments/refresh")));

    // now the checkout is charged on the brand's account, with the platform's fee
    let r = s.checkout(json!({"email": "ready@example.com"}));
    assert_eq!(r.status, 201, "{}", r.body);
    let order = r.json()["order_id"].as_str().unwrap_or_default().to_owned();
    let sent = stripe_requests("/v1/checkout/sessions").into_iter().find(|e| e["headers"]["idempotency-key"] == order.as_str());
    let sent = sent.unwrap_or_else(|| panic!("no session for {order}"));
    assert_eq!(sent["headers"]["stripe-account"], account.as_str());
    assert!(sent["body"].as_str().unwrap_or_default().contains("application_fee_amount"));
}

#[test]
fn account_updated_changes_only_the_bound_brand_and_forgeries_change_nothing() {
    let (brand, host, _) = shop_with_lamp("bound", "{}", 1);
    connect(&host);
    let account = account_of(&brand);
    let untouched = "false|false|false|[]|";
    assert_eq!(payment_row(&brand), untouched);
    let enable = json!({"charges_enabled": true, "payouts_enabled": true, "details_submitted": true});

    // an account no brand is bound to changes nothing
    let stranger = format!("acct_1{}", unique("").replace('-', ""));
    assert_eq!(outcome(&account_updated(&stranger, Some(&stranger), enable.clone())), "brand_not_found");
    // another account (or the platform) speaking about this brand's account is refused and audited
    for sender in [Some(stranger.as_str()), None] {
        let ev = account_updated(&account, sender, enable.clone());
        assert_eq!(outcome(&ev), "refused", "{sender:?}");
        let id = ev["id"].as_str().unwrap_or_default();
        assert_eq!(count(&format!("select count(*) from audit_log where action = 'webhook_refused' and target = '{id}'")), 1);
    }
    // a forged signature is refused before anything is read
    let ev = account_updated(&account, Some(&account), enable.clone());
    let body = ev.to_string();
    let r = post_raw(&body, Some(&signature_header("whsec_not_ours", now(), &body)));
    assert_eq!((r.status, r.error_code().as_str()), (400, "signature_mismatch"));
    assert_eq!(payment_row(&brand), untouched);
    assert_eq!(count(&format!("select count(*) from audit_log where brand_id = '{brand}' and action = 'payment_account_updated'")), 0);

    // the account's own event applies once; its replay is a duplicate
    let mut ev = account_updated(
        &account,
        Some(&account),
        json!({"details_submitted": true,
        "requirements": {"currently_due": ["external_account"], "past_due": ["tos_acceptance.date"], "disabled_reason": "requirements.past_due"}}),
    );
    ev["created"] = json!(now() - 10);
    assert_eq!(outcome(&ev), "applied");
    assert_eq!(outcome(&ev), "duplicate");
    assert_eq!(payment_row(&brand), r#"false|false|true|["external_account", "tos_acceptance.date"]|requirements.past_due"#);
    let r = admin("GET", &host, "/api/v1/admin/payments", None);
    assert_eq!(r.json()["state"], "restricted", "{}", r.body);
    assert_eq!(r.json()["requirements_due"], json!(["external_account", "tos_acceptance.date"]));
    // an older snapshot arriving late is skipped
    let mut late = account_updated(&account, Some(&account), enable.clone());
    late["created"] = json!(now() - 60);
    assert_eq!(outcome(&late), "stale");
    assert!(payment_row(&brand).starts_with("false|"));
    // Stripe's review enables charges (the stand-in's control sends the event, signed)
    let r = http(
        "POST",
        &stand_in(&format!("/__accounts/{account}")),
        &[],
        Some(
            json!({"charges_enabled": true,
        "payouts_enabled": true, "requirements": {"currently_due": [], "past_due": [], "disabled_reason": null}})
            .to_string(),
        ),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    // (the stand-in's own copy of the account never had its details submitted)
    assert_eq!(payment_row(&brand), "true|true|false|[]|");
}

#[test]
fn only_the_brands_own_admins_may_connect_or_read_its_payments() {
    let (brand, host, _) = shop_with_lamp("fence", "{}", 1);
    for role in ["read_only", "editor"] {
        let token = staff_session(&host, &brand, role);
        for (method, path) in [("GET", "/api/v1/admin/payments"), ("POST", "/api/v1/admin/payments/connect")] {
            let r = call_as(&token, method, &host, path);
            assert_eq!(r.status, 403, "{role} {method} {path}: {}", r.body);
        }
    }
    // another brand's admin, on this brand's host
    let (_, other_host) = new_brand("other", "USD", "en");
    let r = call_as(&staff_token(&other_host), "POST", &host, "/api/v1/admin/payments/connect");
    assert!(matches!(r.status, 401 | 403), "{}", r.body);
    assert_eq!((account_of(&brand), accounts_created_for(&brand)), (String::new(), 0), "nothing was created");
    assert_eq!(count(&format!("select count(*) from brand_payment_accounts where brand_id = '{brand}'")), 0);
}

#[test]
fn the_database_binds_an_account_once_and_only_for_a_payment_manager() {
    let (brand, _) = new_brand("bind", "USD", "en");
    let as_role = |role: &str| token_for(staff_claims(&brand, role));
    let rpc = |token: &str, account: &str| {
        let url = format!(
            "http://127.0.0.1:{}/rpc/admin_bind_payment_account",
            std::env::var("SHOAL_API_PORT").unwrap_or_else(|_| "54330".into())
        );
        let auth = format!("Bearer {token}");
        http(
            "POST",
            &url,
            &[("authorization", &auth), ("content-type", "application/json"), ("apikey", "sb_secret_shoal_local_development_only")],
            Some(json!({"p_account": account}).to_string()),
        )
    };
    let fresh = || format!("acct_1{}", unique("").replace('-', ""));
    let (first, second) = (fresh(), fresh());
    let r = rpc(&as_role("editor"), &first);
    assert_ne!(r.status, 200, "{}", r.body);
    assert_eq!(account_of(&brand), "");
    let admin_token = as_role("brand_admin");
    assert_eq!(rpc(&admin_token, &first).json()["stripe_account"], first.as_str());
    // a bound account never changes through the API
    assert_eq!(rpc(&admin_token, &second).json()["stripe_account"], first.as_str());
    assert_eq!(account_of(&brand), first);
    // an account bound to a brand cannot be bound to another
    let (other, _) = new_brand("bind2", "USD", "en");
    let r = rpc(&token_for(staff_claims(&other, "brand_admin")), &first);
    assert_ne!(r.status, 200, "{}", r.body);
    assert_eq!(account_of(&other), "");
}

#[test]
fn an_order_placed_on_the_platform_before_its_brand_connected_is_still_settled_by_the_platforms_events() {
    // PAYMENTS_MODE=platform: the brand sold on the platform's account, then connected
    let (brand, host, _) = shop_with_lamp("before", "{}", 1);
    let before = pending_order(&brand, 4500, "USD");
    sql(&format!("update orders set created_at = now() - interval '1 minute' where id = '{before}'"));
    connect(&host);
    let account = account_of(&brand);
    assert_eq!(outcome(&event("checkout.session.completed", checkout_session(&before, &brand, 4500, "USD", "paid"))), "applied");
    assert_eq!(order_state(&before).status, "paid");
    // an order of the connected brand is settled only by its account's events
    let after = pending_order(&brand, 4500, "USD");
    assert_eq!(outcome(&event("checkout.session.completed", checkout_session(&after, &brand, 4500, "USD", "paid"))), "refused");
    assert_eq!(order_state(&after).status, "pending");
    let ev = from_account(event("checkout.session.completed", checkout_session(&after, &brand, 4500, "USD", "paid")), &account);
    assert_eq!(outcome(&ev), "applied");
    assert_eq!(order_state(&after).status, "paid");
}
