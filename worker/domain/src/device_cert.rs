//! Edge device certificates: a device activates by sending a PKCS#10 request for its own
//! key. The request is checked here (parses, ECDSA P-256 only, its self-signature holds,
//! the subject is exactly `CN=<hardware id>`) and, in development, signed by the local dev
//! CA under a subject Shoal writes (`CN=<hardware id>, O=<brand id>`; nothing of the
//! request's subject is copied). In production Cloudflare's client-certificate API signs
//! the same checked request; Cloudflare copies the request's subject (CN, O, OU, C, ST, L:
//! "provided by the CSR" in its API), which is why a request naming anything besides the
//! CN is refused here rather than signed.

use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{DerSignature, SigningKey, VerifyingKey};
use p256::pkcs8::DecodePrivateKey;
use sha2::{Digest, Sha256};
use std::time::Duration;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::asn1::{ObjectIdentifier, UtcTime};
use x509_cert::der::{DateTime, Decode, DecodePem, Encode, EncodePem};
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::name::Name;
use x509_cert::request::CertReq;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::{Time, Validity};
use x509_cert::Certificate;

const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");
/// PEM requests larger than this are not device requests.
const MAX_CSR_PEM: usize = 8 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsrError {
    /// not PEM, not DER, or not a certification request
    Malformed,
    /// RSA, other curves, Ed25519: `what` names the key found
    UnsupportedKey { what: String },
    /// the request is not signed by the key it carries
    SignatureInvalid,
    /// the subject is not exactly one CN equal to the hardware id (no O, OU, email, …)
    SubjectMismatch,
}

impl CsrError {
    pub fn code(&self) -> &'static str {
        match self {
            CsrError::Malformed => "csr_malformed",
            CsrError::UnsupportedKey { .. } => "csr_unsupported_key",
            CsrError::SignatureInvalid => "csr_signature_invalid",
            CsrError::SubjectMismatch => "csr_subject_mismatch",
        }
    }

    pub fn message(&self) -> String {
        match self {
            CsrError::Malformed => "`csr` must be one PEM-encoded PKCS#10 certificate request".into(),
            CsrError::UnsupportedKey { what } => format!("the request's key is {what}; devices use ECDSA P-256 keys"),
            CsrError::SignatureInvalid => "the request is not signed by the key it carries".into(),
            CsrError::SubjectMismatch => {
                "the request's subject must be exactly CN=<hardware_id>, nothing else: Shoal writes the rest of the certificate's subject"
                    .into()
            }
        }
    }
}

/// A request that passed every check, ready to be signed. Only its key is kept: the
/// certificate's subject is written by the CA (`device_subject`), never copied.
pub struct CheckedCsr {
    pub hardware_id: String,
    pub public_key: SubjectPublicKeyInfoOwned,
}

/// The subject of every device certificate Shoal's CA issues: `CN=<hardware id>,
/// O=<brand id>`. Both are checked tokens (`valid_hardware_id`, a UUID), so nothing in them
/// needs escaping.
pub fn device_subject(hardware_id: &str, brand_id: &str) -> Option<Name> {
    let brand_ok = !brand_id.is_empty() && brand_id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    if !valid_hardware_id(hardware_id) || !brand_ok {
        return None;
    }
    // RFC 4514 order: the last RDN first, so this encodes O then CN
    std::str::FromStr::from_str(&format!("CN={hardware_id},O={brand_id}")).ok()
}

/// A hardware id as devices report it: 4–128 of `A-Z a-z 0-9 . _ : -`.
pub fn valid_hardware_id(id: &str) -> bool {
    (4..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"._:-".contains(&b))
}

pub fn check_csr(pem: &str, hardware_id: &str) -> Result<CheckedCsr, CsrError> {
    if pem.len() > MAX_CSR_PEM {
        return Err(CsrError::Malformed);
    }
    let req = CertReq::from_pem(pem.trim().as_bytes()).map_err(|_| CsrError::Malformed)?;
    let spki = &req.info.public_key;
    if spki.algorithm.oid != EC_PUBLIC_KEY {
        return Err(CsrError::UnsupportedKey { what: key_name(&spki.algorithm.oid) });
    }
    let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
    if curve != Some(SECP256R1) {
        return Err(CsrError::UnsupportedKey { what: "an EC key on another curve".into() });
    }
    let key = VerifyingKey::from_sec1_bytes(spki.subject_public_key.raw_bytes()).map_err(|_| CsrError::Malformed)?;
    if req.algorithm.oid != ECDSA_WITH_SHA256 {
        return Err(CsrError::SignatureInvalid);
    }
    let signed = req.info.to_der().map_err(|_| CsrError::Malformed)?;
    let signature = DerSignature::from_bytes(req.signature.raw_bytes()).map_err(|_| CsrError::SignatureInvalid)?;
    key.verify(&signed, &signature).map_err(|_| CsrError::SignatureInvalid)?;
    // exactly one attribute in the whole subject, and it is the CN
    let attributes: Vec<&x509_cert::attr::AttributeTypeAndValue> = req.info.subject.0.iter().flat_map(|rdn| rdn.0.iter()).collect();
    match attributes.as_slice() {
        [cn] if cn.oid == COMMON_NAME && string_value(&cn.value) == hardware_id => {}
        _ => return Err(CsrError::SubjectMismatch),
    }
    Ok(CheckedCsr { hardware_id: hardware_id.to_owned(), public_key: spki.clone() })
}

fn key_name(oid: &ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.2.840.113549.1.1.1" => "RSA".into(),
        "1.3.101.112" => "Ed25519".into(),
        other => format!("of type {other}"),
    }
}

fn string_value(any: &x509_cert::attr::AttributeValue) -> String {
    any.decode_as::<String>()
        .or_else(|_| any.decode_as::<x509_cert::der::asn1::PrintableStringRef<'_>>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// A signed device certificate as the activation answer carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub certificate_pem: String,
    /// lower-case hex SHA-256 of the DER certificate: what Cloudflare puts in
    /// `certFingerprintSHA256`
    pub fingerprint_sha256: String,
    pub not_after_epoch: i64,
    pub serial_hex: String,
    pub issuer: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaError {
    /// the CA key or certificate in the environment does not parse
    BadCa,
    /// building or encoding the certificate failed
    Signing,
}

/// The development CA: an ECDSA P-256 key and its self-signed certificate, created by
/// `scripts/dev` in the ignored local folder and given to the worker as secrets.
pub struct DevCa {
    key: SigningKey,
    cert: Certificate,
    cert_pem: String,
}

impl DevCa {
    pub fn from_pem(key_pkcs8_pem: &str, cert_pem: &str) -> Result<Self, CaError> {
        let key = SigningKey::from_pkcs8_pem(key_pkcs8_pem.trim()).map_err(|_| CaError::BadCa)?;
        let cert = Certificate::from_pem(cert_pem.trim().as_bytes()).map_err(|_| CaError::BadCa)?;
        // a key that does not belong to the certificate would issue unverifiable chains
        let own = SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).map_err(|_| CaError::BadCa)?;
        if own != cert.tbs_certificate.subject_public_key_info {
            return Err(CaError::BadCa);
        }
        Ok(DevCa { key, cert, cert_pem: cert_pem.trim().to_owned() + "\n" })
    }

    /// Signs a checked request for `days`, valid from `now_epoch` (a minute early for clock
    /// skew), with the subject `device_subject(hardware id, brand_id)`. `serial` is 16
    /// random bytes from the caller.
    pub fn issue(&self, csr: &CheckedCsr, brand_id: &str, serial: [u8; 16], now_epoch: i64, days: u32) -> Result<Issued, CaError> {
        let subject = device_subject(&csr.hardware_id, brand_id).ok_or(CaError::Signing)?;
        let mut serial = serial;
        serial[0] &= 0x7f; // a positive INTEGER
        serial[0] |= 0x01; // and never a shorter encoding
        let serial_number = SerialNumber::new(&serial).map_err(|_| CaError::Signing)?;
        let not_after_epoch = now_epoch + i64::from(days) * 86_400;
        let validity = Validity { not_before: utc(now_epoch - 60)?, not_after: utc(not_after_epoch)? };
        let issuer = self.cert.tbs_certificate.subject.clone();
        let profile = Profile::Leaf { issuer: issuer.clone(), enable_key_agreement: false, enable_key_encipherment: false };
        let mut builder = CertificateBuilder::new(profile, serial_number, validity, subject, csr.public_key.clone(), &self.key)
            .map_err(|_| CaError::Signing)?;
        builder.add_extension(&ExtendedKeyUsage(vec![CLIENT_AUTH])).map_err(|_| CaError::Signing)?;
        let cert = builder.build::<DerSignature>().map_err(|_| CaError::Signing)?;
        let der = cert.to_der().map_err(|_| CaError::Signing)?;
        let pem = cert.to_pem(x509_cert::der::pem::LineEnding::LF).map_err(|_| CaError::Signing)?;
        Ok(Issued {
            certificate_pem: pem + &self.cert_pem,
            fingerprint_sha256: hex::encode(Sha256::digest(&der)),
            not_after_epoch,
            serial_hex: hex::encode(serial),
            issuer: issuer.to_string(),
        })
    }
}

fn utc(epoch: i64) -> Result<Time, CaError> {
    let secs = u64::try_from(epoch).map_err(|_| CaError::Signing)?;
    let dt = DateTime::from_unix_duration(Duration::from_secs(secs)).map_err(|_| CaError::Signing)?;
    Ok(Time::UtcTime(UtcTime::from_date_time(dt).map_err(|_| CaError::Signing)?))
}

/// SHA-256 fingerprint (lower-case hex) of the first certificate in a PEM chain.
pub fn fingerprint_of_pem(pem: &str) -> Option<String> {
    let (_, der) = x509_cert::der::pem::decode_vec(first_pem_block(pem)?.as_bytes()).ok()?;
    Certificate::from_der(&der).ok()?;
    Some(hex::encode(Sha256::digest(&der)))
}

fn first_pem_block(pem: &str) -> Option<&str> {
    let end = "-----END CERTIFICATE-----";
    let start = pem.find("-----BEGIN CERTIFICATE-----")?;
    let stop = pem[start..].find(end)? + start + end.len();
    Some(&pem[start..stop])
}

#[cfg(test)]
#[path = "device_cert_tests.rs"]
mod tests;
