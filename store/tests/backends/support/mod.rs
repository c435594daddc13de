//! Databases for the store's tests: a SQLite file in a temp dir, or a fresh PostgreSQL
//! database on the server `BAYLINE_TEST_POSTGRES` names, created for one test and dropped
//! after it, so tests run in parallel. Without the variable the PostgreSQL tests skip, except
//! under `CI=true`, where they fail; an unreachable server always fails.

#![allow(dead_code)] // each test binary uses its own part of this

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use bayline_store::Store;
use sqlx::{Connection, Executor, PgConnection};

pub mod scans;

pub enum TestDb {
    Sqlite {
        url: String,
        _dir: tempfile::TempDir,
    },
    Postgres(PgDb),
}

/// A database of its own on the test server; dropped (WITH FORCE) when this is dropped.
pub struct PgDb {
    admin: String,
    name: String,
    url: String,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        TestDb::Sqlite {
            url: format!("sqlite://{}/bayline.db", dir.path().display()),
            _dir: dir,
        }
    }

    /// A fresh PostgreSQL database, or `None` when the PostgreSQL tests are not enabled.
    pub async fn postgres() -> Option<TestDb> {
        PgDb::create().await.map(TestDb::Postgres)
    }

    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } => url,
            TestDb::Postgres(db) => &db.url,
        }
    }

    /// Runs `sql` (one or more statements) on a connection of its own, as an operator or a
    /// fault would, beside the store.
    pub async fn execute(&self, sql: &str) {
        match self {
            TestDb::Sqlite { url, .. } => {
                let mut c = sqlx::SqliteConnection::connect(url).await.expect("sqlite");
                c.execute(sql)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
            TestDb::Postgres(db) => {
                let mut c = PgConnection::connect(&db.url).await.expect("postgres");
                c.execute(sql)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
        }
    }

    /// The rows of `table`.
    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match self {
            TestDb::Sqlite { url, .. } => {
                let mut c = sqlx::SqliteConnection::connect(url).await.expect("sqlite");
                sqlx::query_scalar(&sql)
                    .fetch_one(&mut c)
                    .await
                    .expect("count")
            }
            TestDb::Postgres(db) => {
                let mut c = PgConnection::connect(&db.url).await.expect("postgres");
                sqlx::query_scalar(&sql)
                    .fetch_one(&mut c)
                    .await
                    .expect("count")
            }
        }
    }

    pub async fn open(&self) -> Store {
        Store::open(self.url())
            .await
            .unwrap_or_else(|e| panic!("cannot open {}: {e}", self.url()))
    }
}

/// The server's URL from `BAYLINE_TEST_POSTGRES`, or `None` (skip) outside CI.
pub fn postgres_server() -> Option<String> {
    match std::env::var("BAYLINE_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but BAYLINE_TEST_POSTGRES is not set: the PostgreSQL tests must run"
            );
            eprintln!(
                "skipped: set BAYLINE_TEST_POSTGRES=postgres://… to run the PostgreSQL tests"
            );
            None
        }
    }
}

impl PgDb {
    pub async fn create() -> Option<PgDb> {
        let db = PgDb::unborn()?;
        let mut conn = connect(&db.admin).await;
        conn.execute(format!("CREATE DATABASE {}", db.name).as_str())
            .await
            .unwrap_or_else(|e| panic!("cannot create a test database on {}: {e}", db.admin));
        let _ = conn.close().await;
        Some(db)
    }

    /// A fresh name on the server, for a database nobody has created yet (it is dropped all
    /// the same, if something created it).
    pub fn unborn() -> Option<PgDb> {
        let admin = postgres_server()?;
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "bayline_test_{}_{}_{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let url = with_database(&admin, &name);
        Some(PgDb { admin, name, url })
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        // Drop may run inside a runtime that is shutting down: use a thread of its own.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let mut conn = connect(&admin).await;
                conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop test database: {e}");
        }
    }
}

async fn connect(url: &str) -> PgConnection {
    tokio::time::timeout(Duration::from_secs(10), PgConnection::connect(url))
        .await
        .unwrap_or_else(|_| panic!("PostgreSQL at {url} did not answer in 10 s"))
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {url}: {e}"))
}

/// `url` with its database (the path) replaced by `name`, keeping any `?query`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let authority = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority..].find('/') {
        Some(i) => &base[..authority + i],
        None => base,
    };
    format!("{server}/{name}{query}")
}

/// Declares each listed `async fn test(db: &TestDb)` as a test on SQLite (`sqlite::test`)
/// and on PostgreSQL (`postgres::test`).
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let db = crate::support::TestDb::sqlite();
                    super::$test(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let Some(db) = crate::support::TestDb::postgres().await else { return };
                    super::$test(&db).await;
                }
            )*
        }
    };
}
