//! The brand comes from the Host header alone, through KV and `resolve_brand`.

use shoal_e2e::*;

#[test]
fn each_demo_host_gets_its_own_brand() {
    let acme = get("acme.localhost", "/api/v1/store/brand");
    assert_eq!(acme.status, 200, "{}", acme.body);
    let a = acme.json();
    assert_eq!((a["id"].as_str(), a["slug"].as_str()), (Some(ACME_ID), Some("acme")));
    assert_eq!((a["currency"].as_str(), a["locale"].as_str()), (Some("USD"), Some("en")));
    assert_eq!(a["name"], "Acme Outfitters");
    assert_eq!(a["theme"]["primary"], "#0b6e4f");

    let globex = get("globex.localhost", "/api/v1/store/brand").json();
    assert_eq!((globex["id"].as_str(), globex["slug"].as_str()), (Some(GLOBEX_ID), Some("globex")));
    assert_eq!((globex["currency"].as_str(), globex["locale"].as_str()), (Some("EUR"), Some("es")));
}

#[test]
fn public_config_hides_private_fields() {
    let body = get("acme.localhost", "/api/v1/store/brand").json();
    let mut keys: Vec<&str> = body.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    keys.sort_unstable();
    assert_eq!(keys, ["currency", "id", "locale", "name", "published", "slug", "theme"]);
}

#[test]
fn host_spellings_resolve_to_the_same_brand() {
    // `ACME.localhost:8787.` itself is refused by workerd's URL parser before any worker
    // code runs (see docs/local-stack.md); its normalisation is unit-tested in shoal-domain.
    for host in ["ACME.localhost", "ACME.localhost:8787", "acme.localhost.", "ACME.LOCALHOST.", "Acme.Localhost:80"] {
        let r = get(host, "/api/v1/store/brand");
        assert_eq!(r.status, 200, "Host {host}: {}", r.body);
        assert_eq!(r.json()["id"], ACME_ID, "Host {host}");
    }
}

#[test]
fn unknown_host_is_404_json_never_a_default_brand() {
    for host in ["unknown.localhost", "xn--bcher-kva.localhost", "unverified.acme.localhost", "127.0.0.1"] {
        let r = get(host, "/api/v1/store/brand");
        assert_eq!(r.status, 404, "Host {host}: {}", r.body);
        assert_eq!(r.error_code(), "unknown_host");
        assert!(r.header("content-type").is_some_and(|c| c.starts_with("application/json")));
    }
}

#[test]
fn invalid_host_is_400() {
    for host in ["under_score.localhost", "a..b.localhost", &format!("{}.localhost", "a".repeat(64))] {
        let r = get(host, "/api/v1/store/brand");
        assert_eq!(r.status, 400, "Host {host}: {}", r.body);
        assert_eq!(r.error_code(), "invalid_host");
    }
}

#[test]
fn client_sent_brand_ids_are_ignored() {
    let r = send(
        "GET",
        "acme.localhost",
        &format!("/api/v1/store/brand?brand_id={GLOBEX_ID}"),
        &[("x-brand-id", GLOBEX_ID), ("cookie", &format!("brand_id={GLOBEX_ID}"))],
        None,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["id"], ACME_ID);
}

#[test]
fn second_request_is_served_from_kv_until_ttl_or_invalidation() {
    // A brand of its own, so no other test can refill the cache in between.
    let slug = unique("cache");
    let host = format!("{slug}.localhost");
    sql(&format!(
        "insert into public.brands (slug, name, currency) values ('{slug}', 'Before', 'GBP');
         insert into public.brand_domains (host, brand_id, is_primary, verified)
           select '{host}', id, true, true from public.brands where slug = '{slug}';"
    ));
    let first = get(&host, "/api/v1/store/brand");
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.header("x-shoal-brand-cache").as_deref(), Some("miss"));
    assert_eq!(first.json()["name"], "Before");

    sql(&format!("update public.brands set name = 'After' where slug = '{slug}'"));
    let second = get(&host, "/api/v1/store/brand");
    assert_eq!(second.header("x-shoal-brand-cache").as_deref(), Some("hit"));
    assert_eq!(second.json()["name"], "Before", "the KV copy answers, not the database");

    // the database really did change: a host with no cache entry yet sees the new name
    let alias = format!("www.{host}");
    sql(&format!(
        "insert into public.brand_domains (host, brand_id, verified) select '{alias}', id, true from public.brands where slug = '{slug}'"
    ));
    let fresh = get(&alias, "/api/v1/store/brand");
    assert_eq!(fresh.header("x-shoal-brand-cache").as_deref(), Some("miss"));
    assert_eq!(fresh.json()["name"], "After");
}

#[test]
fn unknown_hosts_are_remembered_too() {
    let host = format!("{}.localhost", unique("ghost"));
    let first = get(&host, "/api/v1/store/brand");
    assert_eq!(first.status, 404);
    // a domain added later stays unknown until the short negative TTL (or an invalidation)
    let slug = unique("late");
    sql(&format!(
        "insert into public.brands (slug, name, currency) values ('{slug}', 'Late', 'USD');
         insert into public.brand_domains (host, brand_id, verified) select '{host}', id, true from public.brands where slug = '{slug}';"
    ));
    assert_eq!(get(&host, "/api/v1/store/brand").status, 404);
}

#[test]
fn suspended_brand_is_unavailable() {
    let slug = unique("susp");
    let host = format!("{slug}.localhost");
    sql(&format!(
        "insert into public.brands (slug, name, currency, status) values ('{slug}', 'Paused', 'USD', 'suspended');
         insert into public.brand_domains (host, brand_id, verified) select '{host}', id, true from public.brands where slug = '{slug}';"
    ));
    let r = get(&host, "/api/v1/store/brand");
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.error_code(), "brand_unavailable");
    assert!(r.header("retry-after").is_some());
}
