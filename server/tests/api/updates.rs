//! Updates and subscriptions: double opt-in by POST, topics, a subprocessor change proposing an
//! update, publishing mailing the right subscribers (real SMTP) with List-Unsubscribe, one-click
//! unsubscribe, the public list and the Atom feed.

use crate::helpers::{location, spawn_app_with_smtp};
use app::features::accounts::model::StaffRole;

#[tokio::test]
async fn subscribers_confirm_hear_about_their_topics_and_unsubscribe_in_one_click() {
    let app = spawn_app_with_smtp().await;
    let smtp = app.smtp.as_ref().unwrap();
    let visitor = app.browser();

    // Bad input is explained; nothing is stored.
    let res = visitor.post_form("/api/subscribe", &[("email", "not an address"), ("topic_incident", "yes")]).await;
    assert!(location(&res).starts_with("/updates/subscription?state=error"));
    assert!(visitor.get_text(&location(&res)).await.1.contains("Enter an e-mail address"));
    let res = visitor.post_form("/api/subscribe", &[("email", "ivy@initech.example")]).await;
    assert!(visitor.get_text(&location(&res)).await.1.contains("Choose at least one kind of update."));

    // Subscribe: a confirmation mail; opening the link confirms nothing until the button is pressed.
    let res = visitor
        .post_form(
            "/api/subscribe",
            &[("email", "ivy@initech.example"), ("topic_subprocessor", "yes"), ("topic_incident", "yes")],
        )
        .await;
    assert_eq!(location(&res), "/updates/subscription?state=check");
    let mail = smtp.wait_for("ivy@initech.example", 1).await;
    assert!(mail.subject.contains("Confirm your subscription"));
    let link = mail.link(&app.url("/updates/confirm?token="));
    let path = link.trim_start_matches(&app.url(""));
    let (status, page) = visitor.get_text(path).await;
    assert_eq!(status, 200);
    assert!(page.contains("Confirm subscription"));
    let confirmed = || async {
        let row: Option<(Option<i64>, String)> =
            sqlx::query_as("select confirmed_at, topics from subscribers where email = 'ivy@initech.example'")
                .fetch_optional(app.state.db.pool())
                .await
                .unwrap();
        row
    };
    assert_eq!(confirmed().await.unwrap().0, None, "a GET does not confirm");
    let token = path.split("token=").nth(1).unwrap();
    let res = visitor.post_form("/api/confirm_subscription", &[("token", token)]).await;
    assert_eq!(location(&res), "/updates/subscription?state=confirmed");
    let (at, topics) = confirmed().await.unwrap();
    assert!(at.is_some());
    assert_eq!(topics, "subprocessor,incident");
    let res = visitor.post_form("/api/confirm_subscription", &[("token", token)]).await;
    assert!(location(&res).contains("state=invalid"), "a used link does not work twice");

    // Someone who only wants policy changes.
    visitor.post_form("/api/subscribe", &[("email", "bob@globex.example"), ("topic_policy", "yes")]).await;
    let bob = smtp.wait_for("bob@globex.example", 1).await.link(&app.url("/updates/confirm?token="));
    visitor.post_form("/api/confirm_subscription", &[("token", bob.split("token=").nth(1).unwrap())]).await;

    // Staff add a subprocessor and publish the content: an update is proposed as a draft.
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    sec.post_form(
        "/api/save_subprocessor",
        &[
            ("name", "Mailchute"),
            ("purpose", "Transactional e-mail"),
            ("location", "European Union"),
            ("data_processed", "E-mail addresses"),
            ("start_date", "2026-01-01"),
        ],
    )
    .await;
    sec.post_form("/api/publish_content", &[]).await;
    let (id, status, proposed): (i64, String, i64) =
        sqlx::query_as("select id, status, proposed from updates where title = 'New subprocessor: Mailchute'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!((status.as_str(), proposed), ("draft", 1));
    assert!(!visitor.get_text("/").await.1.contains("New subprocessor: Mailchute"), "drafts are not public");

    // Bad update input is explained by field.
    let res = sec.post_form("/api/save_update", &[("kind", "gossip"), ("title", ""), ("body", "")]).await;
    assert_eq!(location(&res), "/admin/updates");
    let (_, page) = sec.get_text("/admin/updates").await;
    for message in ["Choose a kind of update from the list.", "Enter the title.", "Write what changed."] {
        assert!(page.contains(message), "{message}");
    }

    // Publish: Ivy (subprocessor topic) is mailed with List-Unsubscribe; Bob (policy only) is not.
    let res = sec.post_form("/api/publish_update", &[("id", &id.to_string())]).await;
    assert_eq!(location(&res), "/admin/updates");
    assert!(sec.get_text("/admin/updates").await.1.contains("1 subscriber mail(s) queued"));
    let news = smtp.wait_for("ivy@initech.example", 2).await;
    assert!(news.subject.contains("New subprocessor: Mailchute"), "{}", news.subject);
    let header = |name: &str| {
        news.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone()).unwrap_or_default()
    };
    assert_eq!(header("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
    let one_click = header("List-Unsubscribe").trim_matches(|c| c == '<' || c == '>').to_string();
    assert!(one_click.starts_with(&app.url("/updates/unsubscribe/one-click?token=")), "{one_click}");
    assert!(news.text.contains("/updates/unsubscribe?token="), "a visible unsubscribe link too");
    let (bob_mails,): (i64,) =
        sqlx::query_as("select count(*) from mail_outbox where to_address = 'bob@globex.example'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(bob_mails, 1, "only Bob's confirmation");

    // The public page and the Atom feed show it.
    assert!(visitor.get_text("/").await.1.contains("New subprocessor: Mailchute"));
    let res = visitor.get("/updates.atom").await;
    assert_eq!(res.headers()["content-type"], "application/atom+xml; charset=utf-8");
    let feed = res.text().await.unwrap();
    assert!(
        feed.contains("<title>New subprocessor: Mailchute</title>")
            && feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">")
    );

    // One click (as a mail client does: a POST without a browser's headers) ends it.
    let res = reqwest::Client::new().post(&one_click).form(&[("List-Unsubscribe", "One-Click")]).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let (unsubscribed,): (Option<i64>,) =
        sqlx::query_as("select unsubscribed_at from subscribers where email = 'ivy@initech.example'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert!(unsubscribed.is_some());
    sec.post_form("/api/save_update", &[("kind", "subprocessor"), ("title", "Another change"), ("body", "Details.")])
        .await;
    let (next,): (i64,) = sqlx::query_as("select id from updates where title = 'Another change'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    sec.post_form("/api/publish_update", &[("id", &next.to_string())]).await;
    let (ivy_mails,): (i64,) =
        sqlx::query_as("select count(*) from mail_outbox where to_address = 'ivy@initech.example'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(ivy_mails, 2, "nothing after unsubscribing");
    let bad = reqwest::Client::new().post(app.url("/updates/unsubscribe/one-click?token=nope")).send().await.unwrap();
    assert_eq!(bad.status(), 422);

    let events: Vec<String> = app.audit_events().await.into_iter().map(|e| e.0).collect();
    for event in ["subscription.confirmed", "trust_center.published", "update.published", "subscription.ended"] {
        assert!(events.iter().any(|e| e == event), "{event} logged");
    }
}
