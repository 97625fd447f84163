//! `database/supabase` keeps the shape the Supabase CLI expects (`supabase --workdir database
//! db push` / `test db`): a config.toml that parses, names the project and uses scripts/dev's
//! ports; migrations named `<14-digit timestamp>_<name>.sql`; pgTAP files that `pg_prove
//! --ext .pg --ext .sql -r` picks up, with their shared helpers in a file it does not.

use shoal_e2e::*;
use std::path::PathBuf;

fn supabase_dir() -> PathBuf {
    project_root().join("database/supabase")
}

fn config() -> toml::Table {
    let text = std::fs::read_to_string(supabase_dir().join("config.toml")).expect("config.toml exists");
    text.parse::<toml::Table>().unwrap_or_else(|e| panic!("config.toml is not TOML: {e}"))
}

fn int_at(table: &toml::Table, section: &str, key: &str) -> i64 {
    table
        .get(section)
        .and_then(|s| s.get(key))
        .and_then(|v| v.as_integer())
        .unwrap_or_else(|| panic!("config.toml has no integer [{section}] {key}"))
}

/// The default of `VAR=${VAR:-default}` in scripts/lib.sh.
fn lib_sh_default(var: &str) -> i64 {
    let lib = std::fs::read_to_string(project_root().join("scripts/lib.sh")).expect("scripts/lib.sh");
    let prefix = format!("{var}=${{{var}:-");
    let line = lib.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("{var} not in lib.sh"));
    line[prefix.len()..].trim_end_matches('}').parse().unwrap_or_else(|e| panic!("{var}: {e}"))
}

#[test]
fn config_toml_names_the_project_and_uses_the_dev_ports() {
    let config = config();
    assert_eq!(config.get("project_id").and_then(|v| v.as_str()), Some("shoal"));
    assert_eq!(int_at(&config, "api", "port"), lib_sh_default("SHOAL_API_PORT"), "[api] port = SHOAL_API_PORT");
    assert_eq!(int_at(&config, "db", "port"), lib_sh_default("SHOAL_PG_PORT"), "[db] port = SHOAL_PG_PORT");
    assert_eq!(int_at(&config, "db", "major_version"), 15);
    let seeds = config["db"]["seed"]["sql_paths"].as_array().expect("[db.seed] sql_paths");
    for seed in seeds {
        let path = seed.as_str().expect("seed path is a string");
        assert!(supabase_dir().join(path).is_file(), "seed file {path} exists");
    }
}

#[test]
fn migrations_are_named_as_the_cli_orders_them() {
    let mut names: Vec<String> = std::fs::read_dir(supabase_dir().join("migrations"))
        .expect("migrations/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    let mut versions = std::collections::HashSet::new();
    for name in &names {
        let (version, rest) = name.split_at(name.find('_').unwrap_or_else(|| panic!("{name}: no `_`")));
        assert!(version.len() == 14 && version.bytes().all(|b| b.is_ascii_digit()), "{name}: version is 14 digits");
        assert!(rest.len() > "_.sql".len() && rest.ends_with(".sql"), "{name}: <version>_<name>.sql");
        assert!(versions.insert(version.to_string()), "{name}: version used twice");
    }
}

#[test]
fn pgtap_files_are_what_pg_prove_runs_and_helpers_are_not() {
    let tests = supabase_dir().join("tests");
    let mut files = 0;
    for entry in std::fs::read_dir(&tests).expect("tests/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "sql" || e == "pg") {
            files += 1;
            let text = std::fs::read_to_string(&path).expect("test file");
            // each file brings its helpers itself, inside its own transaction
            let first = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with("--"));
            assert_eq!(first, Some("begin;"), "{}: its first statement is begin;", path.display());
            assert!(text.contains("\\ir helpers/act_as.psql"), "{}: includes its helpers", path.display());
        }
    }
    assert!(files > 0);
    for entry in std::fs::read_dir(tests.join("helpers")).expect("tests/helpers/") {
        let path = entry.expect("entry").path();
        assert!(!path.extension().is_some_and(|e| e == "sql" || e == "pg"), "{}: pg_prove -r would run a helper as a test", path.display());
    }
}
