//! Server-only building blocks, compiled with the `ssr` feature alone (gated once, here).

pub mod audit;
pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod forms;
pub mod keys;
pub mod mail;
pub mod page_cache;
pub mod passwords;
pub mod pdf;
pub mod private_fs;
pub mod rate_limit;
pub mod refusals;
pub mod request_meta;
pub mod session_store;
pub mod state;
pub mod storage;
pub mod tokens;
pub mod totp;
pub mod visits;
pub mod watermark;

pub use state::{app_state, AppState};

/// The session cookie's name. Pages are only served from the shared cache to requests without it.
pub const SESSION_COOKIE: &str = "vouchsafe_session";
