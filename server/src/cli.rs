//! The command line: `vouchsafe [serve [--demo]] | migrate`.

use crate::{build_state, serve};
use app::ssr::config::Config;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// The parsed command line; with no subcommand, the server runs.
#[derive(Debug, Parser)]
#[command(name = "vouchsafe", version, about = "A self-hosted trust center")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do: serve, migrate, or one of the administration commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default).
    Serve {
        /// Seed an empty database with the Northwind Analytics demo trust center.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Check and sign the access log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Import or export the questionnaire knowledge base.
    Kb {
        #[command(subcommand)]
        command: KbCommand,
    },
    /// Answer buyers' questionnaires from the knowledge base.
    Questionnaire {
        #[command(subcommand)]
        command: QuestionnaireCommand,
    },
    /// Write a consistent snapshot of the running trust center (its database, stored files
    /// included) to OUT, a new SQLite file (SQLite only; PostgreSQL: pg_dump).
    Backup { out: std::path::PathBuf },
    /// Put a snapshot made by `backup` in place of this installation's database, which must be
    /// empty (SQLite only; PostgreSQL: pg_restore).
    Restore { input: std::path::PathBuf },
    /// Manage outgoing webhooks.
    Webhook {
        #[command(subcommand)]
        command: WebhookCommand,
    },
    /// Make the key files every instance of one trust center shares.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

/// The `webhook` subcommands.
#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Add a webhook to URL for the comma-separated EVENTS (e.g. access.requested,access.approved)
    /// and print its signing secret (`whsec_…`), once.
    Add {
        url: String,
        #[arg(long)]
        events: String,
        /// `standard` (Standard Webhooks, signed) or `chat` (a Slack or Mattermost incoming webhook).
        #[arg(long, default_value = "standard")]
        format: String,
    },
    /// List the webhooks: id, state, format, URL, events, deliveries.
    List,
    /// Remove webhook ID (its delivery log is kept).
    Remove { id: i64 },
}

/// The `keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Write a new download-link key, access-log key and secrets key into DIR (link.key,
    /// audit.key, secrets.key; mode 0600; an existing file is never overwritten), and print the
    /// variables that name them, for every instance's environment.
    Generate {
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

/// The `kb` subcommands.
#[derive(Debug, Subcommand)]
pub enum KbCommand {
    /// Import entries from a CSV or xlsx file with the columns id, category, question, answer,
    /// short_answer, tags (and optionally alternatives). All or nothing: a bad row is reported
    /// with its line number and nothing is imported. Known ids are updated.
    Import {
        file: std::path::PathBuf,
        /// The staff member (e-mail) who owns the imported entries.
        #[arg(long)]
        owner: Option<String>,
    },
    /// Export the approved entries to FILE (.csv or .xlsx), in the import columns.
    Export { file: std::path::PathBuf },
    /// Learn from an answered questionnaire (.csv or .xlsx, every sheet, with question and answer
    /// columns): each answer is traced to the entry it was copied from, and the question proposed
    /// as another phrasing of it; answers no entry gave are proposed as new draft entries. Without
    /// --accept the proposals wait for security staff on the knowledge-base page.
    Learn {
        file: std::path::PathBuf,
        /// Accept every proposal at once (for automation).
        #[arg(long)]
        accept: bool,
    },
}

/// The `questionnaire` subcommands.
#[derive(Debug, Subcommand)]
pub enum QuestionnaireCommand {
    /// Suggest answers for each question of FILE (.csv or .xlsx; a `question` column when there
    /// is one). With --json, one JSON object per question row.
    Suggest {
        file: std::path::PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Write every auto answer into a copy of the buyer's FILE (.xlsx or .csv): the short answer
    /// into the answer column, the explanation into the comment column when there is one; every
    /// other cell, style, sheet and dropdown untouched. Prints how many rows were filled, left
    /// for review and left empty.
    Fill {
        file: std::path::PathBuf,
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

/// The `audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify sequence, row hashes, the chain and every signed checkpoint. Exits 0 when all hold,
    /// 1 naming the first bad sequence number. Without --public-key the key file
    /// (VOUCHSAFE_AUDIT_KEY) is trusted; without --checkpoints only the database's own
    /// checkpoints are: pin both to catch someone who controls the data directory.
    Verify {
        /// Checkpoints kept outside the database (`audit export-checkpoints`, or copies of
        /// /audit/checkpoint.json); repeat for several files.
        #[arg(long = "checkpoints")]
        checkpoints: Vec<std::path::PathBuf>,
        /// The public key (hex, from `audit public-key`) every checkpoint must be signed by.
        #[arg(long)]
        public_key: Option<String>,
    },
    /// Sign a checkpoint of the current head now.
    Checkpoint,
    /// Write every signed checkpoint as JSON (to FILE, or standard output).
    ExportCheckpoints { file: Option<std::path::PathBuf> },
    /// Print the checkpoint-signing public key (hex), to pin with `verify --public-key`.
    PublicKey,
}

/// The `user` subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff account; the password is read from standard input. Two-factor
    /// authentication is set up at the first sign-in.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, sales or security; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
}

/// Reads the configuration from the environment (exit code 2 when it is bad), then runs the
/// command; a failure is printed to standard error.
pub async fn run(cli: Cli) -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => run_serve(config, demo).await,
        Command::Migrate => run_migrate(config).await,
        Command::User { command: UserCommand::Create { email, name, roles } } => {
            crate::cli_user::create(config, &email, &name, &roles).await
        }
        Command::Audit { command } => return crate::cli_audit::run(config, command).await,
        Command::Kb { command } => return crate::cli_kb::kb(config, command).await,
        Command::Questionnaire { command } => return crate::cli_kb::questionnaire(config, command).await,
        Command::Keys { command: KeysCommand::Generate { out } } => generate_keys(&out),
        Command::Webhook { command } => crate::cli_webhook::run(config, command).await,
        Command::Backup { out } => crate::cli_backup::backup(&config, &out).await,
        Command::Restore { input } => crate::cli_backup::restore(&config, &input).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// `keys generate`: the shared key files, and the variables naming them on standard output.
fn generate_keys(out: &std::path::Path) -> anyhow::Result<()> {
    let paths = app::ssr::keys::generate_set(out)?;
    for (variable, path) in app::ssr::config::SHARED_KEY_VARIABLES.iter().zip(&paths) {
        let absolute = std::fs::canonicalize(path)?;
        println!("{variable}={}", absolute.display());
    }
    eprintln!(
        "Give every instance these variables and copies of the files (keep them out of backups of the database)."
    );
    Ok(())
}

async fn run_serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let addr = config.addr;
    let state = build_state(config).await?;
    if demo {
        let today = app::types::IsoDate::today_utc();
        if app::demo::seed_if_empty(&state.db, &state.files, today).await? {
            tracing::info!("seeded the {} demo trust center", app::demo::COMPANY);
        } else {
            tracing::info!("database already has content; demo not seeded");
        }
    }
    let (staff,): (i64,) = sqlx::query_as("select count(*) from staff_users").fetch_one(state.db.pool()).await?;
    if staff == 0 {
        tracing::warn!(
            "no staff account yet: create the first admin with \
             `vouchsafe user create --email you@example.com --name \"Your Name\" --role admin` (password on stdin)"
        );
    }
    if let Some(metrics_addr) = state.config.metrics_addr {
        let listener = tokio::net::TcpListener::bind(metrics_addr)
            .await
            .map_err(|e| anyhow::anyhow!("VOUCHSAFE_METRICS_ADDR: could not listen on {metrics_addr}: {e}"))?;
        tracing::info!("metrics on http://{}/metrics", listener.local_addr()?);
        tokio::spawn(crate::metrics::serve(state.clone(), listener));
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("listening on http://{} (public URL {})", listener.local_addr()?, state.config.base_url.as_str());
    serve(state, listener).await
}

async fn run_migrate(config: Config) -> anyhow::Result<()> {
    let db = app::ssr::db::Db::connect(config.database_url.expose()).await?;
    db.migrate().await?;
    println!("migrations applied");
    Ok(())
}

/// Signs a checkpoint after a command wrote to the access log, so entries written without the
/// server are covered too (`audit verify` flags a long unsigned tail).
pub(crate) async fn sign_tail(config: &Config, db: &app::ssr::db::Db) -> anyhow::Result<()> {
    let key = app::ssr::keys::AuditKey::load_or_create(&config.audit_key_path)
        .map_err(|e| anyhow::anyhow!("VOUCHSAFE_AUDIT_KEY: {e}"))?;
    app::features::audit::server::checkpoint_now(db, &key).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}
