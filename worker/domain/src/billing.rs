//! A brand's SaaS subscription as the storefront and admin API judge it.
//!
//! The database computes `blocked` when asked; a cached copy (KV) is judged again at
//! request time from the grace period end, so a grace period that runs out while the copy
//! is cached still blocks on time.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillingState {
    /// trialing | active | past_due | unpaid | canceled, or `none` for an unbilled brand.
    pub status: String,
    #[serde(default)]
    pub plan: Option<String>,
    #[serde(default)]
    pub grace_period_ends_at: Option<String>,
    #[serde(default)]
    pub grace_period_ends_epoch: Option<i64>,
    #[serde(default)]
    pub current_period_end: Option<String>,
}

impl Default for BillingState {
    fn default() -> Self {
        BillingState {
            status: "none".into(),
            plan: None,
            grace_period_ends_at: None,
            grace_period_ends_epoch: None,
            current_period_end: None,
        }
    }
}

impl BillingState {
    /// Canceled or unpaid past any grace period, or past due past the grace period its
    /// failed payment started (a past-due subscription without one has not started it).
    pub fn blocked_at(&self, now_epoch: i64) -> bool {
        match self.status.as_str() {
            "canceled" | "unpaid" => self.grace_period_ends_epoch.is_none_or(|end| end <= now_epoch),
            "past_due" => self.grace_period_ends_epoch.is_some_and(|end| end <= now_epoch),
            _ => false,
        }
    }

    pub fn in_grace_period_at(&self, now_epoch: i64) -> bool {
        self.grace_period_ends_epoch.is_some_and(|end| end > now_epoch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(status: &str, grace: Option<i64>) -> BillingState {
        BillingState { status: status.into(), grace_period_ends_epoch: grace, ..BillingState::default() }
    }

    #[test]
    fn blocked_when_canceled_unpaid_or_past_due_past_grace() {
        let now = 1_000;
        let cases = [
            ("none", None, false),
            ("trialing", None, false),
            ("active", None, false),
            ("past_due", None, false), // no failed payment has started a grace period
            ("past_due", Some(2_000), false),
            ("past_due", Some(500), true), // the grace period is over even if Stripe still retries
            ("unpaid", Some(2_000), false),
            ("unpaid", Some(1_000), true),
            ("unpaid", None, true),
            ("canceled", None, true),
            ("canceled", Some(1_001), false),
        ];
        for (status, grace, want) in cases {
            assert_eq!(state(status, grace).blocked_at(now), want, "{status} {grace:?}");
        }
    }

    #[test]
    fn grace_period_is_judged_at_request_time() {
        let s = state("unpaid", Some(1_000));
        assert!(s.in_grace_period_at(999));
        assert!(!s.blocked_at(999));
        assert!(!s.in_grace_period_at(1_000));
        assert!(s.blocked_at(1_000));
    }
}
