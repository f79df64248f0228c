//! The built bundle under `/pkg` (JS, WASM, CSS), compressed once at best quality and kept in
//! memory. Hashed file names (cargo-leptos `hash-files`) are cached by browsers for a year.

use app::ssr::AppState;
use axum::{
    body::Body,
    extract::{Path, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use bytes::Bytes;
use std::{
    collections::HashMap,
    io::Write,
    path::PathBuf,
    sync::{Arc, RwLock},
};

/// The `/pkg` files read so far, each kept raw and compressed (brotli, gzip) for the process's
/// life.
pub struct AssetCache {
    dir: PathBuf,
    immutable: bool,
    entries: RwLock<HashMap<String, Arc<Asset>>>,
}

struct Asset {
    content_type: &'static str,
    raw: Bytes,
    brotli: Bytes,
    gzip: Bytes,
}

/// The bundle's route: one file name under `/pkg/`.
pub const PATH: &str = "/pkg/{*file}";

/// Serves `/pkg` from the site root's package directory. Only plain `.js`, `.wasm`, `.css` and
/// `.json` file names are served; each is read and compressed on its first request.
pub fn router(state: &AppState) -> Router {
    let cache = Arc::new(AssetCache {
        dir: PathBuf::from(state.leptos_options.site_root.as_ref()).join(state.leptos_options.site_pkg_dir.as_ref()),
        immutable: state.leptos_options.hash_files,
        entries: RwLock::new(HashMap::new()),
    });
    Router::new().route(PATH, get(serve)).with_state(cache)
}

async fn serve(State(cache): State<Arc<AssetCache>>, Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = cache.load(&file).await else {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    };
    let accepted = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let (body, encoding) = if accepts(accepted, "br") {
        (asset.brotli.clone(), Some("br"))
    } else if accepts(accepted, "gzip") {
        (asset.gzip.clone(), Some("gzip"))
    } else {
        (asset.raw.clone(), None)
    };
    let mut res = Response::new(Body::from(body));
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if cache.immutable { "public, max-age=31536000, immutable" } else { "no-cache" }),
    );
    if let Some(encoding) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    res
}

/// Whether `accept_encoding` lists `coding` without `q=0`.
fn accepts(accept_encoding: &str, coding: &str) -> bool {
    accept_encoding.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        parts.next() == Some(coding) && !parts.any(|p| p.replace(' ', "") == "q=0")
    })
}

impl AssetCache {
    async fn load(self: &Arc<Self>, file: &str) -> Option<Arc<Asset>> {
        if let Some(asset) = self.entries.read().ok()?.get(file) {
            return Some(asset.clone());
        }
        // Only plain file names directly under pkg/: no traversal, no hidden files.
        if file.contains('/') || file.contains('\\') || file.starts_with('.') {
            return None;
        }
        let content_type = content_type(file)?;
        let raw = tokio::fs::read(self.dir.join(file)).await.ok()?;
        let asset = tokio::task::spawn_blocking(move || compress(content_type, raw)).await.ok()?;
        let asset = Arc::new(asset);
        self.entries.write().ok()?.insert(file.to_string(), asset.clone());
        Some(asset)
    }
}

fn content_type(file: &str) -> Option<&'static str> {
    Some(match file.rsplit('.').next()? {
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        _ => return None,
    })
}

fn compress(content_type: &'static str, raw: Vec<u8>) -> Asset {
    let mut brotli = Vec::new();
    {
        // Best quality for the release bundle. A debug build (the browser tests) serves a debug
        // WASM of several MB that brotli 11 takes seconds to compress; quality 5 is instant.
        let quality = if cfg!(debug_assertions) { 5 } else { 11 };
        let params = brotli::enc::BrotliEncoderParams { quality, lgwin: 22, ..Default::default() };
        let _ = brotli::BrotliCompress(&mut raw.as_slice(), &mut brotli, &params);
    }
    let level = if cfg!(debug_assertions) { flate2::Compression::fast() } else { flate2::Compression::best() };
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), level);
    let gzip = gz.write_all(&raw).and_then(|_| gz.finish()).unwrap_or_default();
    Asset { content_type, raw: raw.into(), brotli: brotli.into(), gzip: gzip.into() }
}

#[cfg(test)]
mod tests {
    use super::accepts;

    #[test]
    fn accept_encoding_is_read_with_q_zero_meaning_no() {
        assert!(accepts("gzip, deflate, br, zstd", "br"));
        assert!(accepts("gzip;q=1.0, br;q=0.5", "br"));
        assert!(!accepts("gzip, br;q=0", "br"));
        assert!(!accepts("identity", "gzip"));
    }
}
