//! The worker's one error type. Every failure a client can see is one of these, with a
//! stable snake_case code; the HTTP mapping lives here and nowhere else.

use shoal_domain::host::HostError;
use shoal_domain::stripe_signature::SignatureError;
use worker::Response;

#[derive(Debug)]
pub enum AppError {
    InvalidHost(HostError),
    UnknownHost,
    BrandUnavailable,
    NotFound,
    MethodNotAllowed,
    /// An API path the route table (`shoal_domain::api_routes`) does not hold.
    NoRoute,
    /// A routed API path asked with a method it does not take: the `Allow` header's value.
    WrongMethod(String),
    /// A path and method the route table holds but no handler answers: a bug (logged).
    RouteNotHandled(String),
    /// A request the client must fix; the code names what is wrong.
    BadRequest(&'static str, String),
    /// A well-formed value the rules refuse (422), its message naming the field first as
    /// `invalid_field`'s do (`theme.text: contrast 1.61:1 …`), so clients map it to a field.
    InvalidValue(&'static str, String),
    PayloadTooLarge,
    Signature(SignatureError),
    /// A verified webhook could not be applied: 500 so that Stripe retries it later.
    WebhookNotApplied(String),
    /// The database refused on purpose (not found, forbidden transition, invalid value).
    Refused {
        status: u16,
        code: String,
        detail: Option<String>,
    },
    Unauthorized,
    Forbidden,
    /// The brand's subscription is blocked (`shoal_domain::billing::BillingState::blocked_at`).
    PaymentRequired(serde_json::Value),
    /// Too many requests of this kind from this client; seconds until it may retry.
    RateLimited(i64),
    /// Stripe's API refused or failed; nothing was changed on our side.
    Stripe(String),
    /// The worker's own configuration is unusable (details are logged, never shown).
    Config,
    /// The database (PostgREST) could not answer.
    DatabaseUnavailable(String),
    /// PostgREST or Supabase's gateway refused the worker's token or API key (401): a key
    /// the project does not hold. An operator's problem; details are logged, never shown.
    DatabaseUnauthorized(String),
    /// Anything else that went wrong inside the worker; the detail is logged only.
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::InvalidHost(_) | AppError::BadRequest(..) => 400,
            AppError::InvalidValue(..) => 422,
            AppError::Signature(SignatureError::NoSecretConfigured) => 500,
            AppError::Signature(_) => 400,
            AppError::PayloadTooLarge => 413,
            AppError::Refused { status, .. } => *status,
            AppError::Unauthorized => 401,
            AppError::Forbidden => 403,
            AppError::PaymentRequired(_) => 402,
            AppError::Stripe(_) => 502,
            AppError::RateLimited(_) => 429,
            AppError::WebhookNotApplied(_) => 500,
            AppError::UnknownHost | AppError::NotFound | AppError::NoRoute => 404,
            AppError::MethodNotAllowed | AppError::WrongMethod(_) => 405,
            AppError::Config | AppError::Internal(_) | AppError::RouteNotHandled(_) => 500,
            AppError::BrandUnavailable | AppError::DatabaseUnavailable(_) | AppError::DatabaseUnauthorized(_) => 503,
        }
    }

    pub fn code(&self) -> &str {
        match self {
            AppError::Refused { code, .. } => code,
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::PaymentRequired(_) => "subscription_blocked",
            AppError::Stripe(_) => "payment_provider_error",
            AppError::RateLimited(_) => "rate_limited",
            AppError::InvalidHost(_) => "invalid_host",
            AppError::BadRequest(code, _) | AppError::InvalidValue(code, _) => code,
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::Signature(e) => e.code(),
            AppError::WebhookNotApplied(_) => "webhook_not_applied",
            AppError::UnknownHost => "unknown_host",
            AppError::BrandUnavailable => "brand_unavailable",
            AppError::NotFound => "not_found",
            AppError::MethodNotAllowed | AppError::WrongMethod(_) => "method_not_allowed",
            AppError::NoRoute => "no_route",
            AppError::RouteNotHandled(_) => "route_not_handled",
            AppError::Config => "config_invalid",
            AppError::DatabaseUnavailable(_) => "database_unavailable",
            AppError::DatabaseUnauthorized(_) => "database_unauthorized",
            AppError::Internal(_) => "internal_error",
        }
    }

    fn message(&self) -> String {
        match self {
            AppError::InvalidHost(e) => e.to_string(),
            AppError::BadRequest(_, why) | AppError::InvalidValue(_, why) => why.clone(),
            AppError::PayloadTooLarge => "the request body is too large".into(),
            AppError::Refused { code, detail, .. } => match detail {
                Some(d) => format!("{} ({d})", code.replace('_', " ")),
                None => code.replace('_', " "),
            },
            AppError::Unauthorized => "a valid bearer token is required".into(),
            AppError::Forbidden => "this token may not do that".into(),
            AppError::PaymentRequired(_) => "the brand's subscription is inactive; renew it to continue".into(),
            AppError::Stripe(_) => "the payment provider could not complete the request".into(),
            AppError::RateLimited(secs) => format!("too many requests; retry in {secs} s"),
            AppError::Signature(SignatureError::NoSecretConfigured) => "no webhook secret is configured".into(),
            AppError::Signature(e) => format!("the Stripe-Signature header does not verify ({})", e.code()),
            AppError::WebhookNotApplied(_) => "the event could not be applied now; retry later".into(),
            AppError::UnknownHost => "no shop is served on this host".into(),
            AppError::BrandUnavailable => "this shop is temporarily unavailable".into(),
            AppError::NotFound => "no such resource".into(),
            AppError::MethodNotAllowed => "method not allowed on this resource".into(),
            AppError::WrongMethod(allow) => format!("method not allowed on this resource (allowed: {allow})"),
            AppError::NoRoute => "no such API route (the routes: /api/v1/openapi.json)".into(),
            AppError::RouteNotHandled(_) => "this route is not answered yet".into(),
            AppError::Config => "the service is misconfigured".into(),
            AppError::DatabaseUnavailable(_) => "the database is unavailable, retry shortly".into(),
            AppError::DatabaseUnauthorized(_) => "the service cannot reach its database right now".into(),
            AppError::Internal(_) => "internal error".into(),
        }
    }

    /// `400 invalid_field` naming the request body's field and what is wrong with it.
    pub fn invalid_field(field: &str, why: &str) -> AppError {
        AppError::BadRequest("invalid_field", format!("{field}: {why}"))
    }

    /// The message a client may read (never internal details).
    pub fn public_message(&self) -> String {
        self.message()
    }

    /// What goes to the log but never to the client.
    pub fn detail(&self) -> Option<&str> {
        match self {
            AppError::DatabaseUnavailable(d)
            | AppError::DatabaseUnauthorized(d)
            | AppError::Internal(d)
            | AppError::RouteNotHandled(d)
            | AppError::WebhookNotApplied(d)
            | AppError::Stripe(d) => Some(d),
            _ => None,
        }
    }

    pub fn into_response(self) -> Response {
        let mut body = serde_json::json!({"error": {"code": self.code(), "message": self.message()}});
        if let AppError::PaymentRequired(details) = &self {
            body["error"]["details"] = details.clone();
        }
        let mut resp = json_response(&body, self.status());
        if self.status() == 503 {
            let _ = resp.headers_mut().set("retry-after", "5");
        }
        if let AppError::WrongMethod(allow) = &self {
            let _ = resp.headers_mut().set("allow", allow);
        }
        if let AppError::RateLimited(secs) = self {
            let _ = resp.headers_mut().set("retry-after", &secs.to_string());
        }
        resp
    }
}

impl From<worker::Error> for AppError {
    fn from(e: worker::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

/// Builds a response with a body and content type; infallible, so no status is ever lost.
pub fn body_response(body: Vec<u8>, status: u16, content_type: &str) -> Response {
    let mut resp = Response::builder().with_status(status).fixed(body);
    // header names and values here are constants: set() cannot fail on them
    let _ = resp.headers_mut().set("content-type", content_type);
    resp
}

/// A handler's typed answer as JSON; a body that cannot serialise is an internal error.
pub fn json_ok(body: &impl serde::Serialize, status: u16) -> Result<Response, AppError> {
    let bytes = serde_json::to_vec(body).map_err(|e| AppError::Internal(format!("answer not serialisable: {e}")))?;
    Ok(body_response(bytes, status, "application/json; charset=utf-8"))
}

pub fn json_response(body: &impl serde::Serialize, status: u16) -> Response {
    // a typed body always serialises (no maps with non-string keys); empty only if not
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    body_response(bytes, status, "application/json; charset=utf-8")
}
