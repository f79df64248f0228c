#![recursion_limit = "256"]
//! Vouchsafe's application: pages, server functions and (with `ssr`) the server-side parts.
//!
//! The `ssr` and `hydrate` features are chosen by the crate that depends on this one — `server`
//! turns on `ssr`, the WASM `frontend` turns on `hydrate` — never both at once.

pub mod app;
pub mod components;
pub mod error;
pub mod features;
pub mod forms;
pub mod types;

#[cfg(feature = "ssr")]
pub mod ssr;

pub use app::{shell, App};
