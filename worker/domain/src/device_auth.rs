//! Edge-device identity from Cloudflare mTLS (`request.cf.tlsClientAuth`): a pure check
//! over the certificate fields, the device bound to the fingerprint, and the brand's state.
//! A valid but revoked certificate still verifies at Cloudflare, so `certRevoked` and the
//! device's own status are both checked; missing fields are refusals, never panics.

use serde::Serialize;

/// The fields of `request.cf.tlsClientAuth` this check reads (all strings at Cloudflare).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsClientAuth {
    pub cert_presented: Option<String>,
    pub cert_verified: Option<String>,
    pub cert_revoked: Option<String>,
    pub cert_fingerprint_sha256: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceState {
    Pending,
    Active,
    Revoked,
}

/// The device row bound to a fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundDevice {
    pub id: String,
    pub brand_id: String,
    pub state: DeviceState,
    pub revoked_at: Option<String>,
    pub revoked_reason: Option<String>,
    pub brand_blocked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Refusal {
    NoCertificate,
    VerificationFailed { detail: String },
    CertificateRevoked,
    UnknownFingerprint,
    DeviceNotActive,
    DeviceRevoked { revoked_at: Option<String>, revoked_reason: Option<String> },
    BrandBlocked,
}

impl Refusal {
    /// The reason as the refusal's error code (the `reason` it serializes with).
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NoCertificate => "no_certificate",
            Refusal::VerificationFailed { .. } => "verification_failed",
            Refusal::CertificateRevoked => "certificate_revoked",
            Refusal::UnknownFingerprint => "unknown_fingerprint",
            Refusal::DeviceNotActive => "device_not_active",
            Refusal::DeviceRevoked { .. } => "device_revoked",
            Refusal::BrandBlocked => "brand_blocked",
        }
    }

    /// 401 when the client is not who it must be; 403 when it is, but may not come in.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::NoCertificate | Refusal::VerificationFailed { .. } | Refusal::CertificateRevoked | Refusal::UnknownFingerprint => 401,
            Refusal::DeviceNotActive | Refusal::DeviceRevoked { .. } | Refusal::BrandBlocked => 403,
        }
    }
}

/// The normalised fingerprint to look the device up by, once the certificate itself passes.
pub fn fingerprint(cf: &TlsClientAuth) -> Result<String, Refusal> {
    if cf.cert_presented.as_deref() != Some("1") {
        return Err(Refusal::NoCertificate);
    }
    match cf.cert_verified.as_deref() {
        Some("SUCCESS") => {}
        Some(other) => return Err(Refusal::VerificationFailed { detail: other.trim_start_matches("FAILED:").to_owned() }),
        None => return Err(Refusal::VerificationFailed { detail: "missing".into() }),
    }
    if cf.cert_revoked.as_deref() != Some("0") {
        return Err(Refusal::CertificateRevoked);
    }
    let fp = cf.cert_fingerprint_sha256.as_deref().unwrap_or_default().trim().to_ascii_lowercase();
    if fp.len() != 64 || !fp.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Refusal::UnknownFingerprint);
    }
    Ok(fp)
}

/// The device a request comes from, or why it is refused.
pub fn admit(cf: &TlsClientAuth, device: Option<BoundDevice>) -> Result<BoundDevice, Refusal> {
    fingerprint(cf)?;
    let device = device.ok_or(Refusal::UnknownFingerprint)?;
    match device.state {
        DeviceState::Revoked => Err(Refusal::DeviceRevoked { revoked_at: device.revoked_at, revoked_reason: device.revoked_reason }),
        DeviceState::Pending => Err(Refusal::DeviceNotActive),
        DeviceState::Active if device.brand_blocked => Err(Refusal::BrandBlocked),
        DeviceState::Active => Ok(device),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP: &str = "AB12CD34EF56AB12CD34EF56AB12CD34EF56AB12CD34EF56AB12CD34EF56AB12";

    fn cf(presented: Option<&str>, verified: Option<&str>, revoked: Option<&str>, fp: Option<&str>) -> TlsClientAuth {
        TlsClientAuth {
            cert_presented: presented.map(Into::into),
            cert_verified: verified.map(Into::into),
            cert_revoked: revoked.map(Into::into),
            cert_fingerprint_sha256: fp.map(Into::into),
        }
    }

    fn device(state: DeviceState, blocked: bool) -> BoundDevice {
        BoundDevice {
            id: "d1".into(),
            brand_id: "b1".into(),
            state,
            revoked_at: Some("2026-11-01T00:00:00Z".into()),
            revoked_reason: Some("lost".into()),
            brand_blocked: blocked,
        }
    }

    #[test]
    fn a_refusal_s_code_is_the_reason_it_serializes_with() {
        let all = [
            Refusal::NoCertificate,
            Refusal::VerificationFailed { detail: "x".into() },
            Refusal::CertificateRevoked,
            Refusal::UnknownFingerprint,
            Refusal::DeviceNotActive,
            Refusal::DeviceRevoked { revoked_at: None, revoked_reason: None },
            Refusal::BrandBlocked,
        ];
        for r in all {
            let json = serde_json::to_value(&r).unwrap_or_default();
            assert_eq!(json.get("reason").and_then(|v| v.as_str()), Some(r.code()));
        }
    }

    #[test]
    fn every_certificate_case() {
        let good = cf(Some("1"), Some("SUCCESS"), Some("0"), Some(FP));
        assert_eq!(fingerprint(&good), Ok(FP.to_ascii_lowercase()));
        let cases = [
            (cf(None, None, None, None), Refusal::NoCertificate),
            (cf(Some("0"), Some("NONE"), Some("0"), None), Refusal::NoCertificate),
            (
                cf(Some("1"), Some("FAILED:certificate has expired"), Some("0"), Some(FP)),
                Refusal::VerificationFailed { detail: "certificate has expired".into() },
            ),
            (cf(Some("1"), Some("NONE"), Some("0"), Some(FP)), Refusal::VerificationFailed { detail: "NONE".into() }),
            (cf(Some("1"), None, Some("0"), Some(FP)), Refusal::VerificationFailed { detail: "missing".into() }),
            (cf(Some("1"), Some("SUCCESS"), Some("1"), Some(FP)), Refusal::CertificateRevoked),
            (cf(Some("1"), Some("SUCCESS"), None, Some(FP)), Refusal::CertificateRevoked),
            (cf(Some("1"), Some("SUCCESS"), Some("0"), None), Refusal::UnknownFingerprint),
            (cf(Some("1"), Some("SUCCESS"), Some("0"), Some("xyz")), Refusal::UnknownFingerprint),
        ];
        for (input, want) in cases {
            assert_eq!(fingerprint(&input), Err(want.clone()), "{input:?}");
            assert_eq!(admit(&input, Some(device(DeviceState::Active, false))), Err(want), "{input:?}");
        }
    }

    #[test]
    fn every_device_case() {
        let good = cf(Some("1"), Some("SUCCESS"), Some("0"), Some(FP));
        assert!(admit(&good, Some(device(DeviceState::Active, false))).is_ok());
        assert_eq!(admit(&good, None), Err(Refusal::UnknownFingerprint));
        assert_eq!(admit(&good, Some(device(DeviceState::Pending, false))), Err(Refusal::DeviceNotActive));
        assert_eq!(admit(&good, Some(device(DeviceState::Active, true))), Err(Refusal::BrandBlocked));
        let revoked = admit(&good, Some(device(DeviceState::Revoked, false)));
        assert_eq!(revoked.clone().err().map(|r| r.status()), Some(403));
        let json = serde_json::to_value(revoked.err()).unwrap_or_default();
        assert_eq!(json["reason"], "device_revoked");
        assert_eq!(json["revoked_reason"], "lost");
        assert_eq!(Refusal::NoCertificate.status(), 401);
    }
}
