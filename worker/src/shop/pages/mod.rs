//! Server-rendered storefront pages. They work without JavaScript: forms post to the
//! worker, which redirects (303) like any classic web shop.
//!   /  /c/{category}  /search?q=  /p/{slug}  /cart  /checkout/success|cancel  /orders
//!   /admin/payments/return|refresh (where Stripe's Connect onboarding sends an admin back)

mod cart;
mod csrf;
mod legal;
mod orders;
mod views;

use askama::Template;
use shoal_domain::brand::BrandContext;
use shoal_domain::catalog::Sort;
use shoal_domain::config::Config;
use shoal_domain::{i18n, money};
use worker::{Context, Env, Method, Request, Response};

use super::{catalog, checkout};
use crate::error::{body_response, AppError};
use crate::rate_limit;
use crate::request::query_param;
use views::*;

const PUBLIC: &str = "public, max-age=60";
/// Pages with a form carry this browser's CSRF token: only the browser may cache them.
const PER_BROWSER: &str = "private, max-age=60";
const PRIVATE: &str = "no-store";

pub async fn handle(req: Request, env: &Env, ctx: &Context, config: &Config, brand: &BrandContext, path: &str) -> Response {
    let csrf = match csrf::Csrf::of(&req) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let token = csrf.token(config, brand);
    let mut resp = render(req, env, ctx, config, brand, path, token).await;
    let is_html = resp.headers().get("content-type").ok().flatten().is_some_and(|c| c.starts_with("text/html"));
    let shared = resp.headers().get("cache-control").ok().flatten().is_some_and(|c| c.starts_with("public"));
    if is_html {
        // the one inline style (the brand's colours) is allowed by its hash; no scripts
        let policy = shoal_domain::security_headers::html_csp(&[&theme_css(brand)]);
        let _ = resp.headers_mut().set("content-security-policy", &policy);
    }
    if !shared {
        csrf.set_cookie_if_new(&mut resp);
    }
    resp
}

async fn render(req: Request, env: &Env, ctx: &Context, config: &Config, brand: &BrandContext, path: &str, csrf_token: String) -> Response {
    let error_head = || head(&req, brand, i18n::strings(&brand.locale).error_title, "");
    let fallback_head = error_head();
    let shop = catalog::load_categories(env, ctx, config, brand, &rate_limit::client_ip(&req)).await.map(|(c, _)| Shop::new(brand, &c));
    let mut shop = match shop {
        Ok(s) => s,
        Err(e) => return error_page(Shop::new(brand, &[]), fallback_head, e),
    };
    shop.csrf = csrf_token;
    let t = shop.t;
    let result = match (req.method(), path) {
        (Method::Get, "/") => listing(&req, env, ctx, config, brand, shop, Browse::default()).await,
        (Method::Get, "/search") => {
            let q = query_param(&req, "q").unwrap_or_default();
            listing(&req, env, ctx, config, brand, shop, Browse { category: None, search: Some(q) }).await
        }
        (Method::Get, "/cart") => cart::page(&req, config, brand, shop, None).await,
        (Method::Post, "/cart/add" | "/cart/update") => cart::line_form(req, env, config, brand, shop, path == "/cart/add").await,
        (Method::Post, "/checkout") => cart::checkout_form(req, env, config, brand, shop).await,
        (Method::Get, "/checkout/success") => {
            Ok(message(&req, brand, shop, t.thank_you, t.order_received, Some(("/orders", t.order_status))))
        }
        (Method::Get, "/checkout/cancel") => checkout::cancel_from_stripe(&req, config, brand)
            .await
            .map(|()| message(&req, brand, shop, t.checkout, t.checkout_cancelled, Some(("/cart", t.back_to_cart)))),
        (Method::Get, "/orders") => orders::page(&req, config, brand, shop).await,
        // Stripe's Connect onboarding returns here; what it changed arrives by webhook
        (Method::Get, crate::staff::payments::RETURN_PATH) => Ok(message(&req, brand, shop, t.payments_setup, t.payments_returned, None)),
        (Method::Get, crate::staff::payments::REFRESH_PATH) => {
            Ok(message(&req, brand, shop, t.payments_setup, t.payments_link_expired, None))
        }
        (Method::Get, _) => {
            if let Some(slug) = path.strip_prefix("/c/") {
                listing(&req, env, ctx, config, brand, shop, Browse { category: Some(slug.to_owned()), search: None }).await
            } else if let Some(slug) = path.strip_prefix("/p/") {
                product_page(&req, env, ctx, config, brand, shop, slug).await
            } else if let Some(kind) = path.strip_prefix("/legal/") {
                legal::page(&req, config, brand, shop, kind).await
            } else {
                return error_page(shop, fallback_head, AppError::NotFound);
            }
        }
        _ => Err(AppError::MethodNotAllowed),
    };
    match result {
        Ok(resp) => resp,
        Err(e) => error_page(Shop::new(brand, &[]), fallback_head, e),
    }
}

/// Resized image copies come from Cloudflare's image transformations, which exist only
/// behind Cloudflare's zone (production); the local stack serves the originals.
fn resized(config: &Config) -> bool {
    config.environment == shoal_domain::config::Environment::Production
}

fn head(req: &Request, brand: &BrandContext, title: &str, description: &str) -> Head {
    // canonical: the brand's own host, the path, and only the query that names the page
    let url = req.url().ok();
    let path = url.as_ref().map(|u| u.path().to_owned()).unwrap_or_else(|| "/".into());
    let q = url.as_ref().and_then(|u| u.query_pairs().find(|(k, _)| k == "q").map(|(_, v)| v.into_owned()));
    let query = q.map(|q| format!("?q={}", form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>())).unwrap_or_default();
    Head {
        title: if title.is_empty() { brand.name.clone() } else { format!("{title} · {}", brand.name) },
        description: description.chars().take(160).collect(),
        canonical: format!("https://{}{path}{query}", brand.host),
    }
}

fn html(page: impl Template, status: u16, cache: &str) -> Response {
    match page.render() {
        Ok(body) => {
            let mut resp = body_response(body.into_bytes(), status, "text/html; charset=utf-8");
            let _ = resp.headers_mut().set("cache-control", cache);
            resp
        }
        Err(e) => AppError::Internal(format!("template: {e}")).into_response(),
    }
}

fn redirect(to: &str) -> Response {
    let mut resp = body_response(Vec::new(), 303, "text/plain; charset=utf-8");
    let _ = resp.headers_mut().set("location", to);
    let _ = resp.headers_mut().set("cache-control", PRIVATE);
    resp
}

fn error_page(shop: Shop, head: Head, err: AppError) -> Response {
    let t = shop.t;
    let status = err.status();
    let text = if status == 404 { t.page_not_found.to_owned() } else { t.error_title.to_owned() };
    if let Some(detail) = err.detail() {
        worker::console_error!("{}", serde_json::json!({"level": "error", "code": err.code(), "detail": detail}));
    }
    let page = Message { head, shop, heading: t.error_title.into(), text, link: Some(("/".into(), t.home.into())) };
    html(page, status, PRIVATE)
}

fn message(req: &Request, brand: &BrandContext, shop: Shop, heading: &str, text: &str, link: Option<(&str, &str)>) -> Response {
    let page = Message {
        head: head(req, brand, heading, text),
        shop,
        heading: heading.into(),
        text: text.into(),
        link: link.map(|(a, b)| (a.to_owned(), b.to_owned())),
    };
    html(page, 200, PRIVATE)
}

/// Which products a listing page shows: all, one category's (`category`) or a search's.
#[derive(Default)]
struct Browse {
    category: Option<String>,
    search: Option<String>,
}

async fn listing(
    req: &Request,
    env: &Env,
    ctx: &Context,
    config: &Config,
    brand: &BrandContext,
    mut shop: Shop,
    browse: Browse,
) -> Result<Response, AppError> {
    let Browse { category, search } = browse;
    let mut q = catalog::list_query(req)?;
    q.category = category.clone();
    // the same normalised search as the JSON API: one cache key however it is spelled
    q.query = search.as_deref().and_then(shoal_domain::catalog::normalize_search);
    if q.query.is_some() && query_param(req, "sort").is_none() {
        q.sort = Sort::Relevance;
    }
    let (page, _) = catalog::load_products(env, ctx, config, brand, &rate_limit::client_ip(req), &q).await?;
    let t = shop.t;
    let heading = match (&category, &search) {
        (Some(c), _) => shop.categories.iter().find(|x| &x.slug == c).map(|x| x.name.clone()).ok_or(AppError::NotFound)?,
        (_, Some(s)) => format!("{} “{s}”", t.search_results_for),
        _ => t.all_products.to_owned(),
    };
    let next_href = page.next_cursor.as_deref().map(|c| {
        let mut pairs = form_urlencoded::Serializer::new(String::new());
        if let Some(s) = &search {
            pairs.append_pair("q", s);
        }
        pairs.append_pair("cursor", c);
        format!("?{}", pairs.finish())
    });
    shop.query = search.unwrap_or_default();
    let title = if category.is_none() && shop.query.is_empty() { String::new() } else { heading.clone() };
    let view = Listing {
        head: head(req, brand, &title, t.tagline),
        products: cards(&page.items, brand, resized(config)),
        shop,
        heading,
        next_href,
    };
    Ok(html(view, 200, PUBLIC))
}

async fn product_page(
    req: &Request,
    env: &Env,
    ctx: &Context,
    config: &Config,
    brand: &BrandContext,
    shop: Shop,
    slug: &str,
) -> Result<Response, AppError> {
    let (p, _) = catalog::load_product(env, ctx, config, brand, &rate_limit::client_ip(req), slug).await?;
    let variants = p
        .variants
        .iter()
        .map(|v| VariantOption {
            id: v.id.clone(),
            title: v.title.clone(),
            price: money::format(v.price, &brand.currency, &brand.locale),
            in_stock: v.available > 0,
        })
        .collect();
    let image = p.images.first().cloned().unwrap_or_else(|| "/assets/shoal.svg".to_owned());
    let more_images = p.images.iter().skip(1).cloned().collect();
    let (title, description) = (p.title, p.description);
    let srcset = srcset(&image, resized(config));
    let view = Product { head: head(req, brand, &title, &description), image, srcset, more_images, shop, title, description, variants };
    Ok(html(view, 200, PER_BROWSER))
}
