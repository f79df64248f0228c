//! Staff edit the trust center's working copy (controls, subprocessors), preview the public page
//! with the unpublished changes applied, and publish them in one logged action.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;
