//! The brand's email languages: its shopper and staff mail in Spanish and English in one
//! message (`both`, the default; the recipient's language first) or in the recipient's only.
//!   PATCH /api/v1/admin/settings/email   {"email_languages": "both" | "recipient"}

use serde::{Deserialize, Serialize};
use shoal_domain::config::Config;
use worker::Response;

use super::{db, Staff};
use crate::error::{json_ok, AppError};

#[derive(Debug, Serialize, Deserialize)]
pub struct EmailSettings {
    pub email_languages: String,
}

pub async fn set(config: &Config, caller: &Staff, body: EmailSettings) -> Result<Response, AppError> {
    let args = serde_json::json!({"p_languages": body.email_languages});
    let set: EmailSettings = db::call(config, caller, "admin_set_email_languages", args).await?;
    json_ok(&set, 200)
}
