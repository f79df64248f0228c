//! Holes an adversarial review found (issue 14), one test each: what an attacker tried, and that
//! it no longer works. Sessions and timeouts are in `sessions.rs`, textareas in `textareas.rs`,
//! the access log's evidence in `audit_log.rs`, hostile workbooks with the questionnaire tests.

use crate::helpers::{location, spawn, spawn_app, Browser, Options, TestApp, PASSWORD};
use app::features::accounts::model::StaffRole::*;
use std::time::Duration;

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

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_as::<_, (i64,)>(sql).fetch_one(app.state.db.pool()).await.unwrap().0
}

// 5. Anyone could flood the permanent log.

#[tokio::test]
async fn junk_download_links_are_limited_and_aggregated_in_the_log() {
    let app = spawn_app().await;
    let before = count(&app, "select count(*) from access_log").await;
    let mut throttled = 0;
    for n in 0..200 {
        let res = app.get(&format!("/download/junk-token-{n}")).await;
        if res.status().as_u16() == 429 {
            throttled += 1;
        }
    }
    assert!(throttled >= 150, "past the limit a source is answered 429 ({throttled} of 200)");
    // Cross-site posts too.
    for _ in 0..50 {
        app.client.post(app.url("/api/sign_out")).header("origin", "https://evil.example").send().await.unwrap();
    }
    let written = count(&app, "select count(*) from access_log").await - before;
    assert!(written <= 2, "one row per source and kind, not one per request: {written}");
    // The window's repeats become one row with the count.
    app.state.refusals.flush(&app.state.db, true).await.unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as(
        "select event, details from access_log where seq > $1 and details like '%repeated%' order by seq",
    )
    .bind(before)
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    let repeated = |event: &str| {
        rows.iter()
            .find(|(e, _)| e == event)
            .map(|(_, d)| serde_json::from_str::<serde_json::Value>(d).unwrap()["repeated"].as_i64().unwrap())
    };
    assert_eq!(repeated("download.refused"), Some(199));
    assert_eq!(repeated("request.cross_site_refused"), Some(49));
    // A signed-in prospect's junk is aggregated too (anyone can become a prospect), and the
    // summary names them.
    let pat = app.prospect_browser("pat@contoso.example").await;
    let before = count(&app, "select count(*) from access_log where event = 'download.refused'").await;
    for n in 0..3 {
        pat.get(&format!("/download/junk-{n}")).await;
    }
    assert!(count(&app, "select count(*) from access_log where event = 'download.refused'").await <= before + 1);
    app.state.refusals.flush(&app.state.db, true).await.unwrap();
    let (details,): (String,) =
        sqlx::query_as("select details from access_log where event = 'download.refused' order by seq desc limit 1")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert!(details.contains("pat@contoso.example"), "{details}");
}

// 6. A revoke that commits while a PDF is being stamped stops that download.

/// A valid PDF of `pages` pages of text: stamping it takes a while.
fn many_pages_pdf(pages: usize) -> Vec<u8> {
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" });
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
    let mut kids = Vec::new();
    for n in 0..pages {
        let text = format!("BT /F1 12 Tf 72 720 Td (Page {n} of the report) Tj ET");
        let content = doc.add_object(Stream::new(dictionary! {}, text.into_bytes()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        });
        kids.push(Object::Reference(page));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Count" => pages as i64, "Kids" => kids }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoke_during_stamping_stops_that_download() {
    let app = spawn_app().await;
    let sales = app.staff_browser("sol@northwind-analytics.example", &[Sales]).await;
    let pat = approved_prospect(&app, "pat@contoso.example").await;
    let stored = app::features::documents::server::current_version(&app.state.db, SOC2).await.unwrap();
    let mut tx = app.state.db.begin().await.unwrap();
    app::features::documents::server::add_version(
        &mut tx,
        &app.state.files,
        stored.document_id,
        "soc2.pdf",
        &many_pages_pdf(4000),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let link = location(&pat.post_form(&format!("/documents/{SOC2}/get"), &[]).await);
    assert!(link.starts_with("/download/"), "{link}");
    let download = tokio::spawn(async move { pat.get(&link).await });
    // The link is spent just before the checks and the stamping; revoke a moment later.
    for _ in 0..1000 {
        if count(&app, "select count(*) from download_links where used_at is not null").await > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    tokio::time::sleep(Duration::from_millis(150)).await;
    let grant = count(&app, "select id from grants").await;
    sales
        .post_form("/api/revoke_grant", &[("grant_id", &grant.to_string()), ("note", "Deal lost"), ("confirm", "yes")])
        .await;
    assert!(count(&app, "select count(*) from grants where revoked_at is not null").await == 1);
    let res = download.await.unwrap();
    assert_eq!(location(&res), "/account", "refused, not delivered (status {})", res.status());
    assert_eq!(
        count(&app, "select count(*) from downloads where prospect_id is not null").await,
        0,
        "no download recorded"
    );
    let reasons: Vec<(String,)> = sqlx::query_as("select details from access_log where event = 'download.refused'")
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    assert!(reasons.iter().any(|(d,)| d.contains("no active grant")), "{reasons:?}");
}

// 7. Two people deciding one request at once: the first wins.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_two_decisions_at_once_only_the_first_counts() {
    let app = spawn_app().await;
    // initech.example has no rule: its requests wait for sales after the NDA.
    let ivy = app.prospect_browser("ivy@initech.example").await;
    ivy.post_form(
        "/api/submit_access_request",
        &[("slug", SOC2), ("documents[0]", SOC2), ("role", "CISO"), ("reason", "Renewal")],
    )
    .await;
    let (_, page) = ivy.get_text("/nda").await;
    let value = |name: &str| {
        let tag = page.split(&format!("name=\"{name}\"")).nth(1).unwrap().split('>').next().unwrap();
        tag.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
    };
    ivy.post_form(
        "/api/accept_nda",
        &[
            ("version_id", &value("version_id")),
            ("sha256", &value("sha256")),
            ("name", "Ivy"),
            ("title", "CISO"),
            ("consent", "yes"),
        ],
    )
    .await;
    let request = count(&app, "select id from access_requests where status = 'pending_review'").await;
    let mut deciders = Vec::new();
    for n in 0..4 {
        deciders.push(app.staff_browser(&format!("sales{n}@northwind-analytics.example"), &[Sales]).await);
    }
    let expires = app::types::IsoDate::today_utc().add_days(30).to_string();
    let id = request.to_string();
    let decisions = deciders.iter().enumerate().map(|(n, b)| {
        let pairs: &[(&str, &str)] = if n % 2 == 0 {
            &[("id", &id), ("decision", "approve"), ("documents[0]", SOC2), ("expires_on", &expires)]
        } else {
            &[("id", &id), ("decision", "deny"), ("note", "No")]
        };
        let form: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let b = b.client.clone();
        let url = format!("{}/api/decide_access_request", deciders[0].base);
        let origin = deciders[0].base.clone();
        async move { b.post(url).header("origin", origin).form(&form).send().await.unwrap().status().as_u16() }
    });
    let statuses = futures_join(decisions).await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "exactly one decision: {statuses:?}");
    assert!(statuses.iter().filter(|s| **s != 200).all(|s| *s == 422), "the others are told: {statuses:?}");
    let decided =
        count(&app, "select count(*) from access_log where event in ('access.approved', 'access.denied')").await;
    assert_eq!(decided, 1);
    let (status,): (String,) = sqlx::query_as("select status from access_requests where id = $1")
        .bind(request)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let grants = count(&app, "select count(*) from grants").await;
    assert_eq!(grants, i64::from(status == "approved"), "a denied request has no grant, an approved one exactly one");
}

/// Runs the futures concurrently and collects their outputs in order.
async fn futures_join<F: std::future::Future<Output = u16> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<u16> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

// 8. A stranger cannot lock a staff member out.

#[tokio::test]
async fn a_stranger_typing_wrong_passwords_does_not_lock_the_owner_out() {
    let app = spawn(Options { demo: true, behind_proxy: true, ..Default::default() }).await;
    let secret = app.create_staff("ann@northwind-analytics.example", &[Sales], true).await.unwrap();
    let stranger = app.browser_from("203.0.113.66");
    for _ in 0..8 {
        stranger
            .post_form(
                "/api/staff_sign_in",
                &[("email", "ann@northwind-analytics.example"), ("password", "guess guess guess")],
            )
            .await;
    }
    let (_, page) = stranger.get_text("/staff/sign-in").await;
    let res = stranger
        .post_form("/api/staff_sign_in", &[("email", "ann@northwind-analytics.example"), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&res), "/staff/sign-in", "the stranger's address is limited ({page:.0})");
    // The owner, from their own address, signs in.
    let owner = app.browser_from("198.51.100.10");
    owner.staff_sign_in("ann@northwind-analytics.example", PASSWORD, &secret).await;
}

#[tokio::test]
async fn guessing_from_many_addresses_backs_off_and_tells_the_owner() {
    let app = spawn(Options { demo: true, behind_proxy: true, ..Default::default() }).await;
    let secret = app.create_staff("ann@northwind-analytics.example", &[Sales], true).await.unwrap();
    // The owner signed in before from their usual address.
    let owner = app.browser_from("198.51.100.10");
    owner.staff_sign_in("ann@northwind-analytics.example", PASSWORD, &secret).await;
    for n in 0..25 {
        app.browser_from(&format!("203.0.113.{n}"))
            .post_form(
                "/api/staff_sign_in",
                &[("email", "ann@northwind-analytics.example"), ("password", "guess guess guess")],
            )
            .await;
    }
    let mails = app.wait_for_mails("ann@northwind-analytics.example", 1).await;
    assert!(
        mails.iter().any(|m| m.subject.contains("Many wrong passwords")),
        "{:?}",
        mails.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    assert!(app.audit_events().await.iter().any(|(e, _, _)| e == "staff.sign_in_backoff"));
    // A new address is refused even with the right password while the back-off lasts...
    let elsewhere = app.browser_from("192.0.2.77");
    let res = elsewhere
        .post_form("/api/staff_sign_in", &[("email", "ann@northwind-analytics.example"), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&res), "/staff/sign-in");
    assert!(elsewhere.get_text("/staff/sign-in").await.1.contains("Too many attempts"));
    // ...but the owner's usual address still gets in.
    let again = app.browser_from("198.51.100.10");
    let res = again
        .post_form("/api/staff_sign_in", &[("email", "ann@northwind-analytics.example"), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&res), "/staff/two-factor");
}

// 10. X-Forwarded-For: every header line, read from the right.

#[tokio::test]
async fn a_forged_forwarded_for_line_is_not_believed() {
    let app = spawn(Options { demo: true, behind_proxy: true, ..Default::default() }).await;
    // The client sends its own line; the proxy appends the real address as a second line.
    app.client
        .post(app.url("/api/staff_sign_in"))
        .header("x-forwarded-for", "6.6.6.6")
        .header("x-forwarded-for", "198.51.100.7")
        .form(&[("email", "nobody@example.com"), ("password", "wrong wrong wrong")])
        .send()
        .await
        .unwrap();
    let (ip,): (String,) =
        sqlx::query_as("select ip from access_log where event = 'staff.sign_in' order by seq desc limit 1")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(ip, "198.51.100.7");
}

// 12. Nothing a stranger types reaches someone else's inbox.

#[tokio::test]
async fn a_sign_in_mail_carries_nothing_the_requester_typed() {
    let app = spawn_app().await;
    let lure = "Your account is locked, call +1 555 0100 or visit evil.example";
    app.browser()
        .post_form(
            "/api/request_sign_in_link",
            &[("email", "victim@contoso.example"), ("name", lure), ("company", "evil.example corp")],
        )
        .await;
    let mail = app.outbox_mail("victim@contoso.example").await;
    let raw = format!("{} {} {} {}", mail.to, mail.subject, mail.text, mail.html);
    assert!(!raw.contains("evil.example") && !raw.contains("555 0100"), "{raw}");
    assert!(mail.text.starts_with("Hello,"), "{}", mail.text);
}

// 13. GET requests change nothing.

#[tokio::test]
async fn following_a_link_to_the_download_address_changes_nothing() {
    let app = spawn_app().await;
    let pat = approved_prospect(&app, "pat@contoso.example").await;
    let mails = count(&app, "select count(*) from mail_outbox").await;
    let log = count(&app, "select count(*) from access_log").await;
    let res = pat.get(&format!("/documents/{SOC2}/get")).await;
    assert_eq!(location(&res), "/account");
    assert_eq!(count(&app, "select count(*) from download_links").await, 0, "no link issued");
    assert_eq!(count(&app, "select count(*) from access_log").await, log, "nothing logged");
    assert_eq!(count(&app, "select count(*) from mail_outbox").await, mails, "no receipt queued");
    // The page's button posts, and that works.
    let (_, page) = pat.get_text("/account").await;
    assert!(
        page.contains(&format!("<form method=\"post\" action=\"/documents/{SOC2}/get\"")),
        "the download is a form that posts"
    );
    assert!(location(&pat.post_form(&format!("/documents/{SOC2}/get"), &[]).await).starts_with("/download/"));
}

// 14. Data at rest is private, and TOTP secrets are encrypted.

#[cfg(unix)]
#[tokio::test]
async fn the_data_directory_is_private_to_the_service() {
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app().await;
    app.prospect_browser("pat@contoso.example").await;
    let data = &app.state.config.data_dir;
    let mut checked = 0;
    let mut stack = vec![data.clone()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let mode = meta.permissions().mode() & 0o777;
        if meta.is_dir() {
            assert_eq!(mode, 0o700, "{}", path.display());
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else {
            assert_eq!(mode, 0o600, "{}", path.display());
        }
        checked += 1;
    }
    // The keys and outbox mails were there (and on SQLite the database and its WAL; stored
    // files live in the database).
    assert!(checked >= 6, "{checked}");
    if app.state.db.backend() == app::ssr::db::Backend::Sqlite {
        assert!(data.join("vouchsafe.db-wal").exists());
    }
    assert!(std::fs::read_dir(data.join("outbox")).unwrap().count() > 0);
}

#[cfg(unix)]
#[tokio::test]
async fn an_older_world_readable_data_directory_is_made_private_at_start() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("files/ab")).unwrap();
    std::fs::write(data.join("files/ab/old"), b"an original").unwrap();
    for (path, mode) in [(data.clone(), 0o755), (data.join("files"), 0o755), (data.join("files/ab/old"), 0o644)] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let vars = std::collections::HashMap::from([("VOUCHSAFE_DATA_DIR", data.display().to_string())]);
    let config = app::ssr::config::Config::from_lookup(|k| vars.get(k).cloned()).unwrap();
    server::build_state(config).await.unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("files")), 0o700);
    assert_eq!(mode(&data.join("files/ab/old")), 0o600);
    assert_eq!(mode(&data.join("vouchsafe.db")), 0o600);
}

#[tokio::test]
async fn totp_secrets_are_encrypted_at_rest() {
    let app = spawn_app().await;
    let secret = app.create_staff("ann@northwind-analytics.example", &[Sales], true).await.unwrap();
    let (stored,): (String,) =
        sqlx::query_as("select totp_secret from staff_users where email = 'ann@northwind-analytics.example'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert!(stored.starts_with("v1.") && !stored.contains(&secret), "{stored}");
    app.browser().staff_sign_in("ann@northwind-analytics.example", PASSWORD, &secret).await;
    // A database copied without the key gives nothing: another key cannot open it.
    let other = app::ssr::keys::SecretsKey::load_or_create(&app.state.config.data_dir.join("other.key")).unwrap();
    let id = count(&app, "select id from staff_users where email = 'ann@northwind-analytics.example'").await;
    assert_eq!(other.open(&app::features::accounts::server::staff::totp_context(id), &stored), None);
    // Secrets stored in plain text by an older version are sealed at start-up.
    sqlx::query("update staff_users set totp_secret = $1 where id = $2")
        .bind(&secret)
        .bind(id)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let sealed = app::features::accounts::server::staff::seal_plain_totp_secrets(&app.state.db, &app.state.secrets)
        .await
        .unwrap();
    assert_eq!(sealed, 1);
    let (stored,): (String,) = sqlx::query_as("select totp_secret from staff_users where id = $1")
        .bind(id)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert!(stored.starts_with("v1."));
    let code = app::ssr::totp::code_at(&secret, app::types::Timestamp::now().0 as u64 + 30).unwrap();
    let browser = app.browser();
    browser
        .post_form("/api/staff_sign_in", &[("email", "ann@northwind-analytics.example"), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&browser.post_form("/api/verify_second_factor", &[("code", &code)]).await), "/admin");
}

// 15. Statuses that say what happened; WAL as documented.

#[tokio::test]
async fn read_only_server_functions_answer_not_found_and_bad_input_with_client_errors() {
    let app = spawn_app().await;
    let security = app.staff_browser("sam@northwind-analytics.example", &[Security]).await;
    let post = |path: &'static str, form: Vec<(&'static str, &'static str)>| {
        let client = security.client.clone();
        let base = security.base.clone();
        async move { client.post(format!("{base}{path}")).header("origin", &base).form(&form).send().await.unwrap() }
    };
    let res = post("/api/kb_entry", vec![("id", "999999")]).await;
    assert_eq!(res.status().as_u16(), 404, "{}", res.text().await.unwrap());
    let res = post("/api/kb_entry", vec![("id", "not a number")]).await;
    assert_eq!(res.status().as_u16(), 400);
    // company_detail(id) is open to any staff member; without its argument it is a bad request,
    // with an unknown one a 404.
    let res = post("/api/company_detail", vec![]).await;
    assert_eq!(res.status().as_u16(), 400);
    let res = post("/api/company_detail", vec![("id", "424242")]).await;
    assert_eq!(res.status().as_u16(), 404);
}

#[tokio::test]
async fn sqlite_runs_with_write_ahead_logging() {
    let app = spawn_app().await;
    if app.state.db.backend() != app::ssr::db::Backend::Sqlite {
        return;
    }
    let (mode,): (String,) = sqlx::query_as("pragma journal_mode").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(mode, "wal");
}

// 16. Robustness.

#[tokio::test]
async fn far_future_dates_are_refused_not_a_crash() {
    let app = spawn_app().await;
    let sales = app.staff_browser("sol@northwind-analytics.example", &[Sales]).await;
    let res = sales.get("/admin/analytics?from=9999-12-31&to=9999-12-31").await;
    assert!(res.status().as_u16() < 500, "{}", res.status());
    let res = sales
        .client
        .post(format!("{}/api/analytics_summary", sales.base))
        .header("origin", &sales.base)
        .form(&[("from", "9999-12-31")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    let res = sales.get("/admin/analytics.csv?from=9999-12-01").await;
    assert!(res.status().as_u16() < 500, "{}", res.status());
    let security = app.staff_browser("sam@northwind-analytics.example", &[Security]).await;
    let res = security
        .post_form(
            "/api/save_report",
            &[
                ("report_type", "type_ii"),
                ("period_start", "9999-12-01"),
                ("period_end", "9999-12-31"),
                ("audit_firm", "Firm LLP"),
                ("opinion", "unqualified"),
                ("report_date", "9999-12-31"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/admin/content/soc2/new");
    let (_, page) = security.get_text("/admin/content/soc2/new").await;
    assert!(page.contains("is outside the years 1900 to 2199"), "explained next to the field");
    assert!(app.get("/healthz").await.status().is_success());
}

#[tokio::test]
async fn a_database_failure_in_the_download_path_is_an_error_not_a_used_link() {
    let app = spawn_app().await;
    let pat = approved_prospect(&app, "pat@contoso.example").await;
    let link = location(&pat.post_form(&format!("/documents/{SOC2}/get"), &[]).await);
    sqlx::query("alter table download_links rename to download_links_gone").execute(app.state.db.pool()).await.unwrap();
    let res = pat.get(&link).await;
    assert_eq!(location(&res), "/account");
    assert!(pat.get_text("/account").await.1.contains("We could not prepare your copy"), "not told the link was used");
    let (details,): (String,) =
        sqlx::query_as("select details from access_log where event = 'download.refused' order by seq desc limit 1")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert!(details.contains("internal error"), "{details}");
}

#[tokio::test]
async fn mail_comes_from_the_published_company_name() {
    let app = spawn_app().await;
    sqlx::query("update company_profile set name = 'Unpublished Rename Inc' where id = 1")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    app.browser()
        .post_form(
            "/api/request_sign_in_link",
            &[("email", "pat@contoso.example"), ("name", "Pat"), ("company", "Contoso")],
        )
        .await;
    let mail = app.outbox_mail("pat@contoso.example").await;
    let from = mail.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("from")).map(|(_, v)| v.clone()).unwrap();
    assert!(from.contains("Northwind Analytics Trust Center"), "{from}");
    assert!(!from.contains("Unpublished"));
}

// Found by the second adversarial review.

#[tokio::test]
async fn public_documents_downloaded_in_a_loop_are_counted_not_logged_one_by_one() {
    let app = spawn_app().await;
    let before = count(&app, "select count(*) from access_log").await;
    let downloads = count(&app, "select count(*) from downloads").await;
    let mut throttled = 0;
    for _ in 0..60 {
        let res = app.get("/documents/soc3-report/download").await;
        if res.status().as_u16() == 429 {
            throttled += 1;
        } else {
            assert_eq!(res.status(), 200);
            res.bytes().await.unwrap();
        }
    }
    assert!(throttled >= 25, "past the limit a source is answered 429 ({throttled})");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(count(&app, "select count(*) from access_log").await - before <= 1, "one row, not two per download");
    assert_eq!(count(&app, "select count(*) from downloads").await - downloads, 60 - throttled, "each is counted");
}

#[tokio::test]
async fn failed_sign_ins_and_resets_for_unknown_addresses_are_aggregated_and_bounded() {
    let app = spawn(Options { demo: true, behind_proxy: true, ..Default::default() }).await;
    let before = count(&app, "select count(*) from access_log").await;
    let huge = format!("{}@example.com", "q".repeat(100_000));
    for n in 0..20 {
        // Rotating addresses inside one IPv6 /64 is one source.
        let browser = app.browser_from(&format!("2001:db8:7:7::{n:x}"));
        browser.post_form("/api/staff_sign_in", &[("email", &huge), ("password", "wrong wrong wrong")]).await;
        browser.post_form("/api/request_password_reset", &[("email", &format!("nobody{n}@example.com"))]).await;
    }
    let rows: Vec<(String, String)> = sqlx::query_as("select event, actor_label from access_log where seq > $1")
        .bind(before)
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    assert!(rows.len() <= 2, "the first of each kind from the /64: {rows:?}");
    assert!(rows.iter().all(|(_, label)| label.len() <= 320), "labels are bounded");
    app.state.refusals.flush(&app.state.db, true).await.unwrap();
    let (details,): (String,) = sqlx::query_as(
        "select details from access_log where event = 'staff.password_reset_requested' order by seq desc limit 1",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    let details: serde_json::Value = serde_json::from_str(&details).unwrap();
    assert!(details["repeated"].as_i64().unwrap() >= 1, "{details}");
    assert!(details["accounts"].as_array().unwrap().len() <= 10, "{details}");
}

#[tokio::test]
async fn anonymous_form_failures_cannot_fill_the_sessions_table() {
    let app = spawn_app().await;
    let big = "x".repeat(200_000);
    for _ in 0..60 {
        // Each a new visitor without a cookie, each refused (the address is not an address).
        app.browser()
            .post_form("/api/request_sign_in_link", &[("email", &big), ("name", &big), ("company", "C")])
            .await;
    }
    let (n, largest): (i64, Option<i64>) = sqlx::query_as("select count(*), max(length(data)) from sessions")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert!(n <= 30, "a source gets at most 30 new sessions a minute: {n}");
    assert!(largest.unwrap_or(0) < 30_000, "typed values are kept at most 10,000 characters: {largest:?}");
}

#[tokio::test]
async fn the_owner_gets_in_during_a_back_off_from_where_they_enrolled_or_reset() {
    let app = spawn(Options { demo: true, behind_proxy: true, ..Default::default() }).await;
    // Invited staff: the first sign-in is the enrolment (no earlier successful sign-in).
    app.create_staff("ann@northwind-analytics.example", &[Sales], false).await;
    let home = app.browser_from("198.51.100.10");
    home.post_form("/api/staff_sign_in", &[("email", "ann@northwind-analytics.example"), ("password", PASSWORD)]).await;
    let (_, page) = home.get_text("/staff/two-factor/setup").await;
    let secret = page
        .split("data-test=\"totp-secret\"")
        .nth(1)
        .and_then(|r| r.split('>').nth(1))
        .and_then(|r| r.split('<').next())
        .map(|s| s.trim().replace(' ', ""));
    let secret = secret.unwrap_or_else(|| panic!("the setup page shows the secret: {page}"));
    let code = app::ssr::totp::code_at(&secret, app::types::Timestamp::now().0 as u64).unwrap();
    let res = home.post_form("/api/confirm_two_factor_setup", &[("code", &code)]).await;
    assert_eq!(location(&res), "/staff/recovery-codes");
    for n in 0..25 {
        app.browser_from(&format!("203.0.113.{n}"))
            .post_form(
                "/api/staff_sign_in",
                &[("email", "ann@northwind-analytics.example"), ("password", "guess guess guess")],
            )
            .await;
    }
    let res = app
        .browser_from("198.51.100.10")
        .post_form("/api/staff_sign_in", &[("email", "ann@northwind-analytics.example"), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&res), "/staff/two-factor", "the network she enrolled from still gets in");
    // From a new network: refused, until she resets her password from there.
    let travel = app.browser_from("192.0.2.200");
    let res = travel
        .post_form("/api/staff_sign_in", &[("email", "ann@northwind-analytics.example"), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&res), "/staff/sign-in");
    travel.post_form("/api/request_password_reset", &[("email", "ann@northwind-analytics.example")]).await;
    let mail = app
        .wait_for_mails("ann@northwind-analytics.example", 2)
        .await
        .into_iter()
        .find(|m| m.subject.contains("Reset"))
        .expect("a reset mail");
    let token = crate::helpers::token_from(&mail.link(&app.url("/staff/reset/confirm?token=")));
    let res =
        travel.post_form("/api/reset_password", &[("token", &token), ("password", "a whole new passphrase")]).await;
    assert_eq!(location(&res), "/staff/sign-in");
    let res = travel
        .post_form(
            "/api/staff_sign_in",
            &[("email", "ann@northwind-analytics.example"), ("password", "a whole new passphrase")],
        )
        .await;
    assert_eq!(location(&res), "/staff/two-factor", "the reset let that network in");
}
