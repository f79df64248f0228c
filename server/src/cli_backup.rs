//! `vouchsafe backup OUT` and `vouchsafe restore IN`: the whole trust center (stored files are in
//! the database) as one consistent SQLite file, taken while the server runs (`VACUUM INTO`), and
//! put back into an empty installation. With PostgreSQL, `pg_dump` and `pg_restore` do this job
//! (README, "Backups").

use app::ssr::{
    config::Config,
    db::{sqlite_file, Backend, Db},
};
use std::path::Path;

const POSTGRES: &str = "with PostgreSQL, back up with `pg_dump --format=custom` and restore into an empty \
     database with `pg_restore` (README, \"Backups\"); keep copies of the key files too";

/// Writes a consistent snapshot of the running database to `out` (which must not exist).
pub async fn backup(config: &Config, out: &Path) -> anyhow::Result<()> {
    let db = Db::connect(config.database_url.expose()).await?;
    anyhow::ensure!(db.backend() == Backend::Sqlite, "{POSTGRES}");
    anyhow::ensure!(!out.exists(), "{} already exists; a backup never overwrites", out.display());
    let target = out.to_str().ok_or_else(|| anyhow::anyhow!("{} is not a UTF-8 path", out.display()))?;
    sqlx::query("vacuum into $1").bind(target).execute(db.pool()).await?;
    let bytes = std::fs::metadata(out)?.len();
    println!("backed up to {} ({bytes} bytes)", out.display());
    eprintln!("Keep the key files (VOUCHSAFE_LINK_KEY, VOUCHSAFE_AUDIT_KEY, VOUCHSAFE_SECRETS_KEY) with it, apart.");
    Ok(())
}

/// Puts the snapshot `input` in place of an installation's database, which must not exist yet
/// (or hold nothing): a restore never overwrites a trust center.
pub async fn restore(config: &Config, input: &Path) -> anyhow::Result<()> {
    let url = config.database_url.expose();
    anyhow::ensure!(url.starts_with("sqlite:"), "{POSTGRES}");
    let target = sqlite_file(url).ok_or_else(|| anyhow::anyhow!("DATABASE_URL names no SQLite file"))?;
    if target.exists() {
        let db = Db::connect(url).await?;
        let has_content: Result<(i64,), _> =
            sqlx::query_as("select count(*) from company_profile").fetch_one(db.pool()).await;
        anyhow::ensure!(
            matches!(has_content, Err(_) | Ok((0,))),
            "{} already holds a trust center; restore into an empty data directory",
            target.display()
        );
        db.pool().close().await;
    }
    // The snapshot must be an intact Vouchsafe database before it replaces anything.
    anyhow::ensure!(input.is_file(), "{}: no such file", input.display());
    {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut source = sqlx::AnyConnection::connect(&format!("sqlite://{}?mode=ro", input.display()))
            .await
            .map_err(|e| anyhow::anyhow!("{}: not a readable SQLite database ({e})", input.display()))?;
        let check: Result<(String,), _> = sqlx::query_as("pragma integrity_check").fetch_one(&mut source).await;
        match check {
            Ok((ok,)) if ok == "ok" => {}
            Ok((problem,)) => anyhow::bail!("{} is damaged: {problem}", input.display()),
            Err(e) => anyhow::bail!("{}: not a readable SQLite database ({e})", input.display()),
        }
        let migrated: Result<(i64,), _> =
            sqlx::query_as("select count(*) from _sqlx_migrations").fetch_one(&mut source).await;
        anyhow::ensure!(migrated.is_ok(), "{} is not a Vouchsafe database", input.display());
        source.close().await?;
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        app::ssr::private_fs::create_dir_all(dir)?;
    }
    for stale in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{stale}", target.display()));
    }
    let partial = target.with_extension("restoring");
    std::fs::copy(input, &partial)?;
    std::fs::rename(&partial, &target)?;
    // Migrations newer than the snapshot are applied now, so the server starts ready.
    Db::connect(url).await?.migrate().await?;
    println!("restored {} into {}", input.display(), target.display());
    Ok(())
}
