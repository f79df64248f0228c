//! Sales analytics: visits, requests, approvals and downloads over a period.

pub mod api;
pub mod charts;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;
