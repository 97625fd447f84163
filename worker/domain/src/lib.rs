//! Shoal's domain rules, free of any Cloudflare or wasm dependency so that every rule is
//! unit-tested natively (`cargo test -p shoal-domain`). The worker crate adapts these to
//! HTTP, KV and PostgREST.

pub mod brand;
pub mod config;
pub mod db_token;
pub mod keys;
pub mod host;
pub mod slug;
pub mod request_id;
pub mod stripe_signature;
pub mod order;
pub mod billing;
pub mod payments;
pub mod cart;
pub mod catalog;
pub mod money;
pub mod signed_id;
pub mod rate_limit;
pub mod i18n;
pub mod email;
pub mod email_address;
pub mod password;
pub mod permissions;
pub mod access_token;
pub mod codes;
pub mod totp;
pub mod secret_box;
pub mod device_auth;
pub mod device_cert;
pub mod device_license;
pub mod device_status;
mod device_status_text;
pub mod device_health;
pub mod edge_config;
pub mod custom_hostnames;
pub mod sync;
pub mod time;
pub mod updates;
pub mod ids;
pub mod cross_site;
pub mod security_headers;
