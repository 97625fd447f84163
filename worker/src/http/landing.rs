//! The platform host's landing page; brand sign-up is the dashboard's `/admin/sign-up`.

use worker::{Request, Response};

use shoal_domain::security_headers::html_csp;

use crate::error::{body_response, AppError};

/// The page's one inline style, allowed by its hash.
const STYLE: &str = "body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem }";

const LANDING: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shoal — storefronts for independent brands</title>
<meta name="description" content="Shoal runs your shop on your own domain: catalog, checkout with Stripe, staff roles and in-store devices.">
<style>body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem }</style>
</head><body>
<h1>Shoal</h1>
<p>Storefronts for independent brands, each on its own domain.</p>
<p><a href="/admin/sign-up">Open your shop</a> · <a href="/admin/brands">Go to a shop's dashboard</a></p>
</body></html>
"#;

pub fn get(req: &Request) -> Result<Response, AppError> {
    if req.path() != "/" {
        return Err(AppError::NotFound);
    }
    let mut resp = body_response(LANDING.as_bytes().to_vec(), 200, "text/html; charset=utf-8");
    let _ = resp.headers_mut().set("cache-control", "public, max-age=300");
    let _ = resp.headers_mut().set("content-security-policy", &html_csp(&[STYLE]));
    Ok(resp)
}
