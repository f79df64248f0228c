//! NDA-gated access: companies, rules, requests, sales approval and grants.

pub mod api;
pub mod domain;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;
