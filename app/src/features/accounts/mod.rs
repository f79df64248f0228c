//! Accounts: prospects (verified e-mail), staff (password + TOTP, three roles), sessions.

pub mod api;
pub mod model;
pub mod policy;
pub mod scim_api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;
