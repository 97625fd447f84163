//! The admin API's feature module: who the staff caller is (`session`) and, one file per
//! resource, the handlers and store calls staff use. Every store call here carries the
//! caller's identity (`DbClaims::staff`) so the database's policies are the brand fence.

mod session;

pub use session::*;
