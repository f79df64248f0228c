//! Prospect links, staff password + TOTP, sessions, enumeration, rate limits, mail.

use crate::helpers::{location, spawn_app, spawn_app_with_smtp, token_from, PASSWORD};
use app::{
    features::accounts::model::StaffRole::{self, *},
    ssr::totp,
    types::Timestamp,
};
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_prospect_signs_in_with_a_mailed_link_confirmed_by_post() {
    let app = spawn_app_with_smtp().await;
    let browser = app.browser();
    let res = browser
        .post_form(
            "/api/request_sign_in_link",
            &[("email", "Bea@Contoso.example"), ("name", "Bea Buyer"), ("company", "Contoso"), ("next", "/account")],
        )
        .await;
    assert_eq!(location(&res), "/sign-in/check-email");

    let mail = app.smtp().wait_for("bea@contoso.example", 1).await;
    assert!(mail.subject.contains("sign-in link"), "{}", mail.subject);
    // Nothing the requester typed is in the mail until the address is confirmed.
    assert!(!mail.to.contains("Bea Buyer") && !mail.text.contains("Bea Buyer"), "{}", mail.to);
    assert!(!mail.html.is_empty(), "mail has an HTML part");
    let link = mail.link(&app.url("/sign-in/confirm?token="));
    let token = token_from(&link);

    // Only the hash is stored.
    let stored: Vec<(String,)> =
        sqlx::query_as("select token_hash from email_tokens").fetch_all(app.state.db.pool()).await.unwrap();
    assert!(stored.iter().all(|(h,)| h != &token && h.len() == 64));

    // A GET (a mail scanner, or the person) shows a confirmation page and consumes nothing.
    for _ in 0..2 {
        let (status, html) = browser.get_text(&format!("/sign-in/confirm?token={token}")).await;
        assert_eq!(status, 200);
        assert!(html.contains("You are signing in as <strong>bea@contoso.example</strong>"));
    }
    let res = browser.post_form("/api/confirm_sign_in", &[("token", &token)]).await;
    assert_eq!(location(&res), "/account");
    let (status, html) = browser.get_text("/account").await;
    assert_eq!(status, 200);
    assert!(html.contains("Hello, Bea Buyer") && html.contains("Contoso"));

    // Single use: a second browser cannot use it again.
    let other = app.browser();
    let res = other.post_form("/api/confirm_sign_in", &[("token", &token)]).await;
    assert_eq!(location(&res), "/sign-in");
    let (_, html) = other.get_text("/sign-in").await;
    assert!(html.contains("expired or has already been used"));
    assert_eq!(other.get("/account").await.status(), 303, "still signed out");

    let verified: (Option<i64>,) =
        sqlx::query_as("select email_verified_at from prospects where email = 'bea@contoso.example'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert!(verified.0.is_some());
}

#[tokio::test]
async fn sign_in_links_expire_after_fifteen_minutes() {
    let app = spawn_app().await;
    let browser = app.browser();
    browser
        .post_form("/api/request_sign_in_link", &[("email", "late@contoso.example"), ("name", "L"), ("company", "C")])
        .await;
    let token = app.latest_sign_in_token("late@contoso.example").await;
    let (expires, created): (i64, i64) =
        sqlx::query_as("select expires_at, created_at from email_tokens").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(expires - created, 15 * 60);
    sqlx::query("update email_tokens set expires_at = $1")
        .bind(Timestamp::now().0 - 1)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let res = browser.post_form("/api/confirm_sign_in", &[("token", &token)]).await;
    assert_eq!(location(&res), "/sign-in");
    assert_eq!(browser.get("/account").await.status(), 303);
}

#[tokio::test]
async fn bad_input_is_explained_next_to_each_field_and_kept() {
    let app = spawn_app().await;
    let browser = app.browser();
    let res = browser
        .post_form("/api/request_sign_in_link", &[("email", "not-an-address"), ("name", ""), ("company", "Contoso")])
        .await;
    assert_eq!(location(&res), "/sign-in");
    let (_, html) = browser.get_text("/sign-in").await;
    assert!(html.contains("Enter an e-mail address such as name@company.com."));
    assert!(html.contains("Enter your name."));
    assert!(html.contains("value=\"not-an-address\""), "typed values are kept");
    assert!(html.contains("value=\"Contoso\""));
    assert!(html.contains("aria-invalid=\"true\""));
}

#[tokio::test]
async fn staff_sign_in_takes_a_password_and_a_totp_code() {
    let app = spawn_app().await;
    let secret = app.create_staff("ann@northwind-analytics.example", &[Sales], true).await.unwrap();
    let browser = app.browser();
    let res = browser
        .post_form("/api/staff_sign_in", &[("email", "ann@northwind-analytics.example"), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&res), "/staff/two-factor");
    // The password alone opens nothing.
    assert_eq!(location(&browser.get("/admin").await), "/staff/two-factor");
    let wrong = browser.post_form("/api/verify_second_factor", &[("code", "000000")]).await;
    assert_eq!(location(&wrong), "/staff/two-factor");
    let code = totp::code_at(&secret, Timestamp::now().0 as u64).unwrap();
    let res = browser.post_form("/api/verify_second_factor", &[("code", &code)]).await;
    assert_eq!(location(&res), "/admin");
    let (status, html) = browser.get_text("/admin").await;
    assert_eq!(status, 200);
    assert!(html.contains("Welcome, Test Staff"));
}

#[tokio::test]
async fn a_totp_code_cannot_be_used_twice() {
    let app = spawn_app().await;
    let secret = app.create_staff("ann@northwind-analytics.example", &[Sales], true).await.unwrap();
    let code = totp::code_at(&secret, Timestamp::now().0 as u64).unwrap();
    let first = app.browser();
    first
        .post_form("/api/staff_sign_in", &[("email", "ann@northwind-analytics.example"), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&first.post_form("/api/verify_second_factor", &[("code", &code)]).await), "/admin");

    // Someone who saw the code and knows the password tries it again in the same time step.
    let replay = app.browser();
    replay
        .post_form("/api/staff_sign_in", &[("email", "ann@northwind-analytics.example"), ("password", PASSWORD)])
        .await;
    let res = replay.post_form("/api/verify_second_factor", &[("code", &code)]).await;
    assert_eq!(location(&res), "/staff/two-factor");
    let (_, html) = replay.get_text("/staff/two-factor").await;
    assert!(html.contains("That code is not right, or was already used."));
    assert_eq!(location(&replay.get("/admin").await), "/staff/two-factor");
}

#[tokio::test]
async fn first_sign_in_enrols_an_authenticator_and_shows_recovery_codes_once() {
    let app = spawn_app().await;
    app.create_staff("new@northwind-analytics.example", &[Security], false).await;
    let browser = app.browser();
    let res = browser
        .post_form("/api/staff_sign_in", &[("email", "new@northwind-analytics.example"), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&res), "/staff/two-factor/setup");
    let (_, html) = browser.get_text("/staff/two-factor/setup").await;
    assert!(html.contains("data:image/svg+xml;base64,"), "QR code");
    let secret = crate::helpers::text_after(&html, "data-test=\"totp-secret\"");
    // Reloading keeps the same secret.
    assert!(browser.get_text("/staff/two-factor/setup").await.1.contains(&secret));
    let code = totp::code_at(&secret, Timestamp::now().0 as u64).unwrap();
    let res = browser.post_form("/api/confirm_two_factor_setup", &[("code", &code)]).await;
    assert_eq!(location(&res), "/staff/recovery-codes");
    let (_, html) = browser.get_text("/staff/recovery-codes").await;
    let codes: Vec<String> =
        html.split("<li><code>").skip(1).map(|s| s.split('<').next().unwrap().to_string()).collect();
    assert_eq!(codes.len(), 10);
    let (_, again) = browser.get_text("/staff/recovery-codes").await;
    assert!(!again.contains(&codes[0]), "shown once");
    let stored: Vec<(String,)> =
        sqlx::query_as("select code_hash from recovery_codes").fetch_all(app.state.db.pool()).await.unwrap();
    assert_eq!(stored.len(), 10);
    assert!(stored.iter().all(|(h,)| !codes.contains(h)), "stored hashed");

    // A recovery code signs in once.
    let other = app.browser();
    other
        .post_form("/api/staff_sign_in", &[("email", "new@northwind-analytics.example"), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&other.post_form("/api/verify_second_factor", &[("code", &codes[3])]).await), "/admin");
    let third = app.browser();
    third
        .post_form("/api/staff_sign_in", &[("email", "new@northwind-analytics.example"), ("password", PASSWORD)])
        .await;
    assert_eq!(
        location(&third.post_form("/api/verify_second_factor", &[("code", &codes[3])]).await),
        "/staff/two-factor"
    );
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in() {
    let app = spawn_app().await;
    let secret = app.create_staff("ann@northwind-analytics.example", &[Admin], true).await.unwrap();
    let browser = app.browser();
    // An attacker plants a session id (here: a session created by a failed form).
    browser.post_form("/api/staff_sign_in", &[("email", "x@y.example"), ("password", "nope")]).await;
    let planted = browser.session_cookie().expect("an anonymous session exists");
    browser.staff_sign_in("ann@northwind-analytics.example", PASSWORD, &secret).await;
    let signed_in = browser.session_cookie().unwrap();
    assert_ne!(planted, signed_in);
    // The planted id does not carry the sign-in.
    let attacker = app.browser();
    attacker.set_session_cookie(&planted);
    assert_eq!(location(&attacker.get("/admin").await), "/staff/sign-in");
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    let browser = app.staff_browser("ann@northwind-analytics.example", &[Admin]).await;
    let cookie = browser.session_cookie().unwrap();
    assert_eq!(location(&browser.post_form("/api/sign_out", &[]).await), "/");
    let replay = app.browser();
    replay.set_session_cookie(&cookie);
    assert_eq!(location(&replay.get("/admin").await), "/staff/sign-in");
    let events = app.audit_events().await;
    assert!(events.iter().any(|(e, o, _)| e == "sign_out" && o == "success"));
}

#[tokio::test]
async fn deactivated_staff_are_out_on_their_next_request() {
    let app = spawn_app().await;
    let admin = app.staff_browser("boss@northwind-analytics.example", &[Admin]).await;
    let sales = app.staff_browser("sam@northwind-analytics.example", &[Sales]).await;
    assert_eq!(sales.get("/admin").await.status(), 200);
    let (id,): (i64,) = sqlx::query_as("select id from staff_users where email = 'sam@northwind-analytics.example'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let res = admin.post_form("/api/set_staff_active", &[("staff_id", &id.to_string()), ("active", "false")]).await;
    assert_eq!(location(&res), "/admin/staff");
    assert_eq!(location(&sales.get("/admin").await), "/staff/sign-in");
    // And cannot sign in again.
    let again = app.browser();
    let res = again
        .post_form("/api/staff_sign_in", &[("email", "sam@northwind-analytics.example"), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&res), "/staff/sign-in");
    assert!(app
        .audit_events()
        .await
        .iter()
        .any(|(e, _, who)| e == "staff.deactivated" && who == "boss@northwind-analytics.example"));
}

/// The answer to a form post: status, where it leads, and what the next page says.
async fn answer(app: &crate::helpers::TestApp, path: &str, form: &[(&str, &str)], page: &str) -> (u16, String, String) {
    let browser = app.browser();
    let res = browser.post_form(path, form).await;
    let (status, to) = (res.status().as_u16(), location(&res));
    let (_, html) = browser.get_text(page).await;
    let main = html.split("<main").nth(1).unwrap_or_default().split("</main>").next().unwrap_or_default().to_string();
    (status, to, main)
}

#[tokio::test]
async fn sign_in_sign_up_and_reset_answer_the_same_whether_or_not_the_account_exists() {
    let app = spawn_app().await;
    app.create_staff("ann@northwind-analytics.example", &[Sales], true).await;
    let known = answer(
        &app,
        "/api/staff_sign_in",
        &[("email", "ann@northwind-analytics.example"), ("password", "wrong password!")],
        "/staff/sign-in",
    )
    .await;
    let unknown = answer(
        &app,
        "/api/staff_sign_in",
        &[("email", "nobody@northwind-analytics.example"), ("password", "wrong password!")],
        "/staff/sign-in",
    )
    .await;
    assert_eq!(known.0, unknown.0);
    assert_eq!(known.1, unknown.1);
    assert_eq!(known.2.replace("ann@", "X@"), unknown.2.replace("nobody@", "X@"));
    assert!(known.2.contains("The e-mail address or password is not right."));

    let known = answer(
        &app,
        "/api/request_password_reset",
        &[("email", "ann@northwind-analytics.example")],
        "/staff/reset/check-email",
    )
    .await;
    let unknown = answer(
        &app,
        "/api/request_password_reset",
        &[("email", "nobody@northwind-analytics.example")],
        "/staff/reset/check-email",
    )
    .await;
    assert_eq!(known, unknown);

    let prospect = |email: &'static str| {
        let app = &app;
        async move {
            answer(
                app,
                "/api/request_sign_in_link",
                &[("email", email), ("name", "N"), ("company", "C")],
                "/sign-in/check-email",
            )
            .await
        }
    };
    assert_eq!(prospect("someone@contoso.example").await, prospect("bea@contoso.example").await);
}

#[tokio::test]
async fn sign_in_takes_as_long_for_unknown_accounts_as_for_known_ones() {
    let app = spawn_app().await;
    app.create_staff("ann@northwind-analytics.example", &[Sales], true).await;
    // Different IPs are not available here, so use fresh addresses per attempt for the unknown
    // account and stay under the per-account limit for the known one.
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for i in 0..4 {
        let browser = app.browser();
        let started = Instant::now();
        browser
            .post_form(
                "/api/staff_sign_in",
                &[("email", "ann@northwind-analytics.example"), ("password", "wrong password!")],
            )
            .await;
        known.push(started.elapsed());
        let started = Instant::now();
        let email = format!("nobody{i}@northwind-analytics.example");
        browser.post_form("/api/staff_sign_in", &[("email", email.as_str()), ("password", "wrong password!")]).await;
        unknown.push(started.elapsed());
    }
    known.sort();
    unknown.sort();
    let (k, u) = (known[1].as_secs_f64(), unknown[1].as_secs_f64());
    // Without the dummy hash the unknown case skips argon2 and is many times faster.
    assert!(u > k * 0.5 && u < k * 2.0, "known {k:.4}s, unknown {u:.4}s");
    assert!(k > 0.002, "argon2 runs: {k}");
}

#[tokio::test]
async fn repeated_sign_in_attempts_are_rate_limited_per_account() {
    let app = spawn_app().await;
    app.create_staff("ann@northwind-analytics.example", &[Sales], true).await;
    for _ in 0..5 {
        let (_, _, page) = answer(
            &app,
            "/api/staff_sign_in",
            &[("email", "ann@northwind-analytics.example"), ("password", "guess guess guess")],
            "/staff/sign-in",
        )
        .await;
        assert!(page.contains("not right"));
    }
    let (_, _, page) = answer(
        &app,
        "/api/staff_sign_in",
        &[("email", "ANN@northwind-analytics.example"), ("password", PASSWORD)],
        "/staff/sign-in",
    )
    .await;
    assert!(page.contains("Too many attempts"), "even the right password waits");
    // A script gets the status.
    let res = app
        .client
        .post(app.url("/api/staff_sign_in"))
        .form(&[("email", "ann@northwind-analytics.example"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 429);
}

#[tokio::test]
async fn cross_site_posts_are_refused_before_any_handler_runs() {
    let app = spawn_app().await;
    for (name, value) in
        [("origin", "https://evil.example"), ("sec-fetch-site", "cross-site"), ("sec-fetch-site", "same-site")]
    {
        let res = app
            .client
            .post(app.url("/api/request_sign_in_link"))
            .header(name, value)
            .form(&[("email", "victim@contoso.example"), ("name", "V"), ("company", "C")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 403, "{name}: {value}");
        assert!(res.headers().contains_key("content-security-policy"));
    }
    let (n,): (i64,) =
        sqlx::query_as("select count(*) from email_tokens").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(n, 0, "nothing was done");
    let same = app
        .client
        .post(app.url("/api/request_sign_in_link"))
        .header("origin", app.url(""))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", "ok@contoso.example"), ("name", "O"), ("company", "C")])
        .send()
        .await
        .unwrap();
    assert_eq!(same.status().as_u16(), 200);
    assert!(app.audit_events().await.iter().any(|(e, o, _)| e == "request.cross_site_refused" && o == "denied"));
}

#[tokio::test]
async fn session_cookies_are_http_only_and_lax() {
    let app = spawn_app().await;
    app.create_staff("ann@northwind-analytics.example", &[Sales], true).await;
    let res = app
        .browser()
        .post_form("/api/staff_sign_in", &[("email", "ann@northwind-analytics.example"), ("password", PASSWORD)])
        .await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("vouchsafe_session="));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http in tests");
}

#[tokio::test]
async fn over_https_cookies_are_secure_and_hsts_is_sent() {
    let app = crate::helpers::spawn(crate::helpers::Options { demo: true, https: true, ..Default::default() }).await;
    app.create_staff("ann@northwind-analytics.example", &[Sales], true).await;
    let res = app
        .client
        .post(app.url("/api/staff_sign_in"))
        .header("accept", "text/html")
        .form(&[("email", "ann@northwind-analytics.example"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert_eq!(res.headers()["strict-transport-security"], "max-age=63072000; includeSubDomains");
    let page = app.get("/no-such-page").await;
    assert!(page.headers().contains_key("strict-transport-security"), "on error responses too");
}

#[tokio::test]
async fn a_staff_password_is_reset_by_mailed_link_and_other_sessions_end() {
    let app = spawn_app_with_smtp().await;
    let secret = app.create_staff("ann@northwind-analytics.example", &[Sales], true).await.unwrap();
    let old_session = app.browser();
    old_session.staff_sign_in("ann@northwind-analytics.example", PASSWORD, &secret).await;

    let browser = app.browser();
    browser.post_form("/api/request_password_reset", &[("email", "ann@northwind-analytics.example")]).await;
    let mail = app.smtp().wait_for("ann@northwind-analytics.example", 1).await;
    let token = token_from(&mail.link(&app.url("/staff/reset/confirm?token=")));
    let (_, page) = browser.get_text(&format!("/staff/reset/confirm?token={token}")).await;
    assert!(page.contains("For <strong>ann@northwind-analytics.example</strong>"));
    // Too short: explained, token not spent.
    browser.post_form("/api/reset_password", &[("token", &token), ("password", "short")]).await;
    let (_, page) = browser.get_text(&format!("/staff/reset/confirm?token={token}")).await;
    assert!(page.contains("Use at least 12 characters."));
    let res =
        browser.post_form("/api/reset_password", &[("token", &token), ("password", "a brand new passphrase")]).await;
    assert_eq!(location(&res), "/staff/sign-in");
    assert!(browser.get_text("/staff/sign-in").await.1.contains("Your password was changed."));

    assert_eq!(location(&old_session.get("/admin").await), "/staff/sign-in", "other sessions ended");
    let old = app
        .browser()
        .post_form("/api/staff_sign_in", &[("email", "ann@northwind-analytics.example"), ("password", PASSWORD)])
        .await;
    assert_eq!(location(&old), "/staff/sign-in", "old password refused");
    let new = app
        .browser()
        .post_form(
            "/api/staff_sign_in",
            &[("email", "ann@northwind-analytics.example"), ("password", "a brand new passphrase")],
        )
        .await;
    assert_eq!(location(&new), "/staff/two-factor");
}

#[tokio::test]
async fn admins_invite_staff_who_choose_a_password_and_enrol() {
    let app = spawn_app_with_smtp().await;
    let admin = app.staff_browser("boss@northwind-analytics.example", &[Admin]).await;
    let res = admin
        .post_form(
            "/api/invite_staff",
            &[("email", "Sam@Northwind-Analytics.example"), ("name", "Sam Sales"), ("sales", "on")],
        )
        .await;
    assert_eq!(location(&res), "/admin/staff");
    let (_, page) = admin.get_text("/admin/staff").await;
    assert!(
        page.contains("Invitation sent.")
            && page.contains("sam@northwind-analytics.example")
            && page.contains("Invited")
    );
    let mail = app.smtp().wait_for("sam@northwind-analytics.example", 1).await;
    assert!(mail.subject.contains("invited you"), "{}", mail.subject);
    let token = token_from(&mail.link(&app.url("/staff/invite/accept?token=")));

    let sam = app.browser();
    let res = sam.post_form("/api/accept_invitation", &[("token", &token), ("password", "sam picks a long one")]).await;
    assert_eq!(location(&res), "/staff/sign-in");
    let res = sam
        .post_form(
            "/api/staff_sign_in",
            &[("email", "sam@northwind-analytics.example"), ("password", "sam picks a long one")],
        )
        .await;
    assert_eq!(location(&res), "/staff/two-factor/setup");
    // Inviting the same address again is explained.
    admin
        .post_form(
            "/api/invite_staff",
            &[("email", "sam@northwind-analytics.example"), ("name", "Sam"), ("sales", "on")],
        )
        .await;
    assert!(admin.get_text("/admin/staff").await.1.contains("already exists"));
    let events = app.audit_events().await;
    assert!(events.iter().any(|(e, _, _)| e == "staff.invited"));
    assert!(events.iter().any(|(e, _, _)| e == "staff.invitation_accepted"));
}

#[tokio::test]
async fn admins_change_roles_but_never_remove_the_last_admin() {
    let app = spawn_app().await;
    let admin = app.staff_browser("boss@northwind-analytics.example", &[Admin]).await;
    let sam = app.staff_browser("sam@northwind-analytics.example", &[Sales]).await;
    assert_eq!(sam.get("/admin/staff").await.status(), 403);
    let id = |email: &'static str| {
        let db = app.state.db.clone();
        async move {
            let (id,): (i64,) = sqlx::query_as("select id from staff_users where email = $1")
                .bind(email)
                .fetch_one(db.pool())
                .await
                .unwrap();
            id.to_string()
        }
    };
    let sam_id = id("sam@northwind-analytics.example").await;
    admin.post_form("/api/set_staff_roles", &[("staff_id", &sam_id), ("sales", "on"), ("security", "on")]).await;
    let roles: Vec<(String,)> = sqlx::query_as("select role from staff_roles where staff_id = $1 order by role")
        .bind(sam_id.parse::<i64>().unwrap())
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(roles, vec![("sales".to_string(),), ("security".to_string(),)]);
    assert_eq!(location(&sam.get("/admin").await), "/staff/sign-in", "privilege change ends their sessions");

    let boss_id = id("boss@northwind-analytics.example").await;
    admin.post_form("/api/set_staff_roles", &[("staff_id", &boss_id), ("sales", "on")]).await;
    assert!(admin.get_text("/admin/staff").await.1.contains("at least one active admin"));
    assert_eq!(admin.get("/admin/staff").await.status(), 200, "still admin");
    let events = app.audit_events().await;
    assert!(events.iter().any(|(e, _, _)| e == "staff.roles_changed"));
}

#[tokio::test]
async fn staff_see_their_sessions_and_end_them() {
    let app = spawn_app().await;
    let secret = app.create_staff("ann@northwind-analytics.example", &[Sales], true).await.unwrap();
    let laptop = app.browser();
    laptop.staff_sign_in("ann@northwind-analytics.example", PASSWORD, &secret).await;
    // A second device, a time step later so the code is new.
    let step = totp::step_at(Timestamp::now().0 as u64);
    sqlx::query("update staff_users set totp_last_step = $1")
        .bind(step - 5)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let phone = app.browser();
    phone.staff_sign_in("ann@northwind-analytics.example", PASSWORD, &secret).await;

    let (_, page) = laptop.get_text("/admin/sessions").await;
    let handles: Vec<String> =
        page.split("data-test-session=\"").skip(1).map(|s| s.split('"').next().unwrap().to_string()).collect();
    assert_eq!(handles.len(), 2);
    assert!(page.contains("This session"));
    let other = page.split("name=\"handle\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert!(!other.is_empty() && handles.contains(&other));
    assert_ne!(Some(other.clone()), laptop.session_cookie(), "the handle is not the cookie");
    laptop.post_form("/api/end_session", &[("handle", &other)]).await;
    assert_eq!(location(&phone.get("/admin").await), "/staff/sign-in");
    assert_eq!(laptop.get("/admin").await.status(), 200);
    // Another person's session cannot be ended with a guessed handle.
    let bob = app.staff_browser("bob@northwind-analytics.example", &[Sales]).await;
    let (_, bob_page) = bob.get_text("/admin/sessions").await;
    let bob_handle = bob_page.split("data-test-session=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    laptop.post_form("/api/end_session", &[("handle", &bob_handle)]).await;
    assert_eq!(bob.get("/admin").await.status(), 200);
}

#[tokio::test]
async fn a_mail_server_outage_loses_nothing() {
    let mut app = spawn_app_with_smtp().await;
    app.smtp.as_mut().unwrap().stop();
    let browser = app.browser();
    browser
        .post_form(
            "/api/request_sign_in_link",
            &[("email", "patient@contoso.example"), ("name", "P"), ("company", "C")],
        )
        .await;
    // The worker tries, fails, and schedules a retry.
    let started = Instant::now();
    loop {
        let (attempts, status): (i64, String) =
            sqlx::query_as("select attempts, status from mail_outbox").fetch_one(app.state.db.pool()).await.unwrap();
        if attempts >= 1 {
            assert_eq!(status, "pending");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "no attempt was made");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The server comes back; the retry delivers.
    let smtp = crate::smtp::SmtpServer::start();
    let url = smtp.url();
    let transport = app::ssr::mail::worker::Transport::new(
        Some(&app::ssr::config::SmtpUrl::parse(&url).unwrap()),
        std::env::temp_dir(),
    )
    .unwrap();
    let mailer = app::ssr::mail::worker::Mailer { transport, ..app.state.mailer.clone() };
    sqlx::query("update mail_outbox set next_attempt_at = 0").execute(app.state.db.pool()).await.unwrap();
    let sent = app::ssr::mail::worker::send_due(&app.state.db, &mailer).await.unwrap();
    assert_eq!(sent, 1);
    let mail = smtp.wait_for("patient@contoso.example", 1).await;
    assert!(mail.text.contains("/sign-in/confirm?token="));
}

#[tokio::test]
async fn the_cli_creates_staff_reading_the_password_from_stdin() {
    use std::io::Write;
    let app = spawn_app().await;
    let mut child = app
        .cli()
        .args([
            "user",
            "create",
            "--email",
            "first@northwind-analytics.example",
            "--name",
            "First Admin",
            "--role",
            "admin",
            "--role",
            "security",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"a very long opening passphrase\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let res = app
        .browser()
        .post_form(
            "/api/staff_sign_in",
            &[("email", "first@northwind-analytics.example"), ("password", "a very long opening passphrase")],
        )
        .await;
    assert_eq!(location(&res), "/staff/two-factor/setup");
    let roles: Vec<(String,)> =
        sqlx::query_as("select role from staff_roles order by role").fetch_all(app.state.db.pool()).await.unwrap();
    assert_eq!(roles.len(), 2);
    // A bad role is refused with a clear message.
    let bad = app
        .cli()
        .args(["user", "create", "--email", "x@northwind-analytics.example", "--name", "X", "--role", "root"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a role"));
}

#[tokio::test]
async fn sign_ins_and_failures_are_in_the_access_log_with_request_details() {
    let app = spawn_app().await;
    app.staff_browser("ann@northwind-analytics.example", &[StaffRole::Sales]).await;
    app.browser()
        .post_form(
            "/api/staff_sign_in",
            &[("email", "ann@northwind-analytics.example"), ("password", "wrong password!")],
        )
        .await;
    let rows: Vec<(String, String, String, String, String, String)> = sqlx::query_as(
        "select event, outcome, actor_label, role, ip, request_id from access_log where event = 'staff.sign_in' order by seq",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].0.as_str(), rows[0].1.as_str(), rows[0].3.as_str()), ("staff.sign_in", "success", "sales"));
    assert_eq!(rows[1].1, "failure");
    assert!(rows.iter().all(|r| r.4 == "127.0.0.1" && r.5.len() == 16));
    let chain = app::ssr::audit::verify_chain(&app.state.db).await.unwrap();
    assert!(chain.is_ok());
}
