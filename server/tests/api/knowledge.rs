//! The knowledge base: CLI import/export/suggest against the real binary, the staff pages'
//! validation, history and states, the upload import, and what the engine may suggest.

use crate::helpers::{location, spawn_app, spawn_empty_app, Browser};
use app::features::accounts::model::StaffRole;
use std::{path::PathBuf, process::Command};

pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub(crate) fn kb_csv() -> PathBuf {
    repo().join("app/src/demo/kb.csv")
}

pub(crate) fn vouchsafe(data: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vouchsafe"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("VOUCHSAFE_DATA_DIR", data)
        .env("RUST_LOG", "warn");
    let model = repo().join("models/all-MiniLM-L6-v2");
    if model.join("model.safetensors").is_file() {
        cmd.env("VOUCHSAFE_MODEL_DIR", model);
    }
    cmd
}

pub(crate) fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn cli_imports_suggests_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (code, out, err) = run(vouchsafe(&data).args(["kb", "import"]).arg(kb_csv()));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("80 new, 0 updated, 0 unchanged"), "{out}");

    // Questions as a buyer writes them, with section prefixes and acronyms, one the KB lacks,
    // and a blank row (skipped, but counted in row numbers).
    let questions = dir.path().join("questions.csv");
    std::fs::write(
        &questions,
        "ref,question\r\nQ1,IAM-04: Is MFA enforced for all employees accessing internal systems?\r\nQ2,\r\n\
         Q3,Q42. What is your recovery point objective (RPO)?\r\nQ4,Which brand of office chairs do you buy?\r\n",
    )
    .unwrap();
    let (code, out, err) = run(vouchsafe(&data).args(["questionnaire", "suggest"]).arg(&questions).arg("--json"));
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["row"], 1);
    assert_eq!(lines[1]["row"], 3);
    assert_eq!(lines[2]["row"], 4);
    assert_eq!(lines[0]["suggestions"][0]["kb_id"], "KB-001", "{out}");
    assert_eq!(lines[1]["suggestions"][0]["kb_id"], "KB-018", "{out}");
    assert!(lines[0]["suggestions"].as_array().unwrap().len() <= 3);
    assert!(
        lines[0]["suggestions"][0]["score"].as_f64().unwrap() > lines[0]["suggestions"][1]["score"].as_f64().unwrap()
    );
    assert_ne!(lines[0]["decision"], "none", "{out}");
    assert_eq!(lines[2]["decision"], "none", "{out}");

    // Export, and the export imports back unchanged, as CSV and as xlsx.
    for name in ["kb-out.csv", "kb-out.xlsx"] {
        let file = dir.path().join(name);
        let (code, out, err) = run(vouchsafe(&data).args(["kb", "export"]).arg(&file));
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("exported 80 approved entries"), "{out}");
        let (code, out, _) = run(vouchsafe(&data).args(["kb", "import"]).arg(&file));
        assert_eq!(code, 0);
        assert!(out.contains("0 new, 0 updated, 80 unchanged"), "{name}: {out}");
    }
}

#[test]
fn a_bad_file_is_refused_whole_with_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("bad.csv");
    std::fs::write(
        &file,
        "id,category,question,answer,short_answer,tags\r\nKB-1,A,Good?,Yes.,Yes,\r\nKB-1,A,Again?,Yes.,Yes,\r\nKB-3,A,Maybe?,Hm.,Perhaps,\r\n",
    )
    .unwrap();
    let (code, _, err) = run(vouchsafe(&data).args(["kb", "import"]).arg(&file));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("line 3: id KB-1 appears more than once"), "{err}");
    assert!(err.contains("line 4: short_answer \"Perhaps\" is not Yes, No or N/A"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    // Nothing was half-imported: the export is empty.
    let out_file = dir.path().join("out.csv");
    let (code, out, _) = run(vouchsafe(&data).args(["kb", "export"]).arg(&out_file));
    assert_eq!(code, 0);
    assert!(out.contains("exported 0 approved entries"), "{out}");

    let (code, _, err) = run(vouchsafe(&data).args(["kb", "import", "notes.txt"]));
    assert_eq!(code, 2);
    assert!(err.contains("use a .csv or .xlsx file"), "{err}");
}

async fn save(browser: &Browser, fields: &[(&str, &str)]) -> reqwest::Response {
    browser.post_form("/api/kb_save", fields).await
}

fn entry<'a>(external_id: &'a str, question: &'a str, short: &'a str, status: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("external_id", external_id),
        ("question", question),
        ("alternatives", "Do you enforce 2FA on laptops?"),
        ("short_answer", short),
        ("explanation", "Every laptop requires a hardware key."),
        ("category", "Endpoint"),
        ("tags", "laptop; hardware key"),
        ("owner_id", ""),
        ("status", status),
        ("visibility", "internal"),
        ("last_reviewed_on", ""),
        ("review_interval_days", "365"),
    ]
}

#[tokio::test]
async fn staff_create_edit_review_and_retire_entries_with_history() {
    let app = spawn_empty_app().await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;

    // Bad input: every problem next to its field, nothing stored, what was typed kept.
    let mut bad = entry("", "", "Maybe", "approved");
    bad[9] = ("visibility", "everyone");
    bad[10] = ("last_reviewed_on", "2099-01-01");
    bad[11] = ("review_interval_days", "0");
    let res = save(&sec, &bad).await;
    assert_eq!(location(&res), "/admin/kb/new");
    let (_, page) = sec.get_text("/admin/kb/new").await;
    for message in [
        "Give an id of 1 to 64 characters",
        "Write the question this entry answers.",
        "Choose Yes, No or N/A.",
        "Choose internal, under NDA or public.",
        "A review date cannot be in the future.",
        "Give a number of days between 1 and 3650.",
    ] {
        assert!(page.contains(message), "{message}");
    }
    assert!(page.contains("Every laptop requires a hardware key."), "typed text is kept");
    let (count,): (i64,) =
        sqlx::query_as("select count(*) from kb_entries").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(count, 0);

    // A good one; then a change; history says who and what.
    let res = save(&sec, &entry("KB-900", "Do laptops require a hardware security key?", "Yes", "approved")).await;
    let path = location(&res);
    assert!(path.starts_with("/admin/kb/"), "{path}");
    let id: i64 = path.trim_start_matches("/admin/kb/").parse().unwrap();
    let id_text = id.to_string();
    let mut changed = entry("KB-900", "Do laptops require a hardware security key?", "No", "approved");
    changed.insert(0, ("id", &id_text));
    save(&sec, &changed).await;
    let (_, page) = sec.get_text(&path).await;
    assert!(page.contains("changed answer Yes → No"), "history shows the change");
    assert!(page.contains("sam@northwind-analytics.example"));
    assert!(page.contains("Stale"), "approved but never reviewed: stale");

    // Stale entries are never suggested; marked reviewed, it is.
    let suggested = |page: &str| {
        page.split("data-test-decision")
            .nth(1)
            .is_some_and(|rest| rest.split("</div>").next().unwrap().contains("KB-900"))
    };
    let try_path = "/admin/kb?try=Do+laptops+need+a+hardware+security+key%3F";
    assert!(!suggested(&sec.get_text(try_path).await.1));
    sec.post_form("/api/kb_set_state", &[("id", &id_text), ("action", "reviewed")]).await;
    assert!(suggested(&sec.get_text(try_path).await.1));

    // A draft is never suggested; retired neither.
    sec.post_form("/api/kb_set_state", &[("id", &id_text), ("action", "retire")]).await;
    assert!(!suggested(&sec.get_text(try_path).await.1));
    let (status, version): (String, i64) = sqlx::query_as("select status, version from kb_entries where id = $1")
        .bind(id)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!((status.as_str(), version), ("retired", 4));
    let (history,): (i64,) = sqlx::query_as("select count(*) from kb_history where entry_id = $1")
        .bind(id)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(history, 4);

    // A duplicate id is refused.
    let res = save(&sec, &entry("KB-900", "Another?", "Yes", "draft")).await;
    assert_eq!(location(&res), "/admin/kb/new");
    assert!(sec.get_text("/admin/kb/new").await.1.contains("Another entry already has this id."));

    let events: Vec<String> = app.audit_events().await.into_iter().map(|e| e.0).collect();
    for event in ["kb.entry_created", "kb.entry_updated", "kb.entry_reviewed", "kb.entry_retired"] {
        assert!(events.iter().any(|e| e == event), "{event} logged");
    }

    // Sales may not touch the knowledge base.
    let sales = app.staff_browser("sol@northwind-analytics.example", &[StaffRole::Sales]).await;
    let res = save(&sales, &entry("KB-901", "Q?", "Yes", "draft")).await;
    assert!(res.status() == 403 || location(&res).starts_with("/admin"), "{}", res.status());
    let (count,): (i64,) =
        sqlx::query_as("select count(*) from kb_entries").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(count, 1);
}

async fn upload(browser: &Browser, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    browser.post_multipart("/admin/kb/upload", &[], (name, bytes)).await
}

#[tokio::test]
async fn uploads_import_all_or_nothing_and_exports_download() {
    let app = spawn_app().await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    let count = || async {
        let (n,): (i64,) =
            sqlx::query_as("select count(*) from kb_entries").fetch_one(app.state.db.pool()).await.unwrap();
        n
    };
    assert_eq!(count().await, 80, "the demo seeds Northwind's answers");

    let bad = "id,category,question,answer,short_answer,tags\r\nKB-500,A,New?,Yes.,Yes,\r\nKB-501,A,=1+1,Yes.,Yes,\r\n";
    let res = upload(&sec, "kb.csv", bad.as_bytes().to_vec()).await;
    assert_eq!(location(&res), "/admin/kb");
    let (_, page) = sec.get_text("/admin/kb").await;
    assert!(page.contains("line 3: question is a formula"), "problem shown by line");
    assert_eq!(count().await, 80, "nothing half-imported");

    let res = upload(&sec, "kb.pdf", b"%PDF-1.4".to_vec()).await;
    assert_eq!(location(&res), "/admin/kb");
    assert!(sec.get_text("/admin/kb").await.1.contains("Upload a .csv or .xlsx file."));

    let good = "id,category,question,answer,short_answer,tags\r\nKB-500,Privacy,Do you appoint a DPO?,\"Yes, an external DPO.\",Yes,dpo\r\n";
    upload(&sec, "kb.csv", good.as_bytes().to_vec()).await;
    assert!(sec.get_text("/admin/kb").await.1.contains("Imported: 1 new, 0 updated, 0 unchanged."));
    assert_eq!(count().await, 81);

    let res = sec.get("/admin/kb/export.xlsx").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let rows = answers::kb::parse(&res.bytes().await.unwrap(), answers::kb::Format::Xlsx).unwrap();
    assert_eq!(rows.len(), 81);
    assert!(rows.iter().any(|r| r.id == "KB-500" && r.answer == "Yes, an external DPO."));

    // Search finds by acronym; hygiene lists what it finds.
    let (_, page) = sec.get_text("/admin/kb?q=2FA").await;
    assert!(page.contains("data-test-kb=\"KB-001\""), "MFA entries match 2FA");
    assert!(!page.contains("data-test-kb=\"KB-068\""), "unrelated entries are not listed");
    let (status, page) = sec.get_text("/admin/kb/hygiene").await;
    assert_eq!(status, 200);
    assert!(page.contains("Conflicting answers") && page.contains("Near-duplicates") && page.contains("Stale entries"));
    // "What is your RPO?" answered "Yes" is flagged; a yes/no question answered Yes is not.
    let misfits = page.split("data-test=\"misfits\"").nth(1).expect("misfits listed").split("</ul>").next().unwrap();
    assert!(misfits.contains("KB-018") && !misfits.contains("KB-001"), "{misfits}");
}

#[tokio::test]
async fn a_workbook_spanning_a1_to_xfd1048576_is_refused_on_import_and_the_server_lives_on() {
    use crate::questionnaires::{sprawling_workbook, SPRAWL_REFUSED};
    let app = spawn_app().await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    let res = upload(&sec, "kb.xlsx", sprawling_workbook()).await;
    assert_eq!(location(&res), "/admin/kb");
    assert!(sec.get_text("/admin/kb").await.1.contains(SPRAWL_REFUSED), "the refusal is shown");
    let (n,): (i64,) = sqlx::query_as("select count(*) from kb_entries").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(n, 80, "the demo's entries, nothing more");
    assert_eq!(app.get("/healthz").await.status(), 200, "the server is still up");
}
