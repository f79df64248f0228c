//! Benchmark: stamping and serving a 10 MB restricted PDF against serving the same file unstamped
//! as a public document, end to end over HTTP against the release binary.
//!
//! Run with `bench/download` (which builds what is needed). Each phase gets a fresh server
//! process so its peak memory (`VmHWM` in `/proc/<pid>/status`) belongs to that phase alone.
//! Latency is from the request to the last body byte, measured by the client.

use app::ssr::{db::Db, storage::FileStore};
use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

struct Args {
    bin: PathBuf,
    size: usize,
    runs: usize,
}

fn args() -> Args {
    let mut args = Args { bin: PathBuf::from("target/release/vouchsafe"), size: 10 << 20, runs: 40 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--bin" => args.bin = value.into(),
            "--size-mb" => args.size = value.parse::<usize>().expect("--size-mb N") << 20,
            "--runs" => args.runs = value.parse().expect("--runs N"),
            _ => panic!("unknown flag {flag}; use --bin PATH --size-mb N --runs N"),
        }
    }
    args
}

fn start(bin: &Path, data: &Path, port: u16) -> Child {
    Command::new(bin)
        .args(["serve", "--demo"])
        .env("VOUCHSAFE_DATA_DIR", data)
        .env("VOUCHSAFE_ADDR", format!("127.0.0.1:{port}"))
        .env("VOUCHSAFE_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the vouchsafe binary (build it with `cargo leptos build --release`)")
}

async fn wait_healthy(base: &str) {
    let started = Instant::now();
    while reqwest::get(format!("{base}/healthz")).await.map(|r| r.status() != 200).unwrap_or(true) {
        assert!(started.elapsed() < Duration::from_secs(30), "server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
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

/// A valid PDF of about `size` bytes: a short text document with a large image stream.
fn big_pdf(size: usize) -> Vec<u8> {
    let base = app::ssr::pdf::TextDocument {
        title: "Large report".into(),
        subtitle: None,
        blocks: (0..40).map(|i| app::ssr::pdf::Block::Paragraph(format!("Section {i}"))).collect(),
        footer: "large".into(),
    }
    .render()
    .expect("a PDF");
    let mut doc = lopdf::Document::load_mem(&base).expect("our own PDF");
    let noise: Vec<u8> = (0..size).map(|_| rand::random::<u8>()).collect();
    let image = doc.add_object(lopdf::Stream::new(
        lopdf::dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 1024, "Height" => (size / 3072) as i64,
            "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8 },
        noise,
    ));
    let first = *doc.get_pages().values().next().expect("a page");
    doc.add_xobject(first, "Im1", image).expect("an image");
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("saved");
    out
}

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    fn new(base: &str) -> Self {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_provider(jar)
            .build()
            .expect("client");
        Client { http, base: base.into() }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(format!("{}{path}", self.base)).header("accept", "text/html").send().await.expect("GET")
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

/// The newest sign-in token mailed to `email` (the server writes mail to its outbox).
async fn outbox_token(data: &Path, email: &str) -> String {
    for _ in 0..200 {
        if let Ok(dir) = std::fs::read_dir(data.join("outbox")) {
            for file in dir.filter_map(|e| e.ok().map(|e| e.path())) {
                let raw = std::fs::read(&file).expect("a mail");
                let mail = mailparse::parse_mail(&raw).expect("a parseable mail");
                let to =
                    mail.headers.iter().find(|h| h.get_key_ref().eq_ignore_ascii_case("to")).map(|h| h.get_value());
                let text = mail.subparts.first().map(|p| p.get_body().unwrap_or_default()).unwrap_or_default();
                if to.is_some_and(|t| t.contains(email)) {
                    if let Some(rest) = text.split("/sign-in/confirm?token=").nth(1) {
                        return rest
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                            .collect();
                    }
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no sign-in mail for {email}")
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

async fn phase(name: &'static str, args: &Args, pdf: &[u8], stamped: bool) -> Phase {
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
        let files = FileStore::new(data.join("files"));
        for slug in ["soc2-type-ii-report", "soc3-report"] {
            let stored = app::features::documents::server::current_version(&db, slug).await.expect(slug);
            app::features::documents::server::add_version(&db, &files, stored.document_id, "report.pdf", pdf)
                .await
                .expect("a new version");
        }
        db.pool().close().await;
    }
    let mut server = start(&args.bin, data, port);
    wait_healthy(&base).await;
    let client = if stamped { prospect_with_access(data, &base).await } else { Client::new(&base) };
    let idle_kib = proc_status_kib(server.id(), "VmRSS:");

    let mut latencies = Vec::with_capacity(args.runs);
    let mut bytes = 0;
    for i in 0..args.runs + 2 {
        let started = Instant::now();
        let got = if stamped {
            let link = location(&client.get("/documents/soc2-type-ii-report/get").await);
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
        "file: {:.1} MB PDF, {} runs per phase (after 2 warm-up), sequential, one client, loopback",
        pdf.len() as f64 / 1e6,
        args.runs
    );
    let plain = phase("unstamped (public document)", &args, &pdf, false).await;
    let stamped = phase("stamped (signed link + stamp + log)", &args, &pdf, true).await;
    println!(
        "{:<38} {:>9} {:>9} {:>9} {:>12} {:>12}",
        "phase", "p50 ms", "p95 ms", "max ms", "idle RSS MB", "peak RSS MB"
    );
    for p in [&plain, &stamped] {
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
