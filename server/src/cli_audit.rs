//! `vouchsafe audit verify | checkpoint | export-checkpoints`.

use crate::cli::AuditCommand;
use app::{
    features::audit::server::{checkpoint_now, checkpoints, verify_all, Verification},
    ssr::{config::Config, db::Db, keys::AuditKey},
};
use std::process::ExitCode;

pub async fn run(config: Config, command: AuditCommand) -> ExitCode {
    match go(config, command).await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

async fn go(config: Config, command: AuditCommand) -> anyhow::Result<ExitCode> {
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let key_path = &config.audit_key_path;
    match command {
        AuditCommand::Verify => {
            // Verification needs the key from outside the database; it is never created here.
            if !key_path.is_file() {
                anyhow::bail!("VOUCHSAFE_AUDIT_KEY: no key file at {}", key_path.display());
            }
            let key = AuditKey::load_or_create(key_path)?;
            match verify_all(&db, &key.public_hex()).await.map_err(|e| anyhow::anyhow!("{e}"))? {
                Verification::Ok { entries, checkpoints } => {
                    println!("ok: {entries} entries and {checkpoints} checkpoints verified");
                    Ok(ExitCode::SUCCESS)
                }
                Verification::Broken { seq, problem } => {
                    println!("FAILED at sequence number {seq}: {problem}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        AuditCommand::Checkpoint => {
            let key = AuditKey::load_or_create(key_path)?;
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
                    std::fs::write(&path, json)?;
                    println!("{} checkpoints written to {}", all.len(), path.display());
                }
                None => println!("{json}"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
