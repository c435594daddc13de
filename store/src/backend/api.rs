//! [`Backend`]: what a database must do for bayline. One trait, implemented for both
//! dialects by one macro (`shared.rs`) over what each does its own way (`sqlite.rs`,
//! `postgres.rs`); [`Store`](crate::Store) picks one from the URL.
//!
//! Methods return `impl Future + Send` rather than being `async fn` so that the futures can be
//! awaited inside spawned tasks whatever the implementation.

use std::future::Future;

use bayline_domain::correction::Correction;
use bayline_domain::{Event, JobCard, Time};
use bayline_proto::Id;

use super::versions::Edit;
use crate::store::{Committed, RejectedRow, SeenRow};
use crate::{ScanRecord, StoreError};

/// A stored scan as another process reads it back after a notice: the first scan of its
/// identity (if it is one) and its event (if accepted).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredScan {
    pub seen: Option<SeenRow>,
    pub event: Option<Event>,
}

/// The durable store's operations, the same on every database.
pub trait Backend: Send + Sync {
    /// Writes a batch of scan records in one transaction, all or none, and returns once it
    /// is durable. A first scan whose (site, scanner, seq) another writer stored first is
    /// not written but reported, with that first scan, in [`Committed::taken`]. Other
    /// processes following the database hear of the batch ([`crate::Notice::Scans`]).
    fn commit(
        &self,
        batch: &[ScanRecord],
    ) -> impl Future<Output = Result<Committed, StoreError>> + Send;

    /// Creates or replaces a job card; returns whether it was new. With an `edit`, a
    /// version of the card is kept in the same transaction (contract §7.6).
    fn put_job(
        &self,
        site: &Id,
        card: &JobCard,
        now: Time,
        edit: Option<&Edit>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// A site's job cards, by job id (byte order).
    fn jobs(&self, site: &Id) -> impl Future<Output = Result<Vec<JobCard>, StoreError>> + Send;

    /// One job card of a site, if it has that job.
    fn job(
        &self,
        site: &Id,
        job: &Id,
    ) -> impl Future<Output = Result<Option<JobCard>, StoreError>> + Send;

    /// Every accepted scan of a site as an event, in no particular order.
    fn events(&self, site: &Id) -> impl Future<Output = Result<Vec<Event>, StoreError>> + Send;

    /// The first scan of every (scanner, seq) of a site, with the reply it got.
    fn seen(&self, site: &Id) -> impl Future<Output = Result<Vec<SeenRow>, StoreError>> + Send;

    /// The scans of a site whose row ids are in `ids` (inclusive), in id order: what a
    /// notice from another process names.
    fn scans_between(
        &self,
        site: &Id,
        ids: (i64, i64),
    ) -> impl Future<Output = Result<Vec<StoredScan>, StoreError>> + Send;

    /// Rejected scans, newest first.
    fn rejected(
        &self,
        site: &Id,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<RejectedRow>, StoreError>> + Send;

    /// How many scans of a site are stored with this (scanner, seq): for tests and audits.
    fn count_scans(
        &self,
        site: &Id,
        scanner: &str,
        seq: u64,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;

    /// Stores a manager's correction (contract §4); fails if its id is taken.
    fn put_correction(
        &self,
        site: &Id,
        c: &Correction,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A site's corrections in the order they were made.
    fn corrections(
        &self,
        site: &Id,
    ) -> impl Future<Output = Result<Vec<Correction>, StoreError>> + Send;

    /// Liveness of the database for `/healthz`.
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn close(&self) -> impl Future<Output = ()> + Send;
}
