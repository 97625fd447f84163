//! Orders: the fulfilment state machine and the separate payment status.

pub mod refund;
pub mod state;
