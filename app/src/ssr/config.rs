//! Configuration from the environment (and an optional `.env`, loaded by the binary).
//!
//! Every value is parsed here, at start-up; a bad one stops the process with one line naming the
//! variable. Nothing has a default secret.

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

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }

    /// An absolute link to `path` (which starts with `/`).
    pub fn join(&self, path: &str) -> String {
        format!("{}{}", self.0, path)
    }
}

/// The server's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Holds the SQLite database, stored files and the outbox.
    pub data_dir: PathBuf,
    pub database_url: String,
    pub addr: SocketAddr,
    pub base_url: BaseUrl,
    /// Where the built site (`pkg/`, favicon, robots.txt) lives.
    pub site_root: PathBuf,
}

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
            None => sqlite_url_for(&data_dir.join("vouchsafe.db")),
        };
        let addr_text = get("VOUCHSAFE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let addr: SocketAddr = addr_text.trim().parse().map_err(|_| ConfigError {
            variable: "VOUCHSAFE_ADDR",
            problem: format!("“{addr_text}” is not a listen address such as 127.0.0.1:3000"),
        })?;
        let base_url = match get("VOUCHSAFE_BASE_URL") {
            Some(text) => {
                BaseUrl::parse(&text).map_err(|problem| ConfigError { variable: "VOUCHSAFE_BASE_URL", problem })?
            }
            None => default_base_url(addr),
        };
        let site_root = get("LEPTOS_SITE_ROOT").map(PathBuf::from).unwrap_or_else(default_site_root);
        Ok(Self { data_dir, database_url, addr, base_url, site_root })
    }
}

fn parse_database_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    if url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(url.to_string())
    } else {
        Err(format!("“{url}” must be a sqlite: or postgres:// URL"))
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_need_no_environment() {
        let c = config(&[]).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.database_url, "sqlite://./data/vouchsafe.db?mode=rwc");
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.base_url.as_str(), "http://127.0.0.1:3000");
    }

    #[test]
    fn bad_values_name_their_variable() {
        let e = config(&[("VOUCHSAFE_ADDR", "localhost")]).unwrap_err();
        assert_eq!(e.variable, "VOUCHSAFE_ADDR");
        let e = config(&[("VOUCHSAFE_BASE_URL", "trust.example.com")]).unwrap_err();
        assert_eq!(e.variable, "VOUCHSAFE_BASE_URL");
        assert!(e.to_string().starts_with("VOUCHSAFE_BASE_URL: "));
        let e = config(&[("DATABASE_URL", "mysql://x")]).unwrap_err();
        assert_eq!(e.variable, "DATABASE_URL");
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
    fn data_dir_moves_the_default_database() {
        let c = config(&[("VOUCHSAFE_DATA_DIR", "/srv/vouchsafe")]).unwrap();
        assert_eq!(c.database_url, "sqlite:///srv/vouchsafe/vouchsafe.db?mode=rwc");
    }
}
