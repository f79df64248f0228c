//! Editing the trust center: validation next to each field, drafts invisible to the public until
//! published, the preview, and publishing recorded in the access log.

use crate::helpers::{location, spawn_app};
use app::features::accounts::model::StaffRole;

#[tokio::test]
async fn edits_are_validated_previewed_and_published_in_one_logged_action() {
    let app = spawn_app().await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    let (_, overview) = sec.get_text("/admin/content").await;
    assert!(overview.contains("Everything is published."), "the demo starts published");

    // Bad input: each problem next to its field, what was typed kept, nothing stored.
    let (before,): (i64,) =
        sqlx::query_as("select count(*) from controls").fetch_one(app.state.db.pool()).await.unwrap();
    let res = sec
        .post_form(
            "/api/save_control",
            &[
                ("category", "astrology"),
                ("title", " "),
                ("description", "Backups are restored monthly."),
                ("status", "implemented"),
                ("tsc_points", "CC6.1, CC99.1"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/admin/content/controls/new");
    let (_, page) = sec.get_text("/admin/content/controls/new").await;
    for message in ["Choose a category from the list.", "Enter the title.", "is not a Trust Services criterion"] {
        assert!(page.contains(message), "{message}");
    }
    assert!(page.contains("Backups are restored monthly."), "typed text kept");
    let (after,): (i64,) =
        sqlx::query_as("select count(*) from controls").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(before, after);
    let res = sec
        .post_form(
            "/api/save_subprocessor",
            &[
                ("name", "Mailchute"),
                ("purpose", "Transactional e-mail"),
                ("location", "EU"),
                ("data_processed", "E-mail addresses"),
                ("website_url", "javascript:alert(1)"),
                ("start_date", "2026-05-01"),
                ("end_date", "2026-01-01"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/admin/content/subprocessors/new");
    let (_, page) = sec.get_text("/admin/content/subprocessors/new").await;
    assert!(page.contains("Enter a web address such as https://example.com."));
    assert!(page.contains("The end date is before the start date."));

    // Good edits are drafts: the public page and trust.json do not change yet.
    let res = sec
        .post_form(
            "/api/save_control",
            &[
                ("category", "data_protection"),
                ("title", "Quarterly restore drills"),
                ("description", "We restore a production backup into an isolated account every quarter."),
                ("status", "implemented"),
                ("tsc_points", "a1.3, CC7.5"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/admin/content");
    let res = sec
        .post_form(
            "/api/save_subprocessor",
            &[
                ("name", "Mailchute"),
                ("purpose", "Transactional e-mail"),
                ("location", "European Union"),
                ("data_processed", "E-mail addresses and names"),
                ("website_url", "https://mailchute.example"),
                ("start_date", "2026-01-01"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/admin/content");
    let (_, overview) = sec.get_text("/admin/content").await;
    assert!(overview.contains("Not yet published: controls, subprocessors."), "pending sections named");
    let (_, public) = app.browser().get_text("/").await;
    assert!(!public.contains("Quarterly restore drills") && !public.contains("Mailchute"));
    let json = app.browser().get_text("/trust.json").await.1;
    assert!(!json.contains("Mailchute"));
    let (status, preview) = sec.get_text("/admin/content/preview").await;
    assert_eq!(status, 200);
    assert!(preview.contains("Quarterly restore drills") && preview.contains("Mailchute") && preview.contains("A1.3"));

    // Sales may not edit or publish.
    let sales = app.staff_browser("sol@northwind-analytics.example", &[StaffRole::Sales]).await;
    assert_eq!(sales.get("/admin/content").await.status(), 403);
    let res = sales.post_form("/api/publish_content", &[]).await;
    assert!(res.status() == 403 || location(&res) != "/admin/content", "{}", res.status());

    // Publish: one action; the public page and trust.json show it; the access log says who and what.
    let res = sec.post_form("/api/publish_content", &[]).await;
    assert_eq!(location(&res), "/admin/content");
    assert!(sec.get_text("/admin/content").await.1.contains("Published: controls, subprocessors."));
    let (_, public) = app.browser().get_text("/").await;
    assert!(public.contains("Quarterly restore drills") && public.contains("Mailchute"));
    assert!(app.browser().get_text("/trust.json").await.1.contains("Mailchute"));
    let (actor, details): (String, String) = sqlx::query_as(
        "select actor_label, details from access_log where event = 'trust_center.published' order by seq desc limit 1",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(actor, "sam@northwind-analytics.example");
    assert!(details.contains("controls") && details.contains("subprocessors"), "{details}");
    let res = sec.post_form("/api/publish_content", &[]).await;
    assert!(sec.get_text(&location(&res)).await.1.contains("Nothing to publish"));

    // A FAQ entry: validated, a draft until published, then on the page and in trust.json.
    let res = sec.post_form("/api/save_faq", &[("question", ""), ("answer", "Yes.")]).await;
    assert_eq!(location(&res), "/admin/content/faq/new");
    assert!(sec.get_text("/admin/content/faq/new").await.1.contains("Enter the question."));
    sec.post_form(
        "/api/save_faq",
        &[("question", "Do you support SAML single sign-on?"), ("answer", "Yes, on every plan.")],
    )
    .await;
    assert!(sec.get_text("/admin/content").await.1.contains("Not yet published: FAQ."));
    assert!(!app.browser().get_text("/trust.json").await.1.contains("Do you support SAML single sign-on?"));
    sec.post_form("/api/publish_content", &[]).await;
    assert!(app.browser().get_text("/trust.json").await.1.contains("Do you support SAML single sign-on?"));
    assert!(app.browser().get_text("/").await.1.contains("Do you support SAML single sign-on?"));

    // Removing a subprocessor is a draft too, until published.
    let (sub,): (i64,) = sqlx::query_as("select id from subprocessors where name = 'Mailchute'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    sec.post_form(
        "/api/save_subprocessor",
        &[
            ("id", &sub.to_string()),
            ("name", "x"),
            ("purpose", "x"),
            ("location", "x"),
            ("data_processed", "x"),
            ("delete", "yes"),
        ],
    )
    .await;
    assert!(app.browser().get_text("/").await.1.contains("Mailchute"), "still public until published");
    sec.post_form("/api/publish_content", &[]).await;
    assert!(!app.browser().get_text("/").await.1.contains("Mailchute"));
}
