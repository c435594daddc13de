//! The two database backends behind [`Store`](crate::Store), and what they share: the
//! columns a scan is written as, the multi-row insert, the rows read back.
//!
//! The SQL is written once for both dialects, a macro per concern (`shared.rs`: scans, job
//! cards, corrections; `versions.rs`, `history.rs`, `customer.rs`, `outbox.rs`), the query
//! builder writing each dialect's placeholders. `sqlite.rs` and `postgres.rs` hold what
//! really differs: opening, how a write transaction runs, notices, retries. Both return the
//! very same values.

mod api;
pub(crate) mod claims;
pub(crate) mod customer;
pub(crate) mod history;
pub(crate) mod outbox;
pub(crate) mod outcomes;
pub(crate) mod postgres;
mod shared;
pub(crate) mod sqlite;
pub(crate) mod versions;

use std::collections::{BTreeMap, HashMap};

use bayline_domain::Time;
use bayline_proto::Id;
use sqlx::{Database, Encode, QueryBuilder, Type};

pub use api::{Backend, StoredScan};

use crate::record::{event_columns, EventRow};
use crate::store::{RejectedRow, SeenRow};
use crate::{Decision, ScanRecord, StoreError};

/// Rows per INSERT statement: 20 parameters each keeps a statement under both SQLite's
/// (32 766) and PostgreSQL's (65 535) limit on bind parameters.
pub(crate) const ROWS_PER_INSERT: usize = 1000;

/// The scans table's columns, in insert order.
const SCAN_COLUMNS: &str =
    "INSERT INTO scans (site, scanner, seq, first_of_seq, received_at, status, \
     code, detail, ts, ts_ns, badge, action, job, op, bay, reason, canonical, size, raw, reply) ";

/// One scan record as the values of its row.
pub(crate) struct ScanColumns {
    site: String,
    scanner: String,
    seq: Option<i64>,
    first_of_seq: bool,
    received_at: String,
    status: &'static str,
    code: Option<String>,
    detail: Option<String>,
    ts: Option<String>,
    ts_ns: Option<i64>,
    badge: Option<String>,
    action: Option<&'static str>,
    job: Option<String>,
    op: Option<String>,
    bay: Option<String>,
    reason: Option<String>,
    canonical: Option<String>,
    size: i64,
    raw: Vec<u8>,
    reply: String,
}

impl ScanColumns {
    pub fn of(r: &ScanRecord) -> Result<ScanColumns, StoreError> {
        let event = r.event();
        let (action, job, op, bay, reason) = match event {
            Some(e) => {
                let (a, j, o, b, r) = event_columns(&e.kind);
                (Some(a), j, o, b, r)
            }
            None => (None, None, None, None, None),
        };
        let owned = |s: Option<&str>| s.map(str::to_string);
        Ok(ScanColumns {
            site: r.site.to_string(),
            scanner: r.scanner.to_string(),
            // u64 kept bit for bit in an i64, as the schema says
            seq: r.seq.map(|s| s as i64),
            first_of_seq: r.first_of_seq,
            received_at: r.received_at.to_string(),
            status: r.decision.status(),
            code: r.decision.code().map(str::to_string),
            detail: match &r.decision {
                Decision::Rejected { detail, .. } => Some(text(detail)),
                Decision::Accepted { .. } => None,
            },
            ts: event.map(|e| e.key.ts.to_string()),
            ts_ns: event.map(|e| e.key.ts.as_nanosecond() as i64),
            badge: event.map(|e| e.badge.to_string()),
            action,
            job: owned(job),
            op: owned(op),
            bay: owned(bay),
            reason: reason.as_deref().map(text),
            canonical: r.canonical.clone(),
            size: r.size as i64,
            raw: r.raw.clone(),
            reply: serde_json::to_string(&r.reply)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        })
    }

    fn identity(&self) -> Option<(&str, &str, i64)> {
        match (self.first_of_seq, self.seq) {
            (true, Some(seq)) => Some((&self.site, &self.scanner, seq)),
            _ => None,
        }
    }
}

/// A time as the integer nanoseconds the tables of frozen days, versions, links and the
/// outbox sort by. Saturating: `Time::MIN` and `Time::MAX` lie beyond an i64 of nanoseconds
/// (years ±292).
pub(crate) fn ns(t: Time) -> i64 {
    let n = t.as_nanosecond();
    i64::try_from(n).unwrap_or(if n < 0 { i64::MIN } else { i64::MAX })
}

/// Integer nanoseconds back to a time.
pub(crate) fn time(ns: i64) -> Result<Time, StoreError> {
    Time::from_nanosecond(i128::from(ns)).map_err(|e| StoreError::Corrupt(format!("time: {e}")))
}

/// Free text from a handheld as a database may hold it: PostgreSQL's text cannot hold NUL,
/// so both backends store U+FFFD for it and read back the same.
fn text(s: &str) -> String {
    s.replace('\0', "\u{FFFD}")
}

/// `INSERT INTO scans … VALUES (…), (…) {on_conflict}` for `rows`, with `RETURNING …` if
/// `returning`: the returned rows are the [`Inserted`] ones.
pub(crate) fn insert_scans<'a, DB>(
    rows: &[ScanColumns],
    on_conflict: &str,
    returning: bool,
) -> QueryBuilder<'a, DB>
where
    DB: Database,
    String: Encode<'a, DB> + Type<DB>,
    Option<String>: Encode<'a, DB> + Type<DB>,
    &'static str: Encode<'a, DB> + Type<DB>,
    Option<&'static str>: Encode<'a, DB> + Type<DB>,
    i64: Encode<'a, DB> + Type<DB>,
    Option<i64>: Encode<'a, DB> + Type<DB>,
    bool: Encode<'a, DB> + Type<DB>,
    Vec<u8>: Encode<'a, DB> + Type<DB>,
{
    let mut b = QueryBuilder::new(SCAN_COLUMNS);
    b.push_values(rows, |mut b, r| {
        b.push_bind(r.site.clone())
            .push_bind(r.scanner.clone())
            .push_bind(r.seq)
            .push_bind(r.first_of_seq)
            .push_bind(r.received_at.clone())
            .push_bind(r.status)
            .push_bind(r.code.clone())
            .push_bind(r.detail.clone())
            .push_bind(r.ts.clone())
            .push_bind(r.ts_ns)
            .push_bind(r.badge.clone())
            .push_bind(r.action)
            .push_bind(r.job.clone())
            .push_bind(r.op.clone())
            .push_bind(r.bay.clone())
            .push_bind(r.reason.clone())
            .push_bind(r.canonical.clone())
            .push_bind(r.size)
            .push_bind(r.raw.clone())
            .push_bind(r.reply.clone());
    });
    b.push(" ");
    b.push(on_conflict);
    if returning {
        b.push(" RETURNING id, site, scanner, seq, first_of_seq");
    }
    b
}

/// A row an insert wrote (from its RETURNING clause).
#[derive(sqlx::FromRow)]
pub(crate) struct Inserted {
    pub id: i64,
    pub site: String,
    scanner: String,
    seq: Option<i64>,
    first_of_seq: bool,
}

/// Positions in `rows` of first-of-seq rows that were not written because their identity
/// (site, scanner, seq) was already taken, by another writer or earlier in the same rows.
pub(crate) fn not_written(rows: &[ScanColumns], inserted: &[Inserted]) -> Vec<usize> {
    let wanted = rows.iter().filter(|r| r.identity().is_some()).count();
    let mut written: HashMap<(&str, &str, i64), usize> = HashMap::new();
    for i in inserted.iter().filter(|i| i.first_of_seq) {
        if let Some(seq) = i.seq {
            *written.entry((&i.site, &i.scanner, seq)).or_default() += 1;
        }
    }
    if written.values().sum::<usize>() == wanted {
        return Vec::new();
    }
    let mut taken = Vec::new();
    for (at, identity) in rows.iter().enumerate() {
        let Some(identity) = identity.identity() else {
            continue;
        };
        match written.get_mut(&identity) {
            Some(n) if *n > 0 => *n -= 1,
            _ => taken.push(at),
        }
    }
    taken
}

/// The stored identity of a first-of-seq row, to look its first scan up.
pub(crate) fn identity_of(r: &ScanRecord) -> (String, String, i64) {
    (
        r.site.to_string(),
        r.scanner.to_string(),
        r.seq.map_or(0, |s| s as i64),
    )
}

/// `SELECT scanner, seq, canonical, reply`: a first scan and the reply it got.
#[derive(sqlx::FromRow)]
pub(crate) struct SeenColumns {
    scanner: String,
    seq: i64,
    canonical: Option<String>,
    reply: String,
}

impl SeenColumns {
    pub fn into_row(self) -> Result<SeenRow, StoreError> {
        Ok(SeenRow {
            scanner: Id::new(&self.scanner).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            seq: self.seq as u64,
            canonical: self.canonical,
            reply: serde_json::from_str(&self.reply)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        })
    }
}

/// `SELECT id, scanner, seq, received_at, code, detail, size, raw` of a rejected scan.
#[derive(sqlx::FromRow)]
pub(crate) struct RejectedColumns {
    id: i64,
    scanner: String,
    seq: Option<i64>,
    received_at: String,
    code: Option<String>,
    detail: Option<String>,
    size: i64,
    raw: Vec<u8>,
}

impl RejectedColumns {
    pub fn into_row(self) -> RejectedRow {
        RejectedRow {
            id: self.id,
            scanner: self.scanner,
            seq: self.seq.map(|s| s as u64),
            received_at: self.received_at,
            code: self.code.unwrap_or_default(),
            detail: self.detail,
            size: self.size,
            raw: String::from_utf8_lossy(&self.raw).into_owned(),
        }
    }
}

/// A stored job card, back to its type.
pub(crate) fn job_card(text: &str) -> Result<bayline_domain::JobCard, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("job card: {e}")))
}

/// Accepted scans' columns, back to events.
pub(crate) fn events(rows: Vec<EventRow>) -> Result<Vec<bayline_domain::Event>, StoreError> {
    rows.into_iter().map(EventRow::into_event).collect()
}

/// The columns [`StoredColumns`] reads.
pub(crate) const STORED_COLUMNS: &str =
    "scanner, seq, first_of_seq, canonical, reply, status, ts, badge, action, job, op, bay, reason";

/// A scan row as [`Backend::scans_between`] reads it back.
#[derive(sqlx::FromRow)]
pub(crate) struct StoredColumns {
    scanner: String,
    seq: Option<i64>,
    first_of_seq: bool,
    canonical: Option<String>,
    reply: String,
    status: String,
    ts: Option<String>,
    badge: Option<String>,
    action: Option<String>,
    job: Option<String>,
    op: Option<String>,
    bay: Option<String>,
    reason: Option<String>,
}

impl StoredColumns {
    pub fn into_scan(self) -> Result<StoredScan, StoreError> {
        let seen = match (self.first_of_seq, self.seq) {
            (true, Some(seq)) => Some(
                SeenColumns {
                    scanner: self.scanner.clone(),
                    seq,
                    canonical: self.canonical,
                    reply: self.reply,
                }
                .into_row()?,
            ),
            _ => None,
        };
        let event = match (
            self.status.as_str(),
            self.seq,
            self.ts,
            self.badge,
            self.action,
        ) {
            ("accepted", Some(seq), Some(ts), Some(badge), Some(action)) => Some(
                EventRow {
                    scanner: self.scanner,
                    seq,
                    ts,
                    badge,
                    action,
                    job: self.job,
                    op: self.op,
                    bay: self.bay,
                    reason: self.reason,
                }
                .into_event()?,
            ),
            ("accepted", ..) => {
                return Err(StoreError::Corrupt(format!(
                    "accepted scan of {} without its event",
                    self.scanner
                )))
            }
            _ => None,
        };
        Ok(StoredScan { seen, event })
    }
}

/// Adds to `ranges`, per site, the lowest and highest row id that `inserted` got: what the
/// notice to other processes names.
pub(crate) fn add_id_ranges(ranges: &mut BTreeMap<String, (i64, i64)>, inserted: &[Inserted]) {
    for i in inserted {
        let r = ranges.entry(i.site.clone()).or_insert((i.id, i.id));
        r.0 = r.0.min(i.id);
        r.1 = r.1.max(i.id);
    }
}
