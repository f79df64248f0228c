//! The shared application state, handed to routes as axum state and to server functions as
//! Leptos context. Tests build their own with their own database.

use crate::error::AppError;
use crate::ssr::{
    config::Config,
    db::Db,
    keys::{AuditKey, LinkKey, SecretsKey},
    mail::{worker::Mailer, Templates},
    page_cache::PageCache,
    rate_limit::RateLimits,
    refusals::RefusalLog,
    storage::FileStore,
    visits::VisitCounter,
};
use axum::extract::FromRef;
use leptos::prelude::{use_context, LeptosOptions};
use std::sync::Arc;

/// Everything a request may need, built once at start-up. Every middleware layer and every page
/// clones it, so it is one `Arc`: a clone is one atomic increment. Fields are read through
/// `Deref` (`state.db`).
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// Shares `shared` between every clone.
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] shares.
#[derive(Debug)]
pub struct Shared {
    pub config: Arc<Config>,
    pub db: Db,
    pub files: FileStore,
    pub leptos_options: LeptosOptions,
    pub page_cache: Arc<PageCache>,
    pub templates: Arc<Templates>,
    pub mailer: Mailer,
    pub rate_limits: Arc<RateLimits>,
    /// Anonymous refusals, limited and aggregated before they reach the access log.
    pub refusals: Arc<RefusalLog>,
    /// Signs download links.
    pub link_key: LinkKey,
    /// Signs access-log checkpoints.
    pub audit_key: AuditKey,
    /// Encrypts secrets stored in the database (TOTP seeds).
    pub secrets: SecretsKey,
    pub visits: Arc<VisitCounter>,
    /// The answer-suggestion engine over the approved knowledge base, rebuilt after changes.
    pub knowledge: Arc<crate::features::knowledge::engine::Knowledge>,
    /// This instance among those sharing the database (random, new at each start): whose lease
    /// a background job runs under.
    pub instance_id: String,
    /// Prometheus metrics, kept always and served when `VOUCHSAFE_METRICS_ADDR` is set.
    pub metrics: Arc<crate::ssr::metrics::Metrics>,
    /// The company's identity provider, when single sign-on is configured.
    pub sso: Option<Arc<crate::ssr::oidc::Sso>>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state inside a server function or a component rendered on the server.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::internal("app state", "AppState missing from context"))
}
