use super::RouteError;
use app::{
    error::AppError,
    features::documents::{model::Visibility, server as docs},
    ssr::AppState,
};
use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Redirect, Response},
};

/// A public document's current version. Restricted documents never come from here: the visitor
/// is sent to the request page instead.
pub async fn download_public(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, RouteError> {
    let stored = docs::current_version(&state.db, &slug).await?;
    if stored.document.visibility != Visibility::Public {
        return Ok(Redirect::to(&format!("/documents/{}/request", stored.document.slug)).into_response());
    }
    let bytes = state.files.get(&stored.sha256).await.map_err(|e| AppError::internal("reading a document", e))?;
    let disposition = format!("attachment; filename=\"{}\"", safe_file_name(&stored.file_name));
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// A file name safe in a quoted header value on every platform: letters, digits, `.-_` only.
pub fn safe_file_name(name: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '-' }).collect();
    let trimmed = cleaned.trim_matches(|c| c == '.' || c == '-');
    if trimmed.is_empty() {
        "document.pdf".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::safe_file_name;

    #[test]
    fn file_names_cannot_break_headers_or_paths() {
        assert_eq!(safe_file_name("soc2 report.pdf"), "soc2-report.pdf");
        assert_eq!(safe_file_name("../../etc/passwd"), "etc-passwd");
        assert_eq!(safe_file_name("a\"b\r\nc.pdf"), "a-b--c.pdf");
        assert_eq!(safe_file_name("..."), "document.pdf");
    }
}
