//! Questionnaires on the server, one file per use case: importing a buyer's file (`import`,
//! with the form's company, due date and owner in `details`), computing suggestions in the
//! background (`processing`), the review page's read model (`review`, projected by
//! `read_model` from the stored `records` and what each row comes to, `outcome`), a
//! reviewer's row decisions (`decisions`), correcting a sheet's mapping (`mapping`, storing
//! rows through `sheets`), exporting the answered file (`export`), and what each company was
//! told (`disclosures`), and prospects' own uploads (`self_serve`). Every change a person makes is logged in its own transaction.

mod decisions;
mod details;
mod disclosures;
mod export;
mod import;
mod mapping;
mod outcome;
mod processing;
mod read_model;
mod records;
mod review;
mod self_serve;
mod sheets;

pub use decisions::{accept, set_row_state, write, Written};
pub use details::{update_details, UploadInput};
pub use disclosures::{company_page, told_about_entry};
pub use export::{export, Exported};
pub use import::{create, MAX_BYTES};
pub use mapping::set_mapping;
pub use processing::{resume, spawn_processing};
pub use review::{companies, list, next_open, page};
pub use self_serve::{
    complete, download as self_serve_download, overview as self_serve_overview, upload as self_serve_upload,
};

use crate::{
    error::AppError,
    features::knowledge::server as kb,
    ssr::{
        audit::{self, Actor, Event, Outcome},
        request_meta::RequestMeta,
        AppState,
    },
};

/// A write transaction on the application's database.
use crate::ssr::db::Tx;

/// Who acts on a questionnaire, from where: what the access log records with each change.
struct Acting<'a> {
    state: &'a AppState,
    meta: &'a RequestMeta,
    actor: &'a Actor,
}

impl Acting<'_> {
    /// Records a change to questionnaire `id` inside `tx`, the transaction that made it, so the
    /// change and its log row commit together or not at all.
    async fn log(&self, tx: &mut Tx, event: &str, id: i64, details: serde_json::Value) -> Result<(), AppError> {
        let event = Event {
            actor: self.actor,
            event,
            object: format!("questionnaire:{id}"),
            outcome: Outcome::Success,
            details,
        };
        audit::record(tx, self.meta, event).await.map(|_| ())
    }

    /// The same person, changing the knowledge base.
    fn on_kb(&self) -> kb::Acting<'_> {
        kb::Acting { db: &self.state.db, meta: self.meta, actor: self.actor }
    }
}
