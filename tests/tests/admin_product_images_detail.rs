//! The catalog's product detail lists the images media uploaded with their ids, alt text
//! and order (`shoal_private.product_json` reads `product_images`): the dashboard's editor
//! edits alt text, reorders and deletes images by id. The seeded pictures are rows too.

use serde_json::{json, Value};
use shoal_e2e::*;

fn body(r: &Reply, status: u16) -> Value {
    assert_eq!(r.status, status, "{}", r.body);
    r.json()
}

/// POSTs a small PNG (unique bytes) to the product's images.
fn upload_png(host: &str, product: &str) -> Value {
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R'];
    png.extend_from_slice(unique("png").as_bytes());
    let resp = reqwest::blocking::Client::new()
        .post(format!("http://127.0.0.1:{}/api/v1/admin/products/{product}/images", worker_port()))
        .header("host", host)
        .header("cf-connecting-ip", fresh_ip())
        .header("authorization", format!("Bearer {}", staff_token(host)))
        .header("content-type", "image/png")
        .body(png)
        .send()
        .unwrap_or_else(|e| panic!("upload: {e}"));
    assert_eq!(resp.status().as_u16(), 201);
    resp.json().unwrap_or_else(|e| panic!("upload answer: {e}"))
}

#[test]
fn the_product_detail_lists_uploaded_images_with_their_ids_alt_text_and_order() {
    let (_, host) = new_brand("imgdetail", "USD", "en");
    let p = body(
        &admin(
            "POST",
            &host,
            "/api/v1/admin/products",
            Some(json!({"title": "Lamp", "variants": [{"sku": "LAMP-1", "options": {}, "price_amount": 4000}]})),
        ),
        201,
    );
    let id = p["id"].as_str().unwrap_or_default().to_owned();
    let first = upload_png(&host, &id);
    let second = upload_png(&host, &id);
    let path = format!("/api/v1/admin/products/{id}");
    let images = |v: &Value| v["images"].as_array().cloned().unwrap_or_default();

    let detail = body(&admin("GET", &host, &path, None), 200);
    let ids: Vec<Value> = images(&detail).iter().map(|i| i["id"].clone()).collect();
    assert_eq!(ids, vec![first["id"].clone(), second["id"].clone()], "ids, in upload order");
    assert_eq!(images(&detail)[0]["url"], first["url"]);

    let image = format!("{path}/images/{}", second["id"].as_str().unwrap_or_default());
    body(&admin("PATCH", &host, &image, Some(json!({"alt": "A brass lamp", "position": 0}))), 200);
    // the editor's other writes answer the same detail
    let edited = body(&admin("PATCH", &host, &path, Some(json!({"title": "Brass lamp"}))), 200);
    let listed = images(&edited);
    assert_eq!(listed[0]["id"], second["id"], "moved first");
    assert_eq!(listed[0]["alt"], "A brass lamp");
    assert_eq!(listed[1]["id"], first["id"]);
}

#[test]
fn a_seeded_products_pictures_are_image_rows_the_editor_can_edit() {
    let id = sql("select p.id from products p join brand_domains d on d.brand_id = p.brand_id
                  where d.host = 'acme.localhost' and jsonb_array_length(p.images) > 0 order by p.slug limit 1");
    assert!(!id.is_empty(), "a seeded product with images");
    let path = format!("/api/v1/admin/products/{id}");
    let detail = body(&admin("GET", "acme.localhost", &path, None), 200);
    let first = detail["images"][0].clone();
    assert!(first["url"].as_str().is_some_and(|u| u.starts_with("/assets/")), "{detail}");
    assert!(first["id"].is_string(), "every picture is a row with an id: {detail}");
    let image = format!("{path}/images/{}", first["id"].as_str().unwrap_or_default());
    let edited = body(&admin("PATCH", "acme.localhost", &image, Some(json!({"alt": "A seeded picture"}))), 200);
    assert_eq!((edited["alt"].as_str(), edited["url"].clone()), (Some("A seeded picture"), first["url"].clone()));
    body(&admin("PATCH", "acme.localhost", &image, Some(json!({"alt": ""}))), 200);
}
