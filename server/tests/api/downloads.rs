//! Stamped downloads, signed links, leak tracing, and the tamper-evident access log.

use crate::helpers::{location, spawn_app, Browser, TestApp};
use app::{
    features::{
        accounts::model::StaffRole,
        downloads::link::{self, Claims},
    },
    ssr::storage::sha256_hex,
    types::Timestamp,
};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};

const SOC2: &str = "soc2-type-ii-report";

/// A prospect of contoso.example (auto-approved once the NDA is accepted) with a grant.
async fn approved_prospect(app: &TestApp, email: &str) -> Browser {
    let browser = app.prospect_browser(email).await;
    browser
        .post_form(
            "/api/submit_access_request",
            &[("slug", SOC2), ("documents[0]", SOC2), ("role", "Analyst"), ("reason", "Vendor review")],
        )
        .await;
    let (_, page) = browser.get_text("/nda").await;
    let value = |name: &str| {
        let tag = page.split(&format!("name=\"{name}\"")).nth(1).unwrap().split('>').next().unwrap();
        tag.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
    };
    let (version, sha) = (value("version_id"), value("sha256"));
    let res = browser
        .post_form(
            "/api/accept_nda",
            &[
                ("version_id", &version),
                ("sha256", &sha),
                ("name", "Pat Prospect"),
                ("title", "Analyst"),
                ("consent", "yes"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/account");
    browser
}

/// Posts to /documents/{slug}/get (the download button) and returns the signed link.
async fn link_for(browser: &Browser, slug: &str) -> String {
    let res = browser.post_form(&format!("/documents/{slug}/get"), &[]).await;
    let to = location(&res);
    assert!(to.starts_with("/download/"), "expected a signed link, got {} {to}", res.status());
    to
}

async fn refusals(app: &TestApp) -> Vec<String> {
    let rows: Vec<(String,)> =
        sqlx::query_as("select details from access_log where event = 'download.refused' order by seq")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    rows.into_iter().map(|(d,)| d).collect()
}

#[tokio::test]
async fn an_approved_prospect_gets_a_stamped_copy_logged_before_it_is_sent() {
    let app = spawn_app().await;
    let pat = approved_prospect(&app, "pat@contoso.example").await;
    let link = link_for(&pat, SOC2).await;
    let res = pat.get(&link).await;
    assert_eq!(res.status().as_u16(), 200);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["content-disposition"], "attachment; filename=\"soc2-type-ii-report.pdf\"");
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["x-content-type-options"], "nosniff");
    let body = res.bytes().await.unwrap();

    let doc = lopdf::Document::load_mem(&body).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let (download_id, status, delivered, size): (String, String, String, i64) = loop {
        let row: (String, String, String, i64) =
            sqlx::query_as("select id, status, delivered_sha256, byte_size from downloads")
                .fetch_one(app.state.db.pool())
                .await
                .unwrap();
        if row.1 != "started" {
            break row;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    for page in &pages {
        let text = doc.extract_text(&[*page]).unwrap();
        assert!(text.contains(&format!("Download ID {download_id}")), "page {page} is stamped");
        assert!(text.contains("pat@contoso.example") && text.contains("Contoso") && text.contains("Pat Prospect"));
        assert!(text.contains(&Timestamp::now().date().to_string()), "UTC date");
    }
    assert_eq!(status, "completed");
    assert_eq!(delivered, sha256_hex(&body), "the hash of the exact bytes delivered");
    assert_eq!(size as usize, body.len());

    let events: Vec<String> = app.audit_events().await.into_iter().map(|(e, _, _)| e).collect();
    let pos = |e: &str| events.iter().position(|x| x == e).unwrap_or_else(|| panic!("{e} not logged"));
    assert!(
        pos("download.link_issued") < pos("download.started") && pos("download.started") < pos("download.completed")
    );
    let receipts = app.wait_for_mails("pat@contoso.example", 4).await;
    let receipt = receipts.iter().find(|m| m.subject.contains("Receipt")).expect("a receipt");
    assert!(receipt.text.contains(&download_id) && receipt.text.contains("SOC 2 Type II Report"));
    let (contact,): (String,) = sqlx::query_as("select security_contact_email from company_profile")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert!(contact.contains('@'));
    assert!(
        receipt.text.contains(&format!("Tell us at once: {contact}")),
        "a real address to report to: {}",
        receipt.text
    );
    assert!(!receipt.text.contains("replying"), "nobody reads the sender's mailbox");
    // The prospect's page lists it.
    assert!(pat.get_text("/account").await.1.contains(&download_id));
}

#[tokio::test]
async fn a_link_works_once() {
    let app = spawn_app().await;
    let pat = approved_prospect(&app, "pat@contoso.example").await;
    let link = link_for(&pat, SOC2).await;
    assert_eq!(pat.get(&link).await.status().as_u16(), 200);
    let again = pat.get(&link).await;
    assert_eq!(location(&again), "/account");
    assert!(pat.get_text("/account").await.1.contains("expired or was already used"));
    assert!(refusals(&app).await.iter().any(|r| r.contains("already used")));
}

fn claims_for(app: &TestApp, prospect: i64, now: i64) -> Claims {
    Claims {
        iss: app.state.config.base_url.as_str().into(),
        aud: link::AUDIENCE.into(),
        sub: prospect.to_string(),
        iat: now,
        exp: now + 60,
        jti: "forged".into(),
        grant: 1,
        document: 1,
        version: 1,
    }
}

async fn prospect_id(app: &TestApp, email: &str) -> i64 {
    sqlx::query_as::<_, (i64,)>("select id from prospects where email = $1")
        .bind(email)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
        .0
}

/// A 2048-bit RSA key, only for forging an RS256 token in this test.
const TEST_RSA_KEY: &str = include_str!("test_rsa_key.pem");

#[tokio::test]
async fn expired_tampered_and_forged_links_are_refused_and_logged() {
    let app = spawn_app().await;
    let pat = approved_prospect(&app, "pat@contoso.example").await;
    let id = prospect_id(&app, "pat@contoso.example").await;
    let now = Timestamp::now().0;

    // Expired (signed with the real key).
    let mut expired = claims_for(&app, id, now - 400);
    expired.exp = now - 100;
    let token = link::sign(&app.state.link_key, &expired).unwrap();
    assert_eq!(location(&pat.get(&format!("/download/{token}")).await), "/account");

    // A flipped byte in a real link.
    let real = link_for(&pat, SOC2).await;
    let mut bytes = real.into_bytes();
    let i = bytes.len() - 10;
    bytes[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
    assert_eq!(location(&pat.get(std::str::from_utf8(&bytes).unwrap()).await), "/account");

    // alg "none": header and claims, no signature.
    use base64::Engine;
    let b64 = |v: &serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let none = format!(
        "{}.{}.",
        b64(&serde_json::json!({"alg": "none", "typ": "JWT"})),
        b64(&serde_json::to_value(claims_for(&app, id, now)).unwrap())
    );
    assert_eq!(location(&pat.get(&format!("/download/{none}")).await), "/account");

    // RS256 (an attacker's key) and HS512 (the right key, wrong algorithm).
    let rs = encode(
        &Header::new(Algorithm::RS256),
        &claims_for(&app, id, now),
        &EncodingKey::from_rsa_pem(TEST_RSA_KEY.as_bytes()).unwrap(),
    )
    .unwrap();
    assert_eq!(location(&pat.get(&format!("/download/{rs}")).await), "/account");
    let hs512 = encode(
        &Header::new(Algorithm::HS512),
        &claims_for(&app, id, now),
        &EncodingKey::from_secret(&app.state.link_key.0),
    )
    .unwrap();
    assert_eq!(location(&pat.get(&format!("/download/{hs512}")).await), "/account");

    // Wrong audience.
    let mut other = claims_for(&app, id, now);
    other.aud = "somewhere-else".into();
    let token = link::sign(&app.state.link_key, &other).unwrap();
    assert_eq!(location(&pat.get(&format!("/download/{token}")).await), "/account");

    // The first refusal from this source is written at once; the rest are counted into one
    // row per source and window (anyone can become a prospect and send junk links).
    app.state.refusals.flush(&app.state.db, true).await.unwrap();
    let logged = refusals(&app).await;
    assert!(logged.iter().any(|r| r.contains("expired")), "{logged:?}");
    assert!(logged.iter().any(|r| r.contains("\"repeated\":5") && r.contains("pat@contoso.example")), "{logged:?}");
    let (n,): (i64,) = sqlx::query_as("select count(*) from downloads").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(n, 0, "nothing was delivered");
}

#[tokio::test]
async fn a_link_is_useless_in_another_persons_session() {
    let app = spawn_app().await;
    let pat = approved_prospect(&app, "pat@contoso.example").await;
    let other = approved_prospect(&app, "olga@contoso.example").await;
    let link = link_for(&pat, SOC2).await;
    assert_eq!(location(&other.get(&link).await), "/account");
    assert_eq!(location(&app.browser().get(&link).await), "/sign-in?next=/account", "anonymous");
    assert!(refusals(&app).await.iter().any(|r| r.contains("someone else")));
    // Still usable by its owner.
    assert_eq!(pat.get(&link).await.status().as_u16(), 200);
}

#[tokio::test]
async fn revoking_access_kills_links_already_issued() {
    let app = spawn_app().await;
    let sales = app.staff_browser("sol@northwind-analytics.example", &[StaffRole::Sales]).await;
    let pat = approved_prospect(&app, "pat@contoso.example").await;
    let used = link_for(&pat, SOC2).await;
    assert_eq!(pat.get(&used).await.status().as_u16(), 200);
    let link = link_for(&pat, SOC2).await;
    let (grant,): (i64,) = sqlx::query_as("select id from grants").fetch_one(app.state.db.pool()).await.unwrap();
    sales
        .post_form("/api/revoke_grant", &[("grant_id", &grant.to_string()), ("note", "Deal lost"), ("confirm", "yes")])
        .await;
    assert_eq!(location(&pat.get(&link).await), "/account");
    assert!(refusals(&app).await.iter().any(|r| r.contains("access revoked")));
    // The prospect is told the truth: revoked, not "expired, start again" (even for a used link),
    // and their page no longer calls the request approved without saying so.
    let (_, page) = pat.get_text("/account").await;
    assert!(page.contains("Your access to this document was revoked."), "{page}");
    assert_eq!(location(&pat.get(&used).await), "/account");
    let (_, page) = pat.get_text("/account").await;
    assert!(page.contains("Your access to this document was revoked."), "a used link: {page}");
    assert!(page.contains("Approved; access revoked on"), "{page}");
    // And no new link is issued.
    assert_eq!(location(&pat.post_form(&format!("/documents/{SOC2}/get"), &[]).await), "/account");
    let (_, page) = pat.get_text("/account").await;
    assert!(page.contains("Your access to this document was revoked."), "asking again: {page}");
}

#[tokio::test]
async fn a_new_nda_version_blocks_downloads_until_accepted() {
    let app = spawn_app().await;
    let pat = approved_prospect(&app, "pat@contoso.example").await;
    let link = link_for(&pat, SOC2).await;
    sqlx::query("insert into nda_versions (version, title, body_markdown, published_at, created_at, updated_at) values (2, 'NDA v2', 'New terms that everyone must accept again before any download.', 1, 1, 1)")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(location(&pat.get(&link).await), "/nda");
    assert!(pat.get_text("/nda").await.1.contains("Please accept the current NDA before downloading."));
}

#[tokio::test]
async fn a_pdf_that_cannot_be_stamped_is_not_sent() {
    let app = spawn_app().await;
    let pat = approved_prospect(&app, "pat@contoso.example").await;
    // The stored file is damaged: a truncated copy of the report.
    let stored = app::features::documents::server::current_version(&app.state.db, SOC2).await.unwrap();
    let original = app.state.files.get(&stored.sha256).await.unwrap();
    let broken = app.state.files.put(&original[..original.len() / 4]).await.unwrap();
    sqlx::query("update document_versions set sha256 = $1 where id = $2")
        .bind(&broken)
        .bind(stored.version_id)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let link = link_for(&pat, SOC2).await;
    let res = pat.get(&link).await;
    assert_eq!(location(&res), "/account");
    assert!(pat.get_text("/account").await.1.contains("could not prepare your copy"));
    assert!(refusals(&app).await.iter().any(|r| r.contains("could not be stamped")));
    let (n,): (i64,) = sqlx::query_as("select count(*) from downloads").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(n, 0);
    // The link served nothing, so it is not spent: once the file is mended, it works.
    let (used,): (Option<i64>,) =
        sqlx::query_as("select used_at from download_links").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(used, None, "given back");
    sqlx::query("update document_versions set sha256 = $1 where id = $2")
        .bind(&stored.sha256)
        .bind(stored.version_id)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let res = pat.get(&link).await;
    assert_eq!(res.status(), 200, "the same link serves the mended file once");
    assert_eq!(location(&pat.get(&link).await), "/account", "and only once");
}

#[tokio::test]
async fn public_documents_are_counted_and_logged_but_not_stamped() {
    let app = spawn_app().await;
    let res = app.get("/documents/soc3-report/download").await;
    assert_eq!(res.status().as_u16(), 200);
    let body = res.bytes().await.unwrap();
    let stored = app::features::documents::server::current_version(&app.state.db, "soc3-report").await.unwrap();
    assert_eq!(sha256_hex(&body), stored.sha256, "the original file, unstamped");
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let (n, prospect): (i64, Option<i64>) =
        sqlx::query_as("select count(*), max(prospect_id) from downloads where status = 'completed'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!((n, prospect), (1, None));
}

#[tokio::test]
async fn a_leaked_copy_is_traced_by_its_hash_or_by_its_stamp() {
    let app = spawn_app().await;
    let admin = app.staff_browser("ada@northwind-analytics.example", &[StaffRole::Admin]).await;
    let pat = approved_prospect(&app, "pat@contoso.example").await;
    let body = pat.get(&link_for(&pat, SOC2).await).await.bytes().await.unwrap().to_vec();
    let (download_id,): (String,) =
        sqlx::query_as("select id from downloads").fetch_one(app.state.db.pool()).await.unwrap();

    let trace = |bytes: Vec<u8>| {
        let admin = &admin;
        async move {
            admin.post_multipart("/admin/leak-trace/upload", &[], ("found.pdf", bytes)).await;
            admin.get_text("/admin/leak-trace").await.1
        }
    };
    let page = trace(body.clone()).await;
    assert!(
        page.contains(&format!("Download {download_id}"))
            && page.contains("pat@contoso.example")
            && page.contains("SHA-256")
    );

    // Someone re-saved the file: different bytes, same stamp.
    let mut doc = lopdf::Document::load_mem(&body).unwrap();
    doc.trailer.remove(b"ID");
    let info = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    doc.get_object_mut(info)
        .unwrap()
        .as_dict_mut()
        .unwrap()
        .set("Producer", lopdf::Object::string_literal("Some other tool"));
    let mut altered = Vec::new();
    doc.save_to(&mut altered).unwrap();
    assert_ne!(sha256_hex(&altered), sha256_hex(&body));
    let page = trace(altered).await;
    assert!(page.contains(&format!("Download {download_id}")) && page.contains("stamped"));

    let unrelated =
        app::ssr::pdf::TextDocument { title: "x".into(), subtitle: None, blocks: vec![], footer: "y".into() }
            .render()
            .unwrap();
    assert!(trace(unrelated).await.contains("No download matches this file"));
    // Sales may not trace.
    let sales = app.staff_browser("sol@northwind-analytics.example", &[StaffRole::Sales]).await;
    assert_eq!(sales.get("/admin/leak-trace").await.status().as_u16(), 403);
}

#[tokio::test]
async fn staff_search_the_access_log_and_export_it() {
    let app = spawn_app().await;
    let sales = app.staff_browser("sol@northwind-analytics.example", &[StaffRole::Sales]).await;
    let pat = approved_prospect(&app, "pat@contoso.example").await;
    pat.get(&link_for(&pat, SOC2).await).await.bytes().await.unwrap();
    approved_prospect(&app, "ivy@contoso.example").await;

    let (_, page) = sales.get_text("/admin/audit?person=pat%40contoso&event=download").await;
    assert!(page.contains("download.started") && page.contains("download.link_issued"));
    assert!(!page.contains("ivy@contoso.example"));
    let (_, page) = sales.get_text("/admin/audit?document=SOC+2&event=download.started").await;
    assert!(page.contains("pat@contoso.example"));
    let (_, page) = sales.get_text("/admin/audit?company=contoso&event=nda.accepted").await;
    assert!(page.contains("pat@contoso.example") && page.contains("ivy@contoso.example"));

    // One line per event; its object links to its page; pages reach the oldest entry.
    let (_, page) = sales.get_text("/admin/audit?event=access.requested").await;
    assert!(page.contains("href=\"/admin/requests/"), "the request is a link");
    app.record_test_events(60).await;
    let (total,): (i64,) =
        sqlx::query_as("select count(*) from access_log").fetch_one(app.state.db.pool()).await.unwrap();
    let (_, first) = sales.get_text("/admin/audit").await;
    assert!(first.contains(&format!("Entries 1–50 of {total}")) && first.contains("Older →"));
    assert!(!first.contains("← Newer"));
    let last = (total + 49) / 50;
    let (_, oldest) = sales.get_text(&format!("/admin/audit?page={last}")).await;
    assert!(oldest.contains("<dd>#1</dd>") && oldest.contains("← Newer") && !oldest.contains("Older →"), "{oldest}");
    let (_, past) = sales.get_text(&format!("/admin/audit?page={}", last + 5)).await;
    assert!(past.contains("No entry matches"));

    let res = sales.get("/admin/audit.csv?event=download").await;
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = res.text().await.unwrap();
    assert!(
        csv.starts_with("seq,time_utc,actor_kind,actor,role,event,object,outcome,ip,user_agent,request_id,details\r\n")
    );
    assert!(csv.lines().count() >= 4 && csv.contains("download.completed"));
    // Prospects and security staff cannot read it.
    assert_eq!(pat.get("/admin/audit.csv").await.status().as_u16(), 303);
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    assert_eq!(sec.get("/admin/audit").await.status().as_u16(), 403);
}

#[tokio::test]
async fn analytics_count_visits_requests_approvals_and_downloads() {
    let app = spawn_app().await;
    let sales = app.staff_browser("sol@northwind-analytics.example", &[StaffRole::Sales]).await;
    for _ in 0..3 {
        app.get("/").await;
    }
    let pat = approved_prospect(&app, "pat@contoso.example").await;
    pat.get_text(&format!("/documents/{SOC2}/request")).await;
    pat.get(&link_for(&pat, SOC2).await).await.bytes().await.unwrap();
    app.state.visits.flush(&app.state.db).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;

    use app::features::analytics::{model::Scope, server::summary as analytics};
    let today = app::types::IsoDate::today_utc();
    let summary = analytics(&app.state.db, today, today, &Scope::default()).await.unwrap();
    assert_eq!(summary.totals.visits, 4, "3 public page views and 1 request page view");
    assert_eq!((summary.totals.requests, summary.totals.approvals, summary.totals.downloads), (1, 1, 1));
    let contoso = summary.by_company.iter().find(|(n, _)| n == "Contoso").unwrap().1;
    assert_eq!((contoso.visits, contoso.requests, contoso.downloads), (1, 1, 1));
    let soc2 = summary.by_document.iter().find(|(n, _)| n.starts_with("SOC 2 Type II")).unwrap().1;
    assert_eq!((soc2.visits, soc2.requests, soc2.approvals, soc2.downloads), (1, 1, 1, 1));

    // Narrowed to a company or a document, the figures are theirs alone.
    let contoso_only = Scope { company: "Contoso".into(), ..Scope::default() };
    let narrowed = analytics(&app.state.db, today, today, &contoso_only).await.unwrap();
    assert_eq!(narrowed.totals, contoso, "one company: its own row");
    let pentest = Scope { document: "Penetration Test Letter of Attestation".into(), ..Scope::default() };
    let narrowed = analytics(&app.state.db, today, today, &pentest).await.unwrap();
    assert_eq!((narrowed.totals.requests, narrowed.totals.downloads), (0, 0), "{narrowed:?}");
    assert!(
        narrowed.documents.iter().any(|d| d == "Penetration Test Letter of Attestation"),
        "{:?}",
        narrowed.documents
    );

    let (_, page) = sales.get_text("/admin/analytics").await;
    assert!(page.contains("data-test=\"analytics-chart\"") && page.contains("<polyline"));
    // The funnel and the days come with their figures as tables; the legend is drawn in the chart.
    let funnel = page.split("data-test=\"funnel-table\"").nth(1).expect("the funnel's table");
    assert!(funnel.contains("<th scope=\"row\">Downloads</th><td>1</td><td>100%</td>"), "{funnel}");
    assert!(page.contains("data-test=\"daily-table\"") && page.contains(">Day (UTC)</text>"));
    let (_, page) = sales.get_text("/admin/analytics?company=Contoso").await;
    assert!(page.contains("data-test=\"scope\">Contoso</strong>"));
    let csv = sales.get("/admin/analytics.csv").await.text().await.unwrap();
    assert!(csv.starts_with("section,name,visits,requests,approvals,downloads"));
    assert!(csv.contains("company,Contoso,1,1,1,1"));
}

#[tokio::test]
async fn a_company_page_shows_sales_its_people_requests_grants_downloads_and_acceptances() {
    let app = spawn_app().await;
    let pat = approved_prospect(&app, "pat@contoso.example").await;
    pat.get(&link_for(&pat, SOC2).await).await.bytes().await.unwrap();
    let (company,): (i64,) = sqlx::query_as("select id from companies where domain = 'contoso.example'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let (download,): (String,) =
        sqlx::query_as("select id from downloads").fetch_one(app.state.db.pool()).await.unwrap();
    let sales = app.staff_browser("sol@northwind-analytics.example", &[StaffRole::Sales]).await;
    let (status, page) = sales.get_text(&format!("/admin/companies/{company}")).await;
    assert_eq!(status, 200);
    let table = |name: &str| {
        let marker = format!("data-test=\"{name}\"");
        page.split(&marker)
            .nth(1)
            .unwrap_or_else(|| panic!("no {name} table"))
            .split("</table>")
            .next()
            .unwrap()
            .to_string()
    };
    assert!(table("people").contains("pat@contoso.example"));
    assert!(table("requests").contains("/admin/requests/"));
    assert!(table("grants").contains("Active"));
    assert!(table("downloads").contains(&download));
    assert!(table("acceptances").contains("Pat Prospect, Analyst"));
    // Security staff see what the company was told, not who it is.
    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    let (status, page) = sec.get_text(&format!("/admin/companies/{company}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("What we told them") && !page.contains("pat@contoso.example"));
    assert_eq!(sales.get("/admin/companies/999999").await.status().as_u16(), 404);
    // A free-mail domain is a group of individuals, each with the company they typed.
    let ivy = app.prospect_browser("ivy.buyer@gmail.com").await;
    ivy.post_form(
        "/api/submit_access_request",
        &[("slug", SOC2), ("documents[0]", SOC2), ("role", "Analyst"), ("reason", "Vendor review")],
    )
    .await;
    let (gmail,): (i64,) = sqlx::query_as("select id from companies where domain = 'gmail.com'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let (_, page) = sales.get_text(&format!("/admin/companies/{gmail}")).await;
    assert!(page.contains("Individuals with free-mail") && page.contains("ivy.buyer@gmail.com"));
    assert!(page.contains("Nothing downloaded yet."), "an empty table says so");
}

#[tokio::test]
async fn a_prospect_downloads_their_nda_record_from_their_page_and_nobody_elses() {
    let app = spawn_app().await;
    let pat = approved_prospect(&app, "pat@contoso.example").await;
    let (_, page) = pat.get_text("/account").await;
    let at = page.find("/record.pdf").expect("a record link on /account");
    let href = page[..at + "/record.pdf".len()].rsplit('"').next().unwrap().to_string();
    assert!(href.starts_with("/account/nda/"), "{href}");
    let res = pat.get(&href).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("record.pdf"));
    let pdf = res.bytes().await.unwrap().to_vec();
    // The same record the acceptance mail carried.
    let (attachments,): (String,) =
        sqlx::query_as("select attachments from mail_outbox where attachments <> '[]' order by id desc limit 1")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    let sha =
        serde_json::from_str::<serde_json::Value>(&attachments).unwrap()[0]["sha256"].as_str().unwrap().to_string();
    assert_eq!(app.state.files.get(&sha).await.unwrap(), pdf, "the mailed record, byte for byte");
    // Another prospect, a visitor and a made-up number get nothing.
    let ivy = app.prospect_browser("ivy@initech.example").await;
    assert_eq!(ivy.get(&href).await.status(), 404);
    assert!(app.browser().get(&href).await.status().is_redirection());
    assert_eq!(pat.get("/account/nda/999999/record.pdf").await.status(), 404);
}
