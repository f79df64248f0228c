//! Self-serve questionnaires: an approved prospect uploads their own file, automatic answers come
//! only from entries a buyer may read, staff complete it, and the prospect downloads it filled;
//! a prospect without access cannot upload, and nobody else can download it.

use crate::{
    gated_access::{accept_nda, ask as request_access},
    helpers::{location, spawn_app, Browser, TestApp},
    learning::entry,
    questionnaires::wait_ready,
};
use app::features::accounts::model::StaffRole;

const QUESTIONS: &str = "Question,Answer\r\n\
    Does the quokka mascot appear on the lobby tapestry in the Perth office?,\r\n\
    Which xylophone rehearsal room stores the tambourine inventory ledger?,\r\n\
    Which brand of office chairs do you buy?,\r\n";

async fn own_questionnaires(app: &TestApp, email: &str) -> Vec<i64> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "select q.id from questionnaires q join prospects p on p.id = q.prospect_id where p.email = $1 order by q.id",
    )
    .bind(email)
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    rows.into_iter().map(|(id,)| id).collect()
}

async fn upload(browser: &Browser) -> reqwest::Response {
    browser.post_multipart("/account/questionnaires/upload", &[], ("ours.csv", QUESTIONS.as_bytes().to_vec())).await
}

#[tokio::test]
async fn an_approved_prospect_uploads_their_questionnaire_and_downloads_it_filled() {
    let app = spawn_app().await;
    entry(
        &app,
        "T-PUBLIC",
        "Does the quokka mascot appear on the lobby tapestry in the Perth office?",
        "Marker-public-7431: yes, woven in 2019.",
        "public",
    )
    .await;
    entry(
        &app,
        "T-INTERNAL",
        "Which xylophone rehearsal room stores the tambourine inventory ledger?",
        "Marker-internal-9913: room 4B.",
        "internal",
    )
    .await;

    // Without access: the section says why, and an upload is refused with nothing stored.
    let pat = app.prospect_browser("pat@contoso.example").await;
    let (_, account) = pat.get_text("/account").await;
    assert!(account.contains("data-test=\"self-serve-closed\""), "{account}");
    assert_eq!(location(&upload(&pat).await), "/account#questionnaires");
    let (_, account) = pat.get_text("/account").await;
    assert!(account.contains("once your access to our security documents is approved"), "{account}");
    assert!(own_questionnaires(&app, "pat@contoso.example").await.is_empty());

    // Approved (the demo's rule grants contoso.example once the NDA is accepted).
    request_access(&pat, &["soc2-type-ii-report"]).await;
    accept_nda(&pat, "Pat Prospect").await;
    assert_eq!(location(&upload(&pat).await), "/account#questionnaires");
    let ids = own_questionnaires(&app, "pat@contoso.example").await;
    assert_eq!(ids.len(), 1);
    let id = ids[0];
    wait_ready(&app, id).await;
    // It is in the staff queue for the prospect's company, due in ten days.
    let (company, due): (String, Option<String>) = sqlx::query_as(
        "select c.domain, q.due_on from questionnaires q join companies c on c.id = q.company_id where q.id = $1",
    )
    .bind(id)
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(company, "contoso.example");
    assert_eq!(due, Some(app::types::IsoDate::today_utc().add_days(10).to_string()));
    let (_, account) = pat.get_text("/account").await;
    assert!(account.contains("1 of 3 questions answered") && account.contains("With the security team"), "{account}");

    // Not downloadable before staff complete it (drafts are off by default); nobody else's.
    let res = pat.post_form(&format!("/account/questionnaires/{id}/download"), &[]).await;
    assert_eq!(location(&res), "/account#questionnaires");
    let other = app.prospect_browser("lee@contoso.example").await;
    let res = other.post_form(&format!("/account/questionnaires/{id}/download"), &[]).await;
    assert_eq!(res.status(), 404);

    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    let (_, review) = sec.get_text(&format!("/admin/questionnaires/{id}")).await;
    assert!(
        review.contains("Marker-internal-9913") || review.contains("T-INTERNAL"),
        "staff see the internal suggestion"
    );
    sec.post_form("/api/qn_complete", &[("id", &id.to_string())]).await;
    let mut told = false;
    for _ in 0..100 {
        told = app
            .outbox_mails("pat@contoso.example")
            .iter()
            .any(|m| m.subject.contains("Your questionnaire is answered"));
        if told {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(told, "the prospect is mailed that it is answered");

    let res = pat.post_form(&format!("/account/questionnaires/{id}/download"), &[]).await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(body.contains("Marker-public-7431"), "{body}");
    assert!(!body.contains("Marker-internal"), "an internal entry never reaches the buyer: {body}");
    let (told, by): (i64, String) =
        sqlx::query_as("select count(*), max(exported_by) from answer_disclosures where questionnaire_id = $1")
            .bind(id)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!((told, by.as_str()), (1, "pat@contoso.example"), "the answer given is a recorded disclosure");
}
