//! The cart page and its forms: adding or setting a line, and checking out. Form posts
//! carry this browser's CSRF token and redirect (303) like any classic web shop.

use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::money;
use worker::{Env, Request, Response};

use super::views::{Cart, CartLine};
use super::{csrf, head, html, redirect, Shop, PRIVATE};
use crate::body::read_form;
use crate::error::AppError;
use crate::rate_limit;
use crate::request::Field;
use crate::shop::{cart as cart_api, checkout};

/// A form field's value, if the form has it.
fn form_field(form: &[(String, String)], name: &str) -> Option<String> {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

pub(super) async fn page(
    req: &Request,
    config: &Config,
    brand: &BrandContext,
    shop: Shop,
    error: Option<(u16, String)>,
) -> Result<Response, AppError> {
    let id = cart_api::cart_id(req, config, brand);
    let cart = cart_api::get(config, brand, id.as_deref()).await?;
    let fmt = |amount: i64| money::format(amount, &brand.currency, &brand.locale);
    let lines = cart
        .lines
        .into_iter()
        .map(|l| CartLine {
            total: fmt(l.line_total),
            unit: fmt(l.unit_amount),
            variant_id: l.variant_id,
            slug: l.product_slug,
            title: l.title,
            variant: l.variant_title,
            quantity: l.quantity,
        })
        .collect();
    let (status, error) = match error {
        Some((status, text)) => (status, Some(text)),
        None => (200, None),
    };
    let t = shop.t;
    let view = Cart { head: head(req, brand, t.cart, t.tagline), subtotal: fmt(cart.subtotal.unwrap_or(0)), shop, lines, error };
    Ok(html(view, status, PRIVATE))
}

/// Adds or sets a line from a form post, then back to the cart. What the shopper must fix
/// (a malformed variant, a quantity, the stock or order caps, too many writes) shows on the
/// cart page with its status; only our own failures are error pages.
pub(super) async fn line_form(
    mut req: Request,
    env: &Env,
    config: &Config,
    brand: &BrandContext,
    shop: Shop,
    add: bool,
) -> Result<Response, AppError> {
    match set_line_from_form(&mut req, env, config, brand, add).await {
        Ok(resp) => Ok(resp),
        // a forged or missing CSRF token is not the shopper's to fix: the error page
        Err(e) if e.code() == "csrf_token_invalid" => Err(e),
        Err(e @ (AppError::Refused { .. } | AppError::BadRequest(..) | AppError::RateLimited(_))) => {
            let mut page = page(&req, config, brand, shop, Some((e.status(), e.public_message()))).await?;
            if let AppError::RateLimited(secs) = e {
                let _ = page.headers_mut().set("retry-after", &secs.to_string());
            }
            Ok(page)
        }
        Err(e) => Err(e),
    }
}

async fn set_line_from_form(req: &mut Request, env: &Env, config: &Config, brand: &BrandContext, add: bool) -> Result<Response, AppError> {
    cart_api::limit_writes(env, req).await?;
    let form = read_form(req).await?;
    csrf::verify(req, config, brand, &form)?;
    let variant = form_field(&form, "variant_id").unwrap_or_default();
    let variant = cart_api::parse_variant(&variant)?;
    let quantity = match form_field(&form, "quantity").map(|q| q.trim().parse::<i64>()) {
        Some(Ok(n)) => Field::Valid(n),
        Some(Err(_)) => Field::Invalid,
        None => Field::Missing,
    };
    let quantity = cart_api::parse_quantity(quantity, !add)?;
    let (cart, new) = cart_api::set_line_of(req, config, brand, variant, quantity, add).await?;
    let mut resp = redirect("/cart");
    if let Some(id) = cart.id.as_deref().filter(|_| new) {
        cart_api::set_cookie(&mut resp, config, brand, id);
    }
    Ok(resp)
}

pub(super) async fn checkout_form(
    mut req: Request,
    env: &Env,
    config: &Config,
    brand: &BrandContext,
    shop: Shop,
) -> Result<Response, AppError> {
    let form = read_form(&mut req).await?;
    csrf::verify(&req, config, brand, &form)?;
    let email = form_field(&form, "email");
    let ip = rate_limit::client_ip(&req);
    let cart = cart_api::cart_id(&req, config, brand);
    match checkout::start(env, config, brand, &ip, cart.as_deref(), email.as_deref(), &req).await {
        Ok(started) => Ok(redirect(started.checkout_url.as_deref().unwrap_or("/cart"))),
        // the shop, not the shopper, has something to fix: say so in the shopper's words
        Err(e) if e.code() == "payments_not_ready" => {
            let text = shop.t.payments_not_ready.to_owned();
            page(&req, config, brand, shop, Some((e.status(), text))).await
        }
        Err(e @ (AppError::Refused { .. } | AppError::BadRequest(..) | AppError::Stripe(_) | AppError::RateLimited(_))) => {
            let text = e.public_message();
            page(&req, config, brand, shop, Some((422, text))).await
        }
        Err(e) => Err(e),
    }
}
