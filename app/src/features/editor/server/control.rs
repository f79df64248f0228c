//! Controls in the working copy.

use super::{position_or_last, Record, Tx};
use crate::{
    error::AppError,
    features::{
        editor::{model::ControlItem, rules::ValidControl},
        trust_center::{
            domain::{ControlCategory, ControlStatus},
            rows::{self, ControlRow, CONTROLS},
        },
    },
    forms::Choices,
    ssr::db::Db,
    types::Timestamp,
};
use sqlx::{any::AnyArguments, query::Query, Any, Row};

/// The `controls` table.
pub struct Controls;

impl From<ControlRow> for ControlItem {
    fn from(r: ControlRow) -> Self {
        ControlItem {
            id: r.id,
            position: r.position,
            category: r.category,
            title: r.title,
            description: r.description,
            status: r.status,
            tsc_points: r.tsc_points,
        }
    }
}

/// The category and status choices of the control form: (code, label).
pub fn choices() -> (Choices, Choices) {
    (
        ControlCategory::ALL.iter().map(|c| (c.code().to_string(), c.label().to_string())).collect(),
        [ControlStatus::Implemented, ControlStatus::InProgress, ControlStatus::Planned]
            .iter()
            .map(|s| (s.code().to_string(), s.label().to_string()))
            .collect(),
    )
}

/// The columns an insert and an update both write, bound in this order from `$1`.
fn bind<'q>(
    q: Query<'q, Any, AnyArguments<'q>>,
    v: &'q ValidControl,
    position: i64,
) -> Query<'q, Any, AnyArguments<'q>> {
    q.bind(position)
        .bind(v.category.code())
        .bind(&v.title)
        .bind(&v.description)
        .bind(v.status.code())
        .bind(&v.tsc_points)
        .bind(Timestamp::now().0)
}

impl Record for Controls {
    type Valid = ValidControl;
    type Item = ControlItem;
    const TABLE: &'static str = "controls";
    const NOUN: &'static str = "control";
    const LABEL: &'static str = "Control";
    const PAGE: &'static str = "/admin/content/controls";

    async fn get(db: &Db, id: i64) -> Result<ControlItem, AppError> {
        rows::one::<ControlRow>(db, CONTROLS, "where id = $1", id).await.map(ControlItem::from)
    }

    async fn insert(tx: &mut Tx, v: &ValidControl) -> Result<i64, AppError> {
        let position = position_or_last(tx, Self::TABLE, v.position).await?;
        let sql = "insert into controls (position, category, title, description, status, tsc_points, created_at, \
                   updated_at) values ($1, $2, $3, $4, $5, $6, $7, $7) returning id";
        Ok(bind(sqlx::query(sql), v, position).fetch_one(&mut **tx).await?.try_get(0)?)
    }

    async fn update(tx: &mut Tx, before: &ControlItem, id: i64, v: &ValidControl) -> Result<(), AppError> {
        let sql = "update controls set position = $1, category = $2, title = $3, description = $4, status = $5, \
                   tsc_points = $6, updated_at = $7 where id = $8";
        bind(sqlx::query(sql), v, v.position.unwrap_or(before.position)).bind(id).execute(&mut **tx).await?;
        Ok(())
    }

    fn saved(v: &ValidControl) -> serde_json::Value {
        serde_json::json!({ "title": v.title, "status": v.status.code() })
    }

    fn removed(before: &ControlItem) -> serde_json::Value {
        serde_json::json!({ "title": before.title })
    }
}
