//! Questionnaires end to end over HTTP: upload a buyer's workbook, wait for the background
//! suggestions, review rows (accept, choose, write with a KB draft, leave blank), correct a
//! mapping, export into the same file, and see who was told what; plus refusals and the CLI.

use crate::helpers::{location, spawn_app, Browser, TestApp};
use answers::{book, kb::Format, ooxml, sample};
use app::features::accounts::model::StaffRole;
use std::time::{Duration, Instant};

pub(crate) async fn wait_ready(app: &TestApp, id: i64) {
    let started = Instant::now();
    loop {
        let (status,): (String,) = sqlx::query_as("select status from questionnaires where id = $1")
            .bind(id)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
        match status.as_str() {
            "ready" => return,
            "failed" => panic!("processing failed"),
            _ if started.elapsed() > Duration::from_secs(300) => panic!("still processing"),
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

pub(crate) async fn row_id(app: &TestApp, id: i64, sheet: i64, row: i64) -> i64 {
    let (rid,): (i64,) = sqlx::query_as(
        "select id from questionnaire_rows where questionnaire_id = $1 and sheet_index = $2 and row_index = $3",
    )
    .bind(id)
    .bind(sheet)
    .bind(row)
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    rid
}

pub(crate) async fn upload(
    browser: &Browser,
    fields: &[(&str, &str)],
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    browser.post_multipart("/admin/questionnaires/upload", fields, (name, bytes)).await
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let (n,): (i64,) =
        sqlx::query_as(&format!("select count(*) from {table}")).fetch_one(app.state.db.pool()).await.unwrap();
    n
}

#[tokio::test]
async fn a_questionnaire_is_imported_reviewed_exported_and_remembered() {
    let app = spawn_app().await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    let input = sample::buyer_questionnaire().unwrap();

    // Refusals: nothing stored, a clear message on the upload page.
    let flat = b"Month,Revenue,Cost\r\nJanuary,100,80\r\nFebruary,120,90\r\n".to_vec();
    let res =
        upload(&sec, &[("new_company_domain", "acme.example"), ("new_company_name", "Acme")], "plan.csv", flat).await;
    assert_eq!(location(&res), "/admin/questionnaires");
    assert!(sec.get_text("/admin/questionnaires").await.1.contains("no sheet has a recognisable question column"));
    let res = upload(
        &sec,
        &[("new_company_domain", "acme.example"), ("new_company_name", "Acme")],
        "q.pdf",
        b"%PDF".to_vec(),
    )
    .await;
    assert_eq!(location(&res), "/admin/questionnaires");
    assert!(sec.get_text("/admin/questionnaires").await.1.contains("Upload a .xlsx or .csv file."));
    let res =
        upload(&sec, &[("new_company_domain", "not a domain"), ("new_company_name", "Acme")], "q.xlsx", input.clone())
            .await;
    assert_eq!(location(&res), "/admin/questionnaires");
    let (_, page) = sec.get_text("/admin/questionnaires").await;
    assert!(
        page.contains("Enter the company&#x27;s e-mail domain") || page.contains("Enter the company's e-mail domain"),
        "field error"
    );
    assert!(page.contains("value=\"not a domain\""), "what was typed is kept");
    assert_eq!(count(&app, "questionnaires").await, 0);
    let (acme,): (i64,) = sqlx::query_as("select count(*) from companies where domain = 'acme.example'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(acme, 0, "a refused upload creates no company");

    // Upload for a new company, with a due date.
    let fields = [
        ("new_company_domain", "acme.example"),
        ("new_company_name", "Acme Corp"),
        ("due_on", "2031-01-15"),
        ("title", "Acme vendor assessment"),
    ];
    let res = upload(&sec, &fields, "acme-assessment.xlsx", input.clone()).await;
    let path = location(&res);
    let id: i64 = path.trim_start_matches("/admin/questionnaires/").parse().unwrap_or_else(|_| panic!("{path}"));
    wait_ready(&app, id).await;
    let (company_id, due): (i64, Option<String>) =
        sqlx::query_as("select company_id, due_on from questionnaires where id = $1")
            .bind(id)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(due.as_deref(), Some("2031-01-15"));
    let rows: Vec<(i64, i64, Option<String>)> =
        sqlx::query_as("select sheet_index, row_index, decision from questionnaire_rows where questionnaire_id = $1 order by sheet_index, row_index")
            .bind(id)
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    let at: Vec<(i64, i64)> = rows.iter().map(|r| (r.0, r.1)).collect();
    assert_eq!(at, [(1, 5), (1, 6), (1, 9), (1, 10), (1, 11), (1, 12), (2, 1), (2, 2), (2, 4)]);
    let decision =
        |sheet: i64, row: i64| rows.iter().find(|r| r.0 == sheet && r.1 == row).and_then(|r| r.2.clone()).unwrap();
    assert_eq!(decision(1, 5), "auto", "MFA for employees is in the knowledge base");
    assert_ne!(decision(1, 12), "auto", "ISO 27701 must not be filled with the ISO 27001 answer");

    let (status, page) = sec.get_text(&path).await;
    assert_eq!(status, 200);
    for text in [
        "Security",
        "Privacy",
        "9 questions",
        "Download the answered file",
        "dropdown: Yes, No, N/A",
        "dropdown: Y, N, NA",
        "Keyboard:",
    ] {
        assert!(page.contains(text), "page shows {text:?}");
    }
    // The ISO 27001 entry suggested for the ISO 27701 question is not offered with one click.
    let iso_card = page.split("data-q-row=").find(|card| card.contains("ISO 27701")).expect("the ISO row's card");
    assert!(iso_card.contains("Never mentions 27701") && iso_card.contains("data-test=\"no-one-click\""), "{iso_card}");
    let (_, filtered) = sec.get_text(&format!("{path}?decision=auto")).await;
    let autos = rows.iter().filter(|r| r.2.as_deref() == Some("auto")).count();
    assert_eq!(filtered.matches("data-q-row=").count(), autos, "the decision filter keeps auto rows only");
    let (_, privacy) = sec.get_text(&format!("{path}?sheet=2")).await;
    assert_eq!(privacy.matches("data-q-row=").count(), 3);

    // Review: choose an entry for the long question, write the ISO 27701 answer and keep it as a
    // KB draft, leave the data-retention row blank.
    let long = row_id(&app, id, 1, 11).await;
    let res = sec
        .post_form(
            "/api/qn_accept",
            &[("id", &id.to_string()), ("row", &long.to_string()), ("entry", "KB-021"), ("back", "sheet=1")],
        )
        .await;
    assert!(location(&res).starts_with(&format!("/admin/questionnaires/{id}?sheet=1#row-")), "{}", location(&res));
    let iso = row_id(&app, id, 1, 12).await;
    let kb_before = count(&app, "kb_entries").await;
    let res = sec
        .post_form(
            "/api/qn_write",
            &[
                ("id", &id.to_string()),
                ("row", &iso.to_string()),
                ("short_answer", "No"),
                ("answer", "We are not ISO 27701 certified; our ISO 27001 scope covers privacy controls."),
                ("save_draft", "yes"),
            ],
        )
        .await;
    assert!(location(&res).starts_with(&format!("/admin/questionnaires/{id}")));
    assert_eq!(count(&app, "kb_entries").await, kb_before + 1);
    let (status, question): (String, String) =
        sqlx::query_as("select status, question from kb_entries order by id desc limit 1")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(status, "draft", "a person's answer becomes a draft, not an approved entry");
    assert!(question.contains("ISO 27701"));
    let retention = row_id(&app, id, 2, 4).await;
    sec.post_form("/api/qn_row_state", &[("id", &id.to_string()), ("row", &retention.to_string()), ("action", "skip")])
        .await;
    // A bad choice is refused with a message; nothing changes.
    let p1 = row_id(&app, id, 2, 1).await;
    let res = sec
        .post_form("/api/qn_accept", &[("id", &id.to_string()), ("row", &p1.to_string()), ("entry", "KB-999")])
        .await;
    assert!(sec.get_text(&location(&res)).await.1.contains("No knowledge-base entry"));

    // A mapping that makes no sense is refused; a correction re-reads the sheet and keeps decisions.
    let res = sec
        .post_form(
            "/api/qn_mapping",
            &[
                ("id", &id.to_string()),
                ("sheet", "1"),
                ("header_row", "4"),
                ("question_col", "1"),
                ("answer_col", "1"),
                ("comment_col", "3"),
            ],
        )
        .await;
    let (_, page) = sec.get_text(&location(&res)).await;
    let panel = page.split("data-test-sheet=\"Security\"").nth(1).unwrap().split("</details>").next().unwrap();
    assert!(page.contains("must be different"));
    let answers = panel.split("name=\"answer_col\"").nth(1).unwrap().split("</select>").next().unwrap();
    assert!(
        panel.starts_with(" open") && answers.contains("value=\"1\" selected"),
        "the sheet's form, open, as typed: {panel}"
    );
    sec.post_form(
        "/api/qn_mapping",
        &[
            ("id", &id.to_string()),
            ("sheet", "1"),
            ("header_row", "4"),
            ("question_col", "1"),
            ("answer_col", "2"),
            ("comment_col", "3"),
        ],
    )
    .await;
    wait_ready(&app, id).await;
    let (state,): (String,) = sqlx::query_as("select state from questionnaire_rows where id = $1")
        .bind(long)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(state, "accepted", "the decision survived the mapping correction");

    // Sales see the company's page but not the questionnaire.
    let sales = app.staff_browser("sol@northwind-analytics.example", &[StaffRole::Sales]).await;
    assert_eq!(sales.get(&path).await.status(), 403);
    assert_eq!(sales.post_form(&format!("{path}/export"), &[]).await.status(), 403);

    // A typed answer on a row whose answer column is a dropdown goes to the comment column,
    // and the page says so before the export.
    let partial = row_id(&app, id, 2, 2).await;
    sec.post_form(
        "/api/qn_write",
        &[
            ("id", &id.to_string()),
            ("row", &partial.to_string()),
            ("short_answer", "Partially"),
            ("answer", "Only for enterprise customers."),
        ],
    )
    .await;
    let (_, review) = sec.get_text(&path).await;
    assert!(review.contains("this answer goes into the comment column"), "told before export");
    let promised: i64 = {
        let at = review.find("data-test=\"to-write\"").expect("the export line");
        let tail = &review[at..];
        let text = &tail[tail.find('>').unwrap() + 1..];
        text.trim().split(' ').next().unwrap().parse().unwrap_or_else(|_| panic!("{}", &text[..80]))
    };
    assert!(review.contains("left blank"), "a blank row is not counted as an answer");

    // Export: the same workbook, answered.
    let res = sec.post_form(&format!("{path}/export"), &[]).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("acme-assessment (answered).xlsx"));
    let out = res.bytes().await.unwrap().to_vec();
    let filled = book::read(&out, Format::Xlsx).unwrap();
    let security = &filled.sheets[1];
    assert_eq!(security.text(5, 2), "Yes");
    assert!(security.text(5, 3).contains("Okta"), "the explanation is in the comments column");
    assert_eq!(security.text(12, 2), "N/A", "the answer cell's formula stays");
    assert!(security.is_formula(12, 2));
    assert!(security.text(12, 3).is_empty(), "a formula answer cell means nothing is written on that row");
    assert!(!security.text(11, 3).is_empty(), "the chosen entry's explanation");
    let privacy = &filled.sheets[2];
    assert_eq!(privacy.text(4, 2), "", "left blank on purpose");
    for cell in [privacy.text(1, 2), privacy.text(2, 2)] {
        assert!(["Y", "N", "NA", ""].contains(&cell), "dropdown value {cell:?}");
    }
    assert_eq!(privacy.text(2, 3), "Partially. Only for enterprise customers.");
    let (left,): (i64,) = sqlx::query_as("select count(*) from answer_disclosures where questionnaire_id = $1")
        .bind(id)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(left, promised, "the page promised exactly what the file holds");
    for part in ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet4.xml", "xl/styles.xml"] {
        assert_eq!(ooxml::part(&out, part).unwrap(), ooxml::part(&input, part).unwrap(), "{part} untouched");
    }

    // Who was told what: every written answer, with its entry and version.
    let told: Vec<(Option<String>, Option<i64>, String)> = sqlx::query_as(
        "select e.external_id, d.entry_version, d.question from answer_disclosures d left join kb_entries e on e.id = d.entry_id \
         where d.company_id = $1 order by d.id",
    )
    .bind(company_id)
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    assert!(told.iter().any(|t| t.0.as_deref() == Some("KB-021") && t.1 == Some(1)), "{told:?}");
    assert!(!told.iter().any(|t| t.2.contains("ISO 27701")), "the ISO row was not written (formula), so not recorded");
    assert!(told.iter().any(|t| t.2.contains("multi-factor")), "the auto answer was recorded");
    let (_, company) = sales.get_text(&format!("/admin/companies/{company_id}")).await;
    assert!(company.contains("What we told them") && company.contains("KB-021 v1"), "the company page lists it");

    // The entry changes: its page names the company that received the older version.
    let (kb21,): (i64,) = sqlx::query_as("select id from kb_entries where external_id = 'KB-021'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let (_, before) = sec.get_text(&format!("/admin/kb/{kb21}")).await;
    assert!(before.contains("Sent to companies") && !before.contains("data-test=\"older-answer\""));
    sqlx::query("update kb_entries set version = version + 1 where id = $1")
        .bind(kb21)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let (_, after) = sec.get_text(&format!("/admin/kb/{kb21}")).await;
    assert!(after.contains("Received an older version of this answer: Acme Corp"));

    let events: Vec<String> = app.audit_events().await.into_iter().map(|e| e.0).collect();
    for event in ["questionnaire.imported", "questionnaire.mapping_changed", "questionnaire.exported"] {
        assert!(events.iter().any(|e| e == event), "{event} logged");
    }
}

/// Uploads a two-question CSV for a new company and waits for its suggestions: (id, MFA row,
/// office-chairs row).
async fn two_question_csv(app: &TestApp, sec: &Browser) -> (i64, i64, i64) {
    let csv =
        "Question,Answer\r\nIs multi-factor authentication required for employees accessing internal systems?,\r\n\
               Which brand of office chairs do you buy?,\r\n";
    let fields = [("new_company_domain", "initech.example"), ("new_company_name", "Initech")];
    let path = location(&upload(sec, &fields, "q.csv", csv.as_bytes().to_vec()).await);
    let id: i64 = path.trim_start_matches("/admin/questionnaires/").parse().unwrap_or_else(|_| panic!("{path}"));
    wait_ready(app, id).await;
    (id, row_id(app, id, 0, 1).await, row_id(app, id, 0, 2).await)
}

#[tokio::test]
async fn every_decision_on_a_row_is_logged_with_its_reviewer() {
    let app = spawn_app().await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    let (id, mfa, chairs) = two_question_csv(&app, &sec).await;
    let (qid, mfa_id, chairs_id) = (id.to_string(), mfa.to_string(), chairs.to_string());
    sec.post_form("/api/qn_accept", &[("id", &qid), ("row", &mfa_id), ("entry", "KB-021")]).await;
    let written = [
        ("id", qid.as_str()),
        ("row", chairs_id.as_str()),
        ("short_answer", "N/A"),
        ("answer", "We do not disclose suppliers of office furniture."),
        ("save_draft", "yes"),
    ];
    sec.post_form("/api/qn_write", &written).await;
    for action in ["skip", "reopen"] {
        sec.post_form("/api/qn_row_state", &[("id", &qid), ("row", &chairs_id), ("action", action)]).await;
    }

    let logged: Vec<(String, String, String, String)> = sqlx::query_as(
        "select event, actor_label, object, details from access_log \
         where event like 'questionnaire.row%' or event = 'kb.entry_created' order by seq",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    let events: Vec<&str> = logged.iter().map(|l| l.0.as_str()).collect();
    assert_eq!(
        events,
        [
            "questionnaire.row_accepted",
            "kb.entry_created",
            "questionnaire.row_written",
            "questionnaire.row_skipped",
            "questionnaire.row_reopened"
        ],
        "the draft entry is logged with the answer that made it"
    );
    assert!(logged.iter().all(|l| l.1 == "sam@northwind-analytics.example"), "{logged:?}");
    let details = |i: usize| serde_json::from_str::<serde_json::Value>(&logged[i].3).unwrap();
    assert_eq!(logged[0].2, format!("questionnaire:{id}"));
    assert_eq!((details(0)["entry"].as_str(), details(0)["row"].as_i64()), (Some("KB-021"), Some(mfa)));
    assert_eq!(details(0)["row_number"], 2, "the row as the spreadsheet numbers it");
    let (draft,): (i64,) = sqlx::query_as("select id from kb_entries order by id desc limit 1")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(logged[1].2, format!("kb:{draft}"));
    assert_eq!(
        (details(2)["short_answer"].as_str(), details(2)["draft_entry_id"].as_i64()),
        (Some("N/A"), Some(draft))
    );
    assert_eq!(details(4)["was"], "skipped");
    let (state,): (String,) = sqlx::query_as("select state from questionnaire_rows where id = $1")
        .bind(chairs)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(state, "open");
}

/// The access log's writer refuses an action whose session has ended (it re-checks inside the
/// action's transaction). Acting for such a session shows what shares that transaction: a
/// decision, and a draft entry saved with a written answer, go with their log row.
#[tokio::test]
async fn a_decision_is_kept_only_with_its_log_row() {
    use app::{
        error::AppError,
        features::questionnaires::server as qn,
        ssr::{
            audit::{Actor, ActorKind},
            request_meta::{RequestMeta, SessionOwner},
        },
    };
    let app = spawn_app().await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    let (id, mfa, chairs) = two_question_csv(&app, &sec).await;
    let (sam,): (i64,) = sqlx::query_as("select id from staff_users where email = 'sam@northwind-analytics.example'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let actor = Actor {
        kind: ActorKind::Staff,
        id: Some(sam),
        label: "sam@northwind-analytics.example".into(),
        role: "security".into(),
    };
    let ended = SessionOwner { key: "a session signed out meanwhile".into(), staff_id: Some(sam), prospect_id: None };
    let meta = RequestMeta { session: Some(ended), ..RequestMeta::default() };
    let (state, kb_before, log_before) = (&app.state, count(&app, "kb_entries").await, count(&app, "access_log").await);

    let accepted = qn::accept(state, &meta, &actor, id, mfa, "KB-021", false).await;
    assert!(matches!(accepted, Err(AppError::Unauthenticated)), "{accepted:?}");
    let written = qn::Written { short: "No", text: "We buy whatever is comfortable.", save_draft: true };
    let wrote = qn::write(state, &meta, &actor, id, chairs, written).await;
    assert!(matches!(wrote, Err(AppError::Unauthenticated)), "{wrote:?}");
    let skipped = qn::set_row_state(state, &meta, &actor, id, chairs, "skip").await;
    assert!(matches!(skipped, Err(AppError::Unauthenticated)), "{skipped:?}");

    let rows: Vec<(String, Option<String>, Option<i64>)> = sqlx::query_as(
        "select state, short_answer, draft_entry_id from questionnaire_rows where questionnaire_id = $1",
    )
    .bind(id)
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    assert!(rows.iter().all(|r| r == &("open".to_string(), None, None)), "no decision was kept: {rows:?}");
    assert_eq!(count(&app, "kb_entries").await, kb_before, "nor the draft entry");
    assert_eq!(count(&app, "access_log").await, log_before);

    // The same decision by a live session is kept, with its log row.
    let live = RequestMeta::default();
    qn::accept(state, &live, &actor, id, mfa, "KB-021", false).await.unwrap();
    let (row_state,): (String,) = sqlx::query_as("select state from questionnaire_rows where id = $1")
        .bind(mfa)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(row_state, "accepted");
    assert_eq!(count(&app, "access_log").await, log_before + 1);
}

/// One value in A1 and one in XFD1048576 (1.6 KB): calamine's grid for it is 512 GiB.
pub(crate) fn sprawling_workbook() -> Vec<u8> {
    std::fs::read(crate::knowledge::repo().join("answers/tests/fixtures/a1-and-xfd1048576.xlsx")).unwrap()
}

pub(crate) const SPRAWL_REFUSED: &str = "Sheet ‘Security’ spans 16,384 columns × 1,048,576 rows";

#[tokio::test]
async fn a_workbook_spanning_a1_to_xfd1048576_is_refused_and_the_server_lives_on() {
    let app = spawn_app().await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    let fields = [("new_company_domain", "acme.example"), ("new_company_name", "Acme")];
    let res = upload(&sec, &fields, "acme.xlsx", sprawling_workbook()).await;
    assert_eq!(location(&res), "/admin/questionnaires");
    let (_, page) = sec.get_text("/admin/questionnaires").await;
    assert!(page.contains(SPRAWL_REFUSED), "the refusal is shown on the upload page");
    assert_eq!(count(&app, "questionnaires").await, 0, "nothing stored");
    assert_eq!(count(&app, "questionnaire_rows").await, 0);
    let (acme,): (i64,) = sqlx::query_as("select count(*) from companies where domain = 'acme.example'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(acme, 0, "no company either");
    assert_eq!(app.get("/healthz").await.status(), 200, "the server is still up");
}

#[tokio::test]
async fn csv_in_csv_out_for_an_existing_company() {
    let app = spawn_app().await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    let now = app::types::Timestamp::now().0;
    sqlx::query(
        "insert into companies (domain, name, created_at, updated_at) values ('globex.example', 'Globex', $1, $1)",
    )
    .bind(now)
    .execute(app.state.db.pool())
    .await
    .unwrap();
    let (company,): (i64,) = sqlx::query_as("select id from companies where domain = 'globex.example'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let csv = "Ref,Question,Response,Comments\r\nG-1,Is multi-factor authentication required for employees accessing internal systems?,,\r\n,,,\r\nG-2,Which brand of office chairs do you buy?,,\r\n";
    let res = upload(&sec, &[("company_id", &company.to_string())], "globex.csv", csv.as_bytes().to_vec()).await;
    let path = location(&res);
    let id: i64 = path.trim_start_matches("/admin/questionnaires/").parse().unwrap_or_else(|_| panic!("{path}"));
    wait_ready(&app, id).await;
    let res = sec.post_form(&format!("{path}/export"), &[]).await;
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let text = res.text().await.unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], "Ref,Question,Response,Comments");
    assert!(
        lines[1]
            .starts_with("G-1,Is multi-factor authentication required for employees accessing internal systems?,Yes,"),
        "{}",
        lines[1]
    );
    assert_eq!(lines[2], ",,,");
    assert_eq!(lines[3], "G-2,Which brand of office chairs do you buy?,,", "no approved answer: left empty");
}

#[tokio::test]
async fn nothing_from_a_stale_entry_is_filled_without_a_person() {
    let app = spawn_app().await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    let csv =
        "Question,Answer\r\nIs multi-factor authentication required for employees accessing internal systems?,\r\n";
    let res = upload(
        &sec,
        &[("new_company_domain", "initech.example"), ("new_company_name", "Initech")],
        "q.csv",
        csv.as_bytes().to_vec(),
    )
    .await;
    let path = location(&res);
    let id: i64 = path.trim_start_matches("/admin/questionnaires/").parse().unwrap_or_else(|_| panic!("{path}"));
    wait_ready(&app, id).await;
    let (decision, suggestions): (String, String) =
        sqlx::query_as("select decision, suggestions from questionnaire_rows where questionnaire_id = $1")
            .bind(id)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(decision, "auto");
    let best = serde_json::from_str::<serde_json::Value>(&suggestions).unwrap()[0]["entry_id"].as_i64().unwrap();
    // After the suggestion, the entry passes its review date.
    sqlx::query("update kb_entries set last_reviewed_on = '2020-01-01' where id = $1")
        .bind(best)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let (_, page) = sec.get_text(&path).await;
    assert!(
        page.contains("Stale: past its review date") && page.contains("Needs a person"),
        "the row waits for a person"
    );
    let text = sec.post_form(&format!("{path}/export"), &[]).await.text().await.unwrap();
    assert_eq!(text, csv, "nothing was filled");
    assert_eq!(count(&app, "answer_disclosures").await, 0);
    // A person may still choose it, knowingly.
    let row = row_id(&app, id, 0, 1).await;
    sec.post_form(
        "/api/qn_accept",
        &[("id", &id.to_string()), ("row", &row.to_string()), ("entry", &best.to_string())],
    )
    .await;
    let text = sec.post_form(&format!("{path}/export"), &[]).await.text().await.unwrap();
    // No comment column and a free-text answer column: the explanation, which leads with "Yes.".
    assert!(text.lines().nth(1).unwrap().contains(",\"Yes. All workforce access"), "{text}");
}

#[tokio::test]
async fn an_internal_entry_never_reaches_a_buyer() {
    let app = spawn_app().await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    let csv =
        "Question,Answer\r\nIs multi-factor authentication required for employees accessing internal systems?,\r\n";
    let fields = [("new_company_domain", "initech.example"), ("new_company_name", "Initech")];
    let path = location(&upload(&sec, &fields, "q.csv", csv.as_bytes().to_vec()).await);
    let id: i64 = path.trim_start_matches("/admin/questionnaires/").parse().unwrap_or_else(|_| panic!("{path}"));
    wait_ready(&app, id).await;
    let (suggestions,): (String,) =
        sqlx::query_as("select suggestions from questionnaire_rows where questionnaire_id = $1")
            .bind(id)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    let best = serde_json::from_str::<serde_json::Value>(&suggestions).unwrap()[0]["entry_id"].as_i64().unwrap();
    // Imported answers are shareable under NDA; staff then mark this one for staff only.
    let (visibility,): (String,) = sqlx::query_as("select visibility from kb_entries where id = $1")
        .bind(best)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(visibility, "nda");
    sqlx::query("update kb_entries set visibility = 'internal' where id = $1")
        .bind(best)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let (_, page) = sec.get_text(&path).await;
    assert!(page.contains("Internal: staff only") && page.contains("Needs a person"), "the row waits for a person");
    let text = sec.post_form(&format!("{path}/export"), &[]).await.text().await.unwrap();
    assert_eq!(text, csv, "nothing was filled");
    // Nor can a person send it.
    let row = row_id(&app, id, 0, 1).await;
    sec.post_form(
        "/api/qn_accept",
        &[("id", &id.to_string()), ("row", &row.to_string()), ("entry", &best.to_string())],
    )
    .await;
    let (_, page) = sec.get_text(&path).await;
    assert!(page.contains("is internal (staff only)"), "the reviewer is told why");
    let text = sec.post_form(&format!("{path}/export"), &[]).await.text().await.unwrap();
    assert_eq!(text, csv, "still nothing filled");
    assert_eq!(count(&app, "answer_disclosures").await, 0);
}

#[test]
fn cli_fill_writes_auto_answers_into_a_copy() {
    use crate::knowledge::{kb_csv, run, vouchsafe};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (code, _, err) = run(vouchsafe(&data).args(["kb", "import"]).arg(kb_csv()));
    assert_eq!(code, 0, "{err}");
    let input = dir.path().join("acme.xlsx");
    let bytes = sample::buyer_questionnaire().unwrap();
    std::fs::write(&input, &bytes).unwrap();
    let out = dir.path().join("acme-answered.xlsx");
    let (code, stdout, err) = run(vouchsafe(&data).args(["questionnaire", "fill"]).arg(&input).arg("--out").arg(&out));
    assert_eq!(code, 0, "{err}");
    let counts = regex_counts(&stdout);
    assert_eq!(counts.iter().sum::<usize>(), 9, "{stdout}");
    assert!(counts[0] >= 4, "most rows are filled: {stdout}");
    assert!(counts[2] >= 1, "ISO 27701 is left empty: {stdout}");
    let filled = book::read(&std::fs::read(&out).unwrap(), Format::Xlsx).unwrap();
    assert_eq!(filled.sheets[1].text(5, 2), "Yes");
    assert!(!filled.sheets[1].text(5, 3).is_empty(), "the explanation goes into the comment column");
    assert_eq!(std::fs::read(&input).unwrap(), bytes, "the buyer's file is untouched");
    for part in ["xl/styles.xml", "xl/worksheets/sheet1.xml"] {
        assert_eq!(ooxml::part(&std::fs::read(&out).unwrap(), part).unwrap(), ooxml::part(&bytes, part).unwrap());
    }
    // Refusals: the same path, a different kind of file, a file without questions.
    let (code, _, err) = run(vouchsafe(&data).args(["questionnaire", "fill"]).arg(&input).arg("--out").arg(&input));
    assert_ne!(code, 0);
    assert!(err.contains("must not be the buyer's file"), "{err}");
    let (code, _, err) =
        run(vouchsafe(&data).args(["questionnaire", "fill"]).arg(&input).arg("--out").arg(dir.path().join("x.csv")));
    assert_ne!(code, 0);
    assert!(err.contains("same kind of file"), "{err}");
    let flat = dir.path().join("flat.csv");
    std::fs::write(&flat, "Month,Revenue\r\nJanuary,100\r\n").unwrap();
    let (code, _, err) =
        run(vouchsafe(&data).args(["questionnaire", "fill"]).arg(&flat).arg("--out").arg(dir.path().join("o.csv")));
    assert_eq!(code, 1);
    assert!(err.contains("no sheet has a recognisable question column"), "{err}");
}

#[test]
fn a_workbook_spanning_a1_to_xfd1048576_is_refused_by_every_command_that_reads_one() {
    use crate::knowledge::{run, vouchsafe};
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

/// "9 questions: filled F, left R for review, left E empty ..." → [F, R, E].
fn regex_counts(line: &str) -> Vec<usize> {
    let number_after = |key: &str| {
        let at = line.find(key).unwrap_or_else(|| panic!("{key:?} in {line}")) + key.len();
        line[at..].split(|c: char| !c.is_ascii_digit()).next().unwrap().parse::<usize>().unwrap()
    };
    vec![number_after("filled "), number_after(", left "), number_after("review, left ")]
}

/// Suggestion jobs are claimed with a lease: a job another instance holds is left to it, a job
/// whose lease ran out (its instance died) is taken over, and of instances racing for one job
/// exactly one computes it.
#[tokio::test]
async fn a_suggestion_job_is_computed_by_one_instance_and_taken_over_when_its_lease_runs_out() {
    use app::{
        features::questionnaires::server::{resume, spawn_processing},
        ssr::metrics::OutcomeLabels,
        types::Timestamp,
    };
    let app = spawn_app().await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    let (id, _, _) = two_question_csv(&app, &sec).await;
    let db = &app.state.db;
    // As if another instance were computing it now: every verdict still to come.
    let interrupted = |lease_until: i64| async move {
        sqlx::query("update questionnaire_rows set decision = null, suggestions = '[]' where questionnaire_id = $1")
            .bind(id)
            .execute(db.pool())
            .await
            .unwrap();
        sqlx::query(
            "update questionnaires set status = 'processing', claimed_by = 'another-instance', lease_until = $1 \
             where id = $2",
        )
        .bind(lease_until)
        .bind(id)
        .execute(db.pool())
        .await
        .unwrap();
    };
    let undecided = || async move {
        sqlx::query_as::<_, (i64,)>(
            "select count(*) from questionnaire_rows where questionnaire_id = $1 and decision is null",
        )
        .bind(id)
        .fetch_one(db.pool())
        .await
        .unwrap()
        .0
    };
    let finished = || app.state.metrics.suggestion_jobs.get_or_create(&OutcomeLabels { outcome: "finished" }).get();

    interrupted(Timestamp::now().0 + 60).await;
    assert_eq!(resume(&app.state).await.unwrap(), 0, "a live lease is left alone");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(undecided().await, 2, "nothing computed behind the holder's back");

    // The holder died: its lease has run out. Two instances try to take the job at once; one
    // claims and computes it.
    interrupted(Timestamp::now().0 - 1).await;
    let before = finished();
    spawn_processing(app.state.clone(), id);
    spawn_processing(app.state.clone(), id);
    wait_ready(&app, id).await;
    assert_eq!(undecided().await, 0);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(finished() - before, 1, "computed once");

    // An instance's periodic sweep finds a dropped job and takes it over.
    interrupted(Timestamp::now().0 - 1).await;
    assert_eq!(resume(&app.state).await.unwrap(), 1, "the sweep finds the dropped job");
    wait_ready(&app, id).await;
    assert_eq!(undecided().await, 0);
    let (holder, lease): (String, i64) =
        sqlx::query_as("select claimed_by, lease_until from questionnaires where id = $1")
            .bind(id)
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert!(holder.starts_with(&format!("{}:", app.state.instance_id)), "taken over by this instance: {holder}");
    assert_eq!(lease, 0, "and released when done");
}
