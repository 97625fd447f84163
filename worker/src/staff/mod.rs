//! The admin API's feature module: who the staff caller is (`session`) and, one file per
//! resource, the handlers and store calls staff use. Every store call here carries the
//! caller's identity (`DbClaims::staff`) so the database's policies are the brand fence.

mod session;
mod as_staff;
pub mod devices;
pub mod domains;
pub mod invitations;
pub mod members;

pub use session::*;
pub use as_staff::body;
