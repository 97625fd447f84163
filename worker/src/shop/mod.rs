//! The shopper's path: catalog, cart, checkout, order status, and the storefront pages
//! that put them together. Each file holds one resource's handlers and its store calls;
//! every database call carries the shopper's own token (`DbClaims::shopper`: anon, the
//! brand, and the cart from the signed cookie where one is touched), so the tables' RLS
//! policies fence what it reaches. Only the cron's `expire_reservations` runs as the
//! service role.

pub mod brand;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod order_status;
pub mod pages;
