//! The HTTP server: state construction and the router, separate from `main` so integration tests
//! can start the real application on a port of their own.

pub mod cli;
mod middleware;
mod routes;
pub mod telemetry;

use anyhow::Context;
use app::{
    shell,
    ssr::{config::Config, db::Db, page_cache::PageCache, storage::FileStore, AppState},
    App,
};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::{sync::Arc, time::Duration};

/// Connects to the database, applies migrations and assembles the shared state.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating the data directory {}", config.data_dir.display()))?;
    let db = Db::connect(&config.database_url).await.context("connecting to the database")?;
    db.migrate().await.context("applying database migrations")?;
    let files = FileStore::new(config.data_dir.join("files"));
    let leptos_options = leptos_options(&config);
    Ok(AppState {
        config: Arc::new(config),
        db,
        files,
        leptos_options,
        page_cache: Arc::new(PageCache::new(Duration::from_secs(60))),
    })
}

/// Leptos settings, derived from our configuration rather than from cargo-leptos's environment,
/// so the binary runs the same however it is started.
fn leptos_options(config: &Config) -> LeptosOptions {
    // cargo-leptos writes the asset hashes next to the server binary when `hash-files` is on.
    let hash_files = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt").is_file()))
        .unwrap_or(false);
    LeptosOptions::builder()
        .output_name("vouchsafe")
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .hash_files(hash_files)
        .build()
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    // `leptos_routes_with_context` provides the state itself to pages and server functions.
    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, || (), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        // Unknown paths: a file from the site root (favicon, robots.txt) or the styled 404 page.
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state.clone());
    middleware::apply(routes::router(state.clone()).merge(pages), state)
}

/// Serves until Ctrl-C or SIGTERM, then finishes in-flight requests.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
