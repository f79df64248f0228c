//! The staff home: each person sees the work waiting for their roles, and only that.

use crate::helpers::{spawn_app, spawn_empty_app, Browser};
use app::{features::accounts::model::StaffRole, types::Timestamp};

/// The panel `id` of a home page, up to the end of its section.
fn panel(page: &str, id: &str) -> String {
    let marker = format!("data-test=\"{id}\"");
    let tail = page.split(&marker).nth(1).unwrap_or_else(|| panic!("{marker} not in page"));
    tail.split("</section>").next().unwrap_or_default().to_string()
}

const SOC2: &str = "soc2-type-ii-report";

/// Files a request for the SOC 2 report as `browser`'s prospect.
async fn file_request(browser: &Browser) {
    browser
        .post_form(
            "/api/submit_access_request",
            &[("slug", SOC2), ("documents[0]", SOC2), ("role", "CISO"), ("reason", "Vendor review")],
        )
        .await;
}

#[tokio::test]
async fn the_home_page_shows_each_role_the_work_waiting_for_it() {
    let app = spawn_app().await;
    let db = app.state.db.pool();
    // A request waiting for sales.
    let pat = app.prospect_browser("pat@fresh-buyer.example").await;
    file_request(&pat).await;
    sqlx::query("update access_requests set status = 'pending_review'").execute(db).await.unwrap();
    let (request,): (i64,) =
        sqlx::query_as("select id from access_requests order by id desc limit 1").fetch_one(db).await.unwrap();
    // A grant ending in three days, and one ending next month (not this week's work).
    let now = Timestamp::now().0;
    for (ends, email) in [(now + 3 * 86_400, "soon@ending.example"), (now + 30 * 86_400, "later@ending.example")] {
        file_request(&app.prospect_browser(email).await).await;
        let (prospect, company): (i64, i64) = sqlx::query_as(
            "select r.prospect_id, r.company_id from access_requests r join prospects p on p.id = r.prospect_id where p.email = $1",
        )
        .bind(email)
        .fetch_one(db)
        .await
        .unwrap_or_else(|e| panic!("{email}: {e}"));
        sqlx::query(
            "insert into grants (request_id, prospect_id, company_id, granted_at, expires_at) values ($1, $2, $3, $4, $5)",
        )
        .bind(request)
        .bind(prospect)
        .bind(company)
        .bind(now)
        .bind(ends)
        .execute(db)
        .await
        .unwrap();
    }
    // A stale entry, and mail that could not be delivered (its subject is hostile text).
    sqlx::query("update kb_entries set last_reviewed_on = '2001-02-03' where external_id = 'KB-001'")
        .execute(db)
        .await
        .unwrap();
    sqlx::query(
        "insert into mail_outbox (to_address, to_name, subject, text_body, html_body, status, attempts, next_attempt_at, created_at) \
         values ('gone@bounce.example', '', '<b id=x>Your link</b>', '', '', 'failed', 8, 0, $1)",
    )
    .bind(now)
    .execute(db)
    .await
    .unwrap();

    let sales = app.staff_browser("sol@northwind-analytics.example", &[StaffRole::Sales]).await;
    let (status, page) = sales.get_text("/admin").await;
    assert_eq!(status, 200);
    let requests = panel(&page, "waiting-requests");
    assert!(requests.contains("pat@fresh-buyer.example"), "{requests}");
    assert!(requests.contains(&format!("/admin/requests/{request}")));
    let ending = panel(&page, "expiring-grants");
    assert!(ending.contains("soon@ending.example") && !ending.contains("later@ending.example"), "{ending}");
    for other in ["stale-entries", "questionnaires-due", "failed-mail"] {
        assert!(!page.contains(&format!("data-test=\"{other}\"")), "sales do not see {other}");
    }

    let security = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    let (_, page) = security.get_text("/admin").await;
    let stale = panel(&page, "stale-entries");
    assert!(stale.contains("KB-001") && stale.contains("review was due"), "{stale}");
    assert!(panel(&page, "questionnaires-due").contains("No questionnaire"), "the empty list says so");
    assert!(!page.contains("data-test=\"waiting-requests\"") && !page.contains("data-test=\"failed-mail\""));

    let admin = app.staff_browser("ada@northwind-analytics.example", &[StaffRole::Admin]).await;
    let (_, page) = admin.get_text("/admin").await;
    let mail = panel(&page, "failed-mail");
    assert!(mail.contains("gone@bounce.example") && mail.contains("8 attempts"), "{mail}");
    assert!(!page.contains("<b id=x>") && mail.contains("&lt;b id=x&gt;"), "a subject is text, never markup");
    assert!(page.contains("data-test=\"waiting-requests\""), "an admin holds every role");
}

#[tokio::test]
async fn an_empty_trust_center_says_nothing_is_waiting() {
    let app = spawn_empty_app().await;
    let admin = app.staff_browser("ada@northwind-analytics.example", &[StaffRole::Admin]).await;
    let (_, page) = admin.get_text("/admin").await;
    for empty in [
        "No request is waiting for a decision.",
        "No access ends in the next seven days.",
        "Every approved answer is within its review date.",
        "Every mail was delivered.",
    ] {
        assert!(page.contains(empty), "{empty}");
    }
}
