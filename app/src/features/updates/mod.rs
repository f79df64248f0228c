//! Updates on the public page and in `/updates.atom`; e-mail subscriptions with double opt-in and
//! one-click unsubscribe; staff write and publish updates (subprocessor changes propose drafts).

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;
