//! Stripe's side of payments and SaaS billing: the signed webhook (`webhooks`) and the one
//! database function that applies an event exactly once (`events`). Both run as the
//! service role: an event names its own account, and no caller owns it.

pub mod events;
pub mod webhooks;
