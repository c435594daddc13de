//! A period's figures, comebacks and calls: the stored days of the period with the live
//! part, a day the period starts or ends inside refolded from its checkpoint.

use std::collections::BTreeSet;

use bayline_domain::kpi::{self, Figures, GroupBy, Period, Replay, Row, Stored};
use bayline_domain::{Call, Event, Time};
use bayline_proto::Id;
use bayline_store::{Checkpoint, OutcomeDetail, StoreError};
use jiff::civil::Date;

use super::{corrected, CorrectionStream};
use crate::{Ledger, SiteLive};

impl Ledger {
    /// The site's figures for `period` at `now` (contract §6): stored days and the live part.
    pub async fn figures(
        &self,
        live: &SiteLive,
        period: Period,
        now: Time,
    ) -> Result<Figures, StoreError> {
        let stored = self.stored(live, period, now, OutcomeDetail::Bare).await?;
        Ok(live.read(|w| kpi::figures_with(w, stored, period, now)))
    }

    /// The figures per badge, work bay or local day (see [`kpi::grouped`]).
    pub async fn grouped(
        &self,
        live: &SiteLive,
        period: Period,
        now: Time,
        by: GroupBy,
    ) -> Result<Vec<Row>, StoreError> {
        let stored = self.stored(live, period, now, detail(by)).await?;
        Ok(live.read(|w| kpi::grouped_with(w, stored, period, now, by)))
    }

    /// The site's figures and the rows by `by`, each measured once
    /// ([`kpi::figures_and_rows`]).
    pub async fn figures_and_rows(
        &self,
        live: &SiteLive,
        period: Period,
        now: Time,
        by: GroupBy,
    ) -> Result<(Figures, Vec<Row>), StoreError> {
        let stored = self.stored(live, period, now, detail(by)).await?;
        Ok(live.read(|w| kpi::figures_and_rows(w, stored, period, now, by)))
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
            stored.outcomes = (self.store)
                .outcomes_in(site, from, period.to, OutcomeDetail::Whole)
                .await?;
        }
        Ok(live.read(|w| kpi::comebacks(w, stored, period, now)))
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
    /// outcomes in `detail`.
    async fn stored(
        &self,
        live: &SiteLive,
        period: Period,
        now: Time,
        detail: OutcomeDetail,
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
            outcomes: self
                .store
                .outcomes_in(site, from, period.to, detail)
                .await?,
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
        let (out, put) = corrected(&self.store, site, &corrections).await?;
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

/// How much of each closed job the rows by `by` read: by day, what the site's figures read;
/// the others a job's crew or card.
fn detail(by: GroupBy) -> OutcomeDetail {
    match by {
        GroupBy::Day => OutcomeDetail::Bare,
        _ => OutcomeDetail::Whole,
    }
}
