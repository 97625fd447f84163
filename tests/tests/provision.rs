//! `scripts/provision` against the stack's Cloudflare stand-in: it creates what a
//! production deploy needs (KV, R2, DNS, the SaaS fallback origin, routes, mTLS on the edge
//! host, the WAF rule), a second run writes nothing, and the config it renders has no
//! placeholder and passes `wrangler deploy --dry-run --env production`. Each test uses an
//! account and zone of its own, so reruns against the same stand-in start empty.

use shoal_e2e::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn cf(path: &str) -> String {
    format!("http://127.0.0.1:{}{path}", std::env::var("SHOAL_CF_PORT").unwrap_or_else(|_| "12114".into()))
}

/// 32 hex digits, as Cloudflare's account and zone ids.
fn hex_id() -> String {
    let mut x = u128::from_str_radix(&unique("")[..], 16).unwrap_or(1) | 1;
    // xorshift: spread the clock's digits over all 128 bits
    for _ in 0..8 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    format!("{x:032x}")
}

struct Account {
    account: String,
    zone: String,
    host: String,
    dir: PathBuf,
}

impl Drop for Account {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A zone of its own at the stand-in; `deployed`: whether the worker "shoal" exists in the
/// account (a route can only name an existing worker).
fn account(deployed: bool) -> Account {
    let (account, zone) = (hex_id(), hex_id());
    let host = format!("{}.test", unique("shoal-"));
    let r = http("POST", &cf("/__provisioning/zones"), &[], Some(json!({"id": zone, "name": host, "account": account}).to_string()));
    assert_eq!(r.status, 200, "{}", r.body);
    if deployed {
        deploy(&account);
    }
    let dir = std::env::temp_dir().join(unique("shoal-provision-"));
    Account { account, zone, host, dir }
}

fn deploy(account: &str) {
    let r = http("POST", &cf("/__provisioning/scripts"), &[], Some(json!({"account": account, "name": "shoal"}).to_string()));
    assert_eq!(r.status, 200, "{}", r.body);
}

fn provision(a: &Account) -> (Output, String) {
    let out = Command::new(project_root().join("scripts/provision"))
        .env("CF_API_TOKEN", "cf_provisioning_token")
        .env("CF_ACCOUNT_ID", &a.account)
        .env("CF_ZONE_ID", &a.zone)
        .env("PLATFORM_HOST", &a.host)
        .env("POSTGREST_URL", "https://abcdefghijklmnopqrst.supabase.co/rest/v1")
        .env("CF_API_BASE", cf("/client/v4"))
        .env("SHOAL_DEPLOY_DIR", &a.dir)
        .env_remove("CF_SAAS_TARGET")
        .output()
        .unwrap_or_else(|e| panic!("scripts/provision: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out, text)
}

fn state(a: &Account) -> Value {
    http("GET", &cf(&format!("/__provisioning?account={}&zone={}", a.account, a.zone)), &[], None).json()
}

fn writes(a: &Account) -> usize {
    state(a)["writes"].as_array().map(Vec::len).unwrap_or(0)
}

fn api(a: &Account, method: &str, path: &str, body: Value) -> Value {
    let r = http(
        method,
        &cf(&format!("/client/v4/zones/{}{path}", a.zone)),
        &[("authorization", "Bearer t"), ("content-type", "application/json")],
        Some(body.to_string()),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn dry_run(ids: &Path) -> Output {
    Command::new(project_root().join("scripts/deploy"))
        .args(["--dry-run".as_ref(), ids.as_os_str()])
        .output()
        .unwrap_or_else(|e| panic!("scripts/deploy: {e}"))
}

#[test]
fn provisioning_creates_everything_once_and_renders_a_deployable_config() {
    let a = account(true);
    let host = a.host.clone();
    // what the zone had before: another team's WAF rule and mTLS hostname stay as they are
    let foreign = json!({"ref": "keep_me", "action": "managed_challenge", "description": "someone else's",
                         "expression": "(http.request.uri.path eq \"/wp-login.php\")", "enabled": true});
    api(&a, "PUT", "/rulesets/phases/http_request_firewall_custom/entrypoint", json!({"rules": [foreign]}));
    api(&a, "PUT", "/certificate_authorities/hostname_associations", json!({"hostnames": [format!("api.{host}")]}));
    let before = writes(&a);

    let (out, text) = provision(&a);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("summary: 12 created"), "{text}");
    assert!(text.contains("Still to do by hand:") && text.contains("wrangler secret put"), "{text}");
    assert_eq!(writes(&a) - before, 12, "{}", state(&a)["writes"]);

    let s = state(&a);
    let ids = read_json(&a.dir.join("production.json"));
    let kv = &s["kv_namespaces"][0];
    assert_eq!(kv["title"], "shoal-cache");
    assert_eq!(ids["kv_namespaces"]["CACHE"], kv["id"], "the recorded id is the namespace's");
    assert_eq!(s["r2_buckets"][0]["name"], "shoal-releases");
    assert_eq!(s["r2_buckets"][1]["name"], "shoal-media");
    let mut dns: Vec<String> = s["dns_records"]
        .as_array()
        .unwrap_or(&vec![])
        .iter()
        .map(|r| {
            assert_eq!(
                (r["type"].as_str(), r["content"].as_str(), r["proxied"].as_bool()),
                (Some("AAAA"), Some("100::"), Some(true)),
                "{r}"
            );
            r["name"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    dns.sort();
    assert_eq!(dns, vec![format!("*.{host}"), format!("customers.{host}"), host.clone()]);
    assert_eq!(s["fallback_origin"]["origin"], format!("customers.{host}"));
    assert_eq!(s["fallback_origin"]["status"], "active", "its proxied record exists");
    let routes: Vec<(String, String)> = s["routes"]
        .as_array()
        .unwrap_or(&vec![])
        .iter()
        .map(|r| (r["pattern"].as_str().unwrap_or_default().to_owned(), r["script"].as_str().unwrap_or_default().to_owned()))
        .collect();
    assert_eq!(
        routes,
        vec![(format!("{host}/*"), "shoal".into()), (format!("*.{host}/*"), "shoal".into()), ("*/*".into(), "shoal".into())]
    );
    assert_eq!(s["hostname_associations"], json!([format!("api.{host}"), format!("edge.{host}")]));
    let rules = s["rulesets"][0]["rules"].as_array().cloned().unwrap_or_default();
    assert_eq!(rules.len(), 2, "{rules:?}");
    assert_eq!(rules[0]["ref"], "shoal_edge_mtls", "the device rule runs first");
    assert_eq!(rules[0]["action"], "block");
    assert_eq!(rules[0]["enabled"], true);
    assert_eq!(
        rules[0]["expression"],
        format!(
            "(http.host eq \"edge.{host}\" and (not cf.tls_client_auth.cert_verified or cf.tls_client_auth.cert_revoked) \
         and not (http.request.method eq \"POST\" and http.request.uri.path eq \"/edge/v1/activate\") \
         and not (http.request.method eq \"GET\" and http.request.uri.path eq \"/edge/v1/status\"))"
        )
    );
    assert_eq!(rules[1]["ref"], "keep_me");
    assert_eq!(rules[1]["expression"], foreign["expression"]);
    assert_eq!(rules[1]["version"], "1", "untouched");

    // the second run finds everything and writes nothing
    let (out, text) = provision(&a);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("summary: 12 unchanged"), "{text}");
    assert!(!text.contains("  created") && !text.contains("  updated"), "{text}");
    assert_eq!(writes(&a) - before, 12, "the second run wrote: {}", state(&a)["writes"]);
    // provisioning: kv, 2 r2, 3 dns, fallback, 3 routes, the waf rule, and the mTLS hostname
    // list (an update: its PUT replaces the list); this test's seed: a ruleset, a hostname
    assert_eq!(state(&a)["counts"], json!({"create": 11 + 1, "update": 1 + 1}));

    // the rendered config: this account's values, no placeholder, and wrangler accepts it
    let config = std::fs::read_to_string(a.dir.join("wrangler.production.json")).unwrap_or_default();
    for placeholder in ["00000000000000000000000000000001", "shoal.example", "\"\"", "localhost", "deploy-with-scripts-deploy"] {
        assert!(!config.contains(placeholder), "{placeholder} in the rendered config:\n{config}");
    }
    let rendered: Value = serde_json::from_str(&config).unwrap_or_else(|e| panic!("{e}"));
    let prod = &rendered["env"]["production"];
    assert_eq!(prod["kv_namespaces"][0], json!({"binding": "CACHE", "id": kv["id"]}));
    assert_eq!(prod["r2_buckets"][0], json!({"binding": "RELEASES", "bucket_name": "shoal-releases"}));
    assert_eq!(prod["r2_buckets"][1], json!({"binding": "MEDIA", "bucket_name": "shoal-media"}));
    assert_eq!(prod["routes"][2], json!({"pattern": "*/*", "zone_id": a.zone}));
    assert_eq!(prod["vars"]["PLATFORM_HOST"], host.as_str());
    assert_eq!(prod["vars"]["CF_ZONE_ID"], a.zone.as_str());
    assert_eq!(prod["vars"]["ENVIRONMENT"], "production");
    assert_eq!(rendered["observability"]["enabled"], true);
    let check = dry_run(&a.dir.join("production.json"));
    assert!(check.status.success(), "dry run: {}", String::from_utf8_lossy(&check.stderr));
}

#[test]
fn routes_wait_for_the_first_deploy_and_someone_elses_route_is_left_alone() {
    let a = account(false);
    let (out, text) = provision(&a);
    assert!(out.status.success(), "pending routes are not a failure: {text}");
    assert!(text.contains("summary: 9 created, 3 pending"), "{text}");
    assert!(text.contains("After the first deploy run scripts/provision again"), "{text}");
    assert_eq!(state(&a)["routes"], json!([]));
    // the rendered config lists them: the deploy attaches them with the worker
    let ids = read_json(&a.dir.join("production.json"));
    assert_eq!(ids["routes"], json!([format!("{}/*", a.host), format!("*.{}/*", a.host), "*/*"]));

    // after the deploy: another worker already holds the fallback route
    deploy(&a.account);
    let r = http("POST", &cf("/__provisioning/scripts"), &[], Some(json!({"account": a.account, "name": "other"}).to_string()));
    assert_eq!(r.status, 200);
    api(&a, "POST", "/workers/routes", json!({"pattern": "*/*", "script": "other"}));
    let (out, text) = provision(&a);
    assert!(!out.status.success(), "a route taken by another worker needs a person: {text}");
    assert!(text.contains("ATTENTION  route */* → other"), "{text}");
    assert!(text.contains("summary: 1 ATTENTION, 2 created, 9 unchanged"), "{text}");
    let other = state(&a)["routes"].as_array().cloned().unwrap_or_default();
    assert!(other.iter().any(|r| r["pattern"] == "*/*" && r["script"] == "other"), "not taken over: {other:?}");
}

#[test]
fn the_deploy_check_refuses_placeholders_and_the_committed_production_stage() {
    // the values wrangler.toml used to carry are refused before wrangler runs
    let dir = std::env::temp_dir().join(unique("shoal-ids-"));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let mut ids = read_json(&project_root().join("tests/fixtures/deploy-production.json"));
    ids["kv_namespaces"]["CACHE"] = json!("00000000000000000000000000000001");
    ids["platform_host"] = json!("shoal.example");
    ids["postgrest_url"] = json!("");
    let path = dir.join("ids.json");
    std::fs::write(&path, ids.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let out = dry_run(&path);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!out.status.success(), "{err}");
    for needle in ["KV namespace id '00000000000000000000000000000001'", "PLATFORM_HOST 'shoal.example'", "POSTGREST_URL ''"] {
        assert!(err.contains(needle), "{needle}: {err}");
    }

    // the committed file alone cannot deploy production: it has no entry point for it
    let out = Command::new(format!("{}/wrangler", std::env::var("SHOAL_NODE_BIN").unwrap_or_default()))
        .current_dir(project_root())
        .args(["deploy", "--dry-run", "--env", "production"])
        .env("WRANGLER_SEND_METRICS", "false")
        .env_remove("CLOUDFLARE_API_TOKEN")
        .output()
        .unwrap_or_else(|e| panic!("wrangler: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("deploy-with-scripts-deploy"), "{text}");
}
