//! The real `vouchsafe` binary as a child process, for the crash test and the download
//! benchmark (`server/examples/download_bench.rs`), which include this file by path.

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// Starts `bin serve --demo` on `port` with its data in `data`; errors go to our stderr.
pub fn start(bin: &Path, data: &Path, port: u16) -> Child {
    Command::new(bin)
        .args(["serve", "--demo"])
        .env("VOUCHSAFE_DATA_DIR", data)
        .env("VOUCHSAFE_ADDR", format!("127.0.0.1:{port}"))
        .env("VOUCHSAFE_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the vouchsafe binary")
}

/// Waits (up to 30 s) until `/healthz` answers 200.
pub async fn wait_healthy(base: &str) {
    let started = Instant::now();
    while reqwest::get(format!("{base}/healthz")).await.map(|r| r.status() != 200).unwrap_or(true) {
        assert!(started.elapsed() < Duration::from_secs(30), "server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The token of the newest sign-in link mailed to `email` (the child writes mail to its outbox).
pub async fn outbox_token(data: &Path, email: &str) -> String {
    for _ in 0..200 {
        if let Ok(dir) = std::fs::read_dir(data.join("outbox")) {
            let mut files: Vec<_> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
            files.sort();
            for file in files.iter().rev() {
                let raw = std::fs::read(file).expect("a mail");
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

/// A valid PDF of about `size` bytes: a short text document with a large image stream.
pub fn big_pdf(size: usize) -> Vec<u8> {
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
