//! Server-only building blocks, compiled with the `ssr` feature alone (gated once, here).

pub mod config;
pub mod db;
pub mod demo;
pub mod page_cache;
pub mod pdf;
pub mod state;
pub mod storage;

pub use state::{app_state, AppState};

/// The session cookie's name. Pages are only served from the shared cache to requests without it.
pub const SESSION_COOKIE: &str = "vouchsafe_session";
