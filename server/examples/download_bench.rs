//! Benchmark: stamping and serving a 10 MB restricted PDF against serving the same file unstamped
//! as a public document, end to end over HTTP against the release binary.
//!
//! Run with `bench/download` (which builds what is needed). Each phase gets a fresh server
//! process so its peak memory (`VmHWM` in `/proc/<pid>/status`) belongs to that phase alone.
//! Latency is from the request to the last body byte, measured by the client.

#[path = "../tests/support/child.rs"]
mod child;

use app::ssr::{db::Db, storage::FileStore};
use child::{big_pdf, outbox_token, start, wait_healthy};
use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, Instant},
};

struct Args {
    bin: PathBuf,
    size: usize,
    runs: usize,
    /// Public downloads at once in the third phase.
    clients: usize,
}

fn args() -> Args {
    let mut args = Args { bin: PathBuf::from("target/release/vouchsafe"), size: 10 << 20, runs: 40, clients: 16 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--bin" => args.bin = value.into(),
            "--size-mb" => args.size = value.parse::<usize>().expect("--size-mb N") << 20,
            "--runs" => args.runs = value.parse().expect("--runs N"),
            "--clients" => args.clients = value.parse::<usize>().expect("--clients N").max(1),
            _ => panic!("unknown flag {flag}; use --bin PATH --size-mb N --runs N --clients N"),
        }
    }
    args
}

fn proc_status_kib(pid: u32, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

struct Client {
    http: reqwest::Client,
    base: String,
    /// The client address it claims through the proxy header (`bench/download` trusts loopback as
    /// a proxy): with `rotate`, every request claims a new one, so that the benchmark measures
    /// serving rather than one address's download limit (30 a minute).
    from: String,
    rotate: bool,
    sent: std::sync::atomic::AtomicU32,
}

impl Client {
    fn new(base: &str) -> Self {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar)
            .build()
            .expect("client");
        Client { http, base: base.into(), from: "127.0.0.1".into(), rotate: false, sent: Default::default() }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        let n = self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let from =
            if self.rotate { format!("10.{}.{}.{}", n >> 16 & 255, n >> 8 & 255, n & 255) } else { self.from.clone() };
        let request = self.http.get(format!("{}{path}", self.base)).header("x-forwarded-for", from);
        request.header("accept", "text/html").send().await.expect("GET")
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let url = format!("{}{path}", self.base);
        let res = self.http.post(url).header("accept", "text/html").header("origin", &self.base).form(form).send();
        res.await.expect("POST")
    }

    /// Fetches `path` and reads the whole body; returns the bytes received.
    async fn download(&self, path: &str) -> usize {
        let mut res = self.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        let mut total = 0;
        while let Some(chunk) = res.chunk().await.expect("body") {
            total += chunk.len();
        }
        total
    }
}

fn location(res: &reqwest::Response) -> String {
    res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

/// A prospect at an auto-approved company, signed in, with the NDA accepted.
async fn prospect_with_access(data: &Path, base: &str) -> Client {
    let pat = Client::new(base);
    let email = "pat@contoso.example";
    pat.post("/api/request_sign_in_link", &[("email", email), ("name", "Pat Bench"), ("company", "Contoso")]).await;
    let token = outbox_token(data, email).await;
    assert_eq!(location(&pat.post("/api/confirm_sign_in", &[("token", &token)]).await), "/account");
    let form = [("slug", "all"), ("documents[0]", "soc2-type-ii-report"), ("role", "Analyst"), ("reason", "Bench")];
    pat.post("/api/submit_access_request", &form).await;
    let page = pat.get("/nda").await.text().await.expect("the NDA page");
    let value = |name: &str| {
        let tag = page.split(&format!("name=\"{name}\"")).nth(1).expect("NDA form field").split('>').next().unwrap();
        tag.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
    };
    let (version, sha) = (value("version_id"), value("sha256"));
    let accept =
        [("version_id", &*version), ("sha256", &*sha), ("name", "Pat Bench"), ("title", "T"), ("consent", "yes")];
    pat.post("/api/accept_nda", &accept).await;
    pat
}

struct Phase {
    name: &'static str,
    latencies: Vec<Duration>,
    bytes: usize,
    peak_kib: u64,
    idle_kib: u64,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// What a phase downloads: the public document one at a time or `n` at once, or the restricted
/// one through signed links.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Public { at_once: usize },
    Stamped,
}

async fn phase(name: &'static str, args: &Args, pdf: &[u8], kind: Kind) -> Phase {
    let stamped = kind == Kind::Stamped;
    let dir = tempfile::tempdir().expect("a temp dir");
    let data = dir.path();
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("a port").local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");

    // Seed the demo, then make both the public and the restricted report this large file.
    let mut server = start(&args.bin, data, port);
    wait_healthy(&base).await;
    let _ = server.kill();
    let _ = server.wait();
    {
        let db = Db::connect(&app::ssr::config::sqlite_url_for(&data.join("vouchsafe.db"))).await.expect("db");
        let files = FileStore::new(db.clone(), data.join("files"));
        for slug in ["soc2-type-ii-report", "soc3-report"] {
            let stored = app::features::documents::server::current_version(&db, slug).await.expect(slug);
            let mut tx = db.begin().await.expect("a transaction");
            app::features::documents::server::add_version(&mut tx, &files, stored.document_id, "report.pdf", pdf)
                .await
                .expect("a new version");
            tx.commit().await.expect("committed");
        }
        db.pool().close().await;
    }
    let mut server = start(&args.bin, data, port);
    wait_healthy(&base).await;
    let client =
        if stamped { prospect_with_access(data, &base).await } else { Client { rotate: true, ..Client::new(&base) } };
    let idle_kib = proc_status_kib(server.id(), "VmRSS:");

    let mut latencies = Vec::with_capacity(args.runs);
    let mut bytes = 0;
    if let Kind::Public { at_once } = kind {
        if at_once > 1 {
            // Warm up once, then every client downloads `runs / at_once` times, all at the same time.
            client.download("/documents/soc3-report/download").await;
            let rounds = args.runs.div_ceil(at_once);
            let tasks: Vec<_> = (0..at_once)
                .map(|i| {
                    let client = Client { from: format!("192.168.{}.{}", i / 250, i % 250 + 1), ..Client::new(&base) };
                    tokio::spawn(async move {
                        let mut mine = Vec::new();
                        for _ in 0..rounds {
                            let started = Instant::now();
                            let got = client.download("/documents/soc3-report/download").await;
                            mine.push((started.elapsed(), got));
                        }
                        mine
                    })
                })
                .collect();
            for task in tasks {
                for (latency, got) in task.await.expect("a client") {
                    latencies.push(latency);
                    bytes = got;
                }
            }
            let peak_kib = proc_status_kib(server.id(), "VmHWM:");
            let _ = server.kill();
            let _ = server.wait();
            latencies.sort();
            return Phase { name, latencies, bytes, peak_kib, idle_kib };
        }
    }
    for i in 0..args.runs + 2 {
        let started = Instant::now();
        let got = if stamped {
            let link = location(&client.post("/documents/soc2-type-ii-report/get", &[]).await);
            assert!(link.starts_with("/download/"), "a signed link, got {link:?}");
            client.download(&link).await
        } else {
            client.download("/documents/soc3-report/download").await
        };
        // The first two warm the page cache and allocator; they are not counted.
        if i >= 2 {
            latencies.push(started.elapsed());
            bytes = got;
        }
    }
    let peak_kib = proc_status_kib(server.id(), "VmHWM:");
    let _ = server.kill();
    let _ = server.wait();
    latencies.sort();
    Phase { name, latencies, bytes, peak_kib, idle_kib }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args = args();
    assert!(args.bin.exists(), "{} is missing: run `cargo leptos build --release` first", args.bin.display());
    let pdf = big_pdf(args.size);
    println!(
        "file: {:.1} MB PDF, {} runs per phase (after warm-up), one client except the second phase ({} at once), loopback",
        pdf.len() as f64 / 1e6,
        args.runs,
        args.clients
    );
    let plain = phase("unstamped (public document)", &args, &pdf, Kind::Public { at_once: 1 }).await;
    let crowd = phase("unstamped, clients at once", &args, &pdf, Kind::Public { at_once: args.clients }).await;
    let stamped = phase("stamped (signed link + stamp + log)", &args, &pdf, Kind::Stamped).await;
    println!(
        "{:<38} {:>9} {:>9} {:>9} {:>12} {:>12}",
        "phase", "p50 ms", "p95 ms", "max ms", "idle RSS MB", "peak RSS MB"
    );
    for p in [&plain, &crowd, &stamped] {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{:<38} {:>9.1} {:>9.1} {:>9.1} {:>12.1} {:>12.1}",
            p.name,
            ms(percentile(&p.latencies, 50.0)),
            ms(percentile(&p.latencies, 95.0)),
            ms(*p.latencies.last().unwrap()),
            p.idle_kib as f64 / 1024.0,
            p.peak_kib as f64 / 1024.0
        );
    }
    println!("delivered: {} bytes unstamped, {} bytes stamped", plain.bytes, stamped.bytes);
}
