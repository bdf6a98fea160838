//! Owner-only permissions for what ipfin keeps on disk (issue #17 item 10): the SQLite file and
//! its `-wal`/`-shm`, stored files, anchors, uploads and reports are 0600, their folders 0700,
//! whatever the process's umask; and removal of temporary files that a crash left behind.

use std::io;
use std::path::Path;

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    if meta.permissions().mode() & 0o777 != mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

/// Creates a folder (and its parents) when missing and makes it 0700.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    set_mode(dir, 0o700)
}

/// Makes an existing file 0600.
pub fn private_file(path: &Path) -> io::Result<()> {
    set_mode(path, 0o600)
}

/// Makes a file 0600 if it exists.
pub fn private_file_if_exists(path: &Path) -> io::Result<()> {
    match private_file(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Makes every folder under `dir` 0700 and every file 0600 (symbolic links are left alone).
pub fn restrict_tree(dir: &Path) -> io::Result<()> {
    set_mode(dir, 0o700)?;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            restrict_tree(&entry.path())?;
        } else if kind.is_file() {
            set_mode(&entry.path(), 0o600)?;
        }
    }
    Ok(())
}

/// The file of a file-backed SQLite URL (`sqlite://path?…`, `sqlite:path`).
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && !path.contains(":memory:")).then(|| std::path::PathBuf::from(path))
}

/// Creates the SQLite file 0600 when it does not exist yet (SQLite gives its `-wal` and `-shm`
/// files the database file's mode) and makes an existing one and its companions 0600.
pub fn private_sqlite(path: &Path) -> io::Result<()> {
    if !path.exists() {
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
        o.open(path)?;
    }
    private_file(path)?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        private_file_if_exists(Path::new(&p))?;
    }
    Ok(())
}

/// Whether a file name is an object store's staging file: `<name>#<digits>`.
fn is_staging_name(name: &str) -> bool {
    name.rsplit_once('#').is_some_and(|(base, n)| {
        !base.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Removes the staging files of writes that never finished (a crash or a kill in the middle of
/// storing a file) under `dir`. Returns how many were removed. Run at start, before any write.
pub fn remove_staging_files(dir: &Path) -> io::Result<usize> {
    remove_matching(dir, true, &|name| is_staging_name(name))
}

/// Removes files directly in `dir` whose names start with `prefix` (temporary uploads), and
/// returns how many were removed. A missing folder has none.
pub fn remove_prefixed(dir: &Path, prefix: &str) -> io::Result<usize> {
    remove_matching(dir, false, &|name| name.starts_with(prefix))
}

fn remove_matching(
    dir: &Path,
    recursive: bool,
    matches: &dyn Fn(&str) -> bool,
) -> io::Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut n = 0;
    for entry in entries {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() && recursive {
            n += remove_matching(&entry.path(), recursive, matches)?;
        } else if kind.is_file() && matches(&entry.file_name().to_string_lossy()) {
            std::fs::remove_file(entry.path())?;
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            sqlite_path("sqlite://data/ipfin.db?mode=rwc"),
            Some("data/ipfin.db".into())
        );
        assert_eq!(sqlite_path("sqlite:///tmp/x.db"), Some("/tmp/x.db".into()));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://x/y"), None);
    }

    #[test]
    fn staging_names() {
        assert!(is_staging_name("ab12#1"));
        assert!(is_staging_name("ab12#17"));
        assert!(!is_staging_name("ab12"));
        assert!(!is_staging_name("#1"));
        assert!(!is_staging_name("ab12#x"));
    }
}
