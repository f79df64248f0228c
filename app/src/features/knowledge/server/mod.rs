//! The knowledge base on the server, one file per use case: reading entries (`entries`),
//! checking what staff typed (`validation`), storing a change with its history and access-log
//! row in one transaction (`edit`, over `store` and `history`), importing and exporting
//! files, the hygiene report, the list search and trying the engine, and republishing the
//! public FAQ when a public entry changes.

mod edit;
mod entries;
mod export;
mod faq;
mod history;
mod hygiene;
mod import;
pub mod learn;
mod search;
mod store;
mod validation;

pub use super::forms::EntryInput;
pub use edit::{save, save_in, set_state, Saved};
pub use entries::{all, engine_entries, get, owners};
pub use export::export_rows;
pub use history::history;
pub use hygiene::hygiene;
pub use import::{import, import_in, ImportSummary};
pub use search::{list, try_question};
pub use validation::ValidEntry;

use crate::{
    error::AppError,
    ssr::{
        audit::{self, Actor, Event, Outcome},
        db::Db,
        request_meta::RequestMeta,
    },
};

/// A write transaction on the application's database.
pub use crate::ssr::db::Tx;

/// Who changes the knowledge base, from where: what the access log records with each change.
pub struct Acting<'a> {
    pub db: &'a Db,
    pub meta: &'a RequestMeta,
    pub actor: &'a Actor,
}

impl Acting<'_> {
    /// Records a change inside `tx`, the transaction that made it, so the change and its log
    /// row commit together or not at all.
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
