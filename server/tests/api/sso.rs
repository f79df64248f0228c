//! Staff single sign-on against a real OpenID provider: npm `oidc-provider` run by Node on a
//! loopback port (`end2end/oidc/provider.mjs`), driven through its login and consent pages.

use crate::helpers::{location, spawn, Browser, Options, TestApp, PASSWORD};
use app::features::accounts::model::StaffRole;
use serde_json::{json, Value};
use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
};

const SECRET: &str = "a-test-client-secret";

/// The provider process; killed when dropped.
struct Idp {
    child: Child,
    issuer: String,
    users: PathBuf,
    _dir: tempfile::TempDir,
    // Kept open: a provider writing to a closed pipe would die.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Idp {
    fn start(users: Value) -> Idp {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("users.json");
        std::fs::write(&file, users.to_string()).unwrap();
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../end2end/oidc/provider.mjs");
        let mut child = Command::new("node")
            .arg(&script)
            .env("OIDC_USERS", &file)
            .env("OIDC_CLIENT_ID", "vouchsafe")
            .env("OIDC_CLIENT_SECRET", SECRET)
            .stdout(Stdio::piped())
            .stderr(if std::env::var_os("OIDC_DEBUG").is_some() { Stdio::inherit() } else { Stdio::null() })
            .spawn()
            .expect("node runs end2end/oidc/provider.mjs (scripts/install puts oidc-provider in end2end/node_modules)");
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        let issuer = serde_json::from_str::<Value>(&line).expect("the provider's first line")["issuer"]
            .as_str()
            .unwrap()
            .to_string();
        Idp { child, issuer, users: file, _dir: dir, _stdout: stdout }
    }

    fn set_users(&self, users: Value) {
        std::fs::write(&self.users, users.to_string()).unwrap();
    }

    fn settings(&self, more: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        let mut env = vec![
            ("VOUCHSAFE_OIDC_ISSUER", self.issuer.clone()),
            ("VOUCHSAFE_OIDC_CLIENT_ID", "vouchsafe".to_string()),
            ("VOUCHSAFE_OIDC_CLIENT_SECRET", SECRET.to_string()),
            ("VOUCHSAFE_OIDC_NAME", "Test IdP".to_string()),
            ("VOUCHSAFE_OIDC_DOMAINS", "example.com".to_string()),
            ("VOUCHSAFE_OIDC_ROLES", "it-admins=admin,sales-team=sales,sec-team=security".to_string()),
            ("VOUCHSAFE_OIDC_SCOPES", "email profile groups".to_string()),
        ];
        env.extend(more.iter().map(|(k, v)| (*k, v.to_string())));
        env
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn user(email: &str, groups: &[&str]) -> Value {
    json!({ "email": email, "email_verified": true, "name": "Ada Lovelace", "groups": groups })
}

async fn app_with(idp: &Idp, more: &[(&'static str, &str)]) -> TestApp {
    spawn(Options { behind_proxy: true, env: idp.settings(more), ..Options::default() }).await
}

/// Starts a sign-in in `browser` and goes through the provider's pages as `login`; returns the
/// callback address the provider sends the browser back to (not yet followed).
async fn through_provider(app: &TestApp, browser: &Browser, login: &str) -> String {
    let start = browser.get(app::paths::SSO_START).await;
    assert_eq!(start.status(), 303, "the start redirects to the provider");
    let mut url = location(&start);
    assert!(url.starts_with(&format!("{}/auth?", idp_origin(&url))), "{url}");
    let op = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).cookie_store(true).build().unwrap();
    let origin = idp_origin(&url);
    for _ in 0..12 {
        if url.starts_with(&format!("http://{}", app.addr)) {
            return url;
        }
        let res = op.get(&url).send().await.unwrap();
        let next = if res.status().is_redirection() {
            res
        } else {
            let page = res.text().await.unwrap();
            let form: Vec<(&str, &str)> = if page.contains("name=\"login\"") {
                vec![("prompt", "login"), ("login", login), ("password", "any")]
            } else {
                vec![("prompt", "consent")]
            };
            op.post(&url).form(&form).send().await.unwrap()
        };
        let to = location(&next);
        url = if to.starts_with('/') { format!("{origin}{to}") } else { to };
    }
    panic!("the provider never sent the browser back");
}

fn idp_origin(url: &str) -> String {
    let parsed = reqwest::Url::parse(url).unwrap();
    format!("{}://{}", parsed.scheme(), parsed.host_str().unwrap()) + &format!(":{}", parsed.port().unwrap())
}

/// The path and query of an absolute address on the app.
fn local(url: &str) -> String {
    let parsed = reqwest::Url::parse(url).unwrap();
    format!("{}?{}", parsed.path(), parsed.query().unwrap_or_default())
}

async fn sso_sign_in(app: &TestApp, browser: &Browser, login: &str) -> reqwest::Response {
    let back = through_provider(app, browser, login).await;
    browser.get(&local(&back)).await
}

async fn roles_of(app: &TestApp, email: &str) -> (Vec<String>, bool) {
    let rows: Vec<(String,)> = sqlx::query_as(
        "select r.role from staff_roles r join staff_users s on s.id = r.staff_id where s.email = $1 order by r.role",
    )
    .bind(email)
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    let (active,): (i64,) = sqlx::query_as("select active from staff_users where email = $1")
        .bind(email)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    (rows.into_iter().map(|(r,)| r).collect(), active == 1)
}

/// The reasons of refused SSO sign-ins in the access log, in order.
async fn refusal_reasons(app: &TestApp) -> Vec<String> {
    let rows: Vec<(String,)> =
        sqlx::query_as("select details from access_log where event = 'staff.sso_sign_in' order by seq")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    rows.into_iter()
        .map(|(d,)| serde_json::from_str::<Value>(&d).unwrap()["reason"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Whether a staff page sends this browser to the sign-in page (it is not signed in).
async fn signed_out(browser: &Browser) -> bool {
    let res = browser.get("/admin").await;
    res.status() == 303 && location(&res).starts_with("/staff/sign-in")
}

async fn events(app: &TestApp) -> Vec<String> {
    app.audit_events().await.into_iter().map(|(e, _, _)| e).collect()
}

#[tokio::test]
async fn first_sign_in_provisions_roles_follow_the_claim_and_losing_them_ends_the_account() {
    let idp = Idp::start(json!({ "ada": user("ada@example.com", &["sec-team", "sales-team", "unrelated"]) }));
    let app = app_with(&idp, &[]).await;
    app.create_staff("root@example.com", &[StaffRole::Admin], true).await; // not the last admin
    let page = app.browser().get_text("/staff/sign-in").await.1;
    assert!(page.contains("Sign in with Test IdP"), "the button");

    let ada = app.browser_from("192.0.2.10");
    let res = sso_sign_in(&app, &ada, "ada").await;
    assert_eq!(location(&res), "/admin", "signed in, no TOTP prompt");
    assert_eq!(ada.get("/admin").await.status(), 200);
    assert_eq!(roles_of(&app, "ada@example.com").await, (vec!["sales".into(), "security".into()], true));
    let log = events(&app).await;
    assert!(log.contains(&"staff.provisioned".to_string()) && log.contains(&"staff.sign_in".to_string()), "{log:?}");

    // The group changes at the provider: the roles follow at the next sign-in.
    idp.set_users(json!({ "ada": user("ada@example.com", &["it-admins"]) }));
    let again = app.browser_from("192.0.2.11");
    assert_eq!(location(&sso_sign_in(&app, &again, "ada").await), "/admin");
    assert_eq!(roles_of(&app, "ada@example.com").await, (vec!["admin".into()], true));
    assert!(events(&app).await.contains(&"staff.roles_changed".to_string()));
    let (accounts,): (i64,) =
        sqlx::query_as("select count(*) from staff_users").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(accounts, 2, "matched by subject, not created twice");

    // No mapped group any more: refused, deactivated, and the live session ends at its next request.
    idp.set_users(json!({ "ada": user("ada@example.com", &["unrelated"]) }));
    let third = app.browser_from("192.0.2.12");
    let res = sso_sign_in(&app, &third, "ada").await;
    assert_eq!(location(&res), "/staff/sign-in");
    assert!(third.get_text("/staff/sign-in").await.1.contains("has no role in this trust center"));
    assert!(!roles_of(&app, "ada@example.com").await.1, "deactivated");
    assert!(events(&app).await.contains(&"staff.deactivated".to_string()));
    assert!(signed_out(&ada).await, "the first session is over");
}

#[tokio::test]
async fn other_domains_unmapped_groups_and_unverified_addresses_are_refused_and_logged() {
    let idp = Idp::start(json!({
        "bob": user("bob@elsewhere.example", &["sec-team"]),
        "carol": user("carol@example.com", &["marketing"]),
        "dave": { "email": "dave@example.com", "email_verified": false, "groups": ["sec-team"] },
        // xms_edov is Entra ID's; from any other issuer it is just an attribute someone set.
        "erin": { "email": "erin@example.com", "xms_edov": true, "groups": ["sec-team"] },
    }));
    let app = app_with(&idp, &[]).await;
    for (i, login) in ["bob", "carol", "dave", "erin"].into_iter().enumerate() {
        let browser = app.browser_from(&format!("198.51.100.{}", i + 1));
        assert_eq!(location(&sso_sign_in(&app, &browser, login).await), "/staff/sign-in", "{login}");
        assert!(signed_out(&browser).await, "{login} is not signed in");
    }
    assert_eq!(
        refusal_reasons(&app).await,
        ["domain not allowed", "no role", "email not verified", "email not verified"]
    );
    let (accounts,): (i64,) =
        sqlx::query_as("select count(*) from staff_users").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(accounts, 0, "nobody provisioned");
}

#[tokio::test]
async fn a_forged_state_and_a_replayed_code_are_refused_and_logged() {
    let idp = Idp::start(json!({ "ada": user("ada@example.com", &["sec-team"]) }));
    let app = app_with(&idp, &[]).await;

    // The state in the callback is not the one this session sent.
    let forger = app.browser_from("203.0.113.1");
    let back = through_provider(&app, &forger, "ada").await;
    let forged = local(&back).replace("state=", "state=x");
    assert_eq!(location(&forger.get(&forged).await), "/staff/sign-in");
    assert_eq!(
        forger.get(&local(&back)).await.headers().get("location").unwrap(),
        "/staff/sign-in",
        "and the real one is spent with it"
    );

    // A code used once, offered again: in the same session (no pending sign-in left) and with a
    // fresh state of another session (the provider refuses the code: spent, and bound to the
    // first session's PKCE challenge).
    let ada = app.browser_from("203.0.113.2");
    let back = through_provider(&app, &ada, "ada").await;
    assert_eq!(location(&ada.get(&local(&back)).await), "/admin");
    assert_eq!(location(&ada.get(&local(&back)).await), "/staff/sign-in");
    let thief = app.browser_from("203.0.113.3");
    let start = location(&thief.get(app::paths::SSO_START).await);
    let state = reqwest::Url::parse(&start).unwrap().query_pairs().find(|(k, _)| k == "state").unwrap().1.to_string();
    let code = reqwest::Url::parse(&back).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.to_string();
    let stolen = format!("{}?code={code}&state={state}", app::paths::SSO_CALLBACK);
    assert_eq!(location(&thief.get(&stolen).await), "/staff/sign-in");
    assert!(signed_out(&thief).await);
    // The forger's second refusal, from the same source within the minute, is counted into the
    // first one's summary (refusals anyone can cause are aggregated per source).
    assert_eq!(refusal_reasons(&app).await, ["bad state", "bad state", "code refused"]);
}

#[tokio::test]
async fn tampered_id_tokens_are_refused_and_a_rotated_key_is_fetched() {
    let tampered = |email: &str, how: &str| json!({ "email": email, "email_verified": true, "groups": ["sec-team"], "tamper": how });
    let idp = Idp::start(json!({
        "ada": user("ada@example.com", &["sec-team"]),
        "aud": tampered("aud@example.com", "aud"),
        "expired": tampered("expired@example.com", "expired"),
        "none": tampered("none@example.com", "none"),
        "key": tampered("key@example.com", "key"),
        "iss": tampered("iss@example.com", "iss"),
    }));
    let app = app_with(&idp, &[]).await;
    for (i, login) in ["aud", "expired", "none", "key", "iss"].into_iter().enumerate() {
        let browser = app.browser_from(&format!("192.0.2.{}", 100 + i));
        assert_eq!(location(&sso_sign_in(&app, &browser, login).await), "/staff/sign-in", "{login}");
        assert!(signed_out(&browser).await, "{login} is not signed in");
    }
    let reasons = refusal_reasons(&app).await;
    assert_eq!(reasons[..2], ["wrong audience", "expired ID token"]);
    assert!(reasons[2] == "bad signature" || reasons[2] == "code refused", "alg none: {reasons:?}");
    assert_eq!(reasons[3..], ["bad signature", "wrong issuer"]);
    let (accounts,): (i64,) =
        sqlx::query_as("select count(*) from staff_users").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(accounts, 0);

    // The provider rotates its signing key: the new key is fetched and the sign-in works.
    let first = app.browser_from("192.0.2.200");
    assert_eq!(location(&sso_sign_in(&app, &first, "ada").await), "/admin");
    tokio::time::sleep(std::time::Duration::from_secs(11)).await; // past the refetch floor
    reqwest::Client::new().post(format!("{}/test/rotate", idp.issuer)).send().await.unwrap();
    let after = app.browser_from("192.0.2.201");
    assert_eq!(location(&sso_sign_in(&app, &after, "ada").await), "/admin", "signed with the new key");
}

#[tokio::test]
async fn sso_required_turns_passwords_off_except_for_break_glass_admins() {
    let idp = Idp::start(json!({}));
    let app = app_with(
        &idp,
        &[("VOUCHSAFE_OIDC_REQUIRED", "true"), ("VOUCHSAFE_OIDC_BREAK_GLASS", "root@example.com,eve@example.com")],
    )
    .await;
    app.create_staff("root@example.com", &[StaffRole::Admin], true).await;
    app.create_staff("eve@example.com", &[StaffRole::Security], true).await;
    app.create_staff("sam@example.com", &[StaffRole::Sales], true).await;
    let try_password = |email: &'static str, ip: &'static str| {
        let browser = app.browser_from(ip);
        async move {
            let res = browser.post_form("/api/staff_sign_in", &[("email", email), ("password", PASSWORD)]).await;
            (location(&res), browser.get_text("/staff/sign-in").await.1)
        }
    };
    let (to, page) = try_password("sam@example.com", "192.0.2.50").await;
    assert_eq!(to, "/staff/sign-in");
    assert!(
        page.contains("The e-mail address or password is not right."),
        "sam: told nothing more than a wrong password"
    );
    let (to, _) = try_password("eve@example.com", "192.0.2.51").await;
    assert_eq!(to, "/staff/sign-in", "listed, but not an admin");
    let (to, _) = try_password("root@example.com", "192.0.2.52").await;
    assert_eq!(to, "/staff/two-factor", "the break-glass admin keeps password + TOTP");
    let page = app.browser().get_text("/staff/sign-in").await.1;
    assert!(page.contains("Sign in with Test IdP") && page.contains("Break-glass"));
}

#[tokio::test]
async fn a_sign_in_started_on_one_instance_completes_on_another() {
    let idp = Idp::start(json!({ "ada": user("ada@example.com", &["sec-team"]) }));
    let app = app_with(&idp, &[]).await;
    let other = app.second_instance(|_| {}).await.unwrap();
    // The state, nonce and verifier live in the session, which lives in the database: the
    // provider's answer may reach any instance behind the proxy.
    let on_a = app.browser_from("192.0.2.30");
    let back = through_provider(&app, &on_a, "ada").await;
    let on_b = Browser::for_base(&format!("http://{other}"));
    on_b.set_session_cookie(&on_a.session_cookie().expect("a session on A"));
    assert_eq!(location(&on_b.get(&local(&back)).await), "/admin");
    assert_eq!(on_b.get("/admin").await.status(), 200, "signed in on B");
}

#[tokio::test]
async fn a_required_second_factor_is_checked_in_the_token() {
    let idp = Idp::start(json!({
        "ada": user("ada@example.com", &["sec-team"]),
        "bea": { "email": "bea@example.com", "email_verified": true, "groups": ["sec-team"], "tamper": "mfa" },
    }));
    let app = app_with(&idp, &[("VOUCHSAFE_OIDC_AMR", "mfa,hwk")]).await;
    let ada = app.browser_from("192.0.2.40");
    assert_eq!(location(&sso_sign_in(&app, &ada, "ada").await), "/staff/sign-in", "password only at the provider");
    assert!(ada.get_text("/staff/sign-in").await.1.contains("with your second factor"));
    let bea = app.browser_from("192.0.2.41");
    assert_eq!(location(&sso_sign_in(&app, &bea, "bea").await), "/admin", "amr says mfa: no TOTP prompt here");
    assert_eq!(refusal_reasons(&app).await, ["second factor missing"]);
}

#[tokio::test]
async fn the_provider_cannot_take_break_glass_accounts_the_last_admin_or_unlinked_accounts() {
    let idp = Idp::start(json!({
        "ada": user("ada@example.com", &["it-admins"]),
        "root": user("root@example.com", &["it-admins"]),
        "lin": user("lin@example.com", &["sec-team"]),
        "nor": user("nor@example.com", &[]),
    }));
    let app = app_with(&idp, &[("VOUCHSAFE_OIDC_BREAK_GLASS", "root@example.com")]).await;
    app.create_staff("root@example.com", &[StaffRole::Admin], true).await;
    let lin_totp = app.create_staff("lin@example.com", &[StaffRole::Sales], true).await.unwrap();
    app.create_staff("nor@example.com", &[StaffRole::Sales], true).await;

    // A break-glass admin is never signed in, linked or changed through the provider.
    let root = app.browser_from("192.0.2.60");
    assert_eq!(location(&sso_sign_in(&app, &root, "root").await), "/staff/sign-in");
    assert!(signed_out(&root).await);

    // An existing password account with the provider's verified address is linked, its roles now
    // the provider's; from then on its password no longer signs in (it would outlive a removal).
    let lin = app.browser_from("192.0.2.61");
    assert_eq!(location(&sso_sign_in(&app, &lin, "lin").await), "/admin");
    assert_eq!(roles_of(&app, "lin@example.com").await, (vec!["security".into()], true));
    let by_password = app.browser_from("192.0.2.62");
    let res = by_password
        .post_form("/api/staff_sign_in", &[("email", "lin@example.com"), ("password", crate::helpers::PASSWORD)])
        .await;
    assert_eq!(location(&res), "/staff/sign-in", "no password for a linked account (TOTP {lin_totp} unused)");

    // An unlinked account whose provider identity has no role is refused, not deactivated.
    let nor = app.browser_from("192.0.2.63");
    assert_eq!(location(&sso_sign_in(&app, &nor, "nor").await), "/staff/sign-in");
    assert_eq!(roles_of(&app, "nor@example.com").await, (vec!["sales".into()], true));

    // The provider cannot remove the last active admin (root is break-glass and deactivated here
    // by an admin's decision, so ada is the only one).
    sqlx::query("update staff_users set active = 0 where email = 'root@example.com'")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let ada = app.browser_from("192.0.2.64");
    assert_eq!(location(&sso_sign_in(&app, &ada, "ada").await), "/admin");
    idp.set_users(json!({ "ada": user("ada@example.com", &["sec-team"]) }));
    let again = app.browser_from("192.0.2.65");
    assert_eq!(location(&sso_sign_in(&app, &again, "ada").await), "/staff/sign-in");
    assert_eq!(roles_of(&app, "ada@example.com").await, (vec!["admin".into()], true), "kept: the last admin");
    let reasons = refusal_reasons(&app).await;
    assert!(
        reasons.contains(&"break-glass account".to_string()) && reasons.contains(&"last admin".to_string()),
        "{reasons:?}"
    );
}
