//! Benchmark: one instance against two instances of the release binary on one PostgreSQL
//! database, for the public page and for a write-heavy flow (access requests, each with its
//! access-log rows, grant and mail in one transaction).
//!
//! Run with `bench/instances` (which starts a throwaway PostgreSQL cluster). Each phase gets a
//! fresh database and fresh processes. Connections are split evenly between the instances, as a
//! round-robin proxy would; latency is measured by the client, to the last body byte.

// Shared with the tests and the download benchmark; this one needs only some of it.
#[expect(dead_code, reason = "the benchmark uses only some of the shared helpers")]
#[path = "../tests/support/child.rs"]
mod child;

use app::ssr::db::Db;
use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

struct Args {
    bin: PathBuf,
    postgres: String,
    seconds: u64,
    connections: usize,
}

fn args() -> Args {
    let mut args =
        Args { bin: PathBuf::from("target/release/vouchsafe"), postgres: String::new(), seconds: 10, connections: 32 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--bin" => args.bin = value.into(),
            "--postgres" => args.postgres = value,
            "--seconds" => args.seconds = value.parse().expect("--seconds N"),
            "--connections" => args.connections = value.parse().expect("--connections N"),
            _ => panic!("unknown flag {flag}; use --bin PATH --postgres URL --seconds N --connections N"),
        }
    }
    assert!(!args.postgres.is_empty(), "--postgres postgres://user@host:port is required");
    args
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("a port").local_addr().unwrap().port()
}

struct Instance {
    child: Child,
    base: String,
    data: PathBuf,
}

impl Instance {
    /// Stops the process as a service manager would (SIGTERM): it signs the log's last checkpoint.
    fn stop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(args: &Args, dir: &Path, name: &str, database: &str) -> Instance {
    let port = free_port();
    let data = dir.join(name);
    let keys = dir.join("keys");
    let child = Command::new(&args.bin)
        .args(["serve", "--demo"])
        .env("DATABASE_URL", database)
        .env("VOUCHSAFE_DATA_DIR", &data)
        .env("VOUCHSAFE_ADDR", format!("127.0.0.1:{port}"))
        .env("VOUCHSAFE_BASE_URL", "http://127.0.0.1:1")
        .env("VOUCHSAFE_LINK_KEY", keys.join("link.key"))
        .env("VOUCHSAFE_AUDIT_KEY", keys.join("audit.key"))
        .env("VOUCHSAFE_SECRETS_KEY", keys.join("secrets.key"))
        // Every prospect signs in from its own (proxy-reported) address: the sign-in limits are
        // per source, and this is a throughput test, not a limit test.
        .env("VOUCHSAFE_TRUSTED_PROXIES", "127.0.0.1")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the vouchsafe binary");
    Instance { child, base: format!("http://127.0.0.1:{port}"), data }
}

async fn fresh_database(server: &str) -> String {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let name = format!("vouchsafe_bench_{:016x}", rand::random::<u64>());
    let mut admin = sqlx::AnyConnection::connect(&format!("{server}/postgres")).await.expect("postgres");
    sqlx::query(&format!("create database {name}")).execute(&mut admin).await.expect("create database");
    format!("{server}/{name}")
}

fn client(forwarded_for: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", forwarded_for.parse().unwrap());
    headers.insert("origin", "http://127.0.0.1:1".parse().unwrap());
    headers.insert("accept", "text/html".parse().unwrap());
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .default_headers(headers)
        .build()
        .expect("client")
}

fn location(res: &reqwest::Response) -> String {
    res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

/// Prospect `n` of an auto-approved company, signed in on `instance`, the NDA accepted.
async fn prospect(instance: &Instance, n: usize) -> reqwest::Client {
    let http = client(&format!("198.51.100.{}", n + 1));
    let base = &instance.base;
    let email = format!("reader{n}@contoso.example");
    let form = [("email", email.as_str()), ("name", "Bench Reader"), ("company", "Contoso")];
    http.post(format!("{base}/api/request_sign_in_link")).form(&form).send().await.expect("sign-in link");
    let token = child::outbox_token(&instance.data, &email).await;
    let res = http.post(format!("{base}/api/confirm_sign_in")).form(&[("token", &token)]).send().await.unwrap();
    assert_eq!(location(&res), "/account", "{email} signed in");
    submit(&http, base).await;
    let page = http.get(format!("{base}/nda")).send().await.unwrap().text().await.unwrap();
    let value = |name: &str| {
        let tag = page.split(&format!("name=\"{name}\"")).nth(1).expect("NDA form field").split('>').next().unwrap();
        tag.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
    };
    let accept = [
        ("version_id", value("version_id")),
        ("sha256", value("sha256")),
        ("name", "Bench Reader".into()),
        ("title", "Analyst".into()),
        ("consent", "yes".into()),
    ];
    http.post(format!("{base}/api/accept_nda")).form(&accept).send().await.unwrap();
    http
}

/// One access request for the SOC 2 report: decided by the demo's rule for the company, logged,
/// mailed, all in one transaction.
async fn submit(http: &reqwest::Client, base: &str) -> u16 {
    let form = [("slug", "all"), ("documents[0]", "soc2-type-ii-report"), ("role", "Analyst"), ("reason", "Bench")];
    let res = http.post(format!("{base}/api/submit_access_request")).form(&form).send().await.expect("submit");
    let status = res.status().as_u16();
    let _ = res.bytes().await;
    status
}

struct Measured {
    requests: usize,
    errors: usize,
    seconds: f64,
    p50: Duration,
    p99: Duration,
}

/// Runs `work` on every (client, base) pair at once for `seconds`, each in a loop.
async fn load<F, Fut>(pairs: Vec<(reqwest::Client, String)>, seconds: u64, work: F) -> Measured
where
    F: Fn(reqwest::Client, String) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let work = Arc::new(work);
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (http, base) in pairs {
        let work = work.clone();
        tasks.spawn(async move {
            let (mut latencies, mut errors) = (Vec::new(), 0);
            while Instant::now() < until {
                let t = Instant::now();
                let ok = work(http.clone(), base.clone()).await;
                latencies.push(t.elapsed());
                errors += usize::from(!ok);
            }
            (latencies, errors)
        });
    }
    let (mut all, mut errors) = (Vec::new(), 0);
    while let Some(done) = tasks.join_next().await {
        let (latencies, e) = done.expect("a load task");
        all.extend(latencies);
        errors += e;
    }
    let seconds = started.elapsed().as_secs_f64();
    all.sort();
    let pick = |p: f64| all[((p * all.len() as f64).ceil() as usize).clamp(1, all.len()) - 1];
    Measured { requests: all.len(), errors, seconds, p50: pick(0.50), p99: pick(0.99) }
}

async fn log_rows(db: &Db) -> i64 {
    sqlx::query_as::<_, (i64,)>("select count(*) from access_log").fetch_one(db.pool()).await.unwrap().0
}

async fn phase(args: &Args, instances: usize) -> (Measured, Measured, f64) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let keys = Command::new(&args.bin).args(["keys", "generate", "--out"]).arg(dir.path().join("keys")).output();
    assert!(keys.expect("keys generate").status.success());
    let database = fresh_database(&args.postgres).await;
    let running: Vec<Instance> =
        (0..instances).map(|n| start(args, dir.path(), &format!("instance{n}"), &database)).collect();
    for instance in &running {
        child::wait_healthy(&instance.base).await;
    }
    let db = Db::connect(&database).await.expect("the database");

    // The public page, anonymous, from the cache.
    let pairs =
        (0..args.connections).map(|n| (client("192.0.2.1"), format!("{}/", running[n % instances].base))).collect();
    let page = load(pairs, args.seconds, |http, url| async move {
        match http.get(url).send().await {
            Ok(res) => res.status() == 200 && res.bytes().await.is_ok(),
            Err(_) => false,
        }
    })
    .await;

    // Access requests: one signed-in prospect per connection, on its instance.
    let mut pairs = Vec::new();
    for n in 0..args.connections {
        let instance = &running[n % instances];
        pairs.push((prospect(instance, n).await, instance.base.clone()));
    }
    let before = log_rows(&db).await;
    let writes =
        load(pairs, args.seconds, |http, base| async move { matches!(submit(&http, &base).await, 200 | 302 | 303) })
            .await;
    let logged = (log_rows(&db).await - before) as f64 / writes.seconds;
    // Under this load the log grows by hundreds of entries a second, more than `audit verify`
    // allows unsigned on a running server (150); stopped, each instance signs its last checkpoint.
    let mut running = running;
    for instance in &mut running {
        instance.stop();
    }
    let verify = Command::new(&args.bin)
        .args(["audit", "verify"])
        .env("DATABASE_URL", &database)
        .env("VOUCHSAFE_DATA_DIR", dir.path().join("instance0"))
        .env("VOUCHSAFE_AUDIT_KEY", dir.path().join("keys/audit.key"))
        .output()
        .expect("audit verify");
    assert!(
        verify.status.success(),
        "the chain verifies after the run: {}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
    (page, writes, logged)
}

fn row(name: &str, m: &Measured) -> String {
    format!(
        "  {name:<34} {:>8.0} req/s   p50 {:>6.1} ms   p99 {:>6.1} ms   ({} requests, {} errors)",
        m.requests as f64 / m.seconds,
        m.p50.as_secs_f64() * 1000.0,
        m.p99.as_secs_f64() * 1000.0,
        m.requests,
        m.errors
    )
}

#[tokio::main]
async fn main() {
    let args = args();
    println!(
        "Instances benchmark ({} cores, {} connections, {} s per measurement, release build, PostgreSQL)",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        args.connections,
        args.seconds
    );
    for instances in [1, 2] {
        let (page, writes, logged) = phase(&args, instances).await;
        println!("{instances} instance{}:", if instances == 1 { "" } else { "s" });
        println!("{}", row("public page GET /", &page));
        println!("{}", row("access requests (logged writes)", &writes));
        println!("  {:<34} {logged:>8.0} rows/s", "access-log rows appended");
    }
}
