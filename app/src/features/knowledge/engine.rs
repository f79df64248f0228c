//! The suggestion engine as the server holds it: the model loaded once (if present), the engine
//! over approved, non-stale entries built on first use and rebuilt after any change, and the
//! vectors of unchanged texts kept between builds.

use crate::{error::AppError, ssr::db::Db};
use answers::{embed::Embedder, Analyzer, Engine, EngineEntry};
use std::{
    collections::HashMap,
    path::PathBuf,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, OnceLock,
    },
};

/// The server's one suggestion engine, shared as an `Arc` in the app state; anything that changes
/// the knowledge base must call [`Knowledge::invalidate`] afterwards.
pub struct Knowledge {
    model_dir: Option<PathBuf>,
    embedder: OnceLock<Option<Arc<Embedder>>>,
    /// Bumped by every knowledge-base change.
    generation: AtomicU64,
    current: tokio::sync::Mutex<Option<(u64, Arc<Engine>)>>,
    vectors: Mutex<HashMap<String, Vec<f32>>>,
}

impl std::fmt::Debug for Knowledge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Knowledge").field("model_dir", &self.model_dir).finish_non_exhaustive()
    }
}

impl Knowledge {
    /// Loads nothing yet: the model in `model_dir` (if any) on first use, the engine on the first
    /// [`Knowledge::engine`] call.
    pub fn new(model_dir: Option<PathBuf>) -> Self {
        Self {
            model_dir,
            embedder: OnceLock::new(),
            generation: AtomicU64::new(1),
            current: tokio::sync::Mutex::new(None),
            vectors: Mutex::new(HashMap::new()),
        }
    }

    /// Marks the engine out of date (after any knowledge-base change).
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The model, loaded on first use; `None` when there is none or it cannot be loaded (logged).
    fn embedder(&self) -> Option<Arc<Embedder>> {
        self.embedder
            .get_or_init(|| {
                let dir = self.model_dir.as_ref()?;
                let started = std::time::Instant::now();
                match Embedder::load(dir) {
                    Ok(e) => {
                        tracing::info!(dir = %dir.display(), ms = started.elapsed().as_millis() as u64, "loaded the suggestion model");
                        Some(Arc::new(e))
                    }
                    Err(err) => {
                        tracing::warn!(dir = %dir.display(), error = %err, "suggestion model not loaded; lexical ranking only");
                        None
                    }
                }
            })
            .clone()
    }

    /// Whether a model directory was found at start-up; the model may still fail to load on first
    /// use (logged), leaving lexical ranking only.
    pub fn has_model(&self) -> bool {
        self.model_dir.is_some()
    }

    /// Builds an engine over `entries` (blocking work: call from `spawn_blocking`).
    pub fn build_blocking(&self, entries: &[EngineEntry]) -> Result<Engine, AppError> {
        match self.embedder() {
            Some(embedder) => {
                let mut cache = self.vectors.lock().unwrap_or_else(|p| p.into_inner());
                Engine::fused_cached(entries, Analyzer::standard(), embedder, &mut cache)
                    .map_err(|e| AppError::internal("building the suggestion engine", e))
            }
            None => Ok(Engine::lexical(entries, Analyzer::standard())),
        }
    }

    /// The engine over approved, non-stale entries; rebuilt if the knowledge base changed.
    pub async fn engine(self: &Arc<Self>, db: &Db) -> Result<Arc<Engine>, AppError> {
        let mut current = self.current.lock().await;
        let generation = self.generation.load(Ordering::SeqCst);
        if let Some((built, engine)) = current.as_ref() {
            if *built == generation {
                return Ok(engine.clone());
            }
        }
        let today = crate::types::IsoDate::today_utc();
        let entries = super::server::engine_entries(db, &today).await?;
        let this = self.clone();
        let engine = tokio::task::spawn_blocking(move || this.build_blocking(&entries))
            .await
            .map_err(|e| AppError::internal("building the suggestion engine", e))??;
        let engine = Arc::new(engine);
        *current = Some((generation, engine.clone()));
        Ok(engine)
    }

    /// Suggestions for questions (blocking model work runs off the async threads).
    pub async fn suggest(
        self: &Arc<Self>,
        db: &Db,
        questions: Vec<String>,
    ) -> Result<(Arc<Engine>, Vec<answers::Suggestion>), AppError> {
        let engine = self.engine(db).await?;
        let worker = engine.clone();
        let out = tokio::task::spawn_blocking(move || worker.suggest(&questions))
            .await
            .map_err(|e| AppError::internal("suggesting answers", e))?
            .map_err(|e| AppError::internal("suggesting answers", e))?;
        Ok((engine, out))
    }
}
