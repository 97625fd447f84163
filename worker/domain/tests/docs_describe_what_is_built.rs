//! The docs describe what is built. Every repository path they name in backticks exists,
//! and what is planned but not built is named only in architecture.md's one "Roadmap (not
//! built yet)" section, each item with the issue that will build it. A doc that points at a
//! folder that was never made (`notes/`), or describes a planned feature as if it ran,
//! fails here.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the repository root")
}

/// README.md and every docs/*.md, with their text.
fn docs() -> Vec<(String, String)> {
    let root = root();
    let mut files = vec![root.join("README.md")];
    for entry in fs::read_dir(root.join("docs")).expect("docs/") {
        let path = entry.expect("a docs entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.strip_prefix(&root).expect("under the root").display().to_string();
            (name, fs::read_to_string(&p).expect("a readable doc"))
        })
        .collect()
}

/// Top-level folders whose paths the docs name; a backticked span starting with one of
/// these is a path in the repository.
const TOP: [&str; 9] = ["README.md", "scripts/", "tests/", "worker/", "docs/", "database/", "frontend/", "bench/", "notes/"];
/// Made by a run, git-ignored: named by the docs, absent from a fresh clone.
const MADE_BY_RUNS: [&str; 2] = ["worker/build/", "tests/artifacts/"];

/// The path a backticked span names: its first word (a command's arguments dropped).
fn named_paths(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|span| span.split_whitespace().next())
        .filter(|word| TOP.iter().any(|t| word.starts_with(t)))
        .map(|word| word.trim_end_matches([',', '.', ':', ';', ')']).to_owned())
        .collect()
}

/// Whether the path exists; `…` stands for any text within one name.
fn exists(root: &Path, path: &str) -> bool {
    if MADE_BY_RUNS.iter().any(|m| path.starts_with(m)) {
        return true;
    }
    let Some((before, after)) = path.split_once('…') else {
        return root.join(path).exists();
    };
    let (dir, prefix) = before.rsplit_once('/').map_or(("", before), |(d, p)| (d, p));
    let Ok(entries) = fs::read_dir(root.join(dir)) else { return false };
    entries.filter_map(Result::ok).any(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        name.starts_with(prefix) && name.ends_with(after) && name.len() >= prefix.len() + after.len()
    })
}

#[test]
fn every_path_the_docs_name_exists() {
    let root = root();
    let mut missing = Vec::new();
    for (doc, text) in docs() {
        for path in named_paths(&text) {
            if !exists(&root, &path) {
                missing.push(format!("{doc}: `{path}`"));
            }
        }
    }
    assert!(missing.is_empty(), "the docs name paths that do not exist:\n{}", missing.join("\n"));
}

const ROADMAP: &str = "## Roadmap (not built yet)";

#[test]
fn the_roadmap_is_one_section_at_the_end_of_architecture_md_and_names_its_issues() {
    let arch = fs::read_to_string(root().join("docs/architecture.md")).expect("docs/architecture.md");
    assert_eq!(arch.matches(ROADMAP).count(), 1, "one roadmap section");
    let roadmap = &arch[arch.find(ROADMAP).expect("the roadmap") + ROADMAP.len()..];
    assert!(!roadmap.contains("\n## "), "the roadmap is the last section");
    let items: Vec<&str> = roadmap.split("\n- ").skip(1).collect();
    assert!(!items.is_empty(), "the roadmap lists its items");
    for item in items {
        assert!(item.contains("(#"), "each roadmap item names the issue that builds it: {item}");
    }
    for (doc, text) in docs() {
        if doc != "docs/architecture.md" {
            assert!(!text.contains("## Roadmap"), "{doc}: the roadmap lives in docs/architecture.md only");
        }
    }
}

/// Features that are planned, not built: outside the roadmap the docs may name them only
/// as not built. (Remove a phrase from this list in the change that builds it.)
const PLANNED: [&str; 6] = ["circuit breaker", "stale on error", "stale-on-error", "llm api", "support assistant", "knowledge base"];

#[test]
fn planned_features_appear_only_in_the_roadmap_or_as_not_built() {
    let mut found = Vec::new();
    for (doc, text) in docs() {
        let described = match text.find(ROADMAP) {
            Some(at) if doc == "docs/architecture.md" => &text[..at],
            _ => &text[..],
        };
        // paragraphs (blank-line separated; table rows one by one) that say "not built" are honest
        for para in described.split("\n\n").flat_map(|p| if p.contains("\n|") { p.lines().collect() } else { vec![p] }) {
            let lower = para.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ");
            if lower.contains("not built") || lower.contains("roadmap") {
                continue;
            }
            for phrase in PLANNED {
                if lower.contains(phrase) {
                    found.push(format!("{doc}: \"{phrase}\" in: {}", para.lines().next().unwrap_or("")));
                }
            }
        }
    }
    assert!(found.is_empty(), "planned features described outside the roadmap:\n{}", found.join("\n"));
}
