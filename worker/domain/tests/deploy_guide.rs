//! The operator's guide (`docs/deploy.md`, "Settings and secrets") and the configuration
//! code cannot drift: its one table of settings must name exactly the settings
//! `Config::from_lookup` reads, and mark as required exactly those production refuses to
//! start without. Adding a required setting without documenting it fails here.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use shoal_domain::config::{Config, ConfigError};

const GUIDE: &str = include_str!("../../../docs/deploy.md");
const WRANGLER: &str = include_str!("../../../wrangler.toml");

#[derive(Debug)]
struct Setting {
    kind: String,
    required: bool,
}

/// The rows between `<!-- settings:begin -->` and `<!-- settings:end -->`:
/// `| \`NAME\` | var/secret | yes/no | what it is |`.
fn documented() -> BTreeMap<String, Setting> {
    let start = GUIDE.find("<!-- settings:begin -->").expect("docs/deploy.md has a settings table");
    let end = GUIDE[start..].find("<!-- settings:end -->").expect("the settings table is closed") + start;
    assert_eq!(GUIDE.matches("<!-- settings:begin -->").count(), 1, "one settings table only");
    let mut settings = BTreeMap::new();
    for line in GUIDE[start..end].lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        assert!(cells.len() >= 5, "a row is | setting | kind | required | what |: {line}");
        let name = cells[1].trim_matches('`').to_owned();
        let kind = cells[2].to_owned();
        assert!(kind == "var" || kind == "secret", "{name}: kind must be var or secret, not {kind:?}");
        let required = match cells[3] {
            "yes" => true,
            "no" => false,
            other => panic!("{name}: required in production must be yes or no, not {other:?}"),
        };
        assert!(!cells[4].is_empty(), "{name}: say what it is");
        assert!(settings.insert(name.clone(), Setting { kind, required }).is_none(), "{name} is listed twice");
    }
    assert!(!settings.is_empty(), "the settings table has rows");
    settings
}

const SIGNING_JWK: &str = r#"{"kty":"EC","kid":"k1","crv":"P-256","d":"LbgeUXT4fXHzFp7fV40bzzBFN2LmLXioflPSoQkt7CA","x":"6ATNXJOgjX2Qr3lK6TP4KaO-fLDVz9lNYGO-O4oPbOw","y":"TZpp4ycrr8jDhdilKY7Spzb8Vx8Mk5d9KnMM9SPq0Ds"}"#;

/// A complete production environment: every setting production needs, with a valid value.
/// A new required setting must be added here too (and to the guide's table).
fn production() -> BTreeMap<&'static str, String> {
    [
        ("ENVIRONMENT", "production"),
        ("PLATFORM_HOST", "shoal.example"),
        ("POSTGREST_URL", "https://ref.supabase.co/rest/v1"),
        ("DB_JWT_SIGNING_KEY", SIGNING_JWK),
        ("SUPABASE_API_KEY", "sb_secret_x"),
        ("SHOAL_SECRET", "0123456789abcdef0123456789abcdef"),
        ("DATA_ENCRYPTION_KEYS", "k1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="),
        ("STRIPE_SECRET_KEY", "sk_live_x"),
        ("STRIPE_WEBHOOK_SECRETS", "whsec_platform,whsec_connect"),
        ("STRIPE_PRICES", "starter:price_starter,growth:price_growth"),
        ("EMAIL_API_KEY", "re_x"),
        ("CF_API_TOKEN", "cf_token"),
        ("CF_ZONE_ID", "zone"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

/// Loads `env` and records every key the configuration asked for.
fn load(env: &BTreeMap<&str, String>) -> (Result<Config, ConfigError>, BTreeSet<String>) {
    let asked = RefCell::new(BTreeSet::new());
    let result = Config::from_lookup(|key| {
        asked.borrow_mut().insert(key.to_owned());
        env.get(key).cloned()
    });
    (result, asked.into_inner())
}

fn without(key: &str) -> BTreeMap<&'static str, String> {
    let mut env = production();
    env.retain(|k, _| *k != key);
    env
}

#[test]
fn a_complete_production_environment_loads() {
    let (result, _) = load(&production());
    if let Err(e) = result {
        panic!(
            "production refuses the guide's complete environment ({e}): a new required setting? \
                document it in docs/deploy.md's settings table and add it to `production()` here"
        );
    }
}

#[test]
fn every_setting_the_guide_marks_required_alone_stops_production_and_is_named() {
    for (name, setting) in documented().iter().filter(|(_, s)| s.required) {
        let (result, _) = load(&without(name));
        match result {
            Ok(_) => panic!("docs/deploy.md marks {name} required, but production starts without it"),
            Err(e) => assert!(e.problems.iter().any(|p| p.contains(name.as_str())), "the refusal without {name} does not name it: {e}"),
        }
        assert!(production().contains_key(name.as_str()), "{name} ({}) is required: give it a value in `production()`", setting.kind);
    }
}

#[test]
fn every_setting_production_refuses_to_start_without_is_documented_as_required() {
    let documented = documented();
    for key in production().keys() {
        if load(&without(key)).0.is_err() {
            assert!(
                documented.get(*key).is_some_and(|s| s.required),
                "production refuses to start without {key}: mark it `yes` in docs/deploy.md's settings table"
            );
        }
    }
}

#[test]
fn the_guide_lists_exactly_the_settings_the_configuration_reads() {
    let (_, asked) = load(&production());
    let listed: BTreeSet<String> = documented().into_keys().collect();
    let undocumented: Vec<&String> = asked.difference(&listed).collect();
    assert!(undocumented.is_empty(), "the configuration reads {undocumented:?}: add them to docs/deploy.md's settings table");
    let unread: Vec<&String> = listed.difference(&asked).collect();
    assert!(unread.is_empty(), "docs/deploy.md lists {unread:?}, which the configuration never reads");
}

#[test]
fn every_variable_wrangler_toml_sets_is_a_documented_var() {
    let documented = documented();
    // `NAME = "…"` lines with an upper-case name are Worker vars, in any environment's section
    for line in WRANGLER.lines().map(str::trim) {
        let Some((name, _)) = line.split_once('=') else { continue };
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') {
            continue;
        }
        match documented.get(name) {
            Some(s) => assert_eq!(s.kind, "var", "wrangler.toml sets {name}, which docs/deploy.md says is a secret"),
            None => panic!("wrangler.toml sets {name}, which docs/deploy.md's settings table does not list"),
        }
    }
}

/// The general API limit is counted by the `API_LIMIT` Rate Limiting binding, whose number
/// lives in wrangler.toml: every stage's binding must say `API_PER_MINUTE` a minute.
#[test]
fn the_api_limit_binding_counts_the_documented_limit_in_every_stage() {
    let limit = format!("simple = {{ limit = {}, period = 60 }}", shoal_domain::rate_limit::API_PER_MINUTE);
    let stages = WRANGLER.matches("name = \"API_LIMIT\"").count();
    assert_eq!(stages, 2, "API_LIMIT is bound at the top level and in [env.production]");
    let simples: Vec<&str> = WRANGLER.lines().map(str::trim).filter(|l| l.starts_with("simple = ")).collect();
    assert_eq!(simples, vec![limit.as_str(); 2], "each API_LIMIT binding counts {limit}");
}
