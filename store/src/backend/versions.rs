//! Job-card versions on both backends (migration 0005, contract §7.6): one row per change a
//! `PUT …/jobs/{job}` made, written in the card's own transaction so that no card is stored
//! without its version. The SQL is the same on both dialects (the query builder writes each
//! one's placeholders), so one macro writes both implementations.

use bayline_domain::{JobCard, Time};
use bayline_proto::Id;
use sqlx::QueryBuilder;

use super::postgres::Postgres;
use super::sqlite::Sqlite;
use super::{job_card, ns, time};
use crate::StoreError;

/// Who changed a job card, for its history.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// The token's `[[tokens]] name`, else its role and fingerprint.
    pub who: String,
    /// The job had reached stage `ready` (or `delivered`): the review page lists the change.
    pub after_ready: bool,
}

/// One stored version of a job card.
#[derive(Debug, Clone, PartialEq)]
pub struct JobVersion {
    pub job: Id,
    pub at: Time,
    pub who: String,
    pub after_ready: bool,
    /// The card as it was put, without the foreman's assignments.
    pub card: JobCard,
}

/// A change made after `ready`, with the version it replaced (`None`: the first version kept).
#[derive(Debug, Clone, PartialEq)]
pub struct LateEdit {
    pub version: JobVersion,
    pub before: Option<JobCard>,
}

/// The card a version keeps: what the DMS or advisor put. Assignments are the foreman's
/// (§7.3, their own route); keeping them would show every dispatch as a card change.
fn as_put(card: &JobCard) -> Result<String, StoreError> {
    let mut card = card.clone();
    for op in &mut card.ops {
        op.assignment = None;
    }
    serde_json::to_string(&card).map_err(|e| StoreError::Corrupt(e.to_string()))
}

type Row = (String, i64, String, bool, String);

fn version((job, at_ns, who, after_ready, card): Row) -> Result<JobVersion, StoreError> {
    Ok(JobVersion {
        job: Id::new(&job).map_err(|e| StoreError::Corrupt(format!("job version: {e}")))?,
        at: time(at_ns)?,
        who,
        after_ready,
        card: job_card(&card)?,
    })
}

const COLUMNS: &str = "job, at_ns, who, after_ready, card";

macro_rules! versions {
    ($backend:ty, $db:ty, $conn:ty, $read:ident) => {
        impl $backend {
            /// Adds a version of `card` inside the caller's transaction.
            pub(super) async fn insert_version(
                tx: &mut $conn,
                site: &Id,
                card: &JobCard,
                now: Time,
                edit: &Edit,
            ) -> Result<(), StoreError> {
                let mut b = QueryBuilder::<$db>::new(
                    "INSERT INTO job_versions (site, job, at_ns, who, after_ready, card) VALUES (",
                );
                b.push_bind(site.as_str()).push(", ").push_bind(card.job.as_str());
                b.push(", ").push_bind(ns(now)).push(", ").push_bind(edit.who.as_str());
                b.push(", ").push_bind(edit.after_ready);
                b.push(", ").push_bind(as_put(card)?).push(")");
                b.build().execute(&mut *tx).await?;
                Ok(())
            }

            /// A job's versions, oldest first.
            pub(crate) async fn job_versions(
                &self,
                site: &Id,
                job: &Id,
            ) -> Result<Vec<JobVersion>, StoreError> {
                let mut b = QueryBuilder::<$db>::new(format!("SELECT {COLUMNS} FROM job_versions WHERE site = "));
                b.push_bind(site.as_str()).push(" AND job = ").push_bind(job.as_str());
                b.push(" ORDER BY id");
                let rows: Vec<Row> = b.build_query_as().fetch_all(self.$read()).await?;
                rows.into_iter().map(version).collect()
            }

            /// The newest `limit` versions put after `ready`, newest first, each with the
            /// card it replaced.
            pub(crate) async fn late_edits(
                &self,
                site: &Id,
                limit: u32,
            ) -> Result<Vec<LateEdit>, StoreError> {
                let mut b = QueryBuilder::<$db>::new(
                    "SELECT v.job, v.at_ns, v.who, v.after_ready, v.card, \
                     (SELECT p.card FROM job_versions p WHERE p.site = v.site AND p.job = v.job \
                      AND p.id < v.id ORDER BY p.id DESC LIMIT 1) \
                     FROM job_versions v WHERE v.after_ready AND v.site = ",
                );
                b.push_bind(site.as_str()).push(" ORDER BY v.id DESC LIMIT ");
                b.push_bind(i64::from(limit));
                let rows: Vec<(String, i64, String, bool, String, Option<String>)> =
                    b.build_query_as().fetch_all(self.$read()).await?;
                (rows.into_iter())
                    .map(|(job, at, who, after_ready, card, before)| {
                        Ok(LateEdit {
                            version: version((job, at, who, after_ready, card))?,
                            before: before.as_deref().map(job_card).transpose()?,
                        })
                    })
                    .collect()
            }
        }
    };
}

versions!(Sqlite, sqlx::Sqlite, sqlx::SqliteConnection, reader);
versions!(Postgres, sqlx::Postgres, sqlx::PgConnection, pool);
