//! Stored files (application materials, objection evidence): content-addressed through the
//! `object_store` abstraction, on the local filesystem by default (`<data-dir>/files`) and in
//! memory in tests. A file's key is its SM3 digest, so the same bytes are stored once however
//! often they are uploaded; a client's file name never becomes a path.

use crate::error::{Result, StoreError};
use bytes::Bytes;
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};
use std::sync::Arc;

/// Where files are kept. Cheap to clone.
#[derive(Clone)]
pub struct Blobs {
    inner: Arc<dyn ObjectStore>,
    what: String,
}

impl std::fmt::Debug for Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Blobs({})", self.what)
    }
}

impl Blobs {
    /// Files in memory (tests).
    pub fn memory() -> Blobs {
        Blobs {
            inner: Arc::new(object_store::memory::InMemory::new()),
            what: "memory".into(),
        }
    }

    /// Files under a local folder, created when missing.
    pub fn local(dir: &std::path::Path) -> Result<Blobs> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Internal(format!("file folder {}: {e}", dir.display())))?;
        let fs = object_store::local::LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| StoreError::Internal(format!("file folder {}: {e}", dir.display())))?;
        Ok(Blobs {
            inner: Arc::new(fs),
            what: dir.display().to_string(),
        })
    }

    /// The store a URL names: `memory:` (tests), `s3://bucket[/prefix]` (an S3-compatible
    /// service; endpoint, region and keys from the usual `AWS_*` environment variables, e.g.
    /// `AWS_ENDPOINT=http://minio:9000 AWS_ALLOW_HTTP=true`), or a local folder (a path or
    /// `file:///path`).
    pub fn from_url(url: &str) -> Result<Blobs> {
        if url == "memory:" {
            return Ok(Blobs::memory());
        }
        if let Some(rest) = url.strip_prefix("s3://") {
            return Self::s3(url, rest);
        }
        let path = url.strip_prefix("file://").unwrap_or(url);
        Blobs::local(std::path::Path::new(path))
    }

    #[cfg(feature = "s3")]
    fn s3(url: &str, rest: &str) -> Result<Blobs> {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let s3 = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .map_err(|e| StoreError::Internal(format!("S3 storage {url}: {e}")))?;
        let inner: Arc<dyn ObjectStore> = if prefix.trim_matches('/').is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(object_store::prefix::PrefixStore::new(
                s3,
                prefix.trim_matches('/'),
            ))
        };
        Ok(Blobs {
            inner,
            what: url.into(),
        })
    }

    #[cfg(not(feature = "s3"))]
    fn s3(url: &str, _rest: &str) -> Result<Blobs> {
        Err(StoreError::Internal(format!(
            "{url}: this build has no S3 support (build with the `s3` feature of ipfin-store)"
        )))
    }

    /// Any `object_store` implementation (an S3-compatible store in production at scale).
    pub fn from_store(inner: Arc<dyn ObjectStore>, what: &str) -> Blobs {
        Blobs {
            inner,
            what: what.into(),
        }
    }

    fn path(key: &str) -> Result<Path> {
        if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::NotFound);
        }
        Ok(Path::from(format!("sm3/{}/{}", &key[..2], key)))
    }

    /// Stores bytes under their digest and returns the key. Storing the same bytes again writes
    /// nothing new.
    pub async fn put(&self, bytes: Bytes) -> Result<String> {
        let key = ipfin_domain::application::files::content_key(&bytes);
        let path = Self::path(&key)?;
        if self.inner.head(&path).await.is_ok() {
            return Ok(key);
        }
        self.inner
            .put(&path, PutPayload::from_bytes(bytes))
            .await
            .map_err(|e| StoreError::Internal(format!("storing a file: {e}")))?;
        Ok(key)
    }

    /// Reads a file back by key.
    pub async fn get(&self, key: &str) -> Result<Bytes> {
        let path = Self::path(key)?;
        match self.inner.get(&path).await {
            Ok(r) => r
                .bytes()
                .await
                .map_err(|e| StoreError::Internal(format!("reading a file: {e}"))),
            Err(object_store::Error::NotFound { .. }) => Err(StoreError::NotFound),
            Err(e) => Err(StoreError::Internal(format!("reading a file: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against a real S3-compatible service when `IPFIN_TEST_S3_URL` is set (e.g. `s3://ipfin-test`
    /// with `AWS_ENDPOINT`, `AWS_ALLOW_HTTP`, keys and region for MinIO or moto).
    #[tokio::test]
    async fn s3_when_configured() {
        let Ok(url) = std::env::var("IPFIN_TEST_S3_URL") else {
            return;
        };
        let b = Blobs::from_url(&url).expect("s3");
        let key = b
            .put(Bytes::from_static(b"%PDF-1.7 s3"))
            .await
            .expect("put");
        assert_eq!(&b.get(&key).await.expect("get")[..], b"%PDF-1.7 s3");
        assert!(matches!(
            b.get(&"1".repeat(64)).await,
            Err(StoreError::NotFound)
        ));
    }

    #[tokio::test]
    async fn same_bytes_one_key_both_backends() {
        let dir = std::env::temp_dir().join(format!("ipfin-blobs-{}", std::process::id()));
        for b in [Blobs::memory(), Blobs::local(&dir).expect("dir")] {
            let k1 = b
                .put(Bytes::from_static(b"%PDF-1.7 hello"))
                .await
                .expect("put");
            let k2 = b
                .put(Bytes::from_static(b"%PDF-1.7 hello"))
                .await
                .expect("put");
            assert_eq!(k1, k2);
            assert_eq!(&b.get(&k1).await.expect("get")[..], b"%PDF-1.7 hello");
            assert!(matches!(
                b.get("../etc/passwd").await,
                Err(StoreError::NotFound)
            ));
            assert!(matches!(
                b.get(&"0".repeat(64)).await,
                Err(StoreError::NotFound)
            ));
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}
