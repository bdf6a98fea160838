//! Configuration: built-in defaults, then `ipfin.toml`, then `IPFIN_*` environment variables.
//! With no file and no variables, `ipfin serve` runs on SQLite under ./data on 127.0.0.1:8080.

use anyhow::{Context, Result};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use ipfin_domain::application::objection::ObjectionLimits;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite://…` or `postgres://…`; default: `<data_dir>/ipfin.db`.
    pub database_url: Option<String>,
    pub data_dir: PathBuf,
    pub listen: String,
    /// Mark cookies `Secure`: set when ipfin is served over HTTPS.
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For` (only behind a reverse proxy you run): the same as
    /// `trusted_proxy_hops = 1`.
    pub trust_proxy: bool,
    /// How many reverse proxies you run in front of ipfin, each appending to `X-Forwarded-For`;
    /// the client address is the entry this many places from the right. Overrides `trust_proxy`.
    pub trusted_proxy_hops: Option<usize>,
    pub max_body_bytes: usize,
    /// A session unused for this many minutes ends (besides the absolute 12 hours).
    pub session_idle_minutes: i64,
    /// `text` or `json`.
    pub log_format: String,
    /// Where uploaded files go: default `<data_dir>/files`; `s3://bucket[/prefix]` for an
    /// S3-compatible service (endpoint and keys from `AWS_*` variables).
    pub storage_url: Option<String>,
    /// The site's address as people reach it, for absolute links (feeds): e.g.
    /// `https://ipfin.example.gov.cn`. Default: `http://<listen>` (`https` with secure cookies).
    pub public_base_url: Option<String>,
    /// Objections one client address may lodge per hour (all notices together).
    pub objection_per_address_per_hour: u32,
    /// Objections one notice accepts per hour (from everyone together).
    pub objection_per_notice_per_hour: u32,
    /// Total size of one objection's evidence, in bytes (at most the 20 MB upload limit).
    pub objection_max_bytes: usize,
    /// Import files (pages and `ipfin import`): at most this many data rows …
    pub import_max_rows: u64,
    /// … columns a row …
    pub import_max_columns: u32,
    /// … characters a cell …
    pub import_max_cell_chars: usize,
    /// … bytes of an XLSX workbook once uncompressed …
    pub import_max_uncompressed_bytes: u64,
    /// … compression ratio of an XLSX part (over 1 MiB) …
    pub import_max_compression_ratio: u64,
    /// … and bytes of an XLSX workbook's shared-string table.
    pub import_max_shared_strings_bytes: u64,
}

impl Default for Config {
    fn default() -> Self {
        let limits = ipfin_store::import::ImportLimits::default();
        Config {
            database_url: None,
            data_dir: PathBuf::from("data"),
            listen: "127.0.0.1:8080".into(),
            secure_cookies: false,
            trust_proxy: false,
            trusted_proxy_hops: None,
            max_body_bytes: 1024 * 1024,
            session_idle_minutes: 30,
            log_format: "text".into(),
            storage_url: None,
            public_base_url: None,
            objection_per_address_per_hour: ObjectionLimits::default().per_address,
            objection_per_notice_per_hour: ObjectionLimits::default().per_notice,
            objection_max_bytes: ObjectionLimits::default().max_bytes,
            import_max_rows: limits.max_rows,
            import_max_columns: limits.max_columns,
            import_max_cell_chars: limits.max_cell_chars,
            import_max_uncompressed_bytes: limits.max_uncompressed_bytes,
            import_max_compression_ratio: limits.max_compression_ratio,
            import_max_shared_strings_bytes: limits.max_shared_strings_bytes,
        }
    }
}

impl Config {
    pub fn load(file: Option<&Path>) -> Result<Config> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(f) => {
                if !f.exists() {
                    anyhow::bail!("配置文件不存在 / config file not found: {}", f.display());
                }
                fig = fig.merge(Toml::file(f));
            }
            None => fig = fig.merge(Toml::file("ipfin.toml")),
        }
        // Only ipfin's own keys: other IPFIN_* variables (e.g. IPFIN_TEST_POSTGRES_URL) are not config.
        fig.merge(Env::prefixed("IPFIN_").only(&[
            "database_url",
            "data_dir",
            "listen",
            "secure_cookies",
            "trust_proxy",
            "trusted_proxy_hops",
            "max_body_bytes",
            "session_idle_minutes",
            "log_format",
            "storage_url",
            "public_base_url",
            "objection_per_address_per_hour",
            "objection_per_notice_per_hour",
            "objection_max_bytes",
            "import_max_rows",
            "import_max_columns",
            "import_max_cell_chars",
            "import_max_uncompressed_bytes",
            "import_max_compression_ratio",
            "import_max_shared_strings_bytes",
        ]))
        .extract()
        .context("配置有误 / invalid configuration")
    }

    /// How many `X-Forwarded-For` entries, counted from the right, were written by proxies
    /// we trust (0: ignore the header).
    pub fn proxy_hops(&self) -> usize {
        self.trusted_proxy_hops
            .unwrap_or(if self.trust_proxy { 1 } else { 0 })
    }

    /// The caps import files are held to.
    pub fn import_limits(&self) -> ipfin_store::import::ImportLimits {
        ipfin_store::import::ImportLimits {
            max_rows: self.import_max_rows,
            max_columns: self.import_max_columns,
            max_cell_chars: self.import_max_cell_chars,
            max_uncompressed_bytes: self.import_max_uncompressed_bytes,
            max_compression_ratio: self.import_max_compression_ratio,
            max_shared_strings_bytes: self.import_max_shared_strings_bytes,
        }
    }

    /// The database URL to connect to.
    pub fn url(&self) -> String {
        match &self.database_url {
            Some(u) => u.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("ipfin.db").display()
            ),
        }
    }

    /// The public base URL without a trailing slash: the setting, else `http(s)://<listen>`.
    /// A setting that is not an `http`/`https` URL is refused at start.
    pub fn public_base_url(&self, listen: &str) -> Result<String> {
        match &self.public_base_url {
            Some(u) => {
                let u = u.trim().trim_end_matches('/');
                let rest = u
                    .strip_prefix("https://")
                    .or_else(|| u.strip_prefix("http://"))
                    .filter(|r| !r.is_empty() && !r.contains(char::is_whitespace));
                match rest {
                    Some(_) => Ok(u.to_string()),
                    None => anyhow::bail!(
                        "public_base_url 须为 http:// 或 https:// 开头的网址 / public_base_url must be an http(s) URL: {u}"
                    ),
                }
            }
            None => Ok(format!(
                "{}://{listen}",
                if self.secure_cookies { "https" } else { "http" }
            )),
        }
    }

    /// The limits on anonymous objections (per hour, per address and per notice; evidence size).
    pub fn objection_limits(&self) -> ObjectionLimits {
        ObjectionLimits {
            per_address: self.objection_per_address_per_hour,
            per_notice: self.objection_per_notice_per_hour,
            max_bytes: self
                .objection_max_bytes
                .min(ipfin_domain::application::files::MAX_FILE_BYTES),
            ..ObjectionLimits::default()
        }
    }

    /// The URL without a password, for messages.
    pub fn redacted_url(&self) -> String {
        let url = self.url();
        match (url.find("://"), url.rfind('@')) {
            (Some(s), Some(at)) if at > s => {
                let creds = &url[s + 3..at];
                match creds.split_once(':') {
                    Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                    None => url,
                }
            }
            _ => url,
        }
    }
}

pub fn init_tracing(cfg: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RUST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if cfg.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        let c = Config {
            database_url: Some("postgres://ipfin:secret@db:5432/ipfin".into()),
            ..Config::default()
        };
        assert_eq!(c.redacted_url(), "postgres://ipfin:***@db:5432/ipfin");
        let d = Config::default();
        assert_eq!(d.url(), "sqlite://data/ipfin.db?mode=rwc");
    }

    #[test]
    fn proxy_hops_keep_trust_proxy_meaning_one_hop() {
        let mut c = Config::default();
        assert_eq!(c.proxy_hops(), 0);
        c.trust_proxy = true;
        assert_eq!(c.proxy_hops(), 1);
        c.trusted_proxy_hops = Some(2);
        assert_eq!(c.proxy_hops(), 2);
        c.trust_proxy = false;
        c.trusted_proxy_hops = Some(0);
        assert_eq!(c.proxy_hops(), 0);
    }

    #[test]
    fn the_public_base_url_is_the_setting_or_the_listen_address() {
        let d = Config::default();
        assert_eq!(
            d.public_base_url("127.0.0.1:8080").ok().as_deref(),
            Some("http://127.0.0.1:8080")
        );
        let c = Config {
            public_base_url: Some("https://ipfin.example.gov.cn/".into()),
            ..Config::default()
        };
        assert_eq!(
            c.public_base_url("x").ok().as_deref(),
            Some("https://ipfin.example.gov.cn")
        );
        let bad = Config {
            public_base_url: Some("evil.example".into()),
            ..Config::default()
        };
        assert!(bad.public_base_url("x").is_err());
    }
}
