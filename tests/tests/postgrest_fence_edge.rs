//! The edge fence without the worker: a device's database token of one brand (acme), sent
//! straight to PostgREST as a stolen or replayed token would be, with the other brand's
//! (globex's) device, command and record ids. Each call is refused or touches nothing;
//! the rows are checked in the database afterwards. A staff token cannot act as a device.
//! Devices here are rows made for each test (activation is `edge_activation.rs`'s topic).

use shoal_domain::db_token::DbClaims;
use shoal_e2e::*;

fn api() -> String {
    format!("http://127.0.0.1:{}", std::env::var("SHOAL_API_PORT").unwrap_or_else(|_| "54330".into()))
}

fn bearer(claims: DbClaims) -> String {
    format!("Bearer {}", token_for(claims))
}

/// `POST /rpc/{function}` with `claims`' token.
fn rpc(claims: DbClaims, function: &str, args: Value) -> Reply {
    http(
        "POST",
        &format!("{}/rpc/{function}", api()),
        &[("authorization", &bearer(claims)), ("content-type", "application/json")],
        Some(args.to_string()),
    )
}

/// A direct table request (`PATCH /devices?id=eq.…`), answering the rows it touched.
fn table(claims: DbClaims, method: &str, path: &str, body: Option<Value>) -> Reply {
    http(
        method,
        &format!("{}/{path}", api()),
        &[("authorization", &bearer(claims)), ("content-type", "application/json"), ("prefer", "return=representation")],
        body.map(|b| b.to_string()),
    )
}

/// An active device of `brand` with a certificate bound, and its fingerprint.
fn device(brand: &str) -> (String, String) {
    let fp: String = uuid().replace('-', "").repeat(2);
    let id = sql(&format!(
        "insert into devices (brand_id, name, status, hardware_id, cert_fingerprint, cert_ref, last_seen_at)
         values ('{brand}', 'Fence till', 'active', 'HW-FENCE', '{fp}', 'ref-{fp}', '2026-01-01T00:00:00Z') returning id"
    ));
    (id, fp)
}

fn command(brand: &str, device: &str, status: &str) -> String {
    sql(&format!(
        "insert into device_commands (brand_id, device_id, kind, status, lease_until, created_by)
         values ('{brand}', '{device}', 'upload_logs', '{status}', now() + interval '1 hour', 'e2e') returning id"
    ))
}

fn row(query: &str) -> String {
    sql(query)
}

#[test]
fn an_acme_device_token_reaches_no_globex_device_or_command() {
    let (acme, _) = device(ACME_ID);
    let (globex, globex_fp) = device(GLOBEX_ID);
    let pending = command(GLOBEX_ID, &globex, "pending");
    let delivered = command(GLOBEX_ID, &globex, "delivered");
    let commands_of = |d: &str| {
        row(&format!("select string_agg(id || ' ' || status || ' ' || deliveries || ' ' || coalesce(acked_at::text, '-'), ',' order by id) from device_commands where device_id = '{d}'"))
    };
    let devices_before = row(&format!("select string_agg(d::text, ',') from devices d where id = '{globex}'"));
    let commands_before = commands_of(&globex);
    let me = || DbClaims::device(&acme, ACME_ID);

    let claimed = rpc(me(), "edge_claim_commands", json!({"p_lease_seconds": 60}));
    assert_eq!((claimed.status, claimed.json()), (200, json!([])), "{}", claimed.body);
    let ack = rpc(me(), "edge_ack_command", json!({"p_command_id": delivered, "p_success": true, "p_message": "forged"}));
    assert_eq!(ack.status, 404, "another brand's command is not found: {}", ack.body);
    // the old signatures named the device: a device id in the arguments now reaches nothing
    let old = rpc(me(), "edge_ack_command", json!({"p_device_id": globex, "p_command_id": delivered, "p_success": true, "p_message": "x"}));
    assert_eq!(old.status, 404, "{}", old.body);
    let old_claim = rpc(me(), "edge_claim_commands", json!({"p_device_id": globex, "p_lease_seconds": 60}));
    assert!(old_claim.status == 404 || old_claim.json() == json!([]), "{}", old_claim.body);
    let renewal = rpc(
        DbClaims::device(&globex, ACME_ID),
        "edge_renew_certificate",
        json!({"p_hardware_id": "HW-FENCE",
        "p_fingerprint": "ee".repeat(32), "p_cert_expires_at": "2030-01-01T00:00:00Z", "p_issuer": "x", "p_cert_ref": "x", "p_serial": "x"}),
    );
    assert_eq!(renewal.status, 404, "globex's device named with acme's brand is no device: {}", renewal.body);
    let beat = rpc(DbClaims::device(&globex, ACME_ID), "edge_heartbeat", json!({}));
    assert_eq!((beat.status, beat.body.trim()), (200, "null"), "a forged pairing touches no row");

    // straight at the tables
    let seen = table(me(), "GET", &format!("devices?select=id&id=in.({acme},{globex})"), None);
    assert_eq!(seen.json(), json!([{"id": acme}]), "a device sees its own row only");
    let patched = table(me(), "PATCH", &format!("device_commands?id=eq.{delivered}"), Some(json!({"status": "succeeded"})));
    assert_eq!(patched.json(), json!([]), "{}", patched.body);
    let moved = table(me(), "PATCH", &format!("devices?id=eq.{globex}&select=id"), Some(json!({"last_seen_at": "2030-01-01T00:00:00Z"})));
    assert_eq!(moved.json(), json!([]), "{}", moved.body);
    let rebound = table(me(), "PATCH", &format!("devices?id=eq.{acme}&select=id"), Some(json!({"cert_fingerprint": globex_fp})));
    assert_eq!(rebound.status, 403, "no caller writes a certificate binding directly: {}", rebound.body);

    assert_eq!(row(&format!("select string_agg(d::text, ',') from devices d where id = '{globex}'")), devices_before);
    assert_eq!(commands_of(&globex), commands_before, "globex's commands are untouched");
    assert!(commands_before.contains(&format!("{pending} pending 0 -")), "{commands_before}");
    assert_eq!(count(&format!("select count(*) from audit_log where target in ('{pending}', '{delivered}')")), 0);
}

#[test]
fn an_acme_device_token_pushes_and_pulls_nothing_of_globex() {
    let (acme, _) = device(ACME_ID);
    let since = count("select last_value from sync_change_seq");
    let (customer, order) = (uuid(), uuid());
    sql(&format!(
        "insert into customers (id, brand_id, name, email) values ('{customer}', '{GLOBEX_ID}', 'Globex Cliente', 'c@example.com')"
    ));
    sql(&format!("insert into store_orders (id, brand_id, number, currency, total_amount, placed_at) values ('{order}', '{GLOBEX_ID}', 'G-FENCE', 'EUR', 2000, now())"));
    let customer_row = || row(&format!("select c::text from customers c where id = '{customer}'"));
    let order_row = || row(&format!("select o::text from store_orders o where id = '{order}'"));
    let (customer_before, order_before) = (customer_row(), order_row());
    let me = || DbClaims::device(&acme, ACME_ID);

    let rec = |resource: &str, op: &str, id: &str, base: Option<i64>, data: Value| json!({"mutation_id": uuid(), "resource": resource, "op": op, "id": id, "base_version": base, "data": data});
    let pushed = rpc(
        me(),
        "edge_sync_push",
        json!({"p_records": [
            rec("customers", "upsert", &customer, None, json!({"name": "Hijacked"})),
            rec("customers", "upsert", &customer, Some(1), json!({"name": "Hijacked"})),
            rec("store_orders", "delete", &order, Some(1), Value::Null),
        ]}),
    );
    assert_eq!(pushed.status, 200, "{}", pushed.body);
    let codes: Vec<Value> =
        pushed.json()["results"].as_array().cloned().unwrap_or_default().iter().map(|r| r["error"]["code"].clone()).collect();
    assert_eq!(codes, vec![json!("id_taken"); 3], "{}", pushed.body);
    assert!(!pushed.body.contains("Globex"), "nothing of the record is answered: {}", pushed.body);
    // the old signatures named brand and device: in the arguments now they change nothing
    let old = rpc(
        me(),
        "edge_sync_push",
        json!({"p_brand_id": GLOBEX_ID, "p_device_id": acme,
        "p_records": [rec("customers", "upsert", &customer, None, json!({"name": "Hijacked"}))]}),
    );
    assert!(old.status == 404 || old.json()["results"][0]["error"]["code"] == "id_taken", "{}", old.body);
    let old_pull = rpc(me(), "edge_sync_pull", json!({"p_brand_id": GLOBEX_ID, "p_since": since, "p_limit": 500}));
    assert!(old_pull.status == 404 || !old_pull.body.contains(&customer), "{}", old_pull.body);

    let pulled = rpc(me(), "edge_sync_pull", json!({"p_since": since, "p_limit": 500}));
    assert_eq!(pulled.status, 200, "{}", pulled.body);
    assert!(!pulled.body.contains(&customer) && !pulled.body.contains(&order), "{}", pulled.body);

    let patched = table(me(), "PATCH", &format!("customers?id=eq.{customer}"), Some(json!({"name": "Hijacked"})));
    assert_eq!(patched.json(), json!([]), "{}", patched.body);
    let planted = table(me(), "POST", "customers", Some(json!({"id": uuid(), "brand_id": GLOBEX_ID, "name": "Planted"})));
    assert_eq!(planted.status, 403, "{}", planted.body);
    let emptied = table(me(), "DELETE", &format!("store_order_items?order_id=eq.{order}"), None);
    assert_eq!(emptied.json(), json!([]), "{}", emptied.body);

    assert_eq!((customer_row(), order_row()), (customer_before, order_before), "globex's records are untouched");
    assert_eq!(count(&format!("select count(*) from customers where name = 'Planted' and brand_id = '{GLOBEX_ID}'")), 0);
    assert_eq!(count(&format!("select count(*) from sync_mutations where device_id = '{acme}'")), 0, "nothing was recorded as applied");
}

#[test]
fn a_staff_token_cannot_act_as_a_device() {
    let (acme, _) = device(ACME_ID);
    let pending = command(ACME_ID, &acme, "pending");
    let delivered = command(ACME_ID, &acme, "delivered");
    let admin = || staff_claims(ACME_ID, "brand_admin");
    let claimed = rpc(admin(), "edge_claim_commands", json!({"p_lease_seconds": 60}));
    assert_eq!((claimed.status, claimed.json()), (200, json!([])), "{}", claimed.body);
    let ack = rpc(admin(), "edge_ack_command", json!({"p_command_id": delivered, "p_success": true, "p_message": null}));
    assert_eq!(ack.status, 404, "{}", ack.body);
    let push = rpc(admin(), "edge_sync_push", json!({"p_records": []}));
    assert_eq!(push.status, 403, "{}", push.body);
    let pull = rpc(admin(), "edge_sync_pull", json!({"p_since": 0, "p_limit": 10}));
    assert_eq!(pull.status, 403, "{}", pull.body);
    let beat = rpc(admin(), "edge_heartbeat", json!({}));
    assert_eq!((beat.status, beat.body.trim()), (200, "null"), "{}", beat.body);
    assert_eq!(row(&format!("select status from device_commands where id = '{pending}'")), "pending");
    assert_eq!(
        row(&format!("select status || ' ' || coalesce(acked_at::text, '-') from device_commands where id = '{delivered}'")),
        "delivered -"
    );
    assert_eq!(
        count(&format!("select count(*) from devices where id = '{acme}' and last_seen_at = '2026-01-01T00:00:00Z'")),
        1,
        "no heartbeat"
    );
}

#[test]
fn a_device_token_calls_no_staff_function() {
    let (acme, _) = device(ACME_ID);
    let (other, _) = device(ACME_ID);
    let me = || DbClaims::device(&acme, ACME_ID);
    // whatever the admin functions' arguments (brand in the token or, before, a parameter), a device is refused
    for args in [
        json!({"p_device_id": other, "p_reason": "by a device"}),
        json!({"p_brand_id": ACME_ID, "p_device_id": other, "p_reason": "by a device", "p_actor": "x"}),
    ] {
        let r = rpc(me(), "admin_revoke_device", args);
        assert!(matches!(r.status, 401 | 403 | 404), "{} {}", r.status, r.body);
    }
    for args in [
        json!({"p_device_id": other, "p_kind": "lock_till", "p_payload": {}}),
        json!({"p_brand_id": ACME_ID, "p_device_id": other, "p_kind": "lock_till", "p_payload": {}, "p_actor": "x"}),
    ] {
        let r = rpc(me(), "admin_queue_command", args);
        assert!(matches!(r.status, 401 | 403 | 404), "{} {}", r.status, r.body);
    }
    assert_eq!(row(&format!("select status from devices where id = '{other}'")), "active");
    assert_eq!(count(&format!("select count(*) from device_commands where device_id = '{other}'")), 0);
    // an online order of the device's own brand: staff read it, a device does not
    sql(&format!(
        "insert into orders (brand_id, email, currency, total_amount) values ('{ACME_ID}', '{}@example.com', 'USD', 1000)",
        unique("fence-")
    ));
    for staff_table in ["orders", "audit_log", "memberships", "sessions", "accounts"] {
        let r = table(me(), "GET", &format!("{staff_table}?select=*&limit=1"), None);
        assert!(r.status == 200 && r.json() == json!([]) || r.status == 403, "{staff_table}: {} {}", r.status, r.body);
    }
}
