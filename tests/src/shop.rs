//! A shopper's session against the storefront API: the cart cookie is kept like a browser
//! keeps it, and each shopper has its own client IP (the `CF-Connecting-IP` Cloudflare sets).

use crate::{send, Reply};
use serde_json::{json, Value};

pub struct Shopper {
    pub host: String,
    pub cookie: Option<String>,
    pub ip: String,
}

impl Shopper {
    pub fn new(host: &str) -> Shopper {
        Shopper { host: host.to_owned(), cookie: None, ip: crate::fresh_ip() }
    }

    pub fn call(&mut self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let cookie = self.cookie.clone().map(|c| format!("shoal_cart={c}"));
        let mut headers = vec![("cf-connecting-ip", self.ip.as_str()), ("content-type", "application/json")];
        if let Some(c) = &cookie {
            headers.push(("cookie", c.as_str()));
        }
        let r = send(method, &self.host, path, &headers, body.map(|b| b.to_string()));
        for value in r.headers.get_all("set-cookie") {
            let v = value.to_str().unwrap_or_default();
            if let Some(rest) = v.strip_prefix("shoal_cart=") {
                self.cookie = rest.split(';').next().map(str::to_owned);
            }
        }
        r
    }

    pub fn add(&mut self, variant: &str, quantity: i64) -> Reply {
        self.call("POST", "/api/v1/store/cart/lines", Some(json!({"variant_id": variant, "quantity": quantity})))
    }

    pub fn checkout(&mut self, body: Value) -> Reply {
        self.call("POST", "/api/v1/store/checkout", Some(body))
    }
}

/// The id of a product's `index`-th variant, as the storefront shows it.
pub fn variant_id(host: &str, slug: &str, index: usize) -> String {
    let r = crate::get(host, &format!("/api/v1/store/products/{slug}"));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["variants"][index]["id"].as_str().unwrap_or_default().to_owned()
}

/// A brand of its own (`theme` as its theme JSON) with one active product, `lamp`, of one
/// variant at 45.00 with `stock` units; returns (brand id, host, variant id).
pub fn shop_with_lamp(prefix: &str, theme: &str, stock: i64) -> (String, String, String) {
    let (brand, host) = crate::new_brand(prefix, "USD", "en");
    crate::sql(&format!(
        "update brands set theme = '{theme}'::jsonb where id = '{brand}';
         insert into products (brand_id, slug, title, status) values ('{brand}', 'lamp', 'Desk Lamp', 'active');
         insert into variants (brand_id, product_id, sku, title, price_amount) select '{brand}', id, 'LAMP-1', 'One size', 4500 from products where brand_id = '{brand}';
         insert into inventory_levels (variant_id, brand_id, available) select id, '{brand}', {stock} from variants where brand_id = '{brand}';"
    ));
    let variant = crate::sql(&format!("select id from variants where brand_id = '{brand}'"));
    (brand, host, variant)
}

/// How many carts the brand has (a refused write must not make one).
pub fn carts(brand: &str) -> i64 {
    crate::count(&format!("select count(*) from carts where brand_id = '{brand}'"))
}
