//! How much a staff refund may take: what is left of the order after its refunds, never
//! more, and only once money was paid (a dispute is the card network's to settle).

use super::state::PaymentStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundRefused {
    /// nothing was paid, or the order is disputed
    NotRefundable,
    /// everything paid was refunded already
    NothingLeft,
    /// more than what is left, or not a positive amount
    InvalidAmount { refundable: i64 },
}

/// The amount to refund: `requested`, or everything left when absent.
pub fn amount(status: PaymentStatus, total: i64, refunded: i64, requested: Option<i64>) -> Result<i64, RefundRefused> {
    if !matches!(status, PaymentStatus::Paid | PaymentStatus::PartiallyRefunded) {
        return Err(RefundRefused::NotRefundable);
    }
    let refundable = (total - refunded).max(0);
    if refundable == 0 {
        return Err(RefundRefused::NothingLeft);
    }
    match requested {
        None => Ok(refundable),
        Some(a) if a >= 1 && a <= refundable => Ok(a),
        Some(_) => Err(RefundRefused::InvalidAmount { refundable }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PaymentStatus::*;

    #[test]
    fn never_more_than_what_is_left() {
        assert_eq!(amount(Paid, 3000, 0, None), Ok(3000));
        assert_eq!(amount(Paid, 3000, 0, Some(1000)), Ok(1000));
        assert_eq!(amount(PartiallyRefunded, 3000, 1000, None), Ok(2000));
        assert_eq!(amount(PartiallyRefunded, 3000, 1000, Some(2001)), Err(RefundRefused::InvalidAmount { refundable: 2000 }));
        assert_eq!(amount(Paid, 3000, 0, Some(0)), Err(RefundRefused::InvalidAmount { refundable: 3000 }));
        assert_eq!(amount(Paid, 3000, 0, Some(-5)), Err(RefundRefused::InvalidAmount { refundable: 3000 }));
        assert_eq!(amount(Refunded, 3000, 3000, None), Err(RefundRefused::NotRefundable));
        assert_eq!(amount(PartiallyRefunded, 3000, 3000, None), Err(RefundRefused::NothingLeft));
        assert_eq!(amount(Unpaid, 3000, 0, None), Err(RefundRefused::NotRefundable));
        assert_eq!(amount(Disputed, 3000, 0, None), Err(RefundRefused::NotRefundable));
    }
}
