//! `spawn_app()`: the whole server on port 0 with its own data directory.

use app::{
    ssr::{config::Config, AppState},
    types::IsoDate,
};
use std::{collections::HashMap, net::SocketAddr};

pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    pub client: reqwest::Client,
    // Dropped with the app: the database and stored files go with it.
    _dir: tempfile::TempDir,
}

impl TestApp {
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
}

/// Starts the app with the demo content seeded.
pub async fn spawn_app() -> TestApp {
    spawn(true).await
}

/// Starts the app on an empty database (nothing published).
pub async fn spawn_empty_app() -> TestApp {
    spawn(false).await
}

async fn spawn(demo: bool) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let vars: HashMap<&str, String> = HashMap::from([
        ("VOUCHSAFE_DATA_DIR", dir.path().display().to_string()),
        ("VOUCHSAFE_ADDR", addr.to_string()),
        ("VOUCHSAFE_BASE_URL", format!("http://{addr}")),
    ]);
    let config = Config::from_lookup(|k| vars.get(k).cloned()).expect("config");
    let state = server::build_state(config).await.expect("state");
    if demo {
        app::ssr::demo::seed_if_empty(&state.db, &state.files, IsoDate::today_utc()).await.expect("demo");
    }
    let serving = state.clone();
    tokio::spawn(async move { server::serve(serving, listener).await });
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("client");
    TestApp { addr, state, client, _dir: dir }
}
