//! The company profile and branding staff edit: name, description, website, security contact,
//! accent colour, logo, and which sections the public page shows in which order. Like every
//! content edit it is a draft until published from the content page.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
mod svg;
pub mod views;
