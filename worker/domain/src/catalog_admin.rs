//! The staff catalog API's rules that need no database: slugs made from titles, option
//! values, variant and product bodies, list query parameters and their opaque cursors.
//! The database holds the same limits as checks and unique keys; these give the client an
//! answer that names the field before anything is sent.

use std::collections::BTreeMap;

use data_encoding::BASE64URL_NOPAD;
use serde::{Deserialize, Deserializer, Serialize};

pub const MAX_PRODUCT_SLUG: usize = 96;
pub const MAX_CATEGORY_SLUG: usize = 64;
pub const MAX_TITLE: usize = 200;
pub const MAX_CATEGORY_NAME: usize = 120;
pub const MAX_DESCRIPTION: usize = 20_000;
pub const MAX_SKU: usize = 64;
pub const MAX_VARIANTS: usize = 100;
pub const MAX_OPTIONS: usize = 3;
pub const MAX_OPTION_NAME: usize = 30;
pub const MAX_OPTION_VALUE: usize = 60;
pub const MAX_PRICES: usize = 20;
/// Far above any real price, far below what a bigint or a float on the way could blur.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;
pub const MAX_WEIGHT_GRAMS: i32 = 10_000_000;
pub const MAX_STOCK: i32 = 1_000_000;
pub const MAX_NOTE: usize = 500;
pub const DEFAULT_LIMIT: i64 = 25;
pub const MAX_LIMIT: i64 = 100;

/// A body field that is wrong, and what to send instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub why: String,
}

fn bad(field: impl Into<String>, why: impl Into<String>) -> FieldError {
    FieldError { field: field.into(), why: why.into() }
}

/// A query parameter that is wrong (`422 invalid_query` naming it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub param: &'static str,
    pub why: &'static str,
}

// ------------------------------------------------------------------------ slugs

/// The slug rule of the database's checks: lower-case ASCII letters, digits and inner
/// hyphens, 1..=`max` characters.
pub fn is_slug(s: &str, max: usize) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= max
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// A Latin letter with a diacritic as its base letter(s); anything else is left alone.
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'ł' | 'ľ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// A slug made from a title or name: accents folded, every other run of characters that
/// are not ASCII letters or digits one hyphen, at most `max` characters, cut at a hyphen
/// when it can be. None when nothing usable is left (a title in another script): the
/// client then gives a slug.
pub fn make_slug(text: &str, max: usize) -> Option<String> {
    let mut out = String::new();
    let mut hyphen = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let piece: String = match fold(c) {
            Some(f) => f.to_owned(),
            None if c.is_ascii_alphanumeric() => c.to_string(),
            None => {
                hyphen = !out.is_empty();
                continue;
            }
        };
        if hyphen {
            out.push('-');
            hyphen = false;
        }
        out.push_str(&piece);
    }
    if out.len() > max {
        let cut = &out[..max];
        out = match cut.rfind('-') {
            Some(i) if i > max / 2 => cut[..i].to_owned(),
            _ => cut.trim_end_matches('-').to_owned(),
        };
    }
    (!out.is_empty()).then_some(out)
}

// ------------------------------------------------------------------------ text fields

fn text(field: &str, value: &str, min: usize, max: usize) -> Result<String, FieldError> {
    let trimmed = value.trim();
    let n = trimmed.chars().count();
    if n < min || n > max || trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        return Err(bad(field, format!("{min} to {max} characters of text")));
    }
    Ok(trimmed.to_owned())
}

fn slug_field(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    if is_slug(value, max) {
        Ok(value.to_owned())
    } else {
        Err(bad(field, format!("lower-case letters, digits and inner hyphens, at most {max} characters")))
    }
}

fn amount(field: &str, value: i64) -> Result<i64, FieldError> {
    if (0..=MAX_AMOUNT).contains(&value) {
        Ok(value)
    } else {
        Err(bad(field, "a whole number of minor units, 0 or more"))
    }
}

fn count(field: &str, value: i32, max: i32) -> Result<i32, FieldError> {
    if (0..=max).contains(&value) {
        Ok(value)
    } else {
        Err(bad(field, format!("a whole number from 0 to {max}")))
    }
}

/// SKUs: 1..=64 visible characters without spaces (they are typed into tills and labels).
pub fn sku(field: &str, value: &str) -> Result<String, FieldError> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > MAX_SKU || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad(field, format!("1 to {MAX_SKU} characters without spaces")));
    }
    Ok(v.to_owned())
}

// ------------------------------------------------------------------------ options

/// Option values of a variant (`{"size": "M", "colour": "red"}`): at most three options,
/// names and values trimmed and non-empty, names unique without regard to case.
pub fn options(field: &str, raw: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>, FieldError> {
    if raw.len() > MAX_OPTIONS {
        return Err(bad(field, format!("at most {MAX_OPTIONS} options")));
    }
    let mut out = BTreeMap::new();
    let mut seen = Vec::new();
    for (name, value) in raw {
        let name = text(&format!("{field}.{name}"), name, 1, MAX_OPTION_NAME)?;
        let value = text(&format!("{field}.{name}"), value, 1, MAX_OPTION_VALUE)?;
        let folded = name.to_lowercase();
        if seen.contains(&folded) {
            return Err(bad(field, format!("the option {name:?} is named twice")));
        }
        seen.push(folded);
        out.insert(name, value);
    }
    Ok(out)
}

/// A variant's title when none is given: its option values in name order ("M / Red"), or
/// "Default" for a variant without options.
pub fn variant_title(options: &BTreeMap<String, String>) -> String {
    if options.is_empty() {
        "Default".to_owned()
    } else {
        options.values().cloned().collect::<Vec<_>>().join(" / ")
    }
}

fn prices(field: &str, raw: &BTreeMap<String, i64>) -> Result<BTreeMap<String, i64>, FieldError> {
    if raw.len() > MAX_PRICES {
        return Err(bad(field, format!("at most {MAX_PRICES} currencies")));
    }
    for (currency, value) in raw {
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(bad(format!("{field}.{currency}"), "an ISO 4217 currency code such as EUR"));
        }
        amount(&format!("{field}.{currency}"), *value)?;
    }
    Ok(raw.clone())
}

fn compare_at_above(field: &str, price: i64, compare_at: Option<i64>) -> Result<(), FieldError> {
    match compare_at {
        Some(c) if c <= price => Err(bad(field, "above the price (it is the price before the reduction)")),
        _ => Ok(()),
    }
}

/// Absent stays absent; `null` becomes `Some(None)`: a field that may be cleared.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

// ------------------------------------------------------------------------ variants

/// A new variant (`POST products`, `POST products/{id}/variants`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NewVariant {
    pub sku: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    pub price_amount: i64,
    #[serde(default)]
    pub compare_at_amount: Option<i64>,
    #[serde(default)]
    pub weight_grams: Option<i32>,
    #[serde(default)]
    pub prices: BTreeMap<String, i64>,
    #[serde(default)]
    pub available: Option<i32>,
    #[serde(default)]
    pub low_stock_threshold: Option<i32>,
}

impl NewVariant {
    /// The variant as it is stored (trimmed, its title made from its options when absent),
    /// or the first field at fault; `at` prefixes field names ("variants[1].sku").
    pub fn checked(&self, at: &str) -> Result<NewVariant, FieldError> {
        let f = |name: &str| format!("{at}{name}");
        let options = options(&f("options"), &self.options)?;
        let title = match &self.title {
            Some(t) if !t.trim().is_empty() => text(&f("title"), t, 1, MAX_TITLE)?,
            _ => variant_title(&options),
        };
        let price_amount = amount(&f("price_amount"), self.price_amount)?;
        if let Some(c) = self.compare_at_amount {
            amount(&f("compare_at_amount"), c)?;
        }
        compare_at_above(&f("compare_at_amount"), price_amount, self.compare_at_amount)?;
        Ok(NewVariant {
            sku: sku(&f("sku"), &self.sku)?,
            title: Some(title),
            options,
            price_amount,
            compare_at_amount: self.compare_at_amount,
            weight_grams: self.weight_grams.map(|w| count(&f("weight_grams"), w, MAX_WEIGHT_GRAMS)).transpose()?,
            prices: prices(&f("prices"), &self.prices)?,
            available: self.available.map(|a| count(&f("available"), a, MAX_STOCK)).transpose()?,
            low_stock_threshold: self.low_stock_threshold.map(|t| count(&f("low_stock_threshold"), t, MAX_STOCK)).transpose()?,
        })
    }
}

/// A change to a variant (`PATCH products/{id}/variants/{variant}`): absent fields stay;
/// `compare_at_amount` and `weight_grams` may be `null` (cleared); `prices` replaces the
/// prices in other currencies. Stock changes go through inventory adjustments.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VariantPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_amount: Option<i64>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    pub compare_at_amount: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    pub weight_grams: Option<Option<i32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prices: Option<BTreeMap<String, i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_stock_threshold: Option<i32>,
}

impl VariantPatch {
    pub fn checked(&self) -> Result<VariantPatch, FieldError> {
        if let (Some(p), Some(Some(c))) = (self.price_amount, self.compare_at_amount) {
            compare_at_above("compare_at_amount", p, Some(c))?;
        }
        Ok(VariantPatch {
            sku: self.sku.as_deref().map(|s| sku("sku", s)).transpose()?,
            title: self.title.as_deref().map(|t| text("title", t, 1, MAX_TITLE)).transpose()?,
            options: self.options.as_ref().map(|o| options("options", o)).transpose()?,
            price_amount: self.price_amount.map(|p| amount("price_amount", p)).transpose()?,
            compare_at_amount: self.compare_at_amount.map(|c| c.map(|c| amount("compare_at_amount", c)).transpose()).transpose()?,
            weight_grams: self.weight_grams.map(|w| w.map(|w| count("weight_grams", w, MAX_WEIGHT_GRAMS)).transpose()).transpose()?,
            prices: self.prices.as_ref().map(|p| prices("prices", p)).transpose()?,
            low_stock_threshold: self.low_stock_threshold.map(|t| count("low_stock_threshold", t, MAX_STOCK)).transpose()?,
        })
    }
}

// ------------------------------------------------------------------------ products

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Active,
    Archived,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Active => "active",
            Status::Archived => "archived",
        }
    }
}

/// `POST products`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewProduct {
    pub title: String,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub category_id: Option<String>,
    pub variants: Vec<NewVariant>,
}

/// A new product as the database takes it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedProduct {
    pub title: String,
    pub slug: String,
    /// false: made from the title, so a taken one becomes `slug-2` rather than a refusal
    pub slug_given: bool,
    pub description: String,
    pub status: Status,
    pub category_id: Option<String>,
    pub variants: Vec<NewVariant>,
}

fn category_id(field: &str, value: &str) -> Result<String, FieldError> {
    if crate::ids::is_uuid(value) {
        Ok(value.to_owned())
    } else {
        Err(bad(field, "a category id (UUID)"))
    }
}

impl NewProduct {
    pub fn checked(&self) -> Result<CheckedProduct, FieldError> {
        let title = text("title", &self.title, 1, MAX_TITLE)?;
        let (slug, slug_given) = match &self.slug {
            Some(s) => (slug_field("slug", s, MAX_PRODUCT_SLUG)?, true),
            None => (make_slug(&title, MAX_PRODUCT_SLUG).ok_or_else(|| bad("slug", "cannot be made from the title; give one"))?, false),
        };
        if self.variants.is_empty() || self.variants.len() > MAX_VARIANTS {
            return Err(bad("variants", format!("1 to {MAX_VARIANTS} variants")));
        }
        let variants =
            self.variants.iter().enumerate().map(|(i, v)| v.checked(&format!("variants[{i}]."))).collect::<Result<Vec<_>, _>>()?;
        check_variant_set(&variants)?;
        Ok(CheckedProduct {
            title,
            slug,
            slug_given,
            description: self.description.as_deref().map(|d| text("description", d, 0, MAX_DESCRIPTION)).transpose()?.unwrap_or_default(),
            status: self.status.unwrap_or(Status::Draft),
            category_id: self.category_id.as_deref().map(|c| category_id("category_id", c)).transpose()?,
            variants,
        })
    }
}

/// The variants of one product: SKUs differ, every variant has the same option names, and
/// no two have the same option values (a shopper could not tell them apart).
pub fn check_variant_set(variants: &[NewVariant]) -> Result<(), FieldError> {
    for (i, v) in variants.iter().enumerate() {
        let earlier = &variants[..i];
        if earlier.iter().any(|e| e.sku == v.sku) {
            return Err(bad(format!("variants[{i}].sku"), "another variant in this request has it"));
        }
        if let Some(first) = variants.first() {
            if !first.options.keys().eq(v.options.keys()) {
                return Err(bad(format!("variants[{i}].options"), "every variant names the same options as the first"));
            }
        }
        if earlier.iter().any(|e| e.options == v.options) {
            return Err(bad(format!("variants[{i}].options"), "another variant has the same option values"));
        }
    }
    Ok(())
}

/// `PATCH products/{id}`: absent fields stay; `category_id: null` unassigns.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProductPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    pub category_id: Option<Option<String>>,
}

impl ProductPatch {
    pub fn checked(&self) -> Result<ProductPatch, FieldError> {
        Ok(ProductPatch {
            title: self.title.as_deref().map(|t| text("title", t, 1, MAX_TITLE)).transpose()?,
            slug: self.slug.as_deref().map(|s| slug_field("slug", s, MAX_PRODUCT_SLUG)).transpose()?,
            description: self.description.as_deref().map(|d| text("description", d, 0, MAX_DESCRIPTION)).transpose()?,
            status: self.status,
            category_id: self.category_id.as_ref().map(|c| c.as_deref().map(|c| category_id("category_id", c)).transpose()).transpose()?,
        })
    }
}

// ------------------------------------------------------------------------ categories

/// `POST categories` and `PATCH categories/{id}` (all fields optional there).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryInput {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub slug: Option<String>,
}

impl CategoryInput {
    /// A new category: a name, and a slug made from it unless given.
    pub fn new_category(&self) -> Result<(String, String), FieldError> {
        let name = text("name", self.name.as_deref().ok_or_else(|| bad("name", "is required"))?, 1, MAX_CATEGORY_NAME)?;
        let slug = match &self.slug {
            Some(s) => slug_field("slug", s, MAX_CATEGORY_SLUG)?,
            None => make_slug(&name, MAX_CATEGORY_SLUG).ok_or_else(|| bad("slug", "cannot be made from the name; give one"))?,
        };
        Ok((name, slug))
    }

    /// A rename and/or re-slug.
    pub fn change(&self) -> Result<(Option<String>, Option<String>), FieldError> {
        Ok((
            self.name.as_deref().map(|n| text("name", n, 1, MAX_CATEGORY_NAME)).transpose()?,
            self.slug.as_deref().map(|s| slug_field("slug", s, MAX_CATEGORY_SLUG)).transpose()?,
        ))
    }
}

// ------------------------------------------------------------------------ inventory

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Received,
    Correction,
    Damaged,
    Returned,
    Other,
}

/// `POST inventory/{variant}/adjustments`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjustment {
    pub delta: i32,
    pub reason: Reason,
    #[serde(default)]
    pub note: Option<String>,
}

impl Adjustment {
    pub fn checked(&self) -> Result<Adjustment, FieldError> {
        if self.delta == 0 || self.delta.unsigned_abs() > MAX_STOCK as u32 {
            return Err(bad("delta", format!("a whole number of units, not 0, at most {MAX_STOCK} either way")));
        }
        let note = self.note.as_deref().map(|n| text("note", n, 0, MAX_NOTE)).transpose()?.filter(|n| !n.is_empty());
        Ok(Adjustment { delta: self.delta, reason: self.reason, note })
    }
}

/// `PATCH inventory/{variant}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdInput {
    pub low_stock_threshold: i32,
}

impl ThresholdInput {
    pub fn checked(&self) -> Result<i32, FieldError> {
        count("low_stock_threshold", self.low_stock_threshold, MAX_STOCK)
    }
}

// ------------------------------------------------------------------------ list queries

/// A search box's text as the database searches it: words (letters and digits, lower
/// case, at most 8 of 40 characters each), prefix-matched on titles and descriptions, and
/// the text itself (trimmed, 64 characters), prefix-matched on SKUs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    pub words: Vec<String>,
    pub sku: Option<String>,
}

pub fn search(q: &str) -> Search {
    let words = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().chars().take(40).collect::<String>())
        .take(8)
        .collect();
    let sku = q.trim().chars().take(MAX_SKU).collect::<String>();
    Search { words, sku: (!sku.is_empty()).then_some(sku) }
}

/// Cursors are opaque to clients: base64url of the last row's sort key.
pub fn encode_cursor(key: &str) -> String {
    BASE64URL_NOPAD.encode(key.as_bytes())
}

fn decode_cursor(cursor: &str) -> Option<String> {
    String::from_utf8(BASE64URL_NOPAD.decode(cursor.as_bytes()).ok()?).ok()
}

const INVALID_CURSOR: QueryError = QueryError { param: "cursor", why: "not a cursor this list gave" };

/// The products list's sort key: created_at (RFC 3339) and id.
pub fn product_cursor(created_at: &str, id: &str) -> String {
    encode_cursor(&format!("{created_at}|{id}"))
}

fn parse_product_cursor(cursor: &str) -> Result<(String, String), QueryError> {
    let raw = decode_cursor(cursor).ok_or(INVALID_CURSOR)?;
    let (at, id) = raw.split_once('|').ok_or(INVALID_CURSOR)?;
    if chrono::DateTime::parse_from_rfc3339(at).is_err() || !crate::ids::is_uuid(id) {
        return Err(INVALID_CURSOR);
    }
    Ok((at.to_owned(), id.to_owned()))
}

fn limit(value: &str) -> Result<i64, QueryError> {
    value.parse::<i64>().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or(QueryError { param: "limit", why: "a number from 1 to 100" })
}

fn boolean(param: &'static str, value: &str) -> Result<bool, QueryError> {
    match value {
        "true" => Ok(true),
        "false" | "" => Ok(false),
        _ => Err(QueryError { param, why: "true or false" }),
    }
}

/// `GET products?q=&status=&category=&low_stock=&cursor=&limit=`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductQuery {
    pub search: Search,
    pub status: Option<Status>,
    pub category_id: Option<String>,
    pub low_stock: bool,
    pub after: Option<(String, String)>,
    pub limit: i64,
}

impl ProductQuery {
    pub fn parse<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<ProductQuery, QueryError> {
        let mut q = ProductQuery {
            search: Search::default(),
            status: None,
            category_id: None,
            low_stock: false,
            after: None,
            limit: DEFAULT_LIMIT,
        };
        for (key, value) in pairs {
            match key {
                "q" => q.search = search(value),
                "status" => {
                    q.status = match value {
                        "" => None,
                        "draft" => Some(Status::Draft),
                        "active" => Some(Status::Active),
                        "archived" => Some(Status::Archived),
                        _ => return Err(QueryError { param: "status", why: "draft, active or archived" }),
                    }
                }
                "category" if value.is_empty() => q.category_id = None,
                "category" if crate::ids::is_uuid(value) => q.category_id = Some(value.to_owned()),
                "category" => return Err(QueryError { param: "category", why: "a category id (UUID)" }),
                "low_stock" => q.low_stock = boolean("low_stock", value)?,
                "cursor" => q.after = Some(parse_product_cursor(value)?),
                "limit" => q.limit = limit(value)?,
                _ => {}
            }
        }
        Ok(q)
    }
}

/// `GET inventory?low_stock=&q=&cursor=&limit=`, ordered by SKU (the cursor is the last one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryQuery {
    pub search: Search,
    pub low_stock: bool,
    pub after_sku: Option<String>,
    pub limit: i64,
}

impl InventoryQuery {
    pub fn parse<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<InventoryQuery, QueryError> {
        let mut q = InventoryQuery { search: Search::default(), low_stock: false, after_sku: None, limit: DEFAULT_LIMIT };
        for (key, value) in pairs {
            match key {
                "q" => q.search = search(value),
                "low_stock" => q.low_stock = boolean("low_stock", value)?,
                "cursor" => {
                    let sku = decode_cursor(value).filter(|s| !s.is_empty() && s.chars().count() <= MAX_SKU).ok_or(INVALID_CURSOR)?;
                    q.after_sku = Some(sku);
                }
                "limit" => q.limit = limit(value)?,
                _ => {}
            }
        }
        Ok(q)
    }
}

/// `GET inventory/{variant}/adjustments?cursor=&limit=`, newest first (the cursor is the
/// last entry's id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerQuery {
    pub before: Option<i64>,
    pub limit: i64,
}

impl LedgerQuery {
    pub fn parse<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<LedgerQuery, QueryError> {
        let mut q = LedgerQuery { before: None, limit: DEFAULT_LIMIT };
        for (key, value) in pairs {
            match key {
                "cursor" => {
                    q.before = Some(decode_cursor(value).and_then(|s| s.parse::<i64>().ok()).filter(|n| *n > 0).ok_or(INVALID_CURSOR)?)
                }
                "limit" => q.limit = limit(value)?,
                _ => {}
            }
        }
        Ok(q)
    }
}

#[cfg(test)]
#[path = "catalog_admin_tests.rs"]
mod tests;
