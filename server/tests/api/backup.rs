//! Backups: on SQLite `vouchsafe backup` while the server runs and `vouchsafe restore` into an
//! empty installation; on PostgreSQL `pg_dump` and `pg_restore`, as README says. Either way the
//! restored trust center's access log verifies and it serves the same `/trust.json`.

use crate::helpers::spawn_app;
use std::process::Command;

fn vouchsafe() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vouchsafe"))
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_into_an_empty_installation_that_verifies_and_serves_the_same() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("trust-center.db");
    if app.state.db.backend() == app::ssr::db::Backend::Postgres {
        let out = app.cli().arg("backup").arg(&snapshot).output().unwrap();
        assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
        return postgres_dump_and_restore(&app, dir.path()).await;
    }
    // Some activity first: a prospect, a request, an NDA record in the file store.
    app.prospect_browser("pat@contoso.example").await;
    let out = app.cli().arg("backup").arg(&snapshot).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let again = app.cli().arg("backup").arg(&snapshot).output().unwrap();
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("never overwrites"));

    // Restored into a new data directory, with the original's keys.
    let config = &app.state.config;
    let fresh = dir.path().join("restored");
    let keys = [
        ("VOUCHSAFE_LINK_KEY", &config.link_key_path),
        ("VOUCHSAFE_AUDIT_KEY", &config.audit_key_path),
        ("VOUCHSAFE_SECRETS_KEY", &config.secrets_key_path),
    ];
    let with_keys = |cmd: &mut Command| {
        cmd.env("VOUCHSAFE_DATA_DIR", &fresh);
        for (variable, path) in keys {
            cmd.env(variable, path);
        }
    };
    let mut restore = vouchsafe();
    with_keys(restore.arg("restore").arg(&snapshot));
    let out = restore.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut verify = vouchsafe();
    with_keys(verify.args(["audit", "verify"]));
    let out = verify.output().unwrap();
    assert!(out.status.success(), "the restored log verifies: {}", String::from_utf8_lossy(&out.stdout));

    // It serves the same published trust center.
    let mut vars: std::collections::HashMap<&str, String> = std::collections::HashMap::from([
        ("VOUCHSAFE_DATA_DIR", fresh.display().to_string()),
        ("VOUCHSAFE_BASE_URL", config.base_url.as_str().trim_end_matches('/').to_string()),
    ]);
    for (variable, path) in keys {
        vars.insert(variable, path.display().to_string());
    }
    let restored = app::ssr::config::Config::from_lookup(|k| vars.get(k).cloned()).unwrap();
    let addr = crate::helpers::serve_config(restored).await.unwrap();
    let original = app.get_text("/trust.json").await.1;
    let copy = reqwest::get(format!("http://{addr}/trust.json")).await.unwrap().text().await.unwrap();
    assert_eq!(copy, original, "the same /trust.json");
    let report =
        crate::helpers::Browser::for_base(&format!("http://{addr}")).get("/documents/soc3-report/download").await;
    assert_eq!(report.status(), 200, "a stored file came along");

    // A restore never overwrites a trust center; a file that is not a snapshot is refused.
    let mut twice = vouchsafe();
    with_keys(twice.arg("restore").arg(&snapshot));
    let out = twice.output().unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("already holds a trust center"));
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all").unwrap();
    let mut bad = vouchsafe();
    bad.arg("restore").arg(&junk).env("VOUCHSAFE_DATA_DIR", dir.path().join("other"));
    let out = bad.output().unwrap();
    assert!(!out.status.success(), "junk refused");
    assert!(
        !dir.path().join("other/vouchsafe.db").exists()
            || std::fs::metadata(dir.path().join("other/vouchsafe.db")).unwrap().len() == 0
    );
}

/// The PostgreSQL server's tool `name` (`pg_dump`, `pg_restore`): on PATH, or Debian's.
fn pg_tool(name: &str) -> std::path::PathBuf {
    let on_path = Command::new(name).arg("--version").output().is_ok_and(|o| o.status.success());
    if on_path {
        return name.into();
    }
    let mut found: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's tools")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin").join(name)))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.pop().expect("PostgreSQL's tools")
}

/// As README says: `pg_dump --format=custom` of a serving trust center, `pg_restore` into an
/// empty database; the copy verifies with the same keys and serves the same `/trust.json`.
async fn postgres_dump_and_restore(app: &crate::helpers::TestApp, dir: &std::path::Path) {
    app.prospect_browser("pat@contoso.example").await;
    let config = &app.state.config;
    let dump = dir.join("trust.dump");
    let out = Command::new(pg_tool("pg_dump"))
        .args(["--format=custom", "--file"])
        .arg(&dump)
        .arg(config.database_url.expose())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let server = std::env::var("VOUCHSAFE_TEST_POSTGRES").unwrap();
    let copy_url = crate::helpers::fresh_postgres_database(&server).await;
    let out =
        Command::new(pg_tool("pg_restore")).args(["--no-owner", "--dbname", &copy_url]).arg(&dump).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let fresh = dir.join("restored");
    let keys = [
        ("VOUCHSAFE_LINK_KEY", config.link_key_path.display().to_string()),
        ("VOUCHSAFE_AUDIT_KEY", config.audit_key_path.display().to_string()),
        ("VOUCHSAFE_SECRETS_KEY", config.secrets_key_path.display().to_string()),
    ];
    let mut verify = vouchsafe();
    verify.args(["audit", "verify"]).env("VOUCHSAFE_DATA_DIR", &fresh).env("DATABASE_URL", &copy_url);
    for (variable, path) in &keys {
        verify.env(variable, path);
    }
    let out = verify.output().unwrap();
    assert!(out.status.success(), "the restored log verifies: {}", String::from_utf8_lossy(&out.stdout));

    let mut vars: std::collections::HashMap<&str, String> = std::collections::HashMap::from([
        ("VOUCHSAFE_DATA_DIR", fresh.display().to_string()),
        ("VOUCHSAFE_BASE_URL", config.base_url.as_str().trim_end_matches('/').to_string()),
        ("DATABASE_URL", copy_url.clone()),
    ]);
    for (variable, path) in keys {
        vars.insert(variable, path);
    }
    let restored = app::ssr::config::Config::from_lookup(|k| vars.get(k).cloned()).unwrap();
    let addr = crate::helpers::serve_config(restored).await.unwrap();
    let original = app.get_text("/trust.json").await.1;
    let copy = reqwest::get(format!("http://{addr}/trust.json")).await.unwrap().text().await.unwrap();
    assert_eq!(copy, original, "the same /trust.json");
}
