//! What the API, the boards and the lounge show of a workshop at `now` (contract §4
//! "Progress and ETA", §5, §7.2). The ETA is learned from the badges' history and counted in
//! working time (see `eta`).

use std::collections::BTreeSet;

use bayline_proto::Language;
use jiff::SignedDuration;

use super::eta::{self, Efficiency};
use super::Workshop;
use crate::fold::{JobTrack, OpTrack, State};
use crate::view::{mask_plate, BayCall, BayState, BayView, JobView, LoungeRow, OpStatus, OpView};
use crate::{Id, JobCard, OpCard, Stage, Time};

/// The share of standard time that unfinished work can show at most.
const UNFINISHED_CAP: f64 = 0.95;

fn hours(d: SignedDuration) -> f64 {
    d.as_secs_f64() / 3600.0
}

fn op_view(card: &OpCard, track: Option<&OpTrack>, now: Time) -> OpView {
    let status = match track {
        Some(t) if t.finished => OpStatus::Finished,
        Some(t) if !t.on.is_empty() => OpStatus::Active,
        Some(t) if t.started => OpStatus::Paused,
        _ => OpStatus::Open,
    };
    OpView {
        op: card.op.clone(),
        title: card.title.clone(),
        status,
        std_hours: card.std_hours,
        clocked_hours: track.map_or(0.0, |t| hours(t.clocked_at(now))),
        badges: track
            .map(|t| t.on.keys().cloned().collect())
            .unwrap_or_default(),
        assignment: card.assignment.clone(),
    }
}

impl Workshop {
    /// What the badges' history says of their speed at `now` (the ETA's divisor).
    fn efficiency(&self, state: &State, now: Time) -> Efficiency {
        let keep = self.settings.eta_sample_ops;
        Efficiency::learn(state, &self.catalog, keep, now, None)
    }

    /// A job card with what the timeline says of it at `now`; `None` for an unknown job.
    pub fn job(&self, job: &str, now: Time) -> Option<JobView> {
        let card = self.catalog.jobs.get(job)?;
        let state = self.state_at(now);
        let empty = JobTrack::default();
        let track = state.job(job).unwrap_or(&empty);
        let learned = self.efficiency(&state, now);
        Some(self.job_view(card, track, &learned, now))
    }

    /// The jobs still to be worked on (not ready, not delivered), sorted by job id: what
    /// dispatch plans, without the cost of a view of every car handed over this week.
    pub fn jobs_to_do(&self, now: Time) -> Vec<JobView> {
        self.jobs_to_do_of(now, |_| true)
    }

    /// [`Workshop::jobs_to_do`] of the cards `keep` selects: one badge's queue is built from
    /// the cards with an op given to it, not from a view of every open job.
    pub(crate) fn jobs_to_do_of(&self, now: Time, keep: impl Fn(&JobCard) -> bool) -> Vec<JobView> {
        let state = self.state_at(now);
        let empty = JobTrack::default();
        let todo: Vec<(&JobCard, &JobTrack)> = (self.catalog.jobs.values())
            .filter(|card| keep(card))
            .map(|card| (card, state.job(&card.job).unwrap_or(&empty)))
            .filter(|(card, track)| {
                !matches!(
                    crate::stage::stage_of(track, Some(card)),
                    Stage::Ready | Stage::Delivered
                )
            })
            .collect();
        if todo.is_empty() {
            // Nothing to learn for: a badge with nothing given (every first-scan reply of a
            // site that does not dispatch asks this).
            return Vec::new();
        }
        let crews: BTreeSet<Id> = (todo.iter())
            .flat_map(|(_, t)| eta::crew(t).into_iter().cloned())
            .collect();
        let keep = self.settings.eta_sample_ops;
        let learned = Efficiency::learn(&state, &self.catalog, keep, now, Some(&crews));
        (todo.into_iter())
            .map(|(card, track)| self.job_view(card, track, &learned, now))
            .collect()
    }

    /// Every job card, sorted by job id.
    pub fn jobs(&self, now: Time) -> Vec<JobView> {
        let state = self.state_at(now);
        let empty = JobTrack::default();
        let learned = self.efficiency(&state, now);
        self.catalog
            .jobs
            .values()
            .map(|card| {
                let track = state.job(&card.job).unwrap_or(&empty);
                self.job_view(card, track, &learned, now)
            })
            .collect()
    }

    fn job_view(
        &self,
        card: &JobCard,
        track: &JobTrack,
        learned: &Efficiency,
        now: Time,
    ) -> JobView {
        let stage = crate::stage::stage_of(track, Some(card));
        let ops: Vec<OpView> = card
            .ops
            .iter()
            .map(|o| op_view(o, track.ops.get(&o.op), now))
            .collect();
        let total: f64 = ops.iter().map(|o| o.std_hours).sum();
        let done: f64 = ops
            .iter()
            .map(|o| match o.status {
                OpStatus::Finished => o.std_hours,
                _ => o.clocked_hours.min(UNFINISHED_CAP * o.std_hours),
            })
            .sum();
        let progress = if total > 0.0 {
            (done / total).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let done = matches!(stage, Stage::Ready | Stage::Delivered);
        let (eta, eta_pending) = match done {
            true => (track.ready_at.or(track.delivered_at), None),
            false => match eta::eta(&self.settings, card, track, stage, &ops, learned, now) {
                Ok(eta) => (eta, None),
                Err(wait) => (None, Some(wait)),
            },
        };
        let late = card.promised_at.is_some_and(|p| eta.unwrap_or(now) > p);
        let at_risk = !done
            && (card.promised_at)
                .is_some_and(|p| now >= p.saturating_sub(self.settings.at_risk).unwrap_or(p));
        JobView {
            job: card.job.clone(),
            plate: card.plate.clone(),
            vehicle: card.vehicle.clone(),
            customer: card.customer.clone(),
            advisor: card.advisor.clone(),
            service: card.service.clone(),
            wash: card.wash,
            stage,
            progress,
            eta,
            eta_pending,
            promised_at: card.promised_at,
            waiting_until: card.waiting_until,
            late,
            at_risk,
            ops,
            bay: track.bay.clone(),
            checked_in_at: track.checked_in_at,
            ready_at: track.ready_at,
            delivered_at: track.delivered_at,
        }
    }

    /// Each job's `(job, late, at_risk)` at `now` (contract §7.2), of the jobs in `only` when
    /// given: what the events stream tells the changes of. Learns the badges' pace once.
    pub fn promises(&self, now: Time, only: Option<&BTreeSet<Id>>) -> Vec<(Id, bool, bool)> {
        let state = self.state_at(now);
        let empty = JobTrack::default();
        let learned = match only {
            None => self.efficiency(&state, now),
            Some(jobs) => {
                let crews: BTreeSet<Id> = (jobs.iter())
                    .filter_map(|j| state.job(j))
                    .flat_map(|t| eta::crew(t).into_iter().cloned())
                    .collect();
                let keep = self.settings.eta_sample_ops;
                Efficiency::learn(&state, &self.catalog, keep, now, Some(&crews))
            }
        };
        let cards: Box<dyn Iterator<Item = &JobCard>> = match only {
            Some(jobs) => Box::new(jobs.iter().filter_map(|j| self.catalog.jobs.get(j))),
            None => Box::new(self.catalog.jobs.values()),
        };
        cards
            .map(|card| {
                let track = state.job(&card.job).unwrap_or(&empty);
                let v = self.job_view(card, track, &learned, now);
                (v.job, v.late, v.at_risk)
            })
            .collect()
    }

    /// Every bay of the catalog at `now`.
    pub fn bays(&self, now: Time) -> Vec<BayView> {
        let state = self.state_at(now);
        self.catalog
            .bays
            .iter()
            .map(|(bay, kind)| self.bay_view(&state, bay, *kind, now))
            .collect()
    }

    fn bay_view(&self, s: &State, bay: &Id, kind: crate::BayKind, now: Time) -> BayView {
        let track = s.bay(bay);
        let mut view = BayView {
            bay: bay.clone(),
            kind,
            state: BayState::Idle,
            reason: None,
            job: None,
            op: None,
            badges: Vec::new(),
            since: track.and_then(|t| t.idle_since),
            clocked_s: 0,
            std_s: 0,
            call: s.open_call(bay).map(|c| BayCall {
                badge: c.badge.clone(),
                reason: c.reason,
                opened: c.opened,
                answered: c.answered.as_ref().map(|a| a.0),
            }),
        };
        let Some(track) = track else { return view };
        if let Some(holder) = &track.holder {
            let segment = track.segment.and_then(|i| s.segments.get(i));
            let on: Vec<_> = s.on_at(&holder.job, bay).collect();
            view.badges = on.iter().map(|(b, _)| (*b).clone()).collect();
            view.op = match on.iter().max_by_key(|(_, o)| o.since) {
                Some((_, o)) => Some(o.op.clone()),
                None => s
                    .job(&holder.job)
                    .and_then(|j| Some(j.last_clock_off.as_ref()?.op.clone())),
            };
            view.state = if on.is_empty() {
                BayState::Blocked
            } else {
                BayState::Working
            };
            view.reason = segment.and_then(|g| g.reason.clone());
            view.since = Some(segment.map_or(holder.since, |g| g.from));
            view.job = Some(holder.job.clone());
        } else if let Some(w) = &track.washing {
            view.state = BayState::Working;
            view.job = Some(w.job.clone());
            view.since = Some(w.since);
        }
        if let (Some(job), Some(op)) = (&view.job, &view.op) {
            let clocked = s
                .op(job, op)
                .map_or(SignedDuration::ZERO, |t| t.clocked_at(now));
            view.clocked_s = clocked.as_secs();
            let std = self
                .catalog
                .jobs
                .get(job)
                .and_then(|c| c.op(op))
                .map_or(0.0, |o| o.std_hours);
            view.std_s = (std * 3600.0).round() as i64;
        }
        view
    }

    /// The lounge board: jobs in the workshop (checked in or with any applied event) and not
    /// delivered and not standing still for longer than [`crate::Settings::lounge_stale`], by
    /// promised time (none last) then job. No customer names, masked plates.
    pub fn lounge(&self, now: Time, lang: Language) -> Vec<LoungeRow> {
        let state = self.state_at(now);
        let learned = self.efficiency(&state, now);
        let mut rows: Vec<(Option<Time>, &Id, LoungeRow)> = self
            .catalog
            .jobs
            .values()
            .filter_map(|card| {
                let track = state.job(&card.job)?;
                if track.delivered_at.is_some() {
                    return None;
                }
                let stale = now - self.settings.lounge_stale;
                if track.last_moved.is_some_and(|t| t < stale) {
                    return None;
                }
                let v = self.job_view(card, track, &learned, now);
                let row = LoungeRow {
                    plate: mask_plate(&card.plate),
                    vehicle: card.vehicle.clone(),
                    stage: v.stage,
                    stage_label: v.stage.label(lang).to_string(),
                    progress: v.progress,
                    eta: v.eta,
                    eta_pending: v.eta_pending,
                    late: v.late,
                    at_risk: v.at_risk,
                };
                Some((card.promised_at, &card.job, row))
            })
            .collect();
        rows.sort_by(|a, b| (a.0.is_none(), a.0, a.1).cmp(&(b.0.is_none(), b.0, b.1)));
        rows.into_iter().map(|(_, _, row)| row).collect()
    }
}
