//! "Ask the trust center": a visitor's question answered from approved, current knowledge-base
//! entries they may see (quoted, never generated), and the security team's gap queue of what the
//! knowledge base could not answer.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;
