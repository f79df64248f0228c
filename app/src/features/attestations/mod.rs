//! Attestations staff keep as records: SOC 2 reports (type, period, firm, opinion, report date,
//! criteria in scope, subservice organizations, CUECs, the report document), their bridge letters,
//! and other frameworks with validity dates. The public page's freshness rule reads these; like
//! every content edit they are drafts until published.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;
