//! The admin API's list rules: `?limit=` (1..=100, default 25), opaque cursors (base64url of
//! the last row's sort key as a JSON array), the order list's filters, and CSV cells that a
//! spreadsheet cannot run as formulas. A bad parameter is `422 invalid_query` naming it.

use data_encoding::BASE64URL_NOPAD;
use serde_json::Value;

use crate::order::state::{OrderStatus, PaymentStatus};

pub const DEFAULT_LIMIT: i64 = 25;
pub const MAX_LIMIT: i64 = 100;
/// The most rows one CSV export holds (a brand with more narrows the dates).
pub const EXPORT_CAP: i64 = 10_000;

/// A query parameter the list cannot use; the API answers `422 invalid_query` naming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidQuery {
    pub parameter: &'static str,
    pub why: &'static str,
}

fn bad(parameter: &'static str, why: &'static str) -> InvalidQuery {
    InvalidQuery { parameter, why }
}

/// A search text: at most 200 characters, no control characters (Postgres text holds no NUL).
pub fn parse_search(raw: &str) -> Result<String, InvalidQuery> {
    if raw.chars().count() > 200 || raw.chars().any(char::is_control) {
        return Err(bad("q", "at most 200 characters, no control characters"));
    }
    Ok(raw.to_owned())
}

pub fn parse_limit(raw: &str) -> Result<i64, InvalidQuery> {
    raw.parse::<i64>().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| bad("limit", "an integer from 1 to 100"))
}

/// The cursor of a row whose sort key is `key` (each part a JSON string).
pub fn encode_cursor(key: &[&str]) -> String {
    BASE64URL_NOPAD.encode(serde_json::to_string(key).unwrap_or_default().as_bytes())
}

/// The sort key a cursor carries: exactly `parts` strings, or the cursor is not ours.
pub fn decode_cursor(raw: &str, parts: usize) -> Result<Vec<String>, InvalidQuery> {
    let invalid = || bad("cursor", "not a cursor this list gave");
    let bytes = BASE64URL_NOPAD.decode(raw.as_bytes()).map_err(|_| invalid())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let items = value.as_array().filter(|a| a.len() == parts).ok_or_else(invalid)?;
    items.iter().map(|v| v.as_str().map(str::to_owned).ok_or_else(invalid)).collect()
}

/// The order list's filters (`GET orders`, `GET orders/export.csv`), checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFilters {
    pub status: Option<String>,
    pub payment_status: Option<String>,
    /// YYYY-MM-DD, the brand's days (UTC for now), both ends included
    pub from: Option<String>,
    pub to: Option<String>,
    pub q: Option<String>,
    /// (created_at, id) of the last row of the previous page
    pub after: Option<(String, String)>,
    pub limit: i64,
}

fn date(parameter: &'static str, raw: &str) -> Result<String, InvalidQuery> {
    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|_| raw.len() == 10)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .ok_or_else(|| bad(parameter, "a date as YYYY-MM-DD"))
}

impl OrderFilters {
    /// From the query string's pairs; unknown parameters are ignored, empty ones unset.
    pub fn parse<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<OrderFilters, InvalidQuery> {
        let mut f = OrderFilters { limit: DEFAULT_LIMIT, ..OrderFilters::default() };
        for (key, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key {
                "status" => {
                    OrderStatus::parse(value).ok_or_else(|| bad("status", "one of the order statuses"))?;
                    f.status = Some(value.to_owned());
                }
                "payment_status" => {
                    serde_json::from_value::<PaymentStatus>(Value::String(value.to_owned()))
                        .map_err(|_| bad("payment_status", "one of unpaid, paid, partially_refunded, refunded, disputed"))?;
                    f.payment_status = Some(value.to_owned());
                }
                "from" => f.from = Some(date("from", value)?),
                "to" => f.to = Some(date("to", value)?),
                "q" => f.q = Some(parse_search(value)?),
                "cursor" => {
                    let key = decode_cursor(value, 2)?;
                    let at_ok = chrono::DateTime::parse_from_rfc3339(&key[0]).is_ok();
                    if !at_ok || !crate::ids::is_uuid(&key[1]) {
                        return Err(bad("cursor", "not a cursor this list gave"));
                    }
                    f.after = Some((key[0].clone(), key[1].clone()));
                }
                "limit" => f.limit = parse_limit(value)?,
                _ => {}
            }
        }
        if let (Some(from), Some(to)) = (&f.from, &f.to) {
            if from > to {
                return Err(bad("to", "on or after from"));
            }
        }
        Ok(f)
    }
}

/// One CSV cell (RFC 4180): quoted when it holds a separator, quote or line break; a cell
/// a spreadsheet would read as a formula (starting with = + - @, or a tab or carriage
/// return before one) gets a leading apostrophe first (OWASP's CSV injection advice).
pub fn csv_cell(raw: &str) -> String {
    let neutral = if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{raw}") } else { raw.to_owned() };
    if neutral.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

/// One CSV record: cells joined by commas, ended by CRLF.
pub fn csv_row<S: AsRef<str>>(cells: &[S]) -> String {
    let mut line = cells.iter().map(|c| csv_cell(c.as_ref())).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        let c = encode_cursor(&["2026-12-02T07:00:00.123456+00:00", "a0000000-0000-4000-8000-00000000000a"]);
        assert_eq!(decode_cursor(&c, 2).unwrap(), ["2026-12-02T07:00:00.123456+00:00", "a0000000-0000-4000-8000-00000000000a"]);
        assert!(decode_cursor(&c, 3).is_err());
        for bad in ["", "!!", "bm90IGpzb24", &encode_cursor(&["x"])] {
            assert_eq!(decode_cursor(bad, 2).map_err(|e| e.parameter), Err("cursor"), "{bad}");
        }
    }

    #[test]
    fn order_filters_are_checked_and_name_the_bad_parameter() {
        let f = OrderFilters::parse([("status", "paid"), ("from", "2026-11-01"), ("to", "2026-11-30"), ("q", "#1003"), ("limit", "5")])
            .unwrap();
        assert_eq!((f.status.as_deref(), f.from.as_deref(), f.q.as_deref(), f.limit), (Some("paid"), Some("2026-11-01"), Some("#1003"), 5));
        assert_eq!(OrderFilters::parse([("status", "")]).unwrap().status, None);
        for (key, value) in [
            ("status", "lost"),
            ("payment_status", "free"),
            ("from", "2026-13-01"),
            ("from", "2026-1-1"),
            ("to", "yesterday"),
            ("limit", "0"),
            ("limit", "101"),
            ("limit", "x"),
            ("cursor", "nope"),
        ] {
            assert_eq!(OrderFilters::parse([(key, value)]).map_err(|e| e.parameter), Err(key), "{key}={value}");
        }
        assert_eq!(OrderFilters::parse([("from", "2026-11-02"), ("to", "2026-11-01")]).map_err(|e| e.parameter), Err("to"));
        assert_eq!(OrderFilters::parse([("q", "a\u{0}b")]).map_err(|e| e.parameter), Err("q"));
        let long = "x".repeat(201);
        assert_eq!(OrderFilters::parse([("q", long.as_str())]).map_err(|e| e.parameter), Err("q"));
        let cursor = encode_cursor(&["2026-12-02T07:00:00+00:00", "not-a-uuid"]);
        assert!(OrderFilters::parse([("cursor", cursor.as_str())]).is_err());
    }

    #[test]
    fn csv_cells_are_quoted_and_never_formulas() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        for f in ["+1", "-1", "@SUM(A1)", "\t=1"] {
            assert!(csv_cell(f).trim_start_matches('"').starts_with('\''), "{f}");
        }
        assert_eq!(csv_row(&["1", "x"]), "1,x\r\n");
    }
}
