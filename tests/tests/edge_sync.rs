//! Edge sync over HTTP with activated devices: per-record answers, all-or-nothing on a
//! malformed batch, inventory as deltas that sum under concurrency, and pull pages that
//! never show another brand's records.

use shoal_e2e::edge::*;
use shoal_e2e::*;

fn rec(resource: &str, op: &str, id: &str, base: Option<i64>, data: Value) -> Value {
    json!({"mutation_id": uuid(), "resource": resource, "op": op, "id": id, "base_version": base, "data": data})
}

fn push(fp: &str, records: &[Value]) -> Reply {
    edge("POST", "/edge/v1/sync/push", &verified(fp), Some(json!({"records": records})))
}

fn statuses(r: &Reply) -> Vec<String> {
    r.json()["results"]
        .as_array()
        .map(|a| a.iter().map(|x| x["status"].as_str().unwrap_or_default().to_owned()).collect())
        .unwrap_or_default()
}

/// Every change after `cursor` (all pages), and the last cursor.
fn pull_all(fp: &str, mut cursor: String) -> (Vec<Value>, String) {
    let mut all = Vec::new();
    loop {
        let r = edge("GET", &format!("/edge/v1/sync/pull?cursor={cursor}&limit=500"), &verified(fp), None);
        assert_eq!(r.status, 200, "{}", r.body);
        let page = r.json();
        all.extend(page["changes"].as_array().cloned().unwrap_or_default());
        cursor = page["cursor"].as_str().unwrap_or_default().to_owned();
        if page["has_more"] != true {
            return (all, cursor);
        }
    }
}

fn latest_cursor(fp: &str) -> String {
    pull_all(fp, String::new()).1
}

#[test]
fn a_push_is_answered_record_by_record() {
    let (_, fp, _) = activated("acme.localhost");
    let (customer, employee, shift, report, order, product) = (uuid(), uuid(), uuid(), uuid(), uuid(), uuid());
    let slug = format!("till-made-{}", &uuid()[..8]);
    let first = vec![
        rec("customers", "upsert", &customer, None, json!({"name": "Ann Till", "email": "ann@example.com"})),
        rec("employees", "upsert", &employee, None, json!({"name": "Bo Cashier", "role": "cashier"})),
        rec("shifts", "upsert", &shift, None, json!({"employee_id": employee, "opened_at": "2026-11-26T08:00:00Z", "opening_cash": 10000})),
        rec(
            "store_orders",
            "upsert",
            &order,
            None,
            json!({"number": "T1-0001", "status": "completed", "currency": "USD", "total_amount": 4200,
            "placed_at": "2026-11-26T09:00:00Z", "customer_id": customer, "employee_id": employee, "shift_id": shift,
            "items": [{"line": 1, "sku": "POS-1", "title": "Coffee", "quantity": 2, "unit_amount": 2100}],
            "payments": [{"method": "card", "amount": 4200, "reference": "auth-1"}]}),
        ),
        rec(
            "daily_reports",
            "upsert",
            &report,
            None,
            json!({"store": format!("Store {}", uuid()), "business_date": "2026-11-26", "totals": {"sales": 4200}}),
        ),
        rec("products", "upsert", &product, None, json!({"slug": slug, "title": "Till-made mug", "status": "draft"})),
        rec("customers", "upsert", &uuid(), None, json!({"name": ""})),
    ];
    let r = push(&fp, &first);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(statuses(&r), ["applied", "applied", "applied", "applied", "applied", "applied", "invalid"], "{}", r.body);
    assert_eq!(r.json()["results"][0]["version"], 1);
    assert!(r.json()["results"][6]["error"]["code"].is_string(), "{}", r.body);
    assert_eq!(r.json()["summary"], json!({"applied": 6, "duplicate": 0, "conflict": 0, "invalid": 1}));
    assert_eq!(count(&format!("select count(*) from store_order_items where order_id = '{order}'")), 1);
    assert_eq!(count(&format!("select count(*) from store_order_payments where order_id = '{order}'")), 1);

    // a retried batch: the same mutations are duplicates and change nothing
    let again = push(&fp, &first[..2]);
    assert_eq!(statuses(&again), ["duplicate", "duplicate"], "{}", again.body);
    assert_eq!(again.json()["results"][0]["version"], 1);

    // optimistic concurrency: v1 → v2, then a write still based on v1 conflicts
    let v2 = push(&fp, &[rec("customers", "upsert", &customer, Some(1), json!({"name": "Ann T."}))]);
    assert_eq!((statuses(&v2), v2.json()["results"][0]["version"].as_i64()), (vec!["applied".to_owned()], Some(2)));
    let stale = push(&fp, &[rec("customers", "upsert", &customer, Some(1), json!({"name": "Ann Stale"}))]);
    assert_eq!(statuses(&stale), ["conflict"]);
    let server = &stale.json()["results"][0]["server"];
    assert_eq!((server["version"].as_i64(), server["data"]["name"].as_str()), (Some(2), Some("Ann T.")), "{}", stale.body);
    let gone = push(&fp, &[rec("customers", "delete", &customer, Some(2), Value::Null)]);
    assert_eq!(statuses(&gone), ["applied"], "{}", gone.body);
    assert_eq!(count(&format!("select count(*) from customers where id = '{customer}' and deleted_at is not null and version = 3")), 1);
}

#[test]
fn a_malformed_batch_applies_nothing() {
    let (_, fp, _) = activated("globex.localhost");
    let id = uuid();
    let good = rec("customers", "upsert", &id, None, json!({"name": "Never stored"}));
    for bad in [
        json!({"mutation_id": uuid(), "resource": "suppliers", "op": "upsert", "id": uuid(), "data": {}}),
        json!({"mutation_id": "nope", "resource": "customers", "op": "upsert", "id": uuid(), "data": {}}),
        json!("not a record"),
    ] {
        let r = push(&fp, &[good.clone(), bad]);
        assert_eq!((r.status, r.error_code().as_str()), (400, "malformed_batch"), "{}", r.body);
    }
    let too_many: Vec<Value> = (0..501).map(|_| rec("customers", "upsert", &uuid(), None, json!({"name": "x"}))).collect();
    assert_eq!(push(&fp, &too_many).error_code(), "malformed_batch");
    let huge = rec("customers", "upsert", &uuid(), None, json!({"name": "x", "note": "n".repeat(1024 * 1024)}));
    assert_eq!(push(&fp, &[huge]).status, 413);
    let not_json = edge("POST", "/edge/v1/sync/push", &verified(&fp), None);
    assert_eq!(not_json.status, 400);
    assert_eq!(count(&format!("select count(*) from customers where id = '{id}'")), 0);
    assert_eq!(push(&fp, &[good]).status, 200, "the good record alone goes in");
    assert_eq!(count(&format!("select count(*) from customers where id = '{id}'")), 1);
}

#[test]
fn concurrent_inventory_deltas_from_two_devices_sum() {
    let (_, a, _) = activated("acme.localhost");
    let (_, b, _) = activated("acme.localhost");
    // a variant of its own so that no other test's checkout moves this stock
    let sku = format!("SYNC-{}", &uuid()[..8]);
    let variant = sql(&format!("with p as (insert into products (brand_id, slug, title, status) values ('{ACME_ID}', lower('{sku}'), 'Sync stock', 'draft') returning id),
        v as (insert into variants (brand_id, product_id, sku, title, price_amount) select '{ACME_ID}', id, '{sku}', 'One', 100 from p returning id),
        i as (insert into inventory_levels (variant_id, brand_id, available) select id, '{ACME_ID}', 100 from v returning variant_id)
        select variant_id from i"));
    let pushers: Vec<_> = (0..8)
        .map(|n| {
            let (fp, variant) = (if n % 2 == 0 { a.clone() } else { b.clone() }, variant.clone());
            std::thread::spawn(move || {
                let deltas: Vec<Value> = (0..5).map(|_| rec("inventory_levels", "delta", &variant, None, json!({"delta": -2}))).collect();
                statuses(&push(&fp, &deltas))
            })
        })
        .collect();
    for p in pushers {
        assert_eq!(p.join().unwrap_or_default(), vec!["applied"; 5]);
    }
    assert_eq!(sql(&format!("select available from inventory_levels where variant_id = '{variant}'")), "20", "100 - 8×5×2");
    let over = push(&a, &[rec("inventory_levels", "delta", &variant, None, json!({"delta": -21}))]);
    assert_eq!((statuses(&over), over.json()["results"][0]["code"].as_str()), (vec!["conflict".to_owned()], Some("insufficient_stock")));
    let upsert = push(&a, &[rec("inventory_levels", "upsert", &variant, None, json!({"available": 5}))]);
    assert_eq!(
        (statuses(&upsert), upsert.json()["results"][0]["error"]["code"].as_str()),
        (vec!["invalid".to_owned()], Some("inventory_takes_deltas")),
        "inventory is never overwritten"
    );
}

#[test]
fn pull_pages_through_the_brand_s_changes_only() {
    let (_, acme_fp, _) = activated("acme.localhost");
    let (_, globex_fp, _) = activated("globex.localhost");
    let start = latest_cursor(&acme_fp);
    let (mine, theirs) = (uuid(), uuid());
    assert_eq!(
        statuses(&push(&acme_fp, &[rec("employees", "upsert", &mine, None, json!({"name": "Acme clerk", "role": "manager"}))])),
        ["applied"]
    );
    assert_eq!(
        statuses(&push(&globex_fp, &[rec("employees", "upsert", &theirs, None, json!({"name": "Globex clerk", "role": "cashier"}))])),
        ["applied"]
    );
    // the same id pushed by the other brand's device is refused without touching it
    let taken = push(&acme_fp, &[rec("employees", "upsert", &theirs, None, json!({"name": "Hijack", "role": "manager"}))]);
    assert_eq!(
        (statuses(&taken), taken.json()["results"][0]["error"]["code"].as_str()),
        (vec!["invalid".to_owned()], Some("id_taken")),
        "{}",
        taken.body
    );
    assert_eq!(sql(&format!("select name from employees where id = '{theirs}'")), "Globex clerk");

    let (changes, cursor) = pull_all(&acme_fp, start.clone());
    assert!(changes.iter().any(|c| c["id"] == mine.as_str() && c["resource"] == "employees" && c["data"]["name"] == "Acme clerk"));
    assert!(!changes.iter().any(|c| c["id"] == theirs.as_str()), "never another brand's record");
    let (everything, _) = pull_all(&acme_fp, String::new());
    assert!(everything.len() > 30, "the catalog is part of the feed");
    let globex_ids = sql(&format!("select string_agg(id::text, ',') from products where brand_id = '{GLOBEX_ID}'"));
    assert!(!everything.iter().any(|c| globex_ids.contains(c["id"].as_str().unwrap_or("-"))), "no globex product");

    // a dashboard edit shows up after the cursor, with a new version
    let slug = sql(&format!("select slug from products where brand_id = '{ACME_ID}' and status = 'active' order by slug desc limit 1"));
    let before = count(&format!("select version from products where brand_id = '{ACME_ID}' and slug = '{slug}'"));
    let edit = admin(
        "PATCH",
        "acme.localhost",
        &format!("/api/v1/admin/products/{slug}"),
        Some(json!({"description": format!("edited {}", uuid())})),
    );
    assert_eq!(edit.status, 200, "{}", edit.body);
    let (after, _) = pull_all(&acme_fp, cursor);
    let edited = after
        .iter()
        .find(|c| c["resource"] == "products" && c["data"]["slug"] == slug.as_str())
        .unwrap_or_else(|| panic!("dashboard edit not pulled: {after:?}"));
    assert_eq!(edited["version"].as_i64(), Some(before + 1));
    for bad in ["garbage", "YzE6LTE"] {
        let r = edge("GET", &format!("/edge/v1/sync/pull?cursor={bad}"), &verified(&acme_fp), None);
        assert_eq!((r.status, r.error_code().as_str()), (400, "invalid_cursor"));
    }
    assert_eq!(edge("GET", "/edge/v1/sync/pull?limit=501", &verified(&acme_fp), None).error_code(), "invalid_limit");
}

#[test]
fn erasing_a_customer_reaches_in_store_records_and_the_devices() {
    let (_, fp, _) = activated("globex.localhost");
    let (id, email) = (uuid(), format!("{}@example.com", unique("pos-")));
    let pushed =
        push(&fp, &[rec("customers", "upsert", &id, None, json!({"name": "Till Shopper", "email": email, "phone": "+34 600 000 000"}))]);
    assert_eq!(statuses(&pushed), ["applied"]);
    let cursor = latest_cursor(&fp);
    let erased = admin("POST", "globex.localhost", "/api/v1/admin/customers/erase", Some(json!({"email": email.to_uppercase()})));
    assert_eq!((erased.status, erased.json()["store_customers_erased"].as_i64()), (200, Some(1)), "{}", erased.body);
    let (changes, _) = pull_all(&fp, cursor);
    let change = changes.iter().find(|c| c["id"] == id.as_str()).unwrap_or_else(|| panic!("erasure not pulled: {changes:?}"));
    assert_eq!(
        (change["data"]["email"].clone(), change["data"]["phone"].clone(), change["version"].as_i64()),
        (Value::Null, Value::Null, Some(2))
    );
    let export = admin("GET", "globex.localhost", "/api/v1/admin/export", None);
    assert!(
        export.json()["store_customers"]
            .as_array()
            .is_some_and(|c| c.iter().any(|x| x["id"] == id.as_str() && x["name"] == "Erased customer")),
        "{}",
        export.body
    );
}

#[test]
fn the_cron_run_forgets_applied_mutations_after_the_retention_window() {
    let (_, fp, _) = activated("acme.localhost");
    let (old, recent) = (
        rec("customers", "upsert", &uuid(), None, json!({"name": "Old"})),
        rec("customers", "upsert", &uuid(), None, json!({"name": "New"})),
    );
    assert_eq!(statuses(&push(&fp, &[old.clone(), recent.clone()])), ["applied", "applied"]);
    let id = |r: &Value| r["mutation_id"].as_str().unwrap_or_default().to_owned();
    sql(&format!("update sync_mutations set created_at = now() - interval '31 days' where mutation_id = '{}'", id(&old)));
    let r = get("127.0.0.1", "/__scheduled?cron=*/5+*+*+*+*");
    assert!(r.status < 500, "{}", r.body);
    assert_eq!(count(&format!("select count(*) from sync_mutations where mutation_id = '{}'", id(&old))), 0);
    assert_eq!(statuses(&push(&fp, &[recent])), ["duplicate"], "within the window a retry is still a duplicate");
}
