//! Every URL the system hands out answers 200 on the host it names: the invitation link
//! of the invitation email, the billing portal return and subscription checkout success
//! and cancel links given to Stripe, the Connect onboarding's return and refresh links,
//! the storefront checkout's success and cancel links,
//! the device status answer's renewal and support links, the billing refusal's, and every
//! link of every email the email API received. Each flow is run for real and its links
//! collected where they were handed out; each is then fetched from the local worker with
//! the link's host as Host.

use shoal_e2e::edge::{activated, edge_with, verified};
use shoal_e2e::forms::Browser;
use shoal_e2e::shop::Shopper;
use shoal_e2e::*;

fn call(method: &str, host: &str, path: &str, token: &str, body: Option<Value>) -> Reply {
    let auth = format!("Bearer {token}");
    send(method, host, path, &[("authorization", &auth), ("content-type", "application/json")], body.map(|b| b.to_string()))
}

fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or_default();
    rest.split(['/', ':', '?']).next().unwrap_or_default().to_owned()
}

/// Links on Shoal's own hosts (the platform's, a brand's), not Stripe's or another's.
fn ours(url: &str) -> bool {
    let host = host_of(url);
    url.starts_with("http") && (host == "localhost" || host.ends_with(".localhost"))
}

/// GETs `url` from the local worker, its host as the Host header.
fn follow(url: &str) -> Reply {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or_default();
    let path = rest.find('/').map(|i| &rest[i..]).unwrap_or("/");
    get(&host_of(url), path)
}

/// A form body (`a=1&b=2`) as Stripe received it, decoded.
fn form_value(body: &str, key: &str) -> Option<String> {
    let url = reqwest::Url::parse(&format!("http://x/?{body}")).ok()?;
    url.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

fn stripe_sent(path: &str, containing: &str) -> String {
    stripe_requests(path)
        .iter()
        .rev()
        .find_map(|e| e["body"].as_str().filter(|b| b.contains(containing)).map(str::to_owned))
        .unwrap_or_else(|| panic!("nothing sent to {path} with {containing}"))
}

/// A product of the brand with stock, as a shopper can buy it.
fn stocked_variant(brand: &str) -> String {
    let variant = sql(&format!(
        "insert into products (brand_id, slug, title, status) values ('{brand}', 'walk-mug', 'Mug', 'active');
         insert into variants (brand_id, product_id, sku, title, price_amount)
           select '{brand}', id, 'WALK-1', 'One size', 1500 from products where brand_id = '{brand}' and slug = 'walk-mug' returning id"
    ));
    let variant = variant.lines().last().unwrap_or_default().to_owned();
    sql(&format!("insert into inventory_levels (variant_id, brand_id, available) values ('{variant}', '{brand}', 5)"));
    variant
}

#[test]
fn every_link_the_system_hands_out_answers_200_on_the_host_it_names() {
    // emails of this run only: other tests' messages may carry links they made up
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0) - 1.0;
    let owner = signed_up_owner("walk");
    // a new shop is "coming soon" until published; its storefront links are walked below
    let r = call("POST", &owner.host, "/api/v1/admin/settings/publish", &owner.token, Some(json!({"published": true})));
    assert_eq!(r.status, 200, "{}", r.body);
    let mut links: Vec<(&str, String)> = Vec::new();

    // the invitation email
    let invitee = format!("{}@example.com", unique("walk-invitee"));
    let r = call("POST", &owner.host, "/api/v1/admin/members/invitations", &owner.token, Some(json!({"email": invitee, "role": "editor"})));
    assert_eq!(r.status, 201, "{}", r.body);
    links.push(("invitation", mail::link(&invitee, "member_invitation")));

    // the subscription checkout (Stripe's success and cancel links), then the portal's return
    let r = call("POST", &owner.host, "/api/v1/admin/billing/checkout", &owner.token, Some(json!({"plan": "starter"})));
    assert_eq!(r.status, 200, "{}", r.body);
    let sent = stripe_sent("/v1/checkout/sessions", &owner.brand_id);
    for key in ["success_url", "cancel_url"] {
        links.push(("billing checkout", form_value(&sent, key).unwrap_or_default()));
    }
    let customer = sql(&format!("select stripe_customer_id from brand_subscriptions where brand_id = '{}'", owner.brand_id));
    let r = call("POST", &owner.host, "/api/v1/admin/billing/portal", &owner.token, Some(json!({})));
    assert_eq!(r.status, 200, "{}", r.body);
    links.push((
        "billing portal return",
        form_value(&stripe_sent("/v1/billing_portal/sessions", &customer), "return_url").unwrap_or_default(),
    ));

    // the storefront checkout (success, and cancel with its signed token)
    let variant = stocked_variant(&owner.brand_id);
    let mut shopper = Shopper::new(&owner.host);
    assert_eq!(shopper.add(&variant, 1).status, 200);
    let order = shopper.checkout(json!({"email": format!("{}@example.com", unique("walk-buyer"))}));
    assert_eq!(order.status, 201, "{}", order.body);
    let order_id = order.json()["order_id"].as_str().unwrap_or_default().to_owned();
    let sent = stripe_requests("/v1/checkout/sessions")
        .into_iter()
        .find(|e| e["headers"]["idempotency-key"] == order_id.as_str())
        .and_then(|e| e["body"].as_str().map(str::to_owned))
        .unwrap_or_default();
    for key in ["success_url", "cancel_url"] {
        links.push(("storefront checkout", form_value(&sent, key).unwrap_or_default()));
    }

    // Stripe Connect onboarding (the account link's return and refresh pages; after the
    // storefront checkout, which a brand whose account is not ready yet refuses)
    let r = call("POST", &owner.host, "/api/v1/admin/payments/connect", &owner.token, None);
    assert_eq!(r.status, 200, "{}", r.body);
    let sent = stripe_sent("/v1/account_links", &owner.host);
    for key in ["return_url", "refresh_url"] {
        links.push(("connect onboarding", form_value(&sent, key).unwrap_or_default()));
    }

    // a blocked brand: the device status answer and the admin API's refusal say where to go
    let (_, fingerprint, _) = activated(&owner.host);
    sql(&format!(
        "update brand_subscriptions set status = 'unpaid', plan = 'growth', grace_period_ends_at = now() - interval '1 day'
                  where brand_id = '{}'",
        owner.brand_id
    ));
    let status = edge_with("GET", "/edge/v1/status", &verified(&fingerprint), &[], None).json();
    assert_eq!(status["code"], "subscription_blocked", "{status}");
    for key in ["renewal_url", "support_url"] {
        let url = status["details"][key].as_str().unwrap_or_default().to_owned();
        // the device is on the edge host; its links lead to its brand's own host
        assert_eq!(host_of(&url), owner.host, "device status {key}: {url}");
        links.push(("device status", url));
    }
    let refused = call("GET", &owner.host, "/api/v1/admin/members", &owner.token, None);
    assert_eq!(refused.status, 402, "{}", refused.body);
    let details = refused.json();
    let details = details["error"]["details"].clone();
    for key in ["renewal_url", "support_url"] {
        links.push(("billing refusal", details[key].as_str().unwrap_or_default().to_owned()));
    }

    // every link of every email the email API accepted since this test began
    for entry in mail::journal().iter().filter(|e| e["status"] == 200 && e["at"].as_f64().unwrap_or(0.0) >= since) {
        let message: Value = serde_json::from_str(entry["body"].as_str().unwrap_or("{}")).unwrap_or(Value::Null);
        links.extend(mail::hrefs(&message).into_iter().filter(|h| ours(h)).map(|h| ("email", h)));
    }

    let kinds = [
        "invitation",
        "billing checkout",
        "billing portal return",
        "connect onboarding",
        "storefront checkout",
        "device status",
        "billing refusal",
        "email",
    ];
    for kind in kinds {
        assert!(links.iter().any(|(k, u)| *k == kind && ours(u)), "no {kind} link on our hosts among {links:?}");
    }
    links.sort();
    links.dedup();
    for (kind, url) in &links {
        assert!(ours(url), "{kind}: {url} is not on a Shoal host");
        let r = follow(url);
        assert_eq!(r.status, 200, "{kind}: {url} answered {}: {}", r.status, r.body.chars().take(300).collect::<String>());
        assert!(r.header("content-type").is_some_and(|c| c.starts_with("text/html")), "{kind}: {url} is a page");
    }
}

#[test]
fn an_invitation_is_accepted_from_the_page_its_email_links_to_without_javascript() {
    let owner = signed_up_owner("walk-join");
    let invitee = format!("{}@example.com", unique("walk-join"));
    let r = call("POST", &owner.host, "/api/v1/admin/members/invitations", &owner.token, Some(json!({"email": invitee, "role": "editor"})));
    assert_eq!(r.status, 201, "{}", r.body);
    let link = mail::link(&invitee, "member_invitation");
    let path = &link[link.find("/admin/").unwrap_or(0)..];
    let token = link.rsplit("token=").next().unwrap_or_default().to_owned();

    let mut browser = Browser::new(&owner.host);
    let page = browser.get(path);
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<form method=\"post\" action=\"/admin/accept-invitation\">") && page.body.contains(&token),
        "{}",
        page.body
    );
    // another site cannot post it
    let cross =
        browser.post_from(Some("https://evil.example"), "/admin/accept-invitation", &[("token", &token), ("password", "Member-Pass-456")]);
    assert_eq!(cross.status, 403);
    // a password the policy refuses: the form again, saying why, the token kept
    let weak = browser.post("/admin/accept-invitation", &[("token", &token), ("password", "short")]);
    assert_eq!(weak.status, 422);
    assert!(weak.body.contains("role=\"alert\"") && weak.body.contains(&token), "{}", weak.body);

    let joined = browser.post("/admin/accept-invitation", &[("token", &token), ("password", "Member-Pass-456")]);
    assert_eq!(joined.status, 200, "{}", joined.body);
    assert!(joined.body.contains("You are now a member"), "{}", joined.body);
    let login = send(
        "POST",
        &owner.host,
        "/api/v1/auth/login",
        &[("content-type", "application/json")],
        Some(json!({"email": invitee, "password": "Member-Pass-456"}).to_string()),
    );
    assert_eq!(login.status, 200, "the new member signs in: {}", login.body);
    assert_eq!(login.json()["account"]["role"], "editor");

    // used once: the link now explains itself instead of joining again
    let again = browser.post("/admin/accept-invitation", &[("token", &token), ("password", "Member-Pass-456")]);
    assert_eq!(again.status, 404);
    assert!(again.body.contains("not valid any more"), "{}", again.body);
}

#[test]
fn support_names_the_platforms_contact_on_the_platform_and_brand_hosts() {
    for host in ["localhost", "acme.localhost"] {
        let r = get(host, "/support");
        assert_eq!(r.status, 200, "{host}");
        assert!(r.body.contains("mailto:support@shoal.localhost"), "{host}: {}", r.body);
        let billing = get(host, "/admin/billing?checkout=cancelled");
        assert_eq!(billing.status, 200, "{host}");
        if host == "localhost" {
            assert!(billing.body.contains("nothing was charged"), "{host}: {}", billing.body);
        } else {
            // a brand's host: the dashboard's billing screen says it (tests/browser/dashboard.test.cjs)
            assert!(billing.body.contains("/assets/admin/app.js"), "{host}: {}", billing.body);
        }
    }
}
