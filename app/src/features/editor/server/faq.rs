//! FAQ entries in the working copy. (Approved knowledge-base entries marked public follow them on
//! the public page; those are edited in the knowledge base.)

use super::{position_or_last, Record, Tx};
use crate::{
    error::AppError,
    features::{
        editor::{model::FaqItem, rules::ValidFaq},
        trust_center::rows::{self, FaqRow, FAQS},
    },
    ssr::db::Db,
    types::Timestamp,
};
use sqlx::{any::AnyArguments, query::Query, Any, Row};

/// The `faqs` table.
pub struct Faqs;

impl From<FaqRow> for FaqItem {
    fn from(r: FaqRow) -> Self {
        FaqItem { id: r.id, position: r.position, question: r.question, answer: r.answer }
    }
}

/// The columns an insert and an update both write, bound in this order from `$1`.
fn bind<'q>(q: Query<'q, Any, AnyArguments<'q>>, v: &'q ValidFaq, position: i64) -> Query<'q, Any, AnyArguments<'q>> {
    q.bind(position).bind(&v.question).bind(&v.answer).bind(Timestamp::now().0)
}

impl Record for Faqs {
    type Valid = ValidFaq;
    type Item = FaqItem;
    const TABLE: &'static str = "faqs";
    const NOUN: &'static str = "faq";
    const LABEL: &'static str = "FAQ entry";
    const PAGE: &'static str = "/admin/content/faq";

    async fn get(db: &Db, id: i64) -> Result<FaqItem, AppError> {
        rows::one::<FaqRow>(db, FAQS, "where id = $1", id).await.map(FaqItem::from)
    }

    async fn insert(tx: &mut Tx, v: &ValidFaq) -> Result<i64, AppError> {
        let position = position_or_last(tx, Self::TABLE, v.position).await?;
        let sql = "insert into faqs (position, question, answer, created_at, updated_at) values ($1, $2, $3, $4, $4) \
                   returning id";
        Ok(bind(sqlx::query(sql), v, position).fetch_one(&mut **tx).await?.try_get(0)?)
    }

    async fn update(tx: &mut Tx, before: &FaqItem, id: i64, v: &ValidFaq) -> Result<(), AppError> {
        let sql = "update faqs set position = $1, question = $2, answer = $3, updated_at = $4 where id = $5";
        bind(sqlx::query(sql), v, v.position.unwrap_or(before.position)).bind(id).execute(&mut **tx).await?;
        Ok(())
    }

    fn saved(v: &ValidFaq) -> serde_json::Value {
        serde_json::json!({ "question": v.question })
    }

    fn removed(before: &FaqItem) -> serde_json::Value {
        serde_json::json!({ "question": before.question })
    }
}
