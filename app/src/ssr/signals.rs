//! Change signals between instances: the caches each instance keeps of shared state (the
//! rendered public page, the suggestion index) follow changes made on any instance within about
//! a second. The instance that changes something drops its own cache at once and bumps a counter
//! in the database; every instance polls the counters twice a second and drops what changed.
//! Portable (plain SQL on SQLite and PostgreSQL) and cheap: one small query per half second.

use super::{db::Db, AppState};
use std::{collections::HashMap, time::Duration};

/// What a signal stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// The public page's content (publish, updates, documents, public FAQ answers).
    PublicPage,
    /// The knowledge base the suggestion index is built from.
    Knowledge,
}

impl Signal {
    fn name(self) -> &'static str {
        match self {
            Signal::PublicPage => "public_page",
            Signal::Knowledge => "knowledge",
        }
    }
}

/// How often each instance looks.
const POLL: Duration = Duration::from_millis(500);

/// Drops this instance's cache of `signal` and tells the others to drop theirs. A failure to
/// tell them is logged: their caches then expire on their own.
pub async fn changed(state: &AppState, signal: Signal) {
    drop_local(state, signal);
    if let Err(err) = bump(&state.db, signal).await {
        tracing::error!(error = %err, signal = signal.name(), "could not signal a change to other instances");
    }
}

fn drop_local(state: &AppState, signal: Signal) {
    match signal {
        Signal::PublicPage => {
            state.page_cache.invalidate();
            state.knowledge.invalidate_published();
        }
        Signal::Knowledge => state.knowledge.invalidate(),
    }
}

/// Tells every running instance that `signal` changed, from a process that keeps no cache of
/// its own (a command-line import).
pub async fn tell_instances(db: &Db, signal: Signal) -> Result<(), sqlx::Error> {
    bump(db, signal).await
}

async fn bump(db: &Db, signal: Signal) -> Result<(), sqlx::Error> {
    sqlx::query("update change_signals set generation = generation + 1 where name = $1")
        .bind(signal.name())
        .execute(db.pool())
        .await?;
    Ok(())
}

async fn read(db: &Db) -> Result<HashMap<String, i64>, sqlx::Error> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("select name, generation from change_signals").fetch_all(db.pool()).await?;
    Ok(rows.into_iter().collect())
}

/// Watches the counters for the life of the process, dropping what another instance changed.
pub async fn watch(state: AppState) {
    let mut seen = read(&state.db).await.unwrap_or_default();
    loop {
        tokio::time::sleep(POLL).await;
        match read(&state.db).await {
            Ok(now) => {
                for signal in [Signal::PublicPage, Signal::Knowledge] {
                    if now.get(signal.name()) != seen.get(signal.name()) {
                        drop_local(&state, signal);
                    }
                }
                seen = now;
            }
            Err(err) => {
                tracing::warn!(error = %err, "could not read change signals");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    }
}
