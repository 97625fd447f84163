//! The TypeScript in `docs/edge-api.md` and the Rust types devices receive cannot drift.
//! Each documented type (`EdgeStatus`, `EdgeHealth`, `EdgeRefusal`) is parsed from the
//! document, and serialised samples of every Rust variant are checked against it both
//! ways. Every sample matches the type exactly: no field, enum value or variant the
//! document lacks, none it requires missing, each value of the documented kind. And every
//! member of every documented union (each `code`, each string literal) is met by some
//! sample: nothing documented that Rust cannot send.
//!
//! Why not generate the TypeScript (ts-rs): the document's types carry the comments and
//! the grouping a device developer reads; generated declarations would be a second,
//! uncommented copy. Checking the one people read against serde's real output keeps it.
//! The samples are made by the domain's own functions where they decide the shape
//! (`device_status::evaluate`/`answer`, `device_health::report`); `every_status` matches
//! on every variant, so a new one does not compile until it has a sample.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};
use shoal_domain::billing::BillingState;
use shoal_domain::device_auth::{DeviceState, Refusal, TlsClientAuth};
use shoal_domain::device_health::{self, HealthFacts};
use shoal_domain::device_license::{LicenseError, SignatureError};
use shoal_domain::device_status::{self, BlockedReason, Context, DeviceFacts, DeviceStatus, Probe, SignatureComponent};

const DOC: &str = include_str!("../../../docs/edge-api.md");

// ------------------------------------------------------------------ a TypeScript subset

#[derive(Debug, Clone)]
enum Ty {
    Str,
    Num,
    Bool,
    Null,
    Lit(String),
    Obj(Vec<(String, bool, Ty)>),
    /// id (for coverage), alternatives
    Union(usize, Vec<Ty>),
    Inter(Vec<Ty>),
    Ref(String),
}

fn strip_comments(src: &str) -> String {
    let mut out = String::new();
    let mut rest = src;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("//") {
            rest = r.find('\n').map(|i| &r[i..]).unwrap_or("");
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.find("*/").map(|i| &r[i + 2..]).unwrap_or("");
        } else if rest.starts_with('"') {
            let end = rest[1..].find('"').map(|i| i + 2).unwrap_or(rest.len());
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

fn tokens(src: &str) -> Vec<String> {
    let src = strip_comments(src);
    let mut out = Vec::new();
    let chars: Vec<char> = src.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += 1;
            }
            i += 1;
            out.push(chars[start..i.min(chars.len())].iter().collect());
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        } else {
            out.push(c.to_string());
            i += 1;
        }
    }
    out
}

struct Parser {
    toks: Vec<String>,
    pos: usize,
    unions: usize,
}

impl Parser {
    fn peek(&self) -> &str {
        self.toks.get(self.pos).map(String::as_str).unwrap_or("")
    }

    fn next(&mut self) -> String {
        let t = self.peek().to_owned();
        self.pos += 1;
        t
    }

    fn expect(&mut self, t: &str) {
        let got = self.next();
        assert_eq!(got, t, "TypeScript in docs/edge-api.md: expected {t} at token {}", self.pos);
    }

    fn ty(&mut self) -> Ty {
        if self.peek() == "|" {
            self.next();
        }
        let mut alts = vec![self.inter()];
        while self.peek() == "|" {
            self.next();
            alts.push(self.inter());
        }
        if alts.len() == 1 {
            return alts.remove(0);
        }
        self.unions += 1;
        Ty::Union(self.unions, alts)
    }

    fn inter(&mut self) -> Ty {
        let mut parts = vec![self.primary()];
        while self.peek() == "&" {
            self.next();
            parts.push(self.primary());
        }
        if parts.len() == 1 {
            parts.remove(0)
        } else {
            Ty::Inter(parts)
        }
    }

    fn primary(&mut self) -> Ty {
        let t = self.next();
        match t.as_str() {
            "(" => {
                let inner = self.ty();
                self.expect(")");
                inner
            }
            "{" => {
                let mut fields = Vec::new();
                while self.peek() != "}" {
                    let name = self.next();
                    let optional = self.peek() == "?";
                    if optional {
                        self.next();
                    }
                    self.expect(":");
                    let ty = self.ty();
                    fields.push((name, optional, ty));
                    if matches!(self.peek(), ";" | ",") {
                        self.next();
                    }
                }
                self.expect("}");
                Ty::Obj(fields)
            }
            "string" => Ty::Str,
            "number" => Ty::Num,
            "boolean" => Ty::Bool,
            "null" => Ty::Null,
            lit if lit.starts_with('"') => Ty::Lit(lit.trim_matches('"').to_owned()),
            name => Ty::Ref(name.to_owned()),
        }
    }
}

/// Every `type Name = …;` of every ```ts block.
fn documented_types() -> BTreeMap<String, Ty> {
    let mut types = BTreeMap::new();
    let mut parser = Parser { toks: Vec::new(), pos: 0, unions: 0 };
    for block in DOC.split("```ts").skip(1) {
        let block = block.split("```").next().unwrap_or("");
        parser.toks = tokens(block);
        parser.pos = 0;
        while parser.pos < parser.toks.len() {
            if parser.next() != "type" {
                continue;
            }
            let name = parser.next();
            parser.expect("=");
            let ty = parser.ty();
            types.insert(name, ty);
        }
    }
    types
}

// ------------------------------------------------------------------ matching

struct Checker {
    types: BTreeMap<String, Ty>,
    /// (union id, alternative) met by some sample
    met: RefCell<BTreeSet<(usize, usize)>>,
}

impl Checker {
    fn resolve<'a>(&'a self, ty: &'a Ty) -> &'a Ty {
        match ty {
            Ty::Ref(name) => self.resolve(self.types.get(name).unwrap_or_else(|| panic!("type {name} is not documented"))),
            other => other,
        }
    }

    /// The object keys `ty` accounts for when `v` matches it (None: no match). Objects are
    /// matched loosely here (their own keys only); `exact` adds that `v` has no others.
    fn keys(&self, v: &Value, ty: &Ty) -> Option<BTreeSet<String>> {
        let none = BTreeSet::new();
        match self.resolve(ty) {
            Ty::Str => v.is_string().then_some(none),
            Ty::Num => v.is_number().then_some(none),
            Ty::Bool => v.is_boolean().then_some(none),
            Ty::Null => v.is_null().then_some(none),
            Ty::Lit(l) => (v.as_str() == Some(l)).then_some(none),
            Ty::Ref(_) => None,
            Ty::Obj(fields) => {
                let obj = v.as_object()?;
                for (name, optional, fty) in fields {
                    match obj.get(name) {
                        Some(fv) => {
                            if !self.exact(fv, fty) {
                                return None;
                            }
                        }
                        None if *optional => {}
                        None => return None,
                    }
                }
                Some(fields.iter().map(|(n, _, _)| n.clone()).collect())
            }
            Ty::Union(id, alts) => alts.iter().enumerate().find_map(|(i, alt)| {
                let keys = self.keys(v, alt)?;
                self.met.borrow_mut().insert((*id, i));
                Some(keys)
            }),
            Ty::Inter(parts) => {
                let mut all = BTreeSet::new();
                for p in parts {
                    all.extend(self.keys(v, p)?);
                }
                Some(all)
            }
        }
    }

    fn exact(&self, v: &Value, ty: &Ty) -> bool {
        match self.keys(v, ty) {
            None => false,
            Some(keys) => v.as_object().is_none_or(|o| o.keys().all(|k| keys.contains(k))),
        }
    }

    /// Union alternatives (under `ty`) no sample met, described.
    fn unmet(&self, ty: &Ty, seen: &mut BTreeSet<String>, out: &mut Vec<String>) {
        match ty {
            Ty::Ref(name) => {
                if seen.insert(name.clone()) {
                    self.unmet(self.resolve(ty), seen, out);
                }
            }
            Ty::Obj(fields) => fields.iter().for_each(|(_, _, t)| self.unmet(t, seen, out)),
            Ty::Inter(parts) => parts.iter().for_each(|t| self.unmet(t, seen, out)),
            Ty::Union(id, alts) => {
                for (i, alt) in alts.iter().enumerate() {
                    // `string | null` and the like need no sample each; literals and objects do
                    let matters = matches!(self.resolve(alt), Ty::Lit(_) | Ty::Obj(_) | Ty::Inter(_));
                    if matters && !self.met.borrow().contains(&(*id, i)) {
                        out.push(format!("{alt:?}").chars().take(160).collect());
                    }
                    self.unmet(alt, seen, out);
                }
            }
            _ => {}
        }
    }
}

fn check(name: &str, samples: &[Value]) {
    let checker = Checker { types: documented_types(), met: RefCell::new(BTreeSet::new()) };
    let ty = Ty::Ref(name.to_owned());
    for v in samples {
        assert!(checker.exact(v, &ty), "docs/edge-api.md's {name} does not describe what Rust sends:\n{v:#}");
    }
    let mut unmet = Vec::new();
    checker.unmet(&ty, &mut BTreeSet::new(), &mut unmet);
    assert!(unmet.is_empty(), "docs/edge-api.md's {name} documents what no Rust value sends:\n{}", unmet.join("\n"));
}

// ------------------------------------------------------------------ the samples

const NOW: i64 = 1_800_000_000;
const FP: &str = "abababababababababababababababababababababababababababababababab";

fn tls(presented: &str, verified: &str, revoked: &str) -> TlsClientAuth {
    TlsClientAuth {
        cert_presented: Some(presented.into()),
        cert_verified: Some(verified.into()),
        cert_revoked: Some(revoked.into()),
        cert_fingerprint_sha256: Some(FP.into()),
    }
}

fn device(locale: &str) -> DeviceFacts {
    DeviceFacts {
        id: "dev-1".into(),
        name: "Till 1".into(),
        state: Some(DeviceState::Active),
        hardware_id: Some("HW-1234-5678-9999".into()),
        cert_expires_epoch: Some(NOW + 200 * 86_400),
        last_seen_at: Some("2027-01-15T08:00:00+00:00".into()),
        grace_period_days: 7,
        locale: locale.into(),
        ..DeviceFacts::default()
    }
}

fn cx() -> Context {
    Context {
        now_epoch: NOW,
        expiry_warning_days: 30,
        clock_drift_seconds: 300,
        renewal_url: "https://a.example/admin/billing".into(),
        support_url: "https://a.example/support".into(),
    }
}

fn billing(status: &str, grace: Option<i64>) -> BillingState {
    BillingState {
        status: status.into(),
        plan: Some("growth".into()),
        grace_period_ends_epoch: grace,
        grace_period_ends_at: grace.map(shoal_domain::time::rfc3339),
        ..BillingState::default()
    }
}

/// The device's status under varied facts: every reason and every documented value.
fn every_status() -> Vec<DeviceStatus> {
    let good = tls("1", "SUCCESS", "0");
    let eval = |cf: &TlsClientAuth, d: Option<DeviceFacts>, p: Probe| device_status::evaluate(cf, Some(FP), d.as_ref(), &p, &cx());
    let d = || Some(device("en"));
    let with = |f: fn(&mut DeviceFacts)| {
        let mut x = device("en");
        f(&mut x);
        Some(x)
    };
    let mut all = vec![
        eval(&good, d(), Probe::default()),
        eval(&tls("0", "NONE", "0"), None, Probe::default()),
        eval(&tls("1", "FAILED:bad", "0"), d(), Probe::default()),
        eval(&tls("1", "SUCCESS", "1"), d(), Probe::default()),
        eval(
            &good,
            with(|x| {
                x.state = Some(DeviceState::Revoked);
                x.revoked_at = Some("t".into());
                x.revoked_reason = Some("r".into())
            }),
            Probe::default(),
        ),
        eval(&good, None, Probe::default()),
        eval(&good, with(|x| x.state = Some(DeviceState::Pending)), Probe::default()),
        eval(&good, with(|x| x.cert_expires_epoch = Some(NOW - 10)), Probe::default()),
        eval(&good, d(), Probe { hardware_id: Some("OTHER-HARDWARE-1".into()), ..Probe::default() }),
        eval(&good, d(), Probe { device_time_epoch: Some(NOW - 3600), ..Probe::default() }),
        eval(&good, with(|x| x.last_seen_at = None), Probe { device_time_epoch: Some(NOW + 3600), ..Probe::default() }),
        eval(&good, d(), Probe { license: Some(Err(LicenseError::Expired { expired_epoch: NOW - 1 })), ..Probe::default() }),
        eval(&good, with(|x| x.cert_expires_epoch = Some(NOW + 86_400)), Probe::default()),
        eval(&good, with(|x| x.cert_expires_epoch = None), Probe::default()),
    ];
    for error in [
        SignatureError::MalformedToken,
        SignatureError::UnsupportedAlgorithm,
        SignatureError::SignatureMismatch,
        SignatureError::MalformedClaims,
        SignatureError::MalformedKey,
    ] {
        all.push(eval(&good, d(), Probe { license: Some(Err(LicenseError::SignatureInvalid(error))), ..Probe::default() }));
    }
    let claims = shoal_domain::device_license::LicenseClaims {
        sub: "dev-2".into(),
        brand_id: "b".into(),
        fp: FP.into(),
        hardware_id: "HW".into(),
        plan: None,
        subscription_status: "active".into(),
    };
    all.push(eval(&good, d(), Probe { license: Some(Ok((claims, NOW + 10))), ..Probe::default() }));
    // the server only checks the license; the device's own checks use the other components
    for component in [SignatureComponent::Binding, SignatureComponent::Credential, SignatureComponent::Subscription] {
        all.push(DeviceStatus::SignatureInvalid { component, error: SignatureError::SignatureMismatch });
    }
    for (status, grace) in [
        ("canceled", None),
        ("unpaid", Some(NOW - 1)),
        ("past_due", Some(NOW - 1)),
        ("past_due", Some(NOW + 60)),
        ("unpaid", Some(NOW + 60)),
        ("canceled", Some(NOW + 60)),
    ] {
        let mut x = device("es");
        x.billing = billing(status, grace);
        all.push(eval(&good, Some(x), Probe::default()));
    }
    let mut no_plan = device("en");
    no_plan.billing = BillingState { status: "canceled".into(), ..BillingState::default() };
    all.push(eval(&good, Some(no_plan), Probe::default()));
    // every variant is sampled: a new one fails to compile here until it is
    let mut codes = BTreeSet::new();
    for s in &all {
        codes.insert(match s {
            DeviceStatus::Ok { .. } => "ok",
            DeviceStatus::FirstTimeSetup { .. } => "first_time_setup",
            DeviceStatus::CertificateInvalid { .. } => "certificate_invalid",
            DeviceStatus::BindingInvalid { .. } => "binding_invalid",
            DeviceStatus::Revoked { .. } => "revoked",
            DeviceStatus::CertificateExpired { .. } => "certificate_expired",
            DeviceStatus::DeviceMismatch { .. } => "device_mismatch",
            DeviceStatus::ClockTampering { .. } => "clock_tampering",
            DeviceStatus::SignatureInvalid { .. } => "signature_invalid",
            DeviceStatus::TokenExpired { .. } => "token_expired",
            DeviceStatus::SubscriptionBlocked {
                reason: BlockedReason::Canceled | BlockedReason::Unpaid | BlockedReason::PastDueGraceEnded,
                ..
            } => "subscription_blocked",
            DeviceStatus::CertificateExpiringSoon { .. } => "certificate_expiring_soon",
        });
    }
    assert_eq!(codes.len(), 12, "a sample of every reason: {codes:?}");
    all
}

#[test]
fn the_documented_edge_status_is_what_rust_sends() {
    let samples: Vec<Value> = every_status()
        .into_iter()
        .flat_map(|s| ["en", "es"].map(|l| serde_json::to_value(device_status::answer(s.clone(), l, NOW)).unwrap_or_default()))
        .collect();
    check("EdgeStatus", &samples);
}

#[test]
fn the_documented_edge_health_is_what_rust_sends() {
    let full = HealthFacts {
        now_epoch: NOW,
        expiry_warning_days: 30,
        license_hours: 72,
        device_id: "dev-1-0000-0000".into(),
        brand_id: "b".into(),
        name: "Till".into(),
        hardware_id: "HW-1234-5678-9999".into(),
        fingerprint: FP.into(),
        cert_expires_at: Some("t".into()),
        cert_expires_epoch: Some(NOW + 200 * 86_400),
        cert_issuer: Some("dev-ca".into()),
        billing: billing("active", None),
        previous_seen_at: Some("t".into()),
        previous_seen_epoch: Some(NOW - 60),
        database_reachable: true,
        seen_at: Some("t".into()),
        database_latency_ms: 3,
        license: device_health::LicenseGrant {
            token: "x".into(),
            public_key: Some("pem".into()),
            valid_until_epoch: NOW + 3600,
            needs_refresh: true,
        },
        server_ms: 5,
    };
    let samples = [
        full.clone(),
        HealthFacts { cert_expires_epoch: Some(NOW + 86_400), previous_seen_epoch: Some(NOW - 86_400 * 3), ..full.clone() },
        HealthFacts { cert_expires_epoch: Some(NOW - 1), billing: billing("past_due", Some(NOW + 10)), seen_at: None, ..full.clone() },
        HealthFacts {
            cert_expires_epoch: None,
            cert_expires_at: None,
            cert_issuer: None,
            previous_seen_at: None,
            previous_seen_epoch: None,
            billing: BillingState::default(),
            database_reachable: false,
            seen_at: None,
            license: device_health::LicenseGrant::default(),
            ..full
        },
    ]
    .map(|f| serde_json::to_value(device_health::report(f)).unwrap_or_default());
    check("EdgeHealth", &samples);
}

#[test]
fn the_documented_edge_refusal_is_what_rust_sends() {
    let samples = [
        Refusal::NoCertificate,
        Refusal::VerificationFailed { detail: "x".into() },
        Refusal::CertificateRevoked,
        Refusal::UnknownFingerprint,
        Refusal::DeviceNotActive,
        Refusal::DeviceRevoked { revoked_at: None, revoked_reason: Some("r".into()) },
        Refusal::BrandBlocked,
    ]
    .map(|r| serde_json::to_value(r).unwrap_or_default());
    check("EdgeRefusal", &samples);
}

#[test]
fn the_checker_catches_drift_both_ways() {
    let checker = Checker { types: documented_types(), met: RefCell::new(BTreeSet::new()) };
    let ty = Ty::Ref("EdgeRefusal".into());
    assert!(checker.exact(&json!({"reason": "no_certificate"}), &ty));
    assert!(!checker.exact(&json!({"reason": "no_certificate", "extra": 1}), &ty), "a field the document lacks");
    assert!(!checker.exact(&json!({"reason": "new_reason"}), &ty), "a value the document lacks");
    assert!(!checker.exact(&json!({"reason": "verification_failed"}), &ty), "a field the document requires");
    let mut unmet = Vec::new();
    checker.unmet(&ty, &mut BTreeSet::new(), &mut unmet);
    assert_eq!(unmet.len(), 6, "members no sample met are reported: {unmet:?}");
}
