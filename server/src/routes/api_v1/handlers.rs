//! The `/api/v1` handlers; each names its scope in its first lines and in its OpenAPI entry.

use super::{caller, log_read, problem, ApiProblem, Problem, ACCESS_LOG, COMPANIES, GRANTS, KB_ENTRIES};
use app::{
    features::integrations::{
        model::ApiScope,
        server::v1::{self, Company, CompanyInput, Grant, KbEntry, LogLine, Page},
    },
    ssr::{request_meta::RequestMeta, AppState},
};
use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Extension, Json,
};
use std::collections::HashMap;

type Params = Query<HashMap<String, String>>;
/// A handler's answer: the response, or the problem refusing the request.
type Answer = Result<Response, ApiProblem>;

/// A whole number from the query, or the problem naming the parameter.
fn number(query: &HashMap<String, String>, name: &str) -> Result<Option<i64>, ApiProblem> {
    match query.get(name) {
        None => Ok(None),
        Some(text) => text.trim().parse::<i64>().map(Some).map_err(|_| {
            problem(StatusCode::BAD_REQUEST, format!("The query parameter {name} must be a whole number."))
        }),
    }
}

/// The cursor and page size of a list.
fn paging(query: &HashMap<String, String>) -> Result<(i64, i64), ApiProblem> {
    let after = number(query, "after")?.unwrap_or(0).max(0);
    let limit = v1::page_size(number(query, "limit")?)?;
    Ok((after, limit))
}

fn company_id(text: &str) -> Result<i64, ApiProblem> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| problem(StatusCode::NOT_FOUND, "There is no such record."))
}

/// A JSON body as [`CompanyInput`], or a problem saying what is wrong with it.
fn company_input(body: &Bytes) -> Result<CompanyInput, ApiProblem> {
    serde_json::from_slice(body).map_err(|e| {
        let detail = format!("The body is not a company as the OpenAPI document describes it: {e}");
        problem(StatusCode::BAD_REQUEST, detail.chars().take(300).collect::<String>())
    })
}

/// Companies, by id, a page at a time (or the one with `domain`).
#[utoipa::path(get, path = "/api/v1/companies", tag = "companies",
    params(
        ("domain" = Option<String>, Query, description = "Only the company with this e-mail domain"),
        ("after" = Option<i64>, Query, description = "The cursor: the last id of the previous page"),
        ("limit" = Option<i64>, Query, description = "Items per page, 1 to 1000 (default 100)"),
    ),
    responses(
        (status = 200, body = Page<Company>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["companies:read"])))]
pub async fn list_companies(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    Query(query): Params,
) -> Answer {
    let who = caller(&state, &meta, &headers, ApiScope::CompaniesRead, COMPANIES).await?;
    let (after, limit) = paging(&query)?;
    let page = v1::companies(&state.db, query.get("domain").map(String::as_str), after, limit).await?;
    log_read(&state, &meta, &who, COMPANIES, serde_json::json!({ "items": page.items.len() })).await?;
    Ok(Json(page).into_response())
}

/// One company.
#[utoipa::path(get, path = "/api/v1/companies/{id}", tag = "companies",
    params(("id" = i64, Path, description = "The company's id")),
    responses(
        (status = 200, body = Company),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["companies:read"])))]
pub async fn get_company(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Answer {
    let object = format!("{COMPANIES}/{}", id.chars().take(20).collect::<String>());
    let who = caller(&state, &meta, &headers, ApiScope::CompaniesRead, &object).await?;
    let company = v1::company(&state.db, company_id(&id)?).await?;
    log_read(&state, &meta, &who, &object, serde_json::json!({ "items": 1 })).await?;
    Ok(Json(company).into_response())
}

/// Creates a company: its domain and name, and optionally its MNDA date and auto-approval.
#[utoipa::path(post, path = "/api/v1/companies", tag = "companies",
    request_body = CompanyInput,
    responses(
        (status = 201, body = Company),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["companies:write"])))]
pub async fn create_company(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let who = caller(&state, &meta, &headers, ApiScope::CompaniesWrite, COMPANIES).await?;
    let input = company_input(&body)?;
    let id = v1::save_company(&state, &meta, &who, None, input).await?;
    let company = v1::company(&state.db, id).await?;
    let location = format!("{COMPANIES}/{id}");
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(company)).into_response())
}

/// Changes a company: fields left out are kept; `"mnda_until": null` ends its MNDA.
#[utoipa::path(patch, path = "/api/v1/companies/{id}", tag = "companies",
    params(("id" = i64, Path, description = "The company's id")),
    request_body = CompanyInput,
    responses(
        (status = 200, body = Company),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["companies:write"])))]
pub async fn update_company(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    let object = format!("{COMPANIES}/{}", id.chars().take(20).collect::<String>());
    let who = caller(&state, &meta, &headers, ApiScope::CompaniesWrite, &object).await?;
    let (id, input) = (company_id(&id)?, company_input(&body)?);
    let id = v1::save_company(&state, &meta, &who, Some(id), input).await?;
    Ok(Json(v1::company(&state.db, id).await?).into_response())
}

/// Grants, by id, a page at a time: active ones, or all with `status=all`.
#[utoipa::path(get, path = "/api/v1/grants", tag = "grants",
    params(
        ("status" = Option<String>, Query, description = "`active` (default) or `all` (expired and revoked too)"),
        ("after" = Option<i64>, Query, description = "The cursor: the last id of the previous page"),
        ("limit" = Option<i64>, Query, description = "Items per page, 1 to 1000 (default 100)"),
    ),
    responses(
        (status = 200, body = Page<Grant>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["grants:read"])))]
pub async fn list_grants(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    Query(query): Params,
) -> Answer {
    let who = caller(&state, &meta, &headers, ApiScope::GrantsRead, GRANTS).await?;
    let all = match query.get("status").map(String::as_str) {
        None | Some("active") => false,
        Some("all") => true,
        Some(_) => return Err(problem(StatusCode::BAD_REQUEST, "status is active or all.")),
    };
    let (after, limit) = paging(&query)?;
    let page = v1::grants(&state.db, all, after, limit).await?;
    log_read(&state, &meta, &who, GRANTS, serde_json::json!({ "items": page.items.len() })).await?;
    Ok(Json(page).into_response())
}

/// The access log as JSON lines (`application/x-ndjson`), oldest first, after the cursor. The
/// response's `X-Next-Cursor` is the cursor for the next request (the last `seq` sent, or the
/// same cursor when nothing was new): a SIEM pulling every minute gets every row exactly once.
/// This request's own log row comes after the rows it returns.
#[utoipa::path(get, path = "/api/v1/access-log", tag = "access log",
    params(
        ("after" = Option<i64>, Query, description = "The cursor: the last `seq` already received (0 for the start)"),
        ("limit" = Option<i64>, Query, description = "Rows per page, 1 to 1000 (default 100)"),
    ),
    responses(
        (status = 200, body = LogLine, content_type = "application/x-ndjson",
            description = "One access-log row per line",
            headers(("X-Next-Cursor" = i64, description = "The `after` of the next request"))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["audit:read"])))]
pub async fn access_log(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    Query(query): Params,
) -> Answer {
    let who = caller(&state, &meta, &headers, ApiScope::AuditRead, ACCESS_LOG).await?;
    let (after, limit) = paging(&query)?;
    let rows: Vec<LogLine> = v1::log_after(&state.db, after, limit).await?;
    let next = rows.last().map_or(after, |r| r.seq);
    let mut body = String::new();
    for row in &rows {
        body.push_str(&serde_json::to_string(row).unwrap_or_default());
        body.push('\n');
    }
    let details = serde_json::json!({ "after": after, "items": rows.len() });
    log_read(&state, &meta, &who, ACCESS_LOG, details).await?;
    let headers = [
        (header::CONTENT_TYPE, "application/x-ndjson".to_string()),
        (header::CACHE_CONTROL, "no-store".into()),
        (header::HeaderName::from_static("x-next-cursor"), next.to_string()),
    ];
    Ok((headers, body).into_response())
}

/// Approved, current knowledge-base entries a buyer under NDA may read; internal entries never.
#[utoipa::path(get, path = "/api/v1/kb/entries", tag = "knowledge base",
    params(
        ("visibility" = Option<String>, Query, description = "`public` or `nda` (default: both)"),
        ("after" = Option<i64>, Query, description = "The cursor from the previous page's `next_cursor`"),
        ("limit" = Option<i64>, Query, description = "Items per page, 1 to 1000 (default 100)"),
    ),
    responses(
        (status = 200, body = Page<KbEntry>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["kb:read"])))]
pub async fn kb_entries(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    Query(query): Params,
) -> Answer {
    let who = caller(&state, &meta, &headers, ApiScope::KbRead, KB_ENTRIES).await?;
    let (after, limit) = paging(&query)?;
    let visibility = query.get("visibility").map(String::as_str);
    let page: Page<KbEntry> = v1::kb_entries(&state.db, visibility, after, limit).await?;
    log_read(&state, &meta, &who, KB_ENTRIES, serde_json::json!({ "items": page.items.len() })).await?;
    Ok(Json(page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_refuses_what_is_not_a_page() {
        let q = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(paging(&q(&[])).ok(), Some((0, 100)));
        assert_eq!(paging(&q(&[("after", "7"), ("limit", "1000")])).ok(), Some((7, 1000)));
        assert!(paging(&q(&[("limit", "1001")])).is_err());
        assert!(paging(&q(&[("limit", "0")])).is_err());
        assert!(paging(&q(&[("after", "x")])).is_err());
        let _: Option<Grant> = None;
    }
}
