//! [`Store`]: the durable store, SQLite or PostgreSQL as the URL says. Each implements
//! [`Backend`]; `Store` holds the one the URL names and forwards to it (static dispatch: no
//! boxing of every call's future).
//!
//! Two implementations of one trait rather than sqlx's `Any` driver: the dialects differ in more
//! than placeholders (booleans, collation, how a writer takes the lock), each backend wants
//! its own connection settings (WAL, `synchronous=FULL`, one writer and read-only readers for
//! SQLite; `synchronous_commit=on` for PostgreSQL), and the migrations are per dialect anyway.

use bayline_domain::correction::Correction;
use bayline_domain::{Event, JobCard, Time};
use bayline_proto::{Id, Reply};

use crate::backend::customer::{Approval, ApprovalItem, ItemAnswer, Link};
use crate::backend::outbox::{Outgoing, Queued};
use crate::backend::postgres::{Listener, Postgres};
use crate::backend::sqlite::Sqlite;
use crate::backend::versions::{Edit, JobVersion, LateEdit};
use crate::backend::{Backend, StoredScan};
use crate::{ScanRecord, StoreError};

#[derive(Debug, Clone)]
pub struct Store {
    backend: Db,
}

#[derive(Debug, Clone)]
enum Db {
    Sqlite(Sqlite),
    Postgres(Postgres),
}

/// Runs the same call on whichever backend the store has.
macro_rules! on_backend {
    ($store:expr, $db:ident => $call:expr) => {
        match &$store.backend {
            Db::Sqlite($db) => $call,
            Db::Postgres($db) => $call,
        }
    };
}

/// A stored scan with a seq: what a repeat of it must get again.
#[derive(Debug, Clone, PartialEq)]
pub struct SeenRow {
    pub scanner: Id,
    pub seq: u64,
    pub canonical: Option<String>,
    pub reply: Reply,
}

/// A rejected scan, for a manager to review.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = Rejected))]
pub struct RejectedRow {
    pub id: i64,
    pub scanner: String,
    pub seq: Option<u64>,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub received_at: String,
    /// The reject code (`bad_payload`, `seq_conflict`, …).
    pub code: String,
    pub detail: Option<String>,
    pub size: i64,
    /// The stored bytes as text (invalid UTF-8 replaced); at most the first bytes of an
    /// oversized payload.
    pub raw: String,
}

/// What a [`Store::commit`] did not write.
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use = "a taken first scan must be answered as a repeat or a seq_conflict"]
pub struct Committed {
    /// First scans of an identity that another writer (another gateway on the same database)
    /// had stored first; they were not written.
    pub taken: Vec<Taken>,
}

/// A record of a batch whose (site, scanner, seq) already had a first scan.
#[derive(Debug, Clone, PartialEq)]
pub struct Taken {
    /// Its position in the batch.
    pub index: usize,
    /// The first scan stored for the identity, with its reply.
    pub first: SeenRow,
}

impl Store {
    /// Opens `sqlite://PATH` (creating the file and its folder if needed) or
    /// `postgres://…` (creating the database if needed), and runs the migrations.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Db::Postgres(Postgres::open(url).await?)
        } else {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .filter(|p| !p.is_empty())
                .ok_or_else(|| StoreError::BadUrl(url.to_string()))?;
            Db::Sqlite(Sqlite::open(path.split('?').next().unwrap_or(path)).await?)
        };
        Ok(Store { backend })
    }

    /// Drops the PostgreSQL database of `url` (closing its other connections first), if it
    /// exists: for a scratch database, such as the bench's.
    pub async fn drop_postgres_database(url: &str) -> Result<(), StoreError> {
        Postgres::drop_database(url).await
    }

    /// `sqlite` or `postgres`, for logs.
    pub fn backend(&self) -> &'static str {
        match self.backend {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Writes a batch of scan records in one transaction, all or none, and returns once it
    /// is durable. A first scan whose (site, scanner, seq) another writer stored first is
    /// not written but reported, with that first scan, in [`Committed::taken`].
    pub async fn commit(&self, batch: &[ScanRecord]) -> Result<Committed, StoreError> {
        on_backend!(self, db => db.commit(batch).await)
    }

    /// Creates or replaces a job card; returns whether it was new.
    pub async fn put_job(&self, site: &Id, card: &JobCard, now: Time) -> Result<bool, StoreError> {
        on_backend!(self, db => db.put_job(site, card, now, None).await)
    }

    /// Creates or replaces a job card and keeps a version of it, who and when, in the same
    /// transaction (contract §7.6); returns whether it was new.
    pub async fn put_job_edited(
        &self,
        site: &Id,
        card: &JobCard,
        now: Time,
        edit: &Edit,
    ) -> Result<bool, StoreError> {
        on_backend!(self, db => db.put_job(site, card, now, Some(edit)).await)
    }

    /// A job's versions, oldest first.
    pub async fn job_versions(&self, site: &Id, job: &Id) -> Result<Vec<JobVersion>, StoreError> {
        on_backend!(self, db => db.job_versions(site, job).await)
    }

    /// The newest `limit` versions put after the job reached `ready`, newest first, each
    /// with the card it replaced.
    pub async fn late_edits(&self, site: &Id, limit: u32) -> Result<Vec<LateEdit>, StoreError> {
        on_backend!(self, db => db.late_edits(site, limit).await)
    }

    /// A site's job cards, by job id (byte order).
    pub async fn jobs(&self, site: &Id) -> Result<Vec<JobCard>, StoreError> {
        on_backend!(self, db => db.jobs(site).await)
    }

    /// One job card of a site, if it has that job.
    pub async fn job(&self, site: &Id, job: &Id) -> Result<Option<JobCard>, StoreError> {
        on_backend!(self, db => db.job(site, job).await)
    }

    /// Every accepted scan of a site as an event, in no particular order.
    pub async fn events(&self, site: &Id) -> Result<Vec<Event>, StoreError> {
        on_backend!(self, db => db.events(site).await)
    }

    /// The first scan of every (scanner, seq) of a site, with the reply it got.
    pub async fn seen(&self, site: &Id) -> Result<Vec<SeenRow>, StoreError> {
        on_backend!(self, db => db.seen(site).await)
    }

    /// The scans of a site whose row ids are in `ids` (inclusive), in id order.
    pub async fn scans_between(
        &self,
        site: &Id,
        ids: (i64, i64),
    ) -> Result<Vec<StoredScan>, StoreError> {
        on_backend!(self, db => db.scans_between(site, ids).await)
    }

    /// A listener for what other processes write to this database; `None` for SQLite, whose
    /// file has one writing process.
    pub async fn listen(&self) -> Result<Option<Listener>, StoreError> {
        match &self.backend {
            Db::Sqlite(_) => Ok(None),
            Db::Postgres(db) => db.listen().await.map(Some),
        }
    }

    /// Brings PostgreSQL's planner statistics up to date after a bulk load, as autovacuum
    /// would a while later. SQLite's queries are planned without statistics (the indexes
    /// are made for them), so there it does nothing.
    pub async fn analyze(&self) -> Result<(), StoreError> {
        match &self.backend {
            Db::Sqlite(_) => Ok(()),
            Db::Postgres(db) => db.analyze().await,
        }
    }

    /// Rejected scans, newest first.
    pub async fn rejected(&self, site: &Id, limit: u32) -> Result<Vec<RejectedRow>, StoreError> {
        on_backend!(self, db => db.rejected(site, limit).await)
    }

    /// How many scans of a site are stored with this (scanner, seq): for tests and audits.
    pub async fn count_scans(&self, site: &Id, scanner: &str, seq: u64) -> Result<i64, StoreError> {
        on_backend!(self, db => db.count_scans(site, scanner, seq).await)
    }

    /// Stores a manager's correction (contract §4); fails if its id is taken.
    pub async fn put_correction(&self, site: &Id, c: &Correction) -> Result<(), StoreError> {
        on_backend!(self, db => db.put_correction(site, c).await)
    }

    /// A site's corrections in the order they were made.
    pub async fn corrections(&self, site: &Id) -> Result<Vec<Correction>, StoreError> {
        on_backend!(self, db => db.corrections(site).await)
    }

    /// Those of `keys` (scanner, seq) with a first scan stored for `site`.
    pub async fn stored_among(
        &self,
        site: &Id,
        keys: &[(Id, u64)],
    ) -> Result<std::collections::HashSet<(Id, u64)>, StoreError> {
        on_backend!(self, db => db.stored_among(site, keys).await)
    }

    /// Liveness of the database for `/healthz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_backend!(self, db => db.ping().await)
    }

    pub async fn close(&self) {
        on_backend!(self, db => db.close().await)
    }

    /// Keeps a customer status link, by the SHA-256 (hex) of its token.
    pub async fn put_link(
        &self,
        site: &Id,
        job: &Id,
        token_sha256: &str,
        by: &str,
        now: Time,
        expires_at: Option<Time>,
    ) -> Result<(), StoreError> {
        on_backend!(self, db => db.put_link(site, job, token_sha256, by, now, expires_at).await)
    }

    /// The link whose token has this SHA-256 (hex), if any, revoked or not.
    pub async fn link(&self, token_sha256: &str) -> Result<Option<Link>, StoreError> {
        on_backend!(self, db => db.link(token_sha256).await)
    }

    /// Revokes every live link of a job; returns how many were.
    pub async fn revoke_links(&self, site: &Id, job: &Id, now: Time) -> Result<u64, StoreError> {
        on_backend!(self, db => db.revoke_links(site, job, now).await)
    }

    /// Opens an approval request with its items (their answers are ignored); returns its id.
    pub async fn open_approval(
        &self,
        site: &Id,
        job: &Id,
        message: &str,
        items: &[ApprovalItem],
        by: &str,
        now: Time,
    ) -> Result<i64, StoreError> {
        on_backend!(self, db => db.open_approval(site, job, message, items, by, now).await)
    }

    /// A job's approval requests, oldest first, with their items and answers.
    pub async fn approvals(&self, site: &Id, job: &Id) -> Result<Vec<Approval>, StoreError> {
        on_backend!(self, db => db.approvals(site, job).await)
    }

    /// Answers one item of a request of `site` unless it is answered: whether this answer
    /// counted (a second tap does not).
    pub async fn answer_item(
        &self,
        site: &Id,
        approval: i64,
        op: &Id,
        answer: &ItemAnswer,
    ) -> Result<bool, StoreError> {
        on_backend!(self, db => db.answer_item(site, approval, op, answer).await)
    }

    /// Queues webhook events, one transaction; one already queued is not queued twice.
    pub async fn enqueue(&self, events: &[Outgoing]) -> Result<(), StoreError> {
        on_backend!(self, db => db.enqueue(events).await)
    }

    /// The oldest `limit` undelivered events for `url`, in queue order.
    pub async fn queued(&self, url: &str, limit: u32) -> Result<Vec<Queued>, StoreError> {
        on_backend!(self, db => db.queued(url, limit).await)
    }

    /// Marks a queued event delivered.
    pub async fn delivered(&self, id: i64, at: Time) -> Result<(), StoreError> {
        on_backend!(self, db => db.delivered(id, at).await)
    }

    /// Counts a failed attempt of a queued event.
    pub async fn delivery_failed(&self, id: i64, error: &str) -> Result<(), StoreError> {
        on_backend!(self, db => db.failed(id, error).await)
    }

    /// How many webhook events wait for delivery.
    pub async fn outbox_depth(&self) -> Result<i64, StoreError> {
        on_backend!(self, db => db.outbox_depth().await)
    }
}

// After `on_backend!`, which it uses.
mod claims;
mod history;
