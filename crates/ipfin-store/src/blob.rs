//! Stored files (application materials, objection evidence): content-addressed through the
//! `object_store` abstraction, on the local filesystem by default (`<data-dir>/files`) and in
//! memory in tests. A file's key is its SM3 digest, so the same bytes are stored once however
//! often they are uploaded; a client's file name never becomes a path.

use crate::error::{Result, StoreError, source_is_storage_full};
use bytes::Bytes;
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};
use std::sync::Arc;

/// Where files are kept. Cheap to clone.
#[derive(Clone)]
pub struct Blobs {
    inner: Arc<dyn ObjectStore>,
    what: String,
    /// The folder, for files on the local file system (owner-only permissions are set on what
    /// is written there).
    root: Option<std::path::PathBuf>,
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
            root: None,
        }
    }

    /// Files under a local folder, created when missing (owner-only: folders 0700, files 0600,
    /// also for what an earlier version left readable). Staging files of writes cut off by a
    /// crash are removed.
    pub fn local(dir: &std::path::Path) -> Result<Blobs> {
        let err = |e: &dyn std::fmt::Display| {
            StoreError::Internal(format!("file folder {}: {e}", dir.display()))
        };
        crate::fsperm::private_dir(dir).map_err(|e| err(&e))?;
        crate::fsperm::restrict_tree(dir).map_err(|e| err(&e))?;
        crate::fsperm::remove_staging_files(dir).map_err(|e| err(&e))?;
        let fs = object_store::local::LocalFileSystem::new_with_prefix(dir).map_err(|e| err(&e))?;
        Ok(Blobs {
            inner: Arc::new(fs),
            what: dir.display().to_string(),
            root: Some(dir.to_path_buf()),
        })
    }

    /// Owner-only permissions on a file just written under a local folder and on the folders
    /// above it (object_store creates them with the process's umask).
    fn restrict(&self, path: &Path) {
        let Some(root) = &self.root else { return };
        let mut p = root.clone();
        let parts: Vec<_> = path.parts().collect();
        for (i, part) in parts.iter().enumerate() {
            p.push(part.as_ref());
            let r = if i + 1 == parts.len() {
                crate::fsperm::private_file(&p)
            } else {
                crate::fsperm::private_dir(&p)
            };
            if let Err(e) = r {
                tracing::warn!(path = %p.display(), error = %e, "could not restrict permissions");
            }
        }
    }

    /// Writes a small named record (not content-addressed), e.g. the audit chain's anchor,
    /// under `records/<name>`, replacing what was there.
    pub async fn put_record(&self, name: &str, bytes: Bytes) -> Result<()> {
        let path = Self::record_path(name)?;
        self.inner
            .put(&path, PutPayload::from_bytes(bytes))
            .await
            .map_err(|e| write_error("storing a record", e))?;
        self.restrict(&path);
        Ok(())
    }

    /// Reads a named record; `None` when it was never written.
    pub async fn get_record(&self, name: &str) -> Result<Option<Bytes>> {
        let path = Self::record_path(name)?;
        match self.inner.get(&path).await {
            Ok(r) => r
                .bytes()
                .await
                .map(Some)
                .map_err(|e| StoreError::Internal(format!("reading a record: {e}"))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(StoreError::Internal(format!("reading a record: {e}"))),
        }
    }

    fn record_path(name: &str) -> Result<Path> {
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
            || name.starts_with('.')
        {
            return Err(StoreError::NotFound);
        }
        Ok(Path::from(format!("records/{name}")))
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
            root: None,
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
            root: None,
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
            .map_err(|e| write_error("storing a file", e))?;
        self.restrict(&path);
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

/// A failed write: a full disk is `StorageFull` (the caller answers 503), anything else internal.
fn write_error(what: &str, e: object_store::Error) -> StoreError {
    if source_is_storage_full(&e) {
        StoreError::StorageFull(format!("{what}: {e}"))
    } else {
        StoreError::Internal(format!("{what}: {e}"))
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
