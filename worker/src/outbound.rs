//! Outbound HTTP to the APIs the worker speaks (Stripe, the email API, DNS over HTTPS,
//! Cloudflare's client certificates): one request from a header list and an optional body,
//! answered as status and body text. Each client reads its own API's answers and errors.

use worker::{Fetch, Headers, Method, Request, RequestInit};

pub async fn send(method: Method, url: &str, headers: &[(&str, &str)], body: Option<String>) -> worker::Result<(u16, String)> {
    let h = Headers::new();
    for (name, value) in headers {
        h.set(name, value)?;
    }
    let mut init = RequestInit::new();
    init.with_method(method).with_headers(h);
    if let Some(b) = body {
        init.with_body(Some(b.into()));
    }
    let mut resp = Fetch::Request(Request::new_with_init(url, &init)?).send().await?;
    let status = resp.status_code();
    Ok((status, resp.text().await?))
}
