//! Integration tests: the real application on a fresh SQLite database per test, over HTTP.

#[path = "../support/child.rs"]
mod child;
mod helpers;
mod smtp;

mod access;
mod accounts;
mod api_v1;
mod audit_log;
mod backup;
mod cli;
mod content;
mod content_records;
mod crash;
mod dependent;
mod downloads;
mod files;
mod form_targets;
mod form_values;
mod gated_access;
mod hardening;
mod home;
mod instances;
mod knowledge;
mod learning;
mod processes;
mod public_page;
mod questionnaires;
mod scim;
mod self_serve;
mod sessions;
mod source;
mod sso;
mod textareas;
mod trust_json;
mod updates;
mod webhooks;
