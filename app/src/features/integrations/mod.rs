//! How Vouchsafe talks to the company's other systems: `/api/v1` tokens (admins make them on
//! `/admin/integrations`), and outgoing webhooks.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;
