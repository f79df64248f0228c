//! The public trust page and `/trust.json`.

pub mod api;
pub mod disclosure;
pub mod domain;
pub mod model;
#[cfg(feature = "ssr")]
pub mod rows;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;
