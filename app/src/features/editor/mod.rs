//! Edit, preview and publish the trust center: the company profile and branding, SOC 2 reports
//! with their bridge letters, other frameworks, controls, subprocessors and FAQ entries are kept
//! as a working copy; staff preview the public page with it applied and publish it in one logged
//! action. Every change is a draft until then, and is logged in its own transaction.
//!
//! One file per kind of record on each side (`server/`, `views/`), one typed form per editor
//! (`forms`, parsed by `rules`), one `publish`. The editor depends only downward: on the public
//! read side (`trust_center`: its domain types and row structs) and on infrastructure.

pub mod api;
pub mod forms;
pub mod model;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;
