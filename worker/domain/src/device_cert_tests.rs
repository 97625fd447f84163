use super::*;
use p256::pkcs8::EncodePrivateKey;
use std::str::FromStr;
use x509_cert::builder::RequestBuilder;
use x509_cert::der::pem::LineEnding;

const NOW: i64 = 1_795_000_000; // 2026-11-18
const BRAND: &str = "a0000000-0000-4000-8000-00000000000a";

const RSA_CSR: &str = "-----BEGIN CERTIFICATE REQUEST-----
MIICWzCCAUMCAQAwFjEUMBIGA1UEAwwLSFctUlNBLTAwMDEwggEiMA0GCSqGSIb3
DQEBAQUAA4IBDwAwggEKAoIBAQDU2xPzjCCe2GQ8aVIv5bf4YtcTWt6qXwVO+fJG
PWbgtYHQWMJX8yIQ01GrEkSbim+akc1CgaALu6DdlUnzXyL3ENIWuj91+wsa8gco
5a8PQ+humK+7R9tdTGKgbGa5V7cxKelpcX/aHkwQ+WLkUJRK7oYJLG/aZcr0AeyE
+iOqguqzOhqzRlsMzOn5bMNbbk3JbuBdEa6vruoEjG5+8wmQzc9KgN4QXiJzOU42
sL59Mf53XqL37D1c96EeBzrGXRj1ZBoN01/8jWGmuTfnflf83OqhcqPdLLL/mOOL
xCNddxX3oZve0evuelex7nnQOlnQ4V5Sp93bGOwUZ8h15hxxAgMBAAGgADANBgkq
hkiG9w0BAQsFAAOCAQEAmgEgaKCVfnnTDeKvcTDpcHmTnx/rpIigHo4aquBcV+uX
ggHbbfwpyF9e9QT9B2bwO0O/kRNs0I/+Ru+GDQxtVxFZtJ6OgvCBQP5all+shju2
ltHdK4wC6Xq0U5dp2I01cb2sV5gAEfQo8WPzyCwjSSK9wMBJyic193c01wFTFSTQ
/QhJKXThFsi5EQESC4nxNzQhXuLQN2k+kBKXzOm9xeuWziY4OVPGr/ByKRSmdn74
YZNFG7n894sOg9+lHJ1vuPEk9vVOS+o5GqKxwnRAgkN4nWHSfXnXz26y/+0HVMl3
TkltZSatB5Oaswgavkb8CEu39M61HJNOmEe801RhIg==
-----END CERTIFICATE REQUEST-----";

const P384_CSR: &str = "-----BEGIN CERTIFICATE REQUEST-----
MIIBDjCBlgIBADAXMRUwEwYDVQQDDAxIVy1QMzg0LTAwMDEwdjAQBgcqhkjOPQIB
BgUrgQQAIgNiAAS1T/ieN+EyxHktboNWQ/3d7t/dEJy+gJ6ekySMLMcs2teknxZ2
skL92VjPOUFg+Opy1bxPkUM5Qz0r/BYTsGxMS7jwSYP8LqePAfjy1tfnHHvgtu1l
+FQuV2qDPmv3wdigADAKBggqhkjOPQQDAgNnADBkAjBlyYhijw//9K/S04KkTfcD
xOEh/FiXWa/0PNVQyDWZ51emxC63QWylkOx2aYXBiH0CMFEebMsd19dgaOta24nZ
3+JLnt6dlYrl5wKpzsAa7brq9pYnq1NnBtSaoE/XjUTlRw==
-----END CERTIFICATE REQUEST-----";

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32].into()).unwrap()
}

fn csr(subject: &str, seed: u8) -> String {
    let k = key(seed);
    let req = RequestBuilder::new(Name::from_str(subject).unwrap(), &k).unwrap().build::<DerSignature>().unwrap();
    req.to_pem(LineEnding::LF).unwrap()
}

fn ca() -> DevCa {
    let k = key(9);
    let spki = SubjectPublicKeyInfoOwned::from_key(*k.verifying_key()).unwrap();
    let validity = Validity { not_before: utc(NOW - 86_400).unwrap(), not_after: utc(NOW + 3650 * 86_400).unwrap() };
    let cert =
        CertificateBuilder::new(Profile::Root, SerialNumber::from(1u32), validity, Name::from_str("CN=Shoal Dev CA").unwrap(), spki, &k)
            .unwrap()
            .build::<DerSignature>()
            .unwrap();
    DevCa::from_pem(&k.to_pkcs8_pem(LineEnding::LF).unwrap(), &cert.to_pem(LineEnding::LF).unwrap()).unwrap()
}

#[test]
fn a_p256_request_for_the_hardware_id_passes_and_is_signed_by_the_ca() {
    let checked = check_csr(&csr("CN=HW-0001-TILL", 3), "HW-0001-TILL").unwrap();
    let ca = ca();
    let issued = ca.issue(&checked, BRAND, [0xff; 16], NOW, 365).unwrap();
    assert_eq!(issued.not_after_epoch, NOW + 365 * 86_400);
    assert_eq!(issued.issuer, "CN=Shoal Dev CA");
    assert_eq!(issued.serial_hex.len(), 32);
    assert!(issued.certificate_pem.matches("BEGIN CERTIFICATE").count() == 2, "leaf then CA");
    assert_eq!(fingerprint_of_pem(&issued.certificate_pem).as_deref(), Some(issued.fingerprint_sha256.as_str()));

    let cert = Certificate::from_pem(first_pem_block(&issued.certificate_pem).unwrap().as_bytes()).unwrap();
    assert_eq!(cert.tbs_certificate.subject.to_string(), format!("CN=HW-0001-TILL,O={BRAND}"), "the subject Shoal writes");
    assert_eq!(cert.tbs_certificate.subject_public_key_info, checked.public_key);
    let tbs = cert.tbs_certificate.to_der().unwrap();
    let sig = DerSignature::from_bytes(cert.signature.raw_bytes()).unwrap();
    ca.key.verifying_key().verify(&tbs, &sig).expect("signed by the dev CA");
    let eku = cert.tbs_certificate.extensions.unwrap().into_iter().find(|e| e.extn_id.to_string() == "2.5.29.37").unwrap();
    assert!(ExtendedKeyUsage::from_der(eku.extn_value.as_bytes()).unwrap().0.contains(&CLIENT_AUTH));
}

#[test]
fn two_issues_of_one_request_differ_by_serial_and_fingerprint() {
    let checked = check_csr(&csr("CN=HW-0002", 4), "HW-0002").unwrap();
    let a = ca().issue(&checked, BRAND, [1; 16], NOW, 30).unwrap();
    let b = ca().issue(&checked, BRAND, [2; 16], NOW, 30).unwrap();
    assert_ne!(a.fingerprint_sha256, b.fingerprint_sha256);
}

#[test]
fn rsa_and_other_curves_are_refused_by_name() {
    assert_eq!(check_csr(RSA_CSR, "HW-RSA-0001").err(), Some(CsrError::UnsupportedKey { what: "RSA".into() }));
    assert!(matches!(check_csr(P384_CSR, "HW-P384-0001"), Err(CsrError::UnsupportedKey { .. })));
}

#[test]
fn a_request_whose_signature_does_not_hold_is_refused() {
    let pem = csr("CN=HW-0003", 5);
    let (_, mut der) = x509_cert::der::pem::decode_vec(pem.as_bytes()).unwrap();
    let n = der.len();
    der[n - 3] ^= 0x01; // inside the signature's last integer
    let tampered = x509_cert::der::pem::encode_string("CERTIFICATE REQUEST", LineEnding::LF, &der).unwrap();
    assert_eq!(check_csr(&tampered, "HW-0003").err(), Some(CsrError::SignatureInvalid));
}

#[test]
fn the_subject_must_be_exactly_the_hardware_id() {
    assert_eq!(check_csr(&csr("CN=HW-0004", 6), "HW-9999").err(), Some(CsrError::SubjectMismatch));
    assert_eq!(check_csr(&csr("O=Acme", 6), "HW-0004").err(), Some(CsrError::SubjectMismatch));
    assert!(check_csr(&csr("CN=HW-0004", 6), "HW-0004").is_ok());
    // nothing besides the CN: Cloudflare would copy it into the certificate
    for extra in [
        "CN=HW-0004,O=Acme",
        "CN=HW-0004,OU=super_admin",
        "CN=HW-0004,emailAddress=admin@acme.localhost",
        "CN=HW-0004+O=Acme",
        "CN=HW-0004,CN=HW-0004",
    ] {
        assert_eq!(check_csr(&csr(extra, 6), "HW-0004").err(), Some(CsrError::SubjectMismatch), "{extra}");
    }
}

#[test]
fn the_certificate_subject_is_written_by_shoal_never_copied() {
    let checked = check_csr(&csr("CN=HW-0006", 7), "HW-0006").unwrap();
    let issued = ca().issue(&checked, BRAND, [3; 16], NOW, 30).unwrap();
    let cert = Certificate::from_pem(first_pem_block(&issued.certificate_pem).unwrap().as_bytes()).unwrap();
    let attrs: Vec<String> = cert.tbs_certificate.subject.0.iter().flat_map(|r| r.0.iter()).map(|a| a.oid.to_string()).collect();
    assert_eq!(attrs, ["2.5.4.10", "2.5.4.3"], "O then CN, nothing else");
    assert!(device_subject("HW-0006", "not a uuid").is_none());
    assert!(device_subject("bad id", BRAND).is_none());
    assert!(ca().issue(&checked, "x,OU=admin", [3; 16], NOW, 30).is_err());
}

#[test]
fn garbage_is_malformed_not_a_panic() {
    for bad in ["", "hello", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----", &"A".repeat(20_000)] {
        assert_eq!(check_csr(bad, "HW-0005").err(), Some(CsrError::Malformed));
    }
    assert!(fingerprint_of_pem("nothing").is_none());
    assert!(DevCa::from_pem("x", "y").is_err());
}

#[test]
fn hardware_ids_are_short_printable_tokens() {
    assert!(valid_hardware_id("HW-1234-5678:9999_a.b"));
    for bad in ["abc", "has space", "é-1234", &"x".repeat(129)] {
        assert!(!valid_hardware_id(bad), "{bad}");
    }
}

#[test]
fn a_ca_key_that_is_not_the_certificate_s_is_refused() {
    let good = ca();
    let other = key(10).to_pkcs8_pem(LineEnding::LF).unwrap();
    assert_eq!(DevCa::from_pem(&other, &good.cert_pem).err(), Some(CaError::BadCa));
}
