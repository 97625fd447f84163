//! `GET /api/v1/store/brand`: the resolved brand's public configuration.

use shoal_domain::brand::BrandContext;
use worker::Response;

use crate::error::json_response;

pub fn get(brand: &BrandContext) -> Response {
    let mut resp = json_response(&brand.public(), 200);
    // public and identical for every shopper of the brand; short so theme edits show soon
    let _ = resp.headers_mut().set("cache-control", "public, max-age=60");
    resp
}
