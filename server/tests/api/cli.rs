//! The binary itself: configuration errors and the migrate subcommand.

use std::process::Command;

fn vouchsafe() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vouchsafe"));
    // Keep the test's own environment (and any developer .env) out of the picture.
    cmd.env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd
}

#[test]
fn a_bad_setting_stops_start_up_with_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out =
        vouchsafe().current_dir(dir.path()).args(["serve"]).env("VOUCHSAFE_ADDR", "not-an-address").output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    assert!(lines[0].contains("VOUCHSAFE_ADDR"), "{stderr}");
}

#[test]
fn migrate_creates_the_database_in_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = vouchsafe().current_dir(dir.path()).arg("migrate").env("VOUCHSAFE_DATA_DIR", &data).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(data.join("vouchsafe.db").is_file());
    // Running again is a no-op.
    let again = vouchsafe().current_dir(dir.path()).arg("migrate").env("VOUCHSAFE_DATA_DIR", &data).output().unwrap();
    assert!(again.status.success());
}
