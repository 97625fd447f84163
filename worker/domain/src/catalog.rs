//! Storefront catalog queries: parsing of list parameters, opaque cursors, cache keys.

use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Newest,
    PriceAsc,
    PriceDesc,
    Title,
    Relevance,
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::PriceAsc => "price_asc",
            Sort::PriceDesc => "price_desc",
            Sort::Title => "title",
            Sort::Relevance => "relevance",
        }
    }
}

pub const DEFAULT_LIMIT: i64 = 24;
pub const MAX_LIMIT: i64 = 100;
/// Characters of a search kept (more never narrows a shop's catalog usefully); each one
/// is another cache key, so they are capped rather than refused.
pub const MAX_QUERY_CHARS: usize = 64;

/// A search as it is cached and queried: trimmed, runs of white space made one space,
/// lower case, at most `MAX_QUERY_CHARS` characters. Case and spacing never make a new
/// key (or a new database query).
pub fn normalize_search(raw: &str) -> Option<String> {
    let words: Vec<String> = raw.split_whitespace().map(str::to_lowercase).collect();
    let joined = words.join(" ");
    let capped: String = joined.chars().take(MAX_QUERY_CHARS).collect();
    let capped = capped.trim_end().to_owned();
    (!capped.is_empty()).then_some(capped)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub category: Option<String>,
    pub query: Option<String>,
    pub sort: Sort,
    pub offset: i64,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQueryError(pub &'static str);

fn slug_like(s: &str) -> bool {
    !s.is_empty() && s.len() <= 96 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Parses `category`, `q`, `sort`, `cursor`, `limit` from a query string's pairs.
pub fn parse_list_query(pairs: &BTreeMap<String, String>) -> Result<ListQuery, ListQueryError> {
    let category = pairs.get("category").filter(|c| !c.is_empty()).cloned();
    if category.as_deref().is_some_and(|c| !slug_like(c)) {
        return Err(ListQueryError("invalid_category"));
    }
    let query = pairs.get("q").and_then(|q| normalize_search(q));
    let sort = match pairs.get("sort").map(String::as_str) {
        None | Some("") => {
            if query.is_some() {
                Sort::Relevance
            } else {
                Sort::Newest
            }
        }
        Some("newest") => Sort::Newest,
        Some("price_asc") => Sort::PriceAsc,
        Some("price_desc") => Sort::PriceDesc,
        Some("title") => Sort::Title,
        Some("relevance") => Sort::Relevance,
        Some(_) => return Err(ListQueryError("invalid_sort")),
    };
    // clamped, not refused: any number maps to one of 100 keys
    let limit = match pairs.get("limit") {
        None => DEFAULT_LIMIT,
        Some(l) => l.trim().parse::<i64>().map_err(|_| ListQueryError("invalid_limit"))?.clamp(1, MAX_LIMIT),
    };
    let offset = match pairs.get("cursor") {
        None => 0,
        Some(c) => decode_cursor(c).ok_or(ListQueryError("invalid_cursor"))?,
    };
    Ok(ListQuery { category, query, sort, offset, limit })
}

/// Cursors are opaque to clients: today they carry a position in the sorted listing.
pub fn encode_cursor(offset: i64) -> String {
    hex::encode(format!("o:{offset}"))
}

pub fn decode_cursor(cursor: &str) -> Option<i64> {
    let raw = String::from_utf8(hex::decode(cursor).ok()?).ok()?;
    raw.strip_prefix("o:")?.parse::<i64>().ok().filter(|n| (0..=100_000).contains(n))
}

/// KV key of a cached catalog read: brand and catalog version first, so one version bump
/// makes every key of that brand unreachable and no other brand's.
pub fn cache_key(brand_id: &str, version: i64, resource: &str, query: &ListQuery) -> String {
    format!(
        "catalog:{brand_id}:v{version}:{resource}:c={}&q={}&s={}&o={}&l={}",
        query.category.as_deref().unwrap_or(""),
        query.query.as_deref().unwrap_or(""),
        query.sort.as_str(),
        query.offset,
        query.limit
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Result<ListQuery, ListQueryError> {
        parse_list_query(&pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn defaults_and_relevance_when_searching() {
        let d = q(&[]).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((d.sort, d.offset, d.limit), (Sort::Newest, 0, DEFAULT_LIMIT));
        assert_eq!(q(&[("q", " tee ")]).map(|x| (x.sort, x.query)), Ok((Sort::Relevance, Some("tee".into()))));
    }

    #[test]
    fn refuses_bad_parameters() {
        assert_eq!(q(&[("sort", "cheapest")]), Err(ListQueryError("invalid_sort")));
        assert_eq!(q(&[("limit", "ten")]), Err(ListQueryError("invalid_limit")));
        assert_eq!(q(&[("cursor", "zz")]), Err(ListQueryError("invalid_cursor")));
        assert_eq!(q(&[("category", "Bad Slug")]), Err(ListQueryError("invalid_category")));
    }

    #[test]
    fn limits_are_clamped_and_searches_normalised_so_made_up_values_share_keys() {
        assert_eq!(q(&[("limit", "0")]).map(|x| x.limit), Ok(1));
        assert_eq!(q(&[("limit", "100000")]).map(|x| x.limit), Ok(MAX_LIMIT));
        let a = q(&[("q", "  Harbor   TEE ")]).unwrap_or_else(|e| panic!("{e:?}"));
        let b = q(&[("q", "harbor tee"), ("utm_source", "x"), ("junk", "1")]).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(a.query.as_deref(), Some("harbor tee"));
        assert_eq!(cache_key("b", 1, "products", &a), cache_key("b", 1, "products", &b), "unknown parameters make no key");
        let long = q(&[("q", &"x".repeat(5000))]).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(long.query.map(|s| s.chars().count()), Some(MAX_QUERY_CHARS));
        assert_eq!(q(&[("q", "   ")]).map(|x| x.query), Ok(None));
    }

    #[test]
    fn cursors_round_trip() {
        assert_eq!(decode_cursor(&encode_cursor(48)), Some(48));
        assert_eq!(q(&[("cursor", &encode_cursor(24))]).map(|x| x.offset), Ok(24));
    }

    #[test]
    fn cache_keys_carry_brand_and_version() {
        let query = q(&[("category", "caps")]).unwrap_or_else(|e| panic!("{e:?}"));
        let k1 = cache_key("b1", 3, "products", &query);
        assert!(k1.starts_with("catalog:b1:v3:products:"));
        assert_ne!(k1, cache_key("b1", 4, "products", &query));
        assert_ne!(k1, cache_key("b2", 3, "products", &query));
    }
}
