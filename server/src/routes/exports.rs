//! Staff exports: the access log as CSV, the signed checkpoints as JSON, analytics as CSV.
//! The access table admits sales and admins; each handler checks the role again.

use super::RouteError;
use app::{
    error::AppError,
    features::{
        accounts::model::{Principal, StaffRole},
        analytics::{model::Scope, server as analytics},
        audit::{model::LogFilter, server as audit},
    },
    ssr::AppState,
    types::IsoDate,
};
use axum::{
    extract::{Query, State},
    http::header,
    response::{IntoResponse, Response},
    Extension, Json,
};
use std::collections::HashMap;

fn require_sales(principal: &Principal) -> Result<(), RouteError> {
    match principal {
        Principal::Staff(staff) if staff.has(StaffRole::Sales) => Ok(()),
        Principal::Staff(_) => Err(AppError::Forbidden.into()),
        _ => Err(AppError::Unauthenticated.into()),
    }
}

fn csv(name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

/// `GET /admin/audit.csv`, sales staff and admins: the access log filtered as on its page, the
/// newest 5,000 matching entries at most.
pub async fn audit_csv(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, RouteError> {
    require_sales(&principal)?;
    let filter = LogFilter::from_query(|k| query.get(k).cloned());
    let page = audit::search(&state.db, &filter, 0, 5000).await?;
    Ok(csv("access-log.csv", audit::to_csv(&page.entries)))
}

/// `GET /admin/audit/checkpoints.json`, sales staff and admins: every signed checkpoint.
pub async fn checkpoints_json(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Response, RouteError> {
    require_sales(&principal)?;
    let checkpoints = audit::checkpoints(&state.db).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(checkpoints)).into_response())
}

/// `GET /admin/analytics.csv?from=&to=&company=&document=`, sales staff and admins: the
/// analytics summary for the days given, by default the 30 days to today (UTC), narrowed as on
/// the page; a date that does not parse is ignored.
pub async fn analytics_csv(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, RouteError> {
    require_sales(&principal)?;
    let date = |k: &str| query.get(k).and_then(|d| IsoDate::parse(d).ok());
    let to = date("to").unwrap_or_else(IsoDate::today_utc);
    let from = date("from").unwrap_or_else(|| to.add_days(-29));
    let text = |k: &str| query.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let scope = Scope { company: text("company"), document: text("document") };
    let summary = analytics::summary(&state.db, from, to, &scope).await?;
    Ok(csv(&format!("analytics-{from}-{to}.csv"), analytics::to_csv(&summary)))
}

/// `GET /audit/checkpoint.json`, public: the newest signed checkpoint of the access log and the
/// key that signs them, for auditors and buyers to keep copies of. A copy kept elsewhere is what
/// lets `vouchsafe audit verify --checkpoints` catch a log truncated or rewritten later, even by
/// someone who controls the server. It reveals no event, only a count and a hash.
pub async fn public_checkpoint(State(state): State<AppState>) -> Result<Response, RouteError> {
    let latest = audit::latest_checkpoint(&state.db).await?;
    let body = serde_json::json!({
        "public_key": state.audit_key.public_hex(),
        "algorithm": "Ed25519",
        "signed_message": "vouchsafe-audit-checkpoint:v1:{seq}:{hash}:{created_at}",
        "checkpoint": latest,
    });
    Ok(([(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"), (header::CACHE_CONTROL, "no-cache")], Json(body)).into_response())
}
