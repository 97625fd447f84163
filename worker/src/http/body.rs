//! The one request-body reader. Every route reads its body here with a limit of its own;
//! past it the answer is `413 payload_too_large`, decided before anything is parsed: by the
//! declared `Content-Length` before a byte is read, then by counting while reading (a
//! chunked body without a length is never buffered past the limit).

use futures_util::StreamExt;
use worker::Request;

use crate::error::AppError;

/// JSON APIs (sign-in, cart, checkout, staff edits): far above any real request.
pub const JSON_MAX_BYTES: usize = 64 * 1024;
/// Storefront form posts (a cart line, an email address).
pub const FORM_MAX_BYTES: usize = 16 * 1024;

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).ok().flatten()
}

/// The raw body, refused with 413 past `max` bytes.
pub async fn read_bytes(req: &mut Request, max: usize) -> Result<Vec<u8>, AppError> {
    let declared = header(req, "content-length").and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(AppError::PayloadTooLarge);
    }
    // no body at all (GET, an empty POST): nothing to read
    let Ok(mut stream) = req.stream() else { return Ok(Vec::new()) };
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| AppError::BadRequest("unreadable_body", e.to_string()))?;
        if body.len() + chunk.len() > max {
            return Err(AppError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// True when the request's `Content-Type` is `essence` (parameters such as charset allowed).
fn has_media_type(req: &Request, essence: &str) -> bool {
    header(req, "content-type")
        .map(|ct| ct.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case(essence))
        .unwrap_or(false)
}

fn unsupported(expected: &str) -> AppError {
    AppError::Refused { status: 415, code: "unsupported_media_type".into(), detail: Some(format!("send {expected}")) }
}

/// The JSON body of a request: `Content-Type: application/json` is required (415) — a
/// `text/plain` body is what a cross-site page can send without asking (CORS-simple) —,
/// at most `JSON_MAX_BYTES` (413), then 400 (`invalid_json`) when it does not parse.
pub async fn read_json(req: &mut Request) -> Result<serde_json::Value, AppError> {
    read_json_limited(req, JSON_MAX_BYTES).await
}

/// As `read_json`, with a route's own limit.
pub async fn read_json_limited(req: &mut Request, max: usize) -> Result<serde_json::Value, AppError> {
    if !has_media_type(req, "application/json") {
        return Err(unsupported("application/json"));
    }
    let bytes = read_bytes(req, max).await?;
    serde_json::from_slice(&bytes).map_err(|e| AppError::BadRequest("invalid_json", format!("the body is not JSON: {e}")))
}

/// An HTML form post (`application/x-www-form-urlencoded`), at most `FORM_MAX_BYTES`.
pub async fn read_form(req: &mut Request) -> Result<Vec<(String, String)>, AppError> {
    if !has_media_type(req, "application/x-www-form-urlencoded") {
        return Err(unsupported("application/x-www-form-urlencoded"));
    }
    let bytes = read_bytes(req, FORM_MAX_BYTES).await?;
    Ok(form_urlencoded::parse(&bytes).into_owned().collect())
}
