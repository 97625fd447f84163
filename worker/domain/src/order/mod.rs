//! Orders: the fulfilment state machine and the separate payment status.

pub mod state;
pub mod refund;
