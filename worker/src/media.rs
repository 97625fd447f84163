//! Brand media in the R2 bucket `MEDIA`: objects are named by the SHA-256 of their bytes
//! under the brand's prefix (`brands/{brand}/media/{sha256}.{ext}`, `shoal_domain::media`).
//! `GET /media/{sha256}.{ext}` on a brand's host reads only that brand's prefix, so another
//! brand's host answers 404 for the same name. The URL names the bytes: a year of caching,
//! `immutable`, and the type sniffed at upload (never the uploader's claim), with `nosniff`.
//! Resized copies come from Cloudflare's image transformations in front of these URLs
//! (`/cdn-cgi/image/width=…/media/…`, docs/architecture.md "Images"), not from the worker.

use shoal_domain::brand::BrandContext;
use shoal_domain::media::{self, ImageType};
use worker::{Env, HttpMetadata, Method, Request, Response};

use crate::error::{body_response, AppError};

pub const BINDING: &str = "MEDIA";

/// Stores `bytes` (already sniffed as `kind`) under the brand's prefix; answers its hash.
/// Putting the same bytes again rewrites the same object with the same content.
pub async fn put(env: &Env, brand_id: &str, kind: ImageType, bytes: Vec<u8>) -> Result<String, AppError> {
    let sha = media::sha256_hex(&bytes);
    let metadata = HttpMetadata {
        content_type: Some(kind.content_type().to_owned()),
        cache_control: Some(media::IMMUTABLE.to_owned()),
        ..Default::default()
    };
    env.bucket(BINDING)?.put(media::object_key(brand_id, &sha, kind.ext()), bytes).http_metadata(metadata).execute().await?;
    Ok(sha)
}

/// Removes an object no row names any more (a failure leaves an unreferenced object: harmless).
pub async fn forget(env: &Env, brand_id: &str, sha256: &str, ext: &str) {
    if let Ok(bucket) = env.bucket(BINDING) {
        if let Err(e) = bucket.delete(media::object_key(brand_id, sha256, ext)).await {
            worker::console_warn!("{}", serde_json::json!({"level": "warn", "event": "media_delete_failed", "detail": e.to_string()}));
        }
    }
}

/// The object behind `/media/{name}` on this brand's host.
pub async fn serve(req: &Request, env: &Env, brand: &BrandContext, name: &str) -> Result<Response, AppError> {
    if !matches!(req.method(), Method::Get | Method::Head) {
        return Err(AppError::MethodNotAllowed);
    }
    let (sha, kind) = media::parse_name(name).ok_or(AppError::NotFound)?;
    let etag = format!("\"{sha}\"");
    let key = media::object_key(&brand.id, sha, kind.ext());
    let bucket = env.bucket(BINDING)?;
    let revalidating = req.headers().get("if-none-match").ok().flatten().is_some_and(|v| v.contains(sha));
    let mut resp = if revalidating {
        // the name is the content: the same name is the same bytes, if the object exists
        bucket.head(key).await?.ok_or(AppError::NotFound)?;
        body_response(Vec::new(), 304, kind.content_type())
    } else {
        let object = bucket.get(key).execute().await?.ok_or(AppError::NotFound)?;
        let body = object.body().ok_or(AppError::NotFound)?;
        let mut resp = if req.method() == Method::Head {
            body_response(Vec::new(), 200, kind.content_type())
        } else {
            Response::from_body(body.response_body()?)?
        };
        // R2's stream knows its length: the runtime sends it as Content-Length
        let _ = resp.headers_mut().set("content-type", kind.content_type());
        resp
    };
    let h = resp.headers_mut();
    let _ = h.set("cache-control", media::IMMUTABLE);
    let _ = h.set("etag", &etag);
    let _ = h.set("x-content-type-options", "nosniff");
    Ok(resp)
}
