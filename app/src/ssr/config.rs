//! Configuration from the environment (and an optional `.env`, loaded by the binary).
//!
//! Every value is parsed here, at start-up; a bad one stops the process with one line naming the
//! variable. Nothing has a default secret.

use super::request_meta::TrustedProxies;
use std::{fmt, net::SocketAddr, path::PathBuf};
use url::Url;

/// A configuration problem: which variable, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.problem)
    }
}

impl std::error::Error for ConfigError {}

/// The public address of the site, without a trailing slash: `https://trust.example.com`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// Accepts an absolute `http` or `https` URL with a host and no query or fragment; one trailing
    /// slash is dropped.
    pub fn parse(text: &str) -> Result<Self, String> {
        let url = Url::parse(text.trim()).map_err(|_| format!("“{text}” is not an absolute URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("“{text}” must start with http:// or https://"));
        }
        if url.host_str().is_none() || url.query().is_some() || url.fragment().is_some() {
            return Err(format!("“{text}” must be a plain site address, without query or fragment"));
        }
        Ok(Self(url.as_str().trim_end_matches('/').to_string()))
    }

    /// The address, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the site is served over HTTPS: cookies are then `Secure` and HSTS is sent.
    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }

    /// The host part for a sender address: the site's host name, or `localhost` for an IP.
    pub fn mail_host(&self) -> String {
        let host = Url::parse(&self.0).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
        if host.is_empty() || host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
            "localhost".into()
        } else {
            host
        }
    }

    /// The origin (`scheme://host[:port]`), as browsers send it in `Origin`.
    pub fn origin(&self) -> String {
        Url::parse(&self.0).map(|u| u.origin().ascii_serialization()).unwrap_or_default()
    }

    /// An absolute link to `path` (which starts with `/`).
    pub fn join(&self, path: &str) -> String {
        format!("{}{}", self.0, path)
    }
}

/// An SMTP connection URL. It carries credentials, so `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl(String);

impl SmtpUrl {
    /// `smtp://user:pass@host:587` means STARTTLS, required; `smtps://` is TLS from the start;
    /// `?tls=none` explicitly allows an unencrypted relay (local test servers).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut url = Url::parse(text.trim()).map_err(|_| "not a URL such as smtp://user:pass@host:587".to_string())?;
        if url.host_str().is_none() {
            return Err("the URL names no host".into());
        }
        let tls = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
        match (url.scheme(), tls.as_deref()) {
            ("smtps", _) => {}
            ("smtp", None) => url.set_query(Some("tls=required")),
            ("smtp", Some("none")) => url.set_query(None),
            ("smtp", Some("required" | "opportunistic")) => {}
            ("smtp", Some(other)) => return Err(format!("tls={other} is not one of required, opportunistic, none")),
            (other, _) => return Err(format!("the scheme must be smtp or smtps, not {other}")),
        }
        Ok(Self(url.to_string()))
    }

    /// The URL for the mail transport, credentials included. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SmtpUrl(…)")
    }
}

/// Where the database is. A PostgreSQL URL carries a password, so `Debug` shows only the engine
/// and host, and nothing prints it whole.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// The full URL, credentials included, for the connection only. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match Url::parse(&self.0) {
            Ok(url) if url.scheme().starts_with("postgres") => {
                write!(f, "DatabaseUrl({}://…@{}/…)", url.scheme(), url.host_str().unwrap_or_default())
            }
            _ if self.0.starts_with("sqlite:") => write!(f, "DatabaseUrl({})", self.0),
            _ => f.write_str("DatabaseUrl(…)"),
        }
    }
}

/// The server's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Holds the SQLite database, stored files and the outbox.
    pub data_dir: PathBuf,
    pub database_url: DatabaseUrl,
    pub addr: SocketAddr,
    /// Where Prometheus metrics are served (`VOUCHSAFE_METRICS_ADDR`); `None`: not served.
    pub metrics_addr: Option<SocketAddr>,
    pub base_url: BaseUrl,
    /// Where the built site (`pkg/`, favicon, robots.txt) lives.
    pub site_root: PathBuf,
    /// Unset: mails are written to `<data dir>/outbox/` as `.eml` files.
    pub smtp_url: Option<SmtpUrl>,
    /// The sender address of mails.
    pub mail_from: String,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: TrustedProxies,
    /// The HMAC key of download links (`VOUCHSAFE_LINK_KEY`; created if absent on SQLite).
    pub link_key_path: PathBuf,
    /// The Ed25519 key that signs access-log checkpoints (created if absent on SQLite).
    pub audit_key_path: PathBuf,
    /// The key that encrypts secrets kept in the database, such as TOTP seeds (created if absent).
    pub secrets_key_path: PathBuf,
    /// The all-MiniLM-L6-v2 directory for answer suggestions; `None`: lexical ranking only.
    pub model_dir: Option<PathBuf>,
    /// The key variables set in the environment (`VOUCHSAFE_LINK_KEY`, …): on PostgreSQL all
    /// three must be, so that every instance shares them.
    pub configured_keys: Vec<&'static str>,
    /// Staff single sign-on (`VOUCHSAFE_OIDC_*`); `None`: passwords and TOTP only.
    pub oidc: Option<super::oidc::OidcSettings>,
    /// `VOUCHSAFE_SELF_SERVE_DRAFTS=true`: a prospect may download their questionnaire with its
    /// automatic answers at once, before staff complete it (off by default).
    pub self_serve_drafts: bool,
    /// `VOUCHSAFE_WEBHOOK_ALLOWED_HOSTS`: hosts webhooks may reach although they are internal
    /// (a private, loopback or link-local address) or plain `http://`; lower-case. Empty: only
    /// `https://` to public addresses.
    pub webhook_allowed_hosts: Vec<String>,
}

/// The variables naming the key files every instance of one trust center must share.
pub const SHARED_KEY_VARIABLES: [&str; 3] = ["VOUCHSAFE_LINK_KEY", "VOUCHSAFE_AUDIT_KEY", "VOUCHSAFE_SECRETS_KEY"];

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads configuration through `get`, so tests can supply their own environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let data_dir = PathBuf::from(get("VOUCHSAFE_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = match get("DATABASE_URL") {
            Some(url) => {
                parse_database_url(&url).map_err(|problem| ConfigError { variable: "DATABASE_URL", problem })?
            }
            None => DatabaseUrl(sqlite_url_for(&data_dir.join("vouchsafe.db"))),
        };
        let addr_text = get("VOUCHSAFE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let addr: SocketAddr = addr_text.trim().parse().map_err(|_| ConfigError {
            variable: "VOUCHSAFE_ADDR",
            problem: format!("“{addr_text}” is not a listen address such as 127.0.0.1:3000"),
        })?;
        let metrics_addr = match get("VOUCHSAFE_METRICS_ADDR") {
            Some(text) => Some(text.trim().parse().map_err(|_| ConfigError {
                variable: "VOUCHSAFE_METRICS_ADDR",
                problem: format!("“{text}” is not a listen address such as 127.0.0.1:9100"),
            })?),
            None => None,
        };
        let base_url = match get("VOUCHSAFE_BASE_URL") {
            Some(text) => {
                BaseUrl::parse(&text).map_err(|problem| ConfigError { variable: "VOUCHSAFE_BASE_URL", problem })?
            }
            None => default_base_url(addr),
        };
        let site_root = get("LEPTOS_SITE_ROOT").map(PathBuf::from).unwrap_or_else(default_site_root);
        let smtp_url = get("VOUCHSAFE_SMTP_URL")
            .map(|text| {
                SmtpUrl::parse(&text).map_err(|problem| ConfigError { variable: "VOUCHSAFE_SMTP_URL", problem })
            })
            .transpose()?;
        let mail_from = match get("VOUCHSAFE_MAIL_FROM") {
            Some(text) if is_plain_address(&text) => text.trim().to_string(),
            Some(text) => {
                return Err(ConfigError {
                    variable: "VOUCHSAFE_MAIL_FROM",
                    problem: format!("“{text}” is not an e-mail address such as trust@example.com"),
                })
            }
            None => format!("no-reply@{}", base_url.mail_host()),
        };
        let trusted_proxies = TrustedProxies::parse(&get("VOUCHSAFE_TRUSTED_PROXIES").unwrap_or_default())
            .map_err(|problem| ConfigError { variable: "VOUCHSAFE_TRUSTED_PROXIES", problem })?;
        let link_key_path =
            get("VOUCHSAFE_LINK_KEY").map(PathBuf::from).unwrap_or_else(|| data_dir.join("link-signing.key"));
        let audit_key_path =
            get("VOUCHSAFE_AUDIT_KEY").map(PathBuf::from).unwrap_or_else(|| data_dir.join("audit-signing.key"));
        let configured_keys = SHARED_KEY_VARIABLES.into_iter().filter(|v| get(v).is_some()).collect();
        let secrets_key_path =
            get("VOUCHSAFE_SECRETS_KEY").map(PathBuf::from).unwrap_or_else(|| data_dir.join("secrets.key"));
        if let Some(format) = get("VOUCHSAFE_LOG_FORMAT") {
            if !["text", "json"].contains(&format.trim().to_lowercase().as_str()) {
                return Err(ConfigError {
                    variable: "VOUCHSAFE_LOG_FORMAT",
                    problem: format!("“{format}” is not a log format: text or json"),
                });
            }
        }
        if let Some(table) = get("VOUCHSAFE_SYNONYMS") {
            if let Err(e) = std::fs::read_to_string(&table) {
                return Err(ConfigError { variable: "VOUCHSAFE_SYNONYMS", problem: format!("{table}: {e}") });
            }
        }
        let model_dir = match get("VOUCHSAFE_MODEL_DIR") {
            Some(dir) => {
                let dir = PathBuf::from(dir);
                if !dir.join("model.safetensors").is_file() {
                    return Err(ConfigError {
                        variable: "VOUCHSAFE_MODEL_DIR",
                        problem: format!("{} has no model.safetensors", dir.display()),
                    });
                }
                Some(dir)
            }
            None => default_model_dir(),
        };
        let oidc = super::oidc::OidcSettings::from_lookup(&get)?;
        let self_serve_drafts = match get("VOUCHSAFE_SELF_SERVE_DRAFTS").map(|v| v.trim().to_lowercase()) {
            None => false,
            Some(v) if ["true", "1", "yes"].contains(&v.as_str()) => true,
            Some(v) if ["false", "0", "no"].contains(&v.as_str()) => false,
            Some(v) => {
                return Err(ConfigError {
                    variable: "VOUCHSAFE_SELF_SERVE_DRAFTS",
                    problem: format!("“{v}” is not true or false"),
                })
            }
        };
        let webhook_allowed_hosts = get("VOUCHSAFE_WEBHOOK_ALLOWED_HOSTS")
            .unwrap_or_default()
            .split(',')
            .map(|h| h.trim().trim_start_matches('[').trim_end_matches(']').to_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        Ok(Self {
            webhook_allowed_hosts,
            self_serve_drafts,
            oidc,
            model_dir,
            data_dir,
            database_url,
            addr,
            metrics_addr,
            base_url,
            site_root,
            smtp_url,
            mail_from,
            trusted_proxies,
            link_key_path,
            audit_key_path,
            secrets_key_path,
            configured_keys,
        })
    }
}

fn is_plain_address(text: &str) -> bool {
    let text = text.trim();
    matches!(text.split_once('@'), Some((local, domain)) if !local.is_empty() && domain.contains('.') || domain == "localhost")
        && !text.chars().any(|c| c.is_whitespace() || c == '<' || c == '>' || c == ',')
}

fn parse_database_url(url: &str) -> Result<DatabaseUrl, String> {
    let url = url.trim();
    if url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(DatabaseUrl(url.to_string()))
    } else {
        // Not echoed: a mistyped URL still holds the real password.
        Err("must be a sqlite: or postgres:// URL".into())
    }
}

/// `mode=rwc` creates the file when missing; sqlx turns on WAL and foreign keys by default.
pub fn sqlite_url_for(path: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

fn default_base_url(addr: SocketAddr) -> BaseUrl {
    let host = if addr.ip().is_unspecified() { "localhost".to_string() } else { addr.ip().to_string() };
    let host = if addr.is_ipv6() && !addr.ip().is_unspecified() { format!("[{host}]") } else { host };
    BaseUrl(format!("http://{host}:{}", addr.port()))
}

/// The site is built into `<repo>/target/site`; the binary lives in `<repo>/target/<profile>/`.
/// Looking next to the executable lets `target/release/vouchsafe` run from any directory.
fn default_site_root() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent()?.parent().map(|target| target.join("site")))
        .filter(|p| p.join("pkg").is_dir())
        .unwrap_or_else(|| PathBuf::from("target/site"))
}

/// `models/all-MiniLM-L6-v2` under the working directory, or under the repository the binary
/// was built in (`<repo>/target/<profile>/vouchsafe`), where `scripts/install` puts it.
fn default_model_dir() -> Option<PathBuf> {
    let relative = PathBuf::from("models/all-MiniLM-L6-v2");
    let beside_binary =
        std::env::current_exe().ok().and_then(|exe| Some(exe.parent()?.parent()?.parent()?.join(&relative)));
    std::iter::once(relative).chain(beside_binary).find(|dir| dir.join("model.safetensors").is_file())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn suggestion_files_must_exist_when_named() {
        assert_eq!(
            config(&[("VOUCHSAFE_SYNONYMS", "/nonexistent/synonyms.txt")]).unwrap_err().variable,
            "VOUCHSAFE_SYNONYMS"
        );
        assert_eq!(
            config(&[("VOUCHSAFE_MODEL_DIR", "/nonexistent/model")]).unwrap_err().variable,
            "VOUCHSAFE_MODEL_DIR"
        );
    }

    #[test]
    fn defaults_need_no_environment() {
        let c = config(&[]).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.database_url.expose(), "sqlite://./data/vouchsafe.db?mode=rwc");
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.base_url.as_str(), "http://127.0.0.1:3000");
    }

    #[test]
    fn bad_values_name_their_variable() {
        let e = config(&[("VOUCHSAFE_ADDR", "localhost")]).unwrap_err();
        assert_eq!(e.variable, "VOUCHSAFE_ADDR");
        let e = config(&[("VOUCHSAFE_METRICS_ADDR", "9100")]).unwrap_err();
        assert_eq!(e.variable, "VOUCHSAFE_METRICS_ADDR");
        let e = config(&[("VOUCHSAFE_BASE_URL", "trust.example.com")]).unwrap_err();
        assert_eq!(e.variable, "VOUCHSAFE_BASE_URL");
        assert!(e.to_string().starts_with("VOUCHSAFE_BASE_URL: "));
        let e = config(&[("DATABASE_URL", "mysql://root:hunter2@db")]).unwrap_err();
        assert_eq!(e.variable, "DATABASE_URL");
        assert!(!e.to_string().contains("hunter2"));
    }

    #[test]
    fn base_urls_are_normalised() {
        let c = config(&[("VOUCHSAFE_BASE_URL", "https://trust.example.com/")]).unwrap();
        assert_eq!(c.base_url.as_str(), "https://trust.example.com");
        assert!(c.base_url.is_https());
        assert!(BaseUrl::parse("ftp://x.example").is_err());
        assert!(BaseUrl::parse("https://x.example/?a=1").is_err());
    }

    #[test]
    fn smtp_urls_default_to_required_starttls_and_hide_credentials() {
        let url = SmtpUrl::parse("smtp://user:secret@mail.example.com:587").unwrap();
        assert_eq!(url.expose(), "smtp://user:secret@mail.example.com:587?tls=required");
        assert_eq!(format!("{url:?}"), "SmtpUrl(…)");
        assert_eq!(SmtpUrl::parse("smtp://127.0.0.1:2525?tls=none").unwrap().expose(), "smtp://127.0.0.1:2525");
        assert!(SmtpUrl::parse("smtps://u:p@mail.example.com").is_ok());
        assert!(SmtpUrl::parse("http://mail.example.com").is_err());
        let e = config(&[("VOUCHSAFE_SMTP_URL", "mail.example.com")]).unwrap_err();
        assert_eq!(e.variable, "VOUCHSAFE_SMTP_URL");
        assert!(!e.to_string().contains("secret"));
    }

    #[test]
    fn mail_sender_defaults_to_the_site_host() {
        let c = config(&[("VOUCHSAFE_BASE_URL", "https://trust.example.com")]).unwrap();
        assert_eq!(c.mail_from, "no-reply@trust.example.com");
        assert_eq!(config(&[]).unwrap().mail_from, "no-reply@localhost");
        assert_eq!(config(&[("VOUCHSAFE_MAIL_FROM", "Bad <x@y.z>")]).unwrap_err().variable, "VOUCHSAFE_MAIL_FROM");
        assert_eq!(c.base_url.origin(), "https://trust.example.com");
    }

    #[test]
    fn database_passwords_never_print() {
        let c = config(&[("DATABASE_URL", "postgres://vouchsafe:s3cret-pw@db.internal:5432/trust")]).unwrap();
        assert_eq!(c.database_url.expose(), "postgres://vouchsafe:s3cret-pw@db.internal:5432/trust");
        let printed = format!("{c:?}");
        assert!(!printed.contains("s3cret-pw"), "{printed}");
        assert!(printed.contains("DatabaseUrl(postgres://…@db.internal/…)"), "{printed}");
    }

    #[test]
    fn data_dir_moves_the_default_database() {
        let c = config(&[("VOUCHSAFE_DATA_DIR", "/srv/vouchsafe")]).unwrap();
        assert_eq!(c.database_url.expose(), "sqlite:///srv/vouchsafe/vouchsafe.db?mode=rwc");
    }
}
