//! The brand's customers for staff (`read_orders`: every staff role reads them, as it reads
//! orders). A customer is an email address: the online orders that carry it and the
//! in-store customers (edge sync) that have it; an in-store customer without an email is
//! one of its own (docs/architecture.md "Customers").
//!   GET /api/v1/admin/customers?q=&cursor=&limit=     by email (then in-store names)
//!   GET /api/v1/admin/customers/{id}                  with their orders
//! Erasure is `POST customers/erase` (staff/data.rs).

use serde::{Deserialize, Serialize};
use shoal_domain::admin_list::{decode_cursor, encode_cursor, parse_limit, parse_search, InvalidQuery, DEFAULT_LIMIT};
use shoal_domain::config::Config;
use worker::{Request, Response};

use super::orders_list::{invalid_query, query_pairs, OrderRow, Page};
use super::{db, uuid_or, Staff};
use crate::error::{json_ok, AppError};

#[derive(Debug, Serialize, Deserialize)]
pub struct Customer {
    pub id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub order_count: i64,
    pub total_spent: i64,
    pub currency: String,
    pub last_order_at: Option<String>,
    /// the list's sort key (for the cursor), not shown
    #[serde(default, skip_serializing)]
    pub sort_key: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct StoreOrder {
    pub id: String,
    pub number: String,
    pub status: String,
    pub currency: String,
    pub total_amount: i64,
    pub placed_at: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct CustomerDetail {
    #[serde(flatten)]
    pub customer: Customer,
    pub phone: Option<String>,
    pub orders: Vec<OrderRow>,
    pub store_orders: Vec<StoreOrder>,
}

#[derive(Debug, Default)]
pub struct CustomerQuery {
    q: Option<String>,
    after: Option<(String, String)>,
    limit: i64,
}

impl CustomerQuery {
    pub fn parse(req: &Request) -> Result<CustomerQuery, AppError> {
        let mut query = CustomerQuery { limit: DEFAULT_LIMIT, ..CustomerQuery::default() };
        for (key, value) in query_pairs(req)? {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key.as_str() {
                "q" => query.q = Some(parse_search(value).map_err(invalid_query)?),
                "limit" => query.limit = parse_limit(value).map_err(invalid_query)?,
                "cursor" => {
                    let key = decode_cursor(value, 2).map_err(invalid_query)?;
                    if !shoal_domain::ids::is_uuid(&key[1]) {
                        return Err(invalid_query(InvalidQuery { parameter: "cursor", why: "not a cursor this list gave" }));
                    }
                    query.after = Some((key[0].clone(), key[1].clone()));
                }
                _ => {}
            }
        }
        Ok(query)
    }
}

pub async fn list(config: &Config, caller: &Staff, query: CustomerQuery) -> Result<Response, AppError> {
    let (after_key, after_id) = query.after.map_or((None, None), |(k, id)| (Some(k), Some(id)));
    let args = serde_json::json!({"p_q": query.q, "p_after_key": after_key, "p_after_id": after_id, "p_limit": query.limit + 1});
    let mut items: Vec<Customer> = db::call(config, caller, "admin_list_customers", args).await?;
    let more = items.len() as i64 > query.limit;
    items.truncate(query.limit as usize);
    let next_cursor = if more { items.last().map(|c| encode_cursor(&[&c.sort_key, &c.id])) } else { None };
    json_ok(&Page { items, next_cursor }, 200)
}

pub async fn get(config: &Config, caller: &Staff, id: &str) -> Result<Response, AppError> {
    let id = uuid_or(id, "customer_not_found")?;
    let found: Option<CustomerDetail> = db::call(config, caller, "admin_get_customer", serde_json::json!({"p_customer_id": id})).await?;
    json_ok(&found.ok_or_else(|| AppError::Refused { status: 404, code: "customer_not_found".into(), detail: None })?, 200)
}
