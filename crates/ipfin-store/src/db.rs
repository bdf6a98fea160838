//! The database handle: connecting to SQLite or PostgreSQL by URL, running the embedded
//! migrations, portable SQL statements, paging, and the audited write transaction.

use crate::audit::{self, AuditActor};
use crate::error::{Result, StoreError};
use ipfin_domain::stats_aggregate::StatDelta;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    AccessMode, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction,
    DbBackend, FromQueryResult, QueryResult, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait, Value,
};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

/// How long `/readyz` reports full storage after the last write that failed for want of space
/// (a successful write clears it at once).
pub const STORAGE_FULL_HOLD_SECS: i64 = 60;

/// The application's database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    /// Set for file-backed SQLite: migrations run on a connection of their own.
    sqlite_file_url: Option<String>,
    /// Where uploaded files are kept (in memory until `with_blobs` sets the real place).
    blobs: crate::blob::Blobs,
    /// A session unused this long ends.
    session_idle_secs: i64,
    /// When a write last failed for want of space (unix seconds, 0: never), shared by clones.
    storage_full_at: std::sync::Arc<std::sync::atomic::AtomicI64>,
    /// What an import file may hold (defaults until `with_import_limits` sets the settings).
    import_limits: crate::import::ImportLimits,
}

/// Which page of a list to return (1-based), with a bounded page size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub page: u64,
    pub per_page: u64,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            page: 1,
            per_page: 20,
        }
    }
}

impl Page {
    pub const MAX_PER_PAGE: u64 = 200;

    pub fn new(page: Option<u64>, per_page: Option<u64>) -> Page {
        Page {
            page: page.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(20).clamp(1, Self::MAX_PER_PAGE),
        }
    }
    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.per_page
    }
}

/// One page of results with the total count.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: u64,
    /// Whether `total` is a lower bound (the count stopped at a cap).
    pub capped: bool,
    pub page: u64,
    pub per_page: u64,
}

impl<T> Paged<T> {
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page).max(1)
    }
}

/// Builds a statement from portable SQL written with `?` placeholders; for PostgreSQL they
/// become `$1, $2, …`. (No `?` may appear inside string literals in ipfin's SQL.)
pub fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => {
            let mut out = String::with_capacity(sql.len() + 8);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    out.push('$');
                    out.push_str(&n.to_string());
                } else {
                    out.push(c);
                }
            }
            out
        }
        _ => sql.to_string(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// Runs a query and maps every row.
pub async fn fetch_all<T: FromQueryResult, C: ConnectionTrait>(
    conn: &C,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<T>> {
    let rows = conn
        .query_all_raw(stmt(conn.get_database_backend(), sql, values))
        .await?;
    rows.iter()
        .map(|r| T::from_query_result(r, "").map_err(StoreError::from))
        .collect()
}

/// Runs a query and maps the first row, if any.
pub async fn fetch_opt<T: FromQueryResult, C: ConnectionTrait>(
    conn: &C,
    sql: &str,
    values: Vec<Value>,
) -> Result<Option<T>> {
    let row = conn
        .query_one_raw(stmt(conn.get_database_backend(), sql, values))
        .await?;
    row.map(|r| T::from_query_result(&r, "").map_err(StoreError::from))
        .transpose()
}

/// Runs a query returning one row, or `NotFound`.
pub async fn fetch_one<T: FromQueryResult, C: ConnectionTrait>(
    conn: &C,
    sql: &str,
    values: Vec<Value>,
) -> Result<T> {
    fetch_opt(conn, sql, values)
        .await?
        .ok_or(StoreError::NotFound)
}

/// How many records wait, and since when (epoch seconds) the oldest has: a to-do line of a
/// home page. Read from `SELECT COUNT(*) AS count, MIN(..) AS oldest_at`.
#[derive(Debug, Clone, Copy, Default, sea_orm::FromQueryResult)]
pub struct Waiting {
    pub count: i64,
    pub oldest_at: Option<i64>,
}

impl Waiting {
    /// The business date the oldest started waiting.
    pub fn since(&self) -> Option<chrono::NaiveDate> {
        self.oldest_at.map(ipfin_domain::calendar::business_date)
    }
}

/// Runs a query returning a single integer (a count, an id).
pub async fn fetch_i64<C: ConnectionTrait>(conn: &C, sql: &str, values: Vec<Value>) -> Result<i64> {
    let row: Option<QueryResult> = conn
        .query_one_raw(stmt(conn.get_database_backend(), sql, values))
        .await?;
    let row = row.ok_or(StoreError::NotFound)?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

/// Runs a query returning a single amount of money (a sum done in SQL), read as `Fen`.
pub async fn fetch_fen<C: ConnectionTrait>(
    conn: &C,
    sql: &str,
    values: Vec<Value>,
) -> Result<ipfin_domain::Fen> {
    Ok(ipfin_domain::Fen::new(fetch_i64(conn, sql, values).await?))
}

/// One page of a query: `from_where` is the `FROM … WHERE …` part shared by the count and the
/// select, `select` the column list, `order` the `ORDER BY` clause.
pub async fn fetch_page<T: FromQueryResult, C: ConnectionTrait>(
    conn: &C,
    select: &str,
    from_where: &str,
    order: &str,
    values: Vec<Value>,
    page: Page,
) -> Result<Paged<T>> {
    fetch_page_capped(conn, select, from_where, order, values, page, None).await
}

/// A page, with the total counted up to `cap` rows (then `capped` is set and `total` is the cap).
pub async fn fetch_page_capped<T: FromQueryResult, C: ConnectionTrait>(
    conn: &C,
    select: &str,
    from_where: &str,
    order: &str,
    mut values: Vec<Value>,
    page: Page,
    cap: Option<u64>,
) -> Result<Paged<T>> {
    let count_sql = match cap {
        Some(cap) => format!(
            "SELECT COUNT(*) FROM (SELECT 1 AS one {from_where} LIMIT {}) counted",
            cap + 1
        ),
        None => format!("SELECT COUNT(*) {from_where}"),
    };
    let mut total = fetch_i64(conn, &count_sql, values.clone()).await? as u64;
    let capped = cap.is_some_and(|cap| total > cap);
    if let (true, Some(cap)) = (capped, cap) {
        total = cap;
    }
    values.push((page.per_page as i64).into());
    values.push((page.offset() as i64).into());
    let items = fetch_all(
        conn,
        &format!("SELECT {select} {from_where} ORDER BY {order} LIMIT ? OFFSET ?"),
        values,
    )
    .await?;
    Ok(Paged {
        items,
        total,
        capped,
        page: page.page,
        per_page: page.per_page,
    })
}

/// Executes a statement and returns the number of rows affected.
pub async fn exec<C: ConnectionTrait>(conn: &C, sql: &str, values: Vec<Value>) -> Result<u64> {
    let r = conn
        .execute_raw(stmt(conn.get_database_backend(), sql, values))
        .await?;
    Ok(r.rows_affected())
}

impl Store {
    /// Connects by URL (`sqlite://path?mode=rwc`, `sqlite::memory:`, `postgres://…`).
    pub async fn connect(url: &str) -> Result<Store> {
        let mut opts = ConnectOptions::new(url.to_string());
        opts.sqlx_logging(false)
            .acquire_timeout(Duration::from_secs(10));
        if url.starts_with("sqlite:") {
            let memory = url.contains(":memory:") || url.contains("mode=memory");
            // An in-memory database lives in one connection; files use a small pool under WAL.
            // Each SQLite connection is served by its own thread; on small machines a few
            // connections beat many (measured with scripts/bench/http.sh: 4 > 8 > 2 on 2 cores).
            opts.max_connections(if memory { 1 } else { 4 })
                .min_connections(1)
                .idle_timeout(None::<Duration>)
                .max_lifetime(None::<Duration>);
            opts.map_sqlx_sqlite_opts(|o: SqliteConnectOptions| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    // A 64 MiB page cache per connection (default 2 MiB): bulk writes into the
                    // indexes otherwise re-read evicted pages through pread, which dominated an
                    // import profile (61% of cycles in the kernel).
                    .pragma("cache_size", "-65536")
                    .pragma("temp_store", "memory")
            });
        } else {
            opts.max_connections(16).min_connections(1);
        }
        let sqlite_file = url.starts_with("sqlite:")
            && !(url.contains(":memory:") || url.contains("mode=memory"));
        let sqlite_path = sqlite_file
            .then(|| crate::fsperm::sqlite_path(url))
            .flatten();
        if let Some(path) = &sqlite_path {
            crate::fsperm::private_sqlite(path).map_err(|e| {
                StoreError::Internal(format!("database file {}: {e}", path.display()))
            })?;
        }
        if sqlite_file {
            // Switch the file to WAL on one connection first: the switch takes an exclusive
            // lock, and two pooled connections attempting it at once fail with "database is
            // locked" at once (seen on fresh files and on backups made by VACUUM INTO).
            let mut first = ConnectOptions::new(url.to_string());
            first
                .sqlx_logging(false)
                .max_connections(1)
                .min_connections(1);
            first.map_sqlx_sqlite_opts(|o: SqliteConnectOptions| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(10))
            });
            let conn = Database::connect(first).await?;
            conn.ping().await?;
            conn.close().await.ok();
        }
        let db = Database::connect(opts).await?;
        if let Some(path) = &sqlite_path {
            // The -wal and -shm files now exist: owner-only like the database.
            crate::fsperm::private_sqlite(path).map_err(|e| {
                StoreError::Internal(format!("database file {}: {e}", path.display()))
            })?;
        }
        let sqlite_file_url = (url.starts_with("sqlite:")
            && !(url.contains(":memory:") || url.contains("mode=memory")))
        .then(|| url.to_string());
        Ok(Store {
            db,
            sqlite_file_url,
            blobs: crate::blob::Blobs::memory(),
            session_idle_secs: crate::auth::DEFAULT_SESSION_IDLE_SECONDS,
            storage_full_at: Default::default(),
            import_limits: crate::import::ImportLimits::default(),
        })
    }

    /// Applies the embedded migrations that have not run yet.
    pub async fn migrate(&self) -> Result<()> {
        match &self.sqlite_file_url {
            // Schema changes on SQLite run alone on one connection, so no other pooled
            // connection can hold a read snapshot the migration's write would have to upgrade past.
            Some(url) => {
                let mut opts = ConnectOptions::new(url.clone());
                opts.sqlx_logging(false)
                    .max_connections(1)
                    .min_connections(1);
                opts.map_sqlx_sqlite_opts(|o: SqliteConnectOptions| {
                    o.create_if_missing(true)
                        .journal_mode(SqliteJournalMode::Wal)
                        .busy_timeout(Duration::from_secs(10))
                        .foreign_keys(true)
                });
                let conn = Database::connect(opts).await?;
                let mut result = crate::migration::Migrator::up(&conn, None).await;
                if result.is_ok() {
                    // Statistics for tables that grew since they were last analysed (SQLite
                    // recommends this on opening a long-lived connection).
                    result = conn
                        .execute_unprepared("PRAGMA optimize=0x10002")
                        .await
                        .map(|_| ());
                }
                conn.close().await.ok();
                result?;
            }
            None => crate::migration::Migrator::up(&self.db, None).await?,
        }
        Ok(())
    }

    /// Keeps uploaded files in `blobs` (the local folder or an object store).
    pub fn with_blobs(mut self, blobs: crate::blob::Blobs) -> Store {
        self.blobs = blobs;
        self
    }

    /// Holds import files to `limits` (the settings; defaults otherwise).
    pub fn with_import_limits(mut self, limits: crate::import::ImportLimits) -> Store {
        self.import_limits = limits;
        self
    }

    pub fn import_limits(&self) -> &crate::import::ImportLimits {
        &self.import_limits
    }

    pub fn blobs(&self) -> &crate::blob::Blobs {
        &self.blobs
    }

    /// Ends sessions unused for `secs` seconds (at least a minute).
    pub fn with_session_idle(mut self, secs: i64) -> Store {
        self.session_idle_secs = secs.max(crate::auth::SESSION_TOUCH_SECONDS);
        self
    }

    pub fn session_idle_secs(&self) -> i64 {
        self.session_idle_secs
    }

    /// Records that a write failed because the storage is full (`/readyz` reports it).
    pub fn note_storage_full(&self) {
        self.storage_full_at
            .store(crate::now_s(), std::sync::atomic::Ordering::Relaxed);
    }

    /// Records that a write succeeded: the storage has room again.
    pub fn note_storage_ok(&self) {
        self.storage_full_at
            .store(0, std::sync::atomic::Ordering::Relaxed);
    }

    /// When a write last failed for want of space, if within the last `STORAGE_FULL_HOLD_SECS`
    /// and no write has succeeded since.
    pub fn storage_full_since(&self) -> Option<i64> {
        let at = self
            .storage_full_at
            .load(std::sync::atomic::Ordering::Relaxed);
        (at > 0 && crate::now_s() - at < STORAGE_FULL_HOLD_SECS).then_some(at)
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Checks the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        self.db.ping().await?;
        Ok(())
    }

    /// Starts an audited write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`) so two writers queue instead of failing on lock upgrade.
    pub async fn write(&self, actor: AuditActor) -> Result<WriteTx> {
        let options = TransactionOptions {
            isolation_level: None,
            access_mode: Some(AccessMode::ReadWrite)
                .filter(|_| self.backend() != DbBackend::Sqlite),
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        };
        let tx = self.db.begin_with_options(options).await?;
        Ok(WriteTx {
            tx,
            actor,
            pending: Vec::new(),
            stats: StatDelta::default(),
        })
    }
}

/// A write transaction that refuses to commit unless it recorded at least one audit event.
pub struct WriteTx {
    tx: DatabaseTransaction,
    actor: AuditActor,
    /// Audit events recorded by this transaction, appended to the chain at commit.
    pending: Vec<PendingEvent>,
    /// Changes to the statistics aggregates, applied at commit after the audit events.
    stats: StatDelta,
}

/// An audit event waiting for its transaction's commit.
struct PendingEvent {
    action: String,
    entity_type: String,
    entity_id: String,
    data: serde_json::Value,
}

impl WriteTx {
    pub fn conn(&self) -> &DatabaseTransaction {
        &self.tx
    }

    /// The summed changes to the statistics aggregates this transaction will apply.
    pub(crate) fn stats_mut(&mut self) -> &mut StatDelta {
        &mut self.stats
    }

    /// The acting user, when a person acts.
    pub fn actor_user_id(&self) -> Option<i64> {
        self.actor.user_id
    }

    pub fn actor(&self) -> &AuditActor {
        &self.actor
    }

    /// Where a record written in this transaction came from, kept with facts later relied on
    /// as evidence (an enterprise's registration and tax district): `user:<id>`, `token:<id>`
    /// or `system:<what>` (at most 40 characters).
    pub fn source_ref(&self) -> String {
        let label = match self.actor.user_id {
            Some(id) => format!("user:{id}"),
            None => self
                .actor
                .label
                .split_whitespace()
                .next()
                .unwrap_or("system")
                .to_string(),
        };
        label.chars().take(40).collect()
    }

    /// Records an audit event for this transaction's actor. Events are appended to the chain
    /// when the transaction commits, in the order recorded: the chain head is locked (a row lock
    /// on PostgreSQL) only for those appends, not while the transaction does its work, so
    /// concurrent writers (16 clients reporting batches of loans) overlap everything but the
    /// appends.
    pub async fn audit(
        &mut self,
        action: &str,
        entity_type: &str,
        entity_id: impl ToString,
        data: serde_json::Value,
    ) -> Result<()> {
        self.pending.push(PendingEvent {
            action: action.to_string(),
            entity_type: entity_type.to_string(),
            entity_id: entity_id.to_string(),
            data,
        });
        Ok(())
    }

    /// Abandons the transaction (nothing to record, e.g. an idempotent re-send).
    pub async fn rollback(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }

    pub async fn commit(self) -> Result<()> {
        if self.pending.is_empty() {
            self.tx.rollback().await?;
            return Err(StoreError::Internal(
                "a write transaction must record an audit event".into(),
            ));
        }
        for e in self.pending {
            audit::append(
                &self.tx,
                &self.actor,
                &e.action,
                &e.entity_type,
                &e.entity_id,
                e.data,
            )
            .await?;
        }
        // Applied while this transaction holds the audit chain head, so concurrent writers
        // apply their changes one after another (and never deadlock on the counter rows).
        crate::stats_aggregate::apply(&self.tx, self.stats).await?;
        self.tx.commit().await?;
        Ok(())
    }
}
