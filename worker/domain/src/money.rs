//! Money is integer minor units plus an ISO 4217 currency; never a float.

/// Digits after the decimal point of a currency's minor unit (ISO 4217).
pub fn minor_digits(currency: &str) -> u32 {
    match currency {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "UGX" | "XAF" | "XOF" | "PYG" => 0,
        "BHD" | "JOD" | "KWD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// The currencies a shop may sell in (ISO 4217, all of them settled by Stripe): a brand
/// chooses one at sign-up and may change it in its settings until its first order.
pub const SHOP_CURRENCIES: [&str; 30] = [
    "USD", "EUR", "GBP", "CAD", "AUD", "NZD", "JPY", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON", "BGN", "MXN", "BRL", "CLP",
    "COP", "PEN", "UYU", "INR", "SGD", "HKD", "KRW", "ZAR", "AED", "ILS", "TRY",
];

pub fn is_shop_currency(code: &str) -> bool {
    SHOP_CURRENCIES.contains(&code)
}

fn symbol(currency: &str) -> Option<&'static str> {
    Some(match currency {
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" => "¥",
        _ => return None,
    })
}

/// Formats an amount for a storefront: `en` puts the symbol first with a decimal point
/// (`$1,234.50`), `es` puts it last with a decimal comma and dot grouping (`1.234,50 €`).
pub fn format(amount: i64, currency: &str, locale: &str) -> String {
    let digits = minor_digits(currency);
    let scale = 10i64.pow(digits);
    let negative = amount < 0;
    let abs = amount.unsigned_abs();
    let whole = abs / scale as u64;
    let frac = abs % scale as u64;
    let (group_sep, dec_sep) = if locale == "es" { ('.', ',') } else { (',', '.') };
    let mut grouped = String::new();
    let w = whole.to_string();
    for (i, ch) in w.chars().enumerate() {
        if i > 0 && (w.len() - i).is_multiple_of(3) {
            grouped.push(group_sep);
        }
        grouped.push(ch);
    }
    let number = if digits == 0 { grouped } else { format!("{grouped}{dec_sep}{frac:0width$}", width = digits as usize) };
    let sign = if negative { "-" } else { "" };
    match (symbol(currency), locale) {
        (Some(s), "es") => format!("{sign}{number}\u{a0}{s}"),
        (Some(s), _) => format!("{sign}{s}{number}"),
        (None, _) => format!("{sign}{number}\u{a0}{currency}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shop_currencies_are_upper_case_iso_codes_and_others_are_refused() {
        assert!(SHOP_CURRENCIES.iter().all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase())));
        assert!(is_shop_currency("EUR") && is_shop_currency("MXN"));
        assert!(!is_shop_currency("eur") && !is_shop_currency("XYZ") && !is_shop_currency("BTC"));
    }

    #[test]
    fn formats_by_locale_and_currency() {
        let cases = [
            (2800, "USD", "en", "$28.00"),
            (123450, "USD", "en", "$1,234.50"),
            (5, "USD", "en", "$0.05"),
            (2800, "EUR", "es", "28,00\u{a0}€"),
            (123456789, "EUR", "es", "1.234.567,89\u{a0}€"),
            (2800, "EUR", "en", "€28.00"),
            (1500, "JPY", "en", "¥1,500"),
            (1234, "KWD", "en", "1.234\u{a0}KWD"),
            (-250, "USD", "en", "-$2.50"),
            (0, "CHF", "es", "0,00\u{a0}CHF"),
        ];
        for (amount, cur, loc, want) in cases {
            assert_eq!(format(amount, cur, loc), want, "{amount} {cur} {loc}");
        }
    }
}
