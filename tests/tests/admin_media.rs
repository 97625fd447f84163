//! Product images over HTTP (`staff/media.rs`, `media.rs`): uploaded as raw bytes, typed by
//! their bytes, stored content-addressed in the R2 bucket MEDIA under the brand's prefix,
//! served at `/media/{sha256}.{ext}` on that brand's hosts only, shown by the storefront;
//! every attack is refused with nothing changed.

use serde_json::{json, Value};
use shoal_e2e::*;

/// A PNG (magic bytes, then bytes unique to this call so every upload is a new object).
fn png() -> Vec<u8> {
    let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R'];
    b.extend_from_slice(unique("png").as_bytes());
    b
}

fn jpeg() -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0];
    b.extend_from_slice(unique("jpg").as_bytes());
    b
}

/// Sends raw bytes to the worker (the shared helpers send text bodies).
fn raw(method: &str, host: &str, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Reply {
    let client =
        reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap_or_else(|e| panic!("client: {e}"));
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::POST);
    let ip = fresh_ip();
    let mut req =
        client.request(method, format!("http://127.0.0.1:{}{path}", worker_port())).header("host", host).header("cf-connecting-ip", ip);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.body(body).send().unwrap_or_else(|e| panic!("{path}: {e}"));
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    Reply { status, headers, body: String::from_utf8_lossy(&resp.bytes().unwrap_or_default()).into_owned() }
}

/// The raw bytes of a GET.
fn get_bytes(host: &str, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let client = reqwest::blocking::Client::new();
    let resp = client
        .get(format!("http://127.0.0.1:{}{path}", worker_port()))
        .header("host", host)
        .header("cf-connecting-ip", fresh_ip())
        .send()
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
    (status, headers, resp.bytes().map(|b| b.to_vec()).unwrap_or_default())
}

fn upload(host: &str, token: &str, product: &str, content_type: &str, body: Vec<u8>) -> Reply {
    let auth = format!("Bearer {token}");
    raw(
        "POST",
        host,
        &format!("/api/v1/admin/products/{product}/images?alt=A%20lamp"),
        &[("authorization", &auth), ("content-type", content_type)],
        body,
    )
}

/// A brand of its own with one active product `lamp`; (brand id, host, product id, admin token).
fn shop() -> (String, String, String, String) {
    let (brand, host, _) = shop::shop_with_lamp("media", r##"{"primary": "#224466"}"##, 5);
    let product = sql(&format!("select id from products where brand_id = '{brand}' and slug = 'lamp'"));
    let token = staff_token(&host);
    (brand, host, product, token)
}

fn images(product: &str) -> i64 {
    count(&format!("select count(*) from product_images where product_id = '{product}'"))
}

fn audit(brand: &str) -> i64 {
    count(&format!("select count(*) from audit_log where brand_id = '{brand}'"))
}

#[test]
fn a_png_sent_as_jpeg_is_stored_by_its_hash_served_as_png_on_its_brand_host_only_and_shown_by_the_storefront() {
    let (_, host, product, token) = shop();
    let bytes = png();
    let sha = shoal_domain::media::sha256_hex(&bytes);
    // a PNG named and labelled as a JPEG: the bytes decide
    let r = upload(&host, &token, &product, "image/jpeg", bytes.clone());
    assert_eq!(r.status, 201, "{}", r.body);
    let image = r.json();
    assert_eq!(image["url"], format!("/media/{sha}.png"));
    assert_eq!(image["alt"], "A lamp");
    assert!(image["id"].as_str().is_some_and(|i| i.len() == 36), "{image}");

    let (status, headers, body) = get_bytes(&host, &format!("/media/{sha}.png"));
    assert_eq!(status, 200);
    assert_eq!(body, bytes, "the stored bytes, unchanged");
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!(h("content-type"), "image/png");
    assert_eq!(h("cache-control"), "public, max-age=31536000, immutable");
    assert_eq!(h("x-content-type-options"), "nosniff");
    assert_eq!(h("etag"), format!("\"{sha}\""));
    // HEAD and revalidation: the same headers, no body; the name is the ETag
    let head = raw("HEAD", &host, &format!("/media/{sha}.png"), &[], Vec::new());
    assert_eq!((head.status, head.header("content-type").as_deref(), head.body.len()), (200, Some("image/png"), 0));
    let etag = format!("\"{sha}\"");
    let again = raw("GET", &host, &format!("/media/{sha}.png"), &[("if-none-match", etag.as_str())], Vec::new());
    assert_eq!((again.status, again.body.len()), (304, 0));
    assert_eq!(again.header("cache-control").as_deref(), Some("public, max-age=31536000, immutable"));
    // the same name as a .jpg names nothing
    assert_eq!(get_bytes(&host, &format!("/media/{sha}.jpg")).0, 404);
    // brand B's host never serves brand A's object, whatever the name
    assert_eq!(get_bytes("globex.localhost", &format!("/media/{sha}.png")).0, 404);
    assert_eq!(get_bytes("acme.localhost", &format!("/media/{sha}.png")).0, 404);
    // nothing but a hash and an extension names an object
    for bad in ["/media/..%2F..%2Fx.png", "/media/x.png", &format!("/media/{}.PNG", sha.to_uppercase())] {
        assert_eq!(get_bytes(&host, bad).0, 404, "{bad}");
    }

    // the storefront's product page and listing show it (their cache was invalidated)
    let page = get(&host, "/p/lamp");
    assert!(page.body.contains(&format!("src=\"/media/{sha}.png\"")), "{}", page.body);
    let list = get(&host, "/");
    assert!(list.body.contains(&format!("/media/{sha}.png")), "{}", list.body);
    let api = get(&host, "/api/v1/store/products/lamp").json();
    assert_eq!(api["images"], json!([format!("/media/{sha}.png")]));

    // the same bytes again: the same image, no second row
    let again = upload(&host, &token, &product, "application/octet-stream", bytes);
    assert_eq!(again.status, 201, "{}", again.body);
    assert_eq!(again.json()["id"], image["id"]);
    assert_eq!(images(&product), 1);
}

#[test]
fn alt_and_position_change_and_a_deleted_image_leaves_storefront_and_bucket() {
    let (brand, host, product, token) = shop();
    let first = upload(&host, &token, &product, "image/png", png()).json();
    let second = upload(&host, &token, &product, "image/jpeg", jpeg()).json();
    assert!(second["url"].as_str().is_some_and(|u| u.ends_with(".jpg")), "{second}");
    assert_eq!((first["position"].as_i64(), second["position"].as_i64()), (Some(0), Some(1)));

    let auth = format!("Bearer {token}");
    let path = |id: &Value| format!("/api/v1/admin/products/{product}/images/{}", id.as_str().unwrap_or_default());
    let patch = |id: &Value, body: Value| {
        send("PATCH", &host, &path(id), &[("authorization", &auth), ("content-type", "application/json")], Some(body.to_string()))
    };
    let r = patch(&second["id"], json!({"position": 0, "alt": "Lamp, lit"}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!((r.json()["position"].as_i64(), r.json()["alt"].as_str()), (Some(0), Some("Lamp, lit")));
    let shown = get(&host, "/api/v1/store/products/lamp").json();
    assert_eq!(shown["images"], json!([second["url"], first["url"]]), "the new first image leads");

    // malformed and wrongly typed bodies change nothing
    let before = sql(&format!("select string_agg(alt || position, ',' order by id) from product_images where product_id = '{product}'"));
    let bad = send(
        "PATCH",
        &host,
        &path(&first["id"]),
        &[("authorization", &auth), ("content-type", "application/json")],
        Some("{\"alt\":".into()),
    );
    assert_eq!((bad.status, bad.error_code().as_str()), (400, "invalid_json"));
    for body in [json!({"position": -1}), json!({"alt": "x".repeat(501)}), json!({"position": "first"}), json!({"colour": "red"})] {
        let r = patch(&first["id"], body.clone());
        assert_eq!(r.status, 400, "{body}: {}", r.body);
    }
    assert_eq!(
        sql(&format!("select string_agg(alt || position, ',' order by id) from product_images where product_id = '{product}'")),
        before
    );

    let del = send("DELETE", &host, &path(&second["id"]), &[("authorization", &auth)], None);
    assert_eq!(del.status, 200, "{}", del.body);
    assert_eq!(images(&product), 1);
    let url = second["url"].as_str().unwrap_or_default();
    assert_eq!(get_bytes(&host, url).0, 404, "an object no row names is deleted");
    assert_eq!(get_bytes(&host, first["url"].as_str().unwrap_or_default()).0, 200);
    assert!(!get(&host, "/p/lamp").body.contains(url));
    assert_eq!(get(&host, "/api/v1/store/products/lamp").json()["images"], json!([first["url"]]));
    let again = send("DELETE", &host, &path(&second["id"]), &[("authorization", &auth)], None);
    assert_eq!((again.status, again.error_code().as_str()), (404, "image_not_found"));
    assert!(count(&format!("select count(*) from audit_log where brand_id = '{brand}' and action like 'product_image_%'")) >= 4);
}

#[test]
fn html_svg_empty_and_oversized_uploads_are_refused_and_nothing_is_stored() {
    let (brand, host, product, token) = shop();
    let before = audit(&brand);
    let cases: [(&str, Vec<u8>, u16, &str); 5] = [
        (
            "image/svg+xml",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(),
            415,
            "unsupported_image_type",
        ),
        ("image/png", b"<!doctype html><script>alert(document.cookie)</script>".to_vec(), 415, "unsupported_image_type"),
        ("image/png", b"<?xml version=\"1.0\"?><svg/>".to_vec(), 415, "unsupported_image_type"),
        ("image/png", Vec::new(), 400, "empty_body"),
        ("image/png", [png(), vec![0u8; 5 * 1024 * 1024]].concat(), 413, "payload_too_large"),
    ];
    for (content_type, body, status, code) in cases {
        let r = upload(&host, &token, &product, content_type, body);
        assert_eq!((r.status, r.error_code().as_str()), (status, code), "{content_type}: {}", r.body);
    }
    // exactly 5 MiB is accepted
    let mut max = png();
    max.resize(5 * 1024 * 1024, 7);
    assert_eq!(upload(&host, &token, &product, "image/png", max).status, 201);
    assert_eq!(images(&product), 1);
    assert_eq!(audit(&brand), before + 1, "only the accepted upload is audited");
}

#[test]
fn another_brands_product_image_host_and_token_and_read_only_or_missing_tokens_are_refused_with_nothing_changed() {
    let (brand, host, product, token) = shop();
    let (other_brand, other_host, other_product, other_token) = shop();
    let theirs = upload(&other_host, &other_token, &other_product, "image/png", png()).json();
    let their_image = theirs["id"].as_str().unwrap_or_default().to_owned();
    let viewer = staff_session(&host, &brand, "read_only"); // signing in is audited: before counting
    let (before_a, before_b) = (audit(&brand), audit(&other_brand));
    let auth = format!("Bearer {token}");
    let json_auth = [("authorization", auth.as_str()), ("content-type", "application/json")];

    // brand A's admin names brand B's product or image on A's host: not found
    let r = upload(&host, &token, &other_product, "image/png", png());
    assert_eq!((r.status, r.error_code().as_str()), (404, "product_not_found"));
    let r = send(
        "PATCH",
        &host,
        &format!("/api/v1/admin/products/{other_product}/images/{their_image}"),
        &json_auth,
        Some(json!({"alt": "pwned"}).to_string()),
    );
    assert_eq!((r.status, r.error_code().as_str()), (404, "product_not_found"));
    let r = send(
        "PATCH",
        &host,
        &format!("/api/v1/admin/products/{product}/images/{their_image}"),
        &json_auth,
        Some(json!({"alt": "pwned"}).to_string()),
    );
    assert_eq!((r.status, r.error_code().as_str()), (404, "image_not_found"));
    let r = send("DELETE", &host, &format!("/api/v1/admin/products/{product}/images/{their_image}"), &json_auth, None);
    assert_eq!((r.status, r.error_code().as_str()), (404, "image_not_found"));
    // ids that are no UUIDs name nothing
    let r = upload(&host, &token, "lamp", "image/png", png());
    assert_eq!((r.status, r.error_code().as_str()), (404, "product_not_found"));
    let r = send("DELETE", &host, &format!("/api/v1/admin/products/{product}/images/1 or 1=1"), &json_auth, None);
    assert_eq!(r.status, 404);
    // A's token on B's host
    let r = upload(&other_host, &token, &other_product, "image/png", png());
    assert_eq!(r.status, 401, "{}", r.body);
    // no token, a forged token, a service-role database token
    for t in [None, Some("Bearer forged.token.here".to_owned()), Some(format!("Bearer {}", service_token()))] {
        let headers: Vec<(&str, &str)> = t.as_deref().map(|a| vec![("authorization", a)]).unwrap_or_default();
        let r = raw("POST", &host, &format!("/api/v1/admin/products/{product}/images"), &headers, png());
        assert_eq!(r.status, 401, "{t:?}: {}", r.body);
    }
    // read_only: can read, never write
    let r = upload(&host, &viewer, &product, "image/png", png());
    assert_eq!((r.status, r.error_code().as_str()), (403, "forbidden"));
    let viewer_auth = format!("Bearer {viewer}");
    let r = send(
        "DELETE",
        &other_host,
        &format!("/api/v1/admin/products/{other_product}/images/{their_image}"),
        &[("authorization", &viewer_auth)],
        None,
    );
    assert_eq!(r.status, 401);

    assert_eq!(images(&product), 0);
    assert_eq!(images(&other_product), 1);
    assert_eq!(sql(&format!("select alt from product_images where id = '{their_image}'")), "A lamp");
    assert_eq!(get_bytes(&other_host, theirs["url"].as_str().unwrap_or_default()).0, 200, "their object is still there");
    assert_eq!((audit(&brand), audit(&other_brand)), (before_a, before_b));
}

#[test]
fn an_upload_to_a_product_whose_pictures_came_as_urls_keeps_them_first_and_in_order() {
    let (_, host, product, token) = shop();
    // a product listing pictures without image rows (what the seed held before every image
    // was a row, or a URL-only write)
    let listed = json!(["/assets/acme/t-shirts.svg", "/assets/acme/caps.svg"]);
    sql(&format!(
        "delete from product_images where product_id = '{product}'; update products set images = '{listed}' where id = '{product}'"
    ));
    let added = upload(&host, &token, &product, "image/png", png());
    assert_eq!(added.status, 201, "{}", added.body);
    let url = added.json()["url"].clone();
    assert_eq!(added.json()["position"], 2, "the upload goes after the listed pictures");
    let shown = get(&host, "/api/v1/store/products/lamp").json();
    assert_eq!(shown["images"], json!([listed[0], listed[1], url]), "nothing listed is dropped");
    assert_eq!(images(&product), 3, "every picture is now a row");
    let detail = admin("GET", &host, &format!("/api/v1/admin/products/{product}"), None).json();
    assert!(detail["images"].as_array().is_some_and(|a| a.len() == 3 && a.iter().all(|i| i["id"].is_string())), "{detail}");

    // a listed picture is now an image like any other: moved and deleted (nothing in R2)
    let auth = format!("Bearer {token}");
    let first = detail["images"][0]["id"].as_str().unwrap_or_default().to_string();
    let del = send("DELETE", &host, &format!("/api/v1/admin/products/{product}/images/{first}"), &[("authorization", &auth)], None);
    assert_eq!(del.status, 200, "{}", del.body);
    assert_eq!(get(&host, "/api/v1/store/products/lamp").json()["images"], json!([listed[1], url]));
    assert_eq!(get_bytes(&host, url.as_str().unwrap_or_default()).0, 200);
}

#[test]
fn the_demo_brands_seeded_pictures_are_image_rows() {
    assert_eq!(
        count(
            "select count(*) from products p join brands b on b.id = p.brand_id where b.slug in ('acme', 'globex') \
             and jsonb_array_length(p.images) <> (select count(*) from product_images i where i.product_id = p.id)"
        ),
        0
    );
    assert!(count("select count(*) from product_images where url like '/assets/%'") > 0);
}

#[test]
fn a_duplicates_pictures_are_the_same_objects_and_deleting_the_copys_keeps_the_originals() {
    let (_, host, product, token) = shop();
    let image = upload(&host, &token, &product, "image/png", png()).json();
    let url = image["url"].as_str().unwrap_or_default().to_string();
    let copy = admin("POST", &host, &format!("/api/v1/admin/products/{product}/duplicate"), None);
    assert_eq!(copy.status, 201, "{}", copy.body);
    let copy = copy.json();
    let copied = &copy["images"][0];
    assert_eq!((copied["url"].as_str(), copied["alt"].as_str()), (Some(url.as_str()), Some("A lamp")));
    assert!(copied["id"].is_string() && copied["id"] != image["id"], "the copy has its own row: {copy}");
    assert_eq!(
        count(&format!(
            "select count(*) from products where id = '{}' and images = '[\"{url}\"]'",
            copy["id"].as_str().unwrap_or_default()
        )),
        1
    );

    let auth = format!("Bearer {token}");
    let of = |p: &str, i: &Value| format!("/api/v1/admin/products/{p}/images/{}", i.as_str().unwrap_or_default());
    let del = send("DELETE", &host, &of(copy["id"].as_str().unwrap_or_default(), &copied["id"]), &[("authorization", &auth)], None);
    assert_eq!(del.status, 200, "{}", del.body);
    assert_eq!(get_bytes(&host, &url).0, 200, "the original still names the object");
    assert_eq!(get(&host, "/api/v1/store/products/lamp").json()["images"], json!([url]));
    let del = send("DELETE", &host, &of(&product, &image["id"]), &[("authorization", &auth)], None);
    assert_eq!(del.status, 200, "{}", del.body);
    assert_eq!(get_bytes(&host, &url).0, 404, "the last row gone, the object goes");
}
