//! Storefront strings in English and Spanish. One struct, so a missing translation is a
//! compile error rather than an empty label.

#[derive(Debug)]
pub struct Strings {
    pub lang: &'static str,
    pub home: &'static str,
    pub search: &'static str,
    pub search_placeholder: &'static str,
    pub search_results_for: &'static str,
    pub no_results: &'static str,
    pub cart: &'static str,
    pub cart_empty: &'static str,
    pub add_to_cart: &'static str,
    pub quantity: &'static str,
    pub update: &'static str,
    pub remove: &'static str,
    pub subtotal: &'static str,
    pub email: &'static str,
    pub checkout: &'static str,
    pub in_stock: &'static str,
    pub out_of_stock: &'static str,
    pub from: &'static str,
    pub next_page: &'static str,
    pub all_products: &'static str,
    pub variant: &'static str,
    pub thank_you: &'static str,
    pub order_received: &'static str,
    pub checkout_cancelled: &'static str,
    pub back_to_cart: &'static str,
    /// The checkout form of a brand whose payments are not set up (`payments_not_ready`).
    pub payments_not_ready: &'static str,
    /// Where Stripe's Connect onboarding sends a brand admin back (return, expired link).
    pub payments_setup: &'static str,
    pub payments_returned: &'static str,
    pub payments_link_expired: &'static str,
    pub order_status: &'static str,
    pub order_number: &'static str,
    pub look_up: &'static str,
    pub order_not_found: &'static str,
    pub status: &'static str,
    pub payment: &'static str,
    pub tracking: &'static str,
    pub total: &'static str,
    pub page_not_found: &'static str,
    pub error_title: &'static str,
    pub tagline: &'static str,
    /// The legal pages' titles (footer links and headings).
    pub privacy: &'static str,
    pub terms: &'static str,
    pub returns: &'static str,
}

pub const EN: Strings = Strings {
    lang: "en",
    home: "Home",
    search: "Search",
    search_placeholder: "Search products",
    search_results_for: "Results for",
    no_results: "Nothing matches your search.",
    cart: "Cart",
    cart_empty: "Your cart is empty.",
    add_to_cart: "Add to cart",
    quantity: "Quantity",
    update: "Update",
    remove: "Remove",
    subtotal: "Subtotal",
    email: "Email",
    checkout: "Check out",
    in_stock: "In stock",
    out_of_stock: "Out of stock",
    from: "from",
    next_page: "More products",
    all_products: "All products",
    variant: "Option",
    thank_you: "Thank you!",
    order_received: "We received your order. A confirmation is on its way to your inbox.",
    checkout_cancelled: "Checkout was cancelled; your cart is still here.",
    back_to_cart: "Back to cart",
    payments_not_ready: "This shop can't take payments yet. Your cart is kept: please try again later.",
    payments_setup: "Payments setup",
    payments_returned: "You are back from Stripe. The shop takes payments as soon as Stripe confirms the account; the admin's payments page shows its state.",
    payments_link_expired: "This Stripe setup link has expired or was already used. Ask for a new one from the admin's payments page.",
    order_status: "Order status",
    order_number: "Order number",
    look_up: "Look up",
    order_not_found: "No order matches that number and email.",
    status: "Status",
    payment: "Payment",
    tracking: "Tracking number",
    total: "Total",
    page_not_found: "This page does not exist.",
    error_title: "Something went wrong",
    tagline: "Thoughtful goods, shipped with care.",
    privacy: "Privacy policy",
    terms: "Terms of service",
    returns: "Returns",
};

pub const ES: Strings = Strings {
    lang: "es",
    home: "Inicio",
    search: "Buscar",
    search_placeholder: "Buscar productos",
    search_results_for: "Resultados para",
    no_results: "Ningún producto coincide con tu búsqueda.",
    cart: "Carrito",
    cart_empty: "Tu carrito está vacío.",
    add_to_cart: "Añadir al carrito",
    quantity: "Cantidad",
    update: "Actualizar",
    remove: "Quitar",
    subtotal: "Subtotal",
    email: "Correo electrónico",
    checkout: "Pagar",
    in_stock: "Disponible",
    out_of_stock: "Agotado",
    from: "desde",
    next_page: "Más productos",
    all_products: "Todos los productos",
    variant: "Opción",
    thank_you: "¡Gracias!",
    order_received: "Hemos recibido tu pedido. Te enviamos la confirmación por correo.",
    checkout_cancelled: "Se canceló el pago; tu carrito sigue aquí.",
    back_to_cart: "Volver al carrito",
    payments_not_ready: "Esta tienda aún no puede cobrar. Tu carrito se conserva: inténtalo más tarde.",
    payments_setup: "Configuración de pagos",
    payments_returned:
        "Has vuelto de Stripe. La tienda cobrará en cuanto Stripe confirme la cuenta; la página de pagos del panel muestra su estado.",
    payments_link_expired: "Este enlace de configuración de Stripe caducó o ya se usó. Pide uno nuevo desde la página de pagos del panel.",
    order_status: "Estado del pedido",
    order_number: "Número de pedido",
    look_up: "Consultar",
    order_not_found: "Ningún pedido coincide con ese número y correo.",
    status: "Estado",
    payment: "Pago",
    tracking: "Número de seguimiento",
    total: "Total",
    page_not_found: "Esta página no existe.",
    error_title: "Algo salió mal",
    tagline: "Productos pensados con cariño, enviados con cuidado.",
    privacy: "Política de privacidad",
    terms: "Condiciones de servicio",
    returns: "Devoluciones",
};

pub fn strings(locale: &str) -> &'static Strings {
    match locale {
        "es" => &ES,
        _ => &EN,
    }
}

/// Order and payment statuses as shoppers read them.
pub fn status_label(locale: &str, status: &str) -> &'static str {
    let es = locale == "es";
    match (status, es) {
        ("pending", false) => "Awaiting payment",
        ("pending", true) => "Pendiente de pago",
        ("paid", false) => "Paid",
        ("paid", true) => "Pagado",
        ("processing", false) => "Being prepared",
        ("processing", true) => "En preparación",
        ("shipped", false) => "Shipped",
        ("shipped", true) => "Enviado",
        ("delivered", false) => "Delivered",
        ("delivered", true) => "Entregado",
        ("cancelled", false) => "Cancelled",
        ("cancelled", true) => "Cancelado",
        ("failed", false) => "Payment failed",
        ("failed", true) => "Pago fallido",
        ("returned", false) => "Returned",
        ("returned", true) => "Devuelto",
        ("unpaid", false) => "Unpaid",
        ("unpaid", true) => "Sin pagar",
        ("refunded", false) => "Refunded",
        ("refunded", true) => "Reembolsado",
        ("partially_refunded", false) => "Partially refunded",
        ("partially_refunded", true) => "Reembolso parcial",
        ("disputed", false) => "Disputed",
        ("disputed", true) => "En disputa",
        _ => "—",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(s: &Strings) -> Vec<&'static str> {
        let text = format!("{s:?}");
        // every field is a non-empty literal: the Debug output has no `""`
        assert!(!text.contains("\"\""), "an empty string in {}", s.lang);
        vec![s.home, s.cart, s.checkout, s.add_to_cart, s.order_status]
    }

    #[test]
    fn both_languages_are_complete_and_different() {
        let en = all(&EN);
        let es = all(&ES);
        assert!(en.iter().zip(&es).all(|(a, b)| a != b), "Spanish strings are translated");
        assert_eq!(strings("es").lang, "es");
        assert_eq!(strings("fr").lang, "en", "unknown locales fall back to English");
    }

    #[test]
    fn every_status_has_a_label_in_both_languages() {
        for status in [
            "pending",
            "paid",
            "processing",
            "shipped",
            "delivered",
            "cancelled",
            "failed",
            "returned",
            "unpaid",
            "refunded",
            "partially_refunded",
            "disputed",
        ] {
            for locale in ["en", "es"] {
                assert_ne!(status_label(locale, status), "—", "{status} {locale}");
            }
        }
        assert_ne!(status_label("en", "shipped"), status_label("es", "shipped"));
    }
}
