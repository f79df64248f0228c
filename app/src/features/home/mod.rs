//! The staff home: the work waiting for the person signed in, by role (requests to decide and
//! grants about to end for sales, stale entries and questionnaires due for security, mail that
//! could not be delivered for admins).

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;
