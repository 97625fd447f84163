//! Request and answer bodies of the device API. Each request body is a typed struct built here from one JSON
//! object, field by field, so that a bad field answers 400 naming it:
//! `missing_field` ("csr: required, a PEM certificate request") or `invalid_field`
//! ("success: must be true or false").

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use worker::Request;

use crate::body::read_json;
use crate::error::AppError;

/// The fields of a JSON object body, taken out one by one.
pub struct Fields(Map<String, Value>);

impl Fields {
    /// The body as an object (415/413/400 as `read_json` answers them; 400 when not an object).
    pub async fn read(req: &mut Request) -> Result<Self, AppError> {
        match read_json(req).await? {
            Value::Object(map) => Ok(Fields(map)),
            _ => Err(AppError::BadRequest("invalid_json", "the body must be a JSON object".into())),
        }
    }

    /// A field that must be present (JSON null counts as absent).
    pub fn required<T: DeserializeOwned>(&mut self, name: &str, expected: &str) -> Result<T, AppError> {
        self.optional(name, expected)?.ok_or_else(|| AppError::BadRequest("missing_field", format!("{name}: required, {expected}")))
    }

    /// A field that may be absent or null.
    pub fn optional<T: DeserializeOwned>(&mut self, name: &str, expected: &str) -> Result<Option<T>, AppError> {
        match self.0.remove(name) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => serde_json::from_value(value)
                .map(Some)
                .map_err(|_| AppError::BadRequest("invalid_field", format!("{name}: must be {expected}"))),
        }
    }
}

pub fn invalid(name: &str, why: &str) -> AppError {
    AppError::BadRequest("invalid_field", format!("{name}: {why}"))
}
