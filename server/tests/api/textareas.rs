//! Text that comes back into a form is inert: stored HTML injection through `<textarea>` (tachys
//! writes textarea children unescaped) is closed for every form, and an SVG logo keeps only what
//! a logo needs.

use crate::helpers::{location, spawn_app, Browser, TestApp};
use app::features::accounts::model::StaffRole::*;

/// Closes the textarea and injects markup, a form-hijacking button and a refresh.
const PAYLOAD: &str = "</textarea><h1 id=x>owned</h1><button formaction=/api/invite_staff>Save</button><meta http-equiv=refresh content=0;url=https://evil.example><textarea>";
/// How the payload must appear: escaped, inside the textarea.
const ESCAPED: &str = "&lt;/textarea&gt;&lt;h1 id=x&gt;owned&lt;/h1&gt;";

/// Posts `form` to `api`, then fetches where it led and `also` (the record's own page); every
/// page must show the payload escaped at least once and never as markup.
async fn never_markup(browser: &Browser, api: &str, form: &[(&str, &str)], also: Option<String>) {
    let res = browser.post_form(api, form).await;
    let led_to = location(&res);
    assert!(!led_to.is_empty(), "{api} answered {} without a redirect", res.status());
    let mut shown = false;
    for page in std::iter::once(led_to.clone()).chain(also) {
        let (status, html) = browser.get_text(&page).await;
        assert_eq!(status, 200, "{api} → {page}");
        for forbidden in ["<h1 id=x>", "<button formaction", "<meta http-equiv=refresh"] {
            assert!(!html.contains(forbidden), "{api} → {page} contains markup from the payload: {forbidden}");
        }
        shown |= html.contains(ESCAPED);
    }
    assert!(shown, "{api} (→ {led_to}) never showed the typed text back in its textarea");
}

async fn newest_id(app: &TestApp, table: &str) -> i64 {
    sqlx::query_as::<_, (i64,)>(&format!("select max(id) from {table}")).fetch_one(app.state.db.pool()).await.unwrap().0
}

#[tokio::test]
async fn no_form_lets_stored_text_out_of_its_textarea() {
    let app = spawn_app().await;
    let admin = app.staff_browser("ada@northwind-analytics.example", &[Admin]).await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[Security]).await;

    // Knowledge base: question, other phrasings, explanation (stored, then its page).
    let kb = [
        ("external_id", "KB-900"),
        ("question", PAYLOAD),
        ("alternatives", PAYLOAD),
        ("short_answer", "Yes"),
        ("explanation", PAYLOAD),
        ("category", "Access"),
        ("status", "draft"),
        ("visibility", "internal"),
        ("review_interval_days", "365"),
    ];
    never_markup(&sec, "/api/kb_save", &kb, None).await;
    // NDA body (stored draft).
    never_markup(&admin, "/api/save_nda_draft", &[("title", "Mutual NDA v9"), ("body", PAYLOAD)], None).await;
    // Update body (stored draft, listed with its editor).
    never_markup(&sec, "/api/save_update", &[("kind", "general"), ("title", "News"), ("body", PAYLOAD)], None).await;
    // Document description (stored).
    let doc = newest_id(&app, "documents").await.to_string();
    never_markup(
        &sec,
        "/api/update_document",
        &[("id", &doc), ("title", "A document"), ("visibility", "public"), ("description", PAYLOAD)],
        None,
    )
    .await;
    // Content editors: controls, FAQ, frameworks, SOC 2 report, profile (refused or stored, the
    // text comes back either way).
    // A control is refused (no category) and comes back typed; then stored and shown on its page.
    never_markup(
        &sec,
        "/api/save_control",
        &[("category", ""), ("title", "A control"), ("description", PAYLOAD), ("status", "")],
        None,
    )
    .await;
    let control = [
        ("category", "access_control"),
        ("title", "A control"),
        ("description", PAYLOAD),
        ("status", "implemented"),
        ("tsc_points", "CC6.1"),
    ];
    sec.post_form("/api/save_control", &control).await;
    let stored = format!("/admin/content/controls/{}", newest_id(&app, "controls").await);
    never_markup(&sec, "/api/save_control", &[("category", ""), ("description", PAYLOAD)], Some(stored)).await;
    never_markup(&sec, "/api/save_faq", &[("question", PAYLOAD), ("answer", PAYLOAD)], None).await;
    never_markup(
        &sec,
        "/api/save_framework",
        &[("name", ""), ("evidence", "certificate"), ("description", PAYLOAD)],
        None,
    )
    .await;
    never_markup(
        &sec,
        "/api/save_report",
        &[
            ("report_type", "type2"),
            ("period_start", "x"),
            ("period_end", "y"),
            ("audit_firm", ""),
            ("report_date", ""),
            ("subservice_orgs", PAYLOAD),
            ("cuecs", PAYLOAD),
        ],
        None,
    )
    .await;
    never_markup(
        &sec,
        "/api/save_profile",
        &[
            ("name", ""),
            ("description", PAYLOAD),
            ("website_url", "x"),
            ("security_contact_email", "x"),
            ("accent_color", "x"),
        ],
        None,
    )
    .await;
    // A prospect's request reason, typed back after a refusal.
    let pat = app.prospect_browser("pat@contoso.example").await;
    never_markup(
        &pat,
        "/api/submit_access_request",
        &[("slug", "soc2-type-ii-report"), ("role", ""), ("reason", PAYLOAD)],
        None,
    )
    .await;
}

#[tokio::test]
async fn a_buyers_question_travels_into_a_knowledge_base_draft_as_text() {
    let app = spawn_app().await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[Security]).await;
    // The buyer's questionnaire carries the payload in a question.
    let csv = format!(
        "question,answer\nDo you encrypt data at rest?,\n\"Do you review access quarterly? {}\",\n",
        PAYLOAD.replace('"', "\"\"")
    );
    let res = sec
        .post_multipart(
            "/admin/questionnaires/upload",
            &[("new_company_domain", "contoso.example"), ("new_company_name", "Contoso")],
            ("buyer.csv", csv.into_bytes()),
        )
        .await;
    let review = location(&res);
    assert!(review.starts_with("/admin/questionnaires/"), "{review}");
    let id = review.trim_start_matches("/admin/questionnaires/").split(['?', '#']).next().unwrap().to_string();
    for _ in 0..600 {
        let (status,): (String,) = sqlx::query_as("select status from questionnaires where id = $1")
            .bind(id.parse::<i64>().unwrap())
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
        if status == "ready" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (row,): (i64,) = sqlx::query_as("select id from questionnaire_rows where question like '%textarea%'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    // The reviewer writes an answer (also with the payload) and keeps it as a KB draft.
    let res = sec
        .post_form(
            "/api/qn_write",
            &[
                ("id", &id),
                ("row", &row.to_string()),
                ("short_answer", "Yes"),
                ("answer", PAYLOAD),
                ("save_draft", "yes"),
            ],
        )
        .await;
    let (_, page) = sec.get_text(&location(&res)).await;
    assert!(!page.contains("<h1 id=x>"), "the review page");
    let entry = newest_id(&app, "kb_entries").await;
    let (_, page) = sec.get_text(&format!("/admin/kb/{entry}")).await;
    assert!(!page.contains("<h1 id=x>") && !page.contains("<button formaction"), "the KB draft's page");
    assert!(page.contains(ESCAPED), "the question is in its textarea, as text");
    // The CSP refuses forms posting elsewhere and any base URL.
    let csp =
        sec.get(&format!("/admin/kb/{entry}")).await.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("form-action 'self'") && csp.contains("base-uri 'none'"), "{csp}");
}

#[tokio::test]
async fn svg_logos_keep_only_what_a_logo_needs() {
    let app = spawn_app().await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[Security]).await;
    let page = "/admin/content/profile";
    let hostile: &[(&str, &str)] = &[
        (
            r#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>"#,
            "event handler",
        ),
        (
            r#"<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect width="1" height="1"/></a></svg>"#,
            "<a>",
        ),
        (
            r#"<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><iframe src="https://evil.example"/></foreignObject></svg>"#,
            "foreignObject",
        ),
        (
            r#"<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/pixel.png"/></svg>"#,
            "another document",
        ),
        (
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:href="https://evil.example/a.svg#x"/></svg>"#,
            "another document",
        ),
        (
            r#"<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/a.css);</style></svg>"#,
            "@import",
        ),
        (
            r#"<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"><set attributeName="fill" to="red"/></rect></svg>"#,
            "<set>",
        ),
        (
            r#"<svg xmlns="http://www.w3.org/2000/svg"><rect width="1"><animate attributeName="x" to="9"/></rect></svg>"#,
            "<animate>",
        ),
    ];
    for (svg, why) in hostile {
        let res = sec.post_file("/admin/content/logo/upload", "logo", &[], ("logo.svg", svg.as_bytes().to_vec())).await;
        assert_eq!(location(&res), page);
        let html = sec.get_text(page).await.1;
        assert!(
            html.contains("which a logo may not") && html.contains(&why.replace('<', "&lt;").replace('>', "&gt;")),
            "{svg}"
        );
    }
    let (logos,): (i64,) = sqlx::query_as("select count(*) from logos").fetch_one(app.state.db.pool()).await.unwrap();
    let (profile_logo,): (Option<String>,) = sqlx::query_as("select logo_sha256 from company_profile where id = 1")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    for (svg, _) in hostile {
        let sha = app::ssr::storage::sha256_hex(svg.as_bytes());
        let (stored,): (i64,) = sqlx::query_as("select count(*) from logos where sha256 = $1")
            .bind(&sha)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
        assert_eq!(stored, 0, "nothing stored for {svg}");
    }
    assert!(logos <= 1, "at most the demo's own logo");
    let (still,): (Option<String>,) = sqlx::query_as("select logo_sha256 from company_profile where id = 1")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(still, profile_logo, "the profile still shows the logo it had");
    // An editor's export keeps its drawing and loses its extras; it is served as rewritten.
    let inkscape = r##"<?xml version="1.0"?><!-- Created with Inkscape --><svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" viewBox="0 0 20 10" inkscape:version="1.3"><sodipodi:namedview id="nv"/><metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata><path d="M0 0h20v10H0z" fill="#1d5c8f" inkscape:label="box"/><text x="2" y="8">Acme</text></svg>"##;
    let res =
        sec.post_file("/admin/content/logo/upload", "logo", &[], ("logo.svg", inkscape.as_bytes().to_vec())).await;
    assert_eq!(location(&res), page);
    assert!(sec.get_text(page).await.1.contains("Logo saved as a draft"));
    let (sha,): (String,) = sqlx::query_as("select logo_sha256 from company_profile where id = 1")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let res = app.get(&format!("/branding/logo/{sha}")).await;
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    assert!(res.headers()["content-security-policy"].to_str().unwrap().contains("sandbox"));
    let served = res.text().await.unwrap();
    assert!(
        served.contains(r##"<path d="M0 0h20v10H0z" fill="#1d5c8f"/>"##) && served.contains(">Acme</text>"),
        "{served}"
    );
    assert!(!served.contains("inkscape") && !served.contains("sodipodi") && !served.contains("metadata"), "{served}");
}
