//! The profile, branding and attestation editors: every form refuses bad input with a message by
//! field and stores nothing; good edits stay drafts until one publish puts them on the public
//! page and in `/trust.json`, and the access log says who published which sections.

use crate::helpers::{location, spawn_app, Browser, TestApp};
use app::{features::accounts::model::StaffRole, types::IsoDate};
use serde_json::Value;

async fn trust_json(app: &TestApp) -> Value {
    app.get("/trust.json").await.json().await.unwrap()
}

/// Posts `form` to `api`, expects to land back on `page`, and checks each message is there.
async fn refused(browser: &Browser, api: &str, form: &[(&str, &str)], page: &str, messages: &[&str]) -> String {
    let res = browser.post_form(api, form).await;
    assert_eq!(location(&res), page, "a refused form returns to itself");
    let (_, html) = browser.get_text(page).await;
    for message in messages {
        assert!(html.contains(message), "expected “{message}” on {page}");
    }
    html
}

async fn publish(app: &TestApp, browser: &Browser) -> Value {
    let res = browser.post_form("/api/publish_content", &[]).await;
    assert_eq!(location(&res), "/admin/content");
    let (details,): (String,) = sqlx::query_as(
        "select details from access_log where event = 'trust_center.published' order by seq desc limit 1",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    serde_json::from_str(&details).unwrap()
}

#[tokio::test]
async fn profile_branding_and_sections_are_validated_drafted_and_published() {
    let app = spawn_app().await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    let page = "/admin/content/profile";
    let (status, html) = sec.get_text(page).await;
    assert_eq!(status, 200);
    assert!(html.contains("Northwind Analytics") && html.contains("Place 1"));

    let all_hidden = [
        ("section_compliance", "hidden"),
        ("section_documents", "hidden"),
        ("section_controls", "hidden"),
        ("section_subprocessors", "hidden"),
        ("section_faq", "hidden"),
    ];
    let mut bad = vec![
        ("name", " "),
        ("description", "We build analytics."),
        ("website_url", "ftp://northwind.example"),
        ("security_contact_email", "security@"),
        ("accent_color", "#ffe066"),
    ];
    bad.extend(all_hidden);
    let html = refused(
        &sec,
        "/api/save_profile",
        &bad,
        page,
        &[
            "Enter the company name.",
            "Enter a web address such as https://example.com.",
            "contrast of 1.3:1",
            "Show at least one section.",
        ],
    )
    .await;
    assert!(html.contains("security-contact") || html.contains("field-security_contact_email-error"));
    assert!(html.contains("We build analytics."), "typed text kept");
    let (name,): (String,) =
        sqlx::query_as("select name from company_profile").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(name, "Northwind Analytics", "nothing stored");

    // A good edit: renamed, a darker accent, FAQ hidden and subprocessors moved first.
    let res = sec
        .post_form(
            "/api/save_profile",
            &[
                ("name", "Northwind Data"),
                ("description", "Analytics for regulated teams."),
                ("website_url", "https://northwind.example"),
                ("security_contact_email", "security@northwind.example"),
                ("accent_color", "#0B4F6C"),
                ("section_compliance", "2"),
                ("section_documents", "3"),
                ("section_controls", "4"),
                ("section_subprocessors", "1"),
                ("section_faq", "hidden"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/admin/content");
    assert!(sec.get_text("/admin/content").await.1.contains("Not yet published: company profile."));
    let json = trust_json(&app).await;
    assert_eq!(json["content"]["company"]["name"], "Northwind Analytics", "a draft is not public");
    assert!(app.get_text("/").await.1.contains("id=\"faq\""));
    let preview = sec.get_text("/admin/content/preview").await.1;
    assert!(preview.contains("Northwind Data") && !preview.contains("id=\"faq\""));

    // A logo: anything but an image is refused; a PNG becomes the draft's logo.
    let res =
        sec.post_file("/admin/content/logo/upload", "logo", &[], ("logo.png", b"%PDF-1.7 not an image".to_vec())).await;
    assert_eq!(location(&res), page);
    assert!(sec.get_text(page).await.1.contains("Upload a PNG, JPEG, WebP, GIF or SVG image."));
    let res = sec
        .post_file(
            "/admin/content/logo/upload",
            "logo",
            &[],
            ("evil.svg", br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec()),
        )
        .await;
    assert_eq!(location(&res), page);
    assert!(sec.get_text(page).await.1.contains("The SVG contains a &lt;script&gt; element, which a logo may not"));
    let old_logo = json["content"]["company"]["logo_url"].as_str().unwrap().to_string();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x40\0\0\0\x10\x08\x06\0\0\0\x01\x02\x03\x04".to_vec();
    let res = sec.post_file("/admin/content/logo/upload", "logo", &[], ("logo.png", png.clone())).await;
    assert_eq!(location(&res), page);
    assert!(sec.get_text(page).await.1.contains("Logo saved as a draft"));
    assert_eq!(trust_json(&app).await["content"]["company"]["logo_url"], old_logo.as_str());

    // Sales may not touch any of it.
    let sales = app.staff_browser("sol@northwind-analytics.example", &[StaffRole::Sales]).await;
    assert_eq!(sales.get(page).await.status(), 403);
    let res = sales.post_file("/admin/content/logo/upload", "logo", &[], ("logo.png", png.clone())).await;
    assert_eq!(res.status(), 403);

    // One publish: the page, trust.json and the logo all change; the log names the section.
    let details = publish(&app, &sec).await;
    assert_eq!(details["sections"], serde_json::json!(["company profile"]));
    let json = trust_json(&app).await;
    let company = &json["content"]["company"];
    assert_eq!(company["name"], "Northwind Data");
    assert_eq!(company["accent_color"], "#0b4f6c");
    assert_eq!(company["sections"], serde_json::json!(["subprocessors", "compliance", "documents", "controls"]));
    let new_logo = company["logo_url"].as_str().unwrap();
    assert_ne!(new_logo, old_logo);
    let res = app.get(new_logo).await;
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.bytes().await.unwrap().to_vec(), png);
    assert_eq!(app.get(&old_logo).await.status(), 200, "pages cached before the publish still find the old logo");
    assert_eq!(app.get("/branding/logo/0123456789abcdef").await.status(), 404);
    let public = app.get_text("/").await.1;
    assert!(public.contains("Northwind Data") && public.contains("--accent:#0b4f6c"));
    assert!(!public.contains("id=\"faq\""), "a hidden section is not rendered");
    assert!(public.find("id=\"subprocessors\"").unwrap() < public.find("id=\"compliance\"").unwrap());
}

#[tokio::test]
async fn soc2_reports_bridge_letters_and_frameworks_are_validated_and_published() {
    let app = spawn_app().await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    let today = IsoDate::today_utc();
    let (reports_before,): (i64,) =
        sqlx::query_as("select count(*) from soc2_reports").fetch_one(app.state.db.pool()).await.unwrap();

    // A report with every kind of mistake: each explained next to its field, nothing stored.
    let (start, end) = (today.add_months(-4).to_string(), today.add_days(-10).to_string());
    let html = refused(
        &sec,
        "/api/save_report",
        &[
            ("report_type", "type_ii"),
            ("period_start", &end),
            ("period_end", &start),
            ("audit_firm", "Ledger & Rowe LLP"),
            ("report_date", "2020-01-01"),
            ("subservice_orgs", "Amazon Web Services | Hosting"),
            ("document_id", "99999"),
        ],
        "/admin/content/soc2/new",
        &[
            "before it starts",
            "Choose the auditor",
            "Line 1: write name | services | carve-out",
            "Choose a document from the list.",
        ],
    )
    .await;
    assert!(html.contains("Ledger &amp; Rowe LLP"), "typed text kept");
    refused(
        &sec,
        "/api/save_report",
        &[
            ("report_type", "type_ii"),
            ("period_start", &today.add_months(-1).to_string()),
            ("period_end", &today.add_days(-10).to_string()),
            ("audit_firm", "Ledger & Rowe LLP"),
            ("opinion", "unqualified"),
            ("report_date", &today.add_days(-20).to_string()),
        ],
        "/admin/content/soc2/new",
        &["at least 3 months", "The report is dated before its period ends"],
    )
    .await;
    let (reports_after,): (i64,) =
        sqlx::query_as("select count(*) from soc2_reports").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(reports_before, reports_after);

    // A newer report: a draft until published, then the one the public page summarises.
    let (doc,): (i64,) = sqlx::query_as("select id from documents where slug = 'soc2-type-ii-report'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let doc = doc.to_string();
    let res = sec
        .post_form(
            "/api/save_report",
            &[
                ("report_type", "type_ii"),
                ("period_start", &start),
                ("period_end", &end),
                ("audit_firm", "Ledger & Rowe LLP"),
                ("opinion", "qualified"),
                ("report_date", &today.add_days(-1).to_string()),
                ("tsc_availability", "yes"),
                ("tsc_privacy", "yes"),
                ("subservice_orgs", "Amazon Web Services | Cloud hosting | carve-out\nOkta | Identity | inclusive"),
                ("cuecs", "Customers review their users quarterly.\nCustomers keep API keys secret."),
                ("document_id", &doc),
            ],
        )
        .await;
    let report_page = location(&res);
    assert!(report_page.starts_with("/admin/content/soc2/"), "{report_page}");
    let report_id = report_page.rsplit('/').next().unwrap().to_string();
    assert_eq!(trust_json(&app).await["content"]["soc2"]["audit_firm"], "Calder & Whitlock LLP");
    assert!(sec.get_text("/admin/content").await.1.contains("Not yet published: SOC 2 report."));

    // Bridge letters: dates checked against the report and today.
    let form = |issued: String, until: String| {
        vec![("report_id", report_id.clone()), ("issued_on", issued), ("covered_until", until)]
    };
    for (issued, until, message) in [
        (today.add_months(-5), today.add_days(20), "A bridge letter is issued after the report"),
        (today.add_days(3), today.add_days(20), "The issue date is in the future."),
        (today, today.add_days(-10), "It must cover time after the report"),
        (today, today.add_months(5), "at most 3 months after it is issued"),
    ] {
        let f = form(issued.to_string(), until.to_string());
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        refused(&sec, "/api/save_bridge_letter", &f, &report_page, &[message]).await;
    }
    let covered = today.add_months(2);
    let f = form(today.to_string(), covered.to_string());
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = sec.post_form("/api/save_bridge_letter", &f).await;
    assert_eq!(location(&res), report_page);
    let html = sec.get_text(&report_page).await.1;
    assert!(html.contains("Bridge letter added") && html.contains(&covered.to_string()));

    // A framework: dates in order, evidence required.
    refused(
        &sec,
        "/api/save_framework",
        &[("name", "PCI DSS v4.0"), ("evidence", ""), ("issued_on", "2026-03-01"), ("valid_until", "2025-03-01")],
        "/admin/content/frameworks/new",
        &["Enter the evidence.", "It cannot expire before it was issued."],
    )
    .await;
    let res = sec
        .post_form(
            "/api/save_framework",
            &[
                ("name", "PCI DSS v4.0"),
                ("evidence", "Attestation of Compliance"),
                ("issuer", "Qualified Security Assessor"),
                ("issued_on", &today.add_months(-2).to_string()),
                ("valid_until", &today.add_months(10).to_string()),
                ("description", "Service provider level 2."),
            ],
        )
        .await;
    assert_eq!(location(&res), "/admin/content");

    // One publish: trust.json carries the new report, its bridge letter and the framework.
    let details = publish(&app, &sec).await;
    assert_eq!(details["sections"], serde_json::json!(["SOC 2 report", "bridge letter", "frameworks"]));
    let json = trust_json(&app).await;
    let soc2 = &json["content"]["soc2"];
    assert_eq!(soc2["audit_firm"], "Ledger & Rowe LLP");
    assert_eq!(soc2["opinion"], "qualified");
    assert_eq!(soc2["period"]["end"], end.as_str());
    assert_eq!(soc2["tsc_in_scope"], serde_json::json!(["security", "availability", "privacy"]));
    assert_eq!(soc2["subservice_organizations"][1]["treatment"], "inclusive");
    assert_eq!(soc2["complementary_user_entity_controls"][1], "Customers keep API keys secret.");
    assert_eq!(soc2["document_slug"], "soc2-type-ii-report");
    assert_eq!(json["content"]["bridge_letter"]["covered_until"], covered.to_string());
    assert_eq!(json["soc2_freshness"]["status"], "current");
    let frameworks = json["content"]["frameworks"].as_array().unwrap();
    assert!(frameworks.iter().any(|f| f["name"] == "PCI DSS v4.0" && f["evidence"] == "Attestation of Compliance"));
    let public = app.get_text("/").await.1;
    assert!(public.contains("Ledger &amp; Rowe LLP") && public.contains("PCI DSS v4.0"));

    // The publish proposed draft updates about them for staff to review; nothing was sent.
    let proposed: Vec<(String, String, String)> =
        sqlx::query_as("select kind, title, status from updates where proposed = 1 order by id")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    let titles: Vec<&str> = proposed.iter().map(|(_, t, _)| t.as_str()).collect();
    assert_eq!(titles, ["New SOC 2 Type II report", "New bridge letter", "PCI DSS v4.0: Attestation of Compliance"]);
    assert!(proposed.iter().all(|(kind, _, status)| kind == "report" && status == "draft"));

    // Removing the new report puts the previous one back on the page (after a publish).
    let res = sec
        .post_form(
            "/api/save_report",
            &[
                ("id", &report_id),
                ("report_type", ""),
                ("period_start", ""),
                ("period_end", ""),
                ("audit_firm", ""),
                ("report_date", ""),
                ("delete", "yes"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/admin/content");
    publish(&app, &sec).await;
    assert_eq!(trust_json(&app).await["content"]["soc2"]["audit_firm"], "Calder & Whitlock LLP");
    let (orphans,): (i64,) = sqlx::query_as("select count(*) from bridge_letters where report_id = $1")
        .bind(report_id.parse::<i64>().unwrap())
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(orphans, 0);
}
