//! The order list as a CSV file, with the list's filters (not its cursor or limit):
//!   GET /api/v1/admin/orders/export.csv?status=&payment_status=&from=&to=&q=
//! Built in one go, at most `EXPORT_CAP` (10 000) rows, newest first; when more matched,
//! `x-shoal-export-truncated: true` says so (narrow the dates). Money in minor units as in
//! the API; cells are formula-safe (`shoal_domain::admin_list::csv_cell`).

use shoal_domain::admin_list::{csv_row, OrderFilters, EXPORT_CAP};
use shoal_domain::config::Config;
use worker::Response;

use super::orders_list::rows;
use super::Staff;
use crate::clock::now;
use crate::error::{body_response, AppError};

const HEADER: [&str; 10] =
    ["number", "created_at", "email", "status", "payment_status", "currency", "total_amount", "amount_refunded", "item_count", "id"];

pub async fn export(config: &Config, caller: &Staff, mut f: OrderFilters) -> Result<Response, AppError> {
    f.after = None;
    let mut orders = rows(config, caller, &f, EXPORT_CAP + 1).await?;
    let truncated = orders.len() as i64 > EXPORT_CAP;
    orders.truncate(EXPORT_CAP as usize);
    let mut csv = csv_row(&HEADER);
    for o in &orders {
        csv.push_str(&csv_row(&[
            o.number.to_string(),
            o.created_at.clone(),
            o.email.clone(),
            o.status.clone(),
            o.payment_status.clone(),
            o.currency.clone(),
            o.total_amount.to_string(),
            o.amount_refunded.to_string(),
            o.item_count.to_string(),
            o.id.clone(),
        ]));
    }
    let mut resp = body_response(csv.into_bytes(), 200, "text/csv; charset=utf-8");
    let name = format!("orders-{}.csv", now().format("%Y-%m-%d"));
    let headers = resp.headers_mut();
    headers.set("content-disposition", &format!("attachment; filename=\"{name}\""))?;
    headers.set("cache-control", "no-store")?;
    headers.set("x-shoal-export-rows", &orders.len().to_string())?;
    if truncated {
        headers.set("x-shoal-export-truncated", "true")?;
    }
    Ok(resp)
}
