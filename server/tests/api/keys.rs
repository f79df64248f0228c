//! Keys and files shared by every instance: `vouchsafe keys generate`, a link issued by one
//! instance and redeemed by another with a data directory of its own, and PostgreSQL refusing to
//! start without shared keys.

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
