//! Orders for staff: one order with its items, payments, refunds, timeline and the moves
//! staff may make from its status, and the status changes staff may ask for. The worker checks the request against the domain's state machine
//! (`shoal_domain::order::state`) before it refunds anything or calls the database; the
//! database function enforces the same table (`public.order_transitions`) and the brand.
//!   GET  /api/v1/admin/orders/{id}
//!   POST /api/v1/admin/orders/{id}/transitions   {"to": "...", "tracking_number": "..."}

use serde::{Deserialize, Serialize};
use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::order::state::{self, OrderStatus, PaymentStatus};
use shoal_domain::permissions::{self, Action};
use worker::Response;

use super::{db, Staff};
use crate::error::{json_ok, AppError};
use crate::stripe::{self, p, StripeCall};

/// Longest tracking number accepted (carriers' are far shorter).
const MAX_TRACKING: usize = 100;

#[derive(Debug, Serialize, Deserialize)]
pub struct OrderItem {
    pub title: String,
    pub sku: String,
    pub unit_amount: i64,
    pub quantity: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub kind: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub payment_status: Option<String>,
    pub cause: String,
    /// what the step carried (a refund's amount and reason, a tracking number, …)
    #[serde(default)]
    pub detail: serde_json::Value,
    pub at: String,
}

/// A refund of the order (`public.refunds`): asked by staff, or seen in Stripe's events.
#[derive(Debug, Serialize, Deserialize)]
pub struct Refund {
    pub id: String,
    pub amount: i64,
    pub currency: String,
    pub reason: Option<String>,
    pub status: String,
    pub created_at: String,
}

/// An order as `public.admin_get_order` answers it (and the API passes it on).
#[derive(Debug, Serialize, Deserialize)]
pub struct Order {
    pub id: String,
    pub number: i64,
    pub email: String,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    pub currency: String,
    pub total_amount: i64,
    pub amount_refunded: i64,
    pub needs_review: bool,
    pub review_reason: Option<String>,
    pub tracking_number: Option<String>,
    pub stripe_payment_intent_id: Option<String>,
    pub created_at: String,
    pub paid_at: Option<String>,
    /// the payment Stripe took: `{provider, payment_intent, charge, amount, currency, status, paid_at}`
    #[serde(default)]
    pub payments: Vec<serde_json::Value>,
    #[serde(default)]
    pub refunds: Vec<Refund>,
    pub items: Vec<OrderItem>,
    pub timeline: Vec<TimelineEntry>,
}

/// What the admin API answers for one order: the order, the statuses the caller may move it
/// to (`shoal_domain::order::state`, staff-requestable ones only; none for a role that may
/// not manage orders) and what is left to refund.
#[derive(Debug, Serialize)]
pub struct OrderDetail {
    #[serde(flatten)]
    pub order: Order,
    pub allowed_transitions: Vec<OrderStatus>,
    pub refundable_amount: i64,
}

impl OrderDetail {
    pub fn for_caller(order: Order, caller: &Staff) -> OrderDetail {
        let refundable = match order.payment_status {
            PaymentStatus::Paid | PaymentStatus::PartiallyRefunded => (order.total_amount - order.amount_refunded).max(0),
            _ => 0,
        };
        let allowed =
            if permissions::allows(caller.role, Action::ManageOrders) { state::staff_transitions_from(order.status) } else { vec![] };
        OrderDetail { allowed_transitions: allowed, refundable_amount: refundable, order }
    }
}

/// `POST …/transitions`.
#[derive(Debug, Deserialize)]
pub struct TransitionBody {
    pub to: String,
    #[serde(default)]
    pub tracking_number: Option<String>,
}

impl TransitionBody {
    /// The status asked for, when staff may ask for it (payment outcomes are Stripe's).
    fn target(&self) -> Result<OrderStatus, AppError> {
        OrderStatus::parse(&self.to).filter(|to| state::staff_may_request(*to)).ok_or_else(|| AppError::Refused {
            status: 422,
            code: "status_not_settable_by_staff".into(),
            detail: None,
        })
    }

    fn validate(&self) -> Result<(), AppError> {
        if self.tracking_number.as_deref().is_some_and(|t| t.chars().count() > MAX_TRACKING) {
            return Err(AppError::invalid_field("tracking_number", &format!("at most {MAX_TRACKING} characters")));
        }
        Ok(())
    }
}

/// Order ids are UUIDs; anything else cannot name an order.
pub fn order_id(raw: &str) -> Result<&str, AppError> {
    if shoal_domain::ids::is_uuid(raw) {
        Ok(raw)
    } else {
        Err(not_found())
    }
}

pub(crate) fn not_found() -> AppError {
    AppError::Refused { status: 404, code: "order_not_found".into(), detail: None }
}

async fn read(config: &Config, caller: &Staff, id: &str) -> Result<Order, AppError> {
    let order: Option<Order> = db::call(config, caller, "admin_get_order", serde_json::json!({"p_order_id": id})).await?;
    order.ok_or_else(not_found)
}

pub async fn get(config: &Config, caller: &Staff, id: &str) -> Result<Response, AppError> {
    json_ok(&OrderDetail::for_caller(read(config, caller, order_id(id)?).await?, caller), 200)
}

pub async fn transition(
    config: &Config,
    brand: &BrandContext,
    caller: &Staff,
    id: &str,
    body: TransitionBody,
) -> Result<Response, AppError> {
    body.validate()?;
    let order = read(config, caller, order_id(id)?).await?;
    let to = body.target()?;
    state::transition(order.status, to).map_err(|e| AppError::Refused {
        status: 409,
        code: "forbidden_transition".into(),
        detail: Some(format!("{} -> {}", e.from.as_str(), e.to.as_str())),
    })?;
    if to == OrderStatus::Cancelled {
        refund_before_cancel(config, brand, &order).await?;
    }
    let args = serde_json::json!({"p_order_id": order.id, "p_to": to.as_str(), "p_tracking": body.tracking_number});
    let moved: Order = db::call(config, caller, "staff_transition_order", args).await?;
    json_ok(&OrderDetail::for_caller(moved, caller), 200)
}

/// Cancelling a paid order refunds what is left through Stripe first (idempotent per
/// order); the refund's own webhook then records it. A Stripe failure leaves the order as is.
async fn refund_before_cancel(config: &Config, brand: &BrandContext, order: &Order) -> Result<(), AppError> {
    if !matches!(order.payment_status, PaymentStatus::Paid | PaymentStatus::PartiallyRefunded) {
        return Ok(());
    }
    let remaining = order.total_amount - order.amount_refunded;
    let intent = order.stripe_payment_intent_id.as_deref().ok_or_else(|| AppError::Refused {
        status: 409,
        code: "no_payment_to_refund".into(),
        detail: None,
    })?;
    if remaining <= 0 {
        return Ok(());
    }
    stripe::post(
        config,
        StripeCall {
            path: "/v1/refunds",
            params: vec![
                p("payment_intent", intent),
                p("amount", remaining),
                p("reason", "requested_by_customer"),
                p("metadata[order_id]", &order.id),
                p("metadata[brand_id]", &brand.id),
            ],
            idempotency_key: Some(format!("refund-cancel-{}", order.id)),
            account: brand.stripe_account.as_deref(),
        },
    )
    .await?;
    Ok(())
}
