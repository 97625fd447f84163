//! Template views: what each storefront page shows, already formatted for the brand's
//! locale and currency. Templates escape everything by default (askama).

use askama::Template;
use shoal_domain::brand::BrandContext;
use shoal_domain::i18n::{self, Strings};
use shoal_domain::money;

pub struct CategoryLink {
    pub slug: String,
    pub name: String,
}

pub struct Shop {
    pub name: String,
    pub logo: String,
    pub primary: String,
    pub accent: String,
    pub t: &'static Strings,
    pub categories: Vec<CategoryLink>,
    /// The search box keeps what was searched.
    pub query: String,
}

fn colour(theme: &serde_json::Value, key: &str, fallback: &str) -> String {
    let c = theme[key].as_str().unwrap_or(fallback);
    let ok = c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit());
    if ok { c.to_owned() } else { fallback.to_owned() }
}

impl Shop {
    pub fn new(brand: &BrandContext, categories: &serde_json::Value) -> Shop {
        Shop {
            name: brand.name.clone(),
            logo: brand.theme["logo"].as_str().filter(|l| l.starts_with('/')).unwrap_or("/assets/shoal.svg").to_owned(),
            primary: colour(&brand.theme, "primary", "#333333"),
            accent: colour(&brand.theme, "accent", "#dddddd"),
            t: i18n::strings(&brand.locale),
            categories: categories
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|c| CategoryLink {
                            slug: c["slug"].as_str().unwrap_or_default().to_owned(),
                            name: c["name"].as_str().unwrap_or_default().to_owned(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            query: String::new(),
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
    pub price: String,
}

pub fn cards(items: &serde_json::Value, brand: &BrandContext) -> Vec<Card> {
    items
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| Card {
                    slug: p["slug"].as_str().unwrap_or_default().to_owned(),
                    title: p["title"].as_str().unwrap_or_default().to_owned(),
                    image: p["images"][0].as_str().unwrap_or("/assets/shoal.svg").to_owned(),
                    price: money::format(p["price_from"].as_i64().unwrap_or(0), &brand.currency, &brand.locale),
                })
                .collect()
        })
        .unwrap_or_default()
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
    pub variants: Vec<VariantOption>,
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
