//! The NDA: versioned texts, the prospect's click-through acceptance and its evidence.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;
