//! The admin API's feature module: one file per resource, the handlers and store calls
//! staff use (who the caller is: `account::caller`). Every store call here carries the
//! caller's identity (`DbClaims::staff`, see `db`) so the database's policies are the
//! brand fence. Request bodies arrive parsed (`body::read_body`) into the resources'
//! `Deserialize` structs; answers are typed structs too.

pub mod audit;
pub mod billing;
pub mod catalog_products;
pub mod catalog_variants;
mod catalog_writes;
pub mod categories;
pub mod custom_hostnames;
pub mod customers;
pub mod data;
mod db;
pub mod devices;
pub mod devices_read;
pub mod domains;
pub mod email_settings;
pub mod inventory;
pub mod invitations;
pub mod media;
pub mod members;
pub mod orders;
pub mod orders_export;
pub mod orders_list;
pub mod overview;
pub mod payments;
pub mod products;
pub mod refunds;
pub mod releases;
pub mod security;
pub mod settings;

// who the caller is lives with the accounts (their session is an account's)
pub use crate::account::{authenticate, require, require_mfa_if_demanded, Caller, Staff};

use serde::Serialize;

use crate::error::AppError;

/// `{"items": [...]}`, the shape of every admin list.
#[derive(Serialize)]
struct Items<T> {
    items: T,
}

/// Ids in paths are UUIDs; anything else names nothing (404 with the resource's code).
fn uuid_or<'a>(raw: &'a str, not_found: &str) -> Result<&'a str, AppError> {
    if shoal_domain::ids::is_uuid(raw) {
        Ok(raw)
    } else {
        Err(AppError::Refused { status: 404, code: not_found.into(), detail: None })
    }
}
