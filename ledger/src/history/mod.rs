//! Years of history: each site's closed days are frozen into the store (day totals, closed
//! jobs' outcomes, a checkpoint), a start folds only from the newest checkpoint, and a
//! period's figures sum stored days with the live part. A site stored without checkpoints
//! (an older database, or after a change to its past) is rebuilt from its events a week at a
//! time, freezing as it goes, so memory stays bounded by open work.
//!
//! Here: freezing and thawing days; a period's figures are `period.rs`, a start and a
//! rebuild `start.rs`.

mod period;
mod start;

use std::collections::BTreeSet;

use bayline_domain::{Event, Time};
use bayline_proto::Id;
use bayline_store::{Store, StoreError};
use jiff::SignedDuration;

use start::load_with;
pub(crate) use start::{load, rebuild_from};

use crate::{lock, Ledger, SiteLive};

/// How long after a local day ends it is frozen: past the window in which a late scan is
/// still accepted (`bad_time` beyond 7 days, contract §3.1), with a day for handhelds' clocks.
pub const FREEZE_AFTER: SignedDuration = SignedDuration::from_hours(24 * 8);

/// How far back a start remembers first scans for repeats; older ones are answered from the
/// store ([`crate::seen::SeenScans`]).
const SEEN_WINDOW: SignedDuration = SignedDuration::from_hours(48);

/// Days folded per step of a rebuild.
const REBUILD_DAYS: i64 = 7;

impl Ledger {
    /// Tells `live` which of `jobs` closed before its freeze point, from the store, when it
    /// knows them neither as open nor as closed ([`Workshop::recall_closed`]): memory keeps
    /// only the closed jobs its live events name. A failed lookup is logged and the scans are
    /// judged on what memory knows (an old job then reads `unknown_job`, not `job_closed`).
    pub(crate) async fn recall_closed<'a>(
        &self,
        live: &SiteLive,
        jobs: impl IntoIterator<Item = &'a Id>,
    ) {
        let unknown = live.working(|w| w.unknown_jobs(jobs));
        if unknown.is_empty() {
            return;
        }
        match self.store.closed_among(&live.config.id, &unknown).await {
            Ok(closed) if closed.is_empty() => {}
            Ok(closed) => lock(&live.workshop).recall_closed(closed),
            Err(e) => {
                tracing::warn!(site = %live.config.id, error = %e, "looking up closed jobs failed")
            }
        }
    }
}

impl Ledger {
    /// Freezes, on every site, the days that ended more than [`FREEZE_AFTER`] ago: stored
    /// first, then taken out of the live state. A failed write leaves the live state as it
    /// was, to try again on the next tick.
    pub async fn freeze(&self, now: Time) -> Result<(), StoreError> {
        for live in self.sites.values() {
            if self.freeze_site(live, now - FREEZE_AFTER, now).await? {
                lock(&live.seen).age();
            }
        }
        Ok(())
    }

    /// Thaws a site's frozen days from the one holding `from` on: what was frozen since is
    /// forgotten and the site is loaded from the checkpoint before, so that scans of those
    /// days (an import) are judged in their place. The clock task freezes them again.
    pub(crate) async fn thaw_from(
        &self,
        live: &SiteLive,
        from: Time,
        now: Time,
    ) -> Result<(), StoreError> {
        let site = &live.config.id;
        match self.store.checkpoint_before(site, from).await? {
            Some(c) if c.state.is_some() => {
                let day = live.config.settings().schedule.date_of(c.at);
                self.store.forget_frozen_from(site, c.at, day).await?;
            }
            _ => self.store.forget_frozen(site).await?,
        }
        let (workshop, seen) = load_with(&self.store, &live.config, now, false).await?;
        tracing::info!(site = %site, from = %from, frozen_to = %workshop.frozen_to(), "frozen days thawed");
        *lock(&live.workshop) = workshop;
        *lock(&live.seen) = seen;
        Ok(())
    }

    /// Freezes one site's days that end by `limit`, stored first; whether it froze any.
    pub(crate) async fn freeze_site(
        &self,
        live: &SiteLive,
        limit: Time,
        now: Time,
    ) -> Result<bool, StoreError> {
        if !live.read(|w| w.freeze_due(limit)) {
            return Ok(false);
        }
        let _writer = self.write.lock().await;
        let mut next = lock(&live.workshop).clone();
        let Some(f) = next.freeze(limit, now) else {
            return Ok(false);
        };
        self.store.put_freeze(&live.config.id, &f).await?;
        tracing::info!(site = %live.config.id, days = f.days.len(), closed_jobs = f.outcomes.len(), at = %f.at, "days frozen");
        // The closed jobs leave what their receivers were told too (the store keeps it).
        lock(&live.hooked).retain(|job, _| next.catalog().jobs.contains_key(job));
        *lock(&live.workshop) = next;
        Ok(true)
    }
}

/// The corrections as an edit of the stored events: keys taken out, events put in.
#[derive(Default)]
struct CorrectionStream {
    out: BTreeSet<bayline_domain::EventKey>,
    put: Vec<Event>,
}

/// What `corrections` do to the stored events: the keys they take out, the events they put
/// in ([`bayline_domain::correction::as_stream`]).
pub(crate) async fn corrected(
    store: &Store,
    site: &Id,
    corrections: &[bayline_domain::Correction],
) -> Result<(BTreeSet<bayline_domain::EventKey>, Vec<Event>), StoreError> {
    let stored = targets(store, site, corrections).await?;
    Ok(bayline_domain::correction::as_stream(corrections, stored))
}

/// The stored events the corrections name.
async fn targets(
    store: &Store,
    site: &Id,
    corrections: &[bayline_domain::Correction],
) -> Result<Vec<Event>, StoreError> {
    use bayline_domain::Amendment;
    let mut out = Vec::new();
    for c in corrections {
        if let Amendment::Move { target, .. } | Amendment::Void { target } = &c.change {
            let at = target.ts;
            let next = at + SignedDuration::from_nanos(1);
            let found = store.events_in(site, at, Some(next)).await?;
            out.extend(found.into_iter().filter(|e| e.key == *target));
        }
    }
    Ok(out)
}
