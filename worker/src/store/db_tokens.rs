//! Database tokens, reused within an isolate. Minting one is an ES256 signature (ECDSA
//! P-256), a few milliseconds of wasm per PostgREST call; the same claims carry the same
//! authority, so a token is reused while more than half its one-minute life is left.
//! Keyed by the claims themselves (role, brand, account, session, device, cart); held in
//! the isolate's memory only, never sent anywhere but PostgREST.

use std::cell::RefCell;
use std::collections::HashMap;

use shoal_domain::config::Config;
use shoal_domain::db_token::{self, DbClaims};

use crate::clock::now;
use crate::error::AppError;

/// Database tokens live one minute: long enough for one request, useless if leaked.
pub const TOKEN_TTL_SECONDS: i64 = 60;
/// Reused while at least this much of a token's life is left.
const REUSE_UNTIL_LEFT_MS: i64 = TOKEN_TTL_SECONDS * 1000 / 2;
/// Bound on remembered tokens (shoppers' carts make many distinct claims); when full,
/// expired ones go first, then all.
const MAX_TOKENS: usize = 512;

thread_local! {
    static TOKENS: RefCell<HashMap<String, (String, i64)>> = RefCell::new(HashMap::new());
}

/// A valid token for `claims`: a remembered one, or a fresh one (remembered).
pub fn token(config: &Config, claims: DbClaims) -> Result<String, AppError> {
    let at = now();
    let now_ms = at.timestamp_millis();
    let key = serde_json::to_string(&claims).map_err(|e| AppError::Internal(format!("claims: {e}")))?;
    let known = TOKENS.with(|t| t.borrow().get(&key).filter(|(_, reuse_until)| *reuse_until > now_ms).map(|(token, _)| token.clone()));
    if let Some(token) = known {
        return Ok(token);
    }
    let token = db_token::mint(&config.db_key, claims, at, TOKEN_TTL_SECONDS)
        .map_err(|e| AppError::Internal(format!("cannot mint database token: {e:?}")))?;
    let reuse_until = now_ms + TOKEN_TTL_SECONDS * 1000 - REUSE_UNTIL_LEFT_MS;
    TOKENS.with(|t| {
        let mut map = t.borrow_mut();
        if map.len() >= MAX_TOKENS {
            map.retain(|_, (_, until)| *until > now_ms);
            if map.len() >= MAX_TOKENS {
                map.clear();
            }
        }
        map.insert(key, (token.clone(), reuse_until));
    });
    Ok(token)
}
