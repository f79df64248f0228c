//! Server side of the integrations: API tokens.

pub mod tokens;
pub mod v1;
pub mod webhooks;
