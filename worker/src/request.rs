//! What handlers read off a request besides its body: query parameters, the origin links
//! lead back to, and body fields as the client typed them. Shared by the route table
//! (`http`) and the feature modules, so neither imports the other for these.

use serde::{Deserialize, Deserializer};
use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use worker::Request;

use crate::error::AppError;

/// One query-string parameter, decoded.
pub fn query_param(req: &Request, key: &str) -> Option<String> {
    req.url().ok()?.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

/// Scheme, host and port the shopper used (links back to the shop, e.g. from Stripe).
pub fn origin(req: &Request, brand: &BrandContext) -> String {
    req.url().map(|u| u.origin().ascii_serialization()).ok().filter(|o| o != "null").unwrap_or_else(|| format!("https://{}", brand.host))
}

/// Where links a brand hands out lead (Stripe's return URLs): the brand's primary host
/// (`primary_host`, else the verified host it was reached on), never the request's URL.
/// Production is always `https` on the default port; development keeps the scheme and
/// port the local stack listens on.
pub fn brand_origin(req: &Request, config: &Config, brand: &BrandContext, primary_host: Option<&str>) -> String {
    let host = primary_host.filter(|h| !h.is_empty()).unwrap_or(&brand.host);
    if config.environment == shoal_domain::config::Environment::Production {
        return format!("https://{host}");
    }
    let url = req.url().ok();
    let scheme = url.as_ref().map(|u| u.scheme().to_owned()).unwrap_or_else(|| "http".into());
    let port = url.and_then(|u| u.port()).map(|p| format!(":{p}")).unwrap_or_default();
    format!("{scheme}://{host}{port}")
}

/// A field of a JSON body as the client sent it: absent (or null), of the expected type,
/// or of another type. A body struct (read with `http::body::read_body`) declares a field
/// `Field<T>` with `#[serde(default)]` where the field's errors have codes of their own
/// (a cart quantity's `quantity_*`): deserialising never fails on it, and its validation
/// answers with the field's own name and code.
#[derive(Debug, Default, Clone, PartialEq)]
pub enum Field<T> {
    #[default]
    Missing,
    Valid(T),
    /// Present but not a `T` (a string for a number, a float for an integer, …).
    Invalid,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        if value.is_null() {
            return Ok(Field::Missing);
        }
        Ok(T::deserialize(value).map(Field::Valid).unwrap_or(Field::Invalid))
    }
}

impl<T> Field<T> {
    /// The value, or 400 `missing_field` / `invalid_field` naming `name`.
    pub fn required(self, name: &str, expected: &str) -> Result<T, AppError> {
        match self {
            Field::Valid(v) => Ok(v),
            Field::Missing => Err(AppError::BadRequest("missing_field", format!("`{name}` is required"))),
            Field::Invalid => Err(AppError::invalid_field(name, &format!("must be {expected}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Body {
        #[serde(default)]
        n: Field<i64>,
    }

    fn n(json: &str) -> Field<i64> {
        serde_json::from_str::<Body>(json).map(|b| b.n).unwrap_or(Field::Invalid)
    }

    #[test]
    fn fields_are_missing_valid_or_invalid_and_never_fail_the_body() {
        assert_eq!(n("{}"), Field::Missing);
        assert_eq!(n(r#"{"n": null}"#), Field::Missing);
        assert_eq!(n(r#"{"n": 3}"#), Field::Valid(3));
        assert_eq!(n(r#"{"n": "3"}"#), Field::Invalid);
        assert_eq!(n(r#"{"n": 1.5}"#), Field::Invalid);
    }
}
