//! A brand's legal pages (privacy, terms, returns): written as plain text or a small
//! Markdown subset, shown as HTML with every character of the brand's text escaped. What
//! is understood: `#`/`##`/`###` headings, `-`/`*` list items, `**bold**`, blank lines
//! between paragraphs. No links, images or raw HTML: the text can never add markup.

pub const KINDS: [&str; 3] = ["privacy", "terms", "returns"];
pub const LANGUAGES: [&str; 2] = ["en", "es"];
pub const MAX_CHARS: usize = 50_000;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// `**x**` as `<strong>x</strong>` on already escaped text (an unpaired `**` stays as is).
fn inline(escaped: &str) -> String {
    let parts: Vec<&str> = escaped.split("**").collect();
    if parts.len() < 3 {
        return escaped.to_owned();
    }
    let mut out = String::new();
    let pairs = (parts.len() - 1) / 2 * 2;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            if i <= pairs {
                out.push_str(if i % 2 == 1 { "<strong>" } else { "</strong>" });
            } else {
                out.push_str("**");
            }
        }
        out.push_str(part);
    }
    out
}

/// The page body as HTML, safe to put in a page unescaped.
pub fn render(body: &str) -> String {
    let mut html = String::new();
    let mut paragraph: Vec<String> = Vec::new();
    let mut list: Vec<String> = Vec::new();
    fn flush(html: &mut String, paragraph: &mut Vec<String>, list: &mut Vec<String>) {
        if !paragraph.is_empty() {
            html.push_str(&format!("<p>{}</p>\n", paragraph.join("<br>\n")));
            paragraph.clear();
        }
        if !list.is_empty() {
            html.push_str("<ul>\n");
            for item in list.drain(..) {
                html.push_str(&format!("<li>{item}</li>\n"));
            }
            html.push_str("</ul>\n");
        }
    }
    for raw in body.lines() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            flush(&mut html, &mut paragraph, &mut list);
            continue;
        }
        let heading = [("### ", "h4"), ("## ", "h3"), ("# ", "h2")].into_iter().find(|(p, _)| trimmed.starts_with(p));
        if let Some((prefix, tag)) = heading {
            flush(&mut html, &mut paragraph, &mut list);
            html.push_str(&format!("<{tag}>{}</{tag}>\n", inline(&escape(trimmed[prefix.len()..].trim()))));
        } else if let Some(item) = trimmed.strip_prefix("- ").or_else(|| trimmed.strip_prefix("* ")) {
            if !paragraph.is_empty() {
                let mut none = Vec::new();
                flush(&mut html, &mut paragraph, &mut none);
            }
            list.push(inline(&escape(item.trim())));
        } else {
            if !list.is_empty() {
                let mut none = Vec::new();
                flush(&mut html, &mut none, &mut list);
            }
            paragraph.push(inline(&escape(trimmed)));
        }
    }
    flush(&mut html, &mut paragraph, &mut list);
    html
}

/// The language to show: the shopper's first `Accept-Language` choice Shoal has a page in
/// (`es-MX` counts as `es`), else the brand's own language.
pub fn pick_language<'a>(accept_language: Option<&str>, brand_locale: &'a str) -> &'a str {
    let wanted = accept_language.unwrap_or_default().split(',').filter_map(|part| {
        let tag = part.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = part.split(';').nth(1).and_then(|q| q.trim().strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or_default().to_owned();
        LANGUAGES.iter().find(|l| **l == primary).map(|l| (*l, q))
    });
    let best = wanted.fold(None::<(&str, f32)>, |best, (l, q)| match best {
        Some((_, bq)) if bq >= q => best,
        _ if q > 0.0 => Some((l, q)),
        _ => best,
    });
    match best {
        Some(("es", _)) => "es",
        Some(_) => "en",
        None => brand_locale,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_the_text_is_escaped_never_run() {
        let html = render("<script>alert(1)</script>\n<img src=x onerror=alert(1)>");
        assert!(!html.contains("<script") && !html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
        let md_link = render("[click](javascript:alert(1))");
        assert!(!md_link.contains("href"), "{md_link}");
    }

    #[test]
    fn headings_lists_bold_and_paragraphs() {
        let html = render(
            "# Returns\n\nYou have **30 days**.\nAsk us first.\n\n- unused\n- with the receipt\n\n## Refunds\nTo the card & account.",
        );
        assert_eq!(
            html,
            "<h2>Returns</h2>\n<p>You have <strong>30 days</strong>.<br>\nAsk us first.</p>\n<ul>\n<li>unused</li>\n<li>with the receipt</li>\n</ul>\n<h3>Refunds</h3>\n<p>To the card &amp; account.</p>\n"
        );
    }

    #[test]
    fn plain_text_is_paragraphs_and_a_lone_double_star_stays() {
        assert_eq!(render("Line one\nline two"), "<p>Line one<br>\nline two</p>\n");
        assert_eq!(render("a ** b"), "<p>a ** b</p>\n");
        assert_eq!(render("**a** **b"), "<p><strong>a</strong> **b</p>\n");
    }

    #[test]
    fn the_shoppers_language_wins_then_the_brands() {
        assert_eq!(pick_language(Some("es-MX,es;q=0.9,en;q=0.8"), "en"), "es");
        assert_eq!(pick_language(Some("fr-FR,en;q=0.5"), "es"), "en");
        assert_eq!(pick_language(Some("fr-FR"), "es"), "es");
        assert_eq!(pick_language(Some("en;q=0.2,es;q=0.9"), "en"), "es");
        assert_eq!(pick_language(None, "es"), "es");
        assert_eq!(pick_language(Some("es;q=0"), "en"), "en");
    }
}
