//! Buyers' questionnaires: import every sheet of their file, review suggested answers, export
//! the same file answered, and remember what each company was told.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;
