//! The questionnaire knowledge base: approved answers kept by security staff, with history,
//! review dates, import/export, a hygiene view, and the answer-suggestion engine over it.

pub mod api;
#[cfg(feature = "ssr")]
pub mod engine;
pub mod forms;
pub mod learn_views;
pub mod model;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;
