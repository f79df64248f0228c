//! A real SMTP server for the tests: Python's aiosmtpd, storing what it receives in a Maildir.

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub struct SmtpServer {
    pub port: u16,
    maildir: tempfile::TempDir,
    child: Child,
}

/// A received mail, decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub headers: Vec<(String, String)>,
    /// (file name, bytes)
    pub attachments: Vec<(String, Vec<u8>)>,
}

impl Mail {
    /// The first link in the text part that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        let start = self.text.find(prefix).unwrap_or_else(|| panic!("no link {prefix} in {}", self.text));
        self.text[start..].split_whitespace().next().unwrap().to_string()
    }
}

impl SmtpServer {
    pub fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let maildir = tempfile::tempdir().unwrap();
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("box"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m aiosmtpd (scripts/install installs it)");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "SMTP server did not start");
            std::thread::sleep(Duration::from_millis(25));
        }
        Self { port, maildir, child }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}?tls=none", self.port)
    }

    /// Stops the server (to simulate an outage).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn files(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(self.maildir.path().join("box").join(sub)) {
                files.extend(entries.filter_map(|e| e.ok().map(|e| e.path())));
            }
        }
        files.sort();
        files
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.files().iter().map(|f| parse(&std::fs::read(f).unwrap())).collect()
    }

    /// Waits for the `n`th mail (1-based) to `to`.
    pub async fn wait_for(&self, to: &str, n: usize) -> Mail {
        let started = Instant::now();
        loop {
            let mails: Vec<Mail> = self.mails().into_iter().filter(|m| m.to.contains(to)).collect();
            if mails.len() >= n {
                return mails[n - 1].clone();
            }
            assert!(started.elapsed() < Duration::from_secs(15), "no mail #{n} to {to} arrived");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Every leaf part of a (possibly nested) MIME message.
fn leaves<'a>(part: &'a mailparse::ParsedMail<'a>, out: &mut Vec<&'a mailparse::ParsedMail<'a>>) {
    if part.subparts.is_empty() {
        out.push(part);
    }
    for sub in &part.subparts {
        leaves(sub, out);
    }
}

pub fn parse(raw: &[u8]) -> Mail {
    let parsed = mailparse::parse_mail(raw).expect("a parseable mail");
    let header =
        |name: &str| parsed.headers.iter().find(|h| h.get_key_ref().eq_ignore_ascii_case(name)).map(|h| h.get_value());
    let mut parts = Vec::new();
    leaves(&parsed, &mut parts);
    let is_attachment =
        |p: &mailparse::ParsedMail| p.get_content_disposition().disposition == mailparse::DispositionType::Attachment;
    let part = |mime: &str| {
        parts
            .iter()
            .find(|p| p.ctype.mimetype == mime && !is_attachment(p))
            .map(|p| p.get_body().unwrap())
            .unwrap_or_default()
    };
    let attachments = parts
        .iter()
        .filter(|p| is_attachment(p))
        .map(|p| {
            let name = p.get_content_disposition().params.get("filename").cloned().unwrap_or_default();
            (name, p.get_body_raw().unwrap())
        })
        .collect();
    Mail {
        to: header("To").unwrap_or_default(),
        subject: header("Subject").unwrap_or_default(),
        text: part("text/plain"),
        html: part("text/html"),
        headers: parsed.headers.iter().map(|h| (h.get_key(), h.get_value())).collect(),
        attachments,
    }
}
