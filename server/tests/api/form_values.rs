//! Every staff form keeps what was typed next to its message when it is refused: a person fixes
//! the one wrong field instead of typing the form again.

use crate::helpers::{location, spawn_app, Browser};
use app::features::accounts::model::StaffRole;

/// Posts `form` to `path`, follows the redirect and returns the page it lands on.
async fn refused(browser: &Browser, path: &str, form: &[(&str, &str)]) -> String {
    let res = browser.post_form(path, form).await;
    let to = location(&res);
    assert!(!to.is_empty(), "{path}: a redirect back to the form, got {}", res.status());
    browser.get_text(&to).await.1
}

fn has_all(page: &str, wanted: &[&str], form: &str) {
    for w in wanted {
        assert!(page.contains(w), "{form}: the page keeps {w:?}");
    }
}

#[tokio::test]
async fn sales_forms_keep_what_was_typed_after_a_refusal() {
    let app = spawn_app().await;
    let sales = app.staff_browser("sol@northwind-analytics.example", &[StaffRole::Sales]).await;
    let pat = app.prospect_browser("pat@fresh-buyer.example").await;
    pat.post_form(
        "/api/submit_access_request",
        &[
            ("slug", "soc2-type-ii-report"),
            ("documents[0]", "soc2-type-ii-report"),
            ("role", "CISO"),
            ("reason", "Vendor review"),
        ],
    )
    .await;
    let (company,): (i64,) = sqlx::query_as("select id from companies where domain = 'fresh-buyer.example'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let id = company.to_string();

    // A company: the new name and the customer tick survive a bad MNDA date.
    let page = refused(
        &sales,
        "/api/update_company",
        &[("id", &id), ("name", "Fresh Buyer Holdings"), ("is_customer", "yes"), ("mnda_expires_on", "2027-02-30")],
    )
    .await;
    has_all(&page, &["value=\"Fresh Buyer Holdings\"", "value=\"2027-02-30\""], "company");
    let row = page.split("data-test-company=\"fresh-buyer.example\"").nth(1).unwrap().split("</tr>").next().unwrap();
    assert!(row.contains("checked") && row.contains("class=\"field-error\""), "{row}");
    let (name,): (String,) = sqlx::query_as("select name from companies where id = $1")
        .bind(company)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_ne!(name, "Fresh Buyer Holdings", "nothing saved");

    // The default access period.
    let page = refused(&sales, "/api/set_default_access_days", &[("default_access_days", "9999")]).await;
    has_all(&page, &["value=\"9999\"", "A number of days from 1 to 730."], "default days");

    // A rule.
    let page = refused(
        &sales,
        "/api/save_rule",
        &[("priority", "15"), ("pattern", "not a domain!"), ("action", "auto_approve"), ("note", "Partners")],
    )
    .await;
    has_all(&page, &["value=\"15\"", "value=\"not a domain!\"", "value=\"Partners\""], "rule");
}

#[tokio::test]
async fn security_and_admin_forms_keep_what_was_typed_after_a_refusal() {
    let app = spawn_app().await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;

    // A document's details: an empty title is refused, the typed description kept on its card.
    let (doc,): (i64,) = sqlx::query_as("select id from documents where slug = 'soc2-type-ii-report'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let page = refused(
        &sec,
        "/api/update_document",
        &[("id", &doc.to_string()), ("title", ""), ("visibility", "public"), ("description", "Typed & kept")],
    )
    .await;
    let card = page.split("data-test-doc=\"soc2-type-ii-report\"").nth(1).unwrap().split("</article>").next().unwrap();
    assert!(card.contains("Typed &amp; kept") && card.contains("class=\"field-error\""), "{card}");
    assert!(card.contains("<details open"), "the card's edit form is open");

    // A new document without a file: title, address and description come back.
    let res = sec
        .post_file(
            app::paths::DOCUMENT_UPLOAD,
            "other",
            &[
                ("title", "Pen test 2027"),
                ("slug", "pentest-2027"),
                ("kind", "pentest"),
                ("visibility", "restricted"),
                ("description", "Summary"),
            ],
            ("x.txt", b"not a file field".to_vec()),
        )
        .await;
    let (_, page) = sec.get_text(&location(&res)).await;
    has_all(&page, &["value=\"Pen test 2027\"", "value=\"pentest-2027\"", ">Summary</textarea>"], "upload");

    // An update, an NDA draft and a knowledge-base entry.
    let page =
        refused(&sec, "/api/save_update", &[("kind", "nonsense"), ("title", "Kept title"), ("body", "Kept body")])
            .await;
    has_all(&page, &["value=\"Kept title\"", "Kept body"], "update");
    let page = refused(&sec, "/api/save_nda_draft", &[("title", ""), ("body", "Kept NDA text")]).await;
    has_all(&page, &["Kept NDA text"], "NDA draft");

    let admin = app.staff_browser("ada@northwind-analytics.example", &[StaffRole::Admin]).await;
    let page = refused(
        &admin,
        "/api/invite_staff",
        &[("email", "not-an-address"), ("name", "Kept Name"), ("roles[0]", "sales")],
    )
    .await;
    has_all(&page, &["value=\"not-an-address\"", "value=\"Kept Name\""], "invitation");
}
