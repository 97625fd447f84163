//! The brand's settings, as its admins change them (the dashboard's settings screen).
//!   GET   /api/v1/admin/settings
//!   PATCH /api/v1/admin/settings   {"name"?, "theme"?: {"primary"?, "background"?, "text"?}, "locale"?, "currency"?, "support_email"?}
//!   PUT   /api/v1/admin/settings/legal/{privacy|terms|returns}/{en|es}   {"body"}
//!   POST  /api/v1/admin/settings/publish   {"published": bool}
//! The theme's colours are checked for WCAG AA contrast here (`shoal_domain::theme`, the
//! merged theme: a change to one colour is checked against the others); the database
//! checks their form, the currency lock (no change once the brand has orders) and the rest.
//! Every change forgets the brand's cached host entries, so its pages show it at once.

use serde::{Deserialize, Serialize};
use shoal_domain::config::Config;
use shoal_domain::theme::Theme;
use shoal_domain::{legal, money};
use worker::{Env, Response};

use super::{db, Staff};
use crate::error::{json_ok, AppError};

#[derive(Debug, Serialize, Deserialize)]
pub struct ThemeColours {
    pub primary: Option<String>,
    pub background: Option<String>,
    pub text: Option<String>,
}

/// `GET settings`' answer (and what the writes answer).
#[derive(Debug, Serialize, Deserialize)]
pub struct Settings {
    pub name: String,
    pub logo_url: Option<String>,
    pub theme: ThemeColours,
    pub locale: String,
    pub currency: String,
    pub support_email: Option<String>,
    pub published: bool,
    pub legal: serde_json::Value,
    pub email_languages: String,
    /// Whether the brand has orders: its currency can no longer change.
    pub has_orders: bool,
}

#[derive(Debug, Deserialize)]
struct Written {
    #[serde(flatten)]
    settings: Settings,
    #[serde(default)]
    invalidate_hosts: serde_json::Value,
}

pub async fn get(config: &Config, caller: &Staff) -> Result<Response, AppError> {
    let settings: Settings = db::call(config, caller, "admin_settings", serde_json::json!({})).await?;
    json_ok(&settings, 200)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemePatch {
    #[serde(default)]
    pub primary: Option<String>,
    #[serde(default)]
    pub background: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub theme: Option<ThemePatch>,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub support_email: Option<String>,
}

impl SettingsPatch {
    fn validate(&self) -> Result<(), AppError> {
        if let Some(name) = &self.name {
            if name.trim().is_empty() || name.chars().count() > 120 {
                return Err(AppError::invalid_field("name", "1 to 120 characters"));
            }
        }
        if self.locale.as_deref().is_some_and(|l| !legal::LANGUAGES.contains(&l)) {
            return Err(AppError::invalid_field("locale", "en or es"));
        }
        if self.currency.as_deref().is_some_and(|c| !money::is_shop_currency(c)) {
            return Err(AppError::invalid_field("currency", "an ISO 4217 code Shoal sells in, upper case (USD, EUR, MXN…)"));
        }
        if let Some(email) = self.support_email.as_deref().filter(|e| !e.is_empty()) {
            if shoal_domain::email_address::normalize(email).is_none() {
                return Err(AppError::invalid_field("support_email", "an email address, or \"\" to clear it"));
            }
        }
        Ok(())
    }
}

pub async fn update(env: &Env, config: &Config, caller: &Staff, patch: SettingsPatch) -> Result<Response, AppError> {
    patch.validate()?;
    if let Some(t) = &patch.theme {
        let current: Settings = db::call(config, caller, "admin_settings", serde_json::json!({})).await?;
        let stored = serde_json::to_value(&current.theme).unwrap_or_default();
        let mut merged = Theme::from_json(&stored);
        for (field, value, slot) in [
            ("primary", &t.primary, &mut merged.primary),
            ("background", &t.background, &mut merged.background),
            ("text", &t.text, &mut merged.text),
        ] {
            if let Some(v) = value {
                if shoal_domain::theme::parse_hex(v).is_none() {
                    return Err(AppError::invalid_field(&format!("theme.{field}"), "a colour as #rrggbb"));
                }
                *slot = v.to_ascii_lowercase();
            }
        }
        merged.check().map_err(|e| AppError::InvalidValue(e.code(), e.message()))?;
    }
    let theme = patch.theme.as_ref().map(|t| {
        let mut m = serde_json::Map::new();
        for (k, v) in [("primary", &t.primary), ("background", &t.background), ("text", &t.text)] {
            if let Some(v) = v {
                m.insert(k.into(), serde_json::Value::String(v.clone()));
            }
        }
        serde_json::Value::Object(m)
    });
    let args = serde_json::json!({"p_name": patch.name, "p_theme": theme, "p_locale": patch.locale,
        "p_currency": patch.currency, "p_support_email": patch.support_email});
    let written: Written = db::call(config, caller, "admin_update_settings", args).await?;
    crate::kv::forget_brand_hosts(env, &written.invalidate_hosts).await;
    json_ok(&written.settings, 200)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalBody {
    pub body: String,
}

pub async fn set_legal(config: &Config, caller: &Staff, kind: &str, language: &str, b: LegalBody) -> Result<Response, AppError> {
    if !legal::KINDS.contains(&kind) || !legal::LANGUAGES.contains(&language) {
        return Err(AppError::Refused { status: 404, code: "legal_page_not_found".into(), detail: None });
    }
    if b.body.chars().count() > legal::MAX_CHARS {
        return Err(AppError::invalid_field("body", &format!("at most {} characters", legal::MAX_CHARS)));
    }
    let args = serde_json::json!({"p_kind": kind, "p_language": language, "p_body": b.body});
    let page: serde_json::Value = db::call(config, caller, "admin_set_legal_page", args).await?;
    json_ok(&page, 200)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishBody {
    pub published: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct Published {
    published: bool,
    #[serde(default, skip_serializing)]
    invalidate_hosts: serde_json::Value,
}

pub async fn publish(env: &Env, config: &Config, caller: &Staff, b: PublishBody) -> Result<Response, AppError> {
    let set: Published = db::call(config, caller, "admin_set_published", serde_json::json!({"p_published": b.published})).await?;
    crate::kv::forget_brand_hosts(env, &set.invalidate_hosts).await;
    json_ok(&set, 200)
}
