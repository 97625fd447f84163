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
    header(req, "content-type").map(|ct| ct.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case(essence)).unwrap_or(false)
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

/// The JSON body read into `T` (`read_json`'s limits and media type). A field that is
/// missing answers `400 missing_field`, one of the wrong type `400 invalid_field`, each
/// naming the field (`"to: is required"`); the struct's own checks (lengths, ranges,
/// formats) follow in its `validate`.
pub async fn read_body<T: serde::de::DeserializeOwned>(req: &mut Request) -> Result<T, AppError> {
    parse_body(read_json(req).await?)
}

/// `value` read into `T`, with the field at fault named as `read_body` does.
pub fn parse_body<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, AppError> {
    // serde would read an array into a struct field by field, in order
    if !value.is_object() {
        return Err(AppError::BadRequest("invalid_json", "the body must be a JSON object".into()));
    }
    let err = match serde_json::from_value::<T>(value.clone()) {
        Ok(body) => return Ok(body),
        Err(e) => e.to_string(),
    };
    if let Some(field) = err.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
        return Err(AppError::BadRequest("missing_field", format!("{field}: is required")));
    }
    // serde names no field for a wrong type: the field is the one whose removal changes
    // the verdict (the rest then reads, or only that field is missing)
    if let Some(object) = value.as_object() {
        for key in object.keys() {
            let mut rest = object.clone();
            rest.remove(key);
            let verdict = serde_json::from_value::<T>(serde_json::Value::Object(rest)).map_err(|e| e.to_string());
            if verdict.as_ref().map_or_else(|e| e.starts_with(&format!("missing field `{key}`")), |_| true) {
                return Err(AppError::invalid_field(key, &err));
            }
        }
    }
    Err(AppError::BadRequest("invalid_json", format!("the body is not the expected object: {err}")))
}
