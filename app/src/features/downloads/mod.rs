//! Stamped, signed, logged downloads, and leak tracing.

#[cfg(feature = "ssr")]
pub mod link;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;
