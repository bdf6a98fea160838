//! Test databases: every store test runs on SQLite, and on PostgreSQL too when
//! `IPFIN_TEST_POSTGRES_URL` is set (a fresh database per test, dropped by `cleanup`).

pub mod fixtures;
pub mod hostile;

use crate::Store;
use sea_orm::{ConnectionTrait, Database};
use std::sync::atomic::{AtomicU32, Ordering};

/// A migrated store for one test, and how to clean it up.
pub struct TestDb {
    pub store: Store,
    /// `sqlite` or `postgres`, for assertion messages.
    pub name: &'static str,
    pg: Option<(String, String)>,
}

/// The password of every demo account in tests.
pub const DEMO_PASSWORD: &str = "Demo-Password-2026";

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Replaces the database name (the URL's path) in a PostgreSQL URL.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..host_end], db);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let store = Store::connect("sqlite::memory:")
            .await
            .expect("in-memory sqlite");
        store.migrate().await.expect("migrate sqlite");
        TestDb {
            store,
            name: "sqlite",
            pg: None,
        }
    }

    /// A fresh PostgreSQL database, if `IPFIN_TEST_POSTGRES_URL` is set.
    pub async fn postgres() -> Option<TestDb> {
        let url = std::env::var("IPFIN_TEST_POSTGRES_URL").ok()?;
        let name = format!(
            "ipfin_t_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            &crate::auth::random_token()[..8]
        );
        let admin = Database::connect(url.clone())
            .await
            .expect("connect to IPFIN_TEST_POSTGRES_URL");
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create test database");
        admin.close().await.ok();
        let store = Store::connect(&with_database(&url, &name))
            .await
            .expect("connect to test database");
        store.migrate().await.expect("migrate postgres");
        Some(TestDb {
            store,
            name: "postgres",
            pg: Some((url, name)),
        })
    }

    /// SQLite always, PostgreSQL when configured.
    pub async fn all() -> Vec<TestDb> {
        let mut v = vec![TestDb::sqlite().await];
        if let Some(pg) = TestDb::postgres().await {
            v.push(pg);
        }
        v
    }

    /// Loads the demo city with `DEMO_PASSWORD` for every account.
    pub async fn with_demo(self) -> TestDb {
        self.store
            .load_demo(|_| DEMO_PASSWORD.to_string())
            .await
            .expect("load demo");
        self
    }

    /// Loads the demo city with its policies laid around `policy_day` (see
    /// [`Store::load_demo_at`]): for tests that walk applications through fixed dates.
    pub async fn with_demo_at(self, policy_day: chrono::NaiveDate) -> TestDb {
        self.store
            .load_demo_at(policy_day, |_| DEMO_PASSWORD.to_string())
            .await
            .expect("load demo");
        self
    }

    /// Closes the pool and drops the PostgreSQL database.
    pub async fn cleanup(self) {
        self.store.conn().close_by_ref().await.ok();
        if let Some((url, name)) = self.pg
            && let Ok(admin) = Database::connect(url).await
        {
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await
                .ok();
            admin.close().await.ok();
        }
    }
}

/// Removes the database's append-only guards on the audit tables, as someone with full
/// control of the database could: tests use it to prove that what such a person then does to
/// the chain is still detected.
pub async fn drop_audit_guards(store: &Store) {
    per_backend(
        store,
        "drop an audit guard",
        &[
            "DROP TRIGGER audit_events_append_only ON audit_events",
            "DROP TRIGGER audit_events_no_truncate ON audit_events",
            "DROP TRIGGER audit_head_forward ON audit_head",
            "DROP TRIGGER audit_head_no_truncate ON audit_head",
        ],
        &[
            "DROP TRIGGER audit_events_no_update",
            "DROP TRIGGER audit_events_no_delete",
            "DROP TRIGGER audit_head_no_delete",
            "DROP TRIGGER audit_head_forward",
        ],
    )
    .await;
}

/// Runs the PostgreSQL or the SQLite statements, whichever the store is on.
async fn per_backend(store: &Store, what: &str, postgres: &[&str], sqlite: &[&str]) {
    let statements = match store.backend() {
        sea_orm::DbBackend::Postgres => postgres,
        _ => sqlite,
    };
    for sql in statements {
        store
            .conn()
            .execute_unprepared(sql)
            .await
            .unwrap_or_else(|e| panic!("{what}: {sql}: {e}"));
    }
}

/// Makes every audited write fail the way a full disk does, with the database's own error
/// code (every write appends an audit event, and a trigger on that insert needs space that is
/// not there): on SQLite the file may not grow past its current pages (`max_page_count`) and
/// the trigger writes 100 KB, so SQLite answers `SQLITE_FULL`; on PostgreSQL the trigger
/// raises SQLSTATE 53100 (`disk_full`), as the server does when it cannot extend a file.
pub async fn fill_storage(store: &Store) {
    per_backend(
        store,
        "fill the storage",
        &[
            "CREATE FUNCTION test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$",
            "CREATE TRIGGER test_disk_full BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION test_disk_full()",
        ],
        &[
            "CREATE TABLE test_filler (x BLOB)",
            "CREATE TRIGGER test_disk_full BEFORE INSERT ON audit_events \
             BEGIN INSERT INTO test_filler VALUES (randomblob(100000)); END",
            "PRAGMA max_page_count = 1",
        ],
    )
    .await;
}

/// Frees the space `fill_storage` took away.
pub async fn free_storage(store: &Store) {
    per_backend(
        store,
        "free the storage",
        &[
            "DROP TRIGGER test_disk_full ON audit_events",
            "DROP FUNCTION test_disk_full()",
        ],
        &[
            "PRAGMA max_page_count = 1073741823",
            "DROP TRIGGER test_disk_full",
            "DROP TABLE test_filler",
        ],
    )
    .await;
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_database_name() {
        assert_eq!(
            with_database("postgres://u@127.0.0.1:5432/test", "x"),
            "postgres://u@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://127.0.0.1/test?sslmode=disable", "x"),
            "postgres://127.0.0.1/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://127.0.0.1", "x"),
            "postgres://127.0.0.1/x"
        );
    }
}
