//! A brand's colours: `#rrggbb`, checked for WCAG 2.x AA contrast (4.5:1 for normal text)
//! on every pair the storefront puts together: text on the background, the primary colour
//! (links) on the background, and the header's white text on the primary colour. Pure, so the rule is tested here and the API only reports the pair that fails.

/// WCAG AA for normal-size text.
pub const AA_MINIMUM: f64 = 4.5;

/// The storefront's defaults for a colour the brand has not chosen.
pub const DEFAULT_PRIMARY: &str = "#333333";
pub const DEFAULT_BACKGROUND: &str = "#fbfaf7";
pub const DEFAULT_TEXT: &str = "#1d1d1f";

/// `#rrggbb` (either case) as its three channels.
pub fn parse_hex(colour: &str) -> Option<[u8; 3]> {
    let hex = colour.strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

/// Relative luminance (WCAG 2.x definition, sRGB).
pub fn luminance(rgb: [u8; 3]) -> f64 {
    let lin = |c: u8| {
        let s = f64::from(c) / 255.0;
        if s <= 0.04045 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2])
}

/// The contrast ratio of two colours, 1.0 to 21.0.
pub fn contrast_ratio(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la >= lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

#[derive(Debug, Clone, PartialEq)]
pub enum ThemeError {
    /// A colour that is not `#rrggbb`: the field named.
    InvalidColour(&'static str),
    /// A pair below 4.5:1: the field to change (`theme.text`, named as every 422 names its
    /// field, `field: why`), what it is drawn with (`theme.background`, or the header's
    /// `white` text on the primary colour) and the ratio found.
    LowContrast { field: &'static str, against: &'static str, ratio: f64 },
}

impl ThemeError {
    pub fn code(&self) -> &'static str {
        match self {
            ThemeError::InvalidColour(_) => "invalid_theme",
            ThemeError::LowContrast { .. } => "low_contrast",
        }
    }

    pub fn message(&self) -> String {
        match self {
            ThemeError::InvalidColour(field) => format!("{field}: a colour as #rrggbb"),
            ThemeError::LowContrast { field, against, ratio } => {
                format!("{field}: contrast {ratio:.2}:1 against {against} is below 4.5:1 (WCAG AA); choose colours further apart")
            }
        }
    }
}

/// The colours the storefront will draw with (absent ones take the defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub primary: String,
    pub background: String,
    pub text: String,
}

impl Theme {
    /// From the stored theme object, defaults for what it lacks or holds malformed.
    pub fn from_json(theme: &serde_json::Value) -> Theme {
        let pick =
            |key: &str, fallback: &str| theme[key].as_str().filter(|c| parse_hex(c).is_some()).unwrap_or(fallback).to_ascii_lowercase();
        Theme {
            primary: pick("primary", DEFAULT_PRIMARY),
            background: pick("background", DEFAULT_BACKGROUND),
            text: pick("text", DEFAULT_TEXT),
        }
    }

    /// Every colour well-formed and every pair at least 4.5:1; the first failing pair is named.
    pub fn check(&self) -> Result<(), ThemeError> {
        let p = parse_hex(&self.primary).ok_or(ThemeError::InvalidColour("primary"))?;
        let bg = parse_hex(&self.background).ok_or(ThemeError::InvalidColour("background"))?;
        let t = parse_hex(&self.text).ok_or(ThemeError::InvalidColour("text"))?;
        let white = [255, 255, 255];
        for (field, against, a, b) in
            [("theme.text", "theme.background", t, bg), ("theme.primary", "theme.background", p, bg), ("theme.primary", "white", p, white)]
        {
            let ratio = contrast_ratio(a, b);
            if ratio < AA_MINIMUM {
                return Err(ThemeError::LowContrast { field, against, ratio });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ratio(a: &str, b: &str) -> f64 {
        contrast_ratio(parse_hex(a).unwrap_or_default(), parse_hex(b).unwrap_or_default())
    }

    #[test]
    fn ratios_match_the_wcag_reference_values() {
        assert!((ratio("#000000", "#ffffff") - 21.0).abs() < 1e-9);
        assert!((ratio("#ffffff", "#ffffff") - 1.0).abs() < 1e-9);
        // #767676 on white is the well-known lightest grey that passes AA (4.54:1)
        assert!((ratio("#767676", "#ffffff") - 4.54).abs() < 0.01);
        assert!(ratio("#777777", "#ffffff") < 4.5);
        assert_eq!(ratio("#123456", "#fedcba"), ratio("#fedcba", "#123456"), "order does not matter");
    }

    #[test]
    fn a_readable_theme_passes_and_the_demo_brands_do_too() {
        let t = Theme { primary: "#0b6e4f".into(), background: "#ffffff".into(), text: "#1a1a1a".into() };
        assert_eq!(t.check(), Ok(()));
        assert_eq!(Theme::from_json(&json!({"primary": "#3d348b"})).check(), Ok(()));
        assert_eq!(Theme::from_json(&json!({})).check(), Ok(()), "the defaults pass");
    }

    #[test]
    fn a_low_contrast_pair_is_named() {
        let grey = Theme { primary: "#0b6e4f".into(), background: "#ffffff".into(), text: "#cccccc".into() };
        assert!(matches!(grey.check(), Err(ThemeError::LowContrast { field: "theme.text", against: "theme.background", .. })));
        let pale = Theme { primary: "#ffee00".into(), background: "#ffffff".into(), text: "#000000".into() };
        let err = pale.check().err();
        assert!(matches!(err, Some(ThemeError::LowContrast { field: "theme.primary", against: "theme.background", .. })), "{err:?}");
        assert_eq!(err.as_ref().map(|e| e.code()), Some("low_contrast"));
        // the message names its field first, as AppError::invalid_field's do
        assert!(err.is_some_and(|e| e.message().starts_with("theme.primary: contrast ")));
        // a light primary: the header's white text on it fails
        let dark = Theme { primary: "#ffd166".into(), background: "#111111".into(), text: "#eeeeee".into() };
        assert!(matches!(dark.check(), Err(ThemeError::LowContrast { field: "theme.primary", against: "white", .. })));
    }

    #[test]
    fn malformed_colours_are_refused_by_name_and_replaced_when_read() {
        let t = Theme { primary: "red".into(), background: "#ffffff".into(), text: "#000000".into() };
        assert_eq!(t.check(), Err(ThemeError::InvalidColour("primary")));
        assert_eq!(parse_hex("#12345"), None);
        assert_eq!(parse_hex("#12345g"), None);
        assert_eq!(Theme::from_json(&json!({"primary": "url(x)"})).primary, DEFAULT_PRIMARY);
        assert_eq!(Theme::from_json(&json!({"text": "#ABCDEF"})).text, "#abcdef");
    }
}
