//! Test databases: every store test runs on SQLite, and on PostgreSQL too when
//! `IPFIN_TEST_POSTGRES_URL` is set (a fresh database per test, dropped by `cleanup`).

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
