//! The access log for staff: search, CSV export, checkpoints, verification.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;
