//! The brand's categories, in the order the shop lists them.
//!   GET    /api/v1/admin/categories
//!   POST   /api/v1/admin/categories            {name, slug?}   (slug made from the name when absent)
//!   PATCH  /api/v1/admin/categories/{id}       {name?, slug?}
//!   DELETE /api/v1/admin/categories/{id}       its products become uncategorised; answers the list
//!   POST   /api/v1/admin/categories/reorder    {ids: [...]}    every category exactly once; answers the list
//! Assigning a product: `PATCH products/{id} {category_id}`.

use serde::{Deserialize, Serialize};
use shoal_domain::catalog_admin::CategoryInput;
use shoal_domain::config::Config;
use worker::Response;

use super::catalog_writes::{self, write};
use super::{db, uuid_or, Staff};
use crate::error::{json_ok, AppError};

#[derive(Debug, Serialize, Deserialize)]
pub struct Category {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub position: i64,
    pub product_count: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct CategoryList {
    pub items: Vec<Category>,
}

#[derive(Debug, Deserialize)]
pub struct Reorder {
    pub ids: Vec<String>,
}

/// More ids than any brand has categories is a mistake, not a reorder.
const MAX_REORDER: usize = 1000;

pub async fn list(config: &Config, caller: &Staff) -> Result<Response, AppError> {
    let list: CategoryList = db::call(config, caller, "admin_list_categories", serde_json::json!({})).await?;
    json_ok(&list, 200)
}

pub async fn create(env: &worker::Env, config: &Config, caller: &Staff, body: CategoryInput) -> Result<Response, AppError> {
    let (name, slug) = body.new_category().map_err(catalog_writes::field)?;
    let category: Category =
        write(env, config, caller, "admin_create_category", serde_json::json!({"p_name": name, "p_slug": slug})).await?;
    json_ok(&category, 201)
}

pub async fn edit(env: &worker::Env, config: &Config, caller: &Staff, id: &str, body: CategoryInput) -> Result<Response, AppError> {
    let id = uuid_or(id, "category_not_found")?;
    let (name, slug) = body.change().map_err(catalog_writes::field)?;
    let args = serde_json::json!({"p_category_id": id, "p_name": name, "p_slug": slug});
    let category: Category = write(env, config, caller, "admin_edit_category", args).await?;
    json_ok(&category, 200)
}

pub async fn delete(env: &worker::Env, config: &Config, caller: &Staff, id: &str) -> Result<Response, AppError> {
    let id = uuid_or(id, "category_not_found")?;
    let list: CategoryList = write(env, config, caller, "admin_delete_category", serde_json::json!({"p_category_id": id})).await?;
    json_ok(&list, 200)
}

pub async fn reorder(env: &worker::Env, config: &Config, caller: &Staff, body: Reorder) -> Result<Response, AppError> {
    if body.ids.len() > MAX_REORDER || !body.ids.iter().all(|id| shoal_domain::ids::is_uuid(id)) {
        return Err(AppError::invalid_field("ids", "the brand's category ids (UUIDs), each exactly once"));
    }
    let list: CategoryList = write(env, config, caller, "admin_reorder_categories", serde_json::json!({"p_ids": body.ids})).await?;
    json_ok(&list, 200)
}
