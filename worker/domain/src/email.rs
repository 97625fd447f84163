//! Transactional emails: every template in English and Spanish, as text and HTML. The
//! outbox row names the template, the locale and the data; rendering happens at delivery.
//! A message carries both languages, the recipient's first, unless the sender's setting
//! (`brands.email_languages`, the platform's `email` setting) asks for the recipient's only.

use crate::money;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub const TEMPLATES: [&str; 19] = [
    "verification_code",
    "signup_attempt_notice",
    "password_reset",
    "email_change_code",
    "email_change_notice",
    "email_change_taken_notice",
    "mfa_changed",
    "password_changed",
    "member_invitation",
    "subscription_activated",
    "subscription_renewed",
    "subscription_canceled",
    "payment_failed",
    "refund_processed",
    "trial_ending",
    "payment_action_required",
    "order_confirmation",
    "order_shipped",
    "new_order_staff",
];

/// (subject, body) with `{placeholders}`; None for an unknown template.
fn source(template: &str, es: bool) -> Option<(&'static str, &'static str)> {
    Some(match (template, es) {
        ("verification_code", false) => ("Your {brand} verification code", "Your verification code is {code}. It expires in 15 minutes."),
        ("verification_code", true) => ("Tu código de verificación de {brand}", "Tu código de verificación es {code}. Caduca en 15 minutos."),
        // sign-up with an address that has an account: its owner is told, the requester is not
        ("signup_attempt_notice", false) => ("Someone tried to sign up with your email", "Someone asked to open a shop at {host} with this email address, which already has an account. Nothing was changed on your account. If it was you, sign in with your existing account or reset your password; if not, you can ignore this email."),
        ("signup_attempt_notice", true) => ("Alguien intentó registrarse con tu correo", "Alguien pidió abrir una tienda en {host} con esta dirección de correo, que ya tiene una cuenta. No se cambió nada en tu cuenta. Si fuiste tú, inicia sesión con tu cuenta o restablece tu contraseña; si no, puedes ignorar este correo."),
        ("password_reset", false) => ("Reset your {brand} password", "Use the code {code} to choose a new password. It expires in 15 minutes. If you did not ask for this, ignore this email."),
        ("password_reset", true) => ("Restablece tu contraseña de {brand}", "Usa el código {code} para elegir una contraseña nueva. Caduca en 15 minutos. Si no lo pediste, ignora este correo."),
        ("email_change_code", false) => ("Confirm your new email for {brand}", "Use the code {code} to confirm this address. It expires in 15 minutes."),
        ("email_change_code", true) => ("Confirma tu nuevo correo en {brand}", "Usa el código {code} para confirmar esta dirección. Caduca en 15 minutos."),
        ("email_change_notice", false) => ("Your {brand} email was changed", "The email of your account was changed to {new_email}. If this was not you, contact support at once."),
        ("email_change_notice", true) => ("Se cambió tu correo en {brand}", "El correo de tu cuenta se cambió a {new_email}. Si no fuiste tú, contacta con soporte enseguida."),
        // a change of email to an address that has an account: its owner is told, the requester is not
        ("email_change_taken_notice", false) => ("Someone tried to move an account to your email", "Someone signed in to {brand} asked to use this email address for their account. It already has an account, so nothing was changed. If it was you, sign in with that account instead; if not, you can ignore this email."),
        ("email_change_taken_notice", true) => ("Alguien intentó usar tu correo para otra cuenta", "Alguien con sesión en {brand} pidió usar esta dirección de correo para su cuenta. Ya tiene una cuenta, así que no se cambió nada. Si fuiste tú, inicia sesión con esa cuenta; si no, puedes ignorar este correo."),
        ("mfa_changed", false) => ("Two-step sign-in changed on your {brand} account", "The two-step sign-in (authenticator app) of your account was just turned on, replaced or turned off. If this was not you, reset your password and contact support at once."),
        ("mfa_changed", true) => ("Cambió la verificación en dos pasos de tu cuenta de {brand}", "Se acaba de activar, sustituir o desactivar la verificación en dos pasos (app de autenticación) de tu cuenta. Si no fuiste tú, restablece tu contraseña y contacta con soporte enseguida."),
        ("password_changed", false) => ("Your {brand} password was changed", "The password of your account was just changed, and your other sessions were signed out. If this was not you, reset your password and contact support at once."),
        ("password_changed", true) => ("Se cambió tu contraseña de {brand}", "Se acaba de cambiar la contraseña de tu cuenta y se cerraron tus otras sesiones. Si no fuiste tú, restablece tu contraseña y contacta con soporte enseguida."),
        ("member_invitation", false) => ("You are invited to {brand}", "You have been invited to join {brand} as {role}. Accept here: {invite_url}"),
        ("member_invitation", true) => ("Te han invitado a {brand}", "Te han invitado a unirte a {brand} como {role}. Acepta aquí: {invite_url}"),
        // the first paid invoice of a subscription; later ones are renewals
        ("subscription_activated", false) => ("Your {brand} subscription is active", "Thank you! Your {plan} plan is active. The current period ends on {period_end}."),
        ("subscription_activated", true) => ("Tu suscripción de {brand} está activa", "¡Gracias! Tu plan {plan} está activo. El periodo actual termina el {period_end}."),
        ("subscription_renewed", false) => ("Your {brand} subscription was renewed", "Thank you! We received your payment and your {plan} plan was renewed until {period_end}."),
        ("subscription_renewed", true) => ("Se renovó tu suscripción de {brand}", "¡Gracias! Recibimos tu pago y tu plan {plan} se renovó hasta el {period_end}."),
        ("subscription_canceled", false) => ("Your {brand} subscription was canceled", "Your {plan} plan was canceled. You can subscribe again at any time."),
        ("subscription_canceled", true) => ("Se canceló tu suscripción de {brand}", "Tu plan {plan} se canceló. Puedes volver a suscribirte cuando quieras."),
        ("payment_failed", false) => ("Payment failed for {brand}", "We could not charge your subscription. Please update your payment method before {grace_period_ends_at} to keep your shop open: {invoice_url}"),
        ("payment_failed", true) => ("Falló el pago de {brand}", "No pudimos cobrar tu suscripción. Actualiza tu método de pago antes del {grace_period_ends_at} para mantener tu tienda abierta: {invoice_url}"),
        ("refund_processed", false) => ("Your refund from {brand}", "We refunded {amount}. It can take a few days to appear on your statement."),
        ("refund_processed", true) => ("Tu reembolso de {brand}", "Te reembolsamos {amount}. Puede tardar unos días en aparecer en tu extracto."),
        ("trial_ending", false) => ("Your {brand} trial ends soon", "Your trial ends on {trial_end}. Add a payment method to keep your shop running."),
        ("trial_ending", true) => ("Tu prueba de {brand} termina pronto", "Tu prueba termina el {trial_end}. Añade un método de pago para que tu tienda siga funcionando."),
        ("payment_action_required", false) => ("Action needed for your {brand} payment", "Your bank asks you to confirm the payment: {invoice_url}"),
        ("payment_action_required", true) => ("Acción necesaria para tu pago de {brand}", "Tu banco te pide que confirmes el pago: {invoice_url}"),
        ("order_confirmation", false) => ("{brand}: order {order_number} confirmed", "Thank you for your order {order_number}. We received {amount} and will let you know when it ships."),
        ("order_confirmation", true) => ("{brand}: pedido {order_number} confirmado", "Gracias por tu pedido {order_number}. Recibimos {amount} y te avisaremos cuando salga."),
        ("order_shipped", false) => ("{brand}: order {order_number} shipped", "Your order {order_number} is on its way. Tracking number: {tracking_number}."),
        ("order_shipped", true) => ("{brand}: pedido {order_number} enviado", "Tu pedido {order_number} está en camino. Número de seguimiento: {tracking_number}."),
        // to each staff member who asked for it (PATCH /api/v1/account/notifications)
        ("new_order_staff", false) => ("{brand}: new order {order_number}", "A new order {order_number} was paid: {amount}. Open the dashboard to fulfil it."),
        ("new_order_staff", true) => ("{brand}: nuevo pedido {order_number}", "Se pagó un nuevo pedido {order_number}: {amount}. Abre el panel para prepararlo."),
        _ => return None,
    })
}

/// Fills every `{name}` of `source` in one pass over the template: a value is copied as
/// it is and never read again, so a value holding `{code}` cannot expand another
/// placeholder or be swallowed. Unknown or missing names become "—".
fn fill(source: &str, values: &[(String, String)]) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if after[..close].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') => {
                let name = &after[..close];
                match values.iter().rev().find(|(k, _)| k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => out.push('—'),
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A header value from data: no CR, LF or other control characters (header injection).
pub fn header_text(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_owned()
}

/// `"Display Name" <address>` per RFC 5322: the name as a quoted string (`\` and `"`
/// escaped), stripped of control characters, so a brand name cannot add headers or
/// addresses.
pub fn from_header(display_name: &str, address: &str) -> String {
    let name = header_text(display_name).replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{name}\" <{}>", header_text(address))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The languages a message carries: the sender's setting (a brand's `email_languages` for
/// its shopper and staff mail, the platform's for sign-up and billing mail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Languages {
    /// Spanish and English in one message, the recipient's language first (the default).
    Both,
    /// The recipient's language only.
    Recipient,
}

impl Languages {
    /// The setting as stored; anything but `recipient` (absent included) is the default.
    pub fn parse(setting: Option<&str>) -> Self {
        match setting {
            Some("recipient") => Self::Recipient,
            _ => Self::Both,
        }
    }
}

/// One language's rendering of a template.
struct Part {
    lang: &'static str,
    subject: String,
    text: String,
    /// each link of the message (a `*_url` value) as HTML paragraphs, http(s) only
    links: String,
}

fn part(template: &str, es: bool, brand: &str, payload: &serde_json::Value) -> Option<Part> {
    let (subject, body) = source(template, es)?;
    let lang = if es { "es" } else { "en" };
    let mut values = vec![("brand".to_owned(), brand.to_owned())];
    if let Some(obj) = payload.as_object() {
        for (k, v) in obj {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => continue,
                other => other.to_string(),
            };
            values.push((k.clone(), text));
        }
    }
    if let (Some(amount), Some(currency)) = (payload["amount"].as_i64(), payload["currency"].as_str()) {
        values.retain(|(k, _)| k != "amount");
        values.push(("amount".into(), money::format(amount, currency, lang)));
    }
    // one pass from the original template; the subject is a header, so no line breaks
    let subject = header_text(&fill(subject, &values));
    let text = fill(body, &values);
    let links: String = values
        .iter()
        .filter(|(k, v)| {
            k.ends_with("_url") && (v.starts_with("https://") || v.starts_with("http://")) && body.contains(&format!("{{{k}}}"))
        })
        .map(|(_, v)| format!("<p><a href=\"{}\">{}</a></p>", escape(v), escape(v)))
        .collect();
    Some(Part { lang, subject, text, links })
}

fn html_section(p: &Part) -> String {
    format!(
        "<section lang=\"{}\"><h1 style=\"font-size: 1.2rem\">{}</h1><p>{}</p>{}</section>",
        p.lang,
        escape(&p.subject),
        escape(&p.text),
        p.links
    )
}

/// Renders `template` for `locale` (`es` or English) only, with the brand's name and the
/// outbox payload. Missing payload values render as "—" rather than leaving a placeholder.
pub fn render(template: &str, locale: &str, brand: &str, payload: &serde_json::Value) -> Option<Email> {
    render_in(template, locale, Languages::Recipient, brand, payload)
}

/// Renders `template` in `languages`, the recipient's `locale` first. Both languages: the
/// subjects joined by " · ", the texts as two blocks with a rule and the second language
/// named between them, the HTML as two `<section lang>`.
pub fn render_in(template: &str, locale: &str, languages: Languages, brand: &str, payload: &serde_json::Value) -> Option<Email> {
    let es = locale == "es";
    let first = part(template, es, brand, payload)?;
    let second = match languages {
        Languages::Both => Some(part(template, !es, brand, payload)?),
        Languages::Recipient => None,
    };
    let (subject, text, sections) = match &second {
        None => (first.subject.clone(), first.text.clone(), html_section(&first)),
        Some(other) => {
            let heading = if other.lang == "es" { "En español" } else { "In English" };
            (
                header_text(&format!("{} · {}", first.subject, other.subject)),
                format!("{}\n\n----------------------------------------\n{heading}:\n\n{}", first.text, other.text),
                format!("{}<hr>{}", html_section(&first), html_section(other)),
            )
        }
    };
    let html = format!(
        "<!doctype html><html lang=\"{}\"><body style=\"font-family: system-ui, sans-serif\">{sections}<p style=\"color: #777\">{}</p></body></html>",
        first.lang,
        escape(brand)
    );
    Some(Email { subject, text, html })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn payload() -> serde_json::Value {
        json!({"code": "123456", "new_email": "new@example.com", "role": "editor", "invite_url": "https://x/i",
               "plan": "starter", "grace_period_ends_at": "2026-12-01", "invoice_url": "https://x/inv",
               "amount": 1250, "currency": "EUR", "trial_end": "2026-12-03", "order_number": 1001,
               "tracking_number": "1Z", "host": "new.shoal.example", "period_end": "2026-12-31"})
    }

    #[test]
    fn every_template_renders_in_each_language_alone_with_nothing_missing() {
        for t in TEMPLATES {
            let en = render(t, "en", "Acme", &payload()).unwrap_or_else(|| panic!("{t} en"));
            let es = render(t, "es", "Acme", &payload()).unwrap_or_else(|| panic!("{t} es"));
            for e in [&en, &es] {
                assert!(!e.subject.is_empty() && !e.text.is_empty(), "{t}");
                assert!(!e.subject.contains('{') && !e.text.contains('{') && !e.text.contains('—'), "{t}: {e:?}");
                assert!(e.html.contains(&escape(&e.text)), "{t}");
            }
            assert_ne!(en.subject, es.subject, "{t} is translated");
        }
    }

    #[test]
    fn every_template_renders_in_both_languages_in_one_message_recipients_first() {
        for t in TEMPLATES {
            for (locale, other) in [("en", "es"), ("es", "en")] {
                let both = render_in(t, locale, Languages::Both, "Acme", &payload()).unwrap_or_else(|| panic!("{t} {locale}"));
                let mine = render(t, locale, "Acme", &payload()).unwrap_or_else(|| panic!("{t} {locale}"));
                let theirs = render(t, other, "Acme", &payload()).unwrap_or_else(|| panic!("{t} {other}"));
                // nothing missing: no placeholder, no "—" for an absent value, no template key
                for field in [&both.subject, &both.text, &both.html] {
                    assert!(
                        !field.contains('{') && !field.contains('}') && !field.contains('—') && !field.contains(t),
                        "{t} {locale}: {field}"
                    );
                }
                assert!(!both.subject.contains('\n'), "{t}");
                // both languages, the recipient's first
                assert_eq!(both.subject, format!("{} · {}", mine.subject, theirs.subject), "{t} {locale}");
                assert!(both.text.starts_with(&mine.text) && both.text.ends_with(&theirs.text), "{t} {locale}: {}", both.text);
                assert!(both.text.contains(if other == "es" { "\nEn español:\n" } else { "\nIn English:\n" }), "{t}: {}", both.text);
                let first =
                    both.html.find(&format!("<section lang=\"{locale}\">")).unwrap_or_else(|| panic!("{t} {locale}: {}", both.html));
                let second = both.html.find(&format!("<section lang=\"{other}\">")).unwrap_or_else(|| panic!("{t} {other}: {}", both.html));
                assert!(first < second, "{t}");
                assert!(both.html.starts_with(&format!("<!doctype html><html lang=\"{locale}\">")), "{t}");
                assert!(both.html.contains(&escape(&mine.text)) && both.html.contains(&escape(&theirs.text)), "{t}");
            }
        }
    }

    #[test]
    fn the_recipient_setting_renders_one_language_and_anything_else_both() {
        assert_eq!(Languages::parse(Some("recipient")), Languages::Recipient);
        for setting in [None, Some("both"), Some("nonsense")] {
            assert_eq!(Languages::parse(setting), Languages::Both, "{setting:?}");
        }
        let one = render_in("verification_code", "es", Languages::Recipient, "Acme", &payload()).unwrap_or_else(|| panic!("render"));
        assert_eq!(one.subject, "Tu código de verificación de Acme");
        assert!(!one.text.contains("verification") && !one.html.contains("lang=\"en\""), "{one:?}");
        let both = render_in("verification_code", "es", Languages::Both, "Acme", &payload()).unwrap_or_else(|| panic!("render"));
        assert_eq!(both.subject, "Tu código de verificación de Acme · Your Acme verification code");
        // each language formats amounts its own way
        let refund = render_in("refund_processed", "en", Languages::Both, "Acme", &payload()).unwrap_or_else(|| panic!("render"));
        assert!(refund.text.contains("€12.50") && refund.text.contains("12,50\u{a0}€"), "{}", refund.text);
    }

    #[test]
    fn amounts_are_formatted_for_the_language_and_values_escaped_in_html() {
        let es = render("refund_processed", "es", "Globex", &payload()).unwrap_or_else(|| panic!("render"));
        assert!(es.text.contains("12,50\u{a0}€"), "{}", es.text);
        let evil =
            render("email_change_notice", "en", "A<b>", &json!({"new_email": "<script>x</script>"})).unwrap_or_else(|| panic!("render"));
        assert!(evil.html.contains("&lt;script&gt;") && !evil.html.contains("<script>"));
        assert!(evil.html.contains("A&lt;b&gt;"));
    }

    #[test]
    fn placeholders_are_filled_in_one_pass_so_values_cannot_expand_others() {
        let e = render("email_change_notice", "en", "Acme", &json!({"new_email": "{code}@evil.com", "code": "123456"}))
            .unwrap_or_else(|| panic!("render"));
        assert!(e.text.contains("changed to {code}@evil.com."), "{}", e.text);
        let hidden = render("email_change_notice", "en", "Acme", &json!({"new_email": "{x}@evil.com"})).unwrap_or_else(|| panic!("render"));
        assert!(hidden.text.contains("{x}@evil.com") && !hidden.text.contains('—'), "{}", hidden.text);
        let brand = render("verification_code", "en", "{code}", &json!({"code": "999999"})).unwrap_or_else(|| panic!("render"));
        assert_eq!(brand.subject, "Your {code} verification code");
    }

    #[test]
    fn the_from_header_quotes_the_name_and_drops_line_breaks() {
        assert_eq!(from_header("Acme Outfitters", "shop@shoal.example"), "\"Acme Outfitters\" <shop@shoal.example>");
        let evil = from_header("Evil\r\nBcc: victim@example.com, \"x\" <a@b>", "shop@shoal.example");
        assert!(!evil.contains('\r') && !evil.contains('\n'), "{evil}");
        assert_eq!(evil, "\"Evil  Bcc: victim@example.com, \\\"x\\\" <a@b>\" <shop@shoal.example>");
        let subject = render("verification_code", "en", "A\r\nBcc: x@y", &json!({"code": "1"})).unwrap_or_else(|| panic!("render"));
        assert!(!subject.subject.contains('\n'), "{}", subject.subject);
    }

    #[test]
    fn links_in_a_message_are_clickable_in_html_and_only_http_ones() {
        let invite = render(
            "member_invitation",
            "en",
            "Acme",
            &json!({"role": "editor", "invite_url": "https://acme.example/admin/accept-invitation?token=a&b"}),
        );
        let html = invite.map(|e| e.html).unwrap_or_default();
        assert!(html.contains("<a href=\"https://acme.example/admin/accept-invitation?token=a&amp;b\">"), "{html}");
        let evil =
            render("member_invitation", "en", "Acme", &json!({"invite_url": "javascript:alert(1)"})).map(|e| e.html).unwrap_or_default();
        assert!(!evil.contains("href"), "{evil}");
        let code = render("verification_code", "en", "Acme", &json!({"code": "123456", "invite_url": "https://x/i"}))
            .map(|e| e.html)
            .unwrap_or_default();
        assert!(!code.contains("href"), "a link the template does not name is not added: {code}");
    }

    #[test]
    fn missing_values_never_leave_placeholders_and_unknown_templates_are_none() {
        let e = render("order_shipped", "en", "Acme", &json!({})).unwrap_or_else(|| panic!("render"));
        assert!(!e.text.contains('{') && e.text.contains('—'));
        assert!(render("no_such_template", "en", "Acme", &json!({})).is_none());
    }
}
