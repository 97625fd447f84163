//! A brand's data for its admins: the export of everything Shoal holds for the brand, and
//! the erasure of one shopper's personal data. Both run as the admin (the tables' policies
//! fence the brand) and are audited in the same transaction.
//!   GET  /api/v1/admin/export
//!   POST /api/v1/admin/customers/erase   {"email": "..."}

use serde::{Deserialize, Serialize};
use shoal_domain::config::Config;
use worker::Response;

use super::{db, Staff};
use crate::error::{json_ok, AppError};

#[derive(Debug, Serialize, Deserialize)]
pub struct ExportBrand {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub currency: String,
    pub locale: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ExportVariant {
    pub sku: String,
    pub price: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ExportProduct {
    pub slug: String,
    pub title: String,
    pub status: String,
    pub variants: Vec<ExportVariant>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ExportItem {
    pub sku: String,
    pub title: String,
    pub unit_amount: i64,
    pub quantity: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ExportOrder {
    pub number: i64,
    pub email: String,
    pub status: String,
    pub payment_status: String,
    pub currency: String,
    pub total_amount: i64,
    pub created_at: String,
    pub items: Vec<ExportItem>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ExportMember {
    pub email: String,
    pub role: String,
    pub status: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ExportStoreCustomer {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub deleted: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ExportStoreOrder {
    pub number: String,
    pub status: String,
    pub currency: String,
    pub total_amount: i64,
    pub placed_at: String,
    pub customer_id: Option<String>,
}

/// `public.admin_export()`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Export {
    pub brand: ExportBrand,
    pub products: Vec<ExportProduct>,
    pub orders: Vec<ExportOrder>,
    pub members: Vec<ExportMember>,
    pub store_customers: Vec<ExportStoreCustomer>,
    pub store_orders: Vec<ExportStoreOrder>,
}

/// `POST …/customers/erase`.
#[derive(Debug, Deserialize)]
pub struct EraseBody {
    pub email: String,
}

/// `public.admin_erase_customer`'s answer: how many rows lost the shopper's data.
#[derive(Debug, Serialize, Deserialize)]
pub struct Erased {
    pub orders_anonymised: i64,
    pub emails_dropped: i64,
    pub sent_emails_deleted: i64,
    pub store_customers_erased: i64,
}

pub async fn export(config: &Config, caller: &Staff) -> Result<Response, AppError> {
    let data: Export = db::call(config, caller, "admin_export", serde_json::json!({})).await?;
    let mut resp = json_ok(&data, 200)?;
    let _ = resp.headers_mut().set("cache-control", "no-store");
    Ok(resp)
}

pub async fn erase(config: &Config, caller: &Staff, body: EraseBody) -> Result<Response, AppError> {
    // an address only: anything else, including more than 254 characters, is refused
    // before it is looked up
    let email = shoal_domain::email_address::normalize(&body.email)
        .ok_or_else(|| AppError::BadRequest("invalid_email", "`email` is not an email address".into()))?;
    let done: Erased = db::call(config, caller, "admin_erase_customer", serde_json::json!({"p_email": email})).await?;
    json_ok(&done, 200)
}
