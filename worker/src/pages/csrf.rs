//! CSRF tokens for the storefront's form posts, stateless and working without JavaScript
//! (double submit, signed): the browser holds a random value in an HttpOnly cookie, each
//! form carries `csrf` = that value signed with the project secret for this brand. A post
//! is accepted only when the field's signature holds and names the cookie's value. Another
//! site can neither read the cookie nor sign a value of its own; a cookie planted from a
//! sibling host (`Domain=` tossing) has no token it matches, and `__Host-` refuses those.

use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::keys::Purpose;
use shoal_domain::signed_id;
use worker::{Request, Response};

use crate::error::AppError;

pub const COOKIE: &str = "__Host-shoal_csrf";
pub const FIELD: &str = "csrf";
const MAX_AGE: u32 = 30 * 24 * 3600;

fn scope(brand: &BrandContext) -> String {
    format!("csrf:{}", brand.id)
}

fn cookie_value(req: &Request) -> Option<String> {
    let cookies = req.headers().get("cookie").ok().flatten()?;
    let value = cookies.split(';').filter_map(|c| c.trim().split_once('=')).find(|(k, _)| *k == COOKIE)?.1;
    // 32 hex characters, as issued; anything else is treated as absent
    (value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit())).then(|| value.to_owned())
}

/// The browser's CSRF value: from its cookie, or a new one (`true`: set the cookie).
pub struct Csrf {
    value: String,
    fresh: bool,
}

impl Csrf {
    pub fn of(req: &Request) -> Result<Csrf, AppError> {
        Ok(match cookie_value(req) {
            Some(value) => Csrf { value, fresh: false },
            None => {
                let value = crate::random::bytes::<16>()?.iter().map(|b| format!("{b:02x}")).collect();
                Csrf { value, fresh: true }
            }
        })
    }

    /// The form field's value for this browser.
    pub fn token(&self, config: &Config, brand: &BrandContext) -> String {
        signed_id::sign(&config.keys.signing(Purpose::Csrf), &scope(brand), &self.value)
    }

    /// Sets the cookie on a page that carries a token made from a new value.
    pub fn set_cookie_if_new(&self, resp: &mut Response) {
        if self.fresh {
            let cookie = format!("{COOKIE}={}; Path=/; Max-Age={MAX_AGE}; HttpOnly; Secure; SameSite=Lax", self.value);
            let _ = resp.headers_mut().append("set-cookie", &cookie);
        }
    }
}

/// 403 `csrf_token_invalid` unless the form's token is this browser's.
pub fn verify(req: &Request, config: &Config, brand: &BrandContext, form: &[(String, String)]) -> Result<(), AppError> {
    let refused = || AppError::Refused { status: 403, code: "csrf_token_invalid".into(), detail: None };
    let cookie = cookie_value(req).ok_or_else(refused)?;
    let token = form.iter().find(|(k, _)| k == FIELD).map(|(_, v)| v.as_str()).ok_or_else(refused)?;
    match config.keys.verify(Purpose::Csrf, |key| signed_id::verify(key, &scope(brand), token)) {
        Some(value) if value == cookie => Ok(()),
        _ => Err(refused()),
    }
}
