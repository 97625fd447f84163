//! Edge sync rules the worker applies before the database sees a batch: the batch's shape
//! (≤ 500 records, each naming a known resource, an allowed operation, UUIDs), and the
//! opaque pull cursor. A malformed batch is refused whole — nothing of it is applied — so
//! a device never has to guess which half of a broken batch went in.

use data_encoding::BASE64URL_NOPAD;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashSet;

use crate::ids::is_uuid;

pub const MAX_RECORDS: usize = 500;
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
pub const MAX_PULL: i64 = 500;
pub const DEFAULT_PULL: i64 = 100;
/// Applied mutation ids are remembered this long: a retry within it is a `duplicate`.
pub const MUTATION_RETENTION_DAYS: i64 = 30;

pub const RESOURCES: [&str; 7] = ["products", "inventory_levels", "store_orders", "customers", "employees", "shifts", "daily_reports"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Malformed {
    /// index of the first offending record, when one is to blame
    pub index: Option<usize>,
    pub reason: String,
}

fn bad(index: Option<usize>, reason: impl Into<String>) -> Malformed {
    Malformed { index, reason: reason.into() }
}

/// The records of a push body `{"records": [...]}`, checked for shape only; the values
/// inside `data` are the database's to judge, record by record.
pub fn check_batch(body: &Value) -> Result<&Vec<Value>, Malformed> {
    let records = body.get("records").and_then(Value::as_array).ok_or_else(|| bad(None, "`records` must be an array"))?;
    if records.is_empty() {
        return Err(bad(None, "`records` is empty"));
    }
    if records.len() > MAX_RECORDS {
        return Err(bad(None, format!("at most {MAX_RECORDS} records per batch, got {}", records.len())));
    }
    let mut seen = HashSet::new();
    for (i, r) in records.iter().enumerate() {
        let at = Some(i);
        if !r.is_object() {
            return Err(bad(at, "a record must be an object"));
        }
        let mutation = r["mutation_id"].as_str().filter(|m| is_uuid(m)).ok_or_else(|| bad(at, "`mutation_id` must be a UUID"))?;
        if !seen.insert(mutation.to_ascii_lowercase()) {
            return Err(bad(at, "`mutation_id` repeats within the batch"));
        }
        let resource = r["resource"]
            .as_str()
            .filter(|x| RESOURCES.contains(x))
            .ok_or_else(|| bad(at, format!("`resource` must be one of {}", RESOURCES.join(", "))))?;
        let op = r["op"].as_str().ok_or_else(|| bad(at, "`op` must be upsert, delete or delta"))?;
        match (resource, op) {
            ("inventory_levels", "delta") | (_, "upsert" | "delete") => {}
            _ => return Err(bad(at, "`op` must be upsert, delete or delta")),
        }
        if !r["id"].as_str().is_some_and(is_uuid) {
            return Err(bad(at, "`id` must be a UUID"));
        }
        if !(r["base_version"].is_null() || r["base_version"].as_i64().is_some_and(|v| v >= 1)) {
            return Err(bad(at, "`base_version` must be null or a positive integer"));
        }
        if !(r["data"].is_object() || (op == "delete" && r["data"].is_null())) {
            return Err(bad(at, "`data` must be an object"));
        }
    }
    Ok(records)
}

/// `since` for the database from an opaque cursor (absent = from the beginning).
pub fn decode_cursor(cursor: Option<&str>) -> Option<i64> {
    let Some(c) = cursor.filter(|c| !c.is_empty()) else { return Some(0) };
    let bytes = BASE64URL_NOPAD.decode(c.as_bytes()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix("c1:")?.parse::<i64>().ok().filter(|n| *n >= 0)
}

pub fn encode_cursor(seq: i64) -> String {
    BASE64URL_NOPAD.encode(format!("c1:{seq}").as_bytes())
}

/// The page size asked for, within bounds (absent or unparsable = the default).
pub fn pull_limit(raw: Option<&str>) -> Result<i64, Malformed> {
    match raw {
        None => Ok(DEFAULT_PULL),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_PULL).contains(n))
            .ok_or_else(|| bad(None, format!("`limit` must be 1 to {MAX_PULL}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec(i: usize) -> Value {
        json!({"mutation_id": format!("00000000-0000-4000-8000-{i:012}"), "resource": "customers", "op": "upsert",
               "id": format!("10000000-0000-4000-8000-{i:012}"), "base_version": null, "data": {"name": "Ann"}})
    }

    #[test]
    fn a_well_formed_batch_passes_with_every_resource() {
        let mut records: Vec<Value> = RESOURCES
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut x = rec(i);
                x["resource"] = json!(r);
                if *r == "inventory_levels" {
                    x["op"] = json!("delta");
                }
                x
            })
            .collect();
        records.push(json!({"mutation_id": "00000000-0000-4000-8000-000000000099", "resource": "shifts", "op": "delete",
                            "id": "10000000-0000-4000-8000-000000000099", "base_version": 3}));
        assert_eq!(check_batch(&json!({"records": records})).map(Vec::len), Ok(8));
    }

    #[test]
    fn malformed_batches_name_the_first_bad_record() {
        let cases: Vec<(Value, Option<usize>)> = vec![
            (json!({}), None),
            (json!({"records": []}), None),
            (json!({"records": (0..501).map(rec).collect::<Vec<_>>()}), None),
            (json!({"records": [rec(0), 5]}), Some(1)),
            (json!({"records": [rec(0), rec(0)]}), Some(1)),
            (json!({"records": [rec(0), {"mutation_id": "x"}]}), Some(1)),
        ];
        for (body, index) in cases {
            assert_eq!(check_batch(&body).err().map(|e| e.index), Some(index), "{body}");
        }
        for (field, value) in [
            ("resource", json!("suppliers")),
            ("op", json!("merge")),
            ("id", json!("7")),
            ("base_version", json!(0)),
            ("base_version", json!("2")),
            ("data", json!([1])),
        ] {
            let mut r = rec(1);
            r[field] = value.clone();
            assert!(check_batch(&json!({"records": [rec(0), r]})).is_err(), "{field} = {value}");
        }
        let mut delta = rec(1);
        delta["op"] = json!("delta");
        assert!(check_batch(&json!({"records": [delta]})).is_err(), "deltas are for inventory only");
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(decode_cursor(None), Some(0));
        assert_eq!(decode_cursor(Some(&encode_cursor(41))), Some(41));
        for bad in ["41", "!!", &BASE64URL_NOPAD.encode(b"c1:-4"), &BASE64URL_NOPAD.encode(b"c2:4")] {
            assert_eq!(decode_cursor(Some(bad)), None, "{bad}");
        }
        assert_eq!(pull_limit(None), Ok(100));
        assert_eq!(pull_limit(Some("500")), Ok(500));
        assert!(pull_limit(Some("501")).is_err() && pull_limit(Some("0")).is_err() && pull_limit(Some("x")).is_err());
    }
}
