//! The webhook outbox on both backends (migration 0007, contract §7.5): events written with
//! the change they tell of, read back in order per receiver, marked when a 2xx answered.

use bayline_domain::Time;
use bayline_proto::Id;
use sqlx::QueryBuilder;

use super::postgres::Postgres;
use super::sqlite::Sqlite;
use super::{ns, time};
use crate::StoreError;

/// An event for one receiver, to be written to the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub site: Id,
    pub url: String,
    /// The same on every attempt and every receiver: what a receiver deduplicates by.
    pub event_id: String,
    pub job: Option<Id>,
    /// The JSON body as it is signed and sent.
    pub body: String,
    pub at: Time,
}

/// An event waiting in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    pub id: i64,
    pub url: String,
    pub event_id: String,
    pub body: String,
    pub created_at: Time,
    pub attempts: i64,
}

macro_rules! outbox {
    ($backend:ty, $db:ty, $write:ident, $read:ident) => {
        impl $backend {
            /// Writes `events` in one transaction; an event already queued for its receiver
            /// (same event id) is not written twice.
            pub(crate) async fn enqueue(&self, events: &[Outgoing]) -> Result<(), StoreError> {
                if events.is_empty() {
                    return Ok(());
                }
                let mut tx = self.$write().begin().await?;
                Self::enqueue_in(&mut tx, events).await?;
                tx.commit().await?;
                Ok(())
            }

            /// [`Self::enqueue`] inside a transaction that writes more.
            pub(crate) async fn enqueue_in(
                tx: &mut sqlx::Transaction<'_, $db>,
                events: &[Outgoing],
            ) -> Result<(), StoreError> {
                for e in events {
                    let mut b = QueryBuilder::<$db>::new(
                        "INSERT INTO webhook_outbox (site, url, event_id, job, body, created_at_ns) VALUES (",
                    );
                    b.push_bind(e.site.as_str()).push(", ").push_bind(e.url.as_str());
                    b.push(", ").push_bind(e.event_id.as_str()).push(", ").push_bind(e.job.as_ref().map(Id::as_str));
                    b.push(", ").push_bind(e.body.as_str()).push(", ").push_bind(ns(e.at));
                    b.push(") ON CONFLICT (url, event_id) DO NOTHING");
                    b.build().execute(&mut **tx).await?;
                }
                Ok(())
            }

            /// The oldest `limit` undelivered events for `url`, in the order they were queued.
            pub(crate) async fn queued(&self, url: &str, limit: u32) -> Result<Vec<Queued>, StoreError> {
                let mut b = QueryBuilder::<$db>::new(
                    "SELECT id, url, event_id, body, created_at_ns, attempts FROM webhook_outbox \
                     WHERE delivered_at_ns IS NULL AND url = ",
                );
                b.push_bind(url).push(" ORDER BY id LIMIT ").push_bind(i64::from(limit));
                let rows: Vec<(i64, String, String, String, i64, i64)> =
                    b.build_query_as().fetch_all(self.$read()).await?;
                (rows.into_iter())
                    .map(|(id, url, event_id, body, at, attempts)| {
                        Ok(Queued { id, url, event_id, body, created_at: time(at)?, attempts })
                    })
                    .collect()
            }

            pub(crate) async fn delivered(&self, id: i64, at: Time) -> Result<(), StoreError> {
                let mut b = QueryBuilder::<$db>::new(
                    "UPDATE webhook_outbox SET attempts = attempts + 1, last_error = NULL, delivered_at_ns = ",
                );
                b.push_bind(ns(at)).push(" WHERE id = ").push_bind(id);
                b.build().execute(self.$write()).await?;
                Ok(())
            }

            pub(crate) async fn failed(&self, id: i64, error: &str) -> Result<(), StoreError> {
                let mut b = QueryBuilder::<$db>::new(
                    "UPDATE webhook_outbox SET attempts = attempts + 1, last_error = ",
                );
                b.push_bind(error).push(" WHERE id = ").push_bind(id);
                b.build().execute(self.$write()).await?;
                Ok(())
            }

            /// How many events wait for delivery, all receivers together.
            pub(crate) async fn outbox_depth(&self) -> Result<i64, StoreError> {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM webhook_outbox WHERE delivered_at_ns IS NULL",
                )
                .fetch_one(self.$read())
                .await?;
                Ok(n)
            }
        }
    };
}

outbox!(Sqlite, sqlx::Sqlite, writer, reader);
outbox!(Postgres, sqlx::Postgres, pool, pool);
