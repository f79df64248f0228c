//! Several instances of one trust center: shared keys (`vouchsafe keys generate`, and
//! PostgreSQL refusing to start without them), files served by any instance (a link issued by one
//! redeemed by another with a data directory of its own), and caches that follow changes made on
//! another instance within two seconds.

use crate::helpers::{location, spawn_app, Browser};
use app::features::accounts::model::StaffRole;

#[test]
fn keys_generate_writes_three_private_distinct_keys_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("keys");
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_vouchsafe"))
            .args(["keys", "generate", "--out"])
            .arg(&out)
            .env("VOUCHSAFE_DATA_DIR", dir.path().join("data"))
            .output()
            .unwrap()
    };
    let first = run();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let stdout = String::from_utf8(first.stdout).unwrap();
    let mut keys = Vec::new();
    for (variable, file) in [
        ("VOUCHSAFE_LINK_KEY", "link.key"),
        ("VOUCHSAFE_AUDIT_KEY", "audit.key"),
        ("VOUCHSAFE_SECRETS_KEY", "secrets.key"),
    ] {
        let path = out.join(file);
        assert!(stdout.contains(&format!("{variable}={}", path.canonicalize().unwrap().display())), "{stdout}");
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.trim().len(), 64, "32 bytes, hex");
        assert!(text.trim().bytes().all(|b| b.is_ascii_hexdigit()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600, "{file}");
        }
        keys.push(text);
    }
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 3, "three different keys");
    let before = std::fs::read_to_string(out.join("link.key")).unwrap();
    let again = run();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("never overwritten"));
    assert_eq!(std::fs::read_to_string(out.join("link.key")).unwrap(), before, "unchanged");
}

/// An approved prospect of `app`, and the signed link instance A issued them for the SOC 2 report.
async fn link_from_a(app: &crate::helpers::TestApp) -> (Browser, String) {
    let pat = app.prospect_browser("pat@contoso.example").await;
    pat.post_form(
        "/api/submit_access_request",
        &[
            ("slug", "soc2-type-ii-report"),
            ("documents[0]", "soc2-type-ii-report"),
            ("role", "Analyst"),
            ("reason", "Vendor review"),
        ],
    )
    .await;
    let (_, page) = pat.get_text("/nda").await;
    let value = |name: &str| {
        let tag = page.split(&format!("name=\"{name}\"")).nth(1).unwrap().split('>').next().unwrap();
        tag.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
    };
    let (version, sha) = (value("version_id"), value("sha256"));
    pat.post_form(
        "/api/accept_nda",
        &[("version_id", &version), ("sha256", &sha), ("name", "Pat"), ("title", "Analyst"), ("consent", "yes")],
    )
    .await;
    let res = pat.post_form("/documents/soc2-type-ii-report/get", &[]).await;
    let link = location(&res);
    assert!(link.starts_with("/download/"), "{link}");
    (pat, link)
}

#[tokio::test]
async fn a_link_issued_by_one_instance_is_redeemed_by_another_with_the_same_keys_only() {
    let app = spawn_app().await;
    // Sessions live in the database: the prospect's cookie works on the second instance too.
    let (pat, link) = link_from_a(&app).await;
    let cookie = pat.session_cookie().expect("a session");

    let other_key = app.state.config.data_dir.join("another-link.key");
    let stranger = app
        .second_instance(|c| {
            c.link_key_path = other_key.clone();
            c.configured_keys.retain(|v| *v != "VOUCHSAFE_LINK_KEY");
        })
        .await;
    if let Ok(addr) = stranger {
        // Only on SQLite may an instance make its own key; its links are not the others'.
        let b = Browser::for_base(&format!("http://{addr}"));
        b.set_session_cookie(&cookie);
        assert_eq!(location(&b.get(&link).await), "/account", "another key: refused, not served");
    }

    // The twin has a data directory of its own: the file comes from the database.
    let elsewhere = tempfile::tempdir().unwrap();
    let twin = app.second_instance(|c| c.data_dir = elsewhere.path().to_path_buf()).await.expect("a second instance");
    let b = Browser::for_base(&format!("http://{twin}"));
    b.set_session_cookie(&cookie);
    let res = b.get(&link).await;
    assert_eq!(res.status(), 200, "the link issued on A is redeemed on B, which has none of A's files");
    assert!(res.bytes().await.unwrap().starts_with(b"%PDF-"));
    let sales = app.staff_browser("sol@northwind-analytics.example", &[StaffRole::Sales]).await;
    assert!(sales.get_text("/admin/audit?event=download.completed").await.1.contains("pat@contoso.example"));
}

#[tokio::test]
async fn postgresql_refuses_to_start_an_instance_without_shared_keys() {
    let app = spawn_app().await;
    let started = app
        .second_instance(|c| {
            c.configured_keys.clear();
        })
        .await;
    match app.state.db.backend() {
        app::ssr::db::Backend::Postgres => {
            let error = format!("{:#}", started.expect_err("refused"));
            assert!(error.contains("VOUCHSAFE_LINK_KEY") && error.contains("keys generate"), "{error}");
        }
        app::ssr::db::Backend::Sqlite => assert!(started.is_ok(), "one instance on SQLite keeps its own keys"),
    }
    // A key file named but missing is never created on PostgreSQL.
    let missing = app.state.config.data_dir.join("no-such.key");
    let started = app.second_instance(|c| c.audit_key_path = missing.clone()).await;
    if app.state.db.backend() == app::ssr::db::Backend::Postgres {
        assert!(started.is_err() && !missing.exists());
    }
}

/// Fetches `path` from `browser` until `found` holds, for up to two seconds.
async fn within_two_seconds(browser: &Browser, path: &str, found: impl Fn(&str) -> bool) -> bool {
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(2) {
        if found(&browser.get_text(path).await.1) {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn a_change_on_one_instance_reaches_the_other_instances_caches_within_two_seconds() {
    let app = spawn_app().await;
    let b = app.second_instance(|_| {}).await.expect("a second instance");
    let on_b = Browser::for_base(&format!("http://{b}"));
    // B renders and caches the public page.
    assert!(!on_b.get_text("/").await.1.contains("SOC 3 Report (renamed)"));
    assert!(on_b.get_text("/").await.1.contains("SOC 3 Report"), "cached now");

    let sec = app.staff_browser("sam@northwind-analytics.example", &[StaffRole::Security]).await;
    let (soc3,): (i64,) = sqlx::query_as("select id from documents where slug = 'soc3-report'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let res = sec
        .post_form(
            "/api/update_document",
            &[
                ("id", &soc3.to_string()),
                ("title", "SOC 3 Report (renamed)"),
                ("visibility", "public"),
                ("description", ""),
            ],
        )
        .await;
    assert!(sec.get_text(&location(&res)).await.1.contains("Document updated."));
    assert!(
        within_two_seconds(&on_b, "/", |page| page.contains("SOC 3 Report (renamed)")).await,
        "B's public page shows the change made on A"
    );

    // B's suggestion index forgets an entry retired on A.
    let sec_b = Browser::for_base(&format!("http://{b}"));
    sec_b.set_session_cookie(&sec.session_cookie().unwrap());
    let try_path = "/admin/kb?try=Is+multi-factor+authentication+required+for+employees%3F";
    let suggests_kb001 = |page: &str| {
        page.split("data-test-decision").nth(1).is_some_and(|r| r.split("</div>").next().unwrap().contains(">KB-001<"))
    };
    assert!(suggests_kb001(&sec_b.get_text(try_path).await.1), "B has built its index with KB-001");
    let (kb1,): (i64,) = sqlx::query_as("select id from kb_entries where external_id = 'KB-001'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    sec.post_form("/api/kb_set_state", &[("id", &kb1.to_string()), ("action", "retire")]).await;
    assert!(
        within_two_seconds(&sec_b, try_path, |page| !suggests_kb001(page)).await,
        "an entry retired on A is never suggested by B"
    );
}

#[tokio::test]
async fn two_instances_seeding_the_demo_at_once_make_one_complete_demo() {
    let app = crate::helpers::spawn_empty_app().await;
    let (state, today) = (&app.state, app::types::IsoDate::today_utc());
    let (a, b) = tokio::join!(
        app::demo::seed_if_empty(&state.db, &state.files, today),
        app::demo::seed_if_empty(&state.db, &state.files, today)
    );
    let (a, b) = (a.expect("first"), b.expect("second"));
    assert!(a ^ b, "exactly one seeded ({a}, {b})");
    let count = |table: &'static str| async move {
        let (n,): (i64,) =
            sqlx::query_as(&format!("select count(*) from {table}")).fetch_one(state.db.pool()).await.unwrap();
        n
    };
    assert_eq!(count("company_profile").await, 1);
    assert_eq!(count("kb_entries").await, 80, "the knowledge base once");
    assert!(count("published_versions").await >= 1, "published: the site is complete");
    let (titles, distinct): (i64, i64) = sqlx::query_as("select count(*), count(distinct title) from controls")
        .fetch_one(state.db.pool())
        .await
        .unwrap();
    assert_eq!(titles, distinct, "no control twice");
    assert!(!app::demo::seed_if_empty(&state.db, &state.files, today).await.unwrap(), "and never again");
}

/// The demo is seeded in one transaction with its claim: a seeder that dies midway (here, a
/// transaction holding the claim and some content, then rolled back as a dead connection's is)
/// leaves nothing behind, and the instance that was waiting for it seeds the complete demo.
#[tokio::test]
async fn a_seeder_dying_midway_leaves_nothing_and_the_waiting_instance_seeds() {
    let app = crate::helpers::spawn_empty_app().await;
    let (state, today) = (&app.state, app::types::IsoDate::today_utc());
    let mut dying = state.db.begin().await.unwrap();
    sqlx::query("insert into seed_claims (name, claimed_at) values ('demo', 1)").execute(&mut *dying).await.unwrap();
    sqlx::query(
        "insert into nda_versions (version, title, body_markdown, published_at, created_at, updated_at) \
         values (1, 'Half', 'Half', 1, 1, 1)",
    )
    .execute(&mut *dying)
    .await
    .unwrap();
    let waiting = app::demo::seed_if_empty(&state.db, &state.files, today);
    let died = async {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        dying.rollback().await.unwrap();
    };
    let (seeded, ()) = tokio::join!(waiting, died);
    assert!(seeded.expect("the waiting instance seeds"), "it found no claim left behind");
    let (ndas,): (i64,) = sqlx::query_as("select count(*) from nda_versions").fetch_one(state.db.pool()).await.unwrap();
    assert_eq!(ndas, 1, "nothing of the dead seeder's remains");
    let (kb,): (i64,) = sqlx::query_as("select count(*) from kb_entries").fetch_one(state.db.pool()).await.unwrap();
    assert_eq!(kb, 80, "the demo is complete");
    assert!(app::ssr::audit::verify_chain(&state.db).await.unwrap().is_ok());
}

#[tokio::test]
async fn rate_limits_hold_across_instances() {
    let app = spawn_app().await;
    app.create_staff("ann@northwind-analytics.example", &[StaffRole::Admin], true).await;
    let b = app.second_instance(|_| {}).await.expect("a second instance");
    let on_b = || Browser::for_instance(&format!("http://{b}"), &format!("http://{}", app.addr));
    // Wrong passwords for one account from one client, alternating between the instances: each
    // instance alone would allow five, together they allow five.
    let mut refused_at = None;
    for n in 0..10 {
        let browser = if n % 2 == 0 { app.browser() } else { on_b() };
        let res = browser
            .post_form(
                "/api/staff_sign_in",
                &[("email", "ann@northwind-analytics.example"), ("password", "wrong guess")],
            )
            .await;
        let page = browser.get_text(&location(&res)).await.1;
        if page.contains("Too many attempts") {
            refused_at = Some(n);
            break;
        }
    }
    assert_eq!(refused_at, Some(5), "the sixth attempt overall is refused");

    // Sign-in links for one address: three per window, wherever they are asked for.
    let mut sent = 0;
    for n in 0..6 {
        let browser = if n % 2 == 0 { app.browser() } else { on_b() };
        let res = browser
            .post_form(
                "/api/request_sign_in_link",
                &[("email", "pat@contoso.example"), ("name", "Pat"), ("company", "Contoso")],
            )
            .await;
        if location(&res).starts_with("/sign-in/check-email") {
            sent += 1;
        }
    }
    assert_eq!(sent, 3, "three links, not three per instance");
}

#[tokio::test]
async fn mail_workers_on_several_instances_send_each_queued_mail_exactly_once() {
    use app::ssr::mail::{self, worker, OutgoingMail};
    let app = crate::helpers::spawn_app_with_smtp().await;
    let state = &app.state;
    let mut tx = state.db.begin().await.unwrap();
    for n in 0..40 {
        let mail = OutgoingMail {
            from_name: "Trust Center".into(),
            to_address: format!("reader{n}@buyer.example"),
            to_name: String::new(),
            subject: format!("Mail {n}"),
            text_body: "Hello".into(),
            html_body: "<p>Hello</p>".into(),
            headers: Default::default(),
            attachments: vec![],
        };
        mail::enqueue(&mut tx, &mail).await.unwrap();
    }
    tx.commit().await.unwrap();
    // Three workers at once: this instance's own, and two more as two other instances would run.
    for _ in 0..4 {
        let (a, b) =
            tokio::join!(worker::send_due(&state.db, &state.mailer), worker::send_due(&state.db, &state.mailer));
        a.unwrap();
        b.unwrap();
    }
    let started = std::time::Instant::now();
    loop {
        let (pending,): (i64,) = sqlx::query_as("select count(*) from mail_outbox where status <> 'sent'")
            .fetch_one(state.db.pool())
            .await
            .unwrap();
        if pending == 0 {
            break;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "{pending} mails not sent");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let received = app.smtp().mails();
    for n in 0..40 {
        let to = format!("reader{n}@buyer.example");
        assert_eq!(received.iter().filter(|m| m.to.contains(&to)).count(), 1, "{to}: exactly once");
    }
}

/// Many actions at once, each reading through the pool while its transaction is open (as mail
/// branding and settings are read): more than the pool has connections. Before write transactions
/// were limited to half the pool, every connection ended up held by a transaction waiting for a
/// second one, and all of them failed when the pool timed out ten seconds later.
#[tokio::test]
async fn more_concurrent_actions_than_connections_all_complete() {
    let app = crate::helpers::spawn_empty_app().await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let db = app.state.db.clone();
        tasks.spawn(async move {
            let mut tx = db.begin().await?;
            sqlx::query("update access_settings set default_access_days = default_access_days where id = 1")
                .execute(&mut *tx)
                .await?;
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            sqlx::query("select count(*) from staff_users").execute(db.pool()).await?;
            tx.commit().await
        });
    }
    let mut failed = Vec::new();
    while let Some(done) = tasks.join_next().await {
        if let Err(err) = done.unwrap() {
            failed.push(err.to_string());
        }
    }
    assert!(failed.is_empty(), "{} of 40 failed: {:?}", failed.len(), failed.first());
}
