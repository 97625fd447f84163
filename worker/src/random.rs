//! Random bytes for tokens, codes, salts and secrets (crypto.getRandomValues). A failure
//! is an error, never a predictable fallback.

use crate::error::AppError;

pub fn bytes<const N: usize>() -> Result<[u8; N], AppError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| AppError::Internal(format!("getrandom: {e}")))?;
    Ok(b)
}

/// A random (version 4) UUID in its canonical form, e.g. a new cart's id.
pub fn uuid() -> Result<String, AppError> {
    let mut b = bytes::<16>()?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32]))
}
