//! Who takes a shopper's money, and the platform's plan prices.
//!
//! A brand sells through its own Stripe connected account (direct charges, the platform's
//! fee on top), which it opens from the admin API (Stripe Connect onboarding). Until Stripe
//! enables charges on that account its shop cannot take payments. `PAYMENTS_MODE=platform`
//! makes the platform the merchant of record for brands that have not begun connecting:
//! their orders are charged on the platform's own account (the development stack runs
//! so, for its demo brands). Production defaults to `connect`: the platform never becomes
//! the merchant of record by omission.
//!
//! Plan prices (`STRIPE_PRICES=starter:price_…,growth:price_…`) are the operator's Stripe
//! objects, so they are configuration, not data in a migration.

use crate::config::Environment;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentsMode {
    /// Every brand is paid through its own connected account.
    Connect,
    /// Brands without a connected account are charged on the platform's account.
    Platform,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentSettings {
    pub mode: PaymentsMode,
    /// `(plan, Stripe price id)`, in the order configured.
    pub prices: Vec<(String, String)>,
}

impl Default for PaymentSettings {
    fn default() -> Self {
        PaymentSettings { mode: PaymentsMode::Connect, prices: Vec::new() }
    }
}

impl PaymentSettings {
    /// The Stripe price of a plan.
    pub fn price_for(&self, plan: &str) -> Option<&str> {
        self.prices.iter().find(|(p, _)| p == plan).map(|(_, price)| price.as_str())
    }

    /// `{price id: plan}`, what the database maps a subscription's price with.
    pub fn plans_by_price(&self) -> serde_json::Value {
        self.prices
            .iter()
            .map(|(plan, price)| (price.clone(), serde_json::Value::from(plan.as_str())))
            .collect::<serde_json::Map<_, _>>()
            .into()
    }
}

/// Reads `PAYMENTS_MODE` and `STRIPE_PRICES`; problems go to `problems`.
pub fn load(get: &dyn Fn(&str) -> Option<String>, environment: Environment, problems: &mut Vec<String>) -> PaymentSettings {
    let mode = match get("PAYMENTS_MODE").as_deref() {
        None | Some("connect") => PaymentsMode::Connect,
        Some("platform") => PaymentsMode::Platform,
        Some(other) => {
            problems.push(format!("PAYMENTS_MODE must be connect or platform, not {other:?}"));
            PaymentsMode::Connect
        }
    };
    let prices = match get("STRIPE_PRICES") {
        None => {
            if environment == Environment::Production {
                problems.push("STRIPE_PRICES is missing (plan:price pairs, e.g. starter:price_…,growth:price_…)".into());
            }
            Vec::new()
        }
        Some(list) => parse_prices(&list).unwrap_or_else(|why| {
            problems.push(format!("STRIPE_PRICES {why}"));
            Vec::new()
        }),
    };
    PaymentSettings { mode, prices }
}

/// `starter:price_a,growth:price_b`: each plan once, each price once.
pub fn parse_prices(list: &str) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for pair in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (plan, price) =
            pair.split_once(':').map(|(a, b)| (a.trim(), b.trim())).ok_or_else(|| format!("has {pair:?}, not plan:price"))?;
        let plan_ok = !plan.is_empty()
            && plan.len() <= 40
            && plan.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !plan_ok {
            return Err(format!("has a plan name {plan:?} that is not lower-case letters, digits, - or _"));
        }
        if !price.starts_with("price_") || price.len() > 255 {
            return Err(format!("has {price:?} for {plan}, not a Stripe price id (price_…)"));
        }
        if out.iter().any(|(p, q)| p == plan || q == price) {
            return Err(format!("names {plan} or {price} twice"));
        }
        out.push((plan.to_owned(), price.to_owned()));
    }
    if out.is_empty() {
        return Err("names no plan".into());
    }
    Ok(out)
}

/// Why a brand's shop cannot take a payment now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotReady {
    /// `connect` mode and the brand has no connected account yet.
    NoAccount,
    /// It has one, and Stripe has not enabled charges on it (onboarding, or restricted).
    ChargesDisabled,
}

/// Where a checkout is charged: `Ok(Some(account))` on the brand's connected account,
/// `Ok(None)` on the platform's own. A brand that has begun connecting is charged only on
/// its account, in either mode: its webhooks are bound to that account from then on.
pub fn charge_on(mode: PaymentsMode, stripe_account: Option<&str>, charges_enabled: bool) -> Result<Option<&str>, NotReady> {
    match (stripe_account, mode) {
        (Some(account), _) if charges_enabled => Ok(Some(account)),
        (Some(_), _) => Err(NotReady::ChargesDisabled),
        (None, PaymentsMode::Platform) => Ok(None),
        (None, PaymentsMode::Connect) => Err(NotReady::NoAccount),
    }
}

/// The brand's payment account as the admin API reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    /// No connected account.
    None,
    /// Created; the brand has not finished Stripe's onboarding.
    Onboarding,
    /// Stripe enabled charges: the shop takes payments through it.
    ChargesEnabled,
    /// Onboarding was submitted, or the account was disabled, and charges are off:
    /// Stripe needs more (see the requirements due).
    Restricted,
}

pub fn account_state(has_account: bool, charges_enabled: bool, details_submitted: bool, disabled_reason: Option<&str>) -> AccountState {
    match (has_account, charges_enabled) {
        (false, _) => AccountState::None,
        (true, true) => AccountState::ChargesEnabled,
        (true, false) if details_submitted || disabled_reason.is_some_and(|r| !r.is_empty()) => AccountState::Restricted,
        (true, false) => AccountState::Onboarding,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load_from(pairs: &[(&str, &str)], environment: Environment) -> (PaymentSettings, Vec<String>) {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let mut problems = Vec::new();
        let settings = load(&|k: &str| map.get(k).cloned(), environment, &mut problems);
        (settings, problems)
    }

    #[test]
    fn prices_are_plan_price_pairs() {
        let (s, problems) = load_from(&[("STRIPE_PRICES", "starter:price_1A, growth:price_2B")], Environment::Production);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.price_for("starter"), Some("price_1A"));
        assert_eq!(s.price_for("growth"), Some("price_2B"));
        assert_eq!(s.price_for("platinum"), None);
        assert_eq!(s.plans_by_price(), serde_json::json!({"price_1A": "starter", "price_2B": "growth"}));
    }

    #[test]
    fn production_requires_prices_and_development_does_not() {
        let (_, problems) = load_from(&[], Environment::Production);
        assert!(problems.iter().any(|p| p.starts_with("STRIPE_PRICES is missing")), "{problems:?}");
        let (s, problems) = load_from(&[], Environment::Development);
        assert!(problems.is_empty() && s.prices.is_empty());
    }

    #[test]
    fn malformed_prices_are_refused() {
        for bad in ["starter", "starter:prod_1", "Starter:price_1", "a:price_1,a:price_2", "a:price_1,b:price_1", " , "] {
            let (_, problems) = load_from(&[("STRIPE_PRICES", bad)], Environment::Development);
            assert!(problems.iter().any(|p| p.starts_with("STRIPE_PRICES")), "{bad:?}: {problems:?}");
        }
    }

    #[test]
    fn the_mode_defaults_to_connect() {
        assert_eq!(load_from(&[], Environment::Production).0.mode, PaymentsMode::Connect);
        assert_eq!(load_from(&[("PAYMENTS_MODE", "platform")], Environment::Production).0.mode, PaymentsMode::Platform);
        let (_, problems) = load_from(&[("PAYMENTS_MODE", "merchant")], Environment::Development);
        assert!(problems.iter().any(|p| p.starts_with("PAYMENTS_MODE must be connect or platform")));
    }

    #[test]
    fn a_checkout_is_charged_on_a_ready_account_or_by_a_merchant_of_record_platform() {
        use PaymentsMode::*;
        assert_eq!(charge_on(Connect, Some("acct_1"), true), Ok(Some("acct_1")));
        assert_eq!(charge_on(Platform, Some("acct_1"), true), Ok(Some("acct_1")));
        assert_eq!(charge_on(Connect, Some("acct_1"), false), Err(NotReady::ChargesDisabled));
        // begun connecting: bound to that account, so never charged on the platform's
        assert_eq!(charge_on(Platform, Some("acct_1"), false), Err(NotReady::ChargesDisabled));
        assert_eq!(charge_on(Connect, None, false), Err(NotReady::NoAccount));
        assert_eq!(charge_on(Platform, None, false), Ok(None));
    }

    #[test]
    fn account_states() {
        assert_eq!(account_state(false, false, false, None), AccountState::None);
        assert_eq!(account_state(true, false, false, None), AccountState::Onboarding);
        assert_eq!(account_state(true, true, true, None), AccountState::ChargesEnabled);
        assert_eq!(account_state(true, false, true, None), AccountState::Restricted);
        assert_eq!(account_state(true, false, false, Some("rejected.fraud")), AccountState::Restricted);
    }
}
