//! PostgreSQL: one pool for reads and writes; every session runs with
//! `synchronous_commit = on` (whatever the server's default), so a commit returns only once
//! the batch is flushed to the server's WAL. Several gateways may write to one database: the
//! unique index on a first scan's identity decides which write of a (site, scanner, seq) is
//! its first, and the others are reported back as [`Taken`].

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;

use bayline_domain::correction::Correction;

use bayline_domain::{Event, JobCard, Time};
use bayline_proto::Id;
use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

use super::versions::Edit;
use super::{
    add_id_ranges, identity_of, insert_scans, not_written, Backend, Inserted, RejectedColumns,
    ScanColumns, SeenColumns, StoredColumns, StoredScan, ROWS_PER_INSERT, STORED_COLUMNS,
};
use crate::notice::{Notice, CHANNEL};
use crate::record::EventRow;
use crate::store::{Committed, RejectedRow, SeenRow, Taken};
use crate::{ScanRecord, StoreError};

/// How often a transaction that PostgreSQL aborted to break a deadlock between writers is
/// tried again at once, before the error goes to the caller (who retries with a backoff).
const DEADLOCK_RETRIES: usize = 3;

mod listen;

pub use listen::Listener;

#[derive(Debug, Clone)]
pub(crate) struct Postgres {
    pool: PgPool,
    /// Names this process in its notices, so that it can ignore its own.
    origin: String,
}

impl Postgres {
    pub(super) fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Tells the processes following the database of `notice`, inside `tx`: they hear of it
    /// when, and only if, the transaction commits.
    pub(super) async fn notify(
        &self,
        tx: &mut sqlx::PgConnection,
        notice: &Notice,
    ) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(notice.payload(&self.origin))
            .execute(tx)
            .await?;
        Ok(())
    }

    /// A listener for the notices of the other processes on this database.
    pub async fn listen(&self) -> Result<Listener, StoreError> {
        Listener::connect(&self.pool, self.origin.clone()).await
    }
}

impl Postgres {
    /// Connects to `postgres://…`, creating the database if it does not exist yet (as SQLite
    /// creates its file), and runs the migrations (under sqlx's advisory lock, so gateways
    /// starting together do not race).
    pub async fn open(url: &str) -> Result<Postgres, StoreError> {
        let options = PgConnectOptions::from_str(url)?
            .application_name("bayline")
            .options([("synchronous_commit", "on")]);
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30));
        let pool = match pool.clone().connect_with(options.clone()).await {
            Err(e) if has_code(&e, "3D000") => {
                // invalid_catalog_name: no such database. Another gateway may be creating
                // it at the same moment (duplicate_database): then it exists, which is all.
                match sqlx::Postgres::create_database(url).await {
                    Err(e) if !has_code(&e, "42P04") => return Err(e.into()),
                    _ => tracing::info!(database = ?options.get_database(), "database created"),
                }
                pool.connect_with(options).await?
            }
            connected => connected?,
        };
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Postgres {
            pool,
            origin: origin(),
        })
    }

    pub async fn drop_database(url: &str) -> Result<(), StoreError> {
        sqlx::Postgres::force_drop_database(url).await?;
        Ok(())
    }

    async fn commit_retrying(&self, batch: &[ScanRecord]) -> Result<Committed, StoreError> {
        let mut attempt = 0;
        loop {
            match self.try_commit(batch).await {
                Err(StoreError::Db(e)) if attempt < DEADLOCK_RETRIES && is_deadlock(&e) => {
                    attempt += 1;
                    tracing::debug!(attempt, "commit aborted by a deadlock; trying again");
                }
                done => return done,
            }
        }
    }

    async fn try_commit(&self, batch: &[ScanRecord]) -> Result<Committed, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut committed = Committed::default();
        let mut ids = BTreeMap::new();
        for (n, chunk) in batch.chunks(ROWS_PER_INSERT).enumerate() {
            let rows = chunk
                .iter()
                .map(ScanColumns::of)
                .collect::<Result<Vec<_>, _>>()?;
            // A concurrent writer's uncommitted first scan makes this wait for its outcome.
            let inserted: Vec<Inserted> = insert_scans(
                &rows,
                "ON CONFLICT (site, scanner, seq) WHERE first_of_seq DO NOTHING",
            )
            .build_query_as()
            .fetch_all(&mut *tx)
            .await?;
            add_id_ranges(&mut ids, &inserted);
            for at in not_written(&rows, &inserted) {
                let (site, scanner, seq) = identity_of(&chunk[at]);
                // READ COMMITTED: this statement sees the winner, committed before we got here.
                let first: SeenColumns = sqlx::query_as(
                    "SELECT scanner, seq, canonical, reply FROM scans
                     WHERE site = $1 AND scanner = $2 AND seq = $3 AND first_of_seq",
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
        for (site, ids) in ids {
            let site = Id::new(&site).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            self.notify(&mut tx, &Notice::Scans { site, ids }).await?;
        }
        tx.commit().await?;
        Ok(committed)
    }
}

impl Backend for Postgres {
    async fn commit(&self, batch: &[ScanRecord]) -> Result<Committed, StoreError> {
        self.commit_retrying(batch).await
    }

    async fn put_job(
        &self,
        site: &Id,
        card: &JobCard,
        at: Time,
        edit: Option<&Edit>,
    ) -> Result<bool, StoreError> {
        let json = serde_json::to_string(card).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let now = at.to_string();
        let mut tx = self.pool.begin().await?;
        // Insert-or-nothing, then update: of two writers creating one job, exactly one is
        // told it created it (the other waits on the key, then updates).
        let created = sqlx::query(
            "INSERT INTO jobs (site, job, card, created_at, updated_at) VALUES ($1,$2,$3,$4,$4)
             ON CONFLICT (site, job) DO NOTHING RETURNING 1",
        )
        .bind(site.as_str())
        .bind(card.job.as_str())
        .bind(&json)
        .bind(&now)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
        if !created {
            sqlx::query("UPDATE jobs SET card = $1, updated_at = $2 WHERE site = $3 AND job = $4")
                .bind(&json)
                .bind(&now)
                .bind(site.as_str())
                .bind(card.job.as_str())
                .execute(&mut *tx)
                .await?;
        }
        if let Some(edit) = edit {
            Postgres::insert_version(&mut tx, site, card, at, edit).await?;
        }
        let notice = Notice::Job {
            site: site.clone(),
            job: card.job.clone(),
        };
        self.notify(&mut tx, &notice).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn jobs(&self, site: &Id) -> Result<Vec<JobCard>, StoreError> {
        // Byte order, as SQLite's BINARY collation, whatever the database's locale.
        let cards: Vec<String> =
            sqlx::query_scalar("SELECT card FROM jobs WHERE site = $1 ORDER BY job COLLATE \"C\"")
                .bind(site.as_str())
                .fetch_all(&self.pool)
                .await?;
        cards.iter().map(|c| super::job_card(c)).collect()
    }

    async fn job(&self, site: &Id, job: &Id) -> Result<Option<JobCard>, StoreError> {
        let card: Option<String> =
            sqlx::query_scalar("SELECT card FROM jobs WHERE site = $1 AND job = $2")
                .bind(site.as_str())
                .bind(job.as_str())
                .fetch_optional(&self.pool)
                .await?;
        card.as_deref().map(super::job_card).transpose()
    }

    async fn events(&self, site: &Id) -> Result<Vec<Event>, StoreError> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT scanner, seq, ts, badge, action, job, op, bay, reason FROM scans
             WHERE site = $1 AND status = 'accepted'",
        )
        .bind(site.as_str())
        .fetch_all(&self.pool)
        .await?;
        super::events(rows)
    }

    async fn seen(&self, site: &Id) -> Result<Vec<SeenRow>, StoreError> {
        let rows: Vec<SeenColumns> = sqlx::query_as(
            "SELECT scanner, seq, canonical, reply FROM scans WHERE site = $1 AND first_of_seq",
        )
        .bind(site.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(SeenColumns::into_row).collect()
    }

    async fn scans_between(
        &self,
        site: &Id,
        (lo, hi): (i64, i64),
    ) -> Result<Vec<StoredScan>, StoreError> {
        let rows: Vec<StoredColumns> = sqlx::query_as(&format!(
            "SELECT {STORED_COLUMNS} FROM scans WHERE site = $1 AND id BETWEEN $2 AND $3 ORDER BY id"
        ))
        .bind(site.as_str())
        .bind(lo)
        .bind(hi)
        .fetch_all(&self.pool)
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
             WHERE site = $1 AND status = 'rejected' ORDER BY id DESC LIMIT $2",
        )
        .bind(site.as_str())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(RejectedColumns::into_row).collect())
    }

    async fn count_scans(&self, site: &Id, scanner: &str, seq: u64) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM scans WHERE site = $1 AND scanner = $2 AND seq = $3",
        )
        .bind(site.as_str())
        .bind(scanner)
        .bind(seq as i64)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn close(&self) {
        // The pool waits for every checked-out connection to come back, and the LISTEN
        // connection lives as long as its ledger: a store closed while its ledger is alive
        // waited for ever (a test reopening the store hung). Closing is best effort; a
        // connection still out is closed when it is dropped.
        if tokio::time::timeout(Duration::from_secs(5), self.pool.close())
            .await
            .is_err()
        {
            tracing::debug!("closed with a connection still in use (the listener)");
        }
    }
}

/// A random name for this process in its notices.
fn origin() -> String {
    use std::hash::{BuildHasher, Hasher};
    // std's hasher keys are random per process; no crate needed for one random number.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    format!("{:012x}", h.finish() & 0xffff_ffff_ffff)
}

/// PostgreSQL aborted the transaction to resolve a deadlock (or a serialisation failure):
/// it did nothing, and the same transaction may succeed when run again.
fn is_deadlock(e: &sqlx::Error) -> bool {
    has_code(e, "40P01") || has_code(e, "40001")
}

/// The error is PostgreSQL's with this SQLSTATE.
fn has_code(e: &sqlx::Error, sqlstate: &str) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == sqlstate)
}
