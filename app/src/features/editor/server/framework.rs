//! Frameworks beside SOC 2 (ISO/IEC 27001, PCI DSS, penetration tests…) in the working copy.

use super::{document_choices, position_or_last, Record, Tx};
use crate::{
    error::AppError,
    features::{
        editor::{
            model::{FrameworkEditPage, FrameworkItem},
            rules::ValidFramework,
        },
        trust_center::rows::{self, FrameworkRow, FRAMEWORKS},
    },
    ssr::db::{flag, Db},
    types::Timestamp,
};
use sqlx::{any::AnyArguments, query::Query, Any, Row};

/// The `frameworks` table.
pub struct Frameworks;

impl From<FrameworkRow> for FrameworkItem {
    fn from(r: FrameworkRow) -> Self {
        FrameworkItem {
            id: r.id,
            position: r.position,
            name: r.name,
            evidence: r.evidence,
            issuer: r.issuer.unwrap_or_default(),
            issued_on: r.issued_on.unwrap_or_default(),
            valid_until: r.valid_until.unwrap_or_default(),
            in_progress: flag(r.in_progress),
            description: r.description,
            document_id: r.document_id,
        }
    }
}

/// Every framework, in page order.
pub async fn all(db: &Db) -> Result<Vec<FrameworkItem>, AppError> {
    let rows: Vec<FrameworkRow> = rows::all(db.pool(), FRAMEWORKS, "order by f.position, f.id").await?;
    Ok(rows.into_iter().map(FrameworkItem::from).collect())
}

/// The framework form: framework `id` (none for a new one) and the documents it may link to;
/// `NotFound` for an unknown id.
pub async fn edit_page(db: &Db, id: Option<i64>) -> Result<FrameworkEditPage, AppError> {
    let item = match id {
        Some(id) => Some(Frameworks::get(db, id).await?),
        None => None,
    };
    Ok(FrameworkEditPage { item, documents: document_choices(db).await? })
}

/// The columns an insert and an update both write, bound in this order from `$1`.
fn bind<'q>(
    q: Query<'q, Any, AnyArguments<'q>>,
    v: &'q ValidFramework,
    position: i64,
) -> Query<'q, Any, AnyArguments<'q>> {
    q.bind(position)
        .bind(&v.name)
        .bind(&v.evidence)
        .bind(&v.issuer)
        .bind(v.issued_on.map(|d| d.to_string()))
        .bind(v.valid_until.map(|d| d.to_string()))
        .bind(i64::from(v.in_progress))
        .bind(&v.description)
        .bind(v.document_id)
        .bind(Timestamp::now().0)
}

impl Record for Frameworks {
    type Valid = ValidFramework;
    type Item = FrameworkItem;
    const TABLE: &'static str = "frameworks";
    const NOUN: &'static str = "framework";
    const LABEL: &'static str = "Framework";
    const PAGE: &'static str = "/admin/content/frameworks";

    async fn get(db: &Db, id: i64) -> Result<FrameworkItem, AppError> {
        rows::one::<FrameworkRow>(db, FRAMEWORKS, "where f.id = $1", id).await.map(FrameworkItem::from)
    }

    async fn insert(tx: &mut Tx, v: &ValidFramework) -> Result<i64, AppError> {
        let position = position_or_last(tx, Self::TABLE, v.position).await?;
        let sql = "insert into frameworks (position, name, evidence, issuer, issued_on, valid_until, in_progress, \
                   description, document_id, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
                   $10) returning id";
        Ok(bind(sqlx::query(sql), v, position).fetch_one(&mut **tx).await?.try_get(0)?)
    }

    async fn update(tx: &mut Tx, before: &FrameworkItem, id: i64, v: &ValidFramework) -> Result<(), AppError> {
        let sql = "update frameworks set position = $1, name = $2, evidence = $3, issuer = $4, issued_on = $5, \
                   valid_until = $6, in_progress = $7, description = $8, document_id = $9, updated_at = $10 \
                   where id = $11";
        bind(sqlx::query(sql), v, v.position.unwrap_or(before.position)).bind(id).execute(&mut **tx).await?;
        Ok(())
    }

    fn saved(v: &ValidFramework) -> serde_json::Value {
        serde_json::json!({ "name": v.name, "valid_until": v.valid_until.map(|d| d.to_string()) })
    }

    fn removed(before: &FrameworkItem) -> serde_json::Value {
        serde_json::json!({ "name": before.name })
    }
}
