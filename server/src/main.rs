//! `vouchsafe`: the trust center server and its administration commands.

use clap::Parser;

fn main() -> std::process::ExitCode {
    // Whatever this process creates (database, WAL, stored files, mails, exports) is for its own
    // user only; the code also sets modes explicitly, this catches what it does not know about.
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    server::listen::raise_file_limit();
    // A missing .env is normal; a malformed one is reported by the config step naming the value.
    let _ = dotenvy::dotenv();
    server::telemetry::init();
    let cli = server::cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("could not start the async runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(server::cli::run(cli))
}
