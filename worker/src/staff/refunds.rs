//! Refunds staff ask for, full or partial, through Stripe:
//!   POST /api/v1/admin/orders/{id}/refunds   {"amount"?: minor units (default: what is left), "reason"?}
//! The worker checks the amount against what is left (`shoal_domain::order::refund`), asks
//! Stripe (`POST /v1/refunds`, on the brand's connected account when it has one, with an
//! idempotency key naming the order, what was refunded before and the amount, so a double
//! submit makes one refund), then records Stripe's refund in one database call
//! (`public.staff_record_refund`: refund row, refunded total, timeline, shopper's email,
//! audit). Stripe's later `charge.refunded` event finds the refund recorded and adds nothing.
//! The order's fulfilment status does not change: a refund is money, `returned` is goods.

use serde::Deserialize;
use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::order::refund::{self, RefundRefused};
use shoal_domain::order::state::PaymentStatus;
use worker::Response;

use super::orders::{not_found, order_id, Order, OrderDetail};
use super::{db, Staff};
use crate::error::{json_ok, AppError};
use crate::stripe::{self, p, StripeCall};

/// Longest reason kept (the database's limit too).
const MAX_REASON: usize = 500;

#[derive(Debug, Deserialize)]
pub struct RefundBody {
    #[serde(default)]
    pub amount: Option<i64>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// `public.admin_refundable`.
#[derive(Debug, Deserialize)]
struct Refundable {
    id: String,
    payment_status: PaymentStatus,
    currency: String,
    total_amount: i64,
    amount_refunded: i64,
    stripe_payment_intent_id: Option<String>,
    stripe_charge_id: Option<String>,
}

/// What Stripe answers for a refund (the fields Shoal keeps).
#[derive(Debug, Deserialize)]
struct StripeRefund {
    id: String,
    amount: i64,
    #[serde(default)]
    status: Option<String>,
}

fn refused(status: u16, code: &str, detail: Option<String>) -> AppError {
    AppError::Refused { status, code: code.into(), detail }
}

pub async fn create(config: &Config, brand: &BrandContext, caller: &Staff, id: &str, body: RefundBody) -> Result<Response, AppError> {
    let id = order_id(id)?;
    let reason = body.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
    if reason.as_deref().is_some_and(|r| r.chars().count() > MAX_REASON || r.chars().any(|c| c.is_control() && c != '\n')) {
        return Err(AppError::invalid_field("reason", &format!("at most {MAX_REASON} characters, no control characters")));
    }
    let order: Option<Refundable> = db::call(config, caller, "admin_refundable", serde_json::json!({"p_order_id": id})).await?;
    let order = order.ok_or_else(not_found)?;
    let amount = refund::amount(order.payment_status, order.total_amount, order.amount_refunded, body.amount).map_err(|e| match e {
        RefundRefused::NotRefundable => refused(409, "order_not_refundable", Some("only a paid order can be refunded".into())),
        RefundRefused::NothingLeft => refused(409, "nothing_to_refund", Some("the order is refunded in full".into())),
        RefundRefused::InvalidAmount { refundable } => {
            refused(422, "invalid_amount", Some(format!("amount: from 1 to {refundable} (minor units left to refund)")))
        }
    })?;
    let (key, payment) = match (&order.stripe_payment_intent_id, &order.stripe_charge_id) {
        (Some(pi), _) => ("payment_intent", pi.as_str()),
        (None, Some(ch)) => ("charge", ch.as_str()),
        (None, None) => return Err(refused(409, "no_payment_to_refund", None)),
    };
    let mut params = vec![
        p(key, payment),
        p("amount", amount),
        p("reason", "requested_by_customer"),
        p("metadata[order_id]", &order.id),
        p("metadata[brand_id]", &brand.id),
        p("metadata[requested_by]", &caller.claims.sub),
    ];
    if let Some(r) = &reason {
        params.push(p("metadata[note]", r));
    }
    let answer = stripe::post(
        config,
        StripeCall {
            path: "/v1/refunds",
            params,
            idempotency_key: Some(format!("refund-{}-{}-{amount}", order.id, order.amount_refunded)),
            account: brand.stripe_account.as_deref(),
        },
    )
    .await?;
    let made: StripeRefund =
        serde_json::from_value(answer).map_err(|e| AppError::Stripe(format!("/v1/refunds answered an unexpected shape: {e}")))?;
    let args = serde_json::json!({
        "p_order_id": order.id, "p_refund_id": made.id, "p_amount": made.amount,
        "p_currency": order.currency, "p_status": made.status, "p_reason": reason,
    });
    let recorded: Order = db::call(config, caller, "staff_record_refund", args).await?;
    json_ok(&OrderDetail::for_caller(recorded, caller), 201)
}
