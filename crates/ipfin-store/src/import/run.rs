//! Running an import file: parsing rows on a thread, writing them in batches (each batch one
//! transaction, progress recorded with it) and the outcome.

use super::columns::{ImportKind, map_headers};
use super::file::{RowSource, file_key, open_rows};
use super::rows::{Ready, RowContext, SeenKeys};
use super::{FileError, RowError, file_error};
use crate::Store;
use crate::error::{Result, StoreError};
use ipfin_domain::Scope;
use std::path::Path;

/// Why an import stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read at all (no import was recorded).
    #[error("{0}")]
    File(#[from] FileError),
    /// The file was refused (over a cap, malformed, wrong columns): the import is recorded as
    /// failed with the reason, and nothing of this run was written. `report` holds the rows
    /// read and the row errors found before the refusal (none when refused before reading).
    #[error("{error}")]
    Refused {
        error: FileError,
        report: Box<ImportReport>,
    },
    #[error("{0}")]
    Store(#[from] StoreError),
}

impl ImportError {
    /// The problem with the file, if that is why the import stopped.
    pub fn file_error(&self) -> Option<&FileError> {
        match self {
            ImportError::File(e) | ImportError::Refused { error: e, .. } => Some(e),
            ImportError::Store(_) => None,
        }
    }
}

/// Reads the whole file once without keeping it, so a file over any cap (or with the wrong
/// columns) is refused before a row is written; returns the number of data rows.
pub fn check_file(
    path: &Path,
    kind: ImportKind,
    limits: &super::ImportLimits,
) -> std::result::Result<u64, FileError> {
    let src = open_rows(path, limits)?;
    map_headers(kind.columns(), &src.headers)?;
    let mut rows = 0u64;
    for row in src {
        row?;
        rows += 1;
    }
    Ok(rows)
}

/// The result of importing a file.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub import_id: i64,
    pub encoding: &'static str,
    pub headers: Vec<String>,
    /// Data rows read (not counting the header and blank lines).
    pub rows: u64,
    /// Rows skipped because an earlier run had committed them.
    pub resumed_from: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub errors: Vec<RowError>,
}

impl Store {
    /// Imports enterprises from a CSV or XLSX file (see [`Store::import_file`]).
    pub async fn import_enterprises_file(
        &self,
        path: &Path,
        scope: &Scope,
        actor: crate::audit::AuditActor,
        batch_size: usize,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> std::result::Result<ImportReport, ImportError> {
        self.import_file(
            ImportKind::Enterprises,
            path,
            scope,
            actor,
            batch_size,
            progress,
        )
        .await
    }

    /// Imports a CSV or XLSX file of `kind` in batches of `batch_size` rows, each batch in one
    /// transaction: rows that fail a check are left out and reported, the others are written.
    /// Importing the same file again changes nothing; an interrupted import of the same file
    /// resumes after its last committed batch. `progress` is called after each batch with
    /// the number of data rows processed.
    pub async fn import_file(
        &self,
        kind: ImportKind,
        path: &Path,
        scope: &Scope,
        actor: crate::audit::AuditActor,
        batch_size: usize,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> std::result::Result<ImportReport, ImportError> {
        let key = file_key(path).map_err(|e| {
            file_error(
                "file.read",
                format!("读取文件失败：{e}"),
                format!("Reading failed: {e}"),
            )
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (import_id, done) = self
            .begin_import(scope, actor.clone(), kind.code(), &key, &name)
            .await?;
        let limits = *self.import_limits();
        let file = path.to_path_buf();
        let opened = tokio::task::spawn_blocking(move || {
            let rows = check_file(&file, kind, &limits)?;
            Ok((rows, open_rows(&file, &limits)?))
        })
        .await
        .unwrap_or_else(|e| Err(read_failed(e)));
        let (total, src) = match opened {
            Ok(v) => v,
            Err(e) => {
                let report = ImportReport {
                    import_id,
                    ..Default::default()
                };
                return Err(self.refuse(&actor, e, report).await);
            }
        };
        if total > 0 {
            self.set_import_estimate(actor.clone(), import_id, total)
                .await?;
        }
        let cols = map_headers(kind.columns(), &src.headers)?;
        let ctx = RowContext {
            kind,
            cols,
            districts: self.district_lookup().await?,
            tag_types: self.tag_type_lookup().await?,
            scope: scope.clone(),
            backend: self.backend(),
        };
        let mut report = ImportReport {
            import_id,
            encoding: src.encoding,
            headers: src.headers.clone(),
            resumed_from: done,
            ..Default::default()
        };
        // Reading, parsing and validating run on a blocking thread while the previous batch is
        // written: the two halves take similar time, so on two cores the import runs at
        // nearly the rate of the slower one rather than their sum.
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<Prepared>(2);
        let batch_size = batch_size.max(1);
        let producer = tokio::task::spawn_blocking(move || {
            prepare_batches(src, &ctx, done, batch_size, &sender)
        });
        while let Some(p) = receiver.recv().await {
            // Rows with errors (a row may have several).
            let mut batch_errors = p.errors.chunk_by(|a, b| a.line == b.line).count() as u64;
            report.errors.extend(p.errors);
            report.rows = p.rows_seen;
            if p.rows.is_empty() && batch_errors == 0 && !p.last {
                continue;
            }
            self.flush_batch(
                &actor,
                scope,
                import_id,
                p.rows,
                report.rows,
                &mut batch_errors,
                &mut report,
            )
            .await?;
            progress(report.rows);
        }
        // The producer's own result: a file error ends the import where it stood (committed
        // batches stay; running the import again resumes after them).
        match producer.await.unwrap_or_else(|e| Err(read_failed(e))) {
            Ok(()) => {}
            Err(e) => return Err(self.refuse(&actor, e, report).await),
        }
        self.finish_import(actor, import_id).await?;
        // The score profiles follow the records they are derived from (issue #20 item 2).
        if kind != ImportKind::Tags && report.inserted + report.updated > 0 {
            self.refresh_screening_after_changes(crate::today_shanghai())
                .await?;
        }
        Ok(report)
    }

    /// Records the import as refused for `error` and gives the error to return.
    async fn refuse(
        &self,
        actor: &crate::audit::AuditActor,
        error: FileError,
        report: ImportReport,
    ) -> ImportError {
        if let Err(e) = self
            .fail_import(actor.clone(), report.import_id, &error)
            .await
        {
            return e.into();
        }
        ImportError::Refused {
            error,
            report: Box::new(report),
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn flush_batch(
        &self,
        actor: &crate::audit::AuditActor,
        scope: &Scope,
        import_id: i64,
        rows: Vec<Ready>,
        rows_done: u64,
        batch_errors: &mut u64,
        report: &mut ImportReport,
    ) -> Result<()> {
        let mut tx = self.write(actor.clone()).await?;
        let mut ents = Vec::new();
        let mut tags = Vec::new();
        let mut ips = Vec::new();
        let mut loans = Vec::new();
        let mut follow_ups = Vec::new();
        for r in rows {
            match r {
                Ready::Enterprise(r) => ents.push(r),
                Ready::Tag(r) => tags.push(r),
                Ready::Ip(r) => ips.push(r),
                Ready::Loan(r) => loans.push(r),
                Ready::FollowUp(r) => follow_ups.push(r),
            }
        }
        let mut o = self
            .import_enterprise_batch(&mut tx, &ents, &format!("import:{import_id}"))
            .await?;
        let mut errors = Vec::new();
        for (b, e) in [
            self.import_tag_batch(&mut tx, scope, tags).await?,
            self.import_ip_batch(&mut tx, scope, ips).await?,
            self.import_loan_batch(&mut tx, scope, loans).await?,
            self.import_follow_up_batch(&mut tx, scope, follow_ups)
                .await?,
        ] {
            o.inserted += b.inserted;
            o.updated += b.updated;
            o.unchanged += b.unchanged;
            errors.extend(e);
        }
        *batch_errors += errors.len() as u64;
        self.record_batch(&mut tx, import_id, rows_done, &o, *batch_errors)
            .await?;
        tx.commit().await?;
        report.inserted += o.inserted;
        report.updated += o.updated;
        report.unchanged += o.unchanged;
        report.errors.extend(errors);
        report.errors.sort_by_key(|e| e.line);
        *batch_errors = 0;
        Ok(())
    }
}

fn read_failed(e: impl std::fmt::Display) -> FileError {
    file_error(
        "file.read",
        format!("读取文件时出错：{e}"),
        format!("Reading the file failed: {e}"),
    )
}

/// One batch as prepared by the reading thread.
struct Prepared {
    rows: Vec<Ready>,
    errors: Vec<RowError>,
    /// Data rows read so far, this batch included.
    rows_seen: u64,
    /// The end of the file.
    last: bool,
}

/// Reads, parses and validates rows into batches and sends them; stops early when the writer
/// has gone (its error is reported by the writer). Rows an earlier run committed only have
/// their codes remembered for the duplicate check.
fn prepare_batches(
    src: RowSource,
    ctx: &RowContext,
    done: u64,
    batch_size: usize,
    sender: &tokio::sync::mpsc::Sender<Prepared>,
) -> std::result::Result<(), FileError> {
    let mut seen = SeenKeys::default();
    let new_batch = || Prepared {
        rows: Vec::with_capacity(batch_size),
        errors: Vec::new(),
        rows_seen: 0,
        last: false,
    };
    let mut batch = new_batch();
    let mut rows_seen = 0u64;
    for row in src {
        let (line, mut values) = row?;
        if values.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        rows_seen += 1;
        let unprintable = ctx.normalise(&mut values);
        let parsed = ctx.parse(line, &values);
        if rows_seen <= done {
            // Committed by an earlier run: only remember its key for the duplicate check.
            if let (Ok(r), true) = (&parsed, unprintable.is_empty()) {
                seen.first_line(&r.key(), line);
            }
            continue;
        }
        let result = match parsed {
            Ok(r) if unprintable.is_empty() => match seen.first_line(&r.key(), line) {
                Some(first) => Err(vec![r.duplicate_error(first)]),
                None => Ok(r),
            },
            Ok(_) => Err(unprintable),
            Err(problems) => {
                // A field with an invisible character is reported for that, not for what
                // parsing then made of it.
                let mut all = unprintable;
                for (field, message) in problems {
                    if !all.iter().any(|(f, _)| *f == field) {
                        all.push((field, message));
                    }
                }
                Err(all)
            }
        };
        match result {
            Ok(r) => batch.rows.push(r),
            Err(problems) => {
                let mut values = Some(values);
                for (field, message) in problems {
                    batch.errors.push(RowError {
                        line,
                        field,
                        message,
                        // The row's values once, with its first problem.
                        values: values.take().unwrap_or_default(),
                    });
                }
            }
        }
        if batch.rows.len() >= batch_size {
            batch.rows_seen = rows_seen;
            let full = std::mem::replace(&mut batch, new_batch());
            if sender.blocking_send(full).is_err() {
                return Ok(());
            }
        }
    }
    batch.rows_seen = rows_seen;
    batch.last = true;
    let _ = sender.blocking_send(batch);
    Ok(())
}
