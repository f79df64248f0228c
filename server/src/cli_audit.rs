//! `vouchsafe audit verify | checkpoint | export-checkpoints | public-key`.

use crate::cli::AuditCommand;
use app::{
    features::audit::server::{checkpoint_now, checkpoints, parse_checkpoints, verify_all, Evidence, Verification},
    ssr::{config::Config, db::Db, keys::AuditKey},
};
use std::{path::PathBuf, process::ExitCode};

/// Runs one `audit` command. Exit code 0 when it succeeded (for `verify`: the log checked out), 1
/// when verification found a fault, 2 when the command could not run (the error is printed).
pub async fn run(config: Config, command: AuditCommand) -> ExitCode {
    match go(config, command).await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// The audit key from its file; never created here (verification must not invent its own trust).
fn existing_key(config: &Config) -> anyhow::Result<AuditKey> {
    let path = &config.audit_key_path;
    if !path.is_file() {
        anyhow::bail!("VOUCHSAFE_AUDIT_KEY: no key file at {}", path.display());
    }
    Ok(AuditKey::load_or_create(path)?)
}

async fn go(config: Config, command: AuditCommand) -> anyhow::Result<ExitCode> {
    if let AuditCommand::PublicKey = command {
        println!("{}", existing_key(&config)?.public_hex());
        return Ok(ExitCode::SUCCESS);
    }
    let db = Db::connect(config.database_url.expose()).await?;
    db.migrate().await?;
    match command {
        AuditCommand::Verify { checkpoints, public_key } => verify(&config, &db, &checkpoints, public_key).await,
        AuditCommand::Checkpoint => {
            let key = AuditKey::load_or_create(&config.audit_key_path)?;
            match checkpoint_now(&db, &key).await.map_err(|e| anyhow::anyhow!("{e}"))? {
                Some(cp) => println!("checkpoint signed at sequence number {}", cp.seq),
                None => println!("nothing new since the last checkpoint"),
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::ExportCheckpoints { file } => {
            let all = checkpoints(&db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let json = serde_json::to_string_pretty(&all)?;
            match file {
                Some(path) => {
                    std::fs::write(&path, json).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                    println!("{} checkpoints written to {}", all.len(), path.display());
                }
                None => println!("{json}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::PublicKey => unreachable!("answered above"),
    }
}

async fn verify(config: &Config, db: &Db, files: &[PathBuf], public_key: Option<String>) -> anyhow::Result<ExitCode> {
    let trusted_key = match public_key {
        Some(hex) => {
            let hex = hex.trim().to_ascii_lowercase();
            if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                anyhow::bail!("--public-key: expected 64 hex digits (see `vouchsafe audit public-key`)");
            }
            hex
        }
        None => existing_key(config)?.public_hex(),
    };
    let mut external = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let found = parse_checkpoints(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        external.extend(found.into_iter().map(|cp| (path.display().to_string(), cp)));
    }
    let evidence = Evidence { trusted_key, external };
    match verify_all(db, &evidence).await.map_err(|e| anyhow::anyhow!("{e}"))? {
        Verification::Ok { entries, checkpoints, external } => {
            println!(
                "ok: {entries} entries and {checkpoints} checkpoints verified{}",
                if external > 0 {
                    format!(", and {external} checkpoints kept outside the database")
                } else {
                    String::new()
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Verification::Broken { seq: 0, problem } => {
            println!("FAILED: {problem}");
            Ok(ExitCode::FAILURE)
        }
        Verification::Broken { seq, problem } => {
            println!("FAILED at sequence number {seq}: {problem}");
            Ok(ExitCode::FAILURE)
        }
    }
}
