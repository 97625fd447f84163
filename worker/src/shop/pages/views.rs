//! Template views: what each storefront page shows, already formatted for the brand's
//! locale and currency. Templates escape everything by default (askama).

use askama::Template;
use shoal_domain::brand::BrandContext;
use shoal_domain::i18n::{self, Strings};
use shoal_domain::money;

use crate::shop::catalog::{Category, ProductCard};

pub struct CategoryLink {
    pub slug: String,
    pub name: String,
}

pub struct Shop {
    pub name: String,
    pub logo: String,
    /// The brand's colours as the page's one inline style (`theme_css`; the page's CSP
    /// names it by hash).
    pub theme_css: String,
    pub t: &'static Strings,
    pub categories: Vec<CategoryLink>,
    /// The search box keeps what was searched.
    pub query: String,
    /// This browser's CSRF token for the page's forms (pages without forms leave it empty).
    pub csrf: String,
}

/// `:root { --primary: …; --accent: …; --background: …; --text: … }` from the brand's
/// theme; colours are checked `#rrggbb`, so the text is safe to put inside `<style>`
/// unescaped (background and text: `shoal_domain::theme`'s defaults when unset).
pub fn theme_css(brand: &BrandContext) -> String {
    use shoal_domain::theme::{DEFAULT_BACKGROUND, DEFAULT_TEXT};
    format!(
        ":root {{ --primary: {}; --accent: {}; --background: {}; --text: {}; }}",
        colour(&brand.theme, "primary", "#333333"),
        colour(&brand.theme, "accent", "#dddddd"),
        colour(&brand.theme, "background", DEFAULT_BACKGROUND),
        colour(&brand.theme, "text", DEFAULT_TEXT)
    )
}

/// The brand's logo: a path on the shop's own origin, else Shoal's (`//host/x`, `/\host`
/// or a full URL would load, and show, another site's image).
fn logo(brand: &BrandContext) -> String {
    brand.theme["logo"].as_str().filter(|l| shoal_domain::cross_site::is_same_origin_path(l)).unwrap_or("/assets/shoal.svg").to_owned()
}

fn colour(theme: &serde_json::Value, key: &str, fallback: &str) -> String {
    let c = theme[key].as_str().unwrap_or(fallback);
    let ok = c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit());
    if ok {
        c.to_owned()
    } else {
        fallback.to_owned()
    }
}

impl Shop {
    pub fn new(brand: &BrandContext, categories: &[Category]) -> Shop {
        Shop {
            name: brand.name.clone(),
            logo: logo(brand),
            theme_css: theme_css(brand),
            t: i18n::strings(&brand.locale),
            categories: categories.iter().map(|c| CategoryLink { slug: c.slug.clone(), name: c.name.clone() }).collect(),
            query: String::new(),
            csrf: String::new(),
        }
    }
}

pub struct Head {
    pub title: String,
    pub description: String,
    pub canonical: String,
}

pub struct Card {
    pub slug: String,
    pub title: String,
    pub image: String,
    /// Resized copies of an uploaded image (production only: Cloudflare's image
    /// transformations serve them; empty otherwise).
    pub srcset: String,
    pub price: String,
}

/// The `srcset` of an image when resized copies are served (`resized`), else empty.
pub fn srcset(image: &str, resized: bool) -> String {
    if resized {
        shoal_domain::media::srcset(image).unwrap_or_default()
    } else {
        String::new()
    }
}

pub fn cards(items: &[ProductCard], brand: &BrandContext, resized: bool) -> Vec<Card> {
    items
        .iter()
        .map(|p| {
            let image = p.images.first().cloned().unwrap_or_else(|| "/assets/shoal.svg".to_owned());
            Card {
                slug: p.slug.clone(),
                title: p.title.clone(),
                srcset: srcset(&image, resized),
                image,
                price: money::format(p.price_from.unwrap_or(0), &brand.currency, &brand.locale),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "listing.html")]
pub struct Listing {
    pub shop: Shop,
    pub head: Head,
    pub heading: String,
    pub products: Vec<Card>,
    pub next_href: Option<String>,
}

pub struct VariantOption {
    pub id: String,
    pub title: String,
    pub price: String,
    pub in_stock: bool,
}

#[derive(Template)]
#[template(path = "product.html")]
pub struct Product {
    pub shop: Shop,
    pub head: Head,
    pub title: String,
    pub description: String,
    pub image: String,
    pub srcset: String,
    /// The product's other images, in order.
    pub more_images: Vec<String>,
    pub variants: Vec<VariantOption>,
}

/// A legal page (privacy, terms, returns) in the shopper's language or the other one.
#[derive(Template)]
#[template(path = "legal.html")]
pub struct Legal {
    pub shop: Shop,
    pub head: Head,
    pub heading: String,
    pub lang: String,
    /// `shoal_domain::legal::render`'s HTML: the brand's text, every character escaped.
    pub body_html: String,
}

pub struct CartLine {
    pub variant_id: String,
    pub slug: String,
    pub title: String,
    pub variant: String,
    pub quantity: i64,
    pub unit: String,
    pub total: String,
}

#[derive(Template)]
#[template(path = "cart.html")]
pub struct Cart {
    pub shop: Shop,
    pub head: Head,
    pub lines: Vec<CartLine>,
    pub subtotal: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct Message {
    pub shop: Shop,
    pub head: Head,
    pub heading: String,
    pub text: String,
    pub link: Option<(String, String)>,
}

pub struct OrderView {
    pub number: i64,
    pub status: &'static str,
    pub payment: &'static str,
    pub total: String,
    pub tracking: Option<String>,
}

#[derive(Template)]
#[template(path = "order.html")]
pub struct Order {
    pub shop: Shop,
    pub head: Head,
    pub number: String,
    pub email: String,
    pub order: Option<OrderView>,
    pub not_found: bool,
}
