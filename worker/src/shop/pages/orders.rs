//! `/orders`: a shopper looks up an order by its number and the email it was placed with.

use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::{i18n, money};
use worker::{Request, Response};

use super::views::{Order, OrderView};
use super::{head, html, Shop, PRIVATE};
use crate::error::AppError;
use crate::request::query_param;
use crate::shop::order_status;

pub(super) async fn page(req: &Request, config: &Config, brand: &BrandContext, shop: Shop) -> Result<Response, AppError> {
    let number = query_param(req, "number").unwrap_or_default();
    let email = query_param(req, "email").unwrap_or_default();
    let mut order = None;
    let mut not_found = false;
    if !number.is_empty() || !email.is_empty() {
        let found = match number.trim().parse::<i64>() {
            Ok(n) => order_status::lookup(config, brand, n, &email).await?,
            Err(_) => None,
        };
        not_found = found.is_none();
        order = found.map(|o| OrderView {
            number: o.number,
            status: i18n::status_label(&brand.locale, &o.status),
            payment: i18n::status_label(&brand.locale, &o.payment_status),
            total: money::format(o.total_amount, &brand.currency, &brand.locale),
            tracking: o.tracking_number,
        });
    }
    let t = shop.t;
    let view = Order { head: head(req, brand, t.order_status, t.tagline), shop, number, email, order, not_found };
    Ok(html(view, if not_found { 404 } else { 200 }, PRIVATE))
}
