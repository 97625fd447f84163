//! Shoal's domain rules, free of any Cloudflare or wasm dependency so that every rule is
//! unit-tested natively (`cargo test -p shoal-domain`). The worker crate adapts these to
//! HTTP, KV and PostgREST.

pub mod access_token;
pub mod admin_list;
pub mod api_routes;
pub mod billing;
pub mod brand;
pub mod cart;
pub mod catalog;
pub mod catalog_admin;
pub mod codes;
pub mod config;
pub mod cross_site;
pub mod custom_hostnames;
pub mod db_token;
pub mod device_auth;
pub mod device_cert;
pub mod device_health;
pub mod device_license;
pub mod device_status;
mod device_status_text;
pub mod edge_config;
pub mod email;
pub mod email_address;
pub mod host;
pub mod i18n;
pub mod ids;
pub mod keys;
pub mod legal;
pub mod media;
pub mod money;
pub mod order;
pub mod password;
pub mod payments;
pub mod permissions;
pub mod rate_limit;
pub mod request_id;
pub mod secret_box;
pub mod security_headers;
pub mod signed_id;
pub mod slug;
pub mod stripe_signature;
pub mod sync;
pub mod theme;
pub mod time;
pub mod totp;
pub mod updates;
