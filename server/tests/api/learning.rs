//! Buyers answering themselves: the ask box sees exactly what each visitor may see, the gap
//! queue's round trip ends in a mail, and learning from an answered questionnaire changes nothing
//! until it is accepted.

use crate::{
    gated_access::{accept_nda, ask as request_access},
    helpers::{location, spawn, spawn_app, token_from, Browser, Options, TestApp},
    knowledge::{run, vouchsafe},
};
use app::{features::accounts::model::StaffRole, types::IsoDate};

/// Adds an approved, current entry with `visibility` and returns its external id.
pub(crate) async fn entry(app: &TestApp, id: &str, question: &str, explanation: &str, visibility: &str) {
    sqlx::query(
        "insert into kb_entries (external_id, question, alternatives, short_answer, explanation, category, tags, \
         status, visibility, last_reviewed_on, review_interval_days, version, created_at, updated_at) \
         values ($1, $2, '', 'Yes', $3, 'Testing', '', 'approved', $4, $5, 365, 1, 0, 0)",
    )
    .bind(id)
    .bind(question)
    .bind(explanation)
    .bind(visibility)
    .bind(IsoDate::today_utc().to_string())
    .execute(app.state.db.pool())
    .await
    .unwrap();
    app.state.knowledge.invalidate();
}

async fn three_entries(app: &TestApp) {
    entry(
        app,
        "T-PUBLIC",
        "Does the quokka mascot appear on the lobby tapestry in the Perth office?",
        "Marker-public-7431: status.example.com shows uptime and incidents.",
        "public",
    )
    .await;
    entry(
        app,
        "T-NDA",
        "Is the narwhal sculpture fund governed by the gardening committee bylaws?",
        "Marker-nda-5520: a policy with a ten million limit.",
        "nda",
    )
    .await;
    entry(
        app,
        "T-INTERNAL",
        "Which xylophone rehearsal room stores the tambourine inventory ledger?",
        "Marker-internal-9913: cage 42 in Frankfurt.",
        "internal",
    )
    .await;
}

const QUESTIONS: [&str; 3] = [
    "Does the quokka mascot appear on the lobby tapestry in the Perth office?",
    "Is the narwhal sculpture fund governed by the gardening committee bylaws?",
    "Which xylophone rehearsal room stores the tambourine inventory ledger?",
];

async fn asked(browser: &Browser, q: &str) -> String {
    let (status, page) = browser.get_text(&format!("/ask?q={}", app::paths::query_value(q))).await;
    assert_eq!(status, 200, "{page}");
    page
}

#[tokio::test]
async fn each_visitor_sees_exactly_the_entries_their_visibility_allows() {
    let app = spawn_app().await;
    three_entries(&app).await;

    // Anonymous: public only; the others are "no approved answer yet", never hinted at.
    let anonymous = app.browser_from("198.51.100.1");
    let pages: Vec<String> = futures_pages(&anonymous).await;
    assert!(pages[0].contains("Marker-public-7431") && pages[0].contains("data-test=\"ask-answered\""), "{}", pages[0]);
    assert!(pages[1].contains("data-test=\"ask-no-answer\"") && !pages[1].contains("Marker-nda"));
    assert!(pages[2].contains("data-test=\"ask-no-answer\""));
    for page in &pages {
        assert!(!page.contains("Marker-internal") && !page.contains("T-INTERNAL") && !page.contains("cage 42"));
        assert!(!page.contains("Marker-nda") && !page.contains("T-NDA"));
    }

    // The demo's entries are all under NDA: none reaches an anonymous visitor, even word for word.
    let page = asked(&anonymous, "Does Northwind carry cyber liability insurance?").await;
    assert!(
        page.contains("data-test=\"ask-no-answer\"")
            && !page.contains("KB-048")
            && !page.contains("certificate of insurance"),
        "{page}"
    );
    // The published FAQ is public: its answers reach everyone, linked to the public page.
    let page = asked(&anonymous, "How can we get your SOC 2 Type II report?").await;
    assert!(page.contains("data-test=\"ask-answered\"") && page.contains("usually within one business day"), "{page}");
    assert!(page.contains("href=\"/#faq\""));
    // A prospect who asked for access but has not accepted the NDA (so has no grant): public only.
    let pat = app.prospect_browser("pat@contoso.example").await;
    assert_eq!(location(&request_access(&pat, &["soc2-type-ii-report"]).await), "/nda");
    let pages = futures_pages(&pat).await;
    assert!(pages[0].contains("Marker-public-7431"));
    assert!(pages.iter().all(|p| !p.contains("Marker-nda") && !p.contains("Marker-internal")));

    // Once the NDA is accepted the demo's rule grants access: NDA entries too, internal never.
    accept_nda(&pat, "Pat Prospect").await;
    let pages = futures_pages(&pat).await;
    assert!(pages[1].contains("Marker-nda-5520") && pages[1].contains("data-test=\"ask-answered\""), "{}", pages[1]);
    assert!(pages.iter().all(|p| !p.contains("Marker-internal") && !p.contains("cage 42")));
    // The link to one answer obeys the same rule.
    assert!(pat.get_text("/ask?entry=T-NDA").await.1.contains("Marker-nda-5520"));
    assert!(!anonymous.get_text("/ask?entry=T-NDA").await.1.contains("Marker-nda-5520"));
    let (_, internal) = pat.get_text("/ask?entry=T-INTERNAL").await;
    assert!(!internal.contains("Marker-internal") && internal.contains("We could not find that."));
    // The JSON endpoint says the same.
    let res = anonymous.post_form("/api/ask_question", &[("q", QUESTIONS[2])]).await;
    let body = res.text().await.unwrap();
    assert!(body.contains("\"answered\":false") && !body.contains("Marker-internal"), "{body}");

    // Every question was logged with what was shown.
    let logged: Vec<(String,)> = sqlx::query_as("select details from access_log where event = 'ask.asked'")
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    assert!(logged.len() >= 9);
    assert!(logged.iter().any(|(d,)| d.contains("T-NDA") && d.contains("\"under_nda\":true")));
}

#[tokio::test]
async fn the_ask_engines_hold_only_what_their_audience_may_read() {
    // Built over those entries only, nothing else (its words, how rare they are, a typing
    // error's correction, an acronym no visible entry uses) can change what a visitor is told.
    let app = spawn_app().await;
    three_entries(&app).await;
    use app::features::knowledge::model::KbVisibility::{Internal, Nda, Public};
    let anonymous = app.state.knowledge.asking(&app.state.db, false).await.unwrap();
    assert!(!anonymous.visibility.is_empty() && anonymous.visibility.iter().all(|v| *v == Public));
    assert_eq!(anonymous.engine.len(), anonymous.visibility.len());
    let under_nda = app.state.knowledge.asking(&app.state.db, true).await.unwrap();
    assert!(under_nda.visibility.contains(&Nda) && !under_nda.visibility.contains(&Internal));
    assert_eq!(under_nda.engine.len(), under_nda.visibility.len());
    // An acronym only an internal entry uses still means "no approved answer" to a visitor.
    entry(&app, "T-QKMS", "Is QKMS used for the quokka mascot?", "Marker-qkms: yes.", "internal").await;
    let browser = app.browser_from("198.51.100.7");
    let page = asked(&browser, "Does the QKMS quokka mascot appear on the lobby tapestry in the Perth office?").await;
    assert!(page.contains("data-test=\"ask-no-answer\"") && !page.contains("Marker-qkms"), "{page}");
}

async fn futures_pages(browser: &Browser) -> Vec<String> {
    let mut out = Vec::new();
    for q in QUESTIONS {
        out.push(asked(browser, q).await);
    }
    out
}

#[tokio::test]
async fn asking_is_rate_limited_per_source_and_bounded() {
    let app = spawn(Options { demo: true, behind_proxy: true, ..Default::default() }).await;
    let visitor = app.browser_from("198.51.100.7");
    let long = "a".repeat(app::features::ask::model::MAX_QUESTION + 1);
    let (status, page) = visitor.get_text(&format!("/ask?q={long}")).await;
    assert_eq!(status, 422);
    assert!(page.contains("Keep the question under"), "a clear message");
    let mut limited = false;
    for n in 0..45 {
        let (_, page) = visitor.get_text(&format!("/ask?q=Question+number+{n}+about+furniture")).await;
        limited |= page.contains("Too many attempts");
    }
    assert!(limited, "a source is limited");
    // Another source is not.
    let other = app.browser_from("198.51.100.8");
    assert!(!asked(&other, "Do you encrypt data at rest?").await.contains("Too many attempts"));
}

#[tokio::test]
async fn a_question_without_an_answer_goes_to_the_gap_queue_and_its_asker_is_mailed_the_approved_answer() {
    let app = spawn_app().await;
    let q = "Do you offer a bug bounty programme with public payout tables?";
    let visitor = app.browser_from("198.51.100.20");
    let page = asked(&visitor, q).await;
    assert!(page.contains("No approved answer yet"));
    asked(&app.browser_from("198.51.100.21"), "do you offer a bug bounty programme with public payout tables").await;
    let res = visitor.post_form("/api/ask_leave_email", &[("q", q), ("email", "kim@buyer.example")]).await;
    assert!(location(&res).starts_with("/ask?q="), "back to the question");
    // The address is confirmed by a link mailed to it; the mail never quotes the question.
    let confirm = app.wait_for_mails("kim@buyer.example", 1).await;
    assert!(!confirm[0].text.contains("bug bounty"), "{}", confirm[0].text);
    let token = token_from(&confirm[0].link(&app.url("/ask/confirm?token=")));
    let (_, page) = visitor.get_text(&format!("/ask/confirm?token={token}")).await;
    assert!(page.contains("Confirm your address"));
    let res = visitor.post_form("/api/ask_confirm_email", &[("token", &token)]).await;
    assert_eq!(location(&res), "/ask");
    let res = visitor.post_form("/api/ask_confirm_email", &[("token", &token)]).await;
    assert_eq!(location(&res), "/ask", "used once: refused with a message on the same page");
    // A second address never confirms: it is never told the answer.
    visitor.post_form("/api/ask_leave_email", &[("q", q), ("email", "stranger@elsewhere.example")]).await;
    let refused = visitor.post_form("/api/ask_leave_email", &[("q", q), ("email", "not an address")]).await;
    assert!(location(&refused).starts_with("/ask?q="));

    // Staff see it once, counted twice, with one address waiting.
    let sec = app.staff_browser("sec@northwind.example", &[StaffRole::Security]).await;
    let (_, queue) = sec.get_text("/admin/kb/gaps").await;
    assert_eq!(queue.matches("bug bounty programme").count(), 1, "{queue}");
    assert!(queue.contains("2 ×") && queue.contains("2 waiting"), "{queue}");
    let (gap,): (i64,) = sqlx::query_as("select id from ask_gaps").fetch_one(app.state.db.pool()).await.unwrap();
    // Sales may not answer it.
    let sales = app.staff_browser("sales@northwind.example", &[StaffRole::Sales]).await;
    let res = sales
        .post_form("/api/ask_answer_gap", &[("id", &gap.to_string()), ("mode", "existing"), ("external_id", "KB-001")])
        .await;
    assert_eq!(res.status(), 403);

    // Answered with a new public draft: nobody is mailed until it is approved.
    let res = sec
        .post_form(
            "/api/ask_answer_gap",
            &[
                ("id", &gap.to_string()),
                ("mode", "draft"),
                ("short_answer", "Yes"),
                ("explanation", "Marker-bounty: our programme pays up to 10,000 USD."),
                ("visibility", "public"),
            ],
        )
        .await;
    let entry_page = location(&res);
    assert!(entry_page.starts_with("/admin/kb/"), "{entry_page}");
    let (entry,): (i64,) = sqlx::query_as("select entry_id from ask_gaps where id = $1")
        .bind(gap)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let (status,): (String,) = sqlx::query_as("select status from kb_entries where id = $1")
        .bind(entry)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(status, "draft");
    let (n,): (i64,) = sqlx::query_as("select count(*) from mail_outbox where to_address = 'kim@buyer.example'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 1, "a draft is not an approved answer: the confirmation link only");
    // The visitor's question is kept as the entry's phrasing.
    let (phrasings,): (i64,) = sqlx::query_as("select count(*) from kb_phrasings where entry_id = $1")
        .bind(entry)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(phrasings, 0, "the draft's own question is the visitor's: no separate phrasing");

    let res = sec.post_form("/api/kb_set_state", &[("id", &entry.to_string()), ("action", "approve")]).await;
    assert!(res.status().is_redirection() || res.status().is_success());
    let mails = app.wait_for_mails("kim@buyer.example", 2).await;
    assert!(mails[1].text.contains("Marker-bounty"), "{}", mails[1].text);
    assert!(mails[1].text.contains("bug bounty programme"));
    // Once only, even after another change to the entry.
    sec.post_form("/api/kb_set_state", &[("id", &entry.to_string()), ("action", "reviewed")]).await;
    let (n,): (i64,) = sqlx::query_as("select count(*) from mail_outbox where to_address = 'kim@buyer.example'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 2, "told once");
    let (n,): (i64,) =
        sqlx::query_as("select count(*) from mail_outbox where to_address = 'stranger@elsewhere.example'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(n, 1, "the unconfirmed address got its confirmation link and nothing else");
    // And the next visitor gets the answer.
    let page = asked(&app.browser_from("198.51.100.22"), q).await;
    assert!(page.contains("Marker-bounty") && page.contains("data-test=\"ask-answered\""), "{page}");
}

#[test]
fn learning_adds_phrasings_only_after_acceptance() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (code, _, err) = run(vouchsafe(&data).args(["kb", "import"]).arg(crate::knowledge::kb_csv()));
    assert_eq!(code, 0, "{err}");
    let rows =
        answers::kb::parse(&std::fs::read(crate::knowledge::kb_csv()).unwrap(), answers::kb::Format::Csv).unwrap();
    let (id, answer) = (rows[0].id.clone(), rows[0].answer.clone());
    let file = dir.path().join("answered.csv");
    let quote = |t: &str| format!("\"{}\"", t.replace('"', "\"\""));
    let lines = [
        "Ref,Question,Answer".to_string(),
        format!(
            "1,{},{}",
            quote("Q1. Is a second factor demanded of every member of staff when they log on?"),
            quote(&answer)
        ),
        format!(
            "2,{},{}",
            quote("Do you have a policy on office plants?"),
            quote("No. We do not keep office plants in any building we use, anywhere.")
        ),
        "3,Is data encrypted?,Yes".to_string(),
    ];
    std::fs::write(&file, lines.join("\r\n")).unwrap();

    let count = |sql: &str| -> i64 { sqlite_count(&data, sql) };
    let (code, out, err) = run(vouchsafe(&data).args(["kb", "learn"]).arg(&file));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 phrasings and 1 new entries proposed, 1 rows unclear"), "{out}");
    assert_eq!(count("select count(*) from kb_phrasings"), 0, "nothing learned before acceptance");
    assert_eq!(count("select count(*) from kb_entries where status = 'draft'"), 0);

    let (code, out, err) = run(vouchsafe(&data).args(["kb", "learn", "--accept"]).arg(&file));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 new phrasings, 1 new draft entries"), "{out}");
    assert_eq!(
        count(&format!("select count(*) from kb_phrasings p join kb_entries e on e.id = p.entry_id where e.external_id = '{id}' \
                        and p.text = 'Is a second factor demanded of every member of staff when they log on?' and p.source like 'learned from answered.csv%'")),
        1,
        "the prefix dropped, the source kept"
    );
    assert_eq!(count("select count(*) from kb_entries where status = 'draft' and visibility = 'internal'"), 1);
    // Learning the same file again teaches nothing twice.
    let (_, out, _) = run(vouchsafe(&data).args(["kb", "learn", "--accept"]).arg(&file));
    assert!(out.contains("0 new phrasings, 0 new draft entries, 2 already known"), "{out}");
    // A file that is not a questionnaire is refused with a message.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "a,b\n1,2\n").unwrap();
    let (code, _, err) = run(vouchsafe(&data).args(["kb", "learn"]).arg(&bad));
    assert_eq!(code, 1, "{err}");
}

/// One number from the installation's SQLite database.
fn sqlite_count(data: &std::path::Path, sql: &str) -> i64 {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let url = format!("sqlite:{}", data.join("vouchsafe.db").display());
        let db = app::ssr::db::Db::connect(&url).await.unwrap();
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(db.pool()).await.unwrap();
        n
    })
}

#[tokio::test]
async fn a_reviewer_keeps_a_buyers_wording_only_when_asked_to() {
    let app = spawn_app().await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    let csv = "Question,Answer\r\nMust every member of staff prove who they are twice when logging on?,\r\n\
               Do staff pass a second check at log-on?,\r\n";
    let fields = [("new_company_domain", "initech.example"), ("new_company_name", "Initech")];
    let path = location(&crate::questionnaires::upload(&sec, &fields, "q.csv", csv.as_bytes().to_vec()).await);
    let id: i64 = path.trim_start_matches("/admin/questionnaires/").parse().unwrap_or_else(|_| panic!("{path}"));
    crate::questionnaires::wait_ready(&app, id).await;
    let first = crate::questionnaires::row_id(&app, id, 0, 1).await.to_string();
    let second = crate::questionnaires::row_id(&app, id, 0, 2).await.to_string();
    let qid = id.to_string();
    sec.post_form("/api/qn_accept", &[("id", &qid), ("row", &first), ("entry", "KB-001"), ("keep_wording", "yes")])
        .await;
    sec.post_form("/api/qn_accept", &[("id", &qid), ("row", &second), ("entry", "KB-001")]).await;
    let kept: Vec<(String, String)> = sqlx::query_as(
        "select p.text, p.source from kb_phrasings p join kb_entries e on e.id = p.entry_id where e.external_id = 'KB-001'",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(kept[0].0, "Must every member of staff prove who they are twice when logging on?");
    assert_eq!(kept[0].1, format!("review of questionnaire {id}, row 2"));
    // The entry's page lists it with its source.
    let (entry,): (i64,) = sqlx::query_as("select id from kb_entries where external_id = 'KB-001'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let (_, page) = sec.get_text(&format!("/admin/kb/{entry}")).await;
    assert!(page.contains("prove who they are twice") && page.contains("review of questionnaire"), "{page}");
    // And it can be removed.
    let (phrasing,): (i64,) =
        sqlx::query_as("select id from kb_phrasings").fetch_one(app.state.db.pool()).await.unwrap();
    sec.post_form("/api/kb_remove_phrasing", &[("entry", &entry.to_string()), ("id", &phrasing.to_string())]).await;
    let (n,): (i64,) =
        sqlx::query_as("select count(*) from kb_phrasings").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn entry_vectors_are_kept_so_another_start_embeds_nothing_it_has_seen() {
    let app = spawn_app().await;
    let model = crate::knowledge::repo().join("models/all-MiniLM-L6-v2");
    assert!(model.join("model.safetensors").is_file(), "the suggestion model is installed (scripts/install)");
    let first = std::sync::Arc::new(app::features::knowledge::engine::Knowledge::new(Some(model.clone())));
    first.built(&app.state.db).await.unwrap();
    let embedded = first.embedded_texts();
    assert!(embedded >= 160, "80 questions and 80 answers at least: {embedded}");
    let (stored,): (i64,) =
        sqlx::query_as("select count(*) from kb_vectors").fetch_one(app.state.db.pool()).await.unwrap();
    assert!(stored as u64 >= embedded, "{stored} stored, {embedded} embedded");
    // Another instance (a restart) on the same database embeds nothing...
    let second = std::sync::Arc::new(app::features::knowledge::engine::Knowledge::new(Some(model.clone())));
    second.built(&app.state.db).await.unwrap();
    assert_eq!(second.embedded_texts(), 0);
    // ...and after one entry changes, only its new text.
    sqlx::query(
        "update kb_entries set explanation = 'Yes, with hardware keys only, since 2026.' where external_id = 'KB-001'",
    )
    .execute(app.state.db.pool())
    .await
    .unwrap();
    second.invalidate();
    second.built(&app.state.db).await.unwrap();
    assert_eq!(second.embedded_texts(), 1);
    // The vectors read back give the same suggestions as those just computed.
    let q = vec!["Is MFA enforced for workforce access to internal systems?".to_string()];
    let (_, a) = first.suggest(&app.state.db, q.clone()).await.unwrap();
    let (_, b) = second.suggest(&app.state.db, q).await.unwrap();
    assert_eq!(a[0].suggestions[0].kb_id, b[0].suggestions[0].kb_id);
}
