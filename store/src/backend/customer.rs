//! The customer in the loop on both backends (migration 0006, contract §7.5): status links,
//! found by the SHA-256 of their token, and approval requests with their per-op answers.
//! The SQL is the same on both dialects, so one macro writes both implementations, as in
//! `versions.rs`.

use bayline_domain::Time;
use bayline_proto::Id;
use sqlx::QueryBuilder;

use super::postgres::Postgres;
use super::sqlite::Sqlite;
use super::{ns, time};
use crate::StoreError;

/// A customer status link as stored (its token is not: only its hash).
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub site: Id,
    pub job: Id,
    pub created_at: Time,
    pub created_by: String,
    /// `None`: until 24 h after the car is delivered.
    pub expires_at: Option<Time>,
    pub revoked_at: Option<Time>,
}

/// One op a request asks the customer to approve.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovalItem {
    pub op: Id,
    pub title: String,
    pub std_hours: f64,
    pub price: f64,
    pub photo: Option<String>,
    pub answer: Option<ItemAnswer>,
}

/// How and when an item was answered.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemAnswer {
    pub approved: bool,
    pub at: Time,
    /// `customer` on the link, else the advisor's name who took the answer by phone.
    pub by: String,
}

/// An approval request with its items, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    pub id: i64,
    pub job: Id,
    pub message: String,
    pub opened_at: Time,
    pub opened_by: String,
    pub items: Vec<ApprovalItem>,
}

impl Approval {
    /// Every item has its answer.
    pub fn answered(&self) -> bool {
        self.items.iter().all(|i| i.answer.is_some())
    }
}

fn id(text: &str) -> Result<Id, StoreError> {
    Id::new(text).map_err(|e| StoreError::Corrupt(format!("id {text:?}: {e}")))
}

type LinkRow = (String, String, i64, String, Option<i64>, Option<i64>);
type ItemRow = (
    i64,
    String,
    String,
    f64,
    f64,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
);

fn link((site, job, created, by, expires, revoked): LinkRow) -> Result<Link, StoreError> {
    Ok(Link {
        site: id(&site)?,
        job: id(&job)?,
        created_at: time(created)?,
        created_by: by,
        expires_at: expires.map(time).transpose()?,
        revoked_at: revoked.map(time).transpose()?,
    })
}

fn item(row: ItemRow) -> Result<(i64, ApprovalItem), StoreError> {
    let (approval, op, title, std_hours, price, photo, answer, at, by) = row;
    let answer = match (answer.as_deref(), at) {
        (Some(a), Some(at)) => Some(ItemAnswer {
            approved: a == "approved",
            at: time(at)?,
            by: by.unwrap_or_default(),
        }),
        _ => None,
    };
    let item = ApprovalItem {
        op: id(&op)?,
        title,
        std_hours,
        price,
        photo,
        answer,
    };
    Ok((approval, item))
}

macro_rules! customer {
    ($backend:ty, $db:ty, $write:ident, $read:ident) => {
        impl $backend {
            pub(crate) async fn put_link(
                &self,
                site: &Id,
                job: &Id,
                token_sha256: &str,
                by: &str,
                now: Time,
                expires_at: Option<Time>,
            ) -> Result<(), StoreError> {
                let mut b = QueryBuilder::<$db>::new(
                    "INSERT INTO customer_links (site, job, token_sha256, created_at_ns, created_by, expires_at_ns) VALUES (",
                );
                b.push_bind(site.as_str()).push(", ").push_bind(job.as_str());
                b.push(", ").push_bind(token_sha256).push(", ").push_bind(ns(now));
                b.push(", ").push_bind(by).push(", ").push_bind(expires_at.map(ns)).push(")");
                b.build().execute(self.$write()).await?;
                Ok(())
            }

            pub(crate) async fn link(&self, token_sha256: &str) -> Result<Option<Link>, StoreError> {
                let mut b = QueryBuilder::<$db>::new(
                    "SELECT site, job, created_at_ns, created_by, expires_at_ns, revoked_at_ns \
                     FROM customer_links WHERE token_sha256 = ",
                );
                b.push_bind(token_sha256);
                let row: Option<LinkRow> = b.build_query_as().fetch_optional(self.$read()).await?;
                row.map(link).transpose()
            }

            pub(crate) async fn revoke_links(&self, site: &Id, job: &Id, now: Time) -> Result<u64, StoreError> {
                let mut b = QueryBuilder::<$db>::new("UPDATE customer_links SET revoked_at_ns = ");
                b.push_bind(ns(now)).push(" WHERE revoked_at_ns IS NULL AND site = ");
                b.push_bind(site.as_str()).push(" AND job = ").push_bind(job.as_str());
                Ok(b.build().execute(self.$write()).await?.rows_affected())
            }

            pub(crate) async fn open_approval(
                &self,
                site: &Id,
                job: &Id,
                message: &str,
                items: &[ApprovalItem],
                by: &str,
                now: Time,
            ) -> Result<i64, StoreError> {
                let mut tx = self.$write().begin().await?;
                let mut b = QueryBuilder::<$db>::new(
                    "INSERT INTO approvals (site, job, message, opened_at_ns, opened_by) VALUES (",
                );
                b.push_bind(site.as_str()).push(", ").push_bind(job.as_str());
                b.push(", ").push_bind(message).push(", ").push_bind(ns(now));
                b.push(", ").push_bind(by).push(") RETURNING id");
                let (approval,): (i64,) = b.build_query_as().fetch_one(&mut *tx).await?;
                for (position, i) in (0_i64..).zip(items) {
                    let mut b = QueryBuilder::<$db>::new(
                        "INSERT INTO approval_items (approval, position, op, title, std_hours, price, photo) VALUES (",
                    );
                    b.push_bind(approval).push(", ").push_bind(position).push(", ").push_bind(i.op.as_str());
                    b.push(", ").push_bind(i.title.as_str()).push(", ").push_bind(i.std_hours);
                    b.push(", ").push_bind(i.price).push(", ").push_bind(i.photo.as_deref()).push(")");
                    b.build().execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(approval)
            }

            /// A job's requests, oldest first, each with its items in the order given.
            pub(crate) async fn approvals(&self, site: &Id, job: &Id) -> Result<Vec<Approval>, StoreError> {
                let mut b = QueryBuilder::<$db>::new(
                    "SELECT id, job, message, opened_at_ns, opened_by FROM approvals WHERE site = ",
                );
                b.push_bind(site.as_str()).push(" AND job = ").push_bind(job.as_str()).push(" ORDER BY id");
                let heads: Vec<(i64, String, String, i64, String)> =
                    b.build_query_as().fetch_all(self.$read()).await?;
                let mut b = QueryBuilder::<$db>::new(
                    "SELECT i.approval, i.op, i.title, i.std_hours, i.price, i.photo, i.answer, \
                     i.answered_at_ns, i.answered_by FROM approval_items i \
                     JOIN approvals a ON a.id = i.approval WHERE a.site = ",
                );
                b.push_bind(site.as_str()).push(" AND a.job = ").push_bind(job.as_str());
                b.push(" ORDER BY i.approval, i.position");
                let rows: Vec<ItemRow> = b.build_query_as().fetch_all(self.$read()).await?;
                let mut items = rows.into_iter().map(item).collect::<Result<Vec<_>, _>>()?.into_iter().peekable();
                let mut list = Vec::with_capacity(heads.len());
                for (approval, job, message, opened, opened_by) in heads {
                    let mut mine = Vec::new();
                    while let Some((_, i)) = items.next_if(|(a, _)| *a == approval) {
                        mine.push(i);
                    }
                    list.push(Approval {
                        id: approval,
                        job: id(&job)?,
                        message,
                        opened_at: time(opened)?,
                        opened_by,
                        items: mine,
                    });
                }
                Ok(list)
            }

            /// Records the answer to one item unless it has one: whether this one counted.
            pub(crate) async fn answer_item(
                &self,
                site: &Id,
                approval: i64,
                op: &Id,
                answer: &ItemAnswer,
            ) -> Result<bool, StoreError> {
                let mut b = QueryBuilder::<$db>::new("UPDATE approval_items SET answer = ");
                b.push_bind(if answer.approved { "approved" } else { "declined" });
                b.push(", answered_at_ns = ").push_bind(ns(answer.at));
                b.push(", answered_by = ").push_bind(answer.by.as_str());
                b.push(" WHERE answer IS NULL AND approval = ").push_bind(approval);
                b.push(" AND op = ").push_bind(op.as_str());
                b.push(" AND approval IN (SELECT id FROM approvals WHERE site = ").push_bind(site.as_str()).push(")");
                Ok(b.build().execute(self.$write()).await?.rows_affected() == 1)
            }

            /// Those of `jobs` with a request answered in full after the job's last accepted
            /// scan: what no scan's reply has told the technician yet.
            pub(crate) async fn approved_unscanned(&self, site: &Id, jobs: &[Id]) -> Result<Vec<Id>, StoreError> {
                if jobs.is_empty() {
                    return Ok(Vec::new());
                }
                let mut b = QueryBuilder::<$db>::new(
                    "SELECT a.job, MAX(i.answered_at_ns) FROM approvals a \
                     JOIN approval_items i ON i.approval = a.id WHERE a.site = ",
                );
                b.push_bind(site.as_str()).push(" AND a.job IN (");
                let mut list = b.separated(", ");
                for job in jobs {
                    list.push_bind(job.as_str());
                }
                b.push(") GROUP BY a.id, a.job HAVING COUNT(i.answer) = COUNT(*)");
                let answered: Vec<(String, Option<i64>)> = b.build_query_as().fetch_all(self.$read()).await?;
                let mut last: std::collections::BTreeMap<String, i64> = Default::default();
                for (job, at) in answered {
                    let at = at.unwrap_or(i64::MIN);
                    let e = last.entry(job).or_insert(at);
                    *e = (*e).max(at);
                }
                let mut out = Vec::new();
                for (job, answered_at) in last {
                    let mut b = QueryBuilder::<$db>::new("SELECT received_at FROM scans WHERE site = ");
                    b.push_bind(site.as_str()).push(" AND job = ").push_bind(job.as_str());
                    b.push(" AND status = 'accepted' ORDER BY id DESC LIMIT 1");
                    let scanned: Option<(String,)> = b.build_query_as().fetch_optional(self.$read()).await?;
                    let scanned = match scanned {
                        Some((at,)) => Some(ns(at.parse::<Time>().map_err(|e| {
                            StoreError::Corrupt(format!("received_at {at:?}: {e}"))
                        })?)),
                        None => None,
                    };
                    if scanned.is_none_or(|s| s < answered_at) {
                        out.push(id(&job)?);
                    }
                }
                Ok(out)
            }
        }
    };
}

customer!(Sqlite, sqlx::Sqlite, writer, reader);
customer!(Postgres, sqlx::Postgres, pool, pool);
