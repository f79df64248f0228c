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

/// Makes every new access-log row fail, as a crash or a full disk between the change and its
/// log row would.
async fn break_the_log(app: &crate::helpers::TestApp) {
    let statements: &[&str] = match app.state.db.backend() {
        app::ssr::db::Backend::Sqlite => {
            &["create trigger fail_log before insert on access_log begin select raise(abort, 'injected failure'); end"]
        }
        app::ssr::db::Backend::Postgres => &[
            "create function fail_log() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$",
            "create trigger fail_log before insert on access_log for each row execute function fail_log()",
        ],
    };
    for statement in statements {
        sqlx::query(statement).execute(app.state.db.pool()).await.unwrap();
    }
}

async fn repair_the_log(app: &crate::helpers::TestApp) {
    let statement = match app.state.db.backend() {
        app::ssr::db::Backend::Sqlite => "drop trigger fail_log",
        app::ssr::db::Backend::Postgres => "drop trigger fail_log on access_log",
    };
    sqlx::query(statement).execute(app.state.db.pool()).await.unwrap();
}

/// Rows in each table an editor or a publish writes.
async fn snapshot(app: &crate::helpers::TestApp) -> Vec<(&'static str, i64, Option<i64>)> {
    let mut out = Vec::new();
    for (table, latest) in [
        ("controls", "updated_at"),
        ("subprocessors", "updated_at"),
        ("faqs", "updated_at"),
        ("frameworks", "updated_at"),
        ("soc2_reports", "updated_at"),
        ("bridge_letters", "updated_at"),
        ("updates", "updated_at"),
        ("published_versions", "id"),
        ("access_log", "seq"),
    ] {
        let (n, latest): (i64, Option<i64>) = sqlx::query_as(&format!("select count(*), max({latest}) from {table}"))
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
        out.push((table, n, latest));
    }
    let (profile,): (i64,) = sqlx::query_as("select updated_at from company_profile where id = 1")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    out.push(("company_profile", 1, Some(profile)));
    out
}

#[tokio::test]
async fn no_editor_change_or_publish_is_kept_without_its_log_row() {
    let app = spawn_app().await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    // Pending changes, so that there is something to publish, and a publish that proposes an update.
    sec.post_form("/api/save_faq", &[("question", "Do you sign DPAs?"), ("answer", "Yes, on request.")]).await;
    sec.post_form(
        "/api/save_subprocessor",
        &[
            ("name", "Postmark"),
            ("purpose", "Transactional e-mail"),
            ("location", "US"),
            ("data_processed", "Addresses"),
        ],
    )
    .await;
    let (faq,): (i64,) = sqlx::query_as("select max(id) from faqs").fetch_one(app.state.db.pool()).await.unwrap();
    let (control,): (i64,) =
        sqlx::query_as("select min(id) from controls").fetch_one(app.state.db.pool()).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let before = snapshot(&app).await;
    break_the_log(&app).await;
    let faq = faq.to_string();
    let control = control.to_string();
    let actions: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "/api/save_control",
            vec![
                ("category", "access_control"),
                ("title", "New control"),
                ("description", "d"),
                ("status", "implemented"),
            ],
        ),
        (
            "/api/save_control",
            vec![
                ("id", &control),
                ("category", "access_control"),
                ("title", "Renamed"),
                ("description", "d"),
                ("status", "planned"),
            ],
        ),
        (
            "/api/save_control",
            vec![
                ("id", &control),
                ("delete", "yes"),
                ("category", ""),
                ("title", ""),
                ("description", ""),
                ("status", ""),
            ],
        ),
        (
            "/api/save_subprocessor",
            vec![("name", "Acme Mail"), ("purpose", "E-mail"), ("location", "EU"), ("data_processed", "Addresses")],
        ),
        ("/api/save_faq", vec![("question", "Another?"), ("answer", "Yes.")]),
        ("/api/save_faq", vec![("id", &faq), ("delete", "yes"), ("question", ""), ("answer", "")]),
        (
            "/api/save_framework",
            vec![("name", "PCI DSS"), ("evidence", "Attestation of Compliance"), ("in_progress", "yes")],
        ),
        ("/api/save_update", vec![("kind", "general"), ("title", "News"), ("body", "Text.")]),
        (
            "/api/save_profile",
            vec![
                ("name", "Northwind Renamed"),
                ("description", "We build analytics."),
                ("website_url", "https://northwind.example"),
                ("security_contact_email", "security@northwind.example"),
                ("accent_color", "#1d5c8f"),
                ("section_compliance", "1"),
                ("section_documents", "2"),
                ("section_controls", "3"),
                ("section_subprocessors", "4"),
                ("section_faq", "5"),
            ],
        ),
        ("/api/publish_content", vec![]),
    ];
    for (api, form) in &actions {
        let res = sec.post_form(api, form).await;
        let (_, page) = sec.get_text(&location(&res)).await;
        assert!(page.contains("Something went wrong on our side"), "{api}: the failure is reported");
    }
    assert_eq!(snapshot(&app).await, before, "no change was kept without its log row");
    // With the log working again, a publish is one transaction with its row and proposed updates.
    repair_the_log(&app).await;
    let res = sec.post_form("/api/publish_content", &[]).await;
    assert_eq!(location(&res), "/admin/content");
    let after = snapshot(&app).await;
    let rows = |s: &[(&str, i64, Option<i64>)], t: &str| s.iter().find(|(n, _, _)| *n == t).unwrap().1;
    assert_eq!(rows(&after, "published_versions"), rows(&before, "published_versions") + 1);
    assert_eq!(rows(&after, "access_log"), rows(&before, "access_log") + 1);
    assert!(rows(&after, "updates") > rows(&before, "updates"), "the publish proposed its draft update");
}
