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

#[test]
fn log_lines_go_to_standard_error_and_never_into_results() {
    use crate::knowledge::{kb_csv, run, vouchsafe};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (code, _, err) = run(vouchsafe(&data).args(["kb", "import"]).arg(kb_csv()));
    assert_eq!(code, 0, "{err}");
    let questions = dir.path().join("q.csv");
    std::fs::write(&questions, "question\nIs MFA enforced for all employees?\nDo you encrypt backups?\n").unwrap();
    // As verbose as logging goes: standard output must still be exactly the JSON lines.
    let (code, out, err) =
        run(vouchsafe(&data).env("RUST_LOG", "trace").args(["questionnaire", "suggest", "--json"]).arg(&questions));
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    for line in lines {
        serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    }
    assert!(!err.is_empty(), "the log lines are on standard error");
}

#[test]
fn the_database_url_password_is_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let out = vouchsafe()
        .current_dir(dir.path())
        .arg("migrate")
        .env("DATABASE_URL", "postgres://vouchsafe:hunter2-secret@127.0.0.1:1/trust")
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    assert!(!out.status.success(), "nothing listens on port 1");
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!all.contains("hunter2-secret"), "{all}");
    let out = vouchsafe()
        .current_dir(dir.path())
        .arg("migrate")
        .env("DATABASE_URL", "mysql://root:hunter2-secret@db/x")
        .output()
        .unwrap();
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(all.contains("DATABASE_URL") && !all.contains("hunter2-secret"), "{all}");
}

#[tokio::test]
async fn json_logs_are_one_object_per_line_and_name_the_request_they_belong_to() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vouchsafe"))
        .args(["serve", "--demo"])
        .env("VOUCHSAFE_DATA_DIR", &data)
        .env("VOUCHSAFE_ADDR", format!("127.0.0.1:{port}"))
        .env("VOUCHSAFE_LOG_FORMAT", "json")
        .env("RUST_LOG", "debug,sqlx=warn,hyper=warn,h2=warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    crate::child::wait_healthy(&base).await;
    // A refused link: the session carrying its message is saved while the request is handled.
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{base}/download/not-a-link"))
        .send()
        .await
        .unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<serde_json::Value> =
        err.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}"))).collect();
    assert!(lines.len() > 3, "{err}");
    let of_request = lines
        .iter()
        .filter(|l| l["spans"].as_array().is_some_and(|s| s.iter().any(|s| s["request_id"] == id.as_str())))
        .count();
    assert!(of_request > 0, "a line names request {id}: {err}");

    // An unknown format stops start-up, naming the variable.
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_vouchsafe"))
        .args(["migrate"])
        .env("VOUCHSAFE_DATA_DIR", &data)
        .env("VOUCHSAFE_LOG_FORMAT", "xml")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("VOUCHSAFE_LOG_FORMAT"));
}
