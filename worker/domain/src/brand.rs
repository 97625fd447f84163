//! The resolved brand: what `resolve_brand(host)` returns, what KV caches under
//! `brand:domain:{host}`, and what handlers receive as their only source of `brand_id`.

use serde::{Deserialize, Serialize};

use crate::billing::BillingState;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrandContext {
    pub id: String,
    pub slug: String,
    pub name: String,
    /// ISO 4217 code, upper case.
    pub currency: String,
    /// BCP 47 language tag, e.g. `en`, `es`.
    pub locale: String,
    pub status: BrandStatus,
    #[serde(default)]
    pub theme: serde_json::Value,
    #[serde(default)]
    pub stripe_account: Option<String>,
    /// Whether Stripe enabled charges on that account (its `account.updated` events).
    #[serde(default)]
    pub charges_enabled: bool,
    /// Per-brand catalog cache version: bumped by catalog writes so cached keys go stale in O(1).
    #[serde(default = "first_version")]
    pub catalog_version: i64,
    /// The normalised host this context was resolved from.
    pub host: String,
    #[serde(default)]
    pub billing: BillingState,
    /// False until the owner publishes the shop: its storefront answers "coming soon".
    /// An entry cached before the field existed reads as published (as every shop was).
    #[serde(default = "published_before")]
    pub published: bool,
}

fn first_version() -> i64 {
    1
}

fn published_before() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BrandStatus {
    Active,
    Suspended,
}

/// The public part of a brand's config that a storefront may show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicBrand<'a> {
    pub id: &'a str,
    pub slug: &'a str,
    pub name: &'a str,
    pub currency: &'a str,
    pub locale: &'a str,
    pub theme: &'a serde_json::Value,
    /// False while the shop shows "coming soon" (a headless storefront can do the same).
    pub published: bool,
}

impl BrandContext {
    pub fn public(&self) -> PublicBrand<'_> {
        PublicBrand {
            id: &self.id,
            slug: &self.slug,
            name: &self.name,
            currency: &self.currency,
            locale: &self.locale,
            theme: &self.theme,
            published: self.published,
        }
    }
}

/// KV key of a host's brand config: the host is in the key, so one brand's entry can never
/// answer for another host.
pub fn domain_cache_key(normalized_host: &str) -> String {
    format!("brand:domain:{normalized_host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_resolve_brand_output_and_hides_private_fields() {
        let raw = serde_json::json!({
            "id": "a0000000-0000-4000-8000-000000000001", "slug": "acme", "name": "Acme",
            "currency": "USD", "locale": "en", "status": "active",
            "theme": {"primary": "#0a7"}, "stripe_account": "acct_1", "catalog_version": 3,
            "host": "acme.localhost"
        });
        let brand: BrandContext = serde_json::from_value(raw).expect("valid brand");
        assert_eq!(brand.status, BrandStatus::Active);
        let public = serde_json::to_value(brand.public()).unwrap_or_default();
        assert_eq!(public["currency"], "USD");
        assert!(public.get("stripe_account").is_none());
        assert!(public.get("status").is_none());
    }

    #[test]
    fn cache_key_contains_the_host() {
        assert_eq!(domain_cache_key("acme.localhost"), "brand:domain:acme.localhost");
    }
}
