//! NDA-gated access end to end: requests, the NDA, rules, sales decisions, grants.
//!
//! The demo's rules: contoso.example auto-approves (once the NDA is accepted), southwind-data.example
//! is denied, fabrikam.example is a customer with an MNDA; anyone else goes to review.

use crate::helpers::{location, spawn_app, Browser, TestApp};
use app::{
    features::accounts::model::StaffRole,
    types::{IsoDate, Timestamp},
};

const SOC2: &str = "soc2-type-ii-report";
const PENTEST: &str = "penetration-test-letter";

pub(crate) async fn ask(browser: &Browser, docs: &[&str]) -> reqwest::Response {
    let mut form: Vec<(String, String)> = vec![
        ("slug".into(), "all".into()),
        ("role".into(), "Vendor risk analyst".into()),
        ("reason".into(), "Security review before purchase".into()),
    ];
    for (i, d) in docs.iter().enumerate() {
        form.push((format!("documents[{i}]"), d.to_string()));
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    browser.post_form("/api/submit_access_request", &pairs).await
}

/// Accepts the NDA as shown on the page.
pub(crate) async fn accept_nda(browser: &Browser, name: &str) -> reqwest::Response {
    let (_, page) = browser.get_text("/nda").await;
    let field = |n: &str| {
        page.split(&format!("name=\"{n}\" value=\""))
            .nth(1)
            .map(|r| r.split('"').next().unwrap().to_string())
            .or_else(|| {
                // attribute order may differ
                let tag = page.split(&format!("name=\"{n}\"")).nth(1)?.split('>').next()?;
                tag.split("value=\"").nth(1).map(|v| v.split('"').next().unwrap().to_string())
            })
            .unwrap_or_else(|| panic!("no {n} on the NDA page"))
    };
    let (version_id, sha) = (field("version_id"), field("sha256"));
    browser
        .post_form(
            "/api/accept_nda",
            &[
                ("version_id", &version_id),
                ("sha256", &sha),
                ("name", name),
                ("title", "Head of Vendor Risk"),
                ("consent", "yes"),
            ],
        )
        .await
}

async fn status_of(app: &TestApp, email: &str) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "select r.status from access_requests r join prospects p on p.id = r.prospect_id where p.email = $1 order by r.id",
    )
    .bind(email)
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    rows.into_iter().map(|(s,)| s).collect()
}

/// (grant id, documents, expires_at, revoked) of the prospect's grants.
async fn grants_of(app: &TestApp, email: &str) -> Vec<(i64, Vec<String>, i64, bool)> {
    let rows: Vec<(i64, i64, Option<i64>)> = sqlx::query_as(
        "select g.id, g.expires_at, g.revoked_at from grants g join prospects p on p.id = g.prospect_id where p.email = $1 order by g.id",
    )
    .bind(email)
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    let mut out = Vec::new();
    for (id, expires, revoked) in rows {
        let docs: Vec<(String,)> = sqlx::query_as(
            "select d.slug from grant_documents gd join documents d on d.id = gd.document_id where gd.grant_id = $1 order by d.slug",
        )
        .bind(id)
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
        out.push((id, docs.into_iter().map(|(s,)| s).collect(), expires, revoked.is_some()));
    }
    out
}

async fn request_id(app: &TestApp, email: &str) -> String {
    let (id,): (i64,) = sqlx::query_as(
        "select r.id from access_requests r join prospects p on p.id = r.prospect_id where p.email = $1 order by r.id desc limit 1",
    )
    .bind(email)
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    id.to_string()
}

#[tokio::test]
async fn an_auto_approve_rule_grants_access_once_the_nda_is_accepted() {
    let app = spawn_app().await;
    let pat = app.prospect_browser("pat@contoso.example").await;
    let res = ask(&pat, &[SOC2]).await;
    assert_eq!(location(&res), "/nda");
    assert_eq!(status_of(&app, "pat@contoso.example").await, ["pending_nda"]);
    assert!(grants_of(&app, "pat@contoso.example").await.is_empty(), "no access before the NDA");

    let (_, nda) = pat.get_text("/nda").await;
    assert!(nda.contains("Mutual Non-Disclosure Agreement for Security Reviews"));
    assert!(nda.contains("<h2>5. Restricted-use reports</h2>"), "the full text, rendered");
    let res = accept_nda(&pat, "Pat Prospect").await;
    assert_eq!(location(&res), "/account");
    assert_eq!(status_of(&app, "pat@contoso.example").await, ["approved"]);
    let grants = grants_of(&app, "pat@contoso.example").await;
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].1, [SOC2]);
    let days = (grants[0].2 - Timestamp::now().0) as f64 / 86_400.0;
    assert!((89.9..=90.1).contains(&days), "default 90 days, got {days}");

    let (_, page) = pat.get_text("/account").await;
    assert!(page.contains("NDA accepted and access granted."));
    assert!(page.contains("SOC 2 Type II Report"));

    let mails = app.wait_for_mails("pat@contoso.example", 3).await;
    let record = mails.iter().find(|m| m.subject.contains("record of the")).expect("NDA record mail");
    let (name, pdf) = &record.attachments[0];
    assert_eq!(name, "nda-v1-record.pdf");
    let doc = lopdf::Document::load_mem(pdf).expect("a PDF record");
    assert!(doc.get_pages().len() >= 2);
    assert!(mails.iter().any(|m| m.subject.contains("approved")));
}

#[tokio::test]
async fn nda_evidence_is_complete_and_can_never_be_deleted_or_rewritten() {
    let app = spawn_app().await;
    let pat = app.prospect_browser("pat@contoso.example").await;
    ask(&pat, &[SOC2]).await;
    accept_nda(&pat, "Pat Prospect").await;
    let row: (i64, String, String, String, String, String, i64, String, String) = sqlx::query_as(
        "select a.nda_version_id, a.text_sha256, a.typed_name, a.typed_title, a.email, a.company, a.accepted_at, a.ip, a.user_agent \
         from nda_acceptances a",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    let (text, title): (String, String) = sqlx::query_as("select body_markdown, title from nda_versions where id = $1")
        .bind(row.0)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(row.1, app::features::nda::server::text_sha256(&title, &text), "the hash of the exact text shown");
    assert_eq!(
        (row.2.as_str(), row.3.as_str(), row.4.as_str(), row.5.as_str()),
        ("Pat Prospect", "Head of Vendor Risk", "pat@contoso.example", "Contoso")
    );
    assert!(row.6 > 0 && row.7 == "127.0.0.1");
    assert!(sqlx::query("delete from nda_acceptances").execute(app.state.db.pool()).await.is_err());
    assert!(sqlx::query("update nda_versions set body_markdown = 'changed'")
        .execute(app.state.db.pool())
        .await
        .is_err());
    assert!(app.audit_events().await.iter().any(|(e, _, who)| e == "nda.accepted" && who == "pat@contoso.example"));
}

#[tokio::test]
async fn an_nda_changed_while_reading_must_be_read_again() {
    let app = spawn_app().await;
    let pat = app.prospect_browser("pat@contoso.example").await;
    ask(&pat, &[SOC2]).await;
    let (_, page) = pat.get_text("/nda").await;
    assert!(page.contains("name=\"sha256\""));
    let res = pat
        .post_form(
            "/api/accept_nda",
            &[("version_id", "1"), ("sha256", &"0".repeat(64)), ("name", "P"), ("title", "T"), ("consent", "yes")],
        )
        .await;
    assert_eq!(location(&res), "/nda");
    assert!(pat.get_text("/nda").await.1.contains("The NDA was updated while you were reading it."));
    // Missing name, title and consent are each explained.
    let res =
        pat.post_form("/api/accept_nda", &[("version_id", "1"), ("sha256", "x"), ("name", ""), ("title", "")]).await;
    assert_eq!(location(&res), "/nda");
    let page = pat.get_text("/nda").await.1;
    assert!(
        page.contains("Enter your full name.") && page.contains("Enter your title.") && page.contains("Tick the box")
    );
    assert_eq!(status_of(&app, "pat@contoso.example").await, ["pending_nda"]);
}

#[tokio::test]
async fn review_then_approval_by_sales_narrows_documents_and_sets_the_expiry() {
    let app = spawn_app().await;
    let sales = app.staff_browser("sol@northwind-analytics.example", &[StaffRole::Sales]).await;
    let ivy = app.prospect_browser("ivy@initech.example").await;
    ask(&ivy, &[SOC2, PENTEST]).await;
    accept_nda(&ivy, "Ivy Initech").await;
    assert_eq!(status_of(&app, "ivy@initech.example").await, ["pending_review"]);
    let (_, page) = ivy.get_text("/account").await;
    assert!(page.contains("Your request is with our team"));

    let sales_mail = app.wait_for_mails("sol@northwind-analytics.example", 1).await;
    let id = request_id(&app, "ivy@initech.example").await;
    assert!(sales_mail[0].text.contains(&format!("/admin/requests/{id}")), "a link straight to the request");
    assert!(sales_mail[0].text.contains("Security review before purchase"));

    let (_, queue) = sales.get_text("/admin/requests").await;
    assert!(queue.contains("Ivy Pat") || queue.contains("ivy@initech.example"));
    let (_, detail) = sales.get_text(&format!("/admin/requests/{id}")).await;
    assert!(detail.contains("Security review before purchase") && detail.contains("Accepted (version 1)"));

    // A refused approval keeps what was ticked and typed next to its message.
    let past = app::types::IsoDate::today_utc().add_days(-3).to_string();
    let refused = [
        ("id", id.as_str()),
        ("decision", "approve"),
        ("documents[0]", PENTEST),
        ("expires_on", past.as_str()),
        ("note", "Only the letter"),
    ];
    assert_eq!(
        location(&sales.post_form("/api/decide_access_request", &refused).await),
        format!("/admin/requests/{id}")
    );
    let (_, detail) = sales.get_text(&format!("/admin/requests/{id}")).await;
    assert!(detail.contains("The access must end after today."), "{detail}");
    assert!(detail.contains(&format!("value=\"{past}\"")), "the typed date stays");
    assert!(detail.contains("Only the letter"), "the note stays");
    let checked = |slug: &str| {
        let at = detail.find(&format!("value=\"{slug}\"")).unwrap();
        detail[at..].split('>').next().unwrap().contains("checked")
    };
    assert!(checked(PENTEST) && !checked(SOC2), "only what was ticked stays ticked");

    let until = app::types::IsoDate::today_utc().add_days(30).to_string();
    let res = sales
        .post_form(
            "/api/decide_access_request",
            &[
                ("id", &id),
                ("decision", "approve"),
                ("documents[0]", SOC2),
                ("expires_on", &until),
                ("note", "Pen test letter on request"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/admin/requests");
    let grants = grants_of(&app, "ivy@initech.example").await;
    assert_eq!(grants[0].1, [SOC2], "narrowed to the SOC 2 report");
    assert_eq!(Timestamp(grants[0].2).date().to_string(), until);
    let mails = app.wait_for_mails("ivy@initech.example", 4).await;
    let approved = mails.iter().find(|m| m.subject.contains("approved")).unwrap();
    assert!(approved.text.contains("Pen test letter on request"));
    // Deciding twice is refused.
    sales.post_form("/api/decide_access_request", &[("id", &id), ("decision", "deny"), ("note", "no")]).await;
    assert!(sales.get_text(&format!("/admin/requests/{id}")).await.1.contains("already been decided"));
    assert!(app
        .audit_events()
        .await
        .iter()
        .any(|(e, _, who)| e == "access.approved" && who == "sol@northwind-analytics.example"));
}

#[tokio::test]
async fn review_then_denial_mails_the_note() {
    let app = spawn_app().await;
    let sales = app.staff_browser("sol@northwind-analytics.example", &[StaffRole::Sales]).await;
    let ivy = app.prospect_browser("ivy@initech.example").await;
    ask(&ivy, &[SOC2]).await;
    accept_nda(&ivy, "Ivy").await;
    let id = request_id(&app, "ivy@initech.example").await;
    sales
        .post_form(
            "/api/decide_access_request",
            &[("id", &id), ("decision", "deny"), ("note", "Please ask your account manager")],
        )
        .await;
    assert_eq!(status_of(&app, "ivy@initech.example").await, ["denied"]);
    assert!(grants_of(&app, "ivy@initech.example").await.is_empty());
    let mails = app.wait_for_mails("ivy@initech.example", 4).await;
    assert!(mails.iter().any(|m| m.text.contains("Please ask your account manager")));
}

#[tokio::test]
async fn a_deny_rule_refuses_at_once_without_an_nda() {
    let app = spawn_app().await;
    let rival = app.prospect_browser("spy@southwind-data.example").await;
    let res = ask(&rival, &[SOC2]).await;
    assert_eq!(location(&res), "/account");
    assert_eq!(status_of(&app, "spy@southwind-data.example").await, ["denied"]);
    let acceptances: (i64,) =
        sqlx::query_as("select count(*) from nda_acceptances").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(acceptances.0, 0);
    app.wait_for_mails("spy@southwind-data.example", 2).await;
}

#[tokio::test]
async fn free_mail_goes_to_review_even_under_a_catch_all_auto_approve_rule() {
    let app = spawn_app().await;
    sqlx::query("insert into access_rules (priority, pattern, action, note, created_at, updated_at) values (99, '*', 'auto_approve', '', 0, 0)")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let free = app.prospect_browser("someone@gmail.com").await;
    ask(&free, &[SOC2]).await;
    accept_nda(&free, "Someone").await;
    assert_eq!(status_of(&app, "someone@gmail.com").await, ["pending_review"]);
    let corp = app.prospect_browser("buyer@umbrella.example").await;
    ask(&corp, &[SOC2]).await;
    accept_nda(&corp, "Buyer").await;
    assert_eq!(status_of(&app, "buyer@umbrella.example").await, ["approved"]);
}

#[tokio::test]
async fn a_personal_address_domain_is_never_a_company_with_an_mnda_or_an_approving_rule() {
    let app = spawn_app().await;
    let sales = app.staff_browser("sol@northwind-analytics.example", &[StaffRole::Sales]).await;
    let admin = app.staff_browser("ada@northwind-analytics.example", &[StaffRole::Admin]).await;
    // The prospect is told at once, from the domain alone.
    let res = app
        .browser()
        .post_form(
            "/api/request_sign_in_link",
            &[("email", "max@mailinator.com"), ("name", "Max"), ("company", "Max Ltd")],
        )
        .await;
    assert_eq!(location(&res), "/sign-in/check-email?personal=1");
    let (_, page) = app.browser().get_text("/sign-in/check-email?personal=1").await;
    assert!(page.contains("You used a personal address"), "{page}");
    let res = app
        .browser()
        .post_form(
            "/api/request_sign_in_link",
            &[("email", "pat@contoso.example"), ("name", "Pat"), ("company", "Contoso")],
        )
        .await;
    assert_eq!(location(&res), "/sign-in/check-email");

    let free = app.prospect_browser("someone@gmail.com").await;
    ask(&free, &[SOC2]).await;
    let (company,): (i64,) = sqlx::query_as("select id from companies where domain = 'gmail.com'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let (_, page) = sales.get_text("/admin/companies").await;
    assert!(page.contains("never a customer with an MNDA"), "the page does not offer it");
    let until = app::types::IsoDate::today_utc().add_months(12).to_string();
    let res = sales
        .post_form(
            "/api/update_company",
            &[("id", &company.to_string()), ("name", "Gmail"), ("is_customer", "yes"), ("mnda_expires_on", &until)],
        )
        .await;
    assert_eq!(location(&res), "/admin/companies");
    let (_, page) = sales.get_text("/admin/companies").await;
    assert!(page.contains("gmail.com is a free-mail or disposable address provider"), "{page}");
    let (customer,): (i64,) = sqlx::query_as("select is_customer from companies where id = $1")
        .bind(company)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(customer, 0, "nothing stored");
    // Even a row written before this rule covers no one.
    sqlx::query("update companies set is_customer = 1, mnda_expires_on = $1 where id = $2")
        .bind(&until)
        .bind(company)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let other = app.prospect_browser("another@gmail.com").await;
    assert_eq!(location(&ask(&other, &[SOC2]).await), "/nda", "each individual accepts the NDA");

    // No rule approves a personal domain, by name or by suffix; a deny rule is allowed.
    for pattern in ["gmail.com", "*.gmail.com", "mailinator.com"] {
        admin.post_form("/api/save_rule", &[("priority", "1"), ("pattern", pattern), ("action", "auto_approve")]).await;
        let (_, page) = admin.get_text("/admin/rules").await;
        assert!(page.contains("is a free-mail or disposable address provider"), "{pattern}");
    }
    let (rules,): (i64,) =
        sqlx::query_as("select count(*) from access_rules where pattern like '%gmail%' or pattern like '%mailinator%'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(rules, 0);
    let res = admin
        .post_form("/api/save_rule", &[("priority", "1"), ("pattern", "mailinator.com"), ("action", "deny")])
        .await;
    assert_eq!(location(&res), "/admin/rules");
    // A rule stored before is not obeyed either.
    sqlx::query("insert into access_rules (priority, pattern, action, note, created_at, updated_at) values (0, 'gmail.com', 'auto_approve', '', 0, 0)")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let third = app.prospect_browser("third@gmail.com").await;
    ask(&third, &[SOC2]).await;
    accept_nda(&third, "Third").await;
    assert_eq!(status_of(&app, "third@gmail.com").await, ["pending_review"]);
}

#[tokio::test]
async fn a_customer_with_an_mnda_skips_the_nda_until_it_expires() {
    let app = spawn_app().await;
    let sales = app.staff_browser("sol@northwind-analytics.example", &[StaffRole::Sales]).await;
    let fab = app.prospect_browser("fay@fabrikam.example").await;
    let res = ask(&fab, &[SOC2]).await;
    assert_eq!(location(&res), "/account", "no NDA step");
    assert_eq!(status_of(&app, "fay@fabrikam.example").await, ["pending_review"]);
    let id = request_id(&app, "fay@fabrikam.example").await;
    let (_, detail) = sales.get_text(&format!("/admin/requests/{id}")).await;
    assert!(detail.contains("Covered by the company&#x27;s MNDA") || detail.contains("Covered by the company's MNDA"));

    // The MNDA lapses: the click-through NDA is needed again.
    let (company,): (i64,) = sqlx::query_as("select id from companies where domain = 'fabrikam.example'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let yesterday = app::types::IsoDate::today_utc().add_days(-1).to_string();
    sales
        .post_form(
            "/api/update_company",
            &[
                ("id", &company.to_string()),
                ("name", "Fabrikam, Inc."),
                ("is_customer", "yes"),
                ("mnda_expires_on", &yesterday),
            ],
        )
        .await;
    let res = ask(&fab, &[PENTEST]).await;
    assert_eq!(location(&res), "/nda");
    assert_eq!(status_of(&app, "fay@fabrikam.example").await, ["pending_review", "pending_nda"]);
    assert!(app.audit_events().await.iter().any(|(e, _, _)| e == "company.updated"));
}

#[tokio::test]
async fn a_new_nda_version_must_be_accepted_again() {
    let app = spawn_app().await;
    let admin = app.staff_browser("ada@northwind-analytics.example", &[StaffRole::Admin]).await;
    let pat = app.prospect_browser("pat@contoso.example").await;
    ask(&pat, &[SOC2]).await;
    accept_nda(&pat, "Pat").await;
    assert!(pat.get_text("/account").await.1.contains("Accepted (version 1)"));

    let body =
        "# Updated terms\n\nThe parties agree to keep each other's security documentation confidential for five years.";
    let res = admin.post_form("/api/save_nda_draft", &[("title", "Mutual NDA 2027"), ("body", body)]).await;
    let draft = location(&res);
    assert!(draft.starts_with("/admin/nda/"), "{draft}");
    let id = draft.trim_start_matches("/admin/nda/").to_string();
    // Drafts are not yet in force.
    assert!(pat.get_text("/account").await.1.contains("Accepted (version 1)"));
    admin.post_form("/api/publish_nda", &[("id", &id)]).await;
    let page = pat.get_text("/account").await.1;
    assert!(page.contains("Not yet accepted (version 2 is current)"));
    assert!(page.contains("superseded"), "the old acceptance is kept, marked superseded");
    assert_eq!(location(&ask(&pat, &[PENTEST]).await), "/nda");
    assert!(pat.get_text("/nda").await.1.contains("Updated terms"));
    accept_nda(&pat, "Pat").await;
    assert_eq!(status_of(&app, "pat@contoso.example").await, ["approved", "approved"]);
    // A published version cannot be edited.
    admin.post_form("/api/save_nda_draft", &[("id", &id), ("title", "Changed"), ("body", body)]).await;
    assert!(admin.get_text(&format!("/admin/nda/{id}")).await.1.contains("Published versions cannot be edited"));
    let events = app.audit_events().await;
    assert!(events.iter().any(|(e, _, _)| e == "nda.published"));
}

#[tokio::test]
async fn sales_revoke_a_grant_and_it_ends_at_once() {
    let app = spawn_app().await;
    let sales = app.staff_browser("sol@northwind-analytics.example", &[StaffRole::Sales]).await;
    let pat = app.prospect_browser("pat@contoso.example").await;
    ask(&pat, &[SOC2]).await;
    accept_nda(&pat, "Pat").await;
    let grant = grants_of(&app, "pat@contoso.example").await[0].0;
    assert!(pat.get_text("/account").await.1.contains("badge-good\">Active"));
    // Without a reason and a confirmation nothing happens, and the typed reason is kept.
    let res = sales.post_form("/api/revoke_grant", &[("grant_id", &grant.to_string()), ("note", "Deal lost")]).await;
    assert!(!grants_of(&app, "pat@contoso.example").await[0].3, "not confirmed: still active");
    let (_, page) = sales.get_text(&location(&res)).await;
    assert!(page.contains("Tick the box to confirm") && page.contains("value=\"Deal lost\""), "{page}");
    let res = sales.post_form("/api/revoke_grant", &[("grant_id", &grant.to_string()), ("confirm", "yes")]).await;
    assert!(sales.get_text(&location(&res)).await.1.contains("Give the reason"));
    assert!(!grants_of(&app, "pat@contoso.example").await[0].3, "no reason: still active");
    sales
        .post_form("/api/revoke_grant", &[("grant_id", &grant.to_string()), ("note", "Deal lost"), ("confirm", "yes")])
        .await;
    assert!(grants_of(&app, "pat@contoso.example").await[0].3);
    assert!(pat.get_text("/account").await.1.contains("Revoked"));
    let prospect_id: (i64,) = sqlx::query_as("select id from prospects where email = 'pat@contoso.example'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert!(app::features::access::server::grants::granted_document_ids(&app.state.db, prospect_id.0)
        .await
        .unwrap()
        .is_empty());
    let mails = app.wait_for_mails("pat@contoso.example", 4).await;
    assert!(mails.iter().any(|m| m.subject.contains("has ended") && m.text.contains("Deal lost")));
    assert!(app.audit_events().await.iter().any(|(e, _, _)| e == "access.revoked"));
}

#[tokio::test]
async fn grants_expire_on_their_own_and_can_be_extended() {
    let app = spawn_app().await;
    let sales = app.staff_browser("sol@northwind-analytics.example", &[StaffRole::Sales]).await;
    let pat = app.prospect_browser("pat@contoso.example").await;
    ask(&pat, &[SOC2]).await;
    accept_nda(&pat, "Pat").await;
    let grant = grants_of(&app, "pat@contoso.example").await[0].0;

    // A week before the end, a reminder with a way to extend.
    sqlx::query("update grants set expires_at = $1")
        .bind(Timestamp::now().0 + 3 * 86_400)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(app::features::access::server::grants::send_expiry_reminders(&app.state).await.unwrap(), 1);
    assert_eq!(app::features::access::server::grants::send_expiry_reminders(&app.state).await.unwrap(), 0, "once");
    let mails = app.wait_for_mails("pat@contoso.example", 4).await;
    assert!(mails.iter().any(|m| m.subject.contains("ends on") && m.text.contains("/account")));

    // It lapses.
    sqlx::query("update grants set expires_at = $1")
        .bind(Timestamp::now().0 - 1)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let prospect_id: (i64,) = sqlx::query_as("select id from prospects where email = 'pat@contoso.example'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert!(app::features::access::server::grants::granted_document_ids(&app.state.db, prospect_id.0)
        .await
        .unwrap()
        .is_empty());
    assert!(pat.get_text("/account").await.1.contains("Expired"));

    // The prospect asks for more time; it returns to the queue; sales approve a new period.
    let res = pat.post_form("/api/request_extension", &[("grant_id", &grant.to_string())]).await;
    assert_eq!(location(&res), "/account");
    assert!(pat.get_text("/account").await.1.contains("Extension requested"));
    assert_eq!(status_of(&app, "pat@contoso.example").await, ["approved", "pending_review"]);
    pat.post_form("/api/request_extension", &[("grant_id", &grant.to_string())]).await;
    assert!(pat.get_text("/account").await.1.contains("already waiting"), "one extension at a time");
    let id = request_id(&app, "pat@contoso.example").await;
    let until = app::types::IsoDate::today_utc().add_days(60).to_string();
    sales
        .post_form(
            "/api/decide_access_request",
            &[("id", &id), ("decision", "approve"), ("documents[0]", SOC2), ("expires_on", &until)],
        )
        .await;
    let grants = grants_of(&app, "pat@contoso.example").await;
    assert_eq!(grants.len(), 2);
    assert!(grants[1].2 > Timestamp::now().0);
}

#[tokio::test]
async fn a_prospect_sees_only_their_own_requests_and_cannot_touch_others() {
    let app = spawn_app().await;
    let pat = app.prospect_browser("pat@contoso.example").await;
    ask(&pat, &[SOC2]).await;
    accept_nda(&pat, "Pat").await;
    let pat_grant = grants_of(&app, "pat@contoso.example").await[0].0;
    let ivy = app.prospect_browser("ivy@initech.example").await;
    let page = ivy.get_text("/account").await.1;
    assert!(!page.contains("pat@contoso.example") && !page.contains("Contoso"));
    let res = ivy.post_form("/api/request_extension", &[("grant_id", &pat_grant.to_string())]).await;
    assert_eq!(location(&res), "/account");
    assert!(ivy.get_text("/account").await.1.contains("We could not find that."));
    assert_eq!(status_of(&app, "ivy@initech.example").await, Vec::<String>::new());
    // Staff data is out of reach.
    assert_eq!(ivy.get("/admin/requests").await.status().as_u16(), 303);
    assert_eq!(ivy.post_form("/api/access_queue", &[]).await.status().as_u16(), 401);
}

#[tokio::test]
async fn bad_requests_are_explained_and_nothing_is_filed() {
    let app = spawn_app().await;
    let pat = app.prospect_browser("pat@contoso.example").await;
    let res = pat.post_form("/api/submit_access_request", &[("slug", SOC2), ("role", ""), ("reason", "")]).await;
    assert_eq!(location(&res), format!("/documents/{SOC2}/request"));
    let page = pat.get_text(&format!("/documents/{SOC2}/request")).await.1;
    assert!(
        page.contains("Choose at least one document.")
            && page.contains("Enter your role.")
            && page.contains("Enter your reason.")
    );
    // A public document cannot be "requested".
    ask(&pat, &["soc3-report"]).await;
    assert!(pat.get_text("/documents/all/request").await.1.contains("is not a restricted document"));
    assert!(status_of(&app, "pat@contoso.example").await.is_empty());
}

#[tokio::test]
async fn admins_change_rules_and_every_change_is_logged() {
    let app = spawn_app().await;
    let admin = app.staff_browser("ada@northwind-analytics.example", &[StaffRole::Admin]).await;
    let res = admin
        .post_form(
            "/api/save_rule",
            &[("priority", "5"), ("pattern", "*.initech.example"), ("action", "deny"), ("note", "Blocked")],
        )
        .await;
    assert_eq!(location(&res), "/admin/rules");
    let bad =
        admin.post_form("/api/save_rule", &[("priority", "x"), ("pattern", "not a domain"), ("action", "deny")]).await;
    assert_eq!(location(&bad), "/admin/rules");
    let page = admin.get_text("/admin/rules").await.1;
    assert!(page.contains("is not a domain pattern") && page.contains("A whole number"));
    let ivy = app.prospect_browser("ivy@initech.example").await;
    ask(&ivy, &[SOC2]).await;
    assert_eq!(status_of(&app, "ivy@initech.example").await, ["denied"]);
    let (id,): (i64,) = sqlx::query_as("select id from access_rules where pattern = '*.initech.example'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    admin.post_form("/api/save_rule", &[("id", &id.to_string()), ("delete", "yes")]).await;
    admin.post_form("/api/set_default_access_days", &[("default_access_days", "30")]).await;
    let events: Vec<String> = app.audit_events().await.into_iter().map(|(e, _, _)| e).collect();
    for e in ["access_rule.created", "access_rule.deleted", "access_settings.changed"] {
        assert!(events.contains(&e.to_string()), "{e} logged");
    }
    // Domain rules are sales' (admins hold every role); security staff may not change them.
    let security = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    assert_eq!(
        security
            .post_form("/api/save_rule", &[("priority", "1"), ("pattern", "*"), ("action", "auto_approve")])
            .await
            .status()
            .as_u16(),
        403
    );
}

async fn upload(browser: &Browser, fields: &[(&str, &str)], file: (&str, Vec<u8>)) -> reqwest::Response {
    browser.post_multipart("/admin/documents/upload", fields, file).await
}

#[tokio::test]
async fn a_pdf_that_cannot_be_stamped_is_refused_at_upload_with_the_reason() {
    use lopdf::{dictionary, Document, Object, StringFormat};
    let app = spawn_app().await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    let plain =
        app::ssr::pdf::TextDocument { title: "Pen test".into(), subtitle: None, blocks: vec![], footer: "x".into() }
            .render()
            .unwrap();
    // The same file, protected the way PDF writers do it (an /Encrypt dictionary whose password
    // is not the empty one).
    let mut doc = Document::load_mem(&plain).unwrap();
    let bytes = |b: u8| Object::String(vec![b; 32], StringFormat::Hexadecimal);
    let encrypt = doc.add_object(dictionary! {
        "Filter" => "Standard", "V" => 1, "R" => 2, "O" => bytes(0x41), "U" => bytes(0x42), "P" => -44,
    });
    doc.trailer.set("Encrypt", encrypt);
    doc.trailer.set("ID", vec![bytes(0x43), bytes(0x43)]);
    let mut protected = Vec::new();
    doc.save_to(&mut protected).unwrap();
    upload(
        &sec,
        &[("title", "Pen test"), ("slug", "pentest-2027"), ("kind", "other"), ("visibility", "restricted")],
        ("pentest.pdf", protected),
    )
    .await;
    let (_, page) = sec.get_text("/admin/documents").await;
    assert!(page.contains("This PDF is encrypted"), "{page}");
    let (n,): (i64,) = sqlx::query_as("select count(*) from documents where slug = 'pentest-2027'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0, "nothing stored");
    // The unprotected file goes in.
    let res = upload(
        &sec,
        &[("title", "Pen test"), ("slug", "pentest-2027"), ("kind", "other"), ("visibility", "restricted")],
        ("pentest.pdf", plain),
    )
    .await;
    assert_eq!(location(&res), "/admin/documents");
    assert!(sec.get_text("/admin/documents").await.1.contains("“Pen test” added."));
}

#[tokio::test]
async fn security_staff_upload_pdfs_and_new_versions() {
    let app = spawn_app().await;
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    let pdf = app::ssr::pdf::TextDocument {
        title: "HIPAA letter".into(),
        subtitle: None,
        blocks: vec![],
        footer: "x".into(),
    }
    .render()
    .unwrap();
    let res = upload(
        &sec,
        &[
            ("title", "HIPAA attestation"),
            ("slug", "hipaa-letter"),
            ("kind", "other"),
            ("visibility", "restricted"),
            ("description", "BAA available"),
        ],
        ("hipaa.pdf", pdf.clone()),
    )
    .await;
    assert_eq!(location(&res), "/admin/documents");
    assert!(sec.get_text("/admin/documents").await.1.contains("“HIPAA attestation” added."));
    assert!(app.get_text("/").await.1.contains("HIPAA attestation"), "the public list follows the records");

    // Not a PDF: refused, nothing stored.
    upload(
        &sec,
        &[("title", "Notes"), ("slug", "notes"), ("kind", "other"), ("visibility", "public")],
        ("notes.pdf", b"just text".to_vec()),
    )
    .await;
    assert!(sec.get_text("/admin/documents").await.1.contains("not a PDF we can read"));
    let (n,): (i64,) = sqlx::query_as("select count(*) from documents where slug = 'notes'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
    // Too large: refused.
    let mut big = b"%PDF-1.5\n".to_vec();
    big.resize(51 * 1024 * 1024, b' ');
    upload(
        &sec,
        &[("title", "Big"), ("slug", "big-file"), ("kind", "other"), ("visibility", "public")],
        ("big.pdf", big),
    )
    .await;
    assert!(sec.get_text("/admin/documents").await.1.contains("larger than 50 MB"));

    // A new version becomes current; the old one is kept with its hash.
    let (id,): (i64,) = sqlx::query_as("select id from documents where slug = 'hipaa-letter'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let v2 = app::ssr::pdf::TextDocument {
        title: "HIPAA letter v2".into(),
        subtitle: None,
        blocks: vec![],
        footer: "y".into(),
    }
    .render()
    .unwrap();
    upload(&sec, &[("document_id", &id.to_string())], ("hipaa-2.pdf", v2.clone())).await;
    let versions: Vec<(i64, String)> =
        sqlx::query_as("select version, sha256 from document_versions where document_id = $1 order by version")
            .bind(id)
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0].1, app::ssr::storage::sha256_hex(&pdf));
    assert_eq!(versions[1].1, app::ssr::storage::sha256_hex(&v2));
    assert_eq!(
        app::features::documents::server::current_version(&app.state.db, "hipaa-letter")
            .await
            .unwrap()
            .document
            .version,
        2
    );
    // Sales cannot upload.
    let sales = app.staff_browser("sol@northwind-analytics.example", &[StaffRole::Sales]).await;
    assert_eq!(upload(&sales, &[("document_id", &id.to_string())], ("x.pdf", v2)).await.status().as_u16(), 403);
    let events: Vec<String> = app.audit_events().await.into_iter().map(|(e, _, _)| e).collect();
    assert!(events.contains(&"document.created".to_string()) && events.contains(&"document.version_added".to_string()));
}

#[tokio::test]
async fn the_request_page_offers_sign_in_to_visitors_and_the_form_to_prospects() {
    let app = spawn_app().await;
    let visitor = app.browser();
    let (status, page) = visitor.get_text(&format!("/documents/{SOC2}/request")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Continue with your work e-mail"));
    assert!(page.contains(&format!("/sign-in?next=/documents/{SOC2}/request")));
    let pat = app.prospect_browser("pat@contoso.example").await;
    let page = pat.get_text(&format!("/documents/{SOC2}/request")).await.1;
    assert!(page.contains("name=\"role\"") && page.contains("Request access</button>"));
    // The examples never cast the prospect's own company as the vendor under review.
    for placeholder in page.split("placeholder=\"").skip(1).map(|rest| rest.split('"').next().unwrap()) {
        assert!(!placeholder.contains("Contoso"), "{placeholder}");
    }
}

#[tokio::test]
async fn sales_extend_a_grant_to_a_later_day_and_the_prospect_is_told() {
    let app = spawn_app().await;
    let sales = app.staff_browser("sol@northwind-analytics.example", &[StaffRole::Sales]).await;
    let pat = app.prospect_browser("pat@contoso.example").await;
    ask(&pat, &[SOC2]).await;
    accept_nda(&pat, "Pat").await;
    let (grant, _, ends, _) = grants_of(&app, "pat@contoso.example").await.remove(0);
    let grant = grant.to_string();
    let extend = |until: String| {
        let sales = &sales;
        let grant = grant.clone();
        async move { sales.post_form("/api/extend_grant", &[("grant_id", grant.as_str()), ("until", until.as_str())]).await }
    };
    // An earlier day, today, or nonsense: refused with the reason, the typed date kept, nothing changed.
    let today = IsoDate::today_utc();
    let res = extend(today.to_string()).await;
    let (_, page) = sales.get_text(&location(&res)).await;
    assert!(page.contains("Choose a day after today.") && page.contains(&format!("value=\"{today}\"")), "{page}");
    let earlier = Timestamp(ends).date().add_days(-1);
    let res = extend(earlier.to_string()).await;
    assert!(sales.get_text(&location(&res)).await.1.contains("To end access sooner, revoke it."));
    let res = extend("2026-02-31".into()).await;
    assert_eq!(sales.get(&location(&res)).await.status(), 200);
    assert_eq!(grants_of(&app, "pat@contoso.example").await[0].2, ends, "unchanged");

    let later = Timestamp(ends).date().add_days(45);
    let res = extend(later.to_string()).await;
    assert!(sales.get_text(&location(&res)).await.1.contains("Access extended"));
    let now_ends = grants_of(&app, "pat@contoso.example").await[0].2;
    assert_eq!(Timestamp(now_ends).date(), later);
    let mails = app.wait_for_mails("pat@contoso.example", 4).await;
    assert!(mails.iter().any(|m| m.subject.contains("now runs until") && m.text.contains(&later.long())));
    assert!(app.audit_events().await.iter().any(|(e, _, _)| e == "access.extended"));

    // A revoked grant stays revoked.
    sales
        .post_form("/api/revoke_grant", &[("grant_id", grant.as_str()), ("note", "Deal lost"), ("confirm", "yes")])
        .await;
    let res = extend(later.add_days(10).to_string()).await;
    assert!(sales.get_text(&location(&res)).await.1.contains("was revoked"));
    assert_eq!(grants_of(&app, "pat@contoso.example").await[0].2, now_ends);
}
