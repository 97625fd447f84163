//! The brand's overview for staff (`read_orders`): today's and the last 30 days' paid
//! orders and revenue by day (net of refunds, the brand's currency, UTC days), low stock,
//! and the subscription's state; one database call as the caller (`public.admin_overview`).
//!   GET /api/v1/admin/overview

use serde::{Deserialize, Serialize};
use shoal_domain::config::Config;
use worker::Response;

use super::{db, Staff};
use crate::error::{json_ok, AppError};

#[derive(Debug, Serialize, Deserialize)]
pub struct Totals {
    pub orders: i64,
    pub revenue: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Day {
    pub date: String,
    pub orders: i64,
    pub revenue: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Period {
    pub orders: i64,
    pub revenue: i64,
    pub by_day: Vec<Day>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct LowStock {
    pub variant_id: String,
    pub product_title: String,
    pub sku: String,
    pub available: i64,
    pub reserved: i64,
    pub low_stock_threshold: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Subscription {
    pub state: String,
    pub plan: Option<String>,
    pub trial_ends_at: Option<String>,
    pub grace_ends_at: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Overview {
    pub currency: String,
    pub today: Totals,
    pub last_30_days: Period,
    pub low_stock: Vec<LowStock>,
    pub subscription: Subscription,
}

pub async fn get(config: &Config, caller: &Staff) -> Result<Response, AppError> {
    let overview: Option<Overview> = db::call(config, caller, "admin_overview", serde_json::json!({})).await?;
    json_ok(&overview.ok_or(AppError::Forbidden)?, 200)
}
