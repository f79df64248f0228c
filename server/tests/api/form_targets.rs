//! Every form a staff member can see posts to an address that takes a post: a form whose target
//! answers 404 or 405 is a button that does nothing (the knowledge-base import once posted to
//! `/admin/kb/import`, which nothing served).

use crate::helpers::spawn_app;
use app::features::accounts::{
    model::StaffRole,
    policy::{Access, RULES},
};

/// The `action` of every `<form method="post">` in `html`.
fn post_targets(html: &str) -> Vec<String> {
    html.split("<form")
        .skip(1)
        .filter_map(|rest| {
            let tag = &rest[..rest.find('>')?];
            if !tag.contains(r#"method="post""#) {
                return None;
            }
            let at = tag.find(r#"action=""#)? + r#"action=""#.len();
            Some(tag[at..].split('"').next()?.replace("&amp;", "&"))
        })
        .collect()
}

/// A table whose first row gives a page with `:id` something to show.
fn table_for(pattern: &str) -> Option<&'static str> {
    [
        ("/admin/requests/:id", "access_requests"),
        ("/admin/kb/:id", "kb_entries"),
        ("/admin/content/soc2/:id", "soc2_reports"),
        ("/admin/content/frameworks/:id", "frameworks"),
        ("/admin/content/controls/:id", "controls"),
        ("/admin/content/subprocessors/:id", "subprocessors"),
        ("/admin/content/faq/:id", "faqs"),
        ("/admin/companies/:id", "companies"),
    ]
    .into_iter()
    .find(|(p, _)| *p == pattern)
    .map(|(_, table)| table)
}

#[test]
fn the_form_scanner_reads_post_targets_only() {
    let html = r#"<form method="get" action="/admin/kb"></form><form class="x" method="post" action="/api/a?b=1&amp;c=2"><form method="post">"#;
    assert_eq!(post_targets(html), ["/api/a?b=1&c=2"]);
}

#[tokio::test]
async fn every_form_on_every_staff_page_posts_to_an_address_that_takes_it() {
    let app = spawn_app().await;
    let admin = app.staff_browser("ada@northwind-analytics.example", &[StaffRole::Admin]).await;
    let mut pages = Vec::new();
    for (pattern, access) in RULES {
        let staff_page = matches!(access, Access::Staff | Access::Role(_))
            && pattern.starts_with("/admin")
            && !pattern.contains('.')
            && !pattern.ends_with("/upload");
        if !staff_page {
            continue;
        }
        if !pattern.contains(':') {
            pages.push(pattern.to_string());
        } else if let Some(table) = table_for(pattern) {
            let first: Option<(i64,)> = sqlx::query_as(&format!("select min(id) from {table} having count(*) > 0"))
                .fetch_optional(app.state.db.pool())
                .await
                .unwrap();
            if let Some((id,)) = first {
                pages.push(pattern.replace(":id", &id.to_string()));
            }
        }
    }
    assert!(pages.len() > 20, "the staff pages were found: {pages:?}");
    let mut targets = std::collections::BTreeMap::<String, String>::new();
    for page in &pages {
        let (status, html) = admin.get_text(page).await;
        assert_eq!(status, 200, "{page}");
        for target in post_targets(&html) {
            targets.entry(target).or_insert_with(|| page.clone());
        }
    }
    assert!(targets.len() > 25, "the forms were found: {targets:?}");
    assert!(targets.contains_key(app::paths::KB_UPLOAD), "the knowledge-base import form: {targets:?}");
    // Signing out and ending sessions last: everything before still posts as the admin.
    let (last, first): (Vec<_>, Vec<_>) =
        targets.iter().partition(|(target, _)| target.contains("sign_out") || target.contains("end_"));
    for (target, page) in first.into_iter().chain(last) {
        let status = admin.post_form(target, &[]).await.status().as_u16();
        assert!(status != 404 && status != 405, "{page}: a form posts to {target}, which answers {status}");
    }
}
