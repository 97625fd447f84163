//! The brand's audit log for staff who may read it: newest first, a page at a time.
//!   GET /api/v1/admin/audit-log?action=&actor=&from=&to=&cursor=&limit=

use serde::{Deserialize, Serialize};
use shoal_domain::config::Config;
use worker::{Request, Response};

use super::{db, Staff};
use crate::error::{json_ok, AppError};

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 200;

/// The filters of one page, parsed from the query string.
#[derive(Debug, Default)]
pub struct AuditQuery {
    action: Option<String>,
    actor: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<i64>,
    limit: i64,
}

impl AuditQuery {
    pub fn parse(req: &Request) -> Result<AuditQuery, AppError> {
        let url = req.url().map_err(|_| AppError::NotFound)?;
        let bad = |what: &'static str| AppError::BadRequest(what, format!("invalid {what}"));
        let time = |t: &str| chrono::DateTime::parse_from_rfc3339(t).map(|d| d.to_rfc3339()).map_err(|_| bad("invalid_time"));
        let mut query = AuditQuery { limit: DEFAULT_LIMIT, ..AuditQuery::default() };
        for (key, value) in url.query_pairs() {
            match key.as_ref() {
                "action" => query.action = Some(value.into_owned()),
                "actor" => query.actor = Some(value.into_owned()),
                "from" => query.from = Some(time(&value)?),
                "to" => query.to = Some(time(&value)?),
                "cursor" => query.before = Some(value.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| bad("invalid_cursor"))?),
                "limit" => {
                    query.limit = value.parse::<i64>().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| bad("invalid_limit"))?
                }
                _ => {}
            }
        }
        Ok(query)
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub detail: serde_json::Value,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub at: String,
}

/// `public.admin_audit_log`'s answer.
#[derive(Debug, Deserialize)]
struct Page {
    items: Vec<AuditEntry>,
    next_before: Option<i64>,
}

#[derive(Debug, Serialize)]
struct PageReply {
    items: Vec<AuditEntry>,
    /// Pass as `cursor` for the next page; absent on the last one.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

pub async fn page(config: &Config, caller: &Staff, query: AuditQuery) -> Result<Response, AppError> {
    let args = serde_json::json!({"p_action": query.action, "p_by": query.actor, "p_from": query.from, "p_to": query.to,
                                  "p_before": query.before, "p_limit": query.limit});
    let page: Page = db::call(config, caller, "admin_audit_log", args).await?;
    json_ok(&PageReply { items: page.items, next_cursor: page.next_before.map(|n| n.to_string()) }, 200)
}
