//! SQLite: WAL with `synchronous=FULL` so a committed batch survives power loss; one writer
//! connection, so a process's batches are serialised by construction; a read-only pool.
//! Writers start with `BEGIN IMMEDIATE`, so two processes on one file queue for the write
//! lock (busy timeout) instead of failing on a stale snapshot.

use std::str::FromStr;
use std::time::Duration;

use bayline_domain::correction::Correction;
use bayline_domain::{Event, JobCard, Time};
use bayline_proto::Id;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, Sqlite as Db, SqlitePool, Transaction};

use super::versions::Edit;
use super::{
    identity_of, insert_scans, not_written, Backend, Inserted, RejectedColumns, ScanColumns,
    SeenColumns, StoredColumns, StoredScan, ROWS_PER_INSERT, STORED_COLUMNS,
};
use crate::record::EventRow;
use crate::store::{Committed, RejectedRow, SeenRow, Taken};
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
/// depth"): the one writer would never write again, though the disk came back. Found by the
/// chaos suite. The pool opens a fresh connection for the next write.
fn discard_if<T>(conn: &mut PoolConnection<Db>, result: &Result<T, StoreError>) {
    if result.is_err() {
        conn.close_on_drop();
    }
}

/// One batch of scans in one write transaction.
async fn commit_batch(
    conn: &mut SqliteConnection,
    batch: &[ScanRecord],
) -> Result<Committed, StoreError> {
    let mut tx = begin(conn).await?;
    let mut committed = Committed::default();
    for (n, chunk) in batch.chunks(ROWS_PER_INSERT).enumerate() {
        let rows = chunk
            .iter()
            .map(ScanColumns::of)
            .collect::<Result<Vec<_>, _>>()?;
        let inserted: Vec<Inserted> = insert_scans(
            &rows,
            "ON CONFLICT (site, scanner, seq) WHERE first_of_seq = 1 DO NOTHING",
        )
        .build_query_as()
        .fetch_all(&mut *tx)
        .await?;
        for at in not_written(&rows, &inserted) {
            let (site, scanner, seq) = identity_of(&chunk[at]);
            let first: SeenColumns = sqlx::query_as(
                "SELECT scanner, seq, canonical, reply FROM scans
                 WHERE site = ? AND scanner = ? AND seq = ? AND first_of_seq = 1",
            )
            .bind(site)
            .bind(scanner)
            .bind(seq)
            .fetch_one(&mut *tx)
            .await?;
            committed.taken.push(Taken {
                index: n * ROWS_PER_INSERT + at,
                first: first.into_row()?,
            });
        }
    }
    tx.commit().await?;
    Ok(committed)
}

/// A job card, created or replaced.
async fn put_job(
    conn: &mut SqliteConnection,
    site: &Id,
    card: &JobCard,
    at: Time,
    edit: Option<&Edit>,
) -> Result<bool, StoreError> {
    let json = serde_json::to_string(card).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let now = at.to_string();
    let mut tx = begin(conn).await?;
    let created = sqlx::query(
        "INSERT INTO jobs (site, job, card, created_at, updated_at) VALUES (?,?,?,?,?)
         ON CONFLICT (site, job) DO NOTHING RETURNING 1",
    )
    .bind(site.as_str())
    .bind(card.job.as_str())
    .bind(&json)
    .bind(&now)
    .bind(&now)
    .fetch_optional(&mut *tx)
    .await?
    .is_some();
    if !created {
        sqlx::query("UPDATE jobs SET card = ?, updated_at = ? WHERE site = ? AND job = ?")
            .bind(&json)
            .bind(&now)
            .bind(site.as_str())
            .bind(card.job.as_str())
            .execute(&mut *tx)
            .await?;
    }
    if let Some(edit) = edit {
        Sqlite::insert_version(&mut tx, site, card, at, edit).await?;
    }
    tx.commit().await?;
    Ok(created)
}

/// No notices: a SQLite file has one writing process (the one-box site).
impl Backend for Sqlite {
    async fn commit(&self, batch: &[ScanRecord]) -> Result<Committed, StoreError> {
        let mut conn = self.writer_connection().await?;
        let committed = commit_batch(&mut conn, batch).await;
        discard_if(&mut conn, &committed);
        committed
    }

    async fn put_job(
        &self,
        site: &Id,
        card: &JobCard,
        now: Time,
        edit: Option<&Edit>,
    ) -> Result<bool, StoreError> {
        let mut conn = self.writer_connection().await?;
        let created = put_job(&mut conn, site, card, now, edit).await;
        discard_if(&mut conn, &created);
        created
    }

    async fn jobs(&self, site: &Id) -> Result<Vec<JobCard>, StoreError> {
        let cards: Vec<String> =
            sqlx::query_scalar("SELECT card FROM jobs WHERE site = ? ORDER BY job")
                .bind(site.as_str())
                .fetch_all(&self.read)
                .await?;
        cards.iter().map(|c| super::job_card(c)).collect()
    }

    async fn job(&self, site: &Id, job: &Id) -> Result<Option<JobCard>, StoreError> {
        let card: Option<String> =
            sqlx::query_scalar("SELECT card FROM jobs WHERE site = ? AND job = ?")
                .bind(site.as_str())
                .bind(job.as_str())
                .fetch_optional(&self.read)
                .await?;
        card.as_deref().map(super::job_card).transpose()
    }

    async fn events(&self, site: &Id) -> Result<Vec<Event>, StoreError> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT scanner, seq, ts, badge, action, job, op, bay, reason FROM scans
             WHERE site = ? AND status = 'accepted'",
        )
        .bind(site.as_str())
        .fetch_all(&self.read)
        .await?;
        super::events(rows)
    }

    async fn seen(&self, site: &Id) -> Result<Vec<SeenRow>, StoreError> {
        let rows: Vec<SeenColumns> = sqlx::query_as(
            "SELECT scanner, seq, canonical, reply FROM scans WHERE site = ? AND first_of_seq = 1",
        )
        .bind(site.as_str())
        .fetch_all(&self.read)
        .await?;
        rows.into_iter().map(SeenColumns::into_row).collect()
    }

    async fn scans_between(
        &self,
        site: &Id,
        (lo, hi): (i64, i64),
    ) -> Result<Vec<StoredScan>, StoreError> {
        let rows: Vec<StoredColumns> = sqlx::query_as(&format!(
            "SELECT {STORED_COLUMNS} FROM scans WHERE site = ? AND id BETWEEN ? AND ? ORDER BY id"
        ))
        .bind(site.as_str())
        .bind(lo)
        .bind(hi)
        .fetch_all(&self.read)
        .await?;
        rows.into_iter().map(StoredColumns::into_scan).collect()
    }

    async fn put_correction(&self, site: &Id, c: &Correction) -> Result<(), StoreError> {
        self.insert_correction(site, c).await
    }

    async fn corrections(&self, site: &Id) -> Result<Vec<Correction>, StoreError> {
        self.read_corrections(site).await
    }

    async fn rejected(&self, site: &Id, limit: u32) -> Result<Vec<RejectedRow>, StoreError> {
        let rows: Vec<RejectedColumns> = sqlx::query_as(
            "SELECT id, scanner, seq, received_at, code, detail, size, raw FROM scans
             WHERE site = ? AND status = 'rejected' ORDER BY id DESC LIMIT ?",
        )
        .bind(site.as_str())
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await?;
        Ok(rows.into_iter().map(RejectedColumns::into_row).collect())
    }

    async fn count_scans(&self, site: &Id, scanner: &str, seq: u64) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM scans WHERE site = ? AND scanner = ? AND seq = ?",
        )
        .bind(site.as_str())
        .bind(scanner)
        .bind(seq as i64)
        .fetch_one(&self.read)
        .await?)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}
