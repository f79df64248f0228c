//! Documents: public downloads and restricted ones behind a request.

pub mod admin;
pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;
