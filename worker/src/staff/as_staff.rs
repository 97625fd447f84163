//! Database calls made as the staff member: the token carries their account, brand, role
//! and session (`DbClaims::staff`), so the tables' policies, not this code, keep them to
//! their brand. Answers are read into the caller's types; request bodies are read here
//! into typed structs, a field of the wrong type naming itself.

use serde::de::DeserializeOwned;
use serde::Serialize;
use shoal_domain::config::Config;
use shoal_domain::db_token::DbClaims;
use worker::{Request, Response};

use super::Caller;
use crate::error::{json_response, AppError};
use crate::store::postgrest;

/// The token claims of this staff member for the database.
pub fn claims(caller: &Caller) -> DbClaims {
    DbClaims::staff(&caller.claims.sub, &caller.claims.brand_id, caller.role.as_str(), &caller.claims.sid)
}

/// Calls `function` as the staff member and reads its answer as `T`.
pub async fn rpc<T: DeserializeOwned>(config: &Config, caller: &Caller, function: &str, args: serde_json::Value) -> Result<T, AppError> {
    let value = postgrest::rpc(config, claims(caller), function, args).await?;
    serde_json::from_value(value).map_err(|e| AppError::Internal(format!("{function} answered an unexpected shape: {e}")))
}

/// A JSON answer from a typed value.
pub fn reply<T: Serialize>(body: &T, status: u16) -> Result<Response, AppError> {
    let value = serde_json::to_value(body).map_err(|e| AppError::Internal(format!("answer: {e}")))?;
    Ok(json_response(&value, status))
}

/// `{"items": [...]}`, the shape of every admin list.
#[derive(Serialize)]
pub struct Items<T> {
    pub items: T,
}

/// The request's JSON body as `T` (whose fields are all optional: what is required is
/// checked by the body's own validation). A field of the wrong type answers 400
/// `invalid_field` naming it.
pub async fn body<T: DeserializeOwned>(req: &mut Request) -> Result<T, AppError> {
    let value = crate::http::read_json(req).await?;
    parse_body(value)
}

fn parse_body<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, AppError> {
    let serde_json::Value::Object(fields) = value else {
        return Err(AppError::BadRequest("invalid_json", "the body is a JSON object".into()));
    };
    match serde_json::from_value::<T>(serde_json::Value::Object(fields.clone())) {
        Ok(body) => Ok(body),
        Err(e) => {
            // the field whose removal makes the body parse is the one at fault
            let culprit = fields.keys().find(|k| {
                let mut rest = fields.clone();
                rest.remove(k.as_str());
                serde_json::from_value::<T>(serde_json::Value::Object(rest)).is_ok()
            });
            let message = match culprit {
                Some(name) => format!("{name}: {e}"),
                None => e.to_string(),
            };
            Err(AppError::BadRequest("invalid_field", message))
        }
    }
}

/// Ids in paths are UUIDs; anything else names nothing (404 with the resource's code).
pub fn uuid_or<'a>(raw: &'a str, not_found: &str) -> Result<&'a str, AppError> {
    if shoal_domain::ids::is_uuid(raw) {
        Ok(raw)
    } else {
        Err(AppError::Refused { status: 404, code: not_found.into(), detail: None })
    }
}
