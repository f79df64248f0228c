//! Sessions and authorization hold against requests in flight: a request whose body arrives
//! slowly cannot act for, or bring back, a session that was ended meanwhile; idle and absolute
//! timeouts are kept per kind of user and slide with activity.

use crate::helpers::{location, spawn_app, TestApp, PASSWORD};
use app::{
    features::accounts::model::StaffRole::*,
    ssr::{
        auth::{PROSPECT_ABSOLUTE_SECONDS, PROSPECT_IDLE_SECONDS, STAFF_ABSOLUTE_SECONDS, STAFF_IDLE_SECONDS},
        session_store::session_key,
    },
    types::Timestamp,
};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A form post sent by hand over TCP: headers and the first half of the body now, the rest when
/// [`SlowPost::finish`] is called. Returns the response's status line and headers.
struct SlowPost {
    stream: tokio::net::TcpStream,
    rest: Vec<u8>,
}

impl SlowPost {
    async fn start(app: &TestApp, path: &str, cookie: &str, body: &str) -> Self {
        let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\nAccept: text/html\r\n\
             Cookie: {}={cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
            app::ssr::SESSION_COOKIE,
            body.len(),
            host = app.addr,
        );
        let half = body.len() / 2;
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(&body.as_bytes()[..half]).await.unwrap();
        stream.flush().await.unwrap();
        // Let the server read the headers and resolve the session as it is now.
        tokio::time::sleep(Duration::from_millis(300)).await;
        SlowPost { stream, rest: body.as_bytes()[half..].to_vec() }
    }

    async fn finish(mut self) -> String {
        self.stream.write_all(&self.rest).await.unwrap();
        let mut response = vec![0u8; 16 * 1024];
        let n = tokio::time::timeout(Duration::from_secs(10), self.stream.read(&mut response)).await.unwrap().unwrap();
        String::from_utf8_lossy(&response[..n]).split("\r\n\r\n").next().unwrap_or_default().to_string()
    }
}

async fn staff_id(app: &TestApp, email: &str) -> i64 {
    sqlx::query_as::<_, (i64,)>("select id from staff_users where email = $1")
        .bind(email)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
        .0
}

async fn session_rows(app: &TestApp, cookie: &str) -> i64 {
    let id: tower_sessions::session::Id = cookie.parse().unwrap();
    sqlx::query_as::<_, (i64,)>("select count(*) from sessions where id = $1")
        .bind(session_key(&id))
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
        .0
}

#[tokio::test]
async fn a_deactivated_admins_request_in_flight_does_nothing() {
    let app = spawn_app().await;
    let boss = app.staff_browser("boss@northwind-analytics.example", &[Admin]).await;
    let mallory = app.staff_browser("mallory@northwind-analytics.example", &[Admin]).await;
    let cookie = mallory.session_cookie().unwrap();
    let invite = "email=accomplice%40evil.example&name=Accomplice&admin=on";
    let slow = SlowPost::start(&app, "/api/invite_staff", &cookie, invite).await;
    let mallory_id = staff_id(&app, "mallory@northwind-analytics.example").await;
    let res =
        boss.post_form("/api/set_staff_active", &[("staff_id", &mallory_id.to_string()), ("active", "false")]).await;
    assert_eq!(location(&res), "/admin/staff");
    let answer = slow.finish().await;
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    let invited: Vec<(String,)> =
        sqlx::query_as("select email from staff_users where email = 'accomplice@evil.example'")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    assert!(invited.is_empty(), "the invitation must not have been created");
    assert_eq!(session_rows(&app, &cookie).await, 0);
}

#[tokio::test]
async fn ending_other_sessions_is_not_undone_by_a_request_in_flight() {
    let app = spawn_app().await;
    let secret = app.create_staff("ann@northwind-analytics.example", &[Sales], true).await.unwrap();
    let owner = app.browser();
    owner.staff_sign_in("ann@northwind-analytics.example", PASSWORD, &secret).await;
    // The stolen session: a second sign-in (with the next step's code: each is accepted once),
    // its cookie in the attacker's hands.
    let stolen = app.browser();
    stolen
        .post_form("/api/staff_sign_in", &[("email", "ann@northwind-analytics.example"), ("password", PASSWORD)])
        .await;
    let code = app::ssr::totp::code_at(&secret, Timestamp::now().0 as u64 + 30).unwrap();
    assert_eq!(location(&stolen.post_form("/api/verify_second_factor", &[("code", &code)]).await), "/admin");
    let cookie = stolen.session_cookie().unwrap();
    // A form whose answer writes to the session (its flash message) on the way out.
    let slow = SlowPost::start(&app, "/api/end_session", &cookie, "handle=0000000000000000").await;
    owner.post_form("/api/end_other_sessions", &[]).await;
    assert_eq!(session_rows(&app, &cookie).await, 0);
    let answer = slow.finish().await;
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert_eq!(session_rows(&app, &cookie).await, 0, "the ended session was not written back");
    let replay = app.browser();
    replay.set_session_cookie(&cookie);
    assert_eq!(location(&replay.get("/admin").await), "/staff/sign-in");
    assert_eq!(owner.get("/admin").await.status(), 200, "the owner's own session lives on");
}

#[tokio::test]
async fn the_log_writer_refuses_an_action_whose_session_ended_inside_its_transaction() {
    use app::ssr::{
        audit::{self, Event, Outcome},
        request_meta::{RequestMeta, SessionOwner},
    };
    let app = spawn_app().await;
    let browser = app.staff_browser("ann@northwind-analytics.example", &[Admin]).await;
    let id = staff_id(&app, "ann@northwind-analytics.example").await;
    let cookie: tower_sessions::session::Id = browser.session_cookie().unwrap().parse().unwrap();
    let meta = RequestMeta {
        session: Some(SessionOwner { key: session_key(&cookie), staff_id: Some(id), prospect_id: None }),
        ..RequestMeta::default()
    };
    let actor = app::ssr::audit::Actor {
        kind: app::ssr::audit::ActorKind::Staff,
        id: Some(id),
        label: "ann@northwind-analytics.example".into(),
        role: "admin".into(),
    };
    let event = || Event {
        actor: &actor,
        event: "test.action",
        object: String::new(),
        outcome: Outcome::Success,
        details: serde_json::json!({}),
    };
    assert!(audit::record_alone(&app.state.db, &meta, event()).await.is_ok(), "a live session may act");
    sqlx::query("update staff_users set active = 0 where id = $1").bind(id).execute(app.state.db.pool()).await.unwrap();
    assert!(audit::record_alone(&app.state.db, &meta, event()).await.is_err(), "a deactivated one may not");
    sqlx::query("update staff_users set active = 1 where id = $1").bind(id).execute(app.state.db.pool()).await.unwrap();
    sqlx::query("delete from sessions where staff_id = $1").bind(id).execute(app.state.db.pool()).await.unwrap();
    assert!(audit::record_alone(&app.state.db, &meta, event()).await.is_err(), "nor an ended session");
}

#[tokio::test]
async fn a_body_that_never_finishes_is_cut_off() {
    let app = spawn_app().await;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /api/request_sign_in_link HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: 1000\r\n\r\nemail=a",
        app.addr
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = std::time::Instant::now();
    let mut response = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(60), stream.read(&mut response)).await.unwrap().unwrap();
    let answer = String::from_utf8_lossy(&response[..n]).to_string();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() >= Duration::from_secs(25), "the deadline is the documented 30 s");
}

#[tokio::test]
async fn oversized_and_malformed_bodies_get_client_errors() {
    let app = spawn_app().await;
    let big = "x".repeat(2 * 1024 * 1024);
    let res = app
        .client
        .post(app.url("/api/request_sign_in_link"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email={big}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 413);
    let res = app
        .client
        .post(app.url("/api/request_sign_in_link"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("%%%=&&&name")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    assert!(app.get("/healthz").await.status().is_success());
}

/// The session row's expiry, minus now.
async fn expires_in(app: &TestApp, cookie: &str) -> i64 {
    let id: tower_sessions::session::Id = cookie.parse().unwrap();
    let (at,): (i64,) = sqlx::query_as("select expires_at from sessions where id = $1")
        .bind(session_key(&id))
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    at - Timestamp::now().0
}

#[tokio::test]
async fn staff_idle_timeout_is_kept_through_form_posts_and_slides_with_activity() {
    let app = spawn_app().await;
    let staff = app.staff_browser("ann@northwind-analytics.example", &[Admin]).await;
    let cookie = staff.session_cookie().unwrap();
    let near = |left: i64, wanted: i64| (wanted - 5..=wanted + 1).contains(&left);
    assert!(near(expires_in(&app, &cookie).await, STAFF_IDLE_SECONDS));
    // A form post that leaves a flash message (it writes the session): the timeout stays 30 minutes.
    staff.post_form("/api/invite_staff", &[("email", "not an address"), ("name", "X")]).await;
    let left = expires_in(&app, &cookie).await;
    assert!(near(left, STAFF_IDLE_SECONDS), "idle timeout after a form post: {left} s");
    // Nearly idle: any request slides the timeout back to the full 30 minutes.
    let id: tower_sessions::session::Id = cookie.parse().unwrap();
    sqlx::query("update sessions set expires_at = $1 where id = $2")
        .bind(Timestamp::now().0 + 20)
        .bind(session_key(&id))
        .execute(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(staff.get("/admin").await.status(), 200);
    assert!(near(expires_in(&app, &cookie).await, STAFF_IDLE_SECONDS), "the idle timeout slides");
    // Idle for longer than the timeout: out.
    sqlx::query("update sessions set expires_at = $1 where id = $2")
        .bind(Timestamp::now().0 - 1)
        .bind(session_key(&id))
        .execute(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(location(&staff.get("/admin").await), "/staff/sign-in");
}

/// Moves the session's sign-in time back by `seconds` (as if signed in that long ago).
async fn age_session(app: &TestApp, cookie: &str, seconds: i64) {
    let id: tower_sessions::session::Id = cookie.parse().unwrap();
    let (data,): (String,) = sqlx::query_as("select data from sessions where id = $1")
        .bind(session_key(&id))
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let mut data: serde_json::Value = serde_json::from_str(&data).unwrap();
    let auth = data["auth"].as_object_mut().unwrap().values_mut().next().unwrap();
    let since = auth["since"].as_i64().unwrap();
    auth["since"] = serde_json::json!(since - seconds);
    sqlx::query("update sessions set data = $1 where id = $2")
        .bind(data.to_string())
        .bind(session_key(&id))
        .execute(app.state.db.pool())
        .await
        .unwrap();
}

#[tokio::test]
async fn absolute_lifetimes_end_active_sessions() {
    let app = spawn_app().await;
    let staff = app.staff_browser("ann@northwind-analytics.example", &[Admin]).await;
    let cookie = staff.session_cookie().unwrap();
    // Five minutes before the 12 hours are up, the session expires then, not 30 minutes later.
    age_session(&app, &cookie, STAFF_ABSOLUTE_SECONDS - 300).await;
    assert_eq!(staff.get("/admin").await.status(), 200);
    let left = expires_in(&app, &cookie).await;
    assert!((290..=301).contains(&left), "capped at the absolute lifetime: {left} s");
    age_session(&app, &cookie, 301).await;
    assert_eq!(location(&staff.get("/admin").await), "/staff/sign-in");

    let prospect = app.prospect_browser("pat@contoso.example").await;
    let cookie = prospect.session_cookie().unwrap();
    assert_eq!(prospect.get("/account").await.status(), 200);
    let left = expires_in(&app, &cookie).await;
    assert!((PROSPECT_IDLE_SECONDS - 5..=PROSPECT_IDLE_SECONDS + 1).contains(&left), "prospects: 24 h idle, {left} s");
    age_session(&app, &cookie, PROSPECT_ABSOLUTE_SECONDS + 1).await;
    assert!(location(&prospect.get("/account").await).starts_with("/sign-in"));
}

#[tokio::test]
async fn the_session_store_never_writes_back_a_deleted_session() {
    use app::ssr::session_store::DbSessionStore;
    use tower_sessions::SessionStore;
    let app = spawn_app().await;
    let browser = app.staff_browser("ann@northwind-analytics.example", &[Admin]).await;
    let cookie = browser.session_cookie().unwrap();
    let id: tower_sessions::session::Id = cookie.parse().unwrap();
    let store = DbSessionStore::new(app.state.db.clone());
    // A request loaded the session...
    let record = store.load(&id).await.unwrap().expect("the live session");
    // ...it was ended elsewhere...
    sqlx::query("delete from sessions where id = $1")
        .bind(session_key(&id))
        .execute(app.state.db.pool())
        .await
        .unwrap();
    // ...and the request finishes, saving what it loaded.
    store.save(&record).await.unwrap();
    assert_eq!(session_rows(&app, &cookie).await, 0);
    assert!(store.load(&id).await.unwrap().is_none());
}

#[tokio::test]
async fn half_sent_headers_are_cut_off_and_one_source_holds_few_connections() {
    let app = spawn_app().await;
    // Headers that never finish: the connection is closed after the header deadline.
    let mut slow = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ").await.unwrap();
    let started = std::time::Instant::now();
    let mut buf = [0u8; 256];
    let n = tokio::time::timeout(Duration::from_secs(40), slow.read(&mut buf)).await.expect("closed in time");
    assert!(
        started.elapsed() >= Duration::from_secs(10) && started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(n, Ok(0) | Ok(_) | Err(_)));
    // One source holds at most 64 connections; the next is closed at once; others are served.
    let mut held = Vec::new();
    for _ in 0..server::listen::MAX_CONNECTIONS_PER_SOURCE {
        held.push(tokio::net::TcpStream::connect(app.addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut extra = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let _ = extra.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let n = tokio::time::timeout(Duration::from_secs(5), extra.read(&mut buf)).await.expect("answered at once");
    assert!(matches!(n, Ok(0) | Err(_)), "the 65th connection is refused: {n:?}");
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.get("/healthz").await.status().is_success());
}
