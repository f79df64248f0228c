//! Logging. Levels come from `RUST_LOG` (default: info for our crates, warn for the rest).
//! Never log passwords, tokens, cookies or e-mail addresses (docs/LOGGING.md). Log lines go to
//! standard error: standard output belongs to the commands' results (`--json` lines, exports).

use tracing_subscriber::{fmt, EnvFilter};

/// Installs the log subscriber for the process, writing to standard error; a second call changes
/// nothing.
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn,server=info,app=info,tower_http=warn"));
    let _ = fmt().with_env_filter(filter).with_target(false).with_writer(std::io::stderr).try_init();
}
