//! Two real `vouchsafe` processes on one PostgreSQL database are one trust center: started
//! together (migrations and the demo race), they share sessions, files, download links, the
//! public page's cache, rate limits, the mail queue and one access-log chain; metrics are served
//! on their own address. Runs when `VOUCHSAFE_TEST_POSTGRES` names a server (`scripts/test`
//! starts one); SQLite is the engine of one instance.

use crate::{
    helpers::{create_staff_in, fresh_postgres_database, location, token_from, Browser, PASSWORD},
    smtp::SmtpServer,
};
use app::{
    features::accounts::model::StaffRole,
    ssr::{db::Db, keys::SecretsKey},
};
use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// A running `vouchsafe serve --demo`, stopped with the test.
struct Instance {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Instance {
    fn start(name: &str, dir: &Path, database: &str, public: &str, smtp: &str, metrics: Option<u16>) -> (Self, u16) {
        let port = free_port();
        let log = dir.join(format!("{name}.log"));
        let keys = dir.join("keys");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_vouchsafe"));
        cmd.args(["serve", "--demo"])
            .env("DATABASE_URL", database)
            .env("VOUCHSAFE_DATA_DIR", dir.join(name))
            .env("VOUCHSAFE_ADDR", format!("127.0.0.1:{port}"))
            // Behind one reverse proxy both answer for one public address.
            .env("VOUCHSAFE_BASE_URL", public)
            .env("VOUCHSAFE_SMTP_URL", smtp)
            .env("VOUCHSAFE_LINK_KEY", keys.join("link.key"))
            .env("VOUCHSAFE_AUDIT_KEY", keys.join("audit.key"))
            .env("VOUCHSAFE_SECRETS_KEY", keys.join("secrets.key"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        if let Some(port) = metrics {
            cmd.env("VOUCHSAFE_METRICS_ADDR", format!("127.0.0.1:{port}"));
        }
        let child = cmd.spawn().expect("the vouchsafe binary");
        (Self { child, base: format!("http://127.0.0.1:{port}"), log }, port)
    }

    /// Waits until `/readyz` answers 200 (database reachable, migrated).
    async fn ready(&mut self) {
        let started = Instant::now();
        loop {
            if reqwest::get(format!("{}/readyz", self.base)).await.is_ok_and(|r| r.status() == 200) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("{} exited ({status}): {}", self.base, std::fs::read_to_string(&self.log).unwrap_or_default());
            }
            assert!(started.elapsed() < Duration::from_secs(60), "{} not ready", self.base);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Stops the process as a service manager would (SIGTERM) and returns whether it ended well.
    fn stop(&mut self) -> bool {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_as::<_, (i64,)>(sql).fetch_one(db.pool()).await.unwrap().0
}

#[tokio::test]
async fn two_processes_on_one_postgresql_are_one_trust_center() {
    let Ok(server) = std::env::var("VOUCHSAFE_TEST_POSTGRES") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let keys = Command::new(env!("CARGO_BIN_EXE_vouchsafe"))
        .args(["keys", "generate", "--out"])
        .arg(dir.path().join("keys"))
        .output()
        .unwrap();
    assert!(keys.status.success(), "{}", String::from_utf8_lossy(&keys.stderr));
    let database = fresh_postgres_database(&server).await;
    let smtp = SmtpServer::start();
    let public_port = free_port();
    let public = format!("http://127.0.0.1:{public_port}");
    let metrics_port = free_port();
    // Started together on an empty database: both migrate, both try to seed the demo.
    let (mut a, _) = Instance::start("a", dir.path(), &database, &public, &smtp.url(), Some(metrics_port));
    let (mut b, _) = Instance::start("b", dir.path(), &database, &public, &smtp.url(), None);
    a.ready().await;
    b.ready().await;
    let db = Db::connect(&database).await.unwrap();
    assert_eq!(count(&db, "select count(*) from company_profile").await, 1, "one demo");
    assert_eq!(count(&db, "select count(*) from kb_entries").await, 80, "seeded once, completely");
    let on_a = || Browser::for_instance(&a.base, &public);
    let on_b = || Browser::for_instance(&b.base, &public);

    // A staff session made on A works on B.
    let secrets = SecretsKey::load(&dir.path().join("keys/secrets.key"), false).unwrap();
    let totp = create_staff_in(&db, &secrets, "sam@northwind-analytics.example", &[StaffRole::Security], true).await;
    let sam = on_a();
    sam.staff_sign_in("sam@northwind-analytics.example", PASSWORD, &totp.unwrap()).await;
    let sam_b = on_b();
    sam_b.set_session_cookie(&sam.session_cookie().expect("a session"));
    let (status, page) = sam_b.get_text("/admin/documents").await;
    assert!(status == 200 && page.contains("SOC 2 Type II Report"), "A's session works on B");

    // A document uploaded on A downloads from B through a link issued on A.
    let pdf = app::ssr::pdf::TextDocument {
        title: "Penetration test summary".into(),
        subtitle: Some("Uploaded on instance A".into()),
        blocks: vec![],
        footer: "pentest".into(),
    }
    .render()
    .unwrap();
    let res = sam
        .post_multipart(
            "/admin/documents/upload",
            &[("title", "Pen test"), ("slug", "pentest-2027"), ("kind", "other"), ("visibility", "restricted")],
            ("pentest.pdf", pdf),
        )
        .await;
    assert_eq!(location(&res), "/admin/documents", "uploaded on A");
    let pat = on_a();
    let res = pat
        .post_form(
            "/api/request_sign_in_link",
            &[("email", "pat@contoso.example"), ("name", "Pat"), ("company", "Contoso")],
        )
        .await;
    assert_eq!(res.status(), 302);
    let mail = smtp.wait_for("pat@contoso.example", 1).await;
    let token = token_from(&mail.link(&format!("{public}/sign-in/confirm?token=")));
    assert_eq!(location(&pat.post_form("/api/confirm_sign_in", &[("token", &token)]).await), "/account");
    pat.post_form(
        "/api/submit_access_request",
        &[("slug", "pentest-2027"), ("documents[0]", "pentest-2027"), ("role", "Analyst"), ("reason", "Review")],
    )
    .await;
    let (_, nda) = pat.get_text("/nda").await;
    let value = |name: &str| {
        let tag = nda.split(&format!("name=\"{name}\"")).nth(1).unwrap().split('>').next().unwrap();
        tag.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
    };
    pat.post_form(
        "/api/accept_nda",
        &[
            ("version_id", &value("version_id")),
            ("sha256", &value("sha256")),
            ("name", "Pat"),
            ("title", "Analyst"),
            ("consent", "yes"),
        ],
    )
    .await;
    let link = location(&pat.post_form("/documents/pentest-2027/get", &[]).await);
    assert!(link.starts_with("/download/"), "a link issued on A: {link}");
    let pat_b = on_b();
    pat_b.set_session_cookie(&pat.session_cookie().unwrap());
    let res = pat_b.get(&link).await;
    assert_eq!(res.status(), 200, "redeemed on B, whose data directory has none of A's files");
    let bytes = res.bytes().await.unwrap();
    let text = lopdf::Document::load_mem(&bytes).unwrap().extract_text(&[1]).unwrap();
    assert!(text.contains("Uploaded on instance A"), "the file uploaded on A: {text}");

    // A publish on A is on B's public page within two seconds.
    let visitor_b = on_b();
    assert!(visitor_b.get_text("/").await.1.contains("SOC 3 Report"), "B has the page cached");
    let (soc3,): (i64,) =
        sqlx::query_as("select id from documents where slug = 'soc3-report'").fetch_one(db.pool()).await.unwrap();
    let res = sam
        .post_form(
            "/api/update_document",
            &[("id", &soc3.to_string()), ("title", "SOC 3 (2027)"), ("visibility", "public"), ("description", "")],
        )
        .await;
    assert!(sam.get_text(&location(&res)).await.1.contains("Document updated."));
    let started = Instant::now();
    while !visitor_b.get_text("/").await.1.contains("SOC 3 (2027)") {
        assert!(started.elapsed() < Duration::from_secs(2), "B shows A's publish within two seconds");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A rate limit holds across both: five wrong passwords in all, alternating.
    create_staff_in(&db, &secrets, "ann@northwind-analytics.example", &[StaffRole::Admin], true).await;
    let mut refused_at = None;
    for n in 0..10 {
        let browser = if n % 2 == 0 { on_a() } else { on_b() };
        let res = browser
            .post_form("/api/staff_sign_in", &[("email", "ann@northwind-analytics.example"), ("password", "wrong")])
            .await;
        if browser.get_text(&location(&res)).await.1.contains("Too many attempts") {
            refused_at = Some(n);
            break;
        }
    }
    assert_eq!(refused_at, Some(5), "the sixth attempt overall is refused");

    // Concurrent logged actions that queue mail, on both at once.
    let requests = (0..8).map(|n| {
        let browser = if n % 2 == 0 { on_a() } else { on_b() };
        async move {
            let email = format!("reader{n}@fabrikam.example");
            let res = browser
                .post_form(
                    "/api/request_sign_in_link",
                    &[("email", &email), ("name", "Reader"), ("company", "Fabrikam")],
                )
                .await;
            assert_eq!(location(&res), "/sign-in/check-email", "{email}");
        }
    });
    let mut tasks = tokio::task::JoinSet::new();
    for request in requests {
        tasks.spawn(request);
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    let started = Instant::now();
    while count(&db, "select count(*) from mail_outbox where status <> 'sent'").await > 0 {
        assert!(started.elapsed() < Duration::from_secs(20), "every queued mail is sent");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = smtp.mails();
    for n in 0..8 {
        let to = format!("reader{n}@fabrikam.example");
        assert_eq!(received.iter().filter(|m| m.to.contains(&to)).count(), 1, "{to}: exactly once");
    }
    assert_eq!(received.len() as i64, count(&db, "select count(*) from mail_outbox").await, "no mail twice");

    // Metrics, on A's own metrics address: requests by route pattern, mail, the log's signing.
    assert_eq!(on_a().get_text("/").await.0, 200);
    let metrics = reqwest::get(format!("http://127.0.0.1:{metrics_port}/metrics")).await.unwrap();
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    for expected in [
        "vouchsafe_http_requests_total{route=\"/\",method=\"GET\",status=\"200\"}",
        "vouchsafe_http_requests_total{route=\"/documents/{slug}/get\",method=\"POST\"",
        "vouchsafe_http_request_duration_seconds_bucket{",
        "vouchsafe_mail_queue_depth 0",
        "vouchsafe_audit_checkpoint_age_seconds",
        "vouchsafe_audit_unsigned_entries",
        "vouchsafe_suggestion_jobs_running 0",
        "vouchsafe_stamping_duration_seconds_count",
        "# EOF",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    assert!(!text.contains("pentest-2027"), "routes are patterns, never paths");
    assert_eq!(reqwest::get(format!("{}/metrics", a.base)).await.unwrap().status(), 404, "not on the public site");

    // Stopped as a service manager stops them; the one chain verifies with the shared key.
    assert!(a.stop() && b.stop(), "both stop cleanly on SIGTERM");
    let verify = Command::new(env!("CARGO_BIN_EXE_vouchsafe"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", &database)
        .env("VOUCHSAFE_DATA_DIR", dir.path().join("a"))
        .env("VOUCHSAFE_AUDIT_KEY", dir.path().join("keys/audit.key"))
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success(), "{report}{}", String::from_utf8_lossy(&verify.stderr));
    let events = count(&db, "select count(*) from access_log").await;
    assert!(events > 10, "{events} entries from both instances");
}
