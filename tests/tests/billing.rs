//! SaaS billing of brands: subscription events, grace period, blocking, portal, checkout.

use shoal_e2e::stripe::*;
use shoal_e2e::*;

fn subscription(brand: &str, id: &str, customer: &str, status: &str) -> Value {
    json!({
        "id": id, "object": "subscription", "customer": customer, "status": status,
        "current_period_end": now() + 30 * 86400, "trial_end": null, "cancel_at_period_end": false,
        "metadata": {"brand_id": brand, "plan": "starter"},
        "items": {"object": "list", "data": [{"id": "si_1", "price": {"id": "price_shoal_starter", "lookup_key": "starter"}}]},
    })
}

fn invoice(sub: &str, customer: &str) -> Value {
    json!({
        "id": unique("in_"), "object": "invoice", "customer": customer, "subscription": sub,
        "customer_email": "owner@example.com", "amount_paid": 2900, "amount_due": 2900, "currency": "usd",
        "hosted_invoice_url": "https://invoice.stripe.example/i/1",
        "lines": {"object": "list", "data": [{"period": {"start": now(), "end": now() + 30 * 86400}}]},
    })
}

fn applied(ev: &Value) {
    let r = deliver(ev);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["outcome"], "applied", "{}", r.body);
}

fn storefront(host: &str) -> Reply {
    get(host, "/api/v1/store/brand")
}

fn sub_status(brand: &str) -> String {
    sql(&format!("select status from brand_subscriptions where brand_id = '{brand}'"))
}

#[test]
fn subscription_lifecycle_through_grace_to_blocked_and_back() {
    let (brand, host) = new_brand("bill", "USD", "es");
    let (sub, customer) = billing_customer(&brand);
    let order = pending_order(&brand, 1000, "USD");

    let mut created = event("customer.subscription.created", subscription(&brand, &sub, &customer, "active"));
    created["created"] = json!(now() - 100);
    applied(&created);
    assert_eq!(sub_status(&brand), "active");
    sql(&format!("update brand_subscriptions set billing_email = 'owner@example.com' where brand_id = '{brand}'"));
    assert_eq!(storefront(&host).status, 200);

    applied(&event("invoice.payment_failed", invoice(&sub, &customer)));
    assert_eq!(sub_status(&brand), "past_due");
    let grace_days = sql(&format!(
        "select round(extract(epoch from grace_period_ends_at - now()) / 86400) from brand_subscriptions where brand_id = '{brand}'"
    ));
    assert_eq!(grace_days, "7");
    assert_eq!(
        count(&format!("select count(*) from email_outbox where brand_id = '{brand}' and template = 'payment_failed' and locale = 'es'")),
        1
    );

    applied(&event("customer.subscription.updated", subscription(&brand, &sub, &customer, "unpaid")));
    assert_eq!(sub_status(&brand), "unpaid");
    // still inside the grace period: the shop and its admin keep working
    assert_eq!(storefront(&host).status, 200);
    assert_eq!(admin("GET", &host, &format!("/api/v1/admin/orders/{order}"), None).status, 200);

    // the grace period runs out
    sql(&format!("update brand_subscriptions set grace_period_ends_at = now() - interval '1 minute' where brand_id = '{brand}'"));
    let r = admin("GET", &host, &format!("/api/v1/admin/orders/{order}"), None);
    assert_eq!((r.status, r.error_code().as_str()), (402, "subscription_blocked"), "admin reads billing from the database");
    let details = r.json()["error"]["details"].clone();
    assert_eq!((details["status"].as_str(), details["plan"].as_str()), (Some("unpaid"), Some("starter")));
    assert_eq!(details["in_grace_period"], false);
    assert!(details["grace_period_ends_at"].is_string());
    assert!(details["renewal_url"].as_str().is_some_and(|u| u.ends_with(&format!("{host}/admin/billing"))), "{details}");
    // billing stays reachable for a blocked brand, so it can pay
    assert_ne!(admin("POST", &host, "/api/v1/admin/billing/portal", Some(json!({}))).status, 402);

    // the next billing event invalidates the cached brand: the storefront shows it too
    applied(&event("customer.subscription.updated", subscription(&brand, &sub, &customer, "unpaid")));
    let shop = storefront(&host);
    assert_eq!((shop.status, shop.error_code().as_str()), (503, "brand_unavailable"));
    let page = get(&host, "/");
    assert_eq!(page.status, 503);
    assert!(page.body.contains("Tienda no disponible temporalmente") && page.body.contains("Shop bill"), "{}", page.body);
    assert!(page.header("content-type").is_some_and(|c| c.starts_with("text/html")));

    applied(&event("invoice.paid", invoice(&sub, &customer)));
    assert_eq!(sub_status(&brand), "active");
    assert_eq!(storefront(&host).status, 200);
    assert_eq!(admin("GET", &host, &format!("/api/v1/admin/orders/{order}"), None).status, 200);
}

#[test]
fn subscription_events_write_their_emails_and_audit_rows() {
    let (brand, _) = new_brand("mail", "EUR", "en");
    let (sub, customer) = billing_customer(&brand);
    let mut checkout = json!({
        "id": unique("cs_test_"), "object": "checkout.session", "mode": "subscription", "status": "complete",
        "customer": customer, "subscription": sub, "client_reference_id": brand,
        "customer_details": {"email": "founder@example.com"}, "metadata": {"brand_id": brand, "plan": "growth"},
    });
    applied(&event("checkout.session.completed", checkout.clone()));
    applied(&event("customer.subscription.created", subscription(&brand, &sub, &customer, "trialing")));
    let mut trial = subscription(&brand, &sub, &customer, "trialing");
    trial["trial_end"] = json!(now() + 3 * 86400);
    applied(&event("customer.subscription.trial_will_end", trial));
    applied(&event("customer.subscription.updated", subscription(&brand, &sub, &customer, "active")));
    applied(&event("invoice.paid", invoice(&sub, &customer)));
    applied(&event("invoice.payment_action_required", invoice(&sub, &customer)));
    applied(&event(
        "charge.refunded",
        json!({
            "id": unique("ch_"), "object": "charge", "customer": customer, "invoice": unique("in_"),
            "amount": 2900, "amount_refunded": 2900, "currency": "eur", "paid": true, "refunds": {"data": []}
        }),
    ));
    applied(&event("customer.subscription.deleted", subscription(&brand, &sub, &customer, "canceled")));
    let templates = sql(&format!("select string_agg(template, ',' order by created_at) from email_outbox where brand_id = '{brand}'"));
    assert_eq!(templates, "trial_ending,subscription_activated,payment_action_required,refund_processed,subscription_canceled");
    assert_eq!(sql(&format!("select distinct to_email from email_outbox where brand_id = '{brand}'")), "founder@example.com");
    let actions = sql(&format!("select string_agg(action, ',' order by id) from audit_log where brand_id = '{brand}'"));
    assert_eq!(actions, "subscription_checkout_completed,subscription_created,subscription_trial_will_end,subscription_activated,subscription_invoice_paid,subscription_payment_action_required,subscription_refund_seen,subscription_canceled");
    // the changes of status keep where they came from and went to
    let moves = sql(&format!(
        "select string_agg(action || ':' || (detail->>'from') || '>' || (detail->>'to'), ',' order by id)
                              from audit_log where brand_id = '{brand}' and action in ('subscription_activated', 'subscription_canceled')"
    ));
    assert_eq!(moves, "subscription_activated:trialing>active,subscription_canceled:active>canceled");
    checkout["id"] = json!("unused");
}

#[test]
fn an_older_subscription_snapshot_arriving_late_is_skipped() {
    let (brand, _) = new_brand("late", "USD", "en");
    let (sub, customer) = billing_customer(&brand);
    let newer = event("customer.subscription.updated", subscription(&brand, &sub, &customer, "canceled"));
    let mut older = event("customer.subscription.updated", subscription(&brand, &sub, &customer, "active"));
    older["created"] = json!(now() - 3600);
    applied(&newer);
    let r = deliver(&older);
    assert_eq!(r.json()["outcome"], "stale");
    assert_eq!(sub_status(&brand), "canceled");
}

#[test]
fn billing_portal_and_subscription_checkout_go_through_stripe() {
    let (brand, host) = new_brand("portal", "USD", "en");
    let r = admin("POST", &host, "/api/v1/admin/billing/portal", Some(json!({})));
    assert_eq!((r.status, r.error_code().as_str()), (409, "no_billing_customer"));

    let r = admin("POST", &host, "/api/v1/admin/billing/checkout", Some(json!({"plan": "starter"})));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["url"].as_str().is_some_and(|u| u.contains("/checkout/cs_test_")));
    // Shoal created the brand's Stripe customer first and stored it: events find the brand by it
    let customer = sql(&format!("select stripe_customer_id || '|' || status from brand_subscriptions where brand_id = '{brand}'"));
    let (customer, status) = customer.split_once('|').unwrap_or_default();
    assert!(customer.starts_with("cus_") && status == "incomplete", "{customer} {status}");
    assert!(stripe_requests("/v1/customers").iter().any(|e| e["body"].as_str().is_some_and(|b| b.contains(&brand))));
    let sent = stripe_requests("/v1/checkout/sessions");
    let body = sent.iter().rev().find_map(|e| e["body"].as_str().filter(|b| b.contains(&brand))).unwrap_or_default().to_owned();
    for part in [
        "mode=subscription",
        "line_items%5B0%5D%5Bprice%5D=price_shoal_starter",
        &format!("metadata%5Bbrand_id%5D={brand}"),
        &format!("customer={customer}"),
    ] {
        assert!(body.contains(part), "{part} missing in {body}");
    }
    // a second checkout reuses the customer
    let r = admin("POST", &host, "/api/v1/admin/billing/checkout", Some(json!({"plan": "growth"})));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(sql(&format!("select stripe_customer_id from brand_subscriptions where brand_id = '{brand}'")), customer);
    let r = admin("POST", &host, "/api/v1/admin/billing/checkout", Some(json!({"plan": "platinum"})));
    assert_eq!((r.status, r.error_code().as_str()), (422, "unknown_plan"));

    // the subscription checkout completes: bound to the brand through the stored customer
    let sub = unique("sub_");
    applied(&event(
        "checkout.session.completed",
        json!({
        "id": unique("cs_test_"), "object": "checkout.session", "mode": "subscription", "status": "complete",
        "customer": customer, "subscription": sub, "customer_details": {"email": "owner@example.com"},
        "metadata": {"plan": "starter"}}),
    ));
    assert_eq!(sql(&format!("select stripe_subscription_id from brand_subscriptions where brand_id = '{brand}'")), sub);

    let r = admin("POST", &host, "/api/v1/admin/billing/portal", Some(json!({})));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["url"].as_str().is_some_and(|u| u.contains("/p/session/bps_")));
    assert!(stripe_requests("/v1/billing_portal/sessions").iter().any(|e| e["body"].as_str().is_some_and(|b| b.contains(customer))));
}

#[test]
fn a_late_or_leftover_invoice_never_revives_a_canceled_subscription() {
    let (brand, host) = new_brand("revive", "USD", "en");
    let (sub, customer) = billing_customer(&brand);
    let mut created = event("customer.subscription.created", subscription(&brand, &sub, &customer, "active"));
    created["created"] = json!(now() - 100);
    applied(&created);
    let mut deleted = event("customer.subscription.deleted", subscription(&brand, &sub, &customer, "canceled"));
    deleted["created"] = json!(now() - 10);
    applied(&deleted);
    assert_eq!(storefront(&host).status, 503);
    let period_end = sql(&format!("select current_period_end from brand_subscriptions where brand_id = '{brand}'"));
    // an invoice paid before the deletion arrives late, and a leftover open invoice is paid after it
    for age in [50, 0] {
        let mut paid = event("invoice.paid", invoice(&sub, &customer));
        paid["created"] = json!(now() - age);
        applied(&paid);
        assert_eq!(sub_status(&brand), "canceled");
        assert_eq!(storefront(&host).status, 503, "the shop stays closed");
    }
    // a failed payment of a canceled subscription gives it no grace period either
    applied(&event("invoice.payment_failed", invoice(&sub, &customer)));
    assert_eq!(sql(&format!("select status || '|' || coalesce(grace_period_ends_at::text, '') || '|' || current_period_end from brand_subscriptions where brand_id = '{brand}'")),
               format!("canceled||{period_end}"));
    assert_eq!(storefront(&host).status, 503);
}

#[test]
fn plan_prices_come_from_configuration_and_name_the_plan_of_a_subscription() {
    // the migration holds no prices: STRIPE_PRICES does (scripts/dev sets the stand-in's)
    assert_eq!(sql("select (value ? 'plans')::text from platform_settings where key = 'billing'"), "false");
    let (brand, host) = new_brand("prices", "USD", "en");
    let r = admin("POST", &host, "/api/v1/admin/billing/checkout", Some(json!({"plan": "growth"})));
    assert_eq!(r.status, 200, "{}", r.body);
    let sent = stripe_requests("/v1/checkout/sessions");
    let body = sent.iter().rev().find_map(|e| e["body"].as_str().filter(|b| b.contains(&brand))).unwrap_or_default().to_owned();
    assert!(body.contains("line_items%5B0%5D%5Bprice%5D=price_shoal_growth"), "{body}");

    // a subscription's plan is the configured plan of its price, whatever its metadata says
    // (the checkout stored the brand's Stripe customer: the events find the brand by it)
    let customer = sql(&format!("select stripe_customer_id from brand_subscriptions where brand_id = '{brand}'"));
    let mut snapshot = subscription(&brand, &unique("sub_"), &customer, "active");
    snapshot["items"]["data"][0]["price"] = json!({"id": "price_shoal_growth", "lookup_key": "something_else"});
    let mut ev = event("customer.subscription.updated", snapshot.clone());
    ev["created"] = json!(now() - 10);
    applied(&ev);
    assert_eq!(sql(&format!("select plan from brand_subscriptions where brand_id = '{brand}'")), "growth");
    // a price the platform does not sell leaves the plan as it was, and says so in the audit log
    snapshot["items"]["data"][0]["price"] = json!({"id": "price_someone_elses", "lookup_key": "starter"});
    applied(&event("customer.subscription.updated", snapshot));
    assert_eq!(sql(&format!("select plan from brand_subscriptions where brand_id = '{brand}'")), "growth");
    assert_eq!(
        count(&format!(
            "select count(*) from audit_log where brand_id = '{brand}' and action = 'subscription_updated'
                                and detail->>'unknown_price' = 'price_someone_elses'"
        )),
        1
    );
}

fn day(epoch: i64) -> String {
    chrono::DateTime::from_timestamp(epoch, 0).map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

fn period_end(brand: &str) -> i64 {
    sql(&format!("select extract(epoch from current_period_end)::bigint from brand_subscriptions where brand_id = '{brand}'"))
        .parse()
        .unwrap_or_default()
}

/// A paid invoice of `sub` for `amount`, its period ending at `end`, billed to `email`.
fn paid_invoice(sub: &str, customer: &str, email: Option<&str>, amount: i64, end: i64) -> Value {
    let mut paid = invoice(sub, customer);
    paid["customer_email"] = json!(email);
    paid["amount_paid"] = json!(amount);
    paid["lines"]["data"][0]["period"] = json!({"start": end - 30 * 86400, "end": end});
    event("invoice.paid", paid)
}

/// Tests that read the languages of billing mail, one at a time: one of them changes the
/// platform's setting for a moment.
static LANGUAGES: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn a_paid_invoice_moves_the_period_end_and_emails_activated_then_renewed() {
    let _one = LANGUAGES.lock();
    let (brand, _) = new_brand("renew", "USD", "es");
    let (sub, customer) = billing_customer(&brand);
    let contact = format!("{}@example.com", unique("billing"));
    let mut created = event("customer.subscription.created", subscription(&brand, &sub, &customer, "incomplete"));
    created["created"] = json!(now() - 100);
    applied(&created);

    // a trial's first invoice charges nothing: no email
    applied(&paid_invoice(&sub, &customer, Some(&contact), 0, now() + 14 * 86400));
    assert_eq!(count(&format!("select count(*) from email_outbox where brand_id = '{brand}'")), 0);

    let first_end = now() + 30 * 86400;
    applied(&paid_invoice(&sub, &customer, Some(&contact), 2900, first_end));
    assert_eq!(period_end(&brand), first_end);
    assert_eq!(sub_status(&brand), "active");
    let activated = mail::newest(&contact, "subscription_activated");
    let text = activated["text"].as_str().unwrap_or_default();
    // the brand's language first, then English (the platform's default: both languages)
    assert!(text.starts_with("¡Gracias! Tu plan starter está activo. El periodo actual termina el "), "{text}");
    assert!(text.contains(&format!("termina el {}.", day(first_end))) && text.contains(&format!("ends on {}.", day(first_end))), "{text}");
    let name = sql(&format!("select name from brands where id = '{brand}'"));
    assert_eq!(activated["subject"], format!("Tu suscripción de {name} está activa · Your {name} subscription is active"));
    assert_eq!(activated["to"], json!([contact]));

    let next_end = first_end + 30 * 86400;
    applied(&paid_invoice(&sub, &customer, Some(&contact), 2900, next_end));
    assert_eq!(period_end(&brand), next_end, "the renewal moves the period end");
    let renewed = mail::newest(&contact, "subscription_renewed");
    let text = renewed["text"].as_str().unwrap_or_default();
    assert!(
        text.contains(&format!("se renovó hasta el {}.", day(next_end))) && text.contains(&format!("renewed until {}.", day(next_end))),
        "{text}"
    );
    assert_eq!(
        count(&format!("select count(*) from email_outbox where brand_id = '{brand}' and template = 'subscription_activated'")),
        1,
        "a renewal is not announced as a first activation"
    );
    let audited = sql(&format!(
        "select detail->>'current_period_end' from audit_log where brand_id = '{brand}'
                                and action = 'subscription_invoice_paid' order by id desc limit 1"
    ));
    assert!(audited.starts_with(&day(next_end)), "{audited}");
}

#[test]
fn billing_mail_goes_to_the_brand_admins_while_there_is_no_billing_contact() {
    let _one = LANGUAGES.lock();
    let (brand, host) = new_brand("admins", "USD", "en");
    staff_token(&host); // the brand's admin account (e2e-admin-<brand>@example.com)
    let (sub, customer) = billing_customer(&brand);
    sql(&format!("update brand_subscriptions set plan = 'starter' where brand_id = '{brand}'"));
    let end = now() + 30 * 86400;
    applied(&paid_invoice(&sub, &customer, None, 2900, end));
    let message = mail::newest(&format!("e2e-admin-{brand}@example.com"), "subscription_activated");
    assert!(message["text"].as_str().is_some_and(|t| t.contains(&format!("ends on {}.", day(end)))), "{message}");
    // the platform's setting: only the recipient's language
    sql("update platform_settings set value = jsonb_set(value, '{languages}', '\"recipient\"') where key = 'email'");
    let next = end + 30 * 86400;
    applied(&paid_invoice(&sub, &customer, None, 2900, next));
    let renewed = mail::newest(&format!("e2e-admin-{brand}@example.com"), "subscription_renewed");
    sql("update platform_settings set value = jsonb_set(value, '{languages}', '\"both\"') where key = 'email'");
    let name = sql(&format!("select name from brands where id = '{brand}'"));
    assert_eq!(renewed["subject"], format!("Your {name} subscription was renewed"), "{renewed}");
    assert!(renewed["text"].as_str().is_some_and(|t| !t.contains("Gracias")), "{renewed}");
}

/// The brand's invoices as the admin API lists them, read with `token`.
fn invoices(host: &str, token: &str, query: &str) -> Reply {
    let auth = format!("Bearer {token}");
    send("GET", host, &format!("/api/v1/admin/billing/invoices{query}"), &[("authorization", &auth)], None)
}

/// An invoice of the platform account for `customer`, made in the Stripe stand-in.
fn stripe_invoice(customer: &str, amount: i64, status: &str) -> Value {
    let spec = json!({"customer": customer, "amount": amount, "currency": "usd", "status": status});
    http("POST", &format!("http://127.0.0.1:{}/__invoices", stripe_port()), &[("content-type", "application/json")], Some(spec.to_string()))
        .json()
}

#[test]
fn billing_managers_list_their_brands_stripe_invoices_and_no_one_else_does() {
    let (brand, host) = new_brand("invoices", "USD", "en");
    let token = staff_session(&host, &brand, "brand_admin");
    // no billing customer yet: nothing to ask Stripe
    let r = invoices(&host, &token, "");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json(), json!({"items": [], "next_cursor": null}));

    // the first subscription checkout makes the customer; its invoices are listed, newest first
    assert_eq!(admin("POST", &host, "/api/v1/admin/billing/checkout", Some(json!({"plan": "starter"}))).status, 200);
    let customer = sql(&format!("select stripe_customer_id from brand_subscriptions where brand_id = '{brand}'"));
    let first = stripe_invoice(&customer, 2900, "paid");
    std::thread::sleep(std::time::Duration::from_millis(1100)); // Stripe's `created` is in seconds
    let second = stripe_invoice(&customer, 4900, "open");
    let (_, other_host) = new_brand("invoices-other", "USD", "en");
    assert_eq!(admin("POST", &other_host, "/api/v1/admin/billing/checkout", Some(json!({"plan": "starter"}))).status, 200);

    let r = invoices(&host, &token, "");
    assert_eq!(r.status, 200, "{}", r.body);
    let listed = r.json();
    let ids: Vec<&str> = listed["items"].as_array().map(|a| a.iter().filter_map(|i| i["id"].as_str()).collect()).unwrap_or_default();
    assert_eq!(ids, [second["id"].as_str().unwrap_or_default(), first["id"].as_str().unwrap_or_default()]);
    let newest = &listed["items"][0];
    assert_eq!(
        (newest["status"].as_str(), newest["amount_due"].as_i64(), newest["amount_paid"].as_i64(), newest["currency"].as_str()),
        (Some("open"), Some(4900), Some(0), Some("USD"))
    );
    assert_eq!(newest["hosted_invoice_url"], second["hosted_invoice_url"]);
    assert_eq!(newest["invoice_pdf"], second["invoice_pdf"]);
    assert!(newest["number"].is_string() && newest["created"].as_str().is_some_and(|c| c.ends_with('Z') && c.contains('T')), "{newest}");
    let asked = stripe_requests("/v1/invoices");
    assert!(asked.iter().any(|e| e["method"] == "GET" && e["query"].as_str().is_some_and(|q| q.contains(&format!("customer={customer}")))));

    // pages: one at a time, the cursor leads to the older one
    let page = invoices(&host, &token, "?limit=1").json();
    assert_eq!(page["items"][0]["id"], second["id"]);
    let cursor = page["next_cursor"].as_str().unwrap_or_default().to_owned();
    let next = invoices(&host, &token, &format!("?limit=1&cursor={cursor}")).json();
    assert_eq!((next["items"][0]["id"].clone(), next["next_cursor"].clone()), (first["id"].clone(), Value::Null));
    for bad in ["?limit=0", "?limit=101", "?cursor=nonsense"] {
        let r = invoices(&host, &token, bad);
        assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_query"), "{bad}: {}", r.body);
    }

    // read_only staff, another brand's admin (on this host or their own) and no token: refused
    let viewer = staff_session(&host, &brand, "read_only");
    let r = invoices(&host, &viewer, "");
    assert_eq!((r.status, r.error_code().as_str()), (403, "forbidden"), "{}", r.body);
    let other_admin = staff_token(&other_host);
    let r = invoices(&host, &other_admin, "");
    assert!(r.status == 401 || r.status == 403, "another brand's token on this host: {}", r.body);
    let theirs = invoices(&other_host, &other_admin, "").json();
    assert!(theirs["items"].as_array().is_some_and(|a| a.iter().all(|i| i["id"] != first["id"] && i["id"] != second["id"])), "{theirs}");
    let r = send("GET", &host, "/api/v1/admin/billing/invoices", &[], None);
    assert_eq!(r.status, 401, "{}", r.body);
}
