//! What `GET /edge/v1/status` says to the person at the till, in English and Spanish: the
//! recovery hint of every reason and the subscription messages. Each arm gives both
//! languages, so a reason without a translation does not compile.

use crate::device_status::{BlockedReason, DeviceStatus, SignatureComponent};

/// The recovery hint of a status, (English, Spanish).
pub(crate) fn recovery(status: &DeviceStatus) -> (&'static str, &'static str) {
    match status {
        DeviceStatus::Ok { subscription_warning: Some(_), .. } => (
            "working; the shop's owner must settle the subscription before the grace period ends",
            "funciona; el propietario de la tienda debe regularizar la suscripción antes de que acabe el periodo de gracia",
        ),
        DeviceStatus::Ok { .. } => ("nothing to do", "nada que hacer"),
        DeviceStatus::FirstTimeSetup { .. } => (
            "activate with the code from the dashboard: POST /edge/v1/activate",
            "activa el equipo con el código del panel: POST /edge/v1/activate",
        ),
        DeviceStatus::CertificateInvalid { .. } => (
            "reinstall the certificate from activation, or ask for a new activation code",
            "vuelve a instalar el certificado de la activación o pide un código de activación nuevo",
        ),
        DeviceStatus::BindingInvalid { reason: "license_issued_to_another_certificate" } => (
            "discard the stored license and fetch a new one from GET /edge/v1/health",
            "descarta la licencia guardada y obtén una nueva con GET /edge/v1/health",
        ),
        DeviceStatus::BindingInvalid { .. } | DeviceStatus::CertificateExpired { .. } => (
            "ask the shop's admin for a new activation code and activate again",
            "pide al administrador de la tienda un código de activación nuevo y vuelve a activar el equipo",
        ),
        DeviceStatus::Revoked { .. } => (
            "this device was revoked; ask the shop's admin to create a new device",
            "este equipo fue revocado; pide al administrador de la tienda que cree un equipo nuevo",
        ),
        DeviceStatus::DeviceMismatch { .. } => (
            "this certificate belongs to other hardware; activate this box with its own code",
            "este certificado pertenece a otro equipo; activa este con su propio código",
        ),
        DeviceStatus::ClockTampering { .. } => (
            "set the device clock to network time (NTP), then retry",
            "sincroniza el reloj del equipo con la hora de red (NTP) y vuelve a intentarlo",
        ),
        DeviceStatus::SignatureInvalid { component: SignatureComponent::License, .. } => (
            "discard the stored license and fetch a new one from GET /edge/v1/health",
            "descarta la licencia guardada y obtén una nueva con GET /edge/v1/health",
        ),
        DeviceStatus::SignatureInvalid { .. } => (
            "a stored record was altered; ask the shop's admin for a new activation code and activate again",
            "un registro guardado fue alterado; pide al administrador un código de activación nuevo y vuelve a activar el equipo",
        ),
        DeviceStatus::TokenExpired { .. } => {
            ("fetch a new license from GET /edge/v1/health", "obtén una licencia nueva con GET /edge/v1/health")
        }
        DeviceStatus::SubscriptionBlocked { .. } => {
            ("the shop's owner must renew the subscription", "el propietario de la tienda debe renovar la suscripción")
        }
        DeviceStatus::CertificateExpiringSoon { .. } => (
            "renew now: POST /edge/v1/activate with a new CSR and this certificate",
            "renueva ahora: POST /edge/v1/activate con una CSR nueva y este certificado",
        ),
    }
}

/// Why the device stopped, for the person at the till.
pub(crate) fn blocked_message(reason: BlockedReason, spanish: bool) -> &'static str {
    match (reason, spanish) {
        (BlockedReason::Canceled, false) =>
            "This shop's subscription was canceled. Offline sales are still kept; the owner can subscribe again from the billing page.",
        (BlockedReason::Canceled, true) =>
            "La suscripción de esta tienda fue cancelada. Las ventas sin conexión siguen guardándose; el propietario puede volver a suscribirse desde la página de facturación.",
        (BlockedReason::Unpaid, false) =>
            "This shop's subscription is unpaid and its grace period is over. Offline sales are still kept; ask the owner to pay the open invoice.",
        (BlockedReason::Unpaid, true) =>
            "La suscripción de esta tienda está impagada y su periodo de gracia terminó. Las ventas sin conexión siguen guardándose; pide al propietario que pague la factura pendiente.",
        (BlockedReason::PastDueGraceEnded, false) =>
            "A payment for this shop's subscription failed and the grace period is over. Offline sales are still kept; ask the owner to update the payment method.",
        (BlockedReason::PastDueGraceEnded, true) =>
            "Un pago de la suscripción de esta tienda falló y el periodo de gracia terminó. Las ventas sin conexión siguen guardándose; pide al propietario que actualice el método de pago.",
    }
}

/// A subscription in its grace period, by its status: the device still works.
pub(crate) fn warning_message(status: &str, spanish: bool) -> &'static str {
    match (status, spanish) {
        ("canceled", false) => "This shop's subscription was canceled; the device works until the grace period ends. Ask the owner to subscribe again.",
        ("canceled", true) => "La suscripción de esta tienda fue cancelada; el equipo funciona hasta que acabe el periodo de gracia. Pide al propietario que vuelva a suscribirse.",
        ("unpaid", false) => "This shop's subscription is unpaid; the device works until the grace period ends. Ask the owner to pay the open invoice.",
        ("unpaid", true) => "La suscripción de esta tienda está impagada; el equipo funciona hasta que acabe el periodo de gracia. Pide al propietario que pague la factura pendiente.",
        (_, false) => "A payment for this shop's subscription failed; the device works until the grace period ends. Ask the owner to update the payment method.",
        (_, true) => "Un pago de la suscripción de esta tienda falló; el equipo funciona hasta que acabe el periodo de gracia. Pide al propietario que actualice el método de pago.",
    }
}
