//! The admin order list and its CSV export (GET /api/v1/admin/orders, …/orders/export.csv):
//! filters, keyset cursor, formula-safe CSV, the brand fence and the role checks.

use std::collections::HashSet;

use shoal_e2e::*;

/// A brand of its own with `n` orders, some sharing one timestamp (the cursor's tie-break).
fn brand_with_orders() -> (String, String, Vec<String>) {
    let (brand, host) = new_brand("ol", "USD", "en");
    let ids = sql(&format!(
        "insert into orders (brand_id, email, currency, total_amount, status, payment_status, paid_at, created_at)
         select '{brand}', 'buyer' || g || case when g % 3 = 0 then '@alpha.test' else '@beta.test' end, 'USD', 1000 + g,
                case when g % 2 = 0 then 'paid' else 'pending' end,
                case when g % 2 = 0 then 'paid' else 'unpaid' end,
                case when g % 2 = 0 then '2026-11-10 12:00+00'::timestamptz end,
                -- five orders each at one instant, on four days
                '2026-11-10 09:00:00+00'::timestamptz + ((g / 5) * interval '1 day')
           from generate_series(1, 20) g
         returning id"
    ));
    let ids: Vec<String> = ids.lines().map(str::to_owned).collect();
    sql(&format!(
        "insert into order_items (brand_id, order_id, title, sku, unit_amount, quantity)
         select brand_id, id, 'Tee', 'TEE-1', 500, 2 from orders where brand_id = '{brand}'"
    ));
    (brand, host, ids)
}

fn page(host: &str, query: &str) -> Value {
    let r = admin("GET", host, &format!("/api/v1/admin/orders?{query}"), None);
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    r.json()
}

/// Every id the list gives for `filters`, following the cursor `limit` at a time.
fn walk(host: &str, filters: &str, limit: usize) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let q = match &cursor {
            Some(c) => format!("{filters}&limit={limit}&cursor={c}"),
            None => format!("{filters}&limit={limit}"),
        };
        let p = page(host, &q);
        let items = p["items"].as_array().cloned().unwrap_or_default();
        assert!(items.len() <= limit);
        ids.extend(items.iter().map(|o| o["id"].as_str().unwrap_or_default().to_owned()));
        match p["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return ids,
        }
    }
    panic!("the cursor never ended");
}

fn expected(brand: &str, condition: &str) -> Vec<String> {
    sql(&format!("select id from orders where brand_id = '{brand}' and {condition} order by created_at desc, id desc"))
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_cursor_gives_every_order_exactly_once_newest_first_whatever_the_filter() {
    let (brand, host, ids) = brand_with_orders();
    let all = walk(&host, "", 3);
    assert_eq!(all.len(), ids.len());
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), ids.len(), "no order twice");
    assert_eq!(all, expected(&brand, "true"), "newest first, ties by id");
    assert_eq!(walk(&host, "status=paid", 4), expected(&brand, "status = 'paid'"));
    assert_eq!(walk(&host, "payment_status=unpaid", 4), expected(&brand, "payment_status = 'unpaid'"));
    // the brand's days (UTC), both ends included
    assert_eq!(
        walk(&host, "from=2026-11-11&to=2026-11-12", 4),
        expected(&brand, "created_at >= '2026-11-11 00:00+00' and created_at < '2026-11-13 00:00+00'")
    );
    assert_eq!(walk(&host, "from=2026-11-13", 2), expected(&brand, "created_at >= '2026-11-13 00:00+00'"));
    assert_eq!(walk(&host, "q=ALPHA.test&status=paid", 2), expected(&brand, "email like '%alpha.test' and status = 'paid'"));
    // an order number, with or without '#'
    let number = sql(&format!("select number from orders where id = '{}'", ids[7]));
    assert_eq!(walk(&host, &format!("q=%23{number}"), 5), [ids[7].clone()]);
    assert_eq!(walk(&host, &format!("q={number}"), 5), [ids[7].clone()]);
    // a row of the list
    let first = &page(&host, "limit=1")["items"][0];
    assert_eq!(first["item_count"], 2);
    assert_eq!(first["currency"], "USD");
    for field in ["id", "number", "email", "status", "payment_status", "total_amount", "created_at"] {
        assert!(!first[field].is_null(), "{field}");
    }
    // another brand's orders are not in this brand's list, nor this brand's in theirs
    let acme: HashSet<String> = walk("acme.localhost", "from=2026-11-10&to=2026-11-14", 100).into_iter().collect();
    assert!(ids.iter().all(|id| !acme.contains(id)));
}

#[test]
fn bad_filters_are_422_naming_the_parameter() {
    let (_, host, _) = brand_with_orders();
    for (query, parameter) in [
        ("status=lost", "status"),
        ("payment_status=free", "payment_status"),
        ("from=2026-13-01", "from"),
        ("to=tomorrow", "to"),
        ("from=2026-11-12&to=2026-11-11", "to"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("q=a%00b", "q"),
    ] {
        for path in ["/api/v1/admin/orders", "/api/v1/admin/orders/export.csv"] {
            let r = admin("GET", &host, &format!("{path}?{query}"), None);
            assert_eq!((r.status, r.error_code().as_str()), (422, "invalid_query"), "{path}?{query}: {}", r.body);
            assert!(r.json()["error"]["message"].as_str().unwrap_or_default().contains(parameter), "{query}: {}", r.body);
        }
    }
}

#[test]
fn every_staff_role_reads_the_list_and_only_staff_do() {
    let (brand, host, ids) = brand_with_orders();
    let viewer = format!("Bearer {}", staff_session(&host, &brand, "read_only"));
    let r = send("GET", &host, "/api/v1/admin/orders?limit=100", &[("authorization", &viewer)], None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["items"].as_array().map(Vec::len), Some(ids.len()));
    let r = send("GET", &host, "/api/v1/admin/orders/export.csv", &[("authorization", &viewer)], None);
    assert_eq!(r.status, 200, "{}", r.body);
    for auth in [None, Some("Bearer eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJl".to_owned())] {
        let headers: Vec<(&str, &str)> = auth.as_deref().map(|a| vec![("authorization", a)]).unwrap_or_default();
        for path in ["/api/v1/admin/orders", "/api/v1/admin/orders/export.csv"] {
            assert_eq!(send("GET", &host, path, &headers, None).status, 401, "{path} {auth:?}");
        }
    }
    // another brand's staff session on this host is no staff of this brand
    let r = send("GET", &host, "/api/v1/admin/orders", &[("authorization", &format!("Bearer {}", staff_token("acme.localhost")))], None);
    assert_eq!(r.status, 401, "{}", r.body);
    let r = admin("DELETE", &host, "/api/v1/admin/orders", None);
    assert_eq!(r.status, 405);
}

#[test]
fn the_csv_export_is_the_list_as_a_file_with_formulas_neutralised() {
    let (brand, host, ids) = brand_with_orders();
    sql(&format!("update orders set email = '=HYPERLINK(\"http://evil.test\",\"x\")@evil.test' where id = '{}'", ids[1]));
    sql(&format!("update orders set email = '+1@sum.test' where id = '{}'", ids[3]));
    let r = admin("GET", &host, "/api/v1/admin/orders/export.csv?status=paid", None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type").as_deref(), Some("text/csv; charset=utf-8"));
    let disposition = r.header("content-disposition").unwrap_or_default();
    assert!(disposition.starts_with("attachment; filename=\"orders-") && disposition.ends_with(".csv\""), "{disposition}");
    let lines: Vec<&str> = r.body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "number,created_at,email,status,payment_status,currency,total_amount,amount_refunded,item_count,id");
    let csv_ids: Vec<String> = lines[1..].iter().map(|l| l.rsplit(',').next().unwrap_or_default().to_owned()).collect();
    assert_eq!(csv_ids, walk(&host, "status=paid", 100), "the same rows in the same order as the list");
    assert_eq!(csv_ids, expected(&brand, "status = 'paid'"));
    assert!(r.body.contains("\"'=HYPERLINK(\"\"http://evil.test\"\",\"\"x\"\")@evil.test\""), "{}", r.body);
    assert!(r.body.contains(",'+1@sum.test,"), "{}", r.body);
    assert!(!r.body.contains(",=") && !r.body.contains(",+"), "no cell starts a formula");
    assert_eq!(r.header("x-shoal-export-rows").as_deref(), Some(csv_ids.len().to_string().as_str()));
    assert!(r.header("x-shoal-export-truncated").is_none());
}

#[test]
fn every_filter_is_backed_by_an_index() {
    // a few thousand orders of one brand among others: the planner uses the brand's indexes
    // for the query shapes public.admin_list_orders builds (only the filters given)
    let (brand, _) = new_brand("olx", "USD", "en");
    let (crowd, _) = new_brand("olcrowd", "USD", "en");
    sql(&format!(
        "insert into orders (brand_id, email, currency, total_amount, created_at)
         select '{crowd}', 'crowd' || g || '@idx.test', 'USD', 100, now() - g * interval '1 minute' from generate_series(1, 16000) g"
    ));
    sql(&format!(
        "insert into orders (brand_id, email, currency, total_amount, status, payment_status, created_at)
         select '{brand}', 'x' || g || '@idx.test', 'USD', 100, (array['pending','paid','processing','shipped'])[1 + g % 4],
                (array['unpaid','paid'])[1 + g % 2], now() - g * interval '1 minute'
           from generate_series(1, 4000) g"
    ));
    let plan = |filter: &str| {
        sql(&format!(
            "analyze orders; set enable_seqscan = off; explain select id from orders where brand_id = '{brand}' {filter}
               order by created_at desc, id desc limit 26"
        ))
    };
    assert!(plan("").contains("orders_brand_id_idx"), "{}", plan(""));
    assert!(plan("and status = 'paid'").contains("orders_brand_status_idx"), "{}", plan("and status = 'paid'"));
    let by_payment = plan("and payment_status = 'paid'");
    assert!(by_payment.contains("orders_brand_payment_status_idx"), "{by_payment}");
    let by_cursor = plan("and (created_at, id) < (now(), '00000000-0000-4000-8000-000000000000')");
    assert!(by_cursor.contains("orders_brand_id_idx"), "{by_cursor}");
    // part of an email: the trigram index serves the pattern (for a small brand the planner
    // may rightly prefer reading the brand's rows, so it is asked without the brand here)
    let any = |filter: &str| sql(&format!("set enable_seqscan = off; explain select id from orders where {filter}"));
    let by_email = any("lower(email) like '%x1234@%'");
    assert!(by_email.contains("orders_email_trgm_idx"), "{by_email}");
    let by_number = any("number = 1234 or lower(email) like '%1234%'");
    assert!(by_number.contains("orders_number_key") && by_number.contains("orders_email_trgm_idx"), "{by_number}");
}

#[test]
fn the_export_stops_at_ten_thousand_rows_and_says_so() {
    let (brand, host) = new_brand("olcap", "USD", "en");
    sql(&format!(
        "insert into orders (brand_id, email, currency, total_amount, created_at)
         select '{brand}', 'cap' || g || '@cap.test', 'USD', 100, now() - g * interval '1 second' from generate_series(1, 10002) g"
    ));
    let r = admin("GET", &host, "/api/v1/admin/orders/export.csv", None);
    assert_eq!(r.status, 200, "{}", r.body.chars().take(300).collect::<String>());
    assert_eq!(r.body.split("\r\n").filter(|l| !l.is_empty()).count(), 10_001, "a header and 10 000 rows");
    assert_eq!(r.header("x-shoal-export-truncated").as_deref(), Some("true"));
    assert_eq!(r.header("x-shoal-export-rows").as_deref(), Some("10000"));
    assert!(r.body.contains(",cap1@cap.test,"), "the newest first");
    assert!(!r.body.contains(",cap10002@cap.test,"), "the oldest left out");
}
