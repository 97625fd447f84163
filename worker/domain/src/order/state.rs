//! The order state machine as a transition table. The database function
//! `shoal_private.transition_order` enforces the same table (`public.order_transitions`);
//! an end-to-end test checks that the two agree row for row.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Pending,
    Paid,
    Failed,
    Cancelled,
    Processing,
    Shipped,
    Delivered,
    Returned,
}

/// Money state, independent of fulfilment (Saleor keeps them apart too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Unpaid,
    Paid,
    PartiallyRefunded,
    Refunded,
    Disputed,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 8] = [
        OrderStatus::Pending,
        OrderStatus::Paid,
        OrderStatus::Failed,
        OrderStatus::Cancelled,
        OrderStatus::Processing,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Paid => "paid",
            OrderStatus::Failed => "failed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Processing => "processing",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// A state no transition leaves.
    pub fn is_terminal(self) -> bool {
        !TRANSITIONS.iter().any(|(from, _)| *from == self)
    }
}

use OrderStatus::*;

/// Every allowed transition; anything not listed is forbidden.
pub const TRANSITIONS: &[(OrderStatus, OrderStatus)] = &[
    (Pending, Paid),
    (Pending, Failed),
    (Pending, Cancelled),
    (Paid, Processing),
    (Paid, Cancelled),
    (Processing, Shipped),
    (Processing, Cancelled),
    (Shipped, Delivered),
    (Shipped, Returned),
    (Delivered, Returned),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForbiddenTransition {
    pub from: OrderStatus,
    pub to: OrderStatus,
}

pub fn transition(from: OrderStatus, to: OrderStatus) -> Result<OrderStatus, ForbiddenTransition> {
    if TRANSITIONS.contains(&(from, to)) {
        Ok(to)
    } else {
        Err(ForbiddenTransition { from, to })
    }
}

/// Transitions staff may ask for (payment outcomes come only from Stripe).
pub fn staff_may_request(to: OrderStatus) -> bool {
    matches!(to, Processing | Shipped | Delivered | Cancelled | Returned)
}

/// The statuses staff may move an order to from `from` (the detail's `allowed_transitions`).
pub fn staff_transitions_from(from: OrderStatus) -> Vec<OrderStatus> {
    TRANSITIONS.iter().filter(|(f, to)| *f == from && staff_may_request(*to)).map(|(_, to)| *to).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pair_is_allowed_exactly_when_listed() {
        let allowed = [
            "pending→paid",
            "pending→failed",
            "pending→cancelled",
            "paid→processing",
            "paid→cancelled",
            "processing→shipped",
            "processing→cancelled",
            "shipped→delivered",
            "shipped→returned",
            "delivered→returned",
        ];
        let mut checked = 0;
        for from in OrderStatus::ALL {
            for to in OrderStatus::ALL {
                let name = format!("{}→{}", from.as_str(), to.as_str());
                let want = allowed.contains(&name.as_str());
                assert_eq!(transition(from, to).is_ok(), want, "{name}");
                checked += 1;
            }
        }
        assert_eq!(checked, 64);
    }

    #[test]
    fn a_paid_order_never_goes_back_to_pending_or_failed() {
        assert_eq!(transition(Paid, Failed), Err(ForbiddenTransition { from: Paid, to: Failed }));
        assert!(transition(Paid, Pending).is_err());
        assert!(transition(Paid, Paid).is_err(), "no self transitions");
    }

    #[test]
    fn terminal_states() {
        let terminal: Vec<_> = OrderStatus::ALL.into_iter().filter(|s| s.is_terminal()).collect();
        assert_eq!(terminal, vec![Failed, Cancelled, Returned]);
    }

    #[test]
    fn names_round_trip() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).ok(), Some(serde_json::Value::String(s.as_str().into())));
        }
        assert_eq!(OrderStatus::parse("shipped "), None);
    }

    #[test]
    fn staff_cannot_mark_orders_paid_or_failed() {
        assert!(!staff_may_request(Paid));
        assert!(!staff_may_request(Failed));
        assert!(!staff_may_request(Pending));
        assert!(staff_may_request(Shipped));
    }

    #[test]
    fn staff_see_only_the_moves_they_may_make() {
        assert_eq!(staff_transitions_from(Pending), [Cancelled]);
        assert_eq!(staff_transitions_from(Paid), [Processing, Cancelled]);
        assert_eq!(staff_transitions_from(Shipped), [Delivered, Returned]);
        assert!(staff_transitions_from(Returned).is_empty());
    }
}
