//! Product images and the brand's logo, uploaded by staff as raw bytes (any Content-Type:
//! the type is sniffed from the bytes, `shoal_domain::media`), at most 5 MiB.
//!   POST   /api/v1/admin/products/{product}/images?alt=     (body: the image) → 201 {id, url, alt, position}
//!   PATCH  /api/v1/admin/products/{product}/images/{image}  {"alt"?, "position"?}
//!   DELETE /api/v1/admin/products/{product}/images/{image}
//!   POST   /api/v1/admin/settings/logo                      (body: the image) → {logo_url}
//! The product is checked before any byte reaches R2; the row is written by one database
//! function as the caller; an object no row names any more is deleted.

use serde::{Deserialize, Serialize};
use shoal_domain::config::Config;
use shoal_domain::media::{self, ImageType};
use worker::{Env, Request, Response};

use super::{db, Staff};
use crate::error::{json_ok, AppError};

const MAX_ALT: usize = 500;

/// The sniffed type of an upload, or 415 naming what is accepted.
pub fn sniff(bytes: &[u8]) -> Result<ImageType, AppError> {
    if bytes.is_empty() {
        return Err(AppError::BadRequest("empty_body", "send the image's bytes as the request body".into()));
    }
    media::sniff(bytes).ok_or_else(|| AppError::Refused {
        status: 415,
        code: "unsupported_image_type".into(),
        detail: Some("JPEG, PNG, WebP or GIF only (read from the file's bytes)".into()),
    })
}

/// `?alt=` of an upload.
pub fn alt_param(req: &Request) -> Result<String, AppError> {
    let alt = crate::request::query_param(req, "alt").unwrap_or_default();
    if alt.chars().count() > MAX_ALT {
        return Err(AppError::invalid_field("alt", &format!("at most {MAX_ALT} characters")));
    }
    Ok(alt)
}

/// An image as the API answers it.
#[derive(Debug, Serialize, Deserialize)]
pub struct Image {
    pub id: String,
    pub url: String,
    pub alt: String,
    pub position: i64,
}

#[derive(Debug, Deserialize)]
struct Written {
    #[serde(flatten)]
    image: Image,
    #[serde(default)]
    invalidate_hosts: serde_json::Value,
}

pub async fn upload(env: &Env, config: &Config, caller: &Staff, product: &str, alt: String, bytes: Vec<u8>) -> Result<Response, AppError> {
    let product = super::uuid_or(product, "product_not_found")?;
    let kind = sniff(&bytes)?;
    // 404 for a product this caller's brand does not have, before anything is stored
    let _: serde_json::Value = db::call(config, caller, "admin_product_images", serde_json::json!({"p_product": product})).await?;
    let size = bytes.len();
    let sha = crate::media::put(env, &caller.claims.brand_id, kind, bytes).await?;
    let args = serde_json::json!({"p_product": product, "p_sha256": sha, "p_ext": kind.ext(), "p_size": size, "p_alt": alt});
    let written: Written = db::call(config, caller, "admin_add_product_image", args).await?;
    crate::kv::forget_brand_hosts(env, &written.invalidate_hosts).await;
    json_ok(&written.image, 201)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImagePatch {
    #[serde(default)]
    pub alt: Option<String>,
    #[serde(default)]
    pub position: Option<i32>,
}

pub async fn update(
    env: &Env,
    config: &Config,
    caller: &Staff,
    product: &str,
    image: &str,
    patch: ImagePatch,
) -> Result<Response, AppError> {
    let product = super::uuid_or(product, "product_not_found")?;
    let image = super::uuid_or(image, "image_not_found")?;
    if patch.alt.as_ref().is_some_and(|a| a.chars().count() > MAX_ALT) {
        return Err(AppError::invalid_field("alt", &format!("at most {MAX_ALT} characters")));
    }
    if patch.position.is_some_and(|p| p < 0) {
        return Err(AppError::invalid_field("position", "0 (first) or more"));
    }
    let args = serde_json::json!({"p_product": product, "p_image": image, "p_alt": patch.alt, "p_position": patch.position});
    let written: Written = db::call(config, caller, "admin_update_product_image", args).await?;
    crate::kv::forget_brand_hosts(env, &written.invalidate_hosts).await;
    json_ok(&written.image, 200)
}

#[derive(Debug, Deserialize)]
struct Deleted {
    // absent for a linked image (a URL, e.g. the seed's `/assets/...`): no R2 object
    sha256: Option<String>,
    ext: Option<String>,
    still_used: bool,
    #[serde(default)]
    invalidate_hosts: serde_json::Value,
}

pub async fn delete(env: &Env, config: &Config, caller: &Staff, product: &str, image: &str) -> Result<Response, AppError> {
    let product = super::uuid_or(product, "product_not_found")?;
    let image = super::uuid_or(image, "image_not_found")?;
    let args = serde_json::json!({"p_product": product, "p_image": image});
    let deleted: Deleted = db::call(config, caller, "admin_delete_product_image", args).await?;
    crate::kv::forget_brand_hosts(env, &deleted.invalidate_hosts).await;
    if let (false, Some(sha256), Some(ext)) = (deleted.still_used, &deleted.sha256, &deleted.ext) {
        crate::media::forget(env, &caller.claims.brand_id, sha256, ext).await;
    }
    json_ok(&serde_json::json!({"deleted": true, "id": image}), 200)
}

#[derive(Debug, Deserialize)]
struct LogoSet {
    logo_url: String,
    #[serde(default)]
    invalidate_hosts: serde_json::Value,
    /// The previous logo's URL when nothing else uses its object.
    #[serde(default)]
    unused: Option<String>,
}

pub async fn logo(env: &Env, config: &Config, caller: &Staff, bytes: Vec<u8>) -> Result<Response, AppError> {
    let kind = sniff(&bytes)?;
    // the role check the database makes too, before anything reaches R2
    let sha = crate::media::put(env, &caller.claims.brand_id, kind, bytes).await?;
    let set: LogoSet = db::call(config, caller, "admin_set_logo", serde_json::json!({"p_url": media::url(&sha, kind.ext())})).await?;
    crate::kv::forget_brand_hosts(env, &set.invalidate_hosts).await;
    if let Some((old_sha, old_kind)) = set.unused.as_deref().and_then(|u| u.strip_prefix("/media/")).and_then(media::parse_name) {
        crate::media::forget(env, &caller.claims.brand_id, old_sha, old_kind.ext()).await;
    }
    json_ok(&serde_json::json!({"logo_url": set.logo_url}), 200)
}
