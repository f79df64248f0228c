//! The binary itself: configuration errors, the migrate subcommand, and a hostile workbook given to
//! every command that reads one.

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

#[test]
fn a_workbook_spanning_a1_to_xfd1048576_is_refused_by_every_command_that_reads_one() {
    use crate::{
        knowledge::{run, vouchsafe},
        questionnaires::{sprawling_workbook, SPRAWL_REFUSED},
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("security.xlsx");
    std::fs::write(&file, sprawling_workbook()).unwrap();
    let out = dir.path().join("answered.xlsx");
    let commands: [&[&std::ffi::OsStr]; 3] = [
        &["questionnaire".as_ref(), "suggest".as_ref(), file.as_ref()],
        &["questionnaire".as_ref(), "fill".as_ref(), file.as_ref(), "--out".as_ref(), out.as_ref()],
        &["kb".as_ref(), "import".as_ref(), file.as_ref()],
    ];
    for args in commands {
        // An abort would show as no exit code (-1 here), a signal.
        let (code, _, err) = run(vouchsafe(&data).args(args));
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(err.contains(SPRAWL_REFUSED), "{args:?}: {err}");
    }
    assert!(!out.exists(), "nothing written");
}
