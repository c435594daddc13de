//! PostgreSQL: one pool for reads and writes; every session runs with
//! `synchronous_commit = on` (whatever the server's default), so a commit returns only once
//! the batch is flushed to the server's WAL. Several gateways may write to one database: the
//! unique index on a first scan's identity decides which write of a (site, scanner, seq) is
//! its first, and the others are reported back as [`Taken`].

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;

use bayline_domain::correction::Correction;
use bayline_domain::{JobCard, Time};
use bayline_proto::Id;
use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

use super::add_id_ranges;
use super::versions::Edit;
use crate::notice::{Notice, CHANNEL};
use crate::store::Committed;
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

    /// Runs `try_commit` again at once while PostgreSQL aborts it to break a deadlock
    /// between writers.
    pub(super) async fn commit_batch(&self, batch: &[ScanRecord]) -> Result<Committed, StoreError> {
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
        let (committed, inserted) = Postgres::insert_batch(&mut tx, batch, true).await?;
        let mut ids = BTreeMap::new();
        add_id_ranges(&mut ids, &inserted);
        for (site, ids) in ids {
            let site = Id::new(&site).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            self.notify(&mut tx, &Notice::Scans { site, ids }).await?;
        }
        tx.commit().await?;
        Ok(committed)
    }

    pub(super) async fn put_card(
        &self,
        site: &Id,
        card: &JobCard,
        at: Time,
        edit: Option<&Edit>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let created = Postgres::write_job(&mut tx, site, card, at, edit).await?;
        let notice = Notice::Job {
            site: site.clone(),
            job: card.job.clone(),
        };
        self.notify(&mut tx, &notice).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub(super) async fn add_correction(&self, site: &Id, c: &Correction) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        Postgres::write_correction(&mut tx, site, c).await?;
        let notice = Notice::Corrections { site: site.clone() };
        self.notify(&mut tx, &notice).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Brings the planner's statistics up to date, as autovacuum does a while after a bulk
    /// load (a history import, a bench's fill).
    pub(crate) async fn analyze(&self) -> Result<(), StoreError> {
        sqlx::query("ANALYZE").execute(&self.pool).await?;
        Ok(())
    }

    pub(super) async fn shut(&self) {
        // The pool waits for every checked-out connection to come back, and the LISTEN
        // connection lives as long as its ledger: a store closed while its ledger is alive
        // would wait for ever. Closing is best effort; a connection still out is closed when
        // it is dropped.
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
