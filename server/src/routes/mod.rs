//! Routes outside the Leptos page tree: health, JSON, files and assets.

pub mod api_v1;
mod assets;
mod branding;
mod documents;
mod exports;
mod health;
pub mod knowledge;
mod leak_trace;
pub mod questionnaires;
mod scim;
mod sso;
mod trust_json;
mod updates;
mod upload;

use app::{
    error::AppError,
    features::accounts::model::{Principal, StaffRole, StaffUser},
    forms::Flash,
    ssr::AppState,
};
use axum::{
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use tower_sessions::Session;

/// Every route outside the Leptos page tree (the access tests enumerate these).
pub const PATHS: &[&str] = &[
    HEALTH,
    READY,
    TRUST_JSON,
    app::paths::TRUST_JSON_JWS,
    app::paths::JWKS,
    app::paths::SECURITY_TXT,
    ROBOTS,
    DOWNLOAD,
    GET_RESTRICTED,
    DELIVER,
    app::paths::NDA_RECORD,
    LOGO,
    branding::LOGO_UPLOAD,
    AUDIT_CSV,
    CHECKPOINTS,
    PUBLIC_CHECKPOINT,
    ANALYTICS_CSV,
    assets::PATH,
    upload::PATH,
    leak_trace::PATH,
    knowledge::UPLOAD,
    knowledge::LEARN,
    knowledge::EXPORT_CSV,
    knowledge::EXPORT_XLSX,
    questionnaires::UPLOAD,
    questionnaires::SELF_SERVE_UPLOAD,
    questionnaires::SELF_SERVE_DOWNLOAD,
    questionnaires::EXPORT,
    questionnaires::SAMPLE,
    updates::ATOM,
    updates::ONE_CLICK,
    app::paths::SSO_START,
    app::paths::SSO_CALLBACK,
    scim::USERS,
    "/scim/v2/Users/{id}",
    api_v1::COMPANIES,
    api_v1::COMPANY,
    api_v1::GRANTS,
    api_v1::ACCESS_LOG,
    api_v1::KB_ENTRIES,
    api_v1::OPENAPI,
];
/// The routes that take file uploads, and the largest body the server reads for any of them.
/// Each route checks its own, smaller limit and says so next to the file field; this one is
/// well above them, so a file a little too large still gets that message rather than a bare
/// 413. Every other request body is a form or a server function's arguments (see
/// `middleware::body`).
pub const UPLOAD_PATHS: &[&str] = &[
    upload::PATH,
    leak_trace::PATH,
    knowledge::UPLOAD,
    knowledge::LEARN,
    questionnaires::UPLOAD,
    questionnaires::SELF_SERVE_UPLOAD,
    branding::LOGO_UPLOAD,
];
/// The body limit of [`UPLOAD_PATHS`] requests: the largest PDF plus 16 MiB of headroom.
pub const UPLOAD_BODY_LIMIT: usize = upload::MAX_BYTES + 16 * 1024 * 1024;

const HEALTH: &str = "/healthz";
const READY: &str = "/readyz";
const TRUST_JSON: &str = app::paths::TRUST_JSON;
const ROBOTS: &str = "/robots.txt";
const DOWNLOAD: &str = "/documents/{slug}/download";
const LOGO: &str = "/branding/logo/{hash}";
const GET_RESTRICTED: &str = "/documents/{slug}/get";
const DELIVER: &str = "/download/{token}";
const AUDIT_CSV: &str = "/admin/audit.csv";
const CHECKPOINTS: &str = "/admin/audit/checkpoints.json";
const PUBLIC_CHECKPOINT: &str = "/audit/checkpoint.json";
const ANALYTICS_CSV: &str = "/admin/analytics.csv";

/// Every route outside the Leptos page tree ([`PATHS`]), with their body limits. The middleware
/// enforces the access table; each staff handler checks the role again.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(HEALTH, get(health::healthz))
        .route(app::paths::SSO_START, get(sso::start))
        .route(app::paths::SSO_CALLBACK, get(sso::callback))
        .route(READY, get(health::readyz))
        .route(TRUST_JSON, get(trust_json::trust_json))
        .route(app::paths::TRUST_JSON_JWS, get(trust_json::trust_json_jws))
        .route(app::paths::JWKS, get(trust_json::jwks))
        .route(app::paths::SECURITY_TXT, get(trust_json::security_txt))
        .route(ROBOTS, get(robots))
        .route(DOWNLOAD, get(documents::download_public))
        .route(GET_RESTRICTED, get(documents::restricted_page).post(documents::get_restricted))
        .route(DELIVER, get(documents::deliver))
        .route(app::paths::NDA_RECORD, get(documents::nda_record))
        .route(LOGO, get(branding::logo))
        .route(AUDIT_CSV, get(exports::audit_csv))
        .route(CHECKPOINTS, get(exports::checkpoints_json))
        .route(PUBLIC_CHECKPOINT, get(exports::public_checkpoint))
        .route(ANALYTICS_CSV, get(exports::analytics_csv))
        .with_state(state.clone())
        .merge(assets::router(&state))
        .merge(upload::router(state.clone()))
        .merge(scim::router(state.clone()))
        .merge(api_v1::router(state.clone()))
        .merge(leak_trace::router(state.clone()))
        .merge(knowledge::router(state.clone()))
        .merge(questionnaires::router(state.clone()))
        .merge(updates::router(state.clone()))
        .merge(branding::router(state.clone()))
}

/// Security staff (and admins) only: the caller, or why not.
fn require_security(principal: &Principal) -> Result<StaffUser, AppError> {
    match principal {
        Principal::Staff(staff) if staff.has(StaffRole::Security) => Ok(staff.clone()),
        Principal::Staff(_) => Err(AppError::Forbidden),
        _ => Err(AppError::Unauthenticated),
    }
}

/// Leaves `flash` (a form's result) for the next page; `what` names it in the log if the session
/// store fails.
async fn put_flash(session: &Session, flash: Flash, what: &str) {
    if let Err(err) = session.insert("flash", flash).await {
        tracing::warn!(error = %err, "could not store {what}");
    }
}

/// The flash a plain form route leaves: its notice, or the error with its messages by field.
fn outcome_flash(form: &str, result: Result<String, AppError>) -> Flash {
    match result {
        Ok(notice) => Flash { form: form.into(), notice: Some(notice), ..Default::default() },
        Err(error) => {
            let fields = match &error {
                AppError::Invalid { fields, .. } => fields.clone(),
                _ => Vec::new(),
            };
            Flash { form: form.into(), error: Some(error.to_string()), fields, ..Default::default() }
        }
    }
}

/// A multipart form's text fields named in `texts` (each cut to 500 characters) and its one file
/// in `file_field` (name and bytes; `None` when no file was chosen). A file over `max_bytes`, or a
/// body axum cut off, is a message on `file_field`.
async fn read_multipart(
    mut multipart: axum::extract::Multipart,
    file_field: &'static str,
    max_bytes: usize,
    texts: &[&str],
) -> Result<(std::collections::BTreeMap<String, String>, Option<(String, Vec<u8>)>), AppError> {
    let too_big = || {
        let limit = if max_bytes >= 1024 * 1024 {
            format!("{} MB", max_bytes / 1024 / 1024)
        } else {
            format!("{} KB", max_bytes / 1024)
        };
        AppError::field(file_field, format!("The file is larger than {limit}."))
    };
    let mut fields = std::collections::BTreeMap::new();
    let mut file = None;
    while let Some(mut field) = multipart.next_field().await.map_err(|_| too_big())? {
        let name = field.name().unwrap_or_default().to_string();
        if name == file_field {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| too_big())? {
                if bytes.len() + chunk.len() > max_bytes {
                    return Err(too_big());
                }
                bytes.extend_from_slice(&chunk);
            }
            if !bytes.is_empty() {
                file = Some((file_name, bytes));
            }
        } else if texts.contains(&name.as_str()) {
            let text = field.text().await.map_err(|_| AppError::BadRequest)?;
            fields.insert(name, text.chars().take(500).collect());
        }
    }
    Ok((fields, file))
}

/// An [`AppError`] as a plain response: its status and its public message, nothing internal.
pub struct RouteError(pub AppError);

impl From<AppError> for RouteError {
    fn from(err: AppError) -> Self {
        Self(err)
    }
}

impl IntoResponse for RouteError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], self.0.to_string()).into_response()
    }
}

/// Crawlers may index the public page; nothing else is for them.
async fn robots() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "User-agent: *\nAllow: /$\nAllow: /trust.json\nAllow: /audit/checkpoint.json\nDisallow: /api/\nDisallow: /documents/\nDisallow: /admin\nDisallow: /account\n",
    )
}
