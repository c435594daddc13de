//! Years of history: each site's closed days are frozen into the store (day totals, closed
//! jobs' outcomes, a checkpoint), a start folds only from the newest checkpoint, and a
//! period's figures sum stored days with the live part. A site stored without checkpoints
//! (an older database, or after a change to its past) is rebuilt from its events a week at a
//! time, freezing as it goes, so memory stays bounded by open work.

use std::collections::{BTreeMap, BTreeSet};

use bayline_domain::correction::as_stream;
use bayline_domain::kpi::{self, Figures, GroupBy, Period, Replay, Row, Stored};
use bayline_domain::{Call, Event, Time, Workshop};
use bayline_proto::Id;
use bayline_site::SiteConfig;
use bayline_store::{Checkpoint, Store, StoreError};
use jiff::civil::Date;
use jiff::SignedDuration;

use crate::seen::{Seen, SeenScans};
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
        let unknown = live.read(|w| w.unknown_jobs(jobs));
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
        *lock(&live.workshop) = next;
        Ok(true)
    }

    /// The site's figures for `period` at `now` (contract §6): stored days and the live part.
    pub async fn figures(
        &self,
        live: &SiteLive,
        period: Period,
        now: Time,
    ) -> Result<Figures, StoreError> {
        let stored = self.stored(live, period, now).await?;
        Ok(live.read(|w| kpi::figures_with(w, &stored, period, now)))
    }

    /// The figures per badge, work bay or local day (see [`kpi::grouped`]).
    pub async fn grouped(
        &self,
        live: &SiteLive,
        period: Period,
        now: Time,
        by: GroupBy,
    ) -> Result<Vec<Row>, StoreError> {
        let stored = self.stored(live, period, now).await?;
        Ok(live.read(|w| kpi::grouped_with(w, &stored, period, now, by)))
    }

    /// The comebacks checked in in `period` (contract §7.6), stored and live, by check-in.
    pub async fn comebacks(
        &self,
        live: &SiteLive,
        period: Period,
        now: Time,
    ) -> Result<Vec<kpi::Comeback>, StoreError> {
        // Only the closed jobs' outcomes: no day totals to replay.
        let mut stored = Stored::default();
        let frozen_to = live.read(|w| w.frozen_to());
        if let Some((from, _)) = period.window(now).filter(|(from, _)| *from < frozen_to) {
            let site = &live.config.id;
            stored.outcomes = self.store.outcomes_in(site, from, period.to).await?;
        }
        Ok(live.read(|w| kpi::comebacks(w, &stored, period, now)))
    }

    /// The andon calls opened in `period` (contract §7.7), by when they were opened: those
    /// cleared before the freeze point from the store, the rest from the live state.
    pub async fn calls(&self, live: &SiteLive, period: Period) -> Result<Vec<Call>, StoreError> {
        let opened = |c: &Call| period.from <= c.opened && c.opened < period.to;
        let frozen_to = live.read(|w| w.frozen_to());
        let mut all = if period.from < frozen_to {
            let stored = self
                .store
                .calls_in(&live.config.id, period.from, period.to)
                .await?;
            stored.into_iter().filter(|c| opened(c)).collect()
        } else {
            Vec::new()
        };
        live.read(|w| all.extend(w.state().calls.iter().filter(|c| opened(c)).cloned()));
        all.sort_by(|a, b| (a.opened, &a.bay).cmp(&(b.opened, &b.bay)));
        Ok(all)
    }

    /// The frozen part of `period`: whole frozen days from their stored totals, a day the
    /// period starts or ends inside refolded from its checkpoint, and the closed jobs'
    /// outcomes.
    async fn stored(
        &self,
        live: &SiteLive,
        period: Period,
        now: Time,
    ) -> Result<Stored, StoreError> {
        let frozen_to = live.read(|w| w.frozen_to());
        let Some((from, end)) = period.window(now) else {
            return Ok(Stored::default());
        };
        if from >= frozen_to {
            return Ok(Stored::default());
        }
        let site = &live.config.id;
        let schedule = live.config.settings().schedule;
        let end = end.min(frozen_to);
        let mut days = Vec::new();
        let mut day = schedule.date_of(from);
        let mut start = from;
        while start < end {
            let Some(next) = day.tomorrow().ok().and_then(|d| schedule.start_of(d)) else {
                break;
            };
            let part_end = next.min(end);
            let whole = schedule.start_of(day) == Some(start) && part_end == next;
            if !whole {
                let totals = self.replay(live, day, start, part_end, frozen_to).await?;
                days.push((day, totals));
            }
            (day, start) = match day.tomorrow() {
                Ok(d) => (d, next),
                Err(_) => break,
            };
        }
        let first_whole = match schedule.start_of(schedule.date_of(from)) {
            Some(s) if s == from => schedule.date_of(from),
            _ => schedule.date_of(from).tomorrow().unwrap_or(Date::MAX),
        };
        let last = schedule.date_of(end);
        if first_whole < last {
            days.extend(self.store.frozen_days(site, first_whole, last).await?);
        }
        days.sort_by_key(|(d, _)| *d);
        Ok(Stored {
            days,
            outcomes: self.store.outcomes_in(site, from, period.to).await?,
            calls: self.store.calls_in(site, from, period.to).await?,
        })
    }

    /// The totals of `[from, to)` inside the frozen day `day`, refolded from the checkpoint at
    /// or before it, a day at a time until every interval that reaches the window has ended.
    async fn replay(
        &self,
        live: &SiteLive,
        day: Date,
        from: Time,
        to: Time,
        frozen_to: Time,
    ) -> Result<bayline_domain::kpi::Totals, StoreError> {
        let site = &live.config.id;
        let settings = live.config.settings();
        let schedule = settings.schedule.clone();
        let day_start = schedule.start_of(day).unwrap_or(from);
        let (mut at, state) = match self.store.checkpoint_before(site, day_start).await? {
            Some(Checkpoint {
                at,
                state: Some(state),
            }) => (at, state),
            _ => (Time::MIN, bayline_domain::State::default()),
        };
        let stream = self.correction_stream(site).await?;
        let mut replay = Replay::new(live.config.catalog(), settings, state);
        let mut known: BTreeSet<Id> = BTreeSet::new();
        // The checkpoint's jobs and the events' need their cards: bay release and stages
        // depend on them.
        let mut named: Vec<Id> = replay.jobs().cloned().collect();
        let mut until = schedule
            .start_of(day.tomorrow().unwrap_or(day))
            .unwrap_or(frozen_to)
            .clamp(to, frozen_to.max(to));
        loop {
            let events = self.corrected_events(site, &stream, at, until).await?;
            named.extend(events.iter().filter_map(|e| e.kind.job().cloned()));
            for job in named.drain(..) {
                if known.insert(job.clone()) {
                    if let Some(card) = self.store.job(site, &job).await? {
                        replay.know(card);
                    }
                }
            }
            replay.feed(events);
            at = until;
            if at >= frozen_to || replay.settled_before(to, at) {
                return Ok(replay.totals(from, to, at));
            }
            until = schedule
                .start_of(schedule.date_of(at).tomorrow().unwrap_or(Date::MAX))
                .unwrap_or(frozen_to)
                .min(frozen_to);
        }
    }

    /// What the site's corrections remove from and put into the stored timeline, read once
    /// per replay rather than once per day it folds.
    async fn correction_stream(&self, site: &Id) -> Result<CorrectionStream, StoreError> {
        let corrections = self.store.corrections(site).await?;
        if corrections.is_empty() {
            return Ok(CorrectionStream::default());
        }
        let targets = targets(&self.store, site, &corrections).await?;
        let (out, put) = as_stream(&corrections, targets);
        Ok(CorrectionStream { out, put })
    }

    /// The corrected timeline's events with `ts` in `[from, to)`, as stored.
    async fn corrected_events(
        &self,
        site: &Id,
        stream: &CorrectionStream,
        from: Time,
        to: Time,
    ) -> Result<Vec<Event>, StoreError> {
        let mut events = self.store.events_in(site, from, Some(to)).await?;
        events.retain(|e| !stream.out.contains(&e.key));
        events.extend(
            (stream.put.iter())
                .filter(|e| from <= e.key.ts && e.key.ts < to)
                .cloned(),
        );
        Ok(events)
    }
}

/// The corrections as an edit of the stored events: keys taken out, events put in.
#[derive(Default)]
struct CorrectionStream {
    out: BTreeSet<bayline_domain::EventKey>,
    put: Vec<Event>,
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

/// A site's live state as stored: from its newest checkpoint (rebuilding the site first when
/// it has none and old enough events), the open jobs' cards, the events since, and the
/// first scans of the recent past.
pub(crate) async fn load(
    store: &Store,
    config: &SiteConfig,
    now: Time,
) -> Result<(Workshop, SeenScans), StoreError> {
    load_with(store, config, now, true).await
}

/// [`load`]; without `rebuild`, a site with no readable checkpoint is folded whole.
async fn load_with(
    store: &Store,
    config: &SiteConfig,
    now: Time,
    rebuild_if_old: bool,
) -> Result<(Workshop, SeenScans), StoreError> {
    let site = &config.id;
    let mut checkpoint = store.checkpoint_before(site, Time::MAX).await?;
    let readable = checkpoint.as_ref().is_some_and(|c| c.state.is_some());
    if !readable && rebuild_if_old {
        let first = store.first_event(site).await?;
        if first.is_some_and(|f| f < now - FREEZE_AFTER) {
            rebuild(store, config, now).await?;
            checkpoint = store.checkpoint_before(site, Time::MAX).await?;
        }
    }
    let mut workshop = Workshop::new(config.catalog(), config.settings());
    let (from, resumed) = match checkpoint {
        Some(Checkpoint {
            at,
            state: Some(state),
        }) => (at, Some(state)),
        _ => (Time::MIN, None),
    };
    let cards = match resumed {
        Some(_) => store.live_jobs(site).await?,
        None => store.jobs(site).await?,
    };
    for card in cards {
        workshop.upsert_job(card);
    }
    let corrections = store.corrections(site).await?;
    // Corrections that reach before the freeze point are in the checkpoint already; what they
    // did at or after it applies to the stored events as a stream. The rest are made again.
    let (past, recent): (Vec<_>, Vec<_>) =
        corrections.into_iter().partition(|c| c.earliest() < from);
    let mut events = store.events_in(site, from, None).await?;
    if !past.is_empty() {
        let (out, put) = as_stream(&past, targets(store, site, &past).await?);
        events.retain(|e| !out.contains(&e.key));
        events.extend(put.into_iter().filter(|e| e.key.ts >= from));
    }
    if let Some(state) = resumed {
        // Of the jobs closed before the freeze point, those the live events name: the start
        // reads what is open, however many jobs the years have closed.
        let named = workshop.unknown_jobs(events.iter().filter_map(|e| e.kind.job()));
        let closed: BTreeMap<Id, Time> = store
            .closed_among(site, &named)
            .await?
            .into_iter()
            .collect();
        workshop.resume(state, from, closed);
        let since = workshop.deliveries_wanted_since();
        workshop.recall_deliveries(store.deliveries_since(site, since).await?);
        let mut lingering = Vec::new();
        for job in workshop.lingering_wanted() {
            lingering.extend(store.job(site, &job).await?);
        }
        workshop.recall_lingering(lingering);
    }
    workshop.restore(events);
    for (id, e) in workshop.restore_corrections(recent) {
        tracing::warn!(site = %config.id, correction = id, error = %e, "a stored correction no longer applies");
    }
    let seen = store
        .seen_since(site, now - SEEN_WINDOW)
        .await?
        .into_iter()
        .map(|s| {
            let seen = Seen::new(s.canonical.as_deref(), &s.reply);
            ((s.scanner, s.seq), seen)
        })
        .collect();
    Ok((workshop, seen))
}

/// Folds a site's whole stored timeline again a week at a time, freezing and storing each
/// day that ended more than [`FREEZE_AFTER`] before `now`: for a database that has no
/// checkpoints yet, and after a change to the frozen past (an import, a correction).
pub(crate) async fn rebuild(
    store: &Store,
    config: &SiteConfig,
    now: Time,
) -> Result<(), StoreError> {
    let site = &config.id;
    store.forget_frozen(site).await?;
    let Some(first) = store.first_event(site).await? else {
        return Ok(());
    };
    let started = std::time::Instant::now();
    let settings = config.settings();
    let schedule = settings.schedule.clone();
    let mut workshop = Workshop::new(config.catalog(), settings);
    for card in store.jobs(site).await? {
        workshop.upsert_job(card);
    }
    let corrections = store.corrections(site).await?;
    let (out, put) = as_stream(&corrections, targets(store, site, &corrections).await?);
    let limit = now - FREEZE_AFTER;
    let mut start = schedule.start_of(schedule.date_of(first)).unwrap_or(first);
    let (mut days, mut events_folded) = (0usize, 0usize);
    while start < limit {
        let end = schedule
            .date_of(start)
            .checked_add(jiff::Span::new().days(REBUILD_DAYS))
            .ok()
            .and_then(|d| schedule.start_of(d))
            .unwrap_or(limit);
        let mut events = store.events_in(site, start, Some(end)).await?;
        events.retain(|e| !out.contains(&e.key));
        events.extend(
            put.iter()
                .filter(|e| start <= e.key.ts && e.key.ts < end)
                .cloned(),
        );
        events_folded += events.len();
        workshop.restore(events);
        if let Some(f) = workshop.freeze(end.min(limit), end) {
            days += f.days.len();
            store.put_freeze(site, &f).await?;
        }
        start = end;
    }
    tracing::info!(site = %site, days, events = events_folded, seconds = started.elapsed().as_secs_f64(), "site rebuilt from its events");
    Ok(())
}
