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
/// A small example questionnaire (xlsx) to try the feature with.
pub const SAMPLE: &str = app::paths::QUESTIONNAIRE_SAMPLE;

/// The questionnaire routes; only the upload gets the larger body limit.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(UPLOAD, post(upload))
        .layer(DefaultBodyLimit::max(MAX_BYTES + 64 * 1024))
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
            let (message, fields) = match &error {
                AppError::Invalid { message, fields } => (message.clone(), fields.clone()),
                other => (other.to_string(), Vec::new()),
            };
            // A message about the file is the message.
            let message = fields.iter().find(|f| f.field == "file").map(|f| f.message.clone()).unwrap_or(message);
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
