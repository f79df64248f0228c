//! `/api/v1`: companies, grants, the access log as a feed, approved knowledge-base entries, for
//! the company's CRM, SIEM and other tools. Callers send `Authorization: Bearer vsk_…` (a token
//! an admin made on `/admin/integrations`); each route needs one scope. Errors are RFC 9457
//! problem details (`application/problem+json`). The OpenAPI document at `/api/v1/openapi.json`
//! is generated from these handlers.

mod handlers;
mod openapi;

use app::{
    error::AppError,
    features::integrations::{
        model::ApiScope,
        server::tokens::{self, ApiCaller},
    },
    ssr::{
        audit::{self, Actor, Event, Outcome},
        request_meta::RequestMeta,
        AppState,
    },
};
use axum::{
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use serde::Serialize;
use utoipa::ToSchema;

/// The companies.
pub const COMPANIES: &str = "/api/v1/companies";
/// One company.
pub const COMPANY: &str = "/api/v1/companies/{id}";
/// The grants.
pub const GRANTS: &str = "/api/v1/grants";
/// The access log as JSON lines, with a cursor.
pub const ACCESS_LOG: &str = "/api/v1/access-log";
/// Approved knowledge-base entries.
pub const KB_ENTRIES: &str = "/api/v1/kb/entries";
/// The OpenAPI document.
pub const OPENAPI: &str = "/api/v1/openapi.json";

/// Every `/api/v1` route.
pub const PATHS: [&str; 6] = [COMPANIES, COMPANY, GRANTS, ACCESS_LOG, KB_ENTRIES, OPENAPI];

/// The `/api/v1` routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(COMPANIES, get(handlers::list_companies).post(handlers::create_company))
        .route(COMPANY, get(handlers::get_company).patch(handlers::update_company))
        .route(GRANTS, get(handlers::list_grants))
        .route(ACCESS_LOG, get(handlers::access_log))
        .route(KB_ENTRIES, get(handlers::kb_entries))
        .route(OPENAPI, get(openapi::document))
        .with_state(state)
}

/// An RFC 9457 problem: every error of `/api/v1` has this shape.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The status's reason phrase.
    pub title: String,
    pub status: u16,
    /// What went wrong, for a person.
    pub detail: String,
    /// The fields that were not accepted, when the request body or query was the problem.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// One field that was not accepted.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// A refusal or failure of an `/api/v1` request, answered as an RFC 9457 problem.
#[derive(Debug)]
pub struct ApiProblem {
    status: StatusCode,
    detail: String,
    errors: Vec<FieldProblem>,
    /// The `WWW-Authenticate` challenge of a 401 or 403.
    challenge: Option<HeaderValue>,
}

impl IntoResponse for ApiProblem {
    fn into_response(self) -> Response {
        let body = Problem {
            kind: "about:blank",
            title: self.status.canonical_reason().unwrap_or("Error").to_string(),
            status: self.status.as_u16(),
            detail: self.detail,
            errors: self.errors,
        };
        let json = serde_json::to_string(&body).unwrap_or_default();
        let mut res = (self.status, [(header::CONTENT_TYPE, "application/problem+json")], json).into_response();
        if let Some(challenge) = self.challenge {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, challenge);
        }
        res
    }
}

/// A problem with `status` and `detail`.
pub fn problem(status: StatusCode, detail: impl Into<String>) -> ApiProblem {
    ApiProblem { status, detail: detail.into(), errors: Vec::new(), challenge: None }
}

impl From<AppError> for ApiProblem {
    /// An internal error is described in general terms (it was logged where it arose).
    fn from(err: AppError) -> Self {
        let status = StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        match err {
            AppError::Invalid { message, fields } => ApiProblem {
                errors: fields.into_iter().map(|f| FieldProblem { field: f.field, message: f.message }).collect(),
                ..problem(status, message)
            },
            AppError::NotFound => problem(status, "There is no such record."),
            AppError::Internal => problem(status, "The request could not be completed."),
            other => problem(status, other.to_string()),
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token)
}

/// The caller, if their token is valid and carries `scope`; otherwise the problem to answer
/// with, the refusal logged (aggregated per source when anyone could have caused it).
pub async fn caller(
    state: &AppState,
    meta: &RequestMeta,
    headers: &HeaderMap,
    scope: ApiScope,
    path: &str,
) -> Result<ApiCaller, ApiProblem> {
    let caller = match tokens::authenticate(state, bearer(headers)).await {
        Ok(Ok(caller)) => caller,
        Ok(Err(refusal)) => {
            let details = serde_json::json!({ "reason": refusal.reason(), "scope": scope.code() });
            state
                .refusals
                .note_by(&state.db, meta, &Actor::anonymous(), "api.request", Outcome::Denied, path.into(), details)
                .await;
            return Err(ApiProblem {
                challenge: Some(HeaderValue::from_static(r#"Bearer realm="vouchsafe", error="invalid_token""#)),
                ..problem(StatusCode::UNAUTHORIZED, "A valid API token is required (Authorization: Bearer …).")
            });
        }
        Err(e) => return Err(e.into()),
    };
    if !caller.may(scope) {
        let details = serde_json::json!({ "token": caller.token_id, "scope": scope.code(), "reason": "scope missing" });
        let event = Event {
            actor: &caller.actor(),
            event: "api.request",
            object: path.into(),
            outcome: Outcome::Denied,
            details,
        };
        audit::record_alone(&state.db, meta, event).await?;
        let challenge = format!(r#"Bearer realm="vouchsafe", error="insufficient_scope", scope="{}""#, scope.code());
        return Err(ApiProblem {
            challenge: HeaderValue::from_str(&challenge).ok(),
            ..problem(StatusCode::FORBIDDEN, format!("This token does not carry the scope {}.", scope.code()))
        });
    }
    Ok(caller)
}

/// Records a read: which token, which route, how many items.
pub async fn log_read(
    state: &AppState,
    meta: &RequestMeta,
    caller: &ApiCaller,
    path: &str,
    details: serde_json::Value,
) -> Result<(), ApiProblem> {
    let mut details = details;
    details["token"] = serde_json::json!(caller.token_id);
    let event =
        Event { actor: &caller.actor(), event: "api.request", object: path.into(), outcome: Outcome::Success, details };
    Ok(audit::record_alone(&state.db, meta, event).await?)
}
