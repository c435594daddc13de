//! What a job did that the job figures count: instants, not intervals. A closed job's outcome
//! is final, so it is stored when the job leaves the live state; an open job's is read off the
//! state at query time.

use std::collections::{BTreeMap, BTreeSet};

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

use super::Period;
use crate::comeback::Lookup;
use crate::fold::{QcResult, State};
use crate::{Catalog, Id, JobCard, Time};

/// One job's outcome so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub job: Id,
    pub checked_in_at: Option<Time>,
    /// Its earliest applied event: where a change to its card starts to change the past.
    /// Kept in the whole outcome only, not in its line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_moved: Option<Time>,
    /// Its first-ever QC result (first-time-fix rate).
    pub first_qc: Option<(QcResult, Time)>,
    /// When that first result failed one op: the badges that had clocked on it, the only
    /// ones the fail counts against in a badge's row. `None`: against the whole crew.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_fail_crew: Option<BTreeSet<Id>>,
    pub ready_at: Option<Time>,
    pub delivered_at: Option<Time>,
    /// The card's promise (on-time rate).
    pub promised_at: Option<Time>,
    /// The badges and bays that ever had clocked time on it: a badge's or bay's job figures
    /// are over these jobs.
    pub badges: BTreeSet<Id>,
    pub bays: BTreeSet<Id>,
    /// The earlier job it comes back from (外返), when it is a comeback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comeback_of: Option<Id>,
    /// The card's plate, advisor and service, for the comeback list and the group rows.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub plate: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub advisor: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub service: String,
}

impl Outcome {
    /// It has a first QC result, a first `ready`, a delivery or, as a comeback, its check-in
    /// in the period.
    pub fn counts_in(&self, period: Period, now: Time) -> bool {
        let holds = |t: Option<Time>| t.is_some_and(|t| period.holds(t, now));
        holds(self.first_qc.map(|q| q.1))
            || holds(self.ready_at)
            || holds(self.delivered_at)
            || holds(self.comeback_at())
    }

    /// When it came back: its check-in, if it is a comeback.
    pub fn comeback_at(&self) -> Option<Time> {
        self.comeback_of.as_ref().and(self.checked_in_at)
    }

    /// A comeback checked in in the period.
    pub(super) fn came_back(&self, period: Period, now: Time) -> bool {
        self.comeback_at().is_some_and(|t| period.holds(t, now))
    }

    /// In the period: whether its first QC result was a pass, for the site or, with
    /// `workers`, for their work: a fail that named an op only others worked on does not
    /// count against them.
    pub(super) fn first_qc_pass(
        &self,
        period: Period,
        now: Time,
        workers: Option<&BTreeSet<&Id>>,
    ) -> Option<bool> {
        let (result, at) = self.first_qc?;
        let against = match (workers, &self.first_fail_crew) {
            (Some(ws), Some(crew)) => crew.iter().any(|b| ws.contains(b)),
            _ => true,
        };
        period
            .holds(at, now)
            .then_some(result == QcResult::Pass || !against)
    }

    /// In the period, when it became ready: (on time, or `None` without a promise; the
    /// cycle, or `None` when never checked in).
    pub(super) fn ready(
        &self,
        period: Period,
        now: Time,
    ) -> Option<(Option<bool>, Option<SignedDuration>)> {
        let r = self.ready_at.filter(|r| period.holds(*r, now))?;
        let on_time = self.promised_at.map(|p| r <= p);
        let cycle = (self.checked_in_at).map(|c| r.duration_since(c).max(SignedDuration::ZERO));
        Some((on_time, cycle))
    }

    pub(super) fn delivered(&self, period: Period, now: Time) -> bool {
        self.delivered_at.is_some_and(|d| period.holds(d, now))
    }
}

/// The outcomes of the jobs in `state` that `keep` selects, with their crews from the
/// clocked log, promises from the catalog and comebacks looked up in `lookup`.
pub(crate) fn outcomes(
    state: &State,
    catalog: &Catalog,
    lookup: &Lookup,
    keep: impl Fn(&Id) -> bool,
) -> Vec<Outcome> {
    let mut crews: BTreeMap<&Id, (BTreeSet<Id>, BTreeSet<Id>)> = BTreeMap::new();
    for c in &state.clocked {
        if keep(&c.job) {
            let crew = crews.entry(&c.job).or_default();
            crew.0.insert(c.badge.clone());
            crew.1.insert(c.bay.clone());
        }
    }
    let mut out: Vec<Outcome> = (state.jobs.iter())
        .filter(|(job, _)| keep(job))
        .map(|(job, jt)| {
            let (badges, bays) = crews.remove(job).unwrap_or_default();
            Outcome {
                first_fail_crew: jt.first_fail_crew.clone(),
                badges,
                bays,
                ..bare(state, catalog, lookup, job)
            }
        })
        .collect();
    out.sort_unstable_by(|a, b| a.job.cmp(&b.job));
    out
}

/// A live job's outcome without its crew (the site's figures need none).
pub(super) fn bare(state: &State, catalog: &Catalog, lookup: &Lookup, job: &Id) -> Outcome {
    let jt = &state.jobs[job];
    let card = catalog.jobs.get(job);
    let text = |f: fn(&JobCard) -> &String| card.map(f).cloned().unwrap_or_default();
    Outcome {
        job: job.clone(),
        checked_in_at: jt.checked_in_at,
        first_moved: jt.first_moved,
        first_qc: jt.qc.first().copied(),
        first_fail_crew: None,
        ready_at: jt.ready_at,
        delivered_at: jt.delivered_at,
        promised_at: card.and_then(|c| c.promised_at),
        badges: BTreeSet::new(),
        bays: BTreeSet::new(),
        comeback_of: card.and_then(|c| lookup.comeback_of(c, jt.checked_in_at)),
        plate: text(|c| &c.plate),
        advisor: text(|c| &c.advisor),
        service: text(|c| &c.service),
    }
}
