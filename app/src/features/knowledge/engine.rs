//! The suggestion engine as the server holds it: the model loaded once (if present), the engine
//! over approved, non-stale entries (with their learned phrasings) built on first use and rebuilt
//! after any change, and the vectors of entry texts kept between builds, in memory and in the
//! database (`kb_vectors`, by the text's SHA-256 and the model), so neither a rebuild nor a
//! restart embeds a text it has embedded before.

use super::model::KbVisibility;
use crate::{error::AppError, ssr::db::Db};
use answers::{embed::Embedder, Analyzer, Engine, EngineEntry};
use sha2::{Digest, Sha256};
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
    current: tokio::sync::Mutex<Option<(u64, Arc<Built>)>>,
    /// Bumped when the public page is published (its FAQ is part of what visitors may ask).
    published: AtomicU64,
    /// The ask box's engine: the entries and the published FAQ, built for (generation, published).
    /// The ask box's engines: `[anonymous, under NDA]`.
    asking: tokio::sync::Mutex<[Option<AskingSlot>; 2]>,
    vectors: Mutex<HashMap<String, Vec<f32>>>,
    /// Names the model's files (their size and the hash of its config and tokenizer): stored
    /// vectors are only reused with the model that made them.
    model_id: Option<String>,
    /// Texts this instance has had the model embed (stored nowhere before).
    embedded: AtomicU64,
}

/// What the ask engine was built for: the knowledge-base generation and the publication.
type AskingKey = (u64, u64);
/// One audience's ask engine with the generation it was built at.
type AskingSlot = (AskingKey, Arc<Built>);

/// An engine and, per entry in its order, who may see the entry's answer.
pub struct Built {
    pub engine: Engine,
    pub visibility: Vec<KbVisibility>,
    /// The ask engine only: the published FAQ's (question, answer) pairs, ranked as public
    /// entries with ids `faq #1`, `faq #2`, … in this order (a space: never an entry's id).
    pub faqs: Vec<(String, String)>,
}

/// The id the ask engine gives the published FAQ's `n`th item (from 0).
pub fn faq_id(n: usize) -> String {
    format!("faq #{}", n + 1)
}

/// The key of a text's stored vector.
fn text_key(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Identifies the model in `dir` without loading it: a hash of `config.json` and
/// `tokenizer.json` and the size of `model.safetensors`. `None` when the files are not there.
fn model_id(dir: &std::path::Path) -> Option<String> {
    let mut hash = Sha256::new();
    for name in ["config.json", "tokenizer.json"] {
        hash.update(std::fs::read(dir.join(name)).ok()?);
    }
    let size = std::fs::metadata(dir.join("model.safetensors")).ok()?.len();
    hash.update(size.to_le_bytes());
    Some(format!("minilm:{}", &hex::encode(hash.finalize())[..16]))
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
            model_id: model_dir.as_deref().and_then(model_id),
            model_dir,
            embedder: OnceLock::new(),
            generation: AtomicU64::new(1),
            current: tokio::sync::Mutex::new(None),
            embedded: AtomicU64::new(0),
            published: AtomicU64::new(1),
            asking: tokio::sync::Mutex::new([None, None]),
            vectors: Mutex::new(HashMap::new()),
        }
    }

    /// Marks the engine out of date (after any knowledge-base change).
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Marks the ask engine out of date (after the public page, with its FAQ, was published).
    pub fn invalidate_published(&self) {
        self.published.fetch_add(1, Ordering::SeqCst);
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

    /// The engine with each entry's visibility; rebuilt if the knowledge base changed.
    pub async fn built(self: &Arc<Self>, db: &Db) -> Result<Arc<Built>, AppError> {
        let mut current = self.current.lock().await;
        let generation = self.generation.load(Ordering::SeqCst);
        if let Some((built, engine)) = current.as_ref() {
            if *built == generation {
                return Ok(engine.clone());
            }
        }
        let today = crate::types::IsoDate::today_utc();
        let (entries, visibility) = super::server::engine_entries(db, &today).await?;
        let engine = self.build_with_stored_vectors(db, entries).await?;
        let built = Arc::new(Built { engine, visibility, faqs: Vec::new() });
        *current = Some((generation, built.clone()));
        Ok(built)
    }

    /// The ask box's engine for one audience: the approved, current entries a visitor may read
    /// ([`KbVisibility::visible_to_visitor`]) and the published FAQ (unless an entry already asks
    /// the same question); rebuilt when either changes. Built over those entries only, so nothing
    /// a visitor may not read (its words, their rarity, a typing error's correction) can change
    /// what the visitor is told. Vectors are shared by text, so a second audience embeds nothing.
    pub async fn asking(self: &Arc<Self>, db: &Db, under_nda: bool) -> Result<Arc<Built>, AppError> {
        let mut slots = self.asking.lock().await;
        let current = &mut slots[usize::from(under_nda)];
        let key = (self.generation.load(Ordering::SeqCst), self.published.load(Ordering::SeqCst));
        if let Some((built, engine)) = current.as_ref() {
            if *built == key {
                return Ok(engine.clone());
            }
        }
        let today = crate::types::IsoDate::today_utc();
        let (all, all_visibility) = super::server::engine_entries(db, &today).await?;
        let (mut entries, mut visibility): (Vec<EngineEntry>, Vec<KbVisibility>) =
            all.into_iter().zip(all_visibility).filter(|(_, v)| v.visible_to_visitor(under_nda)).unzip();
        let published = crate::features::trust_center::server::load_published(db).await?;
        let faqs: Vec<(String, String)> = published
            .map(|(content, _)| content.faqs.into_iter().map(|f| (f.question, f.answer)).collect())
            .unwrap_or_default();
        let faqs: Vec<(String, String)> =
            faqs.into_iter().filter(|(q, _)| !entries.iter().any(|e| e.question.eq_ignore_ascii_case(q))).collect();
        for (n, (question, answer)) in faqs.iter().enumerate() {
            entries.push(EngineEntry {
                kb_id: faq_id(n),
                question: question.clone(),
                alternatives: Vec::new(),
                learned: Vec::new(),
                answer: answer.clone(),
                tags: Vec::new(),
                category: "FAQ".into(),
            });
            visibility.push(KbVisibility::Public);
        }
        let engine = self.build_with_stored_vectors(db, entries).await?;
        let built = Arc::new(Built { engine, visibility, faqs });
        *current = Some((key, built.clone()));
        Ok(built)
    }

    /// Builds an engine over `entries` off the async threads, reusing stored vectors and storing
    /// the ones it had to make.
    async fn build_with_stored_vectors(
        self: &Arc<Self>,
        db: &Db,
        entries: Vec<EngineEntry>,
    ) -> Result<Engine, AppError> {
        let fresh = self.load_vectors(db, &entries).await?;
        let this = self.clone();
        let (engine, entries) =
            tokio::task::spawn_blocking(move || this.build_blocking(&entries).map(|e| (e, entries)))
                .await
                .map_err(|e| AppError::internal("building the suggestion engine", e))??;
        self.store_vectors(db, fresh, &entries).await;
        Ok(engine)
    }

    /// Every text of `entries` the model embeds (the engine's own list, so that every vector a
    /// build makes is one that is stored and found again).
    fn texts(entries: &[EngineEntry]) -> Vec<String> {
        entries.iter().flat_map(answers::engine::embedded_texts).collect()
    }

    /// Fills the memory cache with the stored vectors of texts it lacks; returns the texts that
    /// are stored nowhere (the build embeds them; [`Self::store_vectors`] keeps them).
    async fn load_vectors(&self, db: &Db, entries: &[EngineEntry]) -> Result<Vec<String>, AppError> {
        let Some(model) = self.model_id.as_deref() else { return Ok(Vec::new()) };
        let mut missing: Vec<String> = {
            let cache = self.vectors.lock().unwrap_or_else(|p| p.into_inner());
            Self::texts(entries).into_iter().filter(|t| !cache.contains_key(t)).collect()
        };
        missing.sort();
        missing.dedup();
        let mut found = HashMap::new();
        for chunk in missing.chunks(200) {
            let keys: Vec<String> = chunk.iter().map(|t| text_key(t)).collect();
            let marks: Vec<String> = (0..keys.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "select text_sha256, vector from kb_vectors where model = $1 and text_sha256 in ({})",
                marks.join(", ")
            );
            let mut query = sqlx::query_as::<_, (String, Vec<u8>)>(&sql).bind(model);
            for k in &keys {
                query = query.bind(k);
            }
            for (key, bytes) in query.fetch_all(db.pool()).await? {
                // A stored vector of the wrong length is ignored (the text is embedded again).
                if bytes.len() == 384 * 4 {
                    found.insert(
                        key,
                        bytes
                            .chunks_exact(4)
                            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                            .collect::<Vec<f32>>(),
                    );
                }
            }
        }
        let mut cache = self.vectors.lock().unwrap_or_else(|p| p.into_inner());
        let mut fresh = Vec::new();
        for text in missing {
            match found.remove(&text_key(&text)) {
                Some(v) => {
                    cache.insert(text, v);
                }
                None => fresh.push(text),
            }
        }
        Ok(fresh)
    }

    /// How many texts this instance has had the model embed: texts found in memory or in
    /// `kb_vectors` are not embedded again.
    pub fn embedded_texts(&self) -> u64 {
        self.embedded.load(Ordering::SeqCst)
    }

    /// Stores the vectors the build made for `fresh` texts (failures are logged: the vectors are
    /// only a saving).
    async fn store_vectors(&self, db: &Db, fresh: Vec<String>, entries: &[EngineEntry]) {
        let Some(model) = self.model_id.as_deref() else { return };
        if self.embedder().is_some() {
            self.embedded.fetch_add(fresh.len() as u64, Ordering::SeqCst);
        }
        let used: std::collections::HashSet<String> = Self::texts(entries).into_iter().collect();
        let rows: Vec<(String, Vec<u8>)> = {
            let cache = self.vectors.lock().unwrap_or_else(|p| p.into_inner());
            fresh
                .iter()
                .filter(|t| used.contains(*t))
                .filter_map(|t| cache.get(t).map(|v| (text_key(t), v.iter().flat_map(|f| f.to_le_bytes()).collect())))
                .collect()
        };
        for (key, bytes) in rows {
            let stored = sqlx::query(
                "insert into kb_vectors (model, text_sha256, vector) values ($1, $2, $3)                  on conflict (model, text_sha256) do nothing",
            )
            .bind(model)
            .bind(&key)
            .bind(bytes)
            .execute(db.pool())
            .await;
            if let Err(e) = stored {
                tracing::warn!(error = %e, "could not store an entry's vector");
                return;
            }
        }
    }

    /// Suggestions for questions (blocking model work runs off the async threads).
    pub async fn suggest(
        self: &Arc<Self>,
        db: &Db,
        questions: Vec<String>,
    ) -> Result<(Arc<Built>, Vec<answers::Suggestion>), AppError> {
        let built = self.built(db).await?;
        let worker = built.clone();
        let out = tokio::task::spawn_blocking(move || worker.engine.suggest(&questions))
            .await
            .map_err(|e| AppError::internal("suggesting answers", e))?
            .map_err(|e| AppError::internal("suggesting answers", e))?;
        Ok((built, out))
    }
}
