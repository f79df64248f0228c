//! The published posture as data: `/trust.json`, its detached JWS signature
//! (`/trust.json.jws`), the key that checks it (`/.well-known/jwks.json`), and
//! `/.well-known/security.txt`.

use super::RouteError;
use app::{
    features::trust_center::{disclosure, server as trust},
    ssr::{posture::PostureKey, AppState},
    types::IsoDate,
};
use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};

/// Public, so any origin may read it; cached briefly.
const PUBLIC: [(header::HeaderName, &str); 2] =
    [(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"), (header::CACHE_CONTROL, "public, max-age=300")];

/// The exact bytes `/trust.json` serves now. The same published version and date give the same
/// bytes, so a signature fetched a moment apart checks out (unless a publish came between: fetch
/// both again, or read the `X-JWS-Signature` header of one response).
async fn posture_bytes(state: &AppState) -> Result<Vec<u8>, RouteError> {
    let page = trust::trust_page(&state.db, IsoDate::today_utc(), state.config.base_url.as_str()).await?;
    serde_json::to_vec(&page).map_err(|e| RouteError(app::error::AppError::internal("trust.json", e)))
}

/// The public page's data as JSON, for buyers' tooling, with its signature in a header too.
pub async fn trust_json(State(state): State<AppState>) -> Result<Response, RouteError> {
    let bytes = posture_bytes(&state).await?;
    let jws = PostureKey::derive(&state.audit_key).sign_detached(&bytes);
    let mut res = (PUBLIC, [(header::CONTENT_TYPE, "application/json")], bytes).into_response();
    if let Ok(value) = HeaderValue::from_str(&jws) {
        res.headers_mut().insert("x-jws-signature", value);
    }
    Ok(res)
}

/// The compact JWS with a detached payload (RFC 7515 appendix F) over the bytes `/trust.json`
/// serves at this moment.
pub async fn trust_json_jws(State(state): State<AppState>) -> Result<Response, RouteError> {
    let bytes = posture_bytes(&state).await?;
    let jws = PostureKey::derive(&state.audit_key).sign_detached(&bytes);
    Ok((PUBLIC, [(header::CONTENT_TYPE, "application/jose")], jws).into_response())
}

/// The public key of the posture signature, as a JWK Set.
pub async fn jwks(State(state): State<AppState>) -> Response {
    let jwks = PostureKey::derive(&state.audit_key).jwks();
    (PUBLIC, [(header::CONTENT_TYPE, "application/jwk-set+json")], jwks.to_string()).into_response()
}

/// RFC 9116 `security.txt` from the published profile (not found before the first publish).
pub async fn security_txt(State(state): State<AppState>) -> Result<Response, RouteError> {
    let (content, published_at) =
        trust::load_published(&state.db).await?.ok_or(RouteError(app::error::AppError::NotFound))?;
    let text = disclosure::security_txt(&content.company, published_at, state.config.base_url.as_str());
    Ok((PUBLIC, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}
