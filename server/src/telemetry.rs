//! Logging. Levels come from `RUST_LOG` (default: info for our crates, warn for the rest); the
//! format from `VOUCHSAFE_LOG_FORMAT`: `text` (the default, for people) or `json` (one JSON
//! object per line, for a log pipeline). Every line logged while a request is handled carries its
//! request id (the `x-request-id` response header). Never log passwords, tokens, cookies or
//! e-mail addresses (docs/LOGGING.md). Log lines go to standard error: standard output belongs to
//! the commands' results (`--json` lines, exports).

use tracing_subscriber::{fmt, EnvFilter};

/// Installs the log subscriber for the process, writing to standard error; a second call changes
/// nothing. An unknown format logs as text (the configuration step then stops start-up naming
/// the variable).
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn,server=info,app=info,tower_http=warn"));
    let json = std::env::var("VOUCHSAFE_LOG_FORMAT").is_ok_and(|f| f.trim().eq_ignore_ascii_case("json"));
    let builder = fmt().with_env_filter(filter).with_target(false).with_writer(std::io::stderr);
    let _ =
        if json { builder.json().with_current_span(false).with_span_list(true).try_init() } else { builder.try_init() };
}
