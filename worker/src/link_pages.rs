//! The pages behind the links the system hands out, until the dashboard exists: the
//! invitation link in the invitation email (`/admin/accept-invitation?token=…`, a form
//! that works without JavaScript), the billing return and renewal link (`/admin/billing`)
//! and the support link (`/support`) of the billing refusal and the device status answer.
//! Each answers 200 on the host the link names: a brand's host, or the platform's for
//! `/admin/billing` and `/support`.

use askama::Template;
use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;
use worker::{Env, Method, Request, Response};

use crate::body::read_form;
use crate::error::{body_response, AppError};
use crate::request::query_param;

/// Invitation form posts per client IP per minute: an existing account's password is
/// checked here, as the sign-in does.
const ACCEPTS_PER_MINUTE: i64 = 10;

/// The page's one inline style, allowed by its hash.
const STYLE: &str = "body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5 } \
label, input, button { display: block; margin: .5rem 0 } input { padding: .5rem; width: 100%; max-width: 24rem } \
button { padding: .5rem 1rem } .error { color: #a00000; font-weight: bold } .hint { color: #333; font-size: .95rem }";

#[derive(Template, Default)]
#[template(path = "plain_page.html")]
struct Page {
    title: String,
    style: &'static str,
    brand: String,
    error: Option<String>,
    paragraphs: Vec<String>,
    invitation_token: Option<String>,
    links: Vec<(String, String)>,
}

/// Paths served here on a brand's host. `/admin/billing` there is the dashboard's billing
/// screen (`http::dashboard`), which shows the checkout's outcome too.
pub fn on_brand_host(path: &str) -> bool {
    matches!(path, "/admin/accept-invitation" | "/support")
}

/// Paths served here on the platform's host.
pub fn on_platform_host(path: &str) -> bool {
    matches!(path, "/admin/billing" | "/support")
}

pub async fn brand(mut req: Request, env: &Env, config: &Config, brand: &BrandContext, path: &str) -> Result<Response, AppError> {
    match (req.method(), path) {
        (Method::Get | Method::Head, "/admin/accept-invitation") => {
            let token = query_param(&req, "token").filter(|t| !t.is_empty());
            Ok(invitation_form(brand, token, None, 200))
        }
        (Method::Post, "/admin/accept-invitation") => {
            crate::rate_limit::check(env, "accept_invitation_page", &crate::rate_limit::client_ip(&req), ACCEPTS_PER_MINUTE, 60).await?;
            let form = read_form(&mut req).await?;
            let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
            let token = field("token");
            match crate::account::accept_invitation(config, brand, &token, &field("password")).await {
                Ok(()) => Ok(page(
                    Page {
                        title: format!("Welcome to {}", brand.name),
                        paragraphs: vec![format!(
                            "You are now a member of {}. Sign in to its dashboard with your email and this password.",
                            brand.name
                        )],
                        ..Default::default()
                    },
                    200,
                )),
                Err(e) if matches!(e.status(), 401 | 404 | 409 | 410 | 422) => {
                    let why = match e.code() {
                        "invitation_not_found" => {
                            "This invitation link is not valid any more: it was used, revoked or has expired. Ask for a new one.".to_owned()
                        }
                        "invalid_credentials" => "That password does not match the account you already have here.".to_owned(),
                        code if code.starts_with("password_") => {
                            "Choose a longer password that mixes letters, digits and symbols.".to_owned()
                        }
                        code => format!("The invitation could not be accepted ({code})."),
                    };
                    Ok(invitation_form(brand, Some(token).filter(|t| !t.is_empty()), Some(why), e.status()))
                }
                Err(e) => Err(e),
            }
        }
        (Method::Get | Method::Head, "/admin/billing") => Ok(billing(&req, Some(brand))),
        (Method::Get | Method::Head, "/support") => support(config, Some(brand)).await,
        _ => Err(AppError::MethodNotAllowed),
    }
}

pub async fn platform(req: &Request, config: &Config, path: &str) -> Result<Response, AppError> {
    match (req.method(), path) {
        (Method::Get | Method::Head, "/admin/billing") => Ok(billing(req, None)),
        (Method::Get | Method::Head, "/support") => support(config, None).await,
        _ => Err(AppError::MethodNotAllowed),
    }
}

fn invitation_form(brand: &BrandContext, token: Option<String>, error: Option<String>, status: u16) -> Response {
    let paragraphs = match &token {
        Some(_) => vec![format!("You were invited to help run {}. Accept to join its team.", brand.name)],
        None => vec!["This page needs the link from your invitation email, with its token.".to_owned()],
    };
    page(
        Page {
            title: format!("Join {}", brand.name),
            brand: brand.name.clone(),
            error,
            paragraphs,
            invitation_token: token,
            ..Default::default()
        },
        status,
    )
}

/// Where Stripe sends the admin back (portal return, subscription checkout success or
/// cancel) and where a blocked brand or a device is sent to renew.
fn billing(req: &Request, brand: Option<&BrandContext>) -> Response {
    let outcome = match query_param(req, "checkout").as_deref() {
        Some("success") => Some("Thank you: your payment was received. The subscription shows as active within a minute."),
        Some("cancelled") => Some("The checkout was cancelled: nothing was charged."),
        _ => None,
    };
    let mut paragraphs: Vec<String> = outcome.map(str::to_owned).into_iter().collect();
    let links = match brand {
        Some(b) => {
            paragraphs.push(format!(
                "The subscription of {} (plan, payment method, invoices) is managed by its owner from the dashboard: \
                 sign in, then open Billing.",
                b.name
            ));
            vec![("/support".to_owned(), "Contact support".to_owned())]
        }
        None => {
            paragraphs.push(
                "A shop's subscription is managed by its owner from the shop's own dashboard: sign in on your shop's \
                             address (for example your-shop.example.com/admin), then open Billing."
                    .to_owned(),
            );
            vec![("/support".to_owned(), "Contact support".to_owned())]
        }
    };
    page(Page { title: "Billing".into(), paragraphs, links, ..Default::default() }, 200)
}

async fn support(config: &Config, brand: Option<&BrandContext>) -> Result<Response, AppError> {
    // the platform's contact, from its settings: no caller owns it (docs/architecture.md)
    let contact = crate::store::postgrest::rpc(config, DbClaims::service(), "support_contact", serde_json::json!({})).await?;
    let mut paragraphs = Vec::new();
    if let Some(b) = brand {
        paragraphs.push(format!("Questions about an order from {}? Look it up with its number and your email.", b.name));
    }
    let mut links = Vec::new();
    if brand.is_some() {
        links.push(("/orders".to_owned(), "Order status".to_owned()));
    }
    match contact.as_str().filter(|c| c.contains('@')) {
        Some(email) => {
            paragraphs.push("For help with the shop, its devices or its subscription, write to support:".to_owned());
            links.push((format!("mailto:{email}"), email.to_owned()));
        }
        None => paragraphs.push("For help with the shop, its devices or its subscription, write to the shop's owner.".to_owned()),
    }
    Ok(page(Page { title: "Support".into(), paragraphs, links, ..Default::default() }, 200))
}

fn page(mut p: Page, status: u16) -> Response {
    p.style = STYLE;
    match p.render() {
        Ok(body) => {
            let mut resp = body_response(body.into_bytes(), status, "text/html; charset=utf-8");
            let _ = resp.headers_mut().set("cache-control", "no-store");
            let _ = resp.headers_mut().set("content-security-policy", &shoal_domain::security_headers::html_csp(&[STYLE]));
            resp
        }
        Err(e) => AppError::Internal(format!("template: {e}")).into_response(),
    }
}
