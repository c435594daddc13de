//! The SQL both backends run, written once: the scans, job cards and corrections, read and
//! written. The query builder writes each dialect's placeholders, and the two phrases that
//! differ are a backend's [`Dialect`]; one macro writes both implementations of [`Backend`].
//!
//! What is not the same stays in `sqlite.rs` and `postgres.rs`: opening, how a write
//! transaction starts and what follows a failed one, notices to other processes, retries.
//! They call the in-transaction writes below.

use bayline_domain::correction::Correction;
use bayline_domain::{Event, JobCard, Time};
use bayline_proto::Id;
use sqlx::QueryBuilder;

use super::postgres::Postgres;
use super::sqlite::Sqlite;
use super::versions::Edit;
use super::{
    identity_of, insert_scans, job_card, not_written, Backend, Inserted, RejectedColumns,
    ScanColumns, SeenColumns, StoredColumns, StoredScan, ROWS_PER_INSERT, STORED_COLUMNS,
};
use crate::record::EventRow;
use crate::store::{Committed, RejectedRow, SeenRow, Taken};
use crate::{ScanRecord, StoreError};

/// The phrases in which the two dialects' SQL differs.
pub(crate) struct Dialect {
    /// The first scan of an identity, in the words of the partial unique index on it (an
    /// upsert names its index by repeating them).
    first_of_seq: &'static str,
    /// Job ids in byte order, whatever the database's locale (SQLite's BINARY collation).
    by_job: &'static str,
}

const SQLITE: Dialect = Dialect {
    first_of_seq: "first_of_seq = 1",
    by_job: "job",
};

const POSTGRES: Dialect = Dialect {
    first_of_seq: "first_of_seq",
    by_job: "job COLLATE \"C\"",
};

fn card_json(card: &JobCard) -> Result<String, StoreError> {
    serde_json::to_string(card).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn correction_row(c: &Correction) -> Result<(i64, String), StoreError> {
    let id =
        i64::try_from(c.id).map_err(|_| StoreError::Corrupt(format!("correction id {}", c.id)))?;
    let json = serde_json::to_string(c).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok((id, json))
}

fn corrections(bodies: Vec<String>) -> Result<Vec<Correction>, StoreError> {
    (bodies.iter())
        .map(|b| {
            serde_json::from_str(b).map_err(|e| StoreError::Corrupt(format!("correction: {e}")))
        })
        .collect()
}

macro_rules! shared {
    ($backend:ty, $db:ty, $conn:ty, $read:ident, $dialect:expr) => {
        impl $backend {
            /// Writes `batch` inside `tx`, a chunk of rows per INSERT. A first scan whose
            /// identity is taken is not written; the first scan that holds it is read back
            /// (on PostgreSQL a concurrent writer's uncommitted one makes the INSERT wait for
            /// its outcome, and READ COMMITTED lets the SELECT see the winner). Returns those,
            /// and the rows written if `wanted` (PostgreSQL tells other processes their ids).
            ///
            /// Without `wanted`, a chunk is first written without RETURNING in a savepoint:
            /// SQLite's driver hands each returned row from its thread to ours, a wake-up per
            /// row, which was most of an import's commit. Only when a row was not written is
            /// the savepoint rolled back and the chunk written again with RETURNING, to name it.
            pub(super) async fn insert_batch(
                tx: &mut $conn,
                batch: &[ScanRecord],
                wanted: bool,
            ) -> Result<(Committed, Vec<Inserted>), StoreError> {
                let dialect: &Dialect = &$dialect;
                let on_conflict = format!(
                    "ON CONFLICT (site, scanner, seq) WHERE {} DO NOTHING",
                    dialect.first_of_seq
                );
                let mut committed = Committed::default();
                let mut written = Vec::new();
                for (n, chunk) in batch.chunks(ROWS_PER_INSERT).enumerate() {
                    let rows = (chunk.iter())
                        .map(ScanColumns::of)
                        .collect::<Result<Vec<_>, _>>()?;
                    if !wanted {
                        let mut quiet = sqlx::Connection::begin(&mut *tx).await?;
                        let done = insert_scans::<$db>(&rows, &on_conflict, false)
                            .build()
                            .execute(&mut *quiet)
                            .await?;
                        if done.rows_affected() == rows.len() as u64 {
                            quiet.commit().await?;
                            continue;
                        }
                        quiet.rollback().await?;
                    }
                    let inserted: Vec<Inserted> = insert_scans::<$db>(&rows, &on_conflict, true)
                        .build_query_as()
                        .fetch_all(&mut *tx)
                        .await?;
                    for at in not_written(&rows, &inserted) {
                        let (site, scanner, seq) = identity_of(&chunk[at]);
                        let mut b = QueryBuilder::<$db>::new(
                            "SELECT scanner, seq, canonical, reply FROM scans WHERE site = ",
                        );
                        b.push_bind(site).push(" AND scanner = ").push_bind(scanner);
                        b.push(" AND seq = ").push_bind(seq);
                        b.push(" AND ").push(dialect.first_of_seq);
                        let first: SeenColumns = b.build_query_as().fetch_one(&mut *tx).await?;
                        committed.taken.push(Taken {
                            index: n * ROWS_PER_INSERT + at,
                            first: first.into_row()?,
                        });
                    }
                    written.extend(inserted);
                }
                Ok((committed, written))
            }

            /// Creates or replaces a job card inside `tx`, with its version if `edit`; whether
            /// it was new. Insert-or-nothing, then update: of two writers creating one job,
            /// exactly one is told it created it (the other waits on the key, then updates).
            pub(super) async fn write_job(
                tx: &mut $conn,
                site: &Id,
                card: &JobCard,
                at: Time,
                edit: Option<&Edit>,
            ) -> Result<bool, StoreError> {
                let json = card_json(card)?;
                let now = at.to_string();
                let mut b = QueryBuilder::<$db>::new(
                    "INSERT INTO jobs (site, job, card, created_at, updated_at) VALUES (",
                );
                b.push_bind(site.as_str())
                    .push(", ")
                    .push_bind(card.job.as_str());
                b.push(", ")
                    .push_bind(json.as_str())
                    .push(", ")
                    .push_bind(now.as_str());
                b.push(", ").push_bind(now.as_str());
                b.push(") ON CONFLICT (site, job) DO NOTHING RETURNING 1");
                let created = b.build().fetch_optional(&mut *tx).await?.is_some();
                if !created {
                    let mut b = QueryBuilder::<$db>::new("UPDATE jobs SET card = ");
                    b.push_bind(json.as_str())
                        .push(", updated_at = ")
                        .push_bind(now.as_str());
                    b.push(" WHERE site = ").push_bind(site.as_str());
                    b.push(" AND job = ").push_bind(card.job.as_str());
                    b.build().execute(&mut *tx).await?;
                }
                if let Some(edit) = edit {
                    Self::insert_version(&mut *tx, site, card, at, edit).await?;
                }
                Ok(created)
            }

            /// Stores a correction inside `tx`; the primary key (site, id) makes two servers
            /// that number the same correction at once fail loudly instead of both writing.
            pub(super) async fn write_correction(
                tx: &mut $conn,
                site: &Id,
                c: &Correction,
            ) -> Result<(), StoreError> {
                let (id, json) = correction_row(c)?;
                let mut b = QueryBuilder::<$db>::new(
                    "INSERT INTO corrections (site, id, made_by, made_at, body) VALUES (",
                );
                b.push_bind(site.as_str()).push(", ").push_bind(id);
                b.push(", ")
                    .push_bind(c.by.as_str())
                    .push(", ")
                    .push_bind(c.at.to_string());
                b.push(", ").push_bind(json).push(")");
                b.build().execute(&mut *tx).await?;
                Ok(())
            }
        }

        impl Backend for $backend {
            async fn commit(&self, batch: &[ScanRecord]) -> Result<Committed, StoreError> {
                self.commit_batch(batch).await
            }

            async fn put_job(
                &self,
                site: &Id,
                card: &JobCard,
                now: Time,
                edit: Option<&Edit>,
            ) -> Result<bool, StoreError> {
                self.put_card(site, card, now, edit).await
            }

            async fn put_correction(&self, site: &Id, c: &Correction) -> Result<(), StoreError> {
                self.add_correction(site, c).await
            }

            async fn jobs(&self, site: &Id) -> Result<Vec<JobCard>, StoreError> {
                let mut b = QueryBuilder::<$db>::new("SELECT card FROM jobs WHERE site = ");
                b.push_bind(site.as_str());
                b.push(" ORDER BY ").push($dialect.by_job);
                let cards: Vec<String> = b.build_query_scalar().fetch_all(self.$read()).await?;
                cards.iter().map(|c| job_card(c)).collect()
            }

            async fn job(&self, site: &Id, job: &Id) -> Result<Option<JobCard>, StoreError> {
                let mut b = QueryBuilder::<$db>::new("SELECT card FROM jobs WHERE site = ");
                b.push_bind(site.as_str())
                    .push(" AND job = ")
                    .push_bind(job.as_str());
                let card: Option<String> =
                    b.build_query_scalar().fetch_optional(self.$read()).await?;
                card.as_deref().map(job_card).transpose()
            }

            async fn events(&self, site: &Id) -> Result<Vec<Event>, StoreError> {
                let mut b = QueryBuilder::<$db>::new(
                    "SELECT scanner, seq, ts, badge, action, job, op, bay, reason FROM scans \
                     WHERE status = 'accepted' AND site = ",
                );
                b.push_bind(site.as_str());
                let rows: Vec<EventRow> = b.build_query_as().fetch_all(self.$read()).await?;
                super::events(rows)
            }

            async fn seen(&self, site: &Id) -> Result<Vec<SeenRow>, StoreError> {
                let mut b = QueryBuilder::<$db>::new(
                    "SELECT scanner, seq, canonical, reply FROM scans WHERE site = ",
                );
                b.push_bind(site.as_str())
                    .push(" AND ")
                    .push($dialect.first_of_seq);
                let rows: Vec<SeenColumns> = b.build_query_as().fetch_all(self.$read()).await?;
                rows.into_iter().map(SeenColumns::into_row).collect()
            }

            async fn scans_between(
                &self,
                site: &Id,
                (lo, hi): (i64, i64),
            ) -> Result<Vec<StoredScan>, StoreError> {
                let mut b = QueryBuilder::<$db>::new(format!(
                    "SELECT {STORED_COLUMNS} FROM scans WHERE site = "
                ));
                b.push_bind(site.as_str())
                    .push(" AND id BETWEEN ")
                    .push_bind(lo);
                b.push(" AND ").push_bind(hi).push(" ORDER BY id");
                let rows: Vec<StoredColumns> = b.build_query_as().fetch_all(self.$read()).await?;
                rows.into_iter().map(StoredColumns::into_scan).collect()
            }

            async fn corrections(&self, site: &Id) -> Result<Vec<Correction>, StoreError> {
                let mut b = QueryBuilder::<$db>::new("SELECT body FROM corrections WHERE site = ");
                b.push_bind(site.as_str()).push(" ORDER BY id");
                corrections(b.build_query_scalar().fetch_all(self.$read()).await?)
            }

            async fn rejected(
                &self,
                site: &Id,
                limit: u32,
            ) -> Result<Vec<RejectedRow>, StoreError> {
                let mut b = QueryBuilder::<$db>::new(
                    "SELECT id, scanner, seq, received_at, code, detail, size, raw FROM scans \
                     WHERE status = 'rejected' AND site = ",
                );
                b.push_bind(site.as_str()).push(" ORDER BY id DESC LIMIT ");
                b.push_bind(i64::from(limit));
                let rows: Vec<RejectedColumns> = b.build_query_as().fetch_all(self.$read()).await?;
                Ok(rows.into_iter().map(RejectedColumns::into_row).collect())
            }

            async fn count_scans(
                &self,
                site: &Id,
                scanner: &str,
                seq: u64,
            ) -> Result<i64, StoreError> {
                let mut b = QueryBuilder::<$db>::new("SELECT COUNT(*) FROM scans WHERE site = ");
                b.push_bind(site.as_str())
                    .push(" AND scanner = ")
                    .push_bind(scanner);
                b.push(" AND seq = ").push_bind(seq as i64);
                Ok(b.build_query_scalar().fetch_one(self.$read()).await?)
            }

            async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query("SELECT 1").execute(self.$read()).await?;
                Ok(())
            }

            async fn close(&self) {
                self.shut().await
            }
        }
    };
}

shared!(Sqlite, sqlx::Sqlite, sqlx::SqliteConnection, reader, SQLITE);
shared!(Postgres, sqlx::Postgres, sqlx::PgConnection, pool, POSTGRES);
