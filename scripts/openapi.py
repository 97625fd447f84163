#!/usr/bin/env python3
"""Generates docs/openapi.json, the OpenAPI 3.1 description of Shoal's JSON APIs (store,
auth, account, admin, edge, and Stripe's webhook), from the operations listed here.

    scripts/openapi.py           writes docs/openapi.json
    scripts/openapi.py --check   exits 1 when docs/openapi.json is not what this makes

Every (method, path) here must be a row of the worker's route table
(worker/domain/src/api_routes.rs) and the reverse; worker/domain/tests/openapi_matches_routes.rs
checks both ways and runs `--check`. `x-shoal-host` says which kind of host answers an
operation (brand | platform | edge | any), as the route table does. Errors are always
`{"error": {"code", "message"}}`; each operation lists the codes it can answer under its
error statuses, and its `default` response (the envelope) covers the ones every route of
its kind shares.
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "openapi.json"

# ------------------------------------------------------------------ schema helpers


def obj(props, required=None, extra=True):
    s = {"type": "object", "properties": props}
    req = list(props) if required is None else required
    if req:
        s["required"] = req
    if not extra:
        s["additionalProperties"] = False
    return s


def arr(items):
    return {"type": "array", "items": items}


def null(s):
    s = dict(s)
    t = s.get("type")
    if isinstance(t, str):
        s["type"] = [t, "null"]
        if "enum" in s:
            s["enum"] = s["enum"] + [None]
        if "format" in s:
            del s["format"]
        return s
    return {"anyOf": [s, {"type": "null"}]}


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
UUID = {"type": "string", "format": "uuid"}
TIME = {"type": "string", "description": "RFC 3339 timestamp"}
DATE = {"type": "string", "format": "date"}
MONEY = {"type": "integer", "description": "minor units of the currency"}
CURRENCY = {"type": "string", "pattern": "^[A-Z]{3}$"}
ANY = {}
OBJ = {"type": "object"}
ROLE = {"type": "string", "enum": ["brand_admin", "editor", "read_only"]}
EMAIL_LANGUAGES = {"type": "string", "enum": ["both", "recipient"]}
ORDER_STATUS = {"type": "string", "enum": ["pending", "paid", "failed", "cancelled", "processing", "shipped", "delivered", "returned"]}
PAYMENT_STATUS = {"type": "string"}


def items_of(s, cursor=True):
    props = {"items": arr(s)}
    if cursor:
        props["next_cursor"] = null(STR)
        return obj(props, ["items"])
    return obj(props)


SCHEMAS = {
    "Error": obj(
        {
            "error": obj(
                {
                    "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "description": "stable snake_case code"},
                    "message": {"type": "string", "minLength": 1},
                    "details": {"type": "object", "description": "only with subscription_blocked: what to do"},
                },
                ["code", "message"],
            )
        }
    ),
    "PublicBrand": obj({"id": UUID, "slug": STR, "name": STR, "currency": CURRENCY, "locale": STR, "theme": OBJ}),
    "ProductCard": obj({"slug": STR, "title": STR, "images": arr(STR), "category": null(STR), "price_from": null(MONEY)}),
    "ProductPage": obj({"items": arr(ref("ProductCard")), "has_more": BOOL, "next_cursor": STR}, ["items", "has_more"]),
    "StoreCategory": obj({"slug": STR, "name": STR}),
    "StoreVariant": obj(
        {"id": UUID, "sku": STR, "title": STR, "options": ANY, "price": MONEY, "compare_at": null(MONEY), "available": INT}
    ),
    "StoreProduct": obj(
        {
            "slug": STR,
            "title": STR,
            "description": STR,
            "images": arr(STR),
            "category": null(ref("StoreCategory")),
            "variants": arr(ref("StoreVariant")),
        }
    ),
    "OrderItem": obj({"title": STR, "sku": STR, "unit_amount": MONEY, "quantity": INT}),
    "OrderStatus": obj(
        {
            "number": INT,
            "status": STR,
            "payment_status": STR,
            "currency": CURRENCY,
            "total_amount": MONEY,
            "tracking_number": null(STR),
            "created_at": TIME,
            "items": null(arr(ref("OrderItem"))),
        }
    ),
    "CartLine": obj(
        {
            "variant_id": UUID,
            "sku": STR,
            "product_slug": STR,
            "title": STR,
            "variant_title": STR,
            "quantity": INT,
            "unit_amount": MONEY,
            "available": INT,
            "line_total": MONEY,
        }
    ),
    "Cart": obj({"id": null(UUID), "currency": null(CURRENCY), "lines": arr(ref("CartLine")), "subtotal": null(MONEY)}),
    "CheckoutStarted": obj(
        {"order_id": UUID, "order_number": INT, "currency": CURRENCY, "total_amount": MONEY, "checkout_url": null(STR)},
        ["order_id", "order_number", "currency", "total_amount"],
    ),
    "Tokens": obj(
        {"access_token": STR, "refresh_token": STR, "token_type": STR, "expires_in": INT},
        ["access_token", "refresh_token"],
    ),
    "Me": obj(
        {"id": UUID, "brand_id": UUID, "role": STR, "csrf_token": STR, "new_order_email": BOOL},
        ["id", "brand_id", "role"],
    ),
    # ---- admin
    "AdminOrderItem": obj({"title": STR, "sku": STR, "unit_amount": MONEY, "quantity": INT}),
    "TimelineEntry": obj(
        {"kind": STR, "from": null(STR), "to": null(STR), "payment_status": null(STR), "cause": STR, "at": TIME}
    ),
    "Refund": obj({"id": STR, "amount": MONEY, "reason": null(STR), "status": STR, "created_at": TIME}, ["id", "amount", "status"]),
    "AdminOrder": obj(
        {
            "id": UUID,
            "number": INT,
            "email": STR,
            "status": ORDER_STATUS,
            "payment_status": PAYMENT_STATUS,
            "currency": CURRENCY,
            "total_amount": MONEY,
            "amount_refunded": MONEY,
            "needs_review": BOOL,
            "review_reason": null(STR),
            "tracking_number": null(STR),
            "stripe_payment_intent_id": null(STR),
            "created_at": TIME,
            "paid_at": null(TIME),
            "items": arr(ref("AdminOrderItem")),
            "timeline": arr(ref("TimelineEntry")),
            "payments": arr(OBJ),
            "refunds": arr(ref("Refund")),
            "allowed_transitions": arr(ORDER_STATUS),
            "refundable_amount": MONEY,
        },
        ["id", "number", "email", "status", "payment_status", "currency", "total_amount", "items", "timeline"],
    ),
    "OrderRow": obj(
        {
            "id": UUID,
            "number": INT,
            "email": STR,
            "status": ORDER_STATUS,
            "payment_status": PAYMENT_STATUS,
            "currency": CURRENCY,
            "total_amount": MONEY,
            "item_count": INT,
            "created_at": TIME,
        }
    ),
    "Customer": obj(
        {
            "id": UUID,
            "email": null(STR),
            "name": null(STR),
            "order_count": INT,
            "total_spent": MONEY,
            "currency": null(CURRENCY),
            "last_order_at": null(TIME),
        },
        ["id", "email", "order_count", "total_spent"],
    ),
    "Image": obj({"id": UUID, "url": STR, "alt": null(STR)}, ["id", "url"]),
    "Inventory": obj({"available": INT, "reserved": INT, "low_stock_threshold": null(INT)}, ["available", "reserved"]),
    "AdminVariant": obj(
        {
            "id": UUID,
            "sku": STR,
            "title": null(STR),
            "options": OBJ,
            "price_amount": MONEY,
            "compare_at_amount": null(MONEY),
            "weight_grams": null(INT),
            "prices": OBJ,
            "position": INT,
            "inventory": ref("Inventory"),
        },
        ["id", "sku", "price_amount"],
    ),
    "ProductRow": obj(
        {
            "id": UUID,
            "slug": STR,
            "title": STR,
            "status": {"type": "string", "enum": ["draft", "active", "archived"]},
            "category_id": null(UUID),
            "image": null(STR),
            "currency": CURRENCY,
            "price_min": null(MONEY),
            "price_max": null(MONEY),
            "variant_count": INT,
            "available": INT,
            "updated_at": TIME,
        },
        ["id", "slug", "title", "status"],
    ),
    "AdminProduct": obj(
        {
            "id": UUID,
            "slug": STR,
            "title": STR,
            "description": null(STR),
            "status": {"type": "string", "enum": ["draft", "active", "archived"]},
            "category_id": null(UUID),
            "images": arr(ref("Image")),
            "currency": CURRENCY,
            "variants": arr(ref("AdminVariant")),
            "created_at": TIME,
            "updated_at": TIME,
        },
        ["id", "slug", "title", "status", "variants"],
    ),
    "VariantInput": obj(
        {
            "sku": STR,
            "title": STR,
            "options": {"type": "object", "additionalProperties": STR},
            "price_amount": MONEY,
            "compare_at_amount": null(MONEY),
            "weight_grams": INT,
            "prices": {"type": "object", "additionalProperties": MONEY},
            "available": INT,
            "low_stock_threshold": INT,
        },
        ["sku", "price_amount"],
    ),
    "Category": obj({"id": UUID, "slug": STR, "name": STR, "position": INT, "product_count": INT}, ["id", "slug", "name"]),
    "InventoryRow": obj(
        {
            "variant_id": UUID,
            "product_id": UUID,
            "product_title": STR,
            "sku": STR,
            "variant_title": null(STR),
            "available": INT,
            "reserved": INT,
            "low_stock_threshold": null(INT),
            "low_stock": BOOL,
        },
        ["variant_id", "product_id", "sku", "available", "reserved"],
    ),
    "Adjustment": obj(
        {
            "id": STR,
            "delta": INT,
            "reason": {"type": "string", "enum": ["received", "correction", "damaged", "returned", "other"]},
            "note": null(STR),
            "available_after": INT,
            "actor_email": null(STR),
            "at": TIME,
        },
        ["id", "delta", "reason"],
    ),
    "Settings": obj(
        {
            "name": STR,
            "logo_url": null(STR),
            "theme": obj({"primary": null(STR), "background": null(STR), "text": null(STR)}, []),
            "locale": STR,
            "currency": CURRENCY,
            "support_email": null(STR),
            "published": BOOL,
            "legal": OBJ,
            "email_languages": EMAIL_LANGUAGES,
            "has_orders": BOOL,
        },
        ["name", "locale", "currency"],
    ),
    "Member": obj({"account_id": UUID, "email": STR, "name": STR, "role": ROLE, "status": STR, "since": TIME}),
    "Invitation": obj({"id": UUID, "email": STR, "role": ROLE, "invited_by": STR, "created_at": TIME, "expires_at": TIME}),
    "Domain": obj(
        {
            "host": STR,
            "is_primary": BOOL,
            "verified": BOOL,
            "status": STR,
            "ssl_status": null(STR),
            "dns_records": arr(OBJ),
            "verification": null(obj({"kind": STR, "name": STR, "value": STR}, [])),
            "checked_at": null(TIME),
            "expires_at": null(TIME),
        },
        ["host", "is_primary", "verified", "status"],
    ),
    "AuditEntry": obj(
        {
            "id": INT,
            "actor": STR,
            "action": STR,
            "target": null(STR),
            "detail": ANY,
            "ip": null(STR),
            "user_agent": null(STR),
            "request_id": null(STR),
            "at": TIME,
        }
    ),
    "Device": obj(
        {
            "id": UUID,
            "name": STR,
            "status": STR,
            "status_reason": null(STR),
            "last_seen_at": null(TIME),
            "certificate_expires_at": null(TIME),
            "app_version": null(STR),
        },
        ["id", "name", "status"],
    ),
    "Command": obj(
        {"id": UUID, "kind": STR, "status": STR, "created_at": TIME, "acknowledged_at": null(TIME), "result": ANY},
        ["id", "kind", "status"],
    ),
    "Payments": obj(
        {
            "state": STR,
            "stripe_account": null(STR),
            "charges_enabled": BOOL,
            "payouts_enabled": BOOL,
            "details_submitted": BOOL,
            "requirements_due": arr(STR),
            "disabled_reason": null(STR),
            "updated_at": null(TIME),
        }
    ),
    "Url": obj({"url": STR}),
    # ---- edge
    "EdgeCommand": obj({"id": UUID, "kind": STR, "payload": ANY, "created_at": TIME, "lease_until": null(TIME)}),
}

# ------------------------------------------------------------------ operations

# codes every route of a host kind can answer besides its own (the `default` response)
COMMON = {
    "brand": ["invalid_host", "unknown_host", "brand_unavailable", "cross_origin_refused", "rate_limited",
              "payload_too_large", "method_not_allowed", "database_unavailable", "database_unauthorized",
              "config_invalid", "internal_error", "route_not_handled"],
    "platform": ["invalid_host", "cross_origin_refused", "rate_limited", "payload_too_large", "method_not_allowed",
                 "database_unavailable", "database_unauthorized", "config_invalid", "internal_error",
                 "route_not_handled"],
    "edge": ["invalid_host", "rate_limited", "payload_too_large", "method_not_allowed", "database_unavailable",
             "database_unauthorized", "config_invalid", "internal_error", "route_not_handled"],
    "any": ["method_not_allowed", "config_invalid", "internal_error"],
}
# what every signed-in staff call can answer before its handler runs
STAFF = {401: ["unauthorized"], 403: ["forbidden", "mfa_enrollment_required", "csrf_token_invalid"]}
ADMIN = {**STAFF, 402: ["subscription_blocked"]}
BODY = {400: ["invalid_json", "unreadable_body", "invalid_field", "missing_field"]}
LIST = {422: ["invalid_query"]}

READ = [{"bearer": []}, {"cookie": []}]
WRITE = [{"bearer": []}, {"cookie": [], "csrf": []}]
DEVICE = [{"device": []}]

OPS = []


def op(method, path, host, tag, summary, *, ok=None, status=200, body=None, query=(), errors=None, security=None,
       content="application/json", body_type="application/json", extra_ok=None, description=None):
    OPS.append(dict(method=method, path=path, host=host, tag=tag, summary=summary, ok=ok, status=status, body=body,
                    query=query, errors=errors or {}, security=security, content=content, body_type=body_type,
                    extra_ok=extra_ok or {}, description=description))


def merge(*maps):
    out = {}
    for m in maps:
        for k, v in m.items():
            out.setdefault(k, [])
            out[k] += [c for c in v if c not in out[k]]
    return out


def q(name, schema=STR, description=None):
    p = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        p["description"] = description
    return p


PAGE = [q("cursor", STR, "opaque; the previous page's next_cursor"), q("limit", {"type": "integer", "minimum": 1, "maximum": 100})]

# ---- every host
op("GET", "/api/v1/openapi.json", "any", "meta", "This document", ok=OBJ, security=[])
op("POST", "/webhooks/stripe", "any", "webhooks", "Stripe events (platform and Connect), verified by Stripe-Signature",
   ok=OBJ, body=OBJ, security=[],
   errors={400: ["signature_missing", "signature_malformed", "signature_timestamp_out_of_tolerance", "signature_mismatch",
                "invalid_event", "invalid_json"],
           500: ["webhook_not_applied", "webhook_secret_missing"]})

# ---- store
op("GET", "/api/v1/store/brand", "brand", "store", "The shop's public configuration", ok=ref("PublicBrand"), security=[])
op("GET", "/api/v1/store/products", "brand", "store", "Product listing, search and filters", ok=ref("ProductPage"),
   security=[],
   query=[q("q"), q("category"), q("sort", {"type": "string", "enum": ["newest", "price_asc", "price_desc", "title", "relevance"]}),
          q("cursor"), q("limit", INT)],
   errors={400: ["invalid_category", "invalid_sort", "invalid_limit", "invalid_cursor"]})
op("GET", "/api/v1/store/products/{slug}", "brand", "store", "One product with its variants", ok=ref("StoreProduct"),
   security=[], errors={404: ["product_not_found"]})
op("GET", "/api/v1/store/categories", "brand", "store", "The shop's categories", ok=items_of(ref("StoreCategory"), False),
   security=[])
op("GET", "/api/v1/store/orders/{number}", "brand", "store", "An order's status, given its number and email",
   ok=ref("OrderStatus"), security=[], query=[q("email")], errors={404: ["order_not_found"]})
op("GET", "/api/v1/store/cart", "brand", "store", "The shopper's cart (cookie shoal_cart)", ok=ref("Cart"), security=[])
op("POST", "/api/v1/store/cart/lines", "brand", "store", "Add a variant to the cart", ok=ref("Cart"), security=[],
   body=obj({"variant_id": UUID, "quantity": {"type": "integer", "minimum": 1}}),
   errors=merge(BODY, {400: ["invalid_variant", "quantity_not_an_integer", "quantity_negative", "quantity_zero",
                            "quantity_too_large"], 404: ["variant_not_found", "product_unavailable"],
                       409: ["insufficient_stock", "quantity_exceeds_stock"]}))
op("PUT", "/api/v1/store/cart/lines/{variant}", "brand", "store", "Set a line's quantity (0 removes it)", ok=ref("Cart"),
   security=[], body=obj({"quantity": {"type": "integer", "minimum": 0}}),
   errors=merge(BODY, {400: ["invalid_variant", "quantity_not_an_integer", "quantity_negative", "quantity_too_large"],
                       404: ["variant_not_found", "product_unavailable"], 409: ["insufficient_stock", "quantity_exceeds_stock"]}))
op("DELETE", "/api/v1/store/cart/lines/{variant}", "brand", "store", "Remove a line", ok=ref("Cart"), security=[],
   errors={400: ["invalid_variant"]})
op("POST", "/api/v1/store/checkout", "brand", "store", "Start Stripe Checkout for the cart", ok=ref("CheckoutStarted"),
   status=201, security=[], body=obj({"email": STR}),
   errors=merge(BODY, {400: ["invalid_email"], 409: ["payments_not_ready", "insufficient_stock", "too_many_pending_checkouts"],
                       422: ["cart_empty", "order_too_large"],
                       502: ["payment_provider_error"]}))

# ---- auth (platform)
SIGNUP_ERR = {409: ["slug_taken"], 422: ["invalid_slug", "reserved_slug", "invalid_brand_name", "reserved_brand_name",
                                           "invalid_email", "password_too_short", "password_too_long", "password_too_simple",
                                           "password_same_as_email"]}
op("POST", "/api/v1/auth/signup", "platform", "auth", "Register a brand and its owner", security=[],
   ok=obj({"brand_id": UUID, "host": STR, "email_verification": STR}), status=201,
   body=obj({"brand_name": STR, "slug": STR, "email": STR, "password": STR, "locale": STR, "currency": CURRENCY,
             "language": STR}, ["brand_name", "slug", "email", "password"]),
   errors=merge(BODY, SIGNUP_ERR))
op("POST", "/api/v1/auth/verify-email", "platform", "auth", "Verify the owner's email with the emailed code", security=[],
   ok=OBJ, body=obj({"email": STR, "code": STR}), errors=merge(BODY, {400: ["code_invalid"]}))
op("POST", "/api/v1/auth/resend-verification", "platform", "auth", "Send a new verification code", security=[],
   ok=obj({"accepted": BOOL}), status=202, body=obj({"email": STR}), errors=BODY)
for host in ("platform", "brand"):
    op("POST", "/api/v1/auth/forgot-password", host, "auth", "Email a password-reset code", security=[],
       ok=obj({"accepted": BOOL}), status=202, body=obj({"email": STR}), errors=BODY)
    op("POST", "/api/v1/auth/reset-password", host, "auth", "Set a new password with the emailed code", security=[],
       ok=OBJ, body=obj({"email": STR, "code": STR, "new_password": STR}),
       errors=merge(BODY, {400: ["code_invalid"], 422: ["password_too_short", "password_too_long", "password_too_simple"]}))

# ---- auth (brand)
op("POST", "/api/v1/auth/login", "brand", "auth", "Sign in (sets HttpOnly cookies too)", security=[], ok=ref("Tokens"),
   body=obj({"email": STR, "password": STR, "otp": STR, "recovery_code": STR}, ["email", "password"]),
   errors=merge(BODY, {401: ["invalid_credentials", "mfa_required", "otp_invalid"]}))
op("POST", "/api/v1/auth/refresh", "brand", "auth", "A new token pair for a refresh token (body or cookie)", security=[],
   ok=ref("Tokens"), body=obj({"refresh_token": STR}, []),
   errors={401: ["unauthorized", "invalid_refresh_token", "refresh_token_reused"]})
op("POST", "/api/v1/auth/logout", "brand", "auth", "End this session family", security=WRITE,
   ok=obj({"logged_out": BOOL}), errors=STAFF)
op("POST", "/api/v1/auth/accept-invitation", "brand", "auth", "Join a brand from an invitation", security=[],
   ok=OBJ, body=obj({"token": STR, "password": STR}),
   errors=merge(BODY, {404: ["invitation_not_found"], 422: ["password_too_short", "password_too_long", "password_too_simple"]}))

# ---- account
op("GET", "/api/v1/account/me", "brand", "account", "Who is signed in", ok=ref("Me"), security=READ, errors=STAFF)
op("POST", "/api/v1/account/password", "brand", "account", "Change the password", security=WRITE,
   ok=obj({"password_changed": BOOL}), body=obj({"current_password": STR, "new_password": STR, "otp": STR, "recovery_code": STR},
                                               ["current_password", "new_password"]),
   errors=merge(STAFF, BODY, {401: ["invalid_credentials", "mfa_required"], 422: ["password_too_short", "password_too_long",
                                                                                  "password_too_simple"]}))
op("POST", "/api/v1/account/email", "brand", "account", "Ask to change the email (a code goes to the new address)",
   security=WRITE, ok=obj({"code_sent_to": STR}), status=202,
   body=obj({"current_password": STR, "new_email": STR, "otp": STR, "recovery_code": STR}, ["current_password", "new_email"]),
   errors=merge(STAFF, BODY, {400: ["invalid_email"], 401: ["invalid_credentials", "mfa_required"]}))
op("POST", "/api/v1/account/email/confirm", "brand", "account", "Confirm the new email with its code", security=WRITE,
   ok=OBJ, body=obj({"code": STR}), errors=merge(STAFF, BODY, {400: ["code_invalid", "code_expired", "code_locked"], 409: ["email_taken"]}))
op("PATCH", "/api/v1/account/profile", "brand", "account", "Name and language", security=WRITE, ok=OBJ,
   body=obj({"name": STR, "locale": {"type": "string", "enum": ["en", "es"]}}, []),
   errors=merge(STAFF, BODY, {400: ["invalid_name", "invalid_locale"]}))
op("PATCH", "/api/v1/account/notifications", "brand", "account", "Email on each new order, or not", security=WRITE,
   ok=ref("Me"), body=obj({"new_order_email": BOOL}), errors=merge(STAFF, BODY))
op("POST", "/api/v1/account/mfa/setup", "brand", "account", "Start TOTP enrolment", security=WRITE,
   ok=obj({"secret": STR, "otpauth_uri": STR}), body=obj({"current_password": STR, "otp": STR, "recovery_code": STR}, []),
   errors=merge(STAFF, BODY, {401: ["invalid_credentials", "mfa_required", "second_factor_missing"]}))
op("POST", "/api/v1/account/mfa/enable", "brand", "account", "Confirm TOTP with a code; returns recovery codes",
   security=WRITE, ok=obj({"enabled": BOOL, "recovery_codes": arr(STR)}), body=obj({"otp": STR}, []),
   errors=merge(STAFF, BODY, {400: ["otp_invalid", "mfa_setup_missing"]}))
op("POST", "/api/v1/account/mfa/disable", "brand", "account", "Turn TOTP off", security=WRITE, ok=obj({"enabled": BOOL}),
   body=obj({"current_password": STR, "otp": STR, "recovery_code": STR}, []),
   errors=merge(STAFF, BODY, {401: ["invalid_credentials", "mfa_required", "second_factor_missing"], 409: ["mfa_not_enabled"]}))

# ---- admin
A = "/api/v1/admin"


def admin(method, sub, tag, summary, *, ok=OBJ, status=200, body=None, query=(), errors=None, body_type="application/json",
          content="application/json"):
    sec = READ if method == "GET" else WRITE
    errs = merge(ADMIN, BODY if body is not None else {}, errors or {})
    op(method, A + sub, "brand", tag, summary, ok=ok, status=status, body=body, query=query, errors=errs, security=sec,
       body_type=body_type, content=content)


PRODUCT_404 = {404: ["product_not_found"]}
PRODUCT_ERR = {400: ["invalid_field"], 409: ["slug_taken", "sku_taken"], 422: ["invalid_slug"]}
admin("GET", "/overview", "overview", "Today's and the last 30 days' orders and revenue, low stock, subscription",
      ok=obj({"today": OBJ, "last_30_days": OBJ, "currency": CURRENCY, "low_stock": arr(OBJ), "subscription": OBJ}, []))
admin("GET", "/products", "catalog", "Products, searched and filtered", ok=items_of(ref("ProductRow")),
      query=[q("q"), q("status", {"type": "string", "enum": ["draft", "active", "archived"]}), q("category", UUID),
             q("low_stock", BOOL)] + PAGE, errors=LIST)
admin("POST", "/products", "catalog", "Create a product with at least one variant", ok=ref("AdminProduct"), status=201,
      body=obj({"title": STR, "slug": STR, "description": STR, "status": {"type": "string", "enum": ["draft", "active", "archived"]},
                "category_id": null(UUID), "variants": {"type": "array", "items": ref("VariantInput"), "minItems": 1}},
               ["title", "variants"]), errors=PRODUCT_ERR)
admin("GET", "/products/{product}", "catalog", "A product with its variants, images and stock", ok=ref("AdminProduct"),
      errors=PRODUCT_404)
admin("PATCH", "/products/{product}", "catalog", "Edit a product (by id; by slug with `price` for older clients)",
      ok=OBJ, body=obj({"title": STR, "slug": STR, "description": STR, "status": {"type": "string", "enum": ["draft", "active", "archived"]},
                        "category_id": null(UUID), "price": MONEY}, []),
      errors=merge(PRODUCT_404, {400: ["invalid_field"], 409: ["slug_taken"]}))
for action, summary in (("archive", "Archive a product"), ("restore", "Restore an archived product to draft")):
    admin("POST", "/products/{product}/" + action, "catalog", summary, ok=ref("AdminProduct"), errors=PRODUCT_404)
admin("POST", "/products/{product}/duplicate", "catalog", "Copy a product as a new draft", ok=ref("AdminProduct"),
      status=201, errors=PRODUCT_404)
admin("POST", "/products/{product}/variants", "catalog", "Add a variant", ok=ref("AdminProduct"), status=201,
      body=ref("VariantInput"), errors=merge(PRODUCT_404, {409: ["sku_taken"]}))
admin("PATCH", "/products/{product}/variants/{variant}", "catalog", "Edit a variant", ok=ref("AdminProduct"),
      body=obj(SCHEMAS["VariantInput"]["properties"], []), errors=merge(PRODUCT_404, {404: ["variant_not_found"], 409: ["sku_taken"]}))
admin("DELETE", "/products/{product}/variants/{variant}", "catalog", "Remove a variant (never the last one)",
      ok=ref("AdminProduct"), errors=merge(PRODUCT_404, {404: ["variant_not_found"], 409: ["last_variant"]}))
admin("POST", "/products/{product}/images", "media", "Upload an image (JPEG, PNG, WebP or GIF; at most 5 MiB)",
      ok=ref("Image"), status=201, body={"type": "string", "format": "binary"}, body_type="application/octet-stream",
      query=[q("alt")], errors=merge(PRODUCT_404, {413: ["payload_too_large"], 415: ["unsupported_media_type"]}))
admin("PATCH", "/products/{product}/images/{image}", "media", "Alt text or position of an image", ok=ref("Image"),
      body=obj({"alt": STR, "position": INT}, []), errors=merge(PRODUCT_404, {404: ["image_not_found"]}))
admin("DELETE", "/products/{product}/images/{image}", "media", "Remove an image", ok=OBJ,
      errors=merge(PRODUCT_404, {404: ["image_not_found"]}))
admin("GET", "/categories", "catalog", "Categories in order", ok=items_of(ref("Category")))
admin("POST", "/categories", "catalog", "Create a category", ok=ref("Category"), status=201,
      body=obj({"name": STR, "slug": STR}, ["name"]), errors={409: ["slug_taken"]})
admin("POST", "/categories/reorder", "catalog", "Order every category of the brand", ok=items_of(ref("Category")),
      body=obj({"ids": arr(UUID)}), errors={422: ["reorder_set_mismatch"]})
admin("PATCH", "/categories/{category}", "catalog", "Rename a category", ok=ref("Category"),
      body=obj({"name": STR, "slug": STR}, []), errors={404: ["category_not_found"], 409: ["slug_taken"]})
admin("DELETE", "/categories/{category}", "catalog", "Delete a category (its products become uncategorised)", ok=OBJ,
      errors={404: ["category_not_found"]})
admin("GET", "/inventory", "catalog", "Stock per variant", ok=items_of(ref("InventoryRow")),
      query=[q("low_stock", BOOL), q("q")] + PAGE, errors=LIST)
admin("PATCH", "/inventory/{variant}", "catalog", "Set the low-stock threshold", ok=ref("InventoryRow"),
      body=obj({"low_stock_threshold": null(INT)}), errors={404: ["variant_not_found"]})
admin("GET", "/inventory/{variant}/adjustments", "catalog", "The stock ledger of a variant", ok=items_of(ref("Adjustment")),
      query=PAGE, errors=merge(LIST, {404: ["variant_not_found"]}))
admin("POST", "/inventory/{variant}/adjustments", "catalog", "Adjust stock, with a reason", status=201,
      ok=obj({"available": INT, "reserved": INT, "adjustment": ref("Adjustment")}),
      body=obj({"delta": INT, "reason": {"type": "string", "enum": ["received", "correction", "damaged", "returned", "other"]},
                "note": STR}, ["delta", "reason"]),
      errors={404: ["variant_not_found"], 409: ["insufficient_stock"]})

ORDER_FILTERS = [q("status", ORDER_STATUS), q("payment_status"), q("from", DATE), q("to", DATE),
                 q("q", STR, "order number (#1003 too) or part of the email")]
admin("GET", "/orders", "orders", "Orders, newest first", ok=items_of(ref("OrderRow")), query=ORDER_FILTERS + PAGE, errors=LIST)
admin("GET", "/orders/export.csv", "orders", "The matching orders as CSV (at most 10 000)",
      ok={"type": "string"}, content="text/csv", query=ORDER_FILTERS, errors=LIST)
admin("GET", "/orders/{order}", "orders", "An order with items, payments, refunds and timeline", ok=ref("AdminOrder"),
      errors={404: ["order_not_found"]})
admin("POST", "/orders/{order}/transitions", "orders", "Move an order along its state machine", ok=OBJ,
      body=obj({"to": ORDER_STATUS, "tracking_number": STR}, ["to"]),
      errors={404: ["order_not_found"], 409: ["forbidden_transition"], 422: ["status_not_settable_by_staff"]})
admin("POST", "/orders/{order}/refunds", "orders", "Refund through Stripe (default: what is left); answers the order",
      ok=ref("AdminOrder"), status=201, body=obj({"amount": MONEY, "reason": STR}, []),
      errors={400: ["invalid_field"], 404: ["order_not_found"], 409: ["order_not_refundable", "no_payment_to_refund"],
              422: ["invalid_amount"], 502: ["payment_provider_error"]})
admin("GET", "/customers", "customers", "Customers, searched", ok=items_of(ref("Customer")), query=[q("q")] + PAGE,
      errors=LIST)
admin("POST", "/customers/erase", "customers", "Erase a customer's personal data", ok=OBJ, body=obj({"email": STR}),
      errors={400: ["invalid_email"]})
admin("GET", "/customers/{customer}", "customers", "A customer with their orders", ok=OBJ,
      errors={404: ["customer_not_found"]})
admin("GET", "/export", "data", "Everything the brand holds, as JSON", ok=OBJ)

admin("GET", "/settings", "settings", "The brand's settings", ok=ref("Settings"))
admin("PATCH", "/settings", "settings", "Name, theme, locale, currency, support email", ok=ref("Settings"),
      body=obj({"name": STR, "theme": OBJ, "locale": STR, "currency": CURRENCY, "support_email": STR}, []),
      errors={422: ["low_contrast", "invalid_currency", "invalid_locale", "invalid_email"]})
admin("POST", "/settings/logo", "settings", "Upload the logo", ok=obj({"logo_url": STR}),
      body={"type": "string", "format": "binary"}, body_type="application/octet-stream",
      errors={413: ["payload_too_large"], 415: ["unsupported_media_type"]})
admin("PUT", "/settings/legal/{page}/{language}", "settings", "A legal page (privacy, terms, returns) in one language",
      ok=ref("Settings"), body=obj({"body": STR}), errors={404: ["legal_page_not_found"]})
admin("POST", "/settings/publish", "settings", "Publish the shop, or take it back to coming soon", ok=obj({"published": BOOL}, ["published"]),
      body=obj({"published": BOOL}))
admin("PATCH", "/settings/security", "settings", "Require MFA of brand admins", ok=OBJ,
      body=obj({"require_mfa_for_admins": BOOL}))
admin("PATCH", "/settings/email", "settings", "The languages emails go out in", ok=OBJ,
      body=obj({"email_languages": EMAIL_LANGUAGES}), errors={400: ["invalid_email_languages"]})

admin("GET", "/members", "members", "Members of the brand", ok=items_of(ref("Member"), False))
admin("POST", "/members/invitations", "members", "Invite someone by email", ok=obj({"invitation_id": UUID}, ["invitation_id"]),
      status=201, body=obj({"email": STR, "role": ROLE}), errors={400: ["invalid_email", "invalid_role"],
                                                                  409: ["already_a_member"]})
admin("PATCH", "/members/{account}", "members", "Change a member's role or status", ok=items_of(ref("Member"), False),
      body=obj({"role": ROLE, "status": {"type": "string", "enum": ["active", "disabled"]}}, []),
      errors={400: ["invalid_role", "invalid_status"], 404: ["member_not_found"], 409: ["last_brand_admin"]})
admin("DELETE", "/members/{account}", "members", "Remove a member", ok=items_of(ref("Member"), False),
      errors={404: ["member_not_found"], 409: ["last_brand_admin"]})
admin("GET", "/invitations", "members", "Pending invitations", ok=items_of(ref("Invitation"), False))
admin("DELETE", "/invitations/{invitation}", "members", "Revoke an invitation", ok=items_of(ref("Invitation"), False),
      errors={404: ["invitation_not_found"]})
admin("GET", "/audit-log", "audit", "The audit log, newest first", ok=items_of(ref("AuditEntry")),
      query=[q("action"), q("actor"), q("from", TIME), q("to", TIME), q("cursor"), q("limit", INT)],
      errors={400: ["invalid_time", "invalid_cursor", "invalid_limit"]})

admin("GET", "/domains", "domains", "The brand's domains", ok=items_of(ref("Domain"), False))
admin("POST", "/domains", "domains", "Add a custom domain", ok=items_of(ref("Domain"), False), status=201,
      body=obj({"host": STR}), errors={400: ["invalid_host"], 409: ["domain_taken"], 422: ["invalid_domain"],
                                       429: ["hostname_quota_exceeded"], 503: ["custom_domains_unavailable"]})
admin("PATCH", "/domains/{host}", "domains", "Make a domain primary", ok=items_of(ref("Domain"), False),
      body=obj({"primary": BOOL}, []), errors={404: ["domain_not_found"], 409: ["domain_not_verified"]})
admin("DELETE", "/domains/{host}", "domains", "Remove a domain", ok=items_of(ref("Domain"), False),
      errors={404: ["domain_not_found"], 409: ["primary_domain"]})
admin("POST", "/domains/{host}/verify", "domains", "Check a domain's DNS and certificate", ok=items_of(ref("Domain"), False),
      errors={404: ["domain_not_found"], 409: ["verification_record_missing"]})

admin("GET", "/devices", "devices", "In-store devices", ok=items_of(ref("Device")), query=PAGE)
admin("POST", "/devices", "devices", "Register a device; answers its activation code once", status=201, ok=OBJ,
      body=obj({"name": STR, "store": STR}, ["name"]), errors={400: ["missing_field"]})
admin("GET", "/devices/{device}", "devices", "A device with its recent commands",
      ok=obj({**SCHEMAS["Device"]["properties"], "commands": arr(ref("Command"))}, ["id", "name", "status"]),
      errors={404: ["device_not_found"]})
admin("POST", "/devices/{device}/activation-code", "devices", "A new activation code", status=201, ok=OBJ,
      errors={404: ["device_not_found"]})
admin("POST", "/devices/{device}/revoke", "devices", "Revoke a device", ok=OBJ, body=obj({"reason": STR}),
      errors={400: ["missing_field"], 404: ["device_not_found"]})
admin("POST", "/devices/{device}/commands", "devices", "Queue a command", status=201, ok=OBJ,
      body=obj({"kind": STR, "payload": OBJ}, ["kind"]), errors={400: ["invalid_kind"], 404: ["device_not_found"]})
admin("POST", "/releases", "devices", "Publish an app release (super admins; raw bytes)", status=201, ok=OBJ,
      body={"type": "string", "format": "binary"}, body_type="application/octet-stream",
      query=[q("platform"), q("version"), q("channel"), q("min_version")],
      errors={400: ["invalid_version", "invalid_platform", "invalid_channel"], 409: ["release_exists"]})
admin("DELETE", "/releases/{platform}/{version}", "devices", "Yank a release (super admins)", ok=OBJ,
      errors={404: ["release_not_found"]})

admin("GET", "/payments", "payments", "The brand's Stripe Connect account", ok=ref("Payments"))
admin("POST", "/payments/connect", "payments", "Start or continue Stripe Connect onboarding", ok=obj({"url": STR}),
      errors={502: ["payment_provider_error"]})
admin("GET", "/billing", "billing", "The brand's subscription: plan, state, grace period", ok=obj({
      "status": STR, "plan": null(STR), "current_period_end": null(STR), "grace_period_ends_at": null(STR),
      "in_grace_period": BOOL, "blocked": BOOL, "has_billing_customer": BOOL},
      ["status", "in_grace_period", "blocked", "has_billing_customer"]))
admin("GET", "/billing/invoices", "billing", "The brand's Shoal invoices from Stripe, newest first (none without a billing customer)",
      ok=items_of(obj({
          "id": STR, "number": null(STR), "status": null(STR), "amount_due": MONEY, "amount_paid": MONEY,
          "currency": CURRENCY, "created": null(TIME), "hosted_invoice_url": null(STR), "invoice_pdf": null(STR)},
          ["id", "amount_due", "amount_paid", "currency", "created"])),
      query=PAGE, errors={**LIST, 502: ["payment_provider_error"]})
admin("POST", "/billing/portal", "billing", "Open Stripe's Billing Portal", ok=ref("Url"),
      errors={409: ["no_billing_customer"], 502: ["payment_provider_error"]})
admin("POST", "/billing/checkout", "billing", "Subscribe to a plan through Stripe Checkout", ok=OBJ,
      body=obj({"plan": STR}), errors={422: ["unknown_plan"], 502: ["payment_provider_error"]})

# ---- edge
EDGE_ADMISSION = {401: ["no_certificate", "verification_failed", "certificate_revoked", "unknown_fingerprint"],
                  403: ["device_not_active", "device_revoked", "brand_blocked"]}
op("POST", "/edge/v1/activate", "edge", "edge", "Activate with a code and a CSR, or renew with the current certificate",
   security=[{}, {"device": []}], ok=OBJ, body=obj({"activation_code": STR, "hardware_id": STR, "csr": STR}, ["hardware_id", "csr"]),
   errors=merge(BODY, {400: ["invalid_hardware_id", "csr_malformed", "csr_unsupported_key", "csr_signature_invalid",
                            "csr_subject_mismatch"],
                       401: ["activation_code_invalid", "activation_code_expired", "activation_code_used",
                             "activation_attempts_exhausted"],
                       502: ["csr_refused_by_issuer"], 503: ["certificate_issuer_unavailable"]}))
op("GET", "/edge/v1/status", "edge", "edge", "Why a device may or may not work, with a recovery hint",
   security=[{}, {"device": []}], ok=OBJ)
op("GET", "/edge/v1/health", "edge", "edge", "Component health; records a heartbeat", security=DEVICE, ok=OBJ,
   errors=EDGE_ADMISSION)
op("GET", "/edge/v1/commands", "edge", "edge", "Commands waiting for this device", security=DEVICE,
   ok=items_of(ref("EdgeCommand"), False), errors=EDGE_ADMISSION)
op("POST", "/edge/v1/commands/{command}/ack", "edge", "edge", "Acknowledge a command", security=DEVICE,
   ok=obj({"id": UUID, "status": STR}), body=obj({"success": BOOL, "message": STR}, ["success"]),
   errors=merge(EDGE_ADMISSION, BODY, {404: ["command_not_found"]}))
op("POST", "/edge/v1/sync/push", "edge", "edge", "Push a batch of local changes (one transaction)", security=DEVICE,
   ok=obj({"results": arr(OBJ), "summary": OBJ}, ["results"]), body=obj({"records": arr(OBJ)}),
   errors=merge(EDGE_ADMISSION, BODY, {400: ["malformed_batch"]}))
op("GET", "/edge/v1/sync/pull", "edge", "edge", "Changes since a cursor", security=DEVICE,
   ok=obj({"changes": arr(OBJ), "cursor": ANY, "has_more": BOOL}), query=[q("cursor"), q("limit", INT)],
   errors=merge(EDGE_ADMISSION, {400: ["invalid_cursor", "invalid_limit"]}))
op("GET", "/edge/v1/updates/latest", "edge", "edge", "The newest release for this device (204: up to date)",
   security=DEVICE, ok=OBJ, query=[q("version"), q("channel"), q("platform")], extra_ok={204: "up to date"},
   errors=merge(EDGE_ADMISSION, {400: ["invalid_version", "version_build_metadata", "invalid_platform", "invalid_channel"]}))
op("GET", "/edge/v1/updates/{platform}/{version}/download", "edge", "edge", "A release's bytes (Range supported)",
   security=DEVICE, ok={"type": "string", "format": "binary"}, content="application/octet-stream",
   extra_ok={206: "a range of the bytes"}, errors=merge(EDGE_ADMISSION, {404: ["release_not_found"]}))

# ------------------------------------------------------------------ the document

STATUS_TEXT = {400: "Bad request", 401: "Not signed in", 402: "Subscription blocked", 403: "Forbidden", 404: "Not found",
               405: "Method not allowed", 409: "Conflict", 413: "Too large", 415: "Unsupported media type",
               416: "Range not satisfiable", 422: "Unprocessable", 429: "Too many requests", 500: "Server error",
               502: "Upstream refused", 503: "Unavailable"}


def error_response(codes, text):
    return {
        "description": f"{text}: " + ", ".join(f"`{c}`" for c in codes),
        "content": {"application/json": {"schema": ref("Error")}},
        "x-error-codes": codes,
    }


def operation(o):
    params = [{"name": seg[1:-1], "in": "path", "required": True, "schema": {"type": "string"}}
              for seg in o["path"].split("/") if seg.startswith("{")]
    params += list(o["query"])
    responses = {str(o["status"]): {"description": "OK", "content": {o["content"]: {"schema": o["ok"] or OBJ}}}}
    for status, text in o["extra_ok"].items():
        responses[str(status)] = {"description": text}
    for status in sorted(o["errors"]):
        responses[str(status)] = error_response(o["errors"][status], STATUS_TEXT.get(status, "Error"))
    responses["default"] = {"$ref": f"#/components/responses/{o['host']}_errors"}
    out = {
        "operationId": (o["method"].lower() + "_" + o["host"] + o["path"]).replace("/", "_").replace("{", "").replace("}", "")
        .replace("-", "_").replace(".", "_").replace("__", "_"),
        "summary": o["summary"],
        "tags": [o["tag"]],
        "x-shoal-host": o["host"],
        "responses": responses,
    }
    if params:
        out["parameters"] = params
    if o["security"] is not None:
        out["security"] = o["security"]
    if o["body"] is not None:
        out["requestBody"] = {"required": True, "content": {o["body_type"]: {"schema": o["body"]}}}
    return out


def document():
    paths = {}
    for o in OPS:
        entry = paths.setdefault(o["path"], {})
        m = o["method"].lower()
        if m in entry:
            # one path, two kinds of host (forgot/reset password): one operation, both hosts
            hosts = entry[m]["x-shoal-host"].split(",") + [o["host"]]
            entry[m]["x-shoal-host"] = ",".join(sorted(hosts))
            entry[m]["operationId"] = entry[m]["operationId"].replace("_platform_", "_")
            continue
        entry[m] = operation(o)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Shoal API",
            "version": "1",
            "description": "Shoal's JSON APIs. Which host answers an operation is its `x-shoal-host`: `brand` (a "
            "brand's own domain: store, sign-in, account, admin), `platform` (the platform host: sign-up), `edge` "
            "(`edge.<platform host>`, devices behind mTLS) or `any`. A path no operation names answers 404 "
            "`no_route`; another method answers 405 `method_not_allowed` with `Allow`. Errors are "
            "`{\"error\": {\"code\", \"message\"}}` with stable snake_case codes. Lists answer "
            "`{\"items\": [...], \"next_cursor\"}`; money is integer minor units with an ISO currency.",
        },
        "servers": [{"url": "/", "description": "the host of the brand, the platform or the edge, as x-shoal-host says"}],
        "tags": [{"name": t} for t in dict.fromkeys(o["tag"] for o in OPS)],
        "security": [],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "responses": {f"{host}_errors": error_response(codes, f"What any {host} route can answer")
                          for host, codes in COMMON.items()},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                           "description": "a staff access token from /api/v1/auth/login (15 minutes)"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "shoal_access",
                           "description": "the dashboard's HttpOnly session cookie, set by login"},
                "csrf": {"type": "apiKey", "in": "header", "name": "x-csrf-token",
                         "description": "with the cookie, on every state-changing request: csrf_token from "
                         "/api/v1/account/me or the login answer (else 403 csrf_token_invalid)"},
                "device": {"type": "mutualTLS",
                           "description": "the device's client certificate (Cloudflare mTLS), issued at activation "
                           "for the activation code's device and bound to it"},
            },
        },
    }


def render():
    return json.dumps(document(), indent=1, ensure_ascii=False, separators=(",", ":")) + "\n"


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv[1:]:
        current = OUT.read_text() if OUT.exists() else ""
        if current != text:
            print("docs/openapi.json is not what scripts/openapi.py makes: run scripts/openapi.py", file=sys.stderr)
            sys.exit(1)
    else:
        OUT.write_text(text)
