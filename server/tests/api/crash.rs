//! The real binary, killed with SIGKILL in the middle of concurrent downloads: afterwards every
//! copy that left the server has its log row, and the access log still verifies.

use crate::{
    child::{self, big_pdf, outbox_token, wait_healthy},
    helpers::{location, Browser},
};
use app::ssr::{db::Db, storage::FileStore};
use std::{
    path::Path,
    process::{Child, Command},
};

fn start(data: &Path, port: u16) -> Child {
    child::start(Path::new(env!("CARGO_BIN_EXE_vouchsafe")), data, port)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_download_delivered_nothing_without_its_log_row() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start(data, port);
    wait_healthy(&base).await;

    // A prospect with access to the SOC 2 report, which is now a large file.
    let pat = Browser::for_base(&base);
    pat.post_form(
        "/api/request_sign_in_link",
        &[("email", "pat@contoso.example"), ("name", "Pat"), ("company", "Contoso")],
    )
    .await;
    let token = outbox_token(data, "pat@contoso.example").await;
    assert_eq!(location(&pat.post_form("/api/confirm_sign_in", &[("token", &token)]).await), "/account");
    pat.post_form(
        "/api/submit_access_request",
        &[("slug", "all"), ("documents[0]", "soc2-type-ii-report"), ("role", "A"), ("reason", "B")],
    )
    .await;
    let page = pat.get_text("/nda").await.1;
    let value = |name: &str| {
        let tag = page.split(&format!("name=\"{name}\"")).nth(1).unwrap().split('>').next().unwrap();
        tag.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
    };
    let (v, s) = (value("version_id"), value("sha256"));
    pat.post_form(
        "/api/accept_nda",
        &[("version_id", &v), ("sha256", &s), ("name", "Pat"), ("title", "T"), ("consent", "yes")],
    )
    .await;
    {
        let db = Db::connect(&app::ssr::config::sqlite_url_for(&data.join("vouchsafe.db"))).await.unwrap();
        let files = FileStore::new(db.clone(), data.join("files"));
        let stored = app::features::documents::server::current_version(&db, "soc2-type-ii-report").await.unwrap();
        let mut tx = db.begin().await.unwrap();
        app::features::documents::server::add_version(
            &mut tx,
            &files,
            stored.document_id,
            "soc2.pdf",
            &big_pdf(6_000_000),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        db.pool().close().await;
    }

    // Four downloads at once, each read only a little, then the server is killed.
    let mut links = Vec::new();
    for _ in 0..4 {
        let res = pat.post_form("/documents/soc2-type-ii-report/get", &[]).await;
        links.push(location(&res));
    }
    let mut received = Vec::new();
    let mut holders = Vec::new();
    for link in links {
        let mut res = pat.get(&link).await;
        assert_eq!(res.status(), 200);
        let id = res.headers()["x-download-id"].to_str().unwrap().to_string();
        let first = res.chunk().await.unwrap().unwrap();
        assert!(first.starts_with(b"%PDF"), "bytes left the server");
        received.push(id);
        holders.push(res);
    }
    // SIGKILL: no shutdown code runs.
    server.kill().unwrap();
    server.wait().unwrap();
    drop(holders);

    // After the crash: each delivered copy has its downloads row and its logged start.
    let db = Db::connect(&app::ssr::config::sqlite_url_for(&data.join("vouchsafe.db"))).await.unwrap();
    for id in &received {
        let row: Option<(String, String)> =
            sqlx::query_as("select status, delivered_sha256 from downloads where id = $1")
                .bind(id)
                .fetch_optional(db.pool())
                .await
                .unwrap();
        let (status, sha) = row.unwrap_or_else(|| panic!("download {id} left the server without its row"));
        assert!(status == "started" || status == "completed", "{status}");
        assert_eq!(sha.len(), 64);
        let (logged,): (i64,) =
            sqlx::query_as("select count(*) from access_log where event = 'download.started' and details like $1")
                .bind(format!("%{id}%"))
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert_eq!(logged, 1, "download {id} has its log row");
    }
    db.pool().close().await;

    // The server comes back, and the log verifies.
    let mut again = start(data, port);
    wait_healthy(&base).await;
    let out = Command::new(env!("CARGO_BIN_EXE_vouchsafe"))
        .args(["audit", "verify"])
        .env("VOUCHSAFE_DATA_DIR", data)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.starts_with("ok: "));
    let _ = again.kill();
    let _ = again.wait();
}
