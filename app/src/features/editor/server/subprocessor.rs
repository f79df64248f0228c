//! Subprocessors in the working copy.

use super::{position_or_last, Record, Tx};
use crate::{
    error::AppError,
    features::{
        editor::{model::SubprocessorItem, rules::ValidSubprocessor},
        trust_center::rows::{self, SubprocessorRow, SUBPROCESSORS},
    },
    ssr::db::Db,
    types::Timestamp,
};
use sqlx::{any::AnyArguments, query::Query, Any, Row};

/// The `subprocessors` table.
pub struct Subprocessors;

impl From<SubprocessorRow> for SubprocessorItem {
    fn from(r: SubprocessorRow) -> Self {
        SubprocessorItem {
            id: r.id,
            position: r.position,
            name: r.name,
            purpose: r.purpose,
            location: r.location,
            data_processed: r.data_processed,
            website_url: r.website_url.unwrap_or_default(),
            start_date: r.start_date.unwrap_or_default(),
            end_date: r.end_date.unwrap_or_default(),
        }
    }
}

/// The columns an insert and an update both write, bound in this order from `$1`.
fn bind<'q>(
    q: Query<'q, Any, AnyArguments<'q>>,
    v: &'q ValidSubprocessor,
    position: i64,
) -> Query<'q, Any, AnyArguments<'q>> {
    q.bind(position)
        .bind(&v.name)
        .bind(&v.purpose)
        .bind(&v.location)
        .bind(&v.data_processed)
        .bind(&v.website_url)
        .bind(v.start_date.map(|d| d.to_string()))
        .bind(v.end_date.map(|d| d.to_string()))
        .bind(Timestamp::now().0)
}

impl Record for Subprocessors {
    type Valid = ValidSubprocessor;
    type Item = SubprocessorItem;
    const TABLE: &'static str = "subprocessors";
    const NOUN: &'static str = "subprocessor";
    const LABEL: &'static str = "Subprocessor";
    const PAGE: &'static str = "/admin/content/subprocessors";

    async fn get(db: &Db, id: i64) -> Result<SubprocessorItem, AppError> {
        rows::one::<SubprocessorRow>(db, SUBPROCESSORS, "where id = $1", id).await.map(SubprocessorItem::from)
    }

    async fn insert(tx: &mut Tx, v: &ValidSubprocessor) -> Result<i64, AppError> {
        let position = position_or_last(tx, Self::TABLE, v.position).await?;
        let sql = "insert into subprocessors (position, name, purpose, location, data_processed, website_url, \
                   start_date, end_date, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
                   returning id";
        Ok(bind(sqlx::query(sql), v, position).fetch_one(&mut **tx).await?.try_get(0)?)
    }

    async fn update(tx: &mut Tx, before: &SubprocessorItem, id: i64, v: &ValidSubprocessor) -> Result<(), AppError> {
        let sql =
            "update subprocessors set position = $1, name = $2, purpose = $3, location = $4, data_processed = $5, \
                   website_url = $6, start_date = $7, end_date = $8, updated_at = $9 where id = $10";
        bind(sqlx::query(sql), v, v.position.unwrap_or(before.position)).bind(id).execute(&mut **tx).await?;
        Ok(())
    }

    fn saved(v: &ValidSubprocessor) -> serde_json::Value {
        let (start, end) = (v.start_date.map(|d| d.to_string()), v.end_date.map(|d| d.to_string()));
        serde_json::json!({ "name": v.name, "start_date": start, "end_date": end })
    }

    fn removed(before: &SubprocessorItem) -> serde_json::Value {
        serde_json::json!({ "name": before.name })
    }
}
