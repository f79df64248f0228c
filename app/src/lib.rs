//! Vouchsafe's application: pages, server functions and (with `ssr`) the server-side parts.
//!
//! The `ssr` and `hydrate` features are chosen by the crate that depends on this one — `server`
//! turns on `ssr`, the WASM `frontend` turns on `hydrate` — never both at once.
#![recursion_limit = "256"]

pub mod app;
pub mod components;
pub mod error;
pub mod features;
pub mod forms;
pub mod identity;
pub mod paths;
pub mod types;

/// The demo trust center (Northwind Analytics), seeded through the editors' own functions.
#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod ssr;
/// The state shared by every request: infrastructure (`ssr`) and the features' services.
#[cfg(feature = "ssr")]
pub mod state;

pub use app::{shell, App};
