//! `/legal/{privacy|terms|returns}`: the brand's legal page in the shopper's language
//! (`Accept-Language`), else in the brand's, else in the other one it has; 404 when the
//! brand has written none. Read as the shopper (anon + brand): RLS shows this brand's only.

use serde::Deserialize;
use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;
use shoal_domain::legal;
use worker::{Request, Response};

use super::views::{Legal, Shop};
use super::{head, html, PUBLIC};
use crate::error::AppError;

#[derive(Debug, Deserialize)]
struct Page {
    language: String,
    body: String,
}

pub async fn page(req: &Request, config: &Config, brand: &BrandContext, shop: Shop, kind: &str) -> Result<Response, AppError> {
    if !legal::KINDS.contains(&kind) {
        return Err(AppError::NotFound);
    }
    let accept = req.headers().get("accept-language").ok().flatten();
    let wanted = legal::pick_language(accept.as_deref(), &brand.locale);
    let found = crate::store::postgrest::rpc(
        config,
        DbClaims::shopper(&brand.id, None),
        "store_legal_page",
        serde_json::json!({"p_kind": kind, "p_language": wanted}),
    )
    .await?;
    let page: Page = serde_json::from_value(found).map_err(|_| AppError::NotFound)?;
    let t = shop.t;
    let heading = match kind {
        "privacy" => t.privacy,
        "terms" => t.terms,
        _ => t.returns,
    };
    let view = Legal {
        head: head(req, brand, heading, ""),
        heading: heading.to_owned(),
        lang: page.language,
        body_html: legal::render(&page.body),
        shop,
    };
    let mut resp = html(view, 200, PUBLIC);
    // the language follows the shopper's Accept-Language: caches keep one copy per value
    let _ = resp.headers_mut().set("vary", "Accept-Language");
    Ok(resp)
}
