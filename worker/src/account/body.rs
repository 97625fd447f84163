//! The account routes' request bodies, parsed and checked in one place: a field of the
//! wrong type is `400 invalid_field` naming it; a missing one `400 missing_field`; an
//! address that is not one `400 invalid_email`; values out of range have codes of their own.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use shoal_domain::email_address;

use crate::error::AppError;

/// Parses a JSON body into `T`. Every field of these bodies is text: a field of another
/// type is named (`email: must be text`); a body that is no object says so.
pub fn parse<T: DeserializeOwned>(body: serde_json::Value) -> Result<T, AppError> {
    let fields = body.as_object().ok_or_else(|| AppError::BadRequest("invalid_field", "the body is a JSON object".into()))?;
    if let Some((name, _)) = fields.iter().find(|(_, v)| !(v.is_string() || v.is_null())) {
        return Err(AppError::BadRequest("invalid_field", format!("{name}: must be text")));
    }
    crate::body::parse_body(body)
}

/// A required text field, trimmed, not empty.
pub fn required<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str, AppError> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| AppError::BadRequest("missing_field", format!("`{name}` is required")))
}

/// A required email address (`email_address::normalize`): anything else, including more
/// than 254 characters, is `400 invalid_email` before it is looked up, counted or stored.
pub fn email(value: &Option<String>, name: &str) -> Result<String, AppError> {
    email_address::normalize(required(value, name)?).ok_or_else(|| invalid_email(name))
}

pub fn invalid_email(name: &str) -> AppError {
    AppError::BadRequest("invalid_email", format!("`{name}` is not an email address"))
}

#[derive(Debug, Default, Deserialize)]
pub struct SecondFactorFields {
    pub otp: Option<String>,
    pub recovery_code: Option<String>,
}

/// What a change that could hand the account to someone else needs besides the session.
#[derive(Debug, Default, Deserialize)]
pub struct Reauth {
    pub current_password: Option<String>,
    #[serde(flatten)]
    pub factor: SecondFactorFields,
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginBody {
    pub email: Option<String>,
    pub password: Option<String>,
    #[serde(flatten)]
    pub factor: SecondFactorFields,
}

#[derive(Debug, Default, Deserialize)]
pub struct RefreshBody {
    pub refresh_token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct InvitationBody {
    pub token: Option<String>,
    pub password: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PasswordChangeBody {
    pub new_password: Option<String>,
    #[serde(flatten)]
    pub reauth: Reauth,
}

#[derive(Debug, Default, Deserialize)]
pub struct EmailChangeBody {
    pub new_email: Option<String>,
    #[serde(flatten)]
    pub reauth: Reauth,
}

#[derive(Debug, Default, Deserialize)]
pub struct CodeBody {
    pub code: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct MfaBody {
    #[serde(flatten)]
    pub reauth: Reauth,
}

/// `PATCH /api/v1/account/profile`: each field optional; given ones are checked.
#[derive(Debug, Default, Deserialize)]
pub struct ProfileBody {
    pub name: Option<String>,
    pub locale: Option<String>,
}

impl ProfileBody {
    /// The trimmed name (at most 120 characters) and the locale (en or es).
    pub fn checked(&self) -> Result<(Option<&str>, Option<&str>), AppError> {
        let name = self.name.as_deref().map(str::trim);
        if name.is_some_and(|n| n.chars().count() > 120) {
            return Err(AppError::BadRequest("invalid_name", "name is at most 120 characters".into()));
        }
        let locale = self.locale.as_deref();
        if locale.is_some_and(|l| !matches!(l, "en" | "es")) {
            return Err(AppError::BadRequest("invalid_locale", "locale is en or es".into()));
        }
        Ok((name, locale))
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct SignupBody {
    pub email: Option<String>,
    pub slug: Option<String>,
    pub brand_name: Option<String>,
    pub password: Option<String>,
    /// The shop's (and its owner's) language, en or es; `locale` is its older name.
    pub language: Option<String>,
    pub locale: Option<String>,
    /// The shop's currency (ISO 4217, `money::SHOP_CURRENCIES`); by default the language's
    /// usual one (EUR for es, USD for en).
    pub currency: Option<String>,
}

impl SignupBody {
    /// The language and currency the shop is created with, or 422 naming the field.
    pub fn language_and_currency(&self) -> Result<(&str, &str), AppError> {
        let language = self.language.as_deref().or(self.locale.as_deref()).unwrap_or("en");
        if !matches!(language, "en" | "es") {
            return Err(AppError::Refused { status: 422, code: "invalid_language".into(), detail: Some("en or es".into()) });
        }
        let currency = self.currency.as_deref().unwrap_or(if language == "es" { "EUR" } else { "USD" });
        if !shoal_domain::money::is_shop_currency(currency) {
            return Err(AppError::Refused {
                status: 422,
                code: "invalid_currency".into(),
                detail: Some("an ISO 4217 code Shoal sells in, upper case (USD, EUR, MXN…)".into()),
            });
        }
        Ok((language, currency))
    }
}

/// `PATCH /api/v1/account/notifications`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationsBody {
    pub new_order_email: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct EmailBody {
    pub email: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct VerifyBody {
    pub email: Option<String>,
    pub code: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ResetBody {
    pub email: Option<String>,
    pub code: Option<String>,
    pub new_password: Option<String>,
}
