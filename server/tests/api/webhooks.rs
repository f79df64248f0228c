//! Webhooks, received by a real HTTP server this test starts: the Standard Webhooks signature
//! checked with the specification's algorithm (written here, not the server's), queued with the
//! action, retried after a 500, the delivery log and redelivery, the chat format, no delivery to
//! a refused address and no redirect followed, and the command line.

use crate::helpers::{location, spawn, Browser, Options, TestApp};
use app::features::accounts::model::StaffRole;
use axum::{extract::State, http::HeaderMap, routing::post, Router};
use base64::{engine::general_purpose::STANDARD, Engine};
use serde_json::Value;
use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

const SOC2: &str = "soc2-type-ii-report";

type Got = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// An HTTP server that records every request and answers with the queued statuses (then 200).
struct Receiver {
    url: String,
    got: Got,
    statuses: Arc<Mutex<VecDeque<u16>>>,
}

async fn receiver() -> Receiver {
    let got: Got = Arc::default();
    let statuses: Arc<Mutex<VecDeque<u16>>> = Arc::default();
    async fn hook(
        State((got, statuses)): State<(Got, Arc<Mutex<VecDeque<u16>>>)>,
        headers: HeaderMap,
        body: String,
    ) -> axum::response::Response {
        use axum::response::IntoResponse;
        got.lock().unwrap().push((headers, body));
        let status = statuses.lock().unwrap().pop_front().unwrap_or(200);
        let code = axum::http::StatusCode::from_u16(status).unwrap();
        if code.is_redirection() {
            return (code, [("location", "http://127.0.0.1:9/elsewhere")]).into_response();
        }
        code.into_response()
    }
    let app = Router::new().route("/hook", post(hook)).with_state((got.clone(), statuses.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Receiver { url: format!("http://{addr}/hook"), got, statuses }
}

impl Receiver {
    /// Waits (up to 20 s) until `n` requests have arrived; returns them.
    async fn wait_for(&self, n: usize) -> Vec<(HeaderMap, String)> {
        for _ in 0..200 {
            if self.got.lock().unwrap().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let got = self.got.lock().unwrap().clone();
        assert!(got.len() >= n, "expected {n} requests, got {}", got.len());
        got
    }
}

async fn app_allowing_loopback() -> TestApp {
    spawn(Options {
        demo: true,
        env: vec![("VOUCHSAFE_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1".into())],
        ..Options::default()
    })
    .await
}

/// Adds a webhook on `/admin/integrations`; returns its secret, read from the notice shown once.
async fn add_webhook(admin: &Browser, url: &str, format: &str, events: &[&str]) -> String {
    let fields: Vec<String> = events.iter().map(|e| format!("event_{}", e.replace('.', "_"))).collect();
    let mut form = vec![("url", url), ("format", format)];
    form.extend(fields.iter().map(|f| (f.as_str(), "yes")));
    let res = admin.post_form("/api/create_webhook", &form).await;
    let page = admin.get_text(&location(&res)).await.1;
    let at = page.find("whsec_").unwrap_or_else(|| panic!("no secret shown: {page}"));
    let secret: String = page[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || "_+/=".contains(*c)).collect();
    assert!(!admin.get_text("/admin/integrations").await.1.contains(&secret), "shown once");
    secret
}

/// The Standard Webhooks check, as the specification gives it: HMAC-SHA-256 over
/// `{id}.{timestamp}.{body}` keyed with the base64-decoded secret, compared with each `v1,`
/// signature in the header.
fn verifies(secret: &str, headers: &HeaderMap, body: &str) -> bool {
    use hmac::{Mac, SimpleHmac};
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let (id, timestamp) = (header("webhook-id"), header("webhook-timestamp"));
    let ts: i64 = timestamp.parse().unwrap_or(0);
    if (app::types::Timestamp::now().0 - ts).abs() > 300 {
        return false;
    }
    let key = STANDARD.decode(secret.trim_start_matches("whsec_")).unwrap();
    let mut mac = SimpleHmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    header("webhook-signature").split(' ').any(|s| s.strip_prefix("v1,") == Some(expected.as_str()))
}

async fn request_access(app: &TestApp, email: &str) {
    let prospect = app.prospect_browser(email).await;
    let res = prospect
        .post_form(
            "/api/submit_access_request",
            &[("slug", SOC2), ("documents[0]", SOC2), ("role", "Analyst"), ("reason", "Vendor review")],
        )
        .await;
    assert!(res.status().is_redirection() || res.status().is_success(), "{}", res.status());
}

async fn delivery(app: &TestApp) -> (String, i64, Option<i64>, Option<String>, i64) {
    sqlx::query_as(
        "select status, attempts, last_status, last_error, next_attempt_at from webhook_deliveries order by id desc limit 1",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn standard_webhooks_are_signed_queued_with_the_action_and_retried_after_a_500() {
    let hook = receiver().await;
    let app = app_allowing_loopback().await;
    let admin = app.staff_browser("ada@northwind-analytics.example", &[StaffRole::Admin]).await;
    let secret = add_webhook(&admin, &hook.url, "standard", &["access.requested", "audit.checkpoint"]).await;
    let (sealed,): (String,) =
        sqlx::query_as("select secret_sealed from webhooks").fetch_one(app.state.db.pool()).await.unwrap();
    assert!(!sealed.contains(&secret[6..]), "the secret is sealed at rest");

    hook.statuses.lock().unwrap().push_back(500);
    request_access(&app, "pat@wingtip.example").await;
    let (events,): (i64,) = sqlx::query_as("select count(*) from webhook_deliveries where event = 'access.requested'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(events, 1, "queued with the request");

    // The first attempt gets a 500: kept for a retry, with back-off.
    let first = hook.wait_for(1).await;
    for _ in 0..50 {
        if delivery(&app).await.1 == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (status, attempts, last, _, next) = delivery(&app).await;
    assert_eq!((status.as_str(), attempts, last), ("pending", 1, Some(500)));
    assert!(next >= app::types::Timestamp::now().0 + 20, "the next try waits");
    // Due now: the worker tries again and it is delivered.
    sqlx::query("update webhook_deliveries set next_attempt_at = 0").execute(app.state.db.pool()).await.unwrap();
    let got = hook.wait_for(2).await;
    for _ in 0..50 {
        if delivery(&app).await.0 == "delivered" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(delivery(&app).await.0, "delivered");
    let (headers, body) = &got[1];
    assert!(verifies(&secret, headers, body), "signature checks out with the specification's algorithm");
    assert!(!verifies(&secret, headers, &body.replacen("wingtip", "wingtop", 1)), "and not over a changed body");
    assert!(!verifies("whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=", headers, body), "nor with another secret");
    assert_eq!(first[0].0["webhook-id"], headers["webhook-id"], "a retry keeps the message id");
    assert_eq!(headers["content-type"], "application/json");
    let event: Value = serde_json::from_str(body).unwrap();
    assert_eq!(event["type"], "access.requested");
    let request = &event["data"]["request"];
    assert_eq!(request["prospect"]["email"], "pat@wingtip.example");
    assert_eq!(request["company"]["domain"], "wingtip.example");
    assert_eq!(request["documents"][0]["slug"], SOC2);
    assert!(event["data"]["link"].as_str().unwrap().contains(&format!("/admin/requests/{}", request["id"])));
    assert!(!body.contains("whsec_") && !body.contains("%PDF"), "no secrets, no document bytes");

    // The delivery log shows it; redelivery sends the same message again.
    let (id,): (i64,) = sqlx::query_as("select id from webhooks").fetch_one(app.state.db.pool()).await.unwrap();
    let log = admin.get_text(&format!("/admin/integrations/webhooks/{id}")).await.1;
    assert!(log.contains("access.requested") && log.contains("delivered") && log.contains(" ms"), "{log}");
    let (delivery_id,): (i64,) =
        sqlx::query_as("select id from webhook_deliveries").fetch_one(app.state.db.pool()).await.unwrap();
    let res = admin.post_form("/api/redeliver_webhook", &[("delivery_id", &delivery_id.to_string())]).await;
    assert_eq!(location(&res), format!("/admin/integrations/webhooks/{id}"));
    let again = hook.wait_for(3).await;
    assert_eq!(again[2].0["webhook-id"], headers["webhook-id"]);
    assert!(verifies(&secret, &again[2].0, &again[2].1));

    // A checkpoint of the access log is an event too.
    app::features::audit::server::checkpoint_now(&app.state.db, &app.state.audit_key).await.unwrap();
    let got = hook.wait_for(4).await;
    let checkpoint: Value = serde_json::from_str(&got[3].1).unwrap();
    assert_eq!(checkpoint["type"], "audit.checkpoint");
    assert!(checkpoint["data"]["signature"].is_string());

    // A disabled webhook gets nothing; the changes are logged.
    admin.post_form("/api/change_webhook", &[("webhook_id", &id.to_string()), ("action", "disable")]).await;
    request_access(&app, "quinn@wingtip.example").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(hook.got.lock().unwrap().len(), 4);
    let events: Vec<(String,)> =
        sqlx::query_as("select event from access_log where event like 'webhook.%' order by seq")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    let events: Vec<&str> = events.iter().map(|(e,)| e.as_str()).collect();
    assert_eq!(events, ["webhook.created", "webhook.redelivered", "webhook.disabled"]);
}

#[tokio::test]
async fn nothing_reaches_a_refused_address_and_no_redirect_is_followed() {
    let hook = receiver().await;
    let app = app_allowing_loopback().await;
    let admin = app.staff_browser("ada@northwind-analytics.example", &[StaffRole::Admin]).await;
    let port = hook.url.split(':').nth(2).unwrap().split('/').next().unwrap().to_string();

    // Refused as typed: plain http to an unlisted host, internal addresses, credentials.
    for url in [
        format!("http://localhost:{port}/hook"),
        "https://169.254.169.254/latest/meta-data".to_string(),
        "https://10.0.0.5/hook".to_string(),
        "https://[::1]/hook".to_string(),
        "https://user:pass@hooks.example.com/".to_string(),
        "file:///etc/passwd".to_string(),
    ] {
        let res = admin
            .post_form(
                "/api/create_webhook",
                &[("url", &url), ("format", "standard"), ("event_access_requested", "yes")],
            )
            .await;
        let page = admin.get_text(&location(&res)).await.1;
        assert!(
            page.contains("field-url-error") || page.contains("internal address") || page.contains("https://"),
            "{url}: {page}"
        );
    }
    let (count,): (i64,) =
        sqlx::query_as("select count(*) from webhooks").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(count, 0, "none stored");

    // A name that resolves to loopback passes the form (it is a name) but is refused when sent.
    add_webhook(&admin, &format!("https://localhost:{port}/hook"), "standard", &["access.requested"]).await;
    request_access(&app, "pat@wingtip.example").await;
    for _ in 0..50 {
        if delivery(&app).await.1 >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (status, attempts, last, error, _) = delivery(&app).await;
    assert_eq!((status.as_str(), attempts, last), ("pending", 1, None));
    assert!(error.unwrap_or_default().contains("internal address 127.0.0.1"));
    assert!(hook.got.lock().unwrap().is_empty(), "no request reached the receiver");

    // A listed host that answers with a redirect: recorded, not followed.
    sqlx::query("update webhooks set enabled = 0").execute(app.state.db.pool()).await.unwrap();
    hook.statuses.lock().unwrap().push_back(302);
    add_webhook(&admin, &hook.url, "standard", &["access.requested"]).await;
    request_access(&app, "quinn@wingtip.example").await;
    hook.wait_for(1).await;
    for _ in 0..50 {
        if delivery(&app).await.1 >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, _, last, error, _) = delivery(&app).await;
    assert_eq!(last, Some(302));
    assert!(error.unwrap_or_default().contains("redirect"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(hook.got.lock().unwrap().len(), 1, "the redirect target was never asked");
}

#[tokio::test]
async fn a_chat_webhook_gets_a_slack_and_mattermost_compatible_message() {
    let hook = receiver().await;
    let app = app_allowing_loopback().await;
    let admin = app.staff_browser("ada@northwind-analytics.example", &[StaffRole::Admin]).await;
    add_webhook(&admin, &hook.url, "chat", &["access.requested"]).await;
    request_access(&app, "pat@wingtip.example").await;
    let got = hook.wait_for(1).await;
    let (headers, body) = &got[0];
    assert!(headers.get("webhook-signature").is_none(), "chat endpoints take no signature");
    let message: Value = serde_json::from_str(body).unwrap();
    assert_eq!(message.as_object().unwrap().keys().collect::<Vec<_>>(), ["text"]);
    let text = message["text"].as_str().unwrap();
    assert!(text.starts_with("Access request from "), "{text}");
    assert!(text.contains("pat＠wingtip․example") && text.contains("(wingtip․example)"), "{text}");
    assert!(text.contains("Documents: SOC 2"), "{text}");
    assert!(text.contains("Domain rule: "), "{text}");
    assert!(text.contains("/admin/requests/"), "a link to decide, signed in: {text}");
}

#[test]
fn the_command_line_adds_lists_and_removes_webhooks() {
    use crate::knowledge::{run, vouchsafe};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (code, out, err) = run(vouchsafe(&data).env("VOUCHSAFE_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1").args([
        "webhook",
        "add",
        "http://127.0.0.1:9/hook",
        "--events",
        "access.requested,nda.accepted",
    ]));
    assert_eq!(code, 0, "{err}");
    let secret = out.trim();
    assert!(secret.starts_with("whsec_") && STANDARD.decode(&secret[6..]).unwrap().len() == 32, "{out}");
    let (code, out, _) = run(vouchsafe(&data).args(["webhook", "list"]));
    assert_eq!(code, 0);
    assert!(out.contains("http://127.0.0.1:9/hook") && out.contains("access.requested,nda.accepted"));
    assert!(!out.contains(secret), "the secret is printed once");
    let (code, _, err) =
        run(vouchsafe(&data).args(["webhook", "add", "http://10.0.0.1/x", "--events", "access.requested"]));
    assert_ne!(code, 0);
    assert!(err.contains("https"), "{err}");
    let (code, _, err) =
        run(vouchsafe(&data).args(["webhook", "add", "https://hooks.example.com/x", "--events", "nope"]));
    assert_ne!(code, 0);
    assert!(err.contains("not an event"), "{err}");
    let id = out.split('\t').next().unwrap().trim().to_string();
    let (code, _, err) = run(vouchsafe(&data).args(["webhook", "remove", &id]));
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = run(vouchsafe(&data).args(["webhook", "list"]));
    assert!(out.trim().is_empty(), "{out}");
}
