//! What the webhook outbox needs beside its rows, on both backends (migration 0009, contract
//! §7.5): the `at_risk` state each job's receivers were last told, queued with its event in
//! one transaction, and the leases that make one process of a fleet the deliverer of each
//! receiver.

use bayline_domain::Time;
use bayline_proto::Id;
use sqlx::QueryBuilder;

use super::ns;
use super::outbox::Outgoing;
use super::postgres::Postgres;
use super::sqlite::Sqlite;
use crate::StoreError;

/// A job's `at_risk` as its receivers were last told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtRiskTold {
    pub at_risk: bool,
    /// How many `at_risk` events the job has had.
    pub changes: i64,
}

fn id(text: &str) -> Result<Id, StoreError> {
    Id::new(text).map_err(|e| StoreError::Corrupt(format!("id {text:?}: {e}")))
}

macro_rules! claims {
    ($backend:ty, $db:ty, $write:ident, $read:ident) => {
        impl $backend {
            pub(crate) async fn at_risk_told(
                &self,
                site: &Id,
                jobs: &[Id],
            ) -> Result<Vec<(Id, AtRiskTold)>, StoreError> {
                let mut out = Vec::new();
                // Well under both backends' limits on bound values per statement.
                for chunk in jobs.chunks(500) {
                    let mut b = QueryBuilder::<$db>::new(
                        "SELECT job, at_risk, changes FROM webhook_at_risk WHERE site = ",
                    );
                    b.push_bind(site.as_str()).push(" AND job IN (");
                    let mut names = b.separated(", ");
                    for job in chunk {
                        names.push_bind(job.as_str());
                    }
                    b.push(")");
                    let rows: Vec<(String, i64, i64)> = b.build_query_as().fetch_all(self.$read()).await?;
                    for (job, at_risk, changes) in rows {
                        out.push((id(&job)?, AtRiskTold { at_risk: at_risk != 0, changes }));
                    }
                }
                Ok(out)
            }

            /// Queues `events` and records `told` of `site`'s jobs, in one transaction.
            pub(crate) async fn tell_at_risk(
                &self,
                site: &Id,
                told: &[(Id, AtRiskTold)],
                events: &[Outgoing],
            ) -> Result<(), StoreError> {
                let mut tx = self.$write().begin().await?;
                Self::enqueue_in(&mut tx, events).await?;
                for (job, t) in told {
                    let mut b = QueryBuilder::<$db>::new(
                        "INSERT INTO webhook_at_risk (site, job, at_risk, changes) VALUES (",
                    );
                    b.push_bind(site.as_str()).push(", ").push_bind(job.as_str());
                    b.push(", ").push_bind(i64::from(t.at_risk)).push(", ").push_bind(t.changes);
                    // Never back: a process that saw fewer changes does not undo another's.
                    b.push(
                        ") ON CONFLICT (site, job) DO UPDATE SET at_risk = excluded.at_risk, \
                         changes = excluded.changes WHERE webhook_at_risk.changes < excluded.changes",
                    );
                    b.build().execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            /// Takes or renews `url`'s lease for `holder` until `until`, unless another
            /// holds it past `now`: whether `holder` holds it.
            pub(crate) async fn lease_receiver(
                &self,
                url: &str,
                holder: &str,
                now: Time,
                until: Time,
            ) -> Result<bool, StoreError> {
                let mut b = QueryBuilder::<$db>::new(
                    "INSERT INTO webhook_leases (url, holder, until_ns) VALUES (",
                );
                b.push_bind(url).push(", ").push_bind(holder).push(", ").push_bind(ns(until));
                b.push(
                    ") ON CONFLICT (url) DO UPDATE SET holder = excluded.holder, \
                     until_ns = excluded.until_ns WHERE webhook_leases.holder = excluded.holder \
                     OR webhook_leases.until_ns < ",
                );
                b.push_bind(ns(now));
                let done = b.build().execute(self.$write()).await?;
                Ok(done.rows_affected() == 1)
            }

            /// Gives `url`'s lease up, if `holder` has it, so another process need not wait
            /// for it to run out.
            pub(crate) async fn release_receiver(&self, url: &str, holder: &str) -> Result<(), StoreError> {
                let mut b = QueryBuilder::<$db>::new("DELETE FROM webhook_leases WHERE url = ");
                b.push_bind(url).push(" AND holder = ").push_bind(holder);
                b.build().execute(self.$write()).await?;
                Ok(())
            }
        }
    };
}

claims!(Sqlite, sqlx::Sqlite, writer, reader);
claims!(Postgres, sqlx::Postgres, pool, pool);
