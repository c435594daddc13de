//! SQLite: WAL with `synchronous=FULL` so a committed batch survives power loss; one writer
//! connection, so a process's batches are serialised by construction; a read-only pool.
//! Writers start with `BEGIN IMMEDIATE`, so two processes on one file queue for the write
//! lock (busy timeout) instead of failing on a stale snapshot.

use std::str::FromStr;
use std::time::Duration;

use bayline_domain::correction::Correction;
use bayline_domain::{JobCard, Time};
use bayline_proto::Id;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, Sqlite as Db, SqlitePool, Transaction};

use super::versions::Edit;
use crate::store::Committed;
use crate::{ScanRecord, StoreError};

#[derive(Debug, Clone)]
pub(crate) struct Sqlite {
    write: SqlitePool,
    read: SqlitePool,
}

impl Sqlite {
    /// Opens (creating if needed) the database file at `path` and runs the migrations.
    pub async fn open(path: &str) -> Result<Sqlite, StoreError> {
        if let Some(dir) = std::path::Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await?;
        Ok(Sqlite { write, read })
    }

    pub(super) fn writer(&self) -> &SqlitePool {
        &self.write
    }

    pub(super) fn reader(&self) -> &SqlitePool {
        &self.read
    }

    /// The writer connection, for one write transaction (see [`begin`] and [`discard_if`]).
    async fn writer_connection(&self) -> Result<PoolConnection<Db>, StoreError> {
        Ok(self.write.acquire().await?)
    }
}

async fn begin(conn: &mut SqliteConnection) -> Result<Transaction<'_, Db>, StoreError> {
    Ok(conn.begin_with("BEGIN IMMEDIATE").await?)
}

/// After a failed write the writer connection is closed instead of reused. An I/O error
/// during COMMIT (a full or read-only disk) makes SQLite roll the transaction back by itself
/// while sqlx still counts it open; sqlx's ROLLBACK on drop then fails, and every later BEGIN
/// on that connection is refused ("attempted to call begin_with at non-zero transaction
/// depth"): the one writer would never write again, though the disk came back (the chaos
/// suite's outage makes the data folder read-only to check it). The pool opens a fresh
/// connection for the next write.
fn discard_if<T>(conn: &mut PoolConnection<Db>, result: &Result<T, StoreError>) {
    if result.is_err() {
        conn.close_on_drop();
    }
}

/// Runs `$write`, given the transaction as `$tx`, in one write transaction on the writer
/// connection ([`begin`]), commits it, and closes the connection if that failed ([`discard_if`]).
macro_rules! in_write_transaction {
    ($sqlite:expr, |$tx:ident| $write:expr) => {{
        let mut conn = $sqlite.writer_connection().await?;
        let result = async {
            let mut $tx = begin(&mut conn).await?;
            let done = $write.await?;
            $tx.commit().await?;
            Ok::<_, StoreError>(done)
        }
        .await;
        discard_if(&mut conn, &result);
        result
    }};
}

/// What differs from PostgreSQL is how a write runs ([`in_write_transaction`]) and that it
/// tells no other process: a SQLite file has one writing process (the one-box site). The
/// reads and the SQL are `shared.rs`.
impl Sqlite {
    pub(super) async fn commit_batch(&self, batch: &[ScanRecord]) -> Result<Committed, StoreError> {
        let (committed, _) =
            in_write_transaction!(self, |tx| Sqlite::insert_batch(&mut tx, batch, false))?;
        Ok(committed)
    }

    pub(super) async fn put_card(
        &self,
        site: &Id,
        card: &JobCard,
        at: Time,
        edit: Option<&Edit>,
    ) -> Result<bool, StoreError> {
        in_write_transaction!(self, |tx| Sqlite::write_job(&mut tx, site, card, at, edit))
    }

    pub(super) async fn add_correction(&self, site: &Id, c: &Correction) -> Result<(), StoreError> {
        in_write_transaction!(self, |tx| Sqlite::write_correction(&mut tx, site, c))
    }

    pub(super) async fn shut(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}
