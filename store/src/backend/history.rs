//! Frozen days on both backends: day totals, closed jobs' outcomes and checkpoints (see
//! migration 0003), cleared andon calls (0004), closed jobs' plates and comebacks (0008), and the bounded reads a start and a period's
//! figures need. The SQL is the same on both dialects (the query builder writes each one's
//! placeholders), so one macro writes both implementations.

use std::collections::HashSet;

use bayline_domain::comeback::plate_key;
use bayline_domain::kpi::{Outcome, Totals};
use bayline_domain::{
    decode_checkpoint, encode_checkpoint, Call, Event, Freeze, JobCard, State, Time,
};
use bayline_proto::Id;
use jiff::civil::Date;
use sqlx::QueryBuilder;

use super::outcomes::{encode_line, outcomes, OutcomeDetail};
use super::postgres::Postgres;
use super::sqlite::Sqlite;
use super::{job_card, ns, time, SeenColumns};
use crate::record::EventRow;
use crate::store::SeenRow;
use crate::StoreError;

fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn date(text: &str) -> Result<Date, StoreError> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("frozen day {text:?}: {e}")))
}

/// A stored checkpoint: the freeze point and the state there.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    pub at: Time,
    /// `None` when stored in a format this build does not read: rebuild the site.
    pub state: Option<State>,
}

const EVENT_COLUMNS: &str =
    "SELECT scanner, seq, ts, badge, action, job, op, bay, reason FROM scans \
     WHERE status = 'accepted' AND site = ";

macro_rules! history {
    ($backend:ty, $db:ty, $write:ident, $read:ident, $first_of_seq:literal) => {
        impl $backend {
            /// Stores what a freeze took out of the live state, all or nothing: a crash
            /// leaves the previous freeze point, whose checkpoint still holds.
            pub(crate) async fn put_freeze(&self, site: &Id, f: &Freeze) -> Result<(), StoreError> {
                let mut tx = self.$write().begin().await?;
                for (day, totals) in &f.days {
                    let mut b = QueryBuilder::<$db>::new("INSERT INTO frozen_days (site, day, totals) VALUES (");
                    b.push_bind(site.as_str()).push(", ").push_bind(day.to_string());
                    b.push(", ").push_bind(json(totals)?);
                    b.push(") ON CONFLICT (site, day) DO UPDATE SET totals = excluded.totals");
                    b.build().execute(&mut *tx).await?;
                }
                for o in &f.outcomes {
                    let delivered = o.delivered_at.map(ns).unwrap_or(ns(f.at));
                    let mut b = QueryBuilder::<$db>::new(
                        "INSERT INTO job_outcomes (site, job, first_qc_ns, ready_ns, delivered_ns, plate, comeback_ns, body, line) VALUES (",
                    );
                    b.push_bind(site.as_str()).push(", ").push_bind(o.job.as_str());
                    b.push(", ").push_bind(o.first_qc.map(|q| ns(q.1)));
                    b.push(", ").push_bind(o.ready_at.map(ns));
                    b.push(", ").push_bind(delivered);
                    b.push(", ").push_bind(plate_key(&o.plate));
                    b.push(", ").push_bind(o.comeback_at().map(ns));
                    b.push(", ").push_bind(json(o)?);
                    b.push(", ").push_bind(encode_line(o));
                    b.push(
                        ") ON CONFLICT (site, job) DO UPDATE SET first_qc_ns = excluded.first_qc_ns, \
                         ready_ns = excluded.ready_ns, delivered_ns = excluded.delivered_ns, \
                         plate = excluded.plate, comeback_ns = excluded.comeback_ns, body = excluded.body, \
                         line = excluded.line",
                    );
                    b.build().execute(&mut *tx).await?;
                    let mut b = QueryBuilder::<$db>::new("UPDATE jobs SET closed_ns = ");
                    b.push_bind(delivered).push(" WHERE site = ").push_bind(site.as_str());
                    b.push(" AND job = ").push_bind(o.job.as_str());
                    b.build().execute(&mut *tx).await?;
                }
                for c in &f.calls {
                    let cleared = c.cleared.as_ref().map_or(ns(f.at), |x| ns(x.0));
                    let mut b = QueryBuilder::<$db>::new(
                        "INSERT INTO calls (site, bay, opened_ns, answered_ns, cleared_ns, body) VALUES (",
                    );
                    b.push_bind(site.as_str()).push(", ").push_bind(c.bay.as_str());
                    b.push(", ").push_bind(ns(c.opened));
                    b.push(", ").push_bind(c.answered.as_ref().map(|a| ns(a.0)));
                    b.push(", ").push_bind(cleared).push(", ").push_bind(json(c)?);
                    b.push(
                        ") ON CONFLICT (site, bay, opened_ns) DO UPDATE SET answered_ns = excluded.answered_ns, \
                         cleared_ns = excluded.cleared_ns, body = excluded.body",
                    );
                    b.build().execute(&mut *tx).await?;
                }
                let mut b = QueryBuilder::<$db>::new("INSERT INTO checkpoints (site, at_ns, body) VALUES (");
                b.push_bind(site.as_str()).push(", ").push_bind(ns(f.at));
                b.push(", ").push_bind(encode_checkpoint(&f.checkpoint));
                b.push(") ON CONFLICT (site, at_ns) DO UPDATE SET body = excluded.body");
                b.build().execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            /// The newest checkpoint at or before `at`.
            pub(crate) async fn checkpoint_before(
                &self,
                site: &Id,
                at: Time,
            ) -> Result<Option<Checkpoint>, StoreError> {
                let mut b = QueryBuilder::<$db>::new("SELECT at_ns, body FROM checkpoints WHERE site = ");
                b.push_bind(site.as_str()).push(" AND at_ns <= ").push_bind(ns(at));
                b.push(" ORDER BY at_ns DESC LIMIT 1");
                let row: Option<(i64, Vec<u8>)> =
                    b.build_query_as().fetch_optional(self.$read()).await?;
                row.map(|(at, body)| {
                    Ok(Checkpoint {
                        at: time(at)?,
                        state: decode_checkpoint(&body),
                    })
                })
                .transpose()
            }

            /// The frozen days in `[from, to)` with their totals.
            pub(crate) async fn frozen_days(
                &self,
                site: &Id,
                from: Date,
                to: Date,
            ) -> Result<Vec<(Date, Totals)>, StoreError> {
                let mut b = QueryBuilder::<$db>::new("SELECT day, totals FROM frozen_days WHERE site = ");
                b.push_bind(site.as_str()).push(" AND day >= ").push_bind(from.to_string());
                b.push(" AND day < ").push_bind(to.to_string()).push(" ORDER BY day");
                let rows: Vec<(String, String)> = b.build_query_as().fetch_all(self.$read()).await?;
                rows.iter()
                    .map(|(d, t)| Ok((date(d)?, parse("day totals", t)?)))
                    .collect()
            }

            /// The closed jobs with a first QC result, a first `ready`, a delivery or a
            /// comeback's check-in in `[from, to)`, in `detail`.
            pub(crate) async fn outcomes_in(
                &self,
                site: &Id,
                from: Time,
                to: Time,
                detail: OutcomeDetail,
            ) -> Result<Vec<Outcome>, StoreError> {
                // Every instant of a closed job is at or before its delivery (a scan after
                // it is `job_closed`), so a job with one in [from, to) was delivered at or
                // after `from`: one index range, the rest checked on its rows. The rows read
                // are the period's and those delivered since, never the years before it.
                // The bodies come back joined in one value: a year holds tens of thousands,
                // and a row at a time costs a hand-over between SQLite's thread and ours for
                // each. Compact JSON never holds a raw newline.
                let mut b = QueryBuilder::<$db>::new(format!("SELECT string_agg({}, ", detail.column()));
                b.push_bind("\n").push(") FROM job_outcomes WHERE site = ");
                b.push_bind(site.as_str()).push(" AND delivered_ns >= ").push_bind(ns(from)).push(" AND (");
                for (i, col) in ["first_qc_ns", "ready_ns", "delivered_ns", "comeback_ns"].iter().enumerate() {
                    if i > 0 {
                        b.push(" OR ");
                    }
                    b.push(format!("({col} >= ")).push_bind(ns(from));
                    b.push(format!(" AND {col} < ")).push_bind(ns(to)).push(")");
                }
                b.push(")");
                let joined: Option<String> = b.build_query_scalar().fetch_one(self.$read()).await?;
                let mut outcomes = outcomes(joined.unwrap_or_default(), detail).await?;
                // By job, in byte order on both databases.
                outcomes.sort_unstable_by(|a, b| a.job.cmp(&b.job));
                Ok(outcomes)
            }

            /// The calls that left the live state and were opened or answered in `[from, to)`,
            /// by when they were opened.
            pub(crate) async fn calls_in(
                &self,
                site: &Id,
                from: Time,
                to: Time,
            ) -> Result<Vec<Call>, StoreError> {
                let mut b = QueryBuilder::<$db>::new("SELECT body FROM calls WHERE site = ");
                b.push_bind(site.as_str()).push(" AND (");
                for (i, col) in ["opened_ns", "answered_ns"].iter().enumerate() {
                    if i > 0 {
                        b.push(" OR ");
                    }
                    b.push(format!("({col} >= ")).push_bind(ns(from));
                    b.push(format!(" AND {col} < ")).push_bind(ns(to)).push(")");
                }
                b.push(") ORDER BY opened_ns, bay");
                let rows: Vec<String> = b.build_query_scalar().fetch_all(self.$read()).await?;
                rows.iter().map(|r| parse("call", r)).collect()
            }

            /// Those of `jobs` that have closed, with when they were delivered.
            pub(crate) async fn closed_among(&self, site: &Id, jobs: &[Id]) -> Result<Vec<(Id, Time)>, StoreError> {
                let mut out = Vec::new();
                // Well under both backends' limits on bound values per statement.
                for chunk in jobs.chunks(500) {
                    let mut b = QueryBuilder::<$db>::new("SELECT job, delivered_ns FROM job_outcomes WHERE site = ");
                    b.push_bind(site.as_str());
                    b.push(" AND job IN (");
                    let mut names = b.separated(", ");
                    for job in chunk {
                        names.push_bind(job.as_str());
                    }
                    b.push(")");
                    let rows: Vec<(String, i64)> = b.build_query_as().fetch_all(self.$read()).await?;
                    for (job, at) in rows {
                        let job = Id::new(&job).map_err(|e| StoreError::Corrupt(format!("job id: {e}")))?;
                        out.push((job, time(at)?));
                    }
                }
                Ok(out)
            }

            /// A closed job's whole outcome, as frozen.
            pub(crate) async fn outcome_of(&self, site: &Id, job: &Id) -> Result<Option<Outcome>, StoreError> {
                let mut b = QueryBuilder::<$db>::new("SELECT body FROM job_outcomes WHERE site = ");
                b.push_bind(site.as_str()).push(" AND job = ").push_bind(job.as_str());
                let body: Option<String> = b.build_query_scalar().fetch_optional(self.$read()).await?;
                body.map(|b| parse("job outcome", &b)).transpose()
            }

            /// The closed jobs delivered at or after `since` with a plate: (plate key, when,
            /// job), for the comebacks of the jobs in memory.
            pub(crate) async fn deliveries_since(&self, site: &Id, since: Time) -> Result<Vec<(String, Time, Id)>, StoreError> {
                let mut b = QueryBuilder::<$db>::new("SELECT plate, delivered_ns, job FROM job_outcomes WHERE site = ");
                b.push_bind(site.as_str()).push(" AND delivered_ns >= ").push_bind(ns(since));
                b.push(" AND plate IS NOT NULL AND plate <> ''");
                let rows: Vec<(String, i64, String)> = b.build_query_as().fetch_all(self.$read()).await?;
                rows.into_iter()
                    .map(|(plate, at, job)| {
                        let job = Id::new(&job).map_err(|e| StoreError::Corrupt(format!("job id: {e}")))?;
                        Ok((plate, time(at)?, job))
                    })
                    .collect()
            }

            /// The job cards of the jobs that have not closed (whose outcome is not stored).
            pub(crate) async fn live_jobs(&self, site: &Id) -> Result<Vec<JobCard>, StoreError> {
                // Through the index on closed_ns: the open cards, never the years' closed ones.
                // Sorted here: asked to sort by job, SQLite walks the primary key instead, over
                // every job the site ever had (99 ms at three years, against 7 at a month).
                let mut b = QueryBuilder::<$db>::new("SELECT card FROM jobs WHERE site = ");
                b.push_bind(site.as_str());
                b.push(" AND closed_ns IS NULL");
                let cards: Vec<String> = b.build_query_scalar().fetch_all(self.$read()).await?;
                let mut cards: Vec<JobCard> = cards.iter().map(|c| job_card(c)).collect::<Result<_, _>>()?;
                cards.sort_by(|a, b| a.job.cmp(&b.job));
                Ok(cards)
            }

            /// The accepted events with `ts` in `[from, to)` (`to: None`: to the end), in no
            /// particular order.
            pub(crate) async fn events_in(
                &self,
                site: &Id,
                from: Time,
                to: Option<Time>,
            ) -> Result<Vec<Event>, StoreError> {
                let mut b = QueryBuilder::<$db>::new(EVENT_COLUMNS);
                b.push_bind(site.as_str()).push(" AND ts_ns >= ").push_bind(ns(from));
                if let Some(to) = to {
                    b.push(" AND ts_ns < ").push_bind(ns(to));
                }
                let rows: Vec<EventRow> = b.build_query_as().fetch_all(self.$read()).await?;
                super::events(rows)
            }

            /// When the site's earliest accepted event happened, if it has any.
            pub(crate) async fn first_event(&self, site: &Id) -> Result<Option<Time>, StoreError> {
                let mut b = QueryBuilder::<$db>::new(
                    "SELECT MIN(ts_ns) FROM scans WHERE status = 'accepted' AND site = ",
                );
                b.push_bind(site.as_str());
                let first: Option<i64> = b.build_query_scalar().fetch_one(self.$read()).await?;
                first.map(time).transpose()
            }

            /// The first scans received at or after `since`, with their replies.
            pub(crate) async fn seen_since(&self, site: &Id, since: Time) -> Result<Vec<SeenRow>, StoreError> {
                let mut b = QueryBuilder::<$db>::new(
                    "SELECT scanner, seq, canonical, reply FROM scans WHERE site = ",
                );
                b.push_bind(site.as_str()).push(" AND received_at >= ").push_bind(since.to_string());
                b.push(" AND first_of_seq = ").push_bind(true);
                let rows: Vec<SeenColumns> = b.build_query_as().fetch_all(self.$read()).await?;
                rows.into_iter().map(SeenColumns::into_row).collect()
            }

            /// Those of `keys` (scanner, seq) that have a first scan stored: an import's
            /// lines that can only be repeats or conflicts, which change no frozen day.
            pub(crate) async fn stored_among(&self, site: &Id, keys: &[(Id, u64)]) -> Result<HashSet<(Id, u64)>, StoreError> {
                let mut out = HashSet::new();
                // Two values a key: well under both backends' limits on bound values. The
                // keys lead the join so that each is one lookup in the first scans' index
                // (a list of ORs or an IN reads the site's every scan on SQLite).
                for chunk in keys.chunks(500) {
                    let mut b = QueryBuilder::<$db>::new("SELECT s.scanner, s.seq FROM (");
                    b.push_values(chunk, |mut row, (scanner, seq)| {
                        row.push_bind(scanner.as_str()).push_bind(*seq as i64);
                    });
                    b.push(") AS k CROSS JOIN scans s WHERE s.site = ").push_bind(site.as_str());
                    b.push(" AND s.scanner = k.column1 AND s.seq = k.column2 AND s.").push($first_of_seq);
                    let rows: Vec<(String, i64)> = b.build_query_as().fetch_all(self.$read()).await?;
                    for (scanner, seq) in rows {
                        let scanner = Id::new(&scanner).map_err(|e| StoreError::Corrupt(format!("scanner id: {e}")))?;
                        // u64 kept bit for bit in an i64, as the schema says
                        out.insert((scanner, seq as u64));
                    }
                }
                Ok(out)
            }

            /// Forgets what was frozen at or after `at` (a checkpoint's instant): the days
            /// from its date, the checkpoints after it, the jobs delivered since. The
            /// checkpoint at `at` becomes the site's freeze point again.
            pub(crate) async fn forget_frozen_from(
                &self,
                site: &Id,
                at: Time,
                day: Date,
            ) -> Result<(), StoreError> {
                let mut tx = self.$write().begin().await?;
                let mut b = QueryBuilder::<$db>::new("DELETE FROM frozen_days WHERE site = ");
                b.push_bind(site.as_str()).push(" AND day >= ").push_bind(day.to_string());
                b.build().execute(&mut *tx).await?;
                let mut b = QueryBuilder::<$db>::new("DELETE FROM checkpoints WHERE site = ");
                b.push_bind(site.as_str()).push(" AND at_ns > ").push_bind(ns(at));
                b.build().execute(&mut *tx).await?;
                let mut b = QueryBuilder::<$db>::new("DELETE FROM job_outcomes WHERE site = ");
                b.push_bind(site.as_str()).push(" AND delivered_ns >= ").push_bind(ns(at));
                b.build().execute(&mut *tx).await?;
                let mut b = QueryBuilder::<$db>::new("UPDATE jobs SET closed_ns = NULL WHERE site = ");
                b.push_bind(site.as_str()).push(" AND closed_ns >= ").push_bind(ns(at));
                b.build().execute(&mut *tx).await?;
                // A call cleared after `at` is in the checkpoint at `at` (or began later).
                let mut b = QueryBuilder::<$db>::new("DELETE FROM calls WHERE site = ");
                b.push_bind(site.as_str()).push(" AND cleared_ns > ").push_bind(ns(at));
                b.build().execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            /// Forgets a site's frozen days, outcomes and checkpoints, before a rebuild.
            pub(crate) async fn forget_frozen(&self, site: &Id) -> Result<(), StoreError> {
                let mut tx = self.$write().begin().await?;
                for table in ["frozen_days", "job_outcomes", "calls", "checkpoints"] {
                    let mut b = QueryBuilder::<$db>::new(format!("DELETE FROM {table} WHERE site = "));
                    b.push_bind(site.as_str());
                    b.build().execute(&mut *tx).await?;
                }
                let mut b = QueryBuilder::<$db>::new("UPDATE jobs SET closed_ns = NULL WHERE site = ");
                b.push_bind(site.as_str()).push(" AND closed_ns IS NOT NULL");
                b.build().execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

// How each dialect says a row is its (scanner, seq)'s first, as the partial index does.
history!(Sqlite, sqlx::Sqlite, writer, reader, "first_of_seq = 1");
history!(Postgres, sqlx::Postgres, pool, pool, "first_of_seq");
