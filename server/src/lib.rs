//! The HTTP server: state construction and the router, separate from `main` so integration tests
//! can start the real application on a port of their own.

pub mod cli;
mod cli_audit;
mod cli_backup;
mod cli_kb;
mod cli_user;
mod cli_webhook;
mod front;
pub mod listen;
pub mod metrics;
mod middleware;
pub mod routes;
pub mod telemetry;

use anyhow::Context;
use app::{
    shell,
    ssr::{
        config::Config,
        db::Db,
        keys::{AuditKey, LinkKey, SecretsKey},
        mail::{
            worker::{self, Mailer, Transport},
            Templates,
        },
        page_cache::PageCache,
        rate_limit::RateLimits,
        session_store::DbSessionStore,
        storage::FileStore,
        AppState, Shared,
    },
    App,
};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::{sync::Arc, time::Duration};
use tokio::sync::Notify;

/// Connects to the database, applies migrations and assembles the shared state.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    app::ssr::private_fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating the data directory {}", config.data_dir.display()))?;
    // Older versions left the data world-readable: the database (TOTP secrets), originals, mails.
    let repaired = app::ssr::private_fs::tighten(&config.data_dir)
        .with_context(|| format!("making the data directory {} private", config.data_dir.display()))?;
    if repaired > 0 {
        tracing::info!(entries = repaired, "made files in the data directory private (0600/0700)");
    }
    let db = Db::connect(config.database_url.expose()).await.context("connecting to the database")?;
    db.migrate().await.context("applying database migrations")?;
    let files = FileStore::new(db.clone(), config.data_dir.join("files"));
    // Files an older version kept in the data directory move into the database, once.
    let (copied, skipped) = files.import_legacy().await.context("copying stored files into the database")?;
    if copied > 0 || skipped > 0 {
        tracing::info!(copied, skipped, "stored files from the data directory copied into the database");
    }
    // One instance (SQLite) makes its keys on first start; instances sharing PostgreSQL must share
    // keys made once, or each would refuse the others' links, checkpoints and TOTP secrets.
    let create = db.backend() != app::ssr::db::Backend::Postgres;
    if !create {
        let missing: Vec<&str> = app::ssr::config::SHARED_KEY_VARIABLES
            .into_iter()
            .filter(|v| !config.configured_keys.contains(v))
            .collect();
        anyhow::ensure!(
            missing.is_empty(),
            "with PostgreSQL every instance must use the same keys: set {} to key files shared by all \
             instances (`vouchsafe keys generate --out DIR` writes them; a single existing instance can \
             point them at the key files in its data directory)",
            missing.join(", ")
        );
    }
    let link_key = LinkKey::load(&config.link_key_path, create)
        .with_context(|| format!("VOUCHSAFE_LINK_KEY: {}", config.link_key_path.display()))?;
    let audit_key = AuditKey::load(&config.audit_key_path, create)
        .with_context(|| format!("VOUCHSAFE_AUDIT_KEY: {}", config.audit_key_path.display()))?;
    let secrets = SecretsKey::load(&config.secrets_key_path, create)
        .with_context(|| format!("VOUCHSAFE_SECRETS_KEY: {}", config.secrets_key_path.display()))?;
    let sealed = app::features::accounts::server::staff::seal_plain_totp_secrets(&db, &secrets)
        .await
        .map_err(|_| anyhow::anyhow!("could not encrypt the stored TOTP secrets"))?;
    if sealed > 0 {
        tracing::info!(accounts = sealed, "encrypted TOTP secrets stored in plain text by an older version");
    }
    let leptos_options = leptos_options(&config);
    let transport = Transport::new(config.smtp_url.as_ref(), config.data_dir.join("outbox"))
        .map_err(|problem| anyhow::anyhow!("VOUCHSAFE_SMTP_URL: {problem}"))?;
    let metrics: Arc<app::ssr::metrics::Metrics> = Arc::new(Default::default());
    let mailer = Mailer {
        transport,
        from_address: config.mail_from.clone(),
        wake: Arc::new(Notify::new()),
        files: files.clone(),
        metrics: metrics.clone(),
    };
    let knowledge = Arc::new(app::features::knowledge::engine::Knowledge::new(config.model_dir.clone()));
    let sso = match config.oidc.clone() {
        Some(settings) => Some(Arc::new(
            app::ssr::oidc::Sso::new(settings, config.base_url.as_str())
                .map_err(|e| anyhow::anyhow!("VOUCHSAFE_OIDC_ISSUER: {e}"))?,
        )),
        None => None,
    };
    Ok(AppState::new(Shared {
        sso,
        knowledge,
        config: Arc::new(config),
        db,
        files,
        leptos_options,
        page_cache: Arc::new(PageCache::new(Duration::from_secs(60))),
        templates: Arc::new(Templates::load().context("loading mail templates")?),
        mailer,
        rate_limits: Arc::new(RateLimits::default()),
        refusals: Arc::new(Default::default()),
        link_key,
        audit_key,
        secrets,
        visits: Arc::new(Default::default()),
        metrics,
        instance_id: app::ssr::tokens::request_id(),
    }))
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

/// Serves until Ctrl-C or SIGTERM, then finishes in-flight requests. Also runs the mail worker
/// and the periodic clean-up.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    tokio::spawn(worker::run(state.db.clone(), state.mailer.clone()));
    tokio::spawn(housekeeping(state.clone()));
    tokio::spawn(checkpointer(state.clone()));
    tokio::spawn(app::features::integrations::server::webhooks::deliver::run(state.clone()));
    // Caches of shared state follow changes other instances make.
    tokio::spawn(app::ssr::signals::watch(state.clone()));
    // Questionnaires whose suggestions a restart interrupted carry on.
    match app::features::questionnaires::server::resume(&state).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(questionnaires = n, "resumed suggesting answers"),
        Err(err) => tracing::warn!(error = %err, "could not resume questionnaires"),
    }
    let trusted = state.config.trusted_proxies.clone();
    let front_state = state.clone();
    let front: listen::Front = Arc::new(move |req| front::answer(&front_state, req));
    listen::serve(listener, router(state.clone()), Some(front), trusted, shutdown_signal()).await?;
    // Counted refusals are written, and the log's tail signed, before the process ends.
    if let Err(err) = state.refusals.flush(&state.db, true).await {
        tracing::error!(error = %err, "could not log the counted refusals");
    }
    if let Err(err) = app::features::audit::server::checkpoint_now(&state.db, &state.audit_key).await {
        tracing::error!(error = %err, "could not sign the access log's last checkpoint");
    }
    Ok(())
}

/// Signs a checkpoint of the access log's head within a second of its 100th new entry, and at
/// least every ten minutes while entries arrive (see `maybe_checkpoint`).
async fn checkpointer(state: AppState) {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if let Err(err) = app::features::audit::server::maybe_checkpoint(&state.db, &state.audit_key).await {
            tracing::error!(error = %err, "could not sign an access-log checkpoint");
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
    }
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

/// Every minute: add up page views, log the counted refusals. Every ten
/// minutes: drop expired sessions, spent one-time links and idle rate-limit counters, and mail
/// expiry reminders.
async fn housekeeping(state: AppState) {
    let sessions = DbSessionStore::new(state.db.clone());
    let mut minute: u64 = 0;
    loop {
        tokio::time::sleep(Duration::from_secs(60)).await;
        minute += 1;
        if let Err(err) = state.visits.flush(&state.db).await {
            tracing::warn!(error = %err, "could not store page views");
        }
        if let Err(err) = state.refusals.flush(&state.db, false).await {
            tracing::error!(error = %err, "could not log the counted refusals");
        }
        // Suggestion jobs an instance dropped (it crashed or stopped) are taken over.
        match app::features::questionnaires::server::resume(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(questionnaires = n, "took over suggestion jobs"),
            Err(err) => tracing::warn!(error = %err, "could not look for dropped suggestion jobs"),
        }
        if minute % 10 != 1 {
            continue;
        }
        if let Err(err) = sessions.delete_expired().await {
            tracing::warn!(error = %err, "could not delete expired sessions");
        }
        let day_ago = app::types::Timestamp::now().0 - 86_400;
        if let Err(err) =
            sqlx::query("delete from email_tokens where expires_at < $1").bind(day_ago).execute(state.db.pool()).await
        {
            tracing::warn!(error = %err, "could not delete old one-time links");
        }
        state.rate_limits.prune();
        if let Err(err) = app::ssr::shared_limits::prune(&state.db).await {
            tracing::warn!(error = %err, "could not delete old rate-limit windows");
        }
        if let Err(err) = app::features::access::server::grants::send_expiry_reminders(&state).await {
            tracing::warn!(error = %err, "could not send expiry reminders");
        }
        if let Err(err) = app::features::integrations::server::webhooks::notice_stale_entries(&state.db).await {
            tracing::warn!(error = %err, "could not look for knowledge-base entries past review");
        }
        if let Err(err) = app::features::integrations::server::webhooks::deliver::prune(&state.db).await {
            tracing::warn!(error = %err, "could not delete old webhook deliveries");
        }
    }
}
