//! Customers, devices and the overview in the admin API (GET customers, customers/{id},
//! devices, devices/{id}, overview): what staff read, fenced by brand and role.

use std::collections::HashSet;

use shoal_e2e::edge::*;
use shoal_e2e::*;

/// Orders of `brand` as checkout and Stripe leave them: (email, total, refunded, paid days ago or None).
fn orders(brand: &str, currency: &str, rows: &[(&str, i64, i64, Option<i64>)]) -> Vec<String> {
    rows.iter()
        .map(|(email, total, refunded, paid)| {
            let (status, payment, paid_at) = match paid {
                Some(days) => {
                    let payment = if *refunded > 0 { "partially_refunded" } else { "paid" };
                    ("paid", payment, format!("now() - interval '{days} days'"))
                }
                None => ("pending", "unpaid", "null".to_owned()),
            };
            sql(&format!(
                "insert into orders (brand_id, email, currency, total_amount, amount_refunded, status, payment_status, paid_at, created_at)
                 values ('{brand}', '{email}', '{currency}', {total}, {refunded}, '{status}', '{payment}', {paid_at}, coalesce({paid_at}, now()))
                 returning id"
            ))
        })
        .collect()
}

fn items(r: &Reply) -> Vec<Value> {
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["items"].as_array().cloned().unwrap_or_default()
}

#[test]
fn a_customer_is_an_email_with_its_orders_and_in_store_record() {
    let (brand, host) = new_brand("cu", "EUR", "es");
    let ann = orders(
        &brand,
        "EUR",
        &[("ann@shop.test", 2000, 0, Some(1)), ("ANN@shop.test", 3000, 500, Some(2)), ("ann@shop.test", 900, 0, None)],
    );
    orders(&brand, "EUR", &[("bob@shop.test", 1000, 0, Some(3))]);
    orders(&brand, "USD", &[("bob@shop.test", 5000, 0, Some(3))]);
    let store_ann = uuid();
    let walk_in = uuid();
    sql(&format!(
        "insert into customers (id, brand_id, name, email, phone) values ('{store_ann}', '{brand}', 'Ann Lee', 'ann@shop.test', '+34 600 000 000');
         insert into customers (id, brand_id, name) values ('{walk_in}', '{brand}', 'Walk-in Wally');
         insert into store_orders (id, brand_id, number, status, currency, total_amount, placed_at, customer_id)
           values ('{}', '{brand}', 'T-1', 'completed', 'EUR', 700, now() - interval '5 days', '{store_ann}')",
        uuid()
    ));
    let list = items(&admin("GET", &host, "/api/v1/admin/customers", None));
    assert_eq!(list.len(), 3, "{list:?}");
    let by_email = |e: Option<&str>| list.iter().find(|c| c["email"].as_str() == e).cloned().unwrap_or_default();
    let a = by_email(Some("ann@shop.test"));
    // two paid online orders and one completed in-store; net of the refund, in the brand's currency
    assert_eq!((a["name"].as_str(), a["order_count"].as_i64(), a["total_spent"].as_i64()), (Some("Ann Lee"), Some(3), Some(5200)));
    assert_eq!(a["currency"], "EUR");
    let b = by_email(Some("bob@shop.test"));
    assert_eq!((b["order_count"].as_i64(), b["total_spent"].as_i64()), (Some(2), Some(1000)), "USD counted, not summed into EUR");
    let w = by_email(None);
    assert_eq!((w["name"].as_str(), w["id"].as_str()), (Some("Walk-in Wally"), Some(walk_in.as_str())));

    // one at a time: each exactly once
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let r = admin("GET", &host, &format!("/api/v1/admin/customers?limit=1{cursor}"), None);
        let page = items(&r);
        seen.extend(page.iter().map(|c| c["id"].as_str().unwrap_or_default().to_owned()));
        match r.json()["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 3);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 3);

    // search by part of the email or the name
    let found = items(&admin("GET", &host, "/api/v1/admin/customers?q=LEE", None));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["email"], "ann@shop.test");
    assert_eq!(items(&admin("GET", &host, "/api/v1/admin/customers?q=bob%40", None)).len(), 1);
    assert_eq!(items(&admin("GET", &host, "/api/v1/admin/customers?q=100%25", None)).len(), 0, "% is a character, not a wildcard");

    // the detail: online orders (newest first) and in-store ones
    let r = admin("GET", &host, &format!("/api/v1/admin/customers/{}", a["id"].as_str().unwrap_or_default()), None);
    assert_eq!(r.status, 200, "{}", r.body);
    let d = r.json();
    let ids: Vec<&str> = d["orders"].as_array().map(|o| o.iter().filter_map(|x| x["id"].as_str()).collect()).unwrap_or_default();
    assert_eq!(ids.iter().copied().collect::<HashSet<_>>(), ann.iter().map(String::as_str).collect::<HashSet<_>>());
    assert_eq!(d["store_orders"][0]["number"], "T-1");
    assert_eq!(d["phone"], "+34 600 000 000");

    // another brand's staff: no such customer, none of this brand's in their list
    let r = admin("GET", "acme.localhost", &format!("/api/v1/admin/customers/{}", a["id"].as_str().unwrap_or_default()), None);
    assert_eq!((r.status, r.error_code().as_str()), (404, "customer_not_found"));
    let r = admin("GET", "acme.localhost", &format!("/api/v1/admin/customers/{walk_in}"), None);
    assert_eq!((r.status, r.error_code().as_str()), (404, "customer_not_found"));
    assert!(items(&admin("GET", "acme.localhost", "/api/v1/admin/customers?q=shop.test&limit=100", None)).is_empty());
    for (path, code) in [
        ("/api/v1/admin/customers/nope", "customer_not_found"),
        ("/api/v1/admin/customers?limit=0", "invalid_query"),
        ("/api/v1/admin/customers?cursor=x", "invalid_query"),
        ("/api/v1/admin/customers?q=%00", "invalid_query"),
    ] {
        assert_eq!(admin("GET", &host, path, None).error_code(), code, "{path}");
    }
    // every staff role reads customers (as it reads orders); nobody else
    let viewer = format!("Bearer {}", staff_session(&host, &brand, "read_only"));
    assert_eq!(items(&send("GET", &host, "/api/v1/admin/customers", &[("authorization", &viewer)], None)).len(), 3);
    assert_eq!(send("GET", &host, "/api/v1/admin/customers", &[], None).status, 401);
    let forged = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJl";
    assert_eq!(send("GET", &host, "/api/v1/admin/customers", &[("authorization", forged)], None).status, 401);
    assert_eq!(admin("POST", &host, "/api/v1/admin/customers", None).status, 405);
}

#[test]
fn devices_show_why_they_work_or_not_and_their_commands() {
    let (pending, _) = created("globex.localhost");
    let (soon, fp) = device("globex.localhost", 10);
    let (fine, _) = device("globex.localhost", 200);
    let (gone, _) = device("globex.localhost", 200);
    let r = admin("POST", "globex.localhost", &format!("/api/v1/admin/devices/{gone}/revoke"), Some(json!({"reason": "stolen"})));
    assert_eq!(r.status, 200, "{}", r.body);
    // the device reports its app version with its heartbeat
    let h = edge_with("GET", "/edge/v1/health", &cf("1", "SUCCESS", "0", &fp), &[("x-shoal-app-version", "1.4.2")], None);
    assert_eq!(h.status, 200, "{}", h.body);

    let list = items(&admin("GET", "globex.localhost", "/api/v1/admin/devices", None));
    let find = |id: &str| list.iter().find(|d| d["id"] == id).cloned().unwrap_or_else(|| panic!("{id} not listed"));
    assert_eq!(find(&pending)["status_reason"], "first_time_setup");
    let s = find(&soon);
    assert_eq!(s["status_reason"], "certificate_expiring_soon");
    assert!(s["status_details"]["days_remaining"].as_i64().is_some_and(|d| (9..=10).contains(&d)), "{s}");
    assert_eq!(s["app_version"], "1.4.2");
    assert!(s["last_seen_at"].is_string() && s["certificate_expires_at"].is_string());
    assert!(s["recovery"].as_str().is_some_and(|r| !r.is_empty()), "in the brand's language");
    assert_eq!(find(&fine)["status_reason"], "ok");
    let g = find(&gone);
    assert_eq!((g["status_reason"].as_str(), g["status_details"]["reason"].as_str()), (Some("revoked"), Some("stolen")));
    sql(&format!("update devices set cert_expires_at = now() - interval '2 days' where id = '{fine}'"));
    let d = admin("GET", "globex.localhost", &format!("/api/v1/admin/devices/{fine}"), None).json();
    assert_eq!(d["status_reason"], "certificate_expired");

    // a command and its acknowledgement
    let r = admin("POST", "globex.localhost", &format!("/api/v1/admin/devices/{soon}/commands"), Some(json!({"kind": "upload_logs"})));
    assert_eq!(r.status, 201, "{}", r.body);
    let command = r.json()["id"].as_str().unwrap_or_default().to_owned();
    sql(&format!(
        "update device_commands set status = 'succeeded', acked_at = now(), result_message = 'sent 3 files' where id = '{command}'"
    ));
    let r = admin("GET", "globex.localhost", &format!("/api/v1/admin/devices/{soon}"), None);
    assert_eq!(r.status, 200, "{}", r.body);
    let c = &r.json()["commands"][0];
    assert_eq!(
        (c["id"].as_str(), c["kind"].as_str(), c["status"].as_str()),
        (Some(command.as_str()), Some("upload_logs"), Some("succeeded"))
    );
    assert_eq!(c["result"], "sent 3 files");
    assert!(c["acknowledged_at"].is_string() && c["created_at"].is_string());

    // another brand's admin: not theirs; readers and editors: devices are their admins'
    let r = admin("GET", "acme.localhost", &format!("/api/v1/admin/devices/{soon}"), None);
    assert_eq!((r.status, r.error_code().as_str()), (404, "device_not_found"));
    assert!(!items(&admin("GET", "acme.localhost", "/api/v1/admin/devices", None)).iter().any(|d| d["id"] == soon.as_str()));
    assert_eq!(admin("GET", "globex.localhost", "/api/v1/admin/devices/not-a-uuid", None).error_code(), "device_not_found");
    for role in ["read_only", "editor"] {
        let token = format!("Bearer {}", staff_session("globex.localhost", GLOBEX_ID, role));
        let r = send("GET", "globex.localhost", "/api/v1/admin/devices", &[("authorization", &token)], None);
        assert_eq!((r.status, r.error_code().as_str()), (403, "forbidden"), "{role}");
    }
    assert_eq!(send("GET", "globex.localhost", "/api/v1/admin/devices", &[], None).status, 401);
}

#[test]
fn the_overview_counts_what_the_brand_sold() {
    let (brand, host) = new_brand("ov", "EUR", "en");
    orders(
        &brand,
        "EUR",
        &[
            ("a@ov.test", 1000, 0, Some(0)),
            ("b@ov.test", 2500, 500, Some(0)),
            ("c@ov.test", 4000, 0, Some(3)),
            ("d@ov.test", 9999, 0, None),     // not paid
            ("e@ov.test", 7000, 0, Some(40)), // before the 30 days
        ],
    );
    orders(&brand, "USD", &[("f@ov.test", 8000, 0, Some(0))]); // another currency
    let product =
        sql(&format!("insert into products (brand_id, slug, title, status) values ('{brand}', 'mug', 'Mug', 'active') returning id"));
    for (sku, available) in [("MUG-LOW", 3), ("MUG-EDGE", 5), ("MUG-OK", 6)] {
        sql(&format!(
            "with v as (insert into variants (brand_id, product_id, sku, title, price_amount) values ('{brand}', '{product}', '{sku}', '{sku}', 900) returning id)
             insert into inventory_levels (variant_id, brand_id, available) select id, '{brand}', {available} from v"
        ));
    }
    sql(&format!(
        "insert into brand_subscriptions (brand_id, status, plan, trial_end) values ('{brand}', 'trialing', 'starter', '2030-01-01 00:00+00')"
    ));
    let r = admin("GET", &host, "/api/v1/admin/overview", None);
    assert_eq!(r.status, 200, "{}", r.body);
    let o = r.json();
    assert_eq!(o["currency"], "EUR");
    assert_eq!(o["today"], json!({"orders": 2, "revenue": 3000}), "net of refunds, EUR only");
    assert_eq!((o["last_30_days"]["orders"].as_i64(), o["last_30_days"]["revenue"].as_i64()), (Some(3), Some(7000)));
    let days = o["last_30_days"]["by_day"].as_array().cloned().unwrap_or_default();
    assert_eq!(days.len(), 30);
    let today = chrono_now().format("%Y-%m-%d").to_string();
    assert_eq!(days[29], json!({"date": today, "orders": 2, "revenue": 3000}));
    assert_eq!((days[26]["orders"].as_i64(), days[26]["revenue"].as_i64()), (Some(1), Some(4000)));
    let low: Vec<&str> = o["low_stock"].as_array().map(|l| l.iter().filter_map(|v| v["sku"].as_str()).collect()).unwrap_or_default();
    assert_eq!(low, ["MUG-LOW", "MUG-EDGE"], "at or under the threshold (5 by default)");
    assert_eq!(o["low_stock"][0]["product_title"], "Mug");
    assert_eq!(o["subscription"]["state"], "trialing");
    assert_eq!(o["subscription"]["plan"], "starter");
    assert!(o["subscription"]["trial_ends_at"].as_str().is_some_and(|t| t.starts_with("2030-01-01")), "{}", o["subscription"]);
    // a reader sees it too; strangers do not
    let viewer = format!("Bearer {}", staff_session(&host, &brand, "read_only"));
    let r = send("GET", &host, "/api/v1/admin/overview", &[("authorization", &viewer)], None);
    assert_eq!(r.json()["today"], o["today"], "{}", r.body);
    assert_eq!(send("GET", &host, "/api/v1/admin/overview", &[], None).status, 401);
    // another brand's overview holds none of this
    let acme = admin("GET", "acme.localhost", "/api/v1/admin/overview", None).json();
    assert_eq!(acme["currency"], "USD");
    assert!(!acme["low_stock"].to_string().contains("MUG-LOW"));
}
