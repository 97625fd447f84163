//! The brand's orders for staff, a page at a time, newest first (ties broken by id, so a
//! cursor gives every order exactly once however many share a timestamp):
//!   GET /api/v1/admin/orders?status=&payment_status=&from=YYYY-MM-DD&to=YYYY-MM-DD&q=&cursor=&limit=
//! `from`/`to` are the brand's days (UTC for now: brands have no time zone setting), both
//! included; `q` is an order number (`1003` or `#1003`) or part of the email. The filters
//! are checked by `shoal_domain::admin_list`; `public.admin_list_orders` reads as the caller.

use serde::{Deserialize, Serialize};
use shoal_domain::admin_list::{encode_cursor, InvalidQuery, OrderFilters};
use shoal_domain::config::Config;
use worker::{Request, Response};

use super::{db, Staff};
use crate::error::{json_ok, AppError};

/// One row of the list (and of the CSV export).
#[derive(Debug, Serialize, Deserialize)]
pub struct OrderRow {
    pub id: String,
    pub number: i64,
    pub email: String,
    pub status: String,
    pub payment_status: String,
    pub currency: String,
    pub total_amount: i64,
    pub amount_refunded: i64,
    pub item_count: i64,
    pub created_at: String,
}

#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// `422 invalid_query` naming the parameter (the contract of every admin list).
pub fn invalid_query(e: InvalidQuery) -> AppError {
    AppError::Refused { status: 422, code: "invalid_query".into(), detail: Some(format!("{}: {}", e.parameter, e.why)) }
}

/// The query string's pairs, decoded.
pub fn query_pairs(req: &Request) -> Result<Vec<(String, String)>, AppError> {
    let url = req.url().map_err(|_| AppError::NotFound)?;
    Ok(url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
}

pub fn filters(req: &Request) -> Result<OrderFilters, AppError> {
    let pairs = query_pairs(req)?;
    OrderFilters::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(invalid_query)
}

/// Up to `limit` rows matching the filters, after the filters' cursor.
pub async fn rows(config: &Config, caller: &Staff, f: &OrderFilters, limit: i64) -> Result<Vec<OrderRow>, AppError> {
    let (after_at, after_id) = f.after.clone().map_or((None, None), |(at, id)| (Some(at), Some(id)));
    let args = serde_json::json!({
        "p_status": f.status, "p_payment_status": f.payment_status, "p_from": f.from, "p_to": f.to, "p_q": f.q,
        "p_after_at": after_at, "p_after_id": after_id, "p_limit": limit,
    });
    db::call(config, caller, "admin_list_orders", args).await
}

pub async fn list(config: &Config, caller: &Staff, f: OrderFilters) -> Result<Response, AppError> {
    let mut items = rows(config, caller, &f, f.limit + 1).await?;
    let more = items.len() as i64 > f.limit;
    items.truncate(f.limit as usize);
    let next_cursor = if more { items.last().map(|o| encode_cursor(&[&o.created_at, &o.id])) } else { None };
    json_ok(&Page { items, next_cursor }, 200)
}
