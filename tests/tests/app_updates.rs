//! Edge app updates: releases published by a super admin into R2, the newest above a
//! device's version by semantic version, downloads with Range support.

use shoal_e2e::edge::*;
use shoal_e2e::*;

fn publish(platform: &str, version: &str, channel: &str, body: &str) -> Reply {
    let auth = format!("Bearer {}", super_admin_token("acme.localhost"));
    send(
        "POST",
        "acme.localhost",
        &format!("/api/v1/admin/releases?version={version}&channel={channel}&platform={platform}&notes=n"),
        &[("authorization", &auth), ("content-type", "application/octet-stream")],
        Some(body.to_owned()),
    )
}

#[test]
fn devices_get_the_newest_release_above_their_version_and_download_it_in_ranges() {
    let platform =
        format!("linux-x64-{}", unique("p").chars().filter(char::is_ascii_alphanumeric).take(12).collect::<String>().to_lowercase());
    for (v, ch) in [("1.9.3", "stable"), ("1.10.0", "stable"), ("2.0.0-beta.1", "beta")] {
        let r = publish(&platform, v, ch, &format!("binary of {v}"));
        assert_eq!(r.status, 201, "{}", r.body);
    }
    assert_eq!(publish(&platform, "1.10.0", "stable", "again").error_code(), "release_exists");
    let (_, fp) = device("acme.localhost", 90);
    let blob = cf("1", "SUCCESS", "0", &fp);
    let latest =
        |v: &str, ch: &str| edge("GET", &format!("/edge/v1/updates/latest?version={v}&channel={ch}&platform={platform}"), &blob, None);
    let r = latest("1.9.3", "stable");
    assert_eq!((r.status, r.json()["version"].as_str()), (200, Some("1.10.0")), "1.10.0 > 1.9.3: {}", r.body);
    assert_eq!(r.json()["sha256"], shoal_domain::updates::sha256_hex(b"binary of 1.10.0"));
    assert_eq!(latest("1.10.0", "stable").status, 204);
    assert_eq!(latest("1.10.0", "beta").json()["version"], "2.0.0-beta.1");

    let url = r.json()["download_url"].as_str().unwrap_or_default().to_owned();
    let full = edge("GET", &url, &blob, None);
    assert_eq!((full.status, full.body.as_str()), (200, "binary of 1.10.0"));
    let part = send("GET", "edge.localhost", &url, &[("mf-cf-blob", &blob), ("range", "bytes=0-5")], None);
    assert_eq!((part.status, part.body.as_str()), (206, "binary"));
    assert_eq!(part.header("content-range").as_deref(), Some("bytes 0-5/16"));
    let tail = send("GET", "edge.localhost", &url, &[("mf-cf-blob", &blob), ("range", "bytes=-6")], None);
    assert_eq!(tail.body, "1.10.0");
    let bad = send("GET", "edge.localhost", &url, &[("mf-cf-blob", &blob), ("range", "bytes=99-")], None);
    assert_eq!((bad.status, bad.header("content-range").as_deref()), (416, Some("bytes */16")));

    let auth = format!("Bearer {}", super_admin_token("acme.localhost"));
    let yank = send("DELETE", "acme.localhost", &format!("/api/v1/admin/releases/{platform}/1.10.0"), &[("authorization", &auth)], None);
    assert_eq!(yank.status, 200, "{}", yank.body);
    assert_eq!(latest("1.9.3", "stable").status, 204, "a yanked release is never offered");
    assert_eq!(edge("GET", &url, &blob, None).status, 404);
    assert_eq!(latest("not-semver", "stable").error_code(), "invalid_version");
}

#[test]
fn only_platform_super_admins_publish() {
    let login = send(
        "POST",
        "acme.localhost",
        "/api/v1/auth/login",
        &[("content-type", "application/json")],
        Some(json!({"email": "admin@acme.localhost", "password": "Shoal-dev-2026!"}).to_string()),
    );
    let token = login.json()["access_token"].as_str().unwrap_or_default().to_owned();
    let r = send(
        "POST",
        "acme.localhost",
        "/api/v1/admin/releases?version=9.9.9&channel=stable&platform=x",
        &[("authorization", &format!("Bearer {token}"))],
        Some("bin".into()),
    );
    assert_eq!(r.status, 403, "a brand admin is not a platform admin");
}

/// Whether the local R2 store (wrangler's persisted state) holds any object whose key
/// mentions `needle`: keys live in its SQLite files, so their bytes are searched.
fn r2_mentions(needle: &str) -> bool {
    fn walk(dir: &std::path::Path, needle: &[u8]) -> bool {
        std::fs::read_dir(dir).into_iter().flatten().flatten().any(|e| {
            let p = e.path();
            if p.is_dir() {
                walk(&p, needle)
            } else {
                std::fs::read(&p).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle))
            }
        })
    }
    let root = format!("{}/wrangler/v3/r2", std::env::var("SHOAL_LOCAL").unwrap_or_default());
    walk(std::path::Path::new(&root), needle.as_bytes())
}

#[test]
fn a_version_with_build_metadata_is_refused_before_anything_is_stored() {
    let platform =
        format!("linux-arm-{}", unique("b").chars().filter(char::is_ascii_alphanumeric).take(12).collect::<String>().to_lowercase());
    // `+` in a query string is a space: %2B is what reaches the worker as `1.2.0+build7`
    let r = publish(&platform, "1.2.0%2Bbuild7", "stable", "binary with build metadata");
    assert_eq!((r.status, r.error_code().as_str()), (400, "version_build_metadata"), "{}", r.body);
    assert_eq!(count(&format!("select count(*) from app_releases where platform = '{platform}'")), 0);
    assert!(!r2_mentions(&format!("releases/{platform}/")), "no orphaned binary in R2");
    // the same check sees a published binary: it is not blind
    assert_eq!(publish(&platform, "1.2.0", "stable", "binary").status, 201);
    assert!(r2_mentions(&format!("releases/{platform}/1.2.0/")));
}
