//! `docs/openapi.json` and the worker's route table (`shoal_domain::api_routes::ROUTES`)
//! name the same operations, both ways: every route is documented (with the same kind of
//! host) and every documented operation is routed. The worker answers any other API path
//! 404 `no_route` from that table, so a documented path that is not routed cannot hide. The
//! document is what `scripts/openapi.py` generates from its operation list.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use shoal_domain::api_routes::{HostKind, ROUTES};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the repository root")
}

fn document() -> serde_json::Value {
    let text = std::fs::read_to_string(root().join("docs/openapi.json")).expect("docs/openapi.json");
    serde_json::from_str(&text).expect("docs/openapi.json is JSON")
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// (METHOD, path, host kind) of every documented operation; an operation on two kinds of
/// host (`x-shoal-host: "brand,platform"`) counts once per kind.
fn documented() -> BTreeSet<(String, String, String)> {
    let doc = document();
    let paths = doc["paths"].as_object().expect("paths");
    let mut out = BTreeSet::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("a path item") {
            assert!(METHODS.contains(&method.as_str()), "{path}: unexpected key {method}");
            let hosts = op["x-shoal-host"].as_str().unwrap_or_else(|| panic!("{method} {path}: no x-shoal-host"));
            for host in hosts.split(',') {
                out.insert((method.to_uppercase(), path.clone(), host.to_owned()));
            }
        }
    }
    out
}

fn routed() -> BTreeSet<(String, String, String)> {
    ROUTES.iter().map(|r| (r.method.to_owned(), r.path.to_owned(), r.host.as_str().to_owned())).collect()
}

#[test]
fn every_route_is_documented() {
    let missing: Vec<_> = routed().difference(&documented()).cloned().collect();
    assert!(missing.is_empty(), "routes docs/openapi.json does not document (add them to scripts/openapi.py): {missing:#?}");
}

#[test]
fn every_documented_operation_is_routed() {
    let extra: Vec<_> = documented().difference(&routed()).cloned().collect();
    assert!(extra.is_empty(), "documented operations the route table does not hold (api_routes.rs): {extra:#?}");
}

#[test]
fn the_document_is_openapi_3_1_with_errors_and_security_schemes() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    let schemes = doc["components"]["securitySchemes"].as_object().expect("security schemes");
    for name in ["bearer", "cookie", "csrf", "device"] {
        assert!(schemes.contains_key(name), "security scheme {name}");
    }
    let error = &doc["components"]["schemas"]["Error"];
    assert_eq!(error["required"], serde_json::json!(["error"]));
    // every operation answers the error envelope for what it does not document itself
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            assert!(op["responses"]["default"]["$ref"].is_string(), "{method} {path}: no default error response");
            let param_names: Vec<&str> = path.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).collect();
            for name in param_names {
                let declared = op["parameters"].as_array().is_some_and(|ps| ps.iter().any(|p| p["name"] == name && p["in"] == "path"));
                assert!(declared, "{method} {path}: path parameter {name} is not declared");
            }
        }
    }
}

/// The codes the document names are the worker's: every `AppError` code of
/// worker/src/error.rs that a route table answer produces appears in it.
#[test]
fn the_routing_errors_are_documented() {
    let text = std::fs::read_to_string(root().join("docs/openapi.json")).expect("docs/openapi.json");
    for code in ["method_not_allowed", "route_not_handled", "rate_limited", "unauthorized", "subscription_blocked"] {
        assert!(text.contains(&format!("\"{code}\"")), "docs/openapi.json does not name {code}");
    }
    assert!(text.contains("no_route"), "the document says what an unknown path answers");
}

#[test]
fn the_document_is_what_the_generator_makes() {
    let out = std::process::Command::new("python3")
        .arg(root().join("scripts/openapi.py"))
        .arg("--check")
        .output()
        .expect("python3 runs scripts/openapi.py");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn every_host_kind_has_routes() {
    for kind in [HostKind::Brand, HostKind::Platform, HostKind::Edge, HostKind::Any] {
        assert!(ROUTES.iter().any(|r| r.host == kind), "no route on {kind:?} hosts");
    }
}

/// Every text file under `dir` with one of `exts`, read whole.
fn sources(dir: &Path, exts: &[&str], out: &mut String) {
    for entry in std::fs::read_dir(dir).expect("a source folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, exts, out);
        } else if path.extension().is_some_and(|e| exts.iter().any(|x| e == *x)) {
            out.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
        }
    }
}

/// The error codes the document lists are codes the worker or the database answer: each
/// is a string in worker/src, worker/domain/src or a migration. Routes still pending
/// (tests/fixtures/openapi-pending-routes.txt: the contract's, built on other branches)
/// may name codes their branch brings.
#[test]
fn every_documented_error_code_exists_in_the_code() {
    let root = root();
    let mut code = String::new();
    sources(&root.join("worker/src"), &["rs"], &mut code);
    sources(&root.join("worker/domain/src"), &["rs"], &mut code);
    sources(&root.join("database/supabase/migrations"), &["sql"], &mut code);
    let pending = std::fs::read_to_string(root.join("tests/fixtures/openapi-pending-routes.txt")).expect("the pending list");
    let pending: BTreeSet<&str> = pending.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    let doc = document();
    let mut unknown = BTreeSet::new();
    let mut check = |what: String, response: &serde_json::Value| {
        for c in response["x-error-codes"].as_array().into_iter().flatten().filter_map(|c| c.as_str()) {
            if !code.contains(&format!("\"{c}\"")) && !code.contains(&format!("'{c}'")) {
                unknown.insert(format!("{what}: {c}"));
            }
        }
    };
    for (name, response) in doc["components"]["responses"].as_object().expect("shared responses") {
        check(name.clone(), response);
    }
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            let what = format!("{} {path}", method.to_uppercase());
            if pending.contains(what.as_str()) {
                continue;
            }
            for response in op["responses"].as_object().expect("responses").values() {
                check(what.clone(), response);
            }
        }
    }
    assert!(unknown.is_empty(), "documented error codes nothing answers:\n{}", unknown.into_iter().collect::<Vec<_>>().join("\n"));
}
