//! Freezing the past: a closed local day whose late-scan window has passed leaves the live
//! timeline. Its totals and the outcomes of the jobs that closed are handed to the caller to
//! store, with the state at the freeze point (a checkpoint a later start folds from), and the
//! live state keeps only open work and the days after it.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;

use super::Workshop;
use crate::comeback::{plate_key, Lookup};
use crate::fold::{Call, State};
use crate::kpi::{Outcome, Totals};
use crate::{Event, Id, JobCard, Time};

/// What [`Workshop::freeze`] took out of the live state, for the caller to store in one
/// transaction.
#[derive(Debug, Clone)]
pub struct Freeze {
    /// Each newly frozen local day with its totals.
    pub days: Vec<(Date, Totals)>,
    /// The jobs delivered before `at`: they left the live state.
    pub outcomes: Vec<Outcome>,
    /// The andon calls cleared by `at`: they left the live state too.
    pub calls: Vec<Call>,
    /// The state after every event before `at`, pruned: where a later start folds from.
    pub checkpoint: State,
    /// The new freeze point, the start of a local day.
    pub at: Time,
}

impl Workshop {
    /// Everything before this instant is frozen (`Time::MIN` when nothing is): the live
    /// timeline holds only events at or after it.
    pub fn frozen_to(&self) -> Time {
        self.frozen_to
    }

    /// Starts the live state from a checkpoint taken at `at` ([`Freeze::checkpoint`]), with
    /// the jobs closed before it that the events at or after it name, and when they were
    /// delivered. Call before [`Workshop::restore`] of those events.
    pub fn resume(&mut self, checkpoint: State, at: Time, closed: BTreeMap<Id, Time>) {
        for job in closed.keys() {
            self.catalog.jobs.remove(job);
        }
        self.catalog.closed = closed;
        self.base = checkpoint;
        self.frozen_to = at;
        self.events.clear();
        self.refold();
    }

    /// Whether `job` closed before the freeze point (its card and state are no longer live),
    /// as far as this state knows: it keeps only the closed jobs its own events name, and is
    /// told of others by [`Workshop::recall_closed`] (the store has them all).
    pub fn is_closed(&self, job: &str) -> bool {
        self.catalog.closed.contains_key(job)
    }

    /// Those of `jobs` that this state knows neither as open nor as closed.
    pub fn unknown_jobs<'a>(&self, jobs: impl IntoIterator<Item = &'a Id>) -> Vec<Id> {
        let cat = &self.catalog;
        let mut out: Vec<Id> = (jobs.into_iter())
            .filter(|j| !cat.jobs.contains_key(*j) && !cat.closed.contains_key(*j))
            .cloned()
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Tells the state of jobs that closed before its freeze point, with when they were
    /// delivered, so that a scan naming one is `job_closed` and a card for one stays out.
    pub fn recall_closed(&mut self, closed: impl IntoIterator<Item = (Id, Time)>) {
        for (job, at) in closed {
            self.catalog.jobs.remove(&job);
            self.catalog.closed.insert(job, at);
        }
    }

    /// The comebacks of the jobs in memory, looked up among their deliveries and the closed
    /// jobs' the catalog keeps.
    pub(crate) fn comebacks(&self) -> Lookup<'_> {
        Lookup::new(&self.state, &self.catalog, self.settings.comeback_within)
    }

    /// From when on the store's deliveries of closed jobs may make a job a comeback: a
    /// comeback window before the freeze point, or before an earlier check-in of a job in
    /// memory. What [`Workshop::recall_deliveries`] wants after a start.
    pub fn deliveries_wanted_since(&self) -> Time {
        let checked_in = self.base.jobs.values().filter_map(|j| j.checked_in_at);
        let earliest = checked_in.fold(self.frozen_to, Time::min);
        earliest
            .checked_sub(self.settings.comeback_within)
            .unwrap_or(Time::MIN)
    }

    /// Tells the state of deliveries of closed jobs (plate, when, job), read from the store:
    /// those a job may still come back from are kept.
    pub fn recall_deliveries(&mut self, deliveries: impl IntoIterator<Item = (String, Time, Id)>) {
        for (plate, at, job) in deliveries {
            self.catalog.deliveries.insert(&plate, at, job);
        }
        self.forget_deliveries();
    }

    /// Keeps of the closed jobs' deliveries those a job may still come back from: within a
    /// comeback window of the freeze point (a job checked in later), or before the check-in
    /// of a job in memory with the same plate. Memory follows open work, not history.
    fn forget_deliveries(&mut self) {
        let within = self.settings.comeback_within;
        let recent = self.frozen_to.checked_sub(within).unwrap_or(Time::MIN);
        let mut waiting: BTreeMap<String, Vec<Time>> = BTreeMap::new();
        for (job, jt) in &self.base.jobs {
            if let (Some(at), Some(card)) = (jt.checked_in_at, self.catalog.jobs.get(job)) {
                waiting.entry(plate_key(&card.plate)).or_default().push(at);
            }
        }
        self.catalog.deliveries.retain(|plate, at| {
            at >= recent
                || (waiting.get(plate)).is_some_and(|ins| {
                    ins.iter()
                        .any(|i| at < *i && i.checked_sub(within).is_ok_and(|w| w <= at))
                })
        });
    }

    /// Closed jobs a badge is still clocked on whose cards this state lacks: a start reads
    /// them from the store for [`Workshop::recall_lingering`].
    pub fn lingering_wanted(&self) -> Vec<Id> {
        let mut out: Vec<Id> = (self.base.clocked.iter())
            .map(|c| &c.job)
            .filter(|j| self.catalog.card(j).is_none())
            .cloned()
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Tells the state the cards of closed jobs a badge is still clocked on.
    pub fn recall_lingering(&mut self, cards: impl IntoIterator<Item = JobCard>) {
        for card in cards {
            self.catalog.lingering.insert(card.job.clone(), card);
        }
    }

    /// Whether [`Workshop::freeze`] with `limit` may find a day to freeze.
    pub fn freeze_due(&self, limit: Time) -> bool {
        let schedule = &self.settings.schedule;
        schedule
            .start_of(schedule.date_of(limit))
            .is_some_and(|at| at > self.frozen_to)
    }

    /// Freezes the local days that end by `limit`, measured at `now`: their totals, the jobs
    /// delivered before the new freeze point, and the checkpoint. `None` when no whole day
    /// is left to freeze. The freeze point never passes a forgotten clock-off still pending
    /// at `now`: it could end an interval at a closing time before it.
    pub fn freeze(&mut self, limit: Time, now: Time) -> Option<Freeze> {
        let schedule = self.settings.schedule.clone();
        let mut at = schedule.start_of(schedule.date_of(limit.min(now)))?;
        if at <= self.frozen_to {
            // The common case, each time the clock ticks: nothing new to freeze.
            return None;
        }
        // Borrowed when the state is settled at `now` (the clock task keeps it so).
        let live = self.state_at(now);
        let pending = live.deadlines.iter().filter_map(|(_, badge)| {
            let on = live.badges.get(badge)?.on.as_ref()?;
            on.closing.map(|(closing, _)| closing)
        });
        if let Some(closing) = pending.min() {
            at = at.min(schedule.start_of(schedule.date_of(closing))?);
        }
        if at <= self.frozen_to {
            return None;
        }
        let first = if self.frozen_to == Time::MIN {
            self.events.keys().next().map_or(at, |k| k.ts)
        } else {
            self.frozen_to
        };
        let mut days = Vec::new();
        let mut day = schedule.date_of(first);
        while let Some(start) = schedule.start_of(day) {
            if start >= at {
                break;
            }
            let Some(end) = day.tomorrow().ok().and_then(|d| schedule.start_of(d)) else {
                break;
            };
            let open = schedule.open_spans(start, end);
            let totals = Totals::measure(&live, &self.catalog, (start, end), &open, |f| {
                start <= f && f < end
            });
            days.push((day, totals));
            match day.tomorrow() {
                Ok(d) => day = d,
                Err(_) => break,
            }
        }
        drop(live);
        let later = self.split_events(at);
        let mut checkpoint = std::mem::take(&mut self.base);
        for e in self.events.values() {
            checkpoint.apply(&self.catalog, &self.settings, e);
        }
        checkpoint.settle(at);
        let lookup = Lookup::new(&checkpoint, &self.catalog, self.settings.comeback_within);
        let (outcomes, calls) = checkpoint.prune(at, &self.catalog, &lookup);
        let clocked: BTreeSet<&Id> = checkpoint.clocked.iter().map(|c| &c.job).collect();
        for o in &outcomes {
            if let Some(card) = self.catalog.jobs.remove(&o.job) {
                if clocked.contains(&o.job) {
                    self.catalog.lingering.insert(o.job.clone(), card);
                }
            }
            let delivered = o.delivered_at.unwrap_or(at);
            (self.catalog.closed).insert(o.job.clone(), delivered);
            (self.catalog.deliveries).insert(&o.plate, delivered, o.job.clone());
        }
        self.base = checkpoint.clone();
        self.events = later;
        // Memory holds the closed jobs the live events name, not every job ever delivered.
        let named: BTreeSet<&Id> = self.events.values().filter_map(|e| e.kind.job()).collect();
        (self.catalog.closed).retain(|job, _| named.contains(job));
        self.frozen_to = at;
        self.forget_deliveries();
        let clocked: BTreeSet<&Id> = self.base.clocked.iter().map(|c| &c.job).collect();
        (self.catalog.lingering).retain(|job, _| clocked.contains(job));
        self.retired.retain(|k| k.ts >= at);
        self.corrections.retain(|c| {
            let live = |e: &Option<Event>| e.as_ref().is_some_and(|e| e.key.ts >= at);
            live(&c.before) || live(&c.after)
        });
        self.refold();
        Some(Freeze {
            days,
            outcomes,
            calls,
            checkpoint,
            at,
        })
    }

    /// Keeps the events before `at` in the timeline and returns the rest.
    fn split_events(&mut self, at: Time) -> BTreeMap<crate::EventKey, Event> {
        let first_live = self.events.keys().find(|k| k.ts >= at).cloned();
        match first_live {
            Some(k) => self.events.split_off(&k),
            None => BTreeMap::new(),
        }
    }
}

/// The format of [`encode_checkpoint`]: a stored checkpoint of another format is not read,
/// and the site is rebuilt from its events instead. 2: the state keeps andon calls. 3: a job
/// keeps the crew of the op its first QC failed, and day totals split blocked bay time five
/// ways (a rebuild stores every frozen day again in the new form). 4: day totals split labour
/// by advisor and service, and closed jobs' outcomes keep their plate and comeback. 5: a
/// pause keeps the site's own reason beside its category, and day totals count a site
/// reason's blocked time under its id. 6: closed jobs' outcomes are stored with a compact
/// line of numbers too (store migration 0011), which a rebuild writes for the older ones. 7: a job keeps its earliest event, and so does a
/// closed job's outcome, so that a change to its card thaws only the days from there on.
const CHECKPOINT_FORMAT: u8 = 7;

/// A checkpoint as stored: its format, then the state in postcard.
pub fn encode_checkpoint(state: &State) -> Vec<u8> {
    let mut bytes = vec![CHECKPOINT_FORMAT];
    // A state of ids, times and numbers always serialises; an empty body would fail to
    // decode and force a rebuild, never a wrong state.
    bytes.extend(postcard::to_allocvec(state).unwrap_or_default());
    bytes
}

/// A stored checkpoint, `None` when it is of another format or damaged.
pub fn decode_checkpoint(bytes: &[u8]) -> Option<State> {
    match bytes.split_first() {
        Some((&CHECKPOINT_FORMAT, body)) => postcard::from_bytes(body).ok(),
        _ => None,
    }
}
