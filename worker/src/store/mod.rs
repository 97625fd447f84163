//! Storage through PostgREST. Every call carries a token minted for it; multi-step writes
//! are single Postgres functions under `/rpc`.

pub mod brands;
pub mod cron;
mod db_tokens;
pub mod outbox;
pub mod postgrest;
