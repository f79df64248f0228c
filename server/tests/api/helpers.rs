//! `spawn_app()`: the whole server on port 0 with its own data directory, and browser-like
//! clients with their own cookies.

use crate::smtp::SmtpServer;
use app::{
    features::accounts::{model::StaffRole, server::staff},
    ssr::{config::Config, passwords, totp, AppState},
    types::{EmailAddress, IsoDate, Timestamp},
};
use reqwest::{cookie::CookieStore, header, Url};
use std::{collections::HashMap, net::SocketAddr, sync::Arc};

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    /// A client without cookies, for one-off requests.
    pub client: reqwest::Client,
    pub smtp: Option<SmtpServer>,
    // Dropped with the app: the database and stored files go with it.
    _dir: tempfile::TempDir,
}

#[derive(Default)]
pub struct Options {
    pub demo: bool,
    pub smtp: bool,
    /// Pretend the public address is https (as behind a TLS-terminating proxy).
    pub https: bool,
    /// Believe `X-Forwarded-For` from loopback, as behind a reverse proxy on the same host (lets
    /// a test speak from several client addresses: see [`TestApp::browser_from`]).
    pub behind_proxy: bool,
    /// More environment for the instance (single sign-on settings, …).
    pub env: Vec<(&'static str, String)>,
}

/// Starts the app with the demo content seeded, mail written to the outbox directory.
pub async fn spawn_app() -> TestApp {
    spawn(Options { demo: true, ..Options::default() }).await
}

/// Starts the app with the demo content and a real SMTP server capturing its mail.
pub async fn spawn_app_with_smtp() -> TestApp {
    spawn(Options { demo: true, smtp: true, ..Options::default() }).await
}

/// Starts the app on an empty database (nothing published).
pub async fn spawn_empty_app() -> TestApp {
    spawn(Options::default()).await
}

pub async fn spawn(options: Options) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let smtp = options.smtp.then(SmtpServer::start);
    let mut vars: HashMap<&str, String> = HashMap::from([
        ("VOUCHSAFE_DATA_DIR", dir.path().display().to_string()),
        ("VOUCHSAFE_ADDR", addr.to_string()),
        ("VOUCHSAFE_BASE_URL", format!("{}://{addr}", if options.https { "https" } else { "http" })),
    ]);
    if let Some(smtp) = &smtp {
        vars.insert("VOUCHSAFE_SMTP_URL", smtp.url());
    }
    if options.behind_proxy {
        vars.insert("VOUCHSAFE_TRUSTED_PROXIES", "127.0.0.1".into());
    }
    vars.extend(options.env);
    if let Ok(server) = std::env::var("VOUCHSAFE_TEST_POSTGRES") {
        vars.insert("DATABASE_URL", fresh_postgres_database(&server).await);
        // Instances on PostgreSQL never make their own keys: made here, at the default paths.
        let keys = [
            ("VOUCHSAFE_LINK_KEY", "link-signing.key"),
            ("VOUCHSAFE_AUDIT_KEY", "audit-signing.key"),
            ("VOUCHSAFE_SECRETS_KEY", "secrets.key"),
        ];
        for (variable, file) in keys {
            let path = dir.path().join(file);
            app::ssr::keys::SecretsKey::load_or_create(&path).expect("a key file");
            vars.insert(variable, path.display().to_string());
        }
    }
    let config = Config::from_lookup(|k| vars.get(k).cloned()).expect("config");
    let state = server::build_state(config).await.expect("state");
    if options.demo {
        app::demo::seed_if_empty(&state.db, &state.files, IsoDate::today_utc()).await.expect("demo");
    }
    let serving = state.clone();
    tokio::spawn(async move { server::serve(serving, listener).await });
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    TestApp { addr, state, client, smtp, _dir: dir }
}

/// Creates a staff member with [`PASSWORD`] in `db` and, if `with_totp`, an authenticator sealed
/// with `secrets` (the instances' `VOUCHSAFE_SECRETS_KEY`). Returns the TOTP secret.
pub async fn create_staff_in(
    db: &app::ssr::db::Db,
    secrets: &app::ssr::keys::SecretsKey,
    email: &str,
    roles: &[StaffRole],
    with_totp: bool,
) -> Option<String> {
    let hash = passwords::hash(passwords::Password::parse_new(PASSWORD, email).unwrap()).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    let id =
        staff::create(&mut tx, &EmailAddress::parse(email).unwrap(), "Test Staff", roles, Some(hash)).await.unwrap();
    tx.commit().await.unwrap();
    if !with_totp {
        return None;
    }
    let secret = totp::new_secret();
    sqlx::query("update staff_users set totp_secret = $1, totp_enabled = 1 where id = $2")
        .bind(secrets.seal(&staff::totp_context(id), &secret))
        .bind(id)
        .execute(db.pool())
        .await
        .unwrap();
    Some(secret)
}

/// Starts an instance with `config` on a port of its own (whatever `config.addr` said) and
/// returns its address.
pub async fn serve_config(mut config: Config) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    config.addr = addr;
    let state = server::build_state(config).await?;
    tokio::spawn(async move { server::serve(state, listener).await });
    Ok(addr)
}

/// With `VOUCHSAFE_TEST_POSTGRES=postgres://user@host:port` (see `scripts/test-postgres`), each test
/// gets a new, empty PostgreSQL database on that server instead of a SQLite file.
pub async fn fresh_postgres_database(server: &str) -> String {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let server = server.trim_end_matches('/');
    let name = format!("vouchsafe_test_{:016x}", rand::random::<u64>());
    let mut admin = sqlx::AnyConnection::connect(&format!("{server}/postgres")).await.expect("postgres server");
    sqlx::query(&format!("create database {name}")).execute(&mut admin).await.expect("create database");
    format!("{server}/{name}")
}

impl TestApp {
    /// A second instance of the same trust center: the same database, data directory and keys
    /// (unless `change` alters its configuration), serving on its own port.
    pub async fn second_instance(&self, change: impl FnOnce(&mut Config)) -> anyhow::Result<SocketAddr> {
        let mut config = (*self.state.config).clone();
        change(&mut config);
        serve_config(config).await
    }

    /// Writes `count` entries (`test.event`, objects `n:0`, `n:1`, …) to the access log, each in
    /// its own transaction, as the system.
    pub async fn record_test_events(&self, count: usize) {
        use app::ssr::{
            audit::{record_alone, Actor, Event, Outcome},
            request_meta::RequestMeta,
        };
        let actor = Actor::system();
        for n in 0..count {
            let event = Event {
                actor: &actor,
                event: "test.event",
                object: format!("n:{n}"),
                outcome: Outcome::Success,
                details: serde_json::json!({}),
            };
            record_alone(&self.state.db, &RequestMeta::system("test"), event).await.unwrap();
        }
    }

    /// The `vouchsafe` binary set up for this app's data (and database, when it is PostgreSQL).
    pub fn cli(&self) -> std::process::Command {
        let config = &self.state.config;
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_vouchsafe"));
        cmd.env("VOUCHSAFE_DATA_DIR", &config.data_dir).env("DATABASE_URL", config.database_url.expose());
        for variable in &config.configured_keys {
            let path = match *variable {
                "VOUCHSAFE_LINK_KEY" => &config.link_key_path,
                "VOUCHSAFE_AUDIT_KEY" => &config.audit_key_path,
                _ => &config.secrets_key_path,
            };
            cmd.env(variable, path);
        }
        cmd
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        (status, res.text().await.expect("body"))
    }

    /// A new browser: its own cookie jar, sending what browsers send.
    pub fn browser(&self) -> Browser {
        Browser::for_base(&format!("http://{}", self.addr))
    }

    /// A new browser whose requests the (trusted, loopback) proxy says come from `ip`. Needs an
    /// app spawned with `behind_proxy`.
    pub fn browser_from(&self, ip: &str) -> Browser {
        let mut headers = header::HeaderMap::new();
        headers.insert("x-forwarded-for", header::HeaderValue::from_str(ip).unwrap());
        Browser::with_headers(&format!("http://{}", self.addr), headers)
    }

    pub fn smtp(&self) -> &SmtpServer {
        self.smtp.as_ref().expect("this app was spawned without SMTP")
    }

    /// Creates a staff member with a password and, if `with_totp`, an enrolled authenticator.
    /// Returns the TOTP secret.
    pub async fn create_staff(&self, email: &str, roles: &[StaffRole], with_totp: bool) -> Option<String> {
        create_staff_in(&self.state.db, &self.state.secrets, email, roles, with_totp).await
    }

    /// Events in the access log, in order: (event, outcome, actor label).
    pub async fn audit_events(&self) -> Vec<(String, String, String)> {
        sqlx::query_as("select event, outcome, actor_label from access_log order by seq")
            .fetch_all(self.state.db.pool())
            .await
            .unwrap()
    }

    /// A browser signed in as a staff member with `roles` (created here, with TOTP).
    pub async fn staff_browser(&self, email: &str, roles: &[StaffRole]) -> Browser {
        let secret = self.create_staff(email, roles, true).await.unwrap();
        let browser = self.browser();
        browser.staff_sign_in(email, PASSWORD, &secret).await;
        browser
    }

    /// A browser signed in as a prospect (through the mailed link; needs SMTP or the outbox).
    pub async fn prospect_browser(&self, email: &str) -> Browser {
        let browser = self.browser();
        let res = browser
            .post_form(
                "/api/request_sign_in_link",
                &[("email", email), ("name", "Pat Prospect"), ("company", &company_of(email))],
            )
            .await;
        assert_eq!(res.status(), 302);
        let token = self.latest_sign_in_token(email).await;
        let res = browser.post_form("/api/confirm_sign_in", &[("token", &token)]).await;
        assert_eq!(location(&res), "/account");
        browser
    }

    /// The token from the newest sign-in link mailed to `email`.
    pub async fn latest_sign_in_token(&self, email: &str) -> String {
        let mail = match &self.smtp {
            Some(smtp) => {
                let count = smtp.mails().iter().filter(|m| m.to.contains(email)).count();
                smtp.wait_for(email, count.max(1)).await
            }
            None => self.outbox_mail(email).await,
        };
        token_from(&mail.link(&self.url("/sign-in/confirm?token=")))
    }

    /// Every mail to `email` written to the outbox so far, oldest first.
    pub fn outbox_mails(&self, email: &str) -> Vec<crate::smtp::Mail> {
        let dir = self.state.config.data_dir.join("outbox");
        let mut files: Vec<_> =
            std::fs::read_dir(&dir).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
        files.sort_by_key(|f| {
            // <unix time>-<outbox id>.eml: order by the outbox id.
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            name.trim_end_matches(".eml").split('-').nth(1).and_then(|n| n.parse::<i64>().ok()).unwrap_or(0)
        });
        files.iter().map(|f| crate::smtp::parse(&std::fs::read(f).unwrap())).filter(|m| m.to.contains(email)).collect()
    }

    /// Waits until `email` has received `n` mails and returns them.
    pub async fn wait_for_mails(&self, email: &str, n: usize) -> Vec<crate::smtp::Mail> {
        for _ in 0..200 {
            let mails = self.outbox_mails(email);
            if mails.len() >= n {
                return mails;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!(
            "{email} did not receive {n} mails: {:?}",
            self.outbox_mails(email).iter().map(|m| &m.subject).collect::<Vec<_>>()
        )
    }

    /// The newest mail to `email` in the outbox directory (apps without SMTP).
    pub async fn outbox_mail(&self, email: &str) -> crate::smtp::Mail {
        let dir = self.state.config.data_dir.join("outbox");
        for _ in 0..200 {
            let mut files: Vec<_> = std::fs::read_dir(&dir)
                .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
                .unwrap_or_default();
            files.sort();
            let mails: Vec<_> = files.iter().map(|f| crate::smtp::parse(&std::fs::read(f).unwrap())).collect();
            if let Some(mail) = mails.into_iter().rev().find(|m| m.to.contains(email)) {
                return mail;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no mail to {email} in the outbox")
    }
}

/// The text content of the element whose opening tag contains `marker`.
pub fn text_after(html: &str, marker: &str) -> String {
    let rest = html.split(marker).nth(1).unwrap_or_else(|| panic!("{marker} not in page"));
    rest.split_once('>').unwrap().1.split('<').next().unwrap().to_string()
}

/// The company as people type it: "ivy@initech.example" → "Initech".
fn company_of(email: &str) -> String {
    let label = email.split('@').nth(1).unwrap_or_default().split('.').next().unwrap_or_default();
    format!("{}{}", label[..1].to_uppercase(), &label[1..])
}

pub fn token_from(link: &str) -> String {
    link.split("token=").nth(1).unwrap().to_string()
}

pub fn location(res: &reqwest::Response) -> String {
    res.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

/// A browser: its own cookies; form posts carry `Accept: text/html` and a same-site `Origin`.
pub struct Browser {
    pub client: reqwest::Client,
    jar: Arc<reqwest::cookie::Jar>,
    pub base: String,
    /// The site's public origin, sent with form posts (the base, unless the server is one of
    /// several instances behind one address).
    origin: String,
}

impl Browser {
    /// A browser for a server started elsewhere (e.g. the binary in a child process).
    pub fn for_base(base: &str) -> Self {
        Self::with_headers(base, header::HeaderMap::new())
    }

    /// A browser that sends `headers` with every request.
    pub fn with_headers(base: &str, headers: header::HeaderMap) -> Self {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar.clone())
            .default_headers(headers)
            .build()
            .expect("client");
        Browser { client, jar, base: base.to_string(), origin: base.to_string() }
    }

    /// A browser speaking to one instance at `base` of a site whose public origin is `origin`
    /// (several instances behind one address).
    pub fn for_instance(base: &str, origin: &str) -> Self {
        Browser { origin: origin.to_string(), ..Self::for_base(base) }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.base)).header(header::ACCEPT, "text/html").send().await.unwrap()
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let res = self.get(path).await;
        (res.status().as_u16(), res.text().await.unwrap())
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .header(header::ACCEPT, "text/html")
            .header(header::ORIGIN, &self.origin)
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// A multipart form post (a file upload) with a same-site `Origin`: `fields`, then the file
    /// as the `file` part.
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, Vec<u8>),
    ) -> reqwest::Response {
        self.post_file(path, "file", fields, file).await
    }

    /// As [`Self::post_multipart`], with the file in the part named `part`.
    pub async fn post_file(
        &self,
        path: &str,
        part: &str,
        fields: &[(&str, &str)],
        file: (&str, Vec<u8>),
    ) -> reqwest::Response {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        form = form.part(part.to_string(), reqwest::multipart::Part::bytes(file.1).file_name(file.0.to_string()));
        self.client
            .post(format!("{}{path}", self.base))
            .header(header::ORIGIN, &self.origin)
            .header(header::ACCEPT, "text/html")
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    /// The session cookie's value, if any.
    pub fn session_cookie(&self) -> Option<String> {
        let url: Url = self.base.parse().unwrap();
        let cookies = self.jar.cookies(&url)?;
        cookies
            .to_str()
            .ok()?
            .split(';')
            .map(str::trim)
            .find_map(|c| c.strip_prefix(&format!("{}=", app::ssr::SESSION_COOKIE)).map(str::to_string))
    }

    /// Replaces the cookie jar's session cookie (to replay an old one).
    pub fn set_session_cookie(&self, value: &str) {
        let url: Url = self.base.parse().unwrap();
        self.jar.add_cookie_str(&format!("{}={value}; Path=/", app::ssr::SESSION_COOKIE), &url);
    }

    /// Password, then a TOTP code.
    pub async fn staff_sign_in(&self, email: &str, password: &str, secret: &str) {
        let res = self.post_form("/api/staff_sign_in", &[("email", email), ("password", password)]).await;
        assert_eq!(location(&res), "/staff/two-factor", "password step");
        let code = totp::code_at(secret, Timestamp::now().0 as u64).unwrap();
        let res = self.post_form("/api/verify_second_factor", &[("code", &code)]).await;
        assert_eq!(location(&res), "/admin", "second factor step");
    }
}
