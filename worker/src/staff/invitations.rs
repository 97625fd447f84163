//! Invitations to a brand (admin API; `manage_members`):
//!   POST   /api/v1/admin/members/invitations   {"email", "role"}  (voids earlier ones to the address)
//!   GET    /api/v1/admin/invitations            open invitations
//!   DELETE /api/v1/admin/invitations/{id}       revoke one
//! Accepting one is pre-authentication (the invitee has no session): `http/auth.rs`.

use serde::{Deserialize, Serialize};
use shoal_domain::access_token;
use shoal_domain::brand::BrandContext;
use shoal_domain::config::Config;
use shoal_domain::permissions::Role;
use worker::{Request, Response};

use super::members::member_role;
use super::Caller;
use super::{db, uuid_or, Items};
use crate::error::{json_ok, AppError};

#[derive(Debug, Serialize, Deserialize)]
pub struct Invitation {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    pub created_at: String,
    pub expires_at: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct InvitationCreated {
    pub invitation_id: String,
}

/// `POST /members/invitations` as sent.
#[derive(Debug, Deserialize)]
pub struct InviteBody {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    role: Option<String>,
}

impl InviteBody {
    fn validate(&self) -> Result<(String, Role), AppError> {
        let email =
            self.email.as_deref().and_then(shoal_domain::email_address::normalize).ok_or_else(|| crate::account::invalid_email("email"))?;
        let role = self.role.as_deref().ok_or_else(|| AppError::BadRequest("invalid_role", "`role` is required".into()))?;
        Ok((email, member_role(role)?))
    }
}

/// The link in the invitation is built on the brand's primary host, never on the Host the
/// admin's request came with (a request to another of the brand's hosts, or a forged one
/// behind a proxy, must not choose where the invitee is sent). Production links are
/// https; in development the request's scheme and port are kept so links work locally.
pub async fn invite(req: &Request, config: &Config, brand: &BrandContext, caller: &Caller, body: InviteBody) -> Result<Response, AppError> {
    let (email, role) = body.validate()?;
    let primary: Option<String> = db::call(config, caller, "admin_primary_host", serde_json::json!({})).await?;
    let base = crate::request::brand_origin(req, config, brand, primary.as_deref());
    let token = access_token::refresh_token(crate::random::bytes()?);
    let url = format!("{base}/admin/accept-invitation?token={token}");
    let args = serde_json::json!({"p_email": email, "p_role": role.as_str(), "p_token_hash": access_token::refresh_hash(&token),
                                  "p_invite_url": url});
    let created: InvitationCreated = db::call(config, caller, "admin_invite_member", args).await?;
    json_ok(&created, 201)
}

pub async fn list(config: &Config, caller: &Caller) -> Result<Response, AppError> {
    let items: Vec<Invitation> = db::call(config, caller, "admin_list_invitations", serde_json::json!({})).await?;
    json_ok(&Items { items }, 200)
}

pub async fn revoke(config: &Config, caller: &Caller, id: &str) -> Result<Response, AppError> {
    let id = uuid_or(id, "invitation_not_found")?;
    let items: Vec<Invitation> = db::call(config, caller, "admin_revoke_invitation", serde_json::json!({"p_invitation_id": id})).await?;
    json_ok(&Items { items }, 200)
}
