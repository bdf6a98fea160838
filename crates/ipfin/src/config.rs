//! Configuration: built-in defaults, then `ipfin.toml`, then `IPFIN_*` environment variables.
//! With no file and no variables, `ipfin serve` runs on SQLite under ./data on 127.0.0.1:8080.

use anyhow::{Context, Result};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
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
    /// Trust `X-Forwarded-For` (only behind a reverse proxy you run).
    pub trust_proxy: bool,
    pub max_body_bytes: usize,
    /// `text` or `json`.
    pub log_format: String,
    /// Where uploaded files go: default `<data_dir>/files`; `s3://bucket[/prefix]` for an
    /// S3-compatible service (endpoint and keys from `AWS_*` variables).
    pub storage_url: Option<String>,
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
            max_body_bytes: 1024 * 1024,
            log_format: "text".into(),
            storage_url: None,
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
            "max_body_bytes",
            "log_format",
            "storage_url",
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
}
