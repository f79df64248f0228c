//! Server-only building blocks, compiled with the `ssr` feature alone (gated once, here).
//!
//! Infrastructure only: nothing here names a feature (a test in this module checks), so features
//! build on it and never the other way round.

pub mod audit;
pub mod auth;
pub mod config;
pub mod db;
pub mod forms;
pub mod keys;
pub mod mail;
pub mod metrics;
pub mod oidc;
pub mod page_cache;
pub mod passwords;
pub mod pdf;
pub mod posture;
pub mod private_fs;
pub mod rate_limit;
pub mod refusals;
pub mod request_meta;
pub mod session_store;
pub mod shared_limits;
pub mod signals;
pub mod spliced_gzip;
pub mod storage;
pub mod tokens;
pub mod totp;
pub mod visits;
pub mod watermark;
pub mod webhook_outbox;

pub use crate::state::{app_state, AppState, Shared};

/// The session cookie's name. Pages are only served from the shared cache to requests without it.
pub const SESSION_COOKIE: &str = "vouchsafe_session";

#[cfg(test)]
mod tests {
    /// Infrastructure never imports features: the one edge that did (mail branding reading the
    /// published page) closed a cycle through nine modules.
    #[test]
    fn nothing_under_ssr_names_a_feature() {
        fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let needle = ["features", "::"].concat();
                    for (n, line) in text.lines().enumerate() {
                        if line.contains(&needle) && !line.trim_start().starts_with("//") {
                            found.push(format!("{}:{}", path.display(), n + 1));
                        }
                    }
                }
            }
        }
        let mut found = Vec::new();
        walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ssr"), &mut found);
        assert!(found.is_empty(), "infrastructure names a feature at {found:?}");
    }
}
