//! Dependent questions on the review page: "If yes, describe …" rows are linked to the question
//! above them and flagged when the two answers disagree.

use crate::{
    helpers::{location, spawn_app},
    questionnaires::{row_id, upload, wait_ready},
};
use app::features::accounts::model::StaffRole;

#[tokio::test]
async fn a_follow_up_is_flagged_when_its_answer_contradicts_its_parent() {
    let app = spawn_app().await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    let csv = "Question,Answer,Comments\r\n\
               Do you run a bug bounty programme open to the public?,,\r\n\
               \"If yes, describe its scope and payouts.\",,\r\n\
               Do you store customer data outside the EU?,,\r\n\
               \"If so, list the countries.\",,\r\n";
    let fields = [("new_company_domain", "initech.example"), ("new_company_name", "Initech")];
    let path = location(&upload(&sec, &fields, "deps.csv", csv.as_bytes().to_vec()).await);
    let id: i64 = path.trim_start_matches("/admin/questionnaires/").parse().unwrap_or_else(|_| panic!("{path}"));
    wait_ready(&app, id).await;
    let qid = id.to_string();
    let row = |n: i64| {
        let app = &app;
        async move { row_id(app, id, 0, n).await.to_string() }
    };
    let write = |r: String, short: &'static str, text: &'static str| {
        let (sec, qid) = (&sec, qid.clone());
        async move {
            sec.post_form(
                "/api/qn_write",
                &[("id", qid.as_str()), ("row", r.as_str()), ("short_answer", short), ("answer", text)],
            )
            .await
        }
    };
    // Parent No, child answered anyway: flagged. Parent Yes, child left blank: flagged.
    write(row(1).await, "No", "We do not run a public programme.").await;
    write(row(2).await, "N/A", "Scope is the whole platform, up to 10,000 USD.").await;
    write(row(3).await, "Yes", "Backups are kept in the United States.").await;
    sec.post_form("/api/qn_row_state", &[("id", qid.as_str()), ("row", row(4).await.as_str()), ("action", "skip")])
        .await;

    let (_, page) = sec.get_text(&format!("/admin/questionnaires/{id}")).await;
    assert_eq!(page.matches("data-test=\"follows\"").count(), 2, "both follow-ups are linked");
    assert!(page.contains("Follows row 2") && page.contains("Follows row 4"), "to the row above them");
    assert!(page.contains("Follow-up of row 2: answered, but the question it follows is answered No."), "{page}");
    assert!(page.contains("Follow-up of row 4: blank, but the question it follows is answered Yes"));

    // Answers that agree: no flag.
    write(row(1).await, "Yes", "A public programme on a bounty platform.").await;
    sec.post_form("/api/qn_row_state", &[("id", qid.as_str()), ("row", row(4).await.as_str()), ("action", "reopen")])
        .await;
    write(row(4).await, "N/A", "United States (backups only).").await;
    let (_, page) = sec.get_text(&format!("/admin/questionnaires/{id}")).await;
    assert_eq!(page.matches("data-test=\"dependency-flag\"").count(), 0, "{page}");
}
