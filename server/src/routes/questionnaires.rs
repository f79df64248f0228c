//! Questionnaire files: `POST /admin/questionnaires/upload` (the buyer's file and the form's
//! fields; problems come back on the page, nothing is stored), `POST /admin/questionnaires/{id}/export`
//! (the same file answered, each answer recorded for the company), and a sample questionnaire.
//! Security staff and admins only; each handler checks the role itself.

use super::{knowledge::attachment, put_flash, read_multipart, require_security, RouteError};
use app::{
    error::AppError,
    features::{
        accounts::{model::Principal, server::staff_actor},
        questionnaires::server::{self as qn, UploadInput, MAX_BYTES},
    },
    forms::Flash,
    identity::ProspectUser,
    ssr::{request_meta::RequestMeta, AppState},
};
use axum::{
    extract::{DefaultBodyLimit, Multipart, Path, State},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Extension, Router,
};
use std::collections::BTreeMap;
use tower_sessions::Session;

/// The upload form's target: a buyer's questionnaire and the company it is for.
pub const UPLOAD: &str = app::paths::QUESTIONNAIRE_UPLOAD;
/// `POST`: the buyer's file with its final answers written in, as a download; each answer is
/// recorded for the company.
pub const EXPORT: &str = app::paths::QUESTIONNAIRE_EXPORT;
/// A prospect's own questionnaire (self-serve), from their account page.
pub const SELF_SERVE_UPLOAD: &str = app::paths::SELF_SERVE_UPLOAD;
/// `POST`: a prospect's own questionnaire, filled.
pub const SELF_SERVE_DOWNLOAD: &str = app::paths::SELF_SERVE_DOWNLOAD;
/// A small example questionnaire (xlsx) to try the feature with.
pub const SAMPLE: &str = app::paths::QUESTIONNAIRE_SAMPLE;

/// The questionnaire routes; only the upload gets the larger body limit.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(UPLOAD, post(upload))
        .route(SELF_SERVE_UPLOAD, post(self_serve_upload))
        .layer(DefaultBodyLimit::max(MAX_BYTES + 64 * 1024))
        .route(SELF_SERVE_DOWNLOAD, post(self_serve_download))
        .route(EXPORT, post(export))
        .route(SAMPLE, get(sample))
        .with_state(state)
}

async fn upload(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(meta): Extension<RequestMeta>,
    session: Session,
    multipart: Multipart,
) -> Response {
    let staff = match require_security(&principal) {
        Ok(staff) => staff,
        Err(e) => return RouteError(e).into_response(),
    };
    let mut typed = BTreeMap::new();
    let result: Result<i64, AppError> = async {
        let (fields, file) = read_multipart(
            multipart,
            "file",
            MAX_BYTES,
            &["title", "company_id", "new_company_domain", "new_company_name", "due_on", "owner_id"],
        )
        .await?;
        typed = fields.clone();
        let (name, bytes) = file.ok_or_else(|| AppError::field("file", "Choose the buyer's file (.xlsx or .csv)."))?;
        let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
        let input = UploadInput {
            title: get("title"),
            company_id: get("company_id"),
            new_company_domain: get("new_company_domain"),
            new_company_name: get("new_company_name"),
            due_on: get("due_on"),
            owner_id: get("owner_id"),
            prospect_id: None,
        };
        qn::create(&state, &meta, &staff_actor(&staff), &name, bytes, &input).await
    }
    .await;
    match result {
        Ok(id) => {
            let flash = Flash {
                form: "qn".into(),
                notice: Some("Uploaded: answers are being suggested.".into()),
                ..Default::default()
            };
            put_flash(&session, flash, "the upload result").await;
            Redirect::to(&format!("/admin/questionnaires/{id}")).into_response()
        }
        Err(error) => {
            let message = upload_message(&error);
            let fields = match error {
                AppError::Invalid { fields, .. } => fields,
                _ => Vec::new(),
            };
            let flash = Flash { form: "qn_upload".into(), error: Some(message), notice: None, fields, values: typed };
            put_flash(&session, flash, "the upload result").await;
            Redirect::to("/admin/questionnaires").into_response()
        }
    }
}

async fn export(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(meta): Extension<RequestMeta>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, RouteError> {
    let staff = require_security(&principal)?;
    match qn::export(&state, &meta, &staff_actor(&staff), id).await {
        Ok(file) => Ok(attachment(&file.file_name, file.mime, file.bytes)),
        Err(error @ AppError::Invalid { .. }) => {
            let flash = Flash { form: "qn".into(), error: Some(error.to_string()), ..Default::default() };
            put_flash(&session, flash, "the export result").await;
            Ok(Redirect::to(&format!("/admin/questionnaires/{id}")).into_response())
        }
        Err(error) => Err(error.into()),
    }
}

/// What an upload's refusal says: a message about the file is the message.
fn upload_message(error: &AppError) -> String {
    match error {
        AppError::Invalid { message, fields } => {
            fields.iter().find(|f| f.field == "file").map_or_else(|| message.clone(), |f| f.message.clone())
        }
        other => other.to_string(),
    }
}

/// A signed-in prospect, or why not.
fn require_prospect(principal: &Principal) -> Result<ProspectUser, AppError> {
    match principal {
        Principal::Prospect(p) => Ok(p.clone()),
        Principal::Staff(_) => Err(AppError::Forbidden),
        _ => Err(AppError::Unauthenticated),
    }
}

async fn self_serve_upload(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(meta): Extension<RequestMeta>,
    session: Session,
    multipart: Multipart,
) -> Response {
    let prospect = match require_prospect(&principal) {
        Ok(p) => p,
        Err(e) => return RouteError(e).into_response(),
    };
    let result: Result<i64, AppError> = async {
        let (_, file) = read_multipart(multipart, "file", MAX_BYTES, &[]).await?;
        let (name, bytes) =
            file.ok_or_else(|| AppError::field("file", "Choose your questionnaire (.xlsx or .csv)."))?;
        qn::self_serve_upload(&state, &meta, &prospect, &name, bytes).await
    }
    .await;
    let flash = match result {
        Ok(_) => Flash {
            form: "self_serve".into(),
            notice: Some("Uploaded: automatic answers are being filled in; the security team answers the rest.".into()),
            ..Default::default()
        },
        Err(error) => Flash { form: "self_serve".into(), error: Some(upload_message(&error)), ..Default::default() },
    };
    put_flash(&session, flash, "the upload result").await;
    Redirect::to("/account#questionnaires").into_response()
}

async fn self_serve_download(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(meta): Extension<RequestMeta>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, RouteError> {
    let prospect = require_prospect(&principal)?;
    match qn::self_serve_download(&state, &meta, &prospect, id).await {
        Ok(file) => Ok(attachment(&file.file_name, file.mime, file.bytes)),
        Err(error @ AppError::Invalid { .. }) => {
            let flash = Flash { form: "self_serve".into(), error: Some(error.to_string()), ..Default::default() };
            put_flash(&session, flash, "the download result").await;
            Ok(Redirect::to("/account#questionnaires").into_response())
        }
        Err(error) => Err(error.into()),
    }
}

async fn sample(Extension(principal): Extension<Principal>) -> Result<Response, RouteError> {
    require_security(&principal)?;
    let bytes = tokio::task::spawn_blocking(answers::sample::buyer_questionnaire)
        .await
        .map_err(|e| AppError::internal("building the sample questionnaire", e))?
        .map_err(|e| AppError::internal("building the sample questionnaire", e))?;
    Ok(attachment(
        "sample-questionnaire.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    ))
}
