//! `/scim/v2/Users`: SCIM 2.0 for the identity provider (see
//! `app::features::accounts::server::scim`). JSON in and out (`application/scim+json`), errors in
//! SCIM's error schema; a request without a valid bearer token is refused (and the refusal
//! logged, aggregated per source).

use app::{
    features::accounts::server::scim::{self, ChangeRefusal, CreateRefusal, ScimCaller},
    ssr::{audit::Outcome, request_meta::RequestMeta, AppState},
};
use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Extension, Router,
};
use serde_json::{json, Value};
use std::collections::HashMap;

/// The collection; a user is `{USERS}/{id}`.
pub const USERS: &str = "/scim/v2/Users";
const USER: &str = "/scim/v2/Users/{id}";

/// The SCIM routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(USERS, get(list).post(create))
        .route(USER, get(one).patch(patch).delete(remove))
        .with_state(state)
}

fn scim_json(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/scim+json")], body.to_string()).into_response()
}

fn error(status: StatusCode, scim_type: Option<&str>, detail: &str) -> Response {
    let mut body = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": status.as_u16().to_string(),
        "detail": detail,
    });
    if let Some(t) = scim_type {
        body["scimType"] = json!(t);
    }
    scim_json(status, body)
}

fn internal(e: app::error::AppError) -> Response {
    tracing::error!(error = %e, "a SCIM request failed");
    error(StatusCode::INTERNAL_SERVER_ERROR, None, "The request could not be completed.")
}

/// The caller, or the response refusing them.
async fn caller(state: &AppState, meta: &RequestMeta, headers: &HeaderMap) -> Result<ScimCaller, Response> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .unwrap_or_default();
    match scim::authenticate(state, bearer).await {
        Ok(Some(caller)) => Ok(caller),
        Ok(None) => {
            let details = json!({ "reason": "bad or revoked token" });
            let actor = app::ssr::audit::Actor::anonymous();
            state
                .refusals
                .note_by(&state.db, meta, &actor, "scim.request", Outcome::Denied, String::new(), details)
                .await;
            let mut res = error(StatusCode::UNAUTHORIZED, None, "A valid bearer token is required.");
            res.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
            Err(res)
        }
        Err(e) => Err(internal(e)),
    }
}

fn id_of(text: &str) -> Option<i64> {
    text.parse().ok().filter(|id: &i64| *id > 0)
}

/// `userName eq "value"` (attribute and operator in any case); anything else is not supported.
fn user_name_filter(filter: &str) -> Option<String> {
    let mut parts = filter.trim().splitn(3, ' ');
    let (attribute, op, value) = (parts.next()?, parts.next()?, parts.next()?.trim());
    let quoted = value.strip_prefix('"')?.strip_suffix('"')?;
    (attribute.eq_ignore_ascii_case("userName") && op.eq_ignore_ascii_case("eq") && !quoted.contains('"'))
        .then(|| quoted.to_string())
}

async fn list(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(refused) = caller(&state, &meta, &headers).await {
        return refused;
    }
    let user_name = match query.get("filter").map(|f| user_name_filter(f)) {
        None => None,
        Some(Some(name)) => Some(name),
        Some(None) => {
            return error(StatusCode::BAD_REQUEST, Some("invalidFilter"), "Only userName eq \"…\" is supported.")
        }
    };
    let start = query.get("startIndex").and_then(|s| s.parse().ok()).unwrap_or(1_i64);
    let count = query.get("count").and_then(|s| s.parse().ok()).unwrap_or(100_i64);
    match scim::list(&state, user_name.as_deref(), start, count).await {
        Ok((total, users)) => scim_json(
            StatusCode::OK,
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                "totalResults": total,
                "startIndex": start.max(1),
                "itemsPerPage": users.len(),
                "Resources": users,
            }),
        ),
        Err(e) => internal(e),
    }
}

async fn one(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(refused) = caller(&state, &meta, &headers).await {
        return refused;
    }
    match id_of(&id) {
        Some(id) => match scim::get(&state, id).await {
            Ok(Some(user)) => scim_json(StatusCode::OK, json!(user)),
            Ok(None) => error(StatusCode::NOT_FOUND, None, "No such user."),
            Err(e) => internal(e),
        },
        None => error(StatusCode::NOT_FOUND, None, "No such user."),
    }
}

/// A JSON object body, if it is one.
fn body(bytes: &Bytes) -> Option<Value> {
    serde_json::from_slice::<Value>(bytes).ok().filter(Value::is_object)
}

fn not_an_object() -> Response {
    error(StatusCode::BAD_REQUEST, Some("invalidSyntax"), "The body must be a JSON object.")
}

/// A SCIM boolean: `true`/`false`, or the strings some providers send (`"True"`, `"false"`).
fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

async fn create(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let caller = match caller(&state, &meta, &headers).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let Some(body) = body(&bytes) else { return not_an_object() };
    let primary_email = body["emails"]
        .as_array()
        .and_then(|emails| emails.iter().find(|e| e["primary"] == json!(true)).or_else(|| emails.first()))
        .and_then(|e| e["value"].as_str());
    let user_name = body["userName"].as_str().filter(|u| u.contains('@')).or(primary_email).unwrap_or_default();
    let name =
        body["displayName"].as_str().or(body["name"]["formatted"].as_str()).map(str::to_string).unwrap_or_else(|| {
            let given = body["name"]["givenName"].as_str().unwrap_or_default();
            let family = body["name"]["familyName"].as_str().unwrap_or_default();
            format!("{given} {family}").trim().to_string()
        });
    let active = body.get("active").and_then(boolean).unwrap_or(true);
    match scim::create(&state, &meta, &caller, user_name, &name, active).await {
        Ok(Ok(user)) => {
            let location = user.meta.location.clone();
            let mut res = scim_json(StatusCode::CREATED, json!(user));
            if let Ok(value) = header::HeaderValue::from_str(&location) {
                res.headers_mut().insert(header::LOCATION, value);
            }
            res
        }
        Ok(Err(CreateRefusal::Exists)) => {
            error(StatusCode::CONFLICT, Some("uniqueness"), "A staff account with this userName exists.")
        }
        Ok(Err(CreateRefusal::Invalid(why))) => error(StatusCode::BAD_REQUEST, Some("invalidValue"), &why),
        Err(e) => internal(e),
    }
}

/// The `active` value a PATCH sets, if it sets one: `{"op": "replace", "path": "active", "value":
/// false}` or `{"op": "replace", "value": {"active": false}}`; other attributes are ignored.
fn patched_active(body: &Value) -> Result<Option<bool>, &'static str> {
    let operations = body["Operations"].as_array().ok_or("Operations must be a list")?;
    let mut active = None;
    for op in operations {
        let kind = op["op"].as_str().unwrap_or_default();
        if !kind.eq_ignore_ascii_case("replace") && !kind.eq_ignore_ascii_case("add") {
            continue;
        }
        let value = match op["path"].as_str() {
            Some(path) if path.eq_ignore_ascii_case("active") => Some(&op["value"]),
            Some(_) => None,
            None => op["value"].get("active"),
        };
        if let Some(value) = value {
            active = Some(boolean(value).ok_or("active must be true or false")?);
        }
    }
    Ok(active)
}

async fn patch(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Response {
    let caller = match caller(&state, &meta, &headers).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let Some(id) = id_of(&id) else { return error(StatusCode::NOT_FOUND, None, "No such user.") };
    let Some(body) = body(&bytes) else { return not_an_object() };
    let result = match patched_active(&body) {
        Ok(Some(active)) => scim::set_active(&state, &meta, &caller, id, active).await,
        Ok(None) => scim::get(&state, id).await.map(|user| user.ok_or(ChangeRefusal::NotFound)),
        Err(why) => return error(StatusCode::BAD_REQUEST, Some("invalidValue"), why),
    };
    match result {
        Ok(Ok(user)) => scim_json(StatusCode::OK, json!(user)),
        Ok(Err(refusal)) => refused(refusal),
        Err(e) => internal(e),
    }
}

fn refused(refusal: ChangeRefusal) -> Response {
    match refusal {
        ChangeRefusal::NotFound => error(StatusCode::NOT_FOUND, None, "No such user."),
        ChangeRefusal::LastAdmin => error(
            StatusCode::CONFLICT,
            Some("mutability"),
            "This would leave the trust center without an active admin.",
        ),
        ChangeRefusal::BreakGlass => {
            error(StatusCode::CONFLICT, Some("mutability"), "A break-glass admin is managed in the trust center only.")
        }
    }
}

async fn remove(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let caller = match caller(&state, &meta, &headers).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let Some(id) = id_of(&id) else { return error(StatusCode::NOT_FOUND, None, "No such user.") };
    match scim::delete(&state, &meta, &caller, id).await {
        Ok(Ok(())) => StatusCode::NO_CONTENT.into_response(),
        Ok(Err(refusal)) => refused(refusal),
        Err(e) => internal(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_and_patches_are_read_as_providers_send_them() {
        assert_eq!(user_name_filter("userName eq \"ada@example.com\""), Some("ada@example.com".into()));
        assert_eq!(user_name_filter("USERNAME EQ \"ada@example.com\""), Some("ada@example.com".into()));
        assert_eq!(user_name_filter("externalId eq \"1\""), None);
        assert_eq!(user_name_filter("userName co \"a\""), None);
        assert_eq!(user_name_filter("userName eq \"a\" or userName eq \"b\""), None);
        let okta = json!({ "Operations": [{ "op": "replace", "value": { "active": false } }] });
        let entra = json!({ "Operations": [{ "op": "Replace", "path": "active", "value": "False" }] });
        let other = json!({ "Operations": [{ "op": "replace", "path": "name.givenName", "value": "Ada" }] });
        assert_eq!(patched_active(&okta), Ok(Some(false)));
        assert_eq!(patched_active(&entra), Ok(Some(false)));
        assert_eq!(patched_active(&other), Ok(None));
        assert!(patched_active(&json!({ "Operations": [{ "op": "replace", "path": "active", "value": 0 }] })).is_err());
        assert!(patched_active(&json!({})).is_err());
    }
}
