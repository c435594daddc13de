//! The SQLite store. WAL with `synchronous=FULL` so a committed batch survives power loss;
//! one writer connection, so batches are serialised by construction; a separate read pool.

use std::str::FromStr;
use std::time::Duration;

use bayline_domain::{Event, JobCard, Time};
use bayline_proto::{Id, Reply};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use crate::record::{event_columns, EventRow};
use crate::{ScanRecord, StoreError};

#[derive(Debug, Clone)]
pub struct Store {
    write: SqlitePool,
    read: SqlitePool,
}

/// A stored scan with a seq: what a repeat of it must get again.
#[derive(Debug, Clone)]
pub struct SeenRow {
    pub scanner: Id,
    pub seq: u64,
    pub canonical: Option<String>,
    pub reply: Reply,
}

/// A rejected scan, for a manager to review.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RejectedRow {
    pub id: i64,
    pub scanner: String,
    pub seq: Option<u64>,
    pub received_at: String,
    pub code: String,
    pub detail: Option<String>,
    pub size: i64,
    /// The stored bytes as text (invalid UTF-8 replaced); at most the first bytes of an
    /// oversized payload.
    pub raw: String,
}

impl Store {
    /// Opens (creating if needed) the database at `sqlite://PATH` and runs the migrations.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .filter(|p| !p.is_empty())
            .ok_or_else(|| StoreError::BadUrl(url.to_string()))?;
        let path = path.split('?').next().unwrap_or(path);
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
        Ok(Store { write, read })
    }

    /// Writes a batch of scan records in one transaction: all or none.
    pub async fn commit(&self, batch: &[ScanRecord]) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        for r in batch {
            let (action, job, op, bay, reason) = match &r.event {
                Some(e) => {
                    let (a, j, o, b, r) = event_columns(&e.kind);
                    (Some(a), j, o, b, r)
                }
                None => (None, None, None, None, None),
            };
            sqlx::query(
                "INSERT INTO scans (site, scanner, seq, first_of_seq, received_at, status, code, detail,
                    ts, ts_ns, badge, action, job, op, bay, reason, canonical, size, raw, reply)
                 VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            )
            .bind(r.site.as_str())
            .bind(r.scanner.as_str())
            .bind(r.seq.map(|s| s as i64))
            .bind(r.first_of_seq)
            .bind(r.received_at.to_string())
            .bind(r.status.as_str())
            .bind(r.code.as_deref())
            .bind(r.detail.as_deref())
            .bind(r.event.as_ref().map(|e| e.key.ts.to_string()))
            .bind(r.event.as_ref().map(|e| e.key.ts.as_nanosecond() as i64))
            .bind(r.event.as_ref().map(|e| e.badge.as_str()))
            .bind(action)
            .bind(job)
            .bind(op)
            .bind(bay)
            .bind(reason)
            .bind(r.canonical.as_deref())
            .bind(r.size as i64)
            .bind(&r.raw[..])
            .bind(serde_json::to_string(&r.reply).map_err(|e| StoreError::Corrupt(e.to_string()))?)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Creates or replaces a job card; returns whether it was new.
    pub async fn put_job(&self, site: &Id, card: &JobCard, now: Time) -> Result<bool, StoreError> {
        let json = serde_json::to_string(card).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let now = now.to_string();
        let mut tx = self.write.begin().await?;
        let existed = sqlx::query("SELECT 1 FROM jobs WHERE site = ? AND job = ?")
            .bind(site.as_str())
            .bind(card.job.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        sqlx::query(
            "INSERT INTO jobs (site, job, card, created_at, updated_at) VALUES (?,?,?,?,?)
             ON CONFLICT (site, job) DO UPDATE SET card = excluded.card, updated_at = excluded.updated_at",
        )
        .bind(site.as_str())
        .bind(card.job.as_str())
        .bind(json)
        .bind(&now)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(!existed)
    }

    pub async fn jobs(&self, site: &Id) -> Result<Vec<JobCard>, StoreError> {
        let rows = sqlx::query("SELECT card FROM jobs WHERE site = ? ORDER BY job")
            .bind(site.as_str())
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                let text: String = r.get(0);
                serde_json::from_str(&text)
                    .map_err(|e| StoreError::Corrupt(format!("job card: {e}")))
            })
            .collect()
    }

    /// Every accepted scan of a site as an event, in no particular order.
    pub async fn events(&self, site: &Id) -> Result<Vec<Event>, StoreError> {
        let rows = sqlx::query(
            "SELECT scanner, seq, ts, badge, action, job, op, bay, reason FROM scans
             WHERE site = ? AND status = 'accepted'",
        )
        .bind(site.as_str())
        .fetch_all(&self.read)
        .await?;
        rows.into_iter()
            .map(|r| {
                EventRow {
                    scanner: r.get(0),
                    seq: r.get(1),
                    ts: r.get(2),
                    badge: r.get(3),
                    action: r.get(4),
                    job: r.get(5),
                    op: r.get(6),
                    bay: r.get(7),
                    reason: r.get(8),
                }
                .into_event()
            })
            .collect()
    }

    /// The first scan of every (scanner, seq) of a site, with the reply it got.
    pub async fn seen(&self, site: &Id) -> Result<Vec<SeenRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT scanner, seq, canonical, reply FROM scans WHERE site = ? AND first_of_seq = 1",
        )
        .bind(site.as_str())
        .fetch_all(&self.read)
        .await?;
        rows.into_iter()
            .map(|r| {
                let scanner: String = r.get(0);
                let seq: i64 = r.get(1);
                let reply: String = r.get(3);
                Ok(SeenRow {
                    scanner: Id::new(&scanner).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    seq: seq as u64,
                    canonical: r.get(2),
                    reply: serde_json::from_str(&reply)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                })
            })
            .collect()
    }

    /// Rejected scans, newest first.
    pub async fn rejected(&self, site: &Id, limit: u32) -> Result<Vec<RejectedRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, scanner, seq, received_at, code, detail, size, raw FROM scans
             WHERE site = ? AND status = 'rejected' ORDER BY id DESC LIMIT ?",
        )
        .bind(site.as_str())
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let raw: Vec<u8> = r.get(7);
                RejectedRow {
                    id: r.get(0),
                    scanner: r.get(1),
                    seq: r.get::<Option<i64>, _>(2).map(|s| s as u64),
                    received_at: r.get(3),
                    code: r.get(4),
                    detail: r.get(5),
                    size: r.get(6),
                    raw: String::from_utf8_lossy(&raw).into_owned(),
                }
            })
            .collect())
    }

    /// How many scans of a site are stored with this (scanner, seq): for tests and audits.
    pub async fn count_scans(&self, site: &Id, scanner: &str, seq: u64) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM scans WHERE site = ? AND scanner = ? AND seq = ?",
        )
        .bind(site.as_str())
        .bind(scanner)
        .bind(seq as i64)
        .fetch_one(&self.read)
        .await?)
    }

    /// Liveness of the database for `/healthz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}
