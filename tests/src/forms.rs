//! A browser's form posts to the server-rendered storefront: it keeps the cookies it is
//! given (cart, CSRF), sends `Origin` like a browser does, and posts the CSRF token the
//! page carried.

use crate::{send, Reply};

pub struct Browser {
    pub host: String,
    pub ip: String,
    /// `name=value` of each cookie held.
    pub cookies: Vec<(String, String)>,
    /// The `csrf` field of the last page with a form.
    pub token: Option<String>,
}

impl Browser {
    pub fn new(host: &str) -> Browser {
        Browser { host: host.to_owned(), ip: crate::fresh_ip(), cookies: Vec::new(), token: None }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn keep(&mut self, r: &Reply) {
        for value in r.headers.get_all("set-cookie") {
            let v = value.to_str().unwrap_or_default();
            if let Some((name, rest)) = v.split_once('=') {
                let val = rest.split(';').next().unwrap_or_default().to_owned();
                self.cookies.retain(|(k, _)| k != name);
                self.cookies.push((name.to_owned(), val));
            }
        }
        if let Some(t) = csrf_field(&r.body) {
            self.token = Some(t);
        }
    }

    pub fn get(&mut self, path: &str) -> Reply {
        let cookie = self.cookie_header();
        let r = send("GET", &self.host, path, &[("cf-connecting-ip", &self.ip), ("cookie", &cookie)], None);
        self.keep(&r);
        r
    }

    /// A form post with `fields` and the page's token, from `origin` (None: no Origin).
    pub fn post_from(&mut self, origin: Option<&str>, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut pairs: Vec<String> = self.token.iter().map(|t| format!("csrf={}", encode(t))).collect();
        pairs.extend(fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))));
        let body = pairs.join("&");
        let cookie = self.cookie_header();
        let mut headers = vec![
            ("cf-connecting-ip", self.ip.as_str()),
            ("cookie", cookie.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
        ];
        if let Some(o) = origin {
            headers.push(("origin", o));
        }
        let r = send("POST", &self.host, path, &headers, Some(body));
        self.keep(&r);
        r
    }

    /// A same-origin form post, as the shop's own page sends it.
    pub fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let origin = format!("http://{}", self.host);
        self.post_from(Some(&origin), path, fields)
    }
}

/// The value of the page's hidden `csrf` input.
pub fn csrf_field(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().map(str::to_owned)
}

/// `application/x-www-form-urlencoded` encoding of one name or value.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => (b as char).to_string(),
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
