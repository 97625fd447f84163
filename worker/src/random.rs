//! Random bytes for tokens, codes, salts and secrets (crypto.getRandomValues). A failure
//! is an error, never a predictable fallback.

use crate::error::AppError;

pub fn bytes<const N: usize>() -> Result<[u8; N], AppError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| AppError::Internal(format!("getrandom: {e}")))?;
    Ok(b)
}
