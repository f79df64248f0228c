//! The editor on the server: each kind of record in its own file (read for its form, inserted,
//! updated, removed, every change logged in its own transaction), the overview, and publishing.
//! It reads and writes the working-copy tables the public read side (`trust_center`) publishes
//! from, through that side's row structs; nothing below depends on the editor.

pub mod control;
pub mod faq;
pub mod framework;
pub mod overview;
pub mod profile;
pub mod publish;
pub mod report;
pub mod subprocessor;
mod svg;

use crate::{
    error::AppError,
    ssr::{
        audit::{self, Actor, Event, Outcome},
        db::Db,
        request_meta::RequestMeta,
        AppState,
    },
};

/// A write transaction on the application's database.
pub use crate::ssr::db::Tx;

/// Who is editing, from where: what every change records.
pub struct Editing<'a> {
    pub state: &'a AppState,
    pub meta: &'a RequestMeta,
    pub actor: &'a Actor,
}

impl Editing<'_> {
    /// Records a change inside `tx`, the transaction that made it: the change and its log row
    /// commit together or not at all (and the log's writer re-checks the actor's session there).
    pub async fn log(
        &self,
        tx: &mut Tx,
        event: &str,
        object: String,
        details: serde_json::Value,
    ) -> Result<(), AppError> {
        let event = Event { actor: self.actor, event, object, outcome: Outcome::Success, details };
        audit::record(tx, self.meta, event).await.map(|_| ())
    }
}

/// One kind of record the editor keeps in the working copy: how it is read for its form, inserted
/// and updated (each with one binder for the columns both write), and named in the log. Saving
/// and removing are the same for every kind ([`save`], [`delete`]).
pub trait Record {
    /// What the form parses into.
    type Valid: Sync;
    /// What the form shows.
    type Item: Send;
    /// The table.
    const TABLE: &'static str;
    /// Its name in log events (`content.{NOUN}_saved`) and objects (`{NOUN}:12`).
    const NOUN: &'static str;
    /// What staff call it ("Control", "SOC 2 report").
    const LABEL: &'static str;
    /// Its editor's address, without the id (`/admin/content/controls`).
    const PAGE: &'static str;
    /// After a save, staff go back to the overview, or stay on the record (a report, whose
    /// bridge letters are added on its page).
    const STAY_AFTER_SAVE: bool = false;

    fn get(db: &Db, id: i64) -> impl std::future::Future<Output = Result<Self::Item, AppError>> + Send;
    /// Adds a record. Also how the demo is seeded.
    fn insert(tx: &mut Tx, v: &Self::Valid) -> impl std::future::Future<Output = Result<i64, AppError>> + Send;
    /// Changes record `id`, which was `before`.
    fn update(
        tx: &mut Tx,
        before: &Self::Item,
        id: i64,
        v: &Self::Valid,
    ) -> impl std::future::Future<Output = Result<(), AppError>> + Send;
    /// What the log says about a saved record.
    fn saved(v: &Self::Valid) -> serde_json::Value;
    /// What the log says about a removed one.
    fn removed(before: &Self::Item) -> serde_json::Value;
    /// Rows of other tables that go with the record (removed first).
    fn children() -> &'static [&'static str] {
        &[]
    }
}

/// Creates (`id` none) or changes a record, and logs it in the same transaction.
pub async fn save<R: Record>(edit: &Editing<'_>, id: Option<i64>, v: &R::Valid) -> Result<i64, AppError> {
    let before = match id {
        Some(id) => Some((id, R::get(&edit.state.db, id).await?)),
        None => None,
    };
    let mut tx = edit.state.db.begin().await?;
    let id = match &before {
        Some((id, before)) => R::update(&mut tx, before, *id, v).await.map(|_| *id)?,
        None => R::insert(&mut tx, v).await?,
    };
    let mut details = R::saved(v);
    details["draft"] = serde_json::Value::Bool(true);
    edit.log(&mut tx, &format!("content.{}_saved", R::NOUN), format!("{}:{id}", R::NOUN), details).await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes a record (with its children), and logs it in the same transaction.
pub async fn delete<R: Record>(edit: &Editing<'_>, id: i64) -> Result<(), AppError> {
    let before = R::get(&edit.state.db, id).await?;
    let mut tx = edit.state.db.begin().await?;
    for table in R::children() {
        sqlx::query(&format!("delete from {table} where report_id = $1")).bind(id).execute(&mut *tx).await?;
    }
    sqlx::query(&format!("delete from {} where id = $1", R::TABLE)).bind(id).execute(&mut *tx).await?;
    let mut details = R::removed(&before);
    details["draft"] = serde_json::Value::Bool(true);
    edit.log(&mut tx, &format!("content.{}_deleted", R::NOUN), format!("{}:{id}", R::NOUN), details).await?;
    Ok(tx.commit().await?)
}

/// A validated position, or the place after the last row of `table`.
pub async fn position_or_last(tx: &mut Tx, table: &'static str, position: Option<i64>) -> Result<i64, AppError> {
    match position {
        Some(p) => Ok(p),
        None => next_position(tx, table).await,
    }
}

/// The position after the last row of `table` (a content table with a `position` column).
pub async fn next_position(tx: &mut Tx, table: &'static str) -> Result<i64, AppError> {
    let (next,): (i64,) =
        sqlx::query_as(&format!("select coalesce(max(position), 0) + 1 from {table}")).fetch_one(&mut **tx).await?;
    Ok(next)
}

/// The ids of every document, which a form may link to.
pub async fn document_ids(db: &Db) -> Result<Vec<i64>, AppError> {
    let rows: Vec<(i64,)> = sqlx::query_as("select id from documents").fetch_all(db.pool()).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// (id, title) of every document, for the "linked document" selects.
pub async fn document_choices(db: &Db) -> Result<Vec<(i64, String)>, AppError> {
    Ok(sqlx::query_as("select id, title from documents order by position, title").fetch_all(db.pool()).await?)
}
