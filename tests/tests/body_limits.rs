//! Request bodies have a limit per route, refused with `413 payload_too_large` before
//! anything is parsed: by the declared length, and by counting while reading when no
//! length is declared (a chunked upload).

use shoal_e2e::forms::Browser;
use shoal_e2e::shop::{carts, shop_with_lamp};
use shoal_e2e::*;
use std::io::Read;

const TEN_MB: usize = 10 * 1024 * 1024;

#[test]
fn a_ten_megabyte_json_body_is_refused_before_parsing() {
    let (brand, host, variant) = shop_with_lamp("body", "{\"primary\": \"#112233\"}", 50);
    // valid JSON that would add a line if it were read
    let body = format!(r#"{{"variant_id": "{variant}", "quantity": 1, "padding": "{}"}}"#, "x".repeat(TEN_MB));
    let r = send("POST", &host, "/api/v1/store/cart/lines", &[("content-type", "application/json")], Some(body));
    assert_eq!((r.status, r.error_code().as_str()), (413, "payload_too_large"), "{}", r.body);
    // the staff and sign-in APIs share the limit
    let r = send(
        "POST",
        &host,
        "/api/v1/auth/login",
        &[("content-type", "application/json")],
        Some(format!(r#"{{"email": "a@b.c", "password": "{}"}}"#, "x".repeat(TEN_MB))),
    );
    assert_eq!(r.status, 413);
    assert_eq!(carts(&brand), 0, "nothing was written");
    // a body just under the limit is read as usual
    let small = format!(r#"{{"variant_id": "{variant}", "quantity": 1, "padding": "{}"}}"#, "x".repeat(60 * 1024));
    let r = send("POST", &host, "/api/v1/store/cart/lines", &[("content-type", "application/json")], Some(small));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(carts(&brand), 1);
}

#[test]
fn a_ten_megabyte_form_post_is_refused_before_parsing() {
    let (brand, host, variant) = shop_with_lamp("body", "{\"primary\": \"#112233\"}", 50);
    let mut shopper = Browser::new(&host);
    shopper.get("/p/lamp");
    let padding = "x".repeat(TEN_MB);
    let r = shopper.post("/cart/add", &[("variant_id", &variant), ("quantity", "1"), ("padding", &padding)]);
    // pages answer errors as the shop's HTML error page
    assert_eq!(r.status, 413, "{}", r.body);
    assert_eq!(carts(&brand), 0, "nothing was written");
    assert_eq!(shopper.post("/cart/add", &[("variant_id", &variant), ("quantity", "1")]).status, 303, "a normal form still works");
    assert_eq!(carts(&brand), 1);
}

/// A body of unknown length (chunked), as a client that declares nothing sends it.
struct Endless {
    left: usize,
    prefix: Vec<u8>,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.prefix.is_empty() {
            let n = self.prefix.len().min(buf.len());
            buf[..n].copy_from_slice(&self.prefix[..n]);
            self.prefix.drain(..n);
            return Ok(n);
        }
        let n = self.left.min(buf.len());
        buf[..n].fill(b' ');
        self.left -= n;
        Ok(n)
    }
}

#[test]
fn an_undeclared_length_is_counted_while_reading() {
    let (brand, host, variant) = shop_with_lamp("body", "{\"primary\": \"#112233\"}", 50);
    let prefix = format!(r#"{{"variant_id": "{variant}", "quantity": 1}}"#).into_bytes();
    let body = reqwest::blocking::Body::new(Endless { left: TEN_MB, prefix });
    let r = reqwest::blocking::Client::new()
        .post(format!("http://127.0.0.1:{}/api/v1/store/cart/lines", worker_port()))
        .header("host", &host)
        .header("cf-connecting-ip", fresh_ip())
        .header("content-type", "application/json")
        .body(body)
        .send();
    // the worker answers 413 as soon as the limit is passed (it may close the upload early)
    if let Ok(r) = r {
        assert_eq!(r.status().as_u16(), 413);
    }
    assert_eq!(carts(&brand), 0, "nothing was written");
}
