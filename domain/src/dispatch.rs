//! Dispatch (contract §7.3): the foreman gives an op to a technician or a team, at a bay, on
//! a day, in an order; the queues, bay tags and loading follow.
//!
//! Readings where the contract is silent:
//! - An assignment belongs to its op on the job card, and a card update from the DMS that
//!   keeps the op keeps its assignment ([`JobCard::keep_assignments`]).
//! - Queues sort by day (none last), then order (none last), then job and op, so a foreman
//!   who gives neither still gets a stable list.
//! - A badge's queue for a day holds its ops assigned to that day and its undated ones, and
//!   overdue ones (assigned to an earlier day and not finished) on today's.
//! - Only unfinished ops of jobs not yet ready are queued.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::catalog::{JobCard, Role};
use crate::view::{JobView, OpStatus, OpView};
use crate::{Id, Stage, Workshop};

/// Who an op is given to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Assignee {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    Badge(Id),
    Team(String),
}

/// An op's place in the workshop's plan: `{"badge"|"team", "bay"?, "day"?, "order"?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Written")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assignment {
    #[serde(flatten)]
    pub to: Assignee,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub bay: Option<Id>,
    /// The local day it is planned for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub day: Option<Date>,
    /// Its place among the same day's ops, lowest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<u32>,
}

/// An assignment as written, before it is known to name one of badge and team.
#[derive(Deserialize)]
struct Written {
    badge: Option<Id>,
    team: Option<String>,
    #[serde(default)]
    bay: Option<Id>,
    #[serde(default)]
    day: Option<Date>,
    #[serde(default)]
    order: Option<u32>,
}

impl TryFrom<Written> for Assignment {
    type Error = &'static str;

    fn try_from(w: Written) -> Result<Assignment, Self::Error> {
        let to = match (w.badge, w.team) {
            (Some(b), None) => Assignee::Badge(b),
            (None, Some(t)) if !t.trim().is_empty() => Assignee::Team(t),
            (None, Some(_)) => return Err("team is empty"),
            (Some(_), Some(_)) => return Err("an op is given to a badge or a team, not both"),
            (None, None) => return Err("badge or team is missing"),
        };
        Ok(Assignment {
            to,
            bay: w.bay,
            day: w.day,
            order: w.order,
        })
    }
}

impl Assignment {
    /// The queue's sort key (see the module docs).
    fn rank(&self) -> (bool, Option<Date>, bool, Option<u32>) {
        (
            self.day.is_none(),
            self.day,
            self.order.is_none(),
            self.order,
        )
    }
}

/// Why an assignment cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssignError {
    #[error("no job {0}")]
    UnknownJob(Id),
    #[error("job {job} has no op {op}")]
    UnknownOp { job: Id, op: Id },
    #[error("no badge {0} on this site")]
    UnknownBadge(Id),
    #[error("badge {0} is not a technician")]
    NotATechnician(Id),
    #[error("no team {0:?} on this site")]
    UnknownTeam(String),
    #[error("no bay {0} on this site")]
    UnknownBay(Id),
    #[error("job {0} is already delivered")]
    Delivered(Id),
}

impl JobCard {
    /// Carries the assignments of `before` over to the ops this card still has: a card
    /// update from the DMS does not know the foreman's plan.
    pub fn keep_assignments(&mut self, before: &JobCard) {
        for op in &mut self.ops {
            if op.assignment.is_none() {
                op.assignment = before.op(&op.op).and_then(|o| o.assignment.clone());
            }
        }
    }
}

/// One queued op, with the job it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Queued {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub job: Id,
    pub plate: String,
    pub vehicle: String,
    pub stage: Stage,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub promised_at: Option<crate::Time>,
    #[serde(flatten)]
    pub op: OpView,
}

impl Queued {
    fn of(job: &JobView, op: &OpView) -> Queued {
        Queued {
            job: job.job.clone(),
            plate: job.plate.clone(),
            vehicle: job.vehicle.clone(),
            stage: job.stage,
            promised_at: job.promised_at,
            op: op.clone(),
        }
    }
}

/// The ops still to do, with their job, from jobs not yet ready.
fn pending(jobs: &[JobView]) -> impl Iterator<Item = (&JobView, &OpView)> {
    (jobs.iter())
        .filter(|j| !matches!(j.stage, Stage::Ready | Stage::Delivered))
        .flat_map(|j| j.ops.iter().map(move |o| (j, o)))
        .filter(|(_, o)| o.status != OpStatus::Finished)
}

/// `ops` sorted as a queue.
fn queue<'a>(mut ops: Vec<(&'a JobView, &'a OpView)>) -> Vec<(&'a JobView, &'a OpView)> {
    ops.sort_by(|(ja, a), (jb, b)| {
        let key = |o: &OpView| o.assignment.as_ref().map(Assignment::rank);
        (key(a), &ja.job, &a.op).cmp(&(key(b), &jb.job, &b.op))
    });
    ops
}

/// The next op for a bay (contract §7.3): of the ops assigned to it, the first by day, then
/// order, of a job other than `holder`, the one on the bay; none is being worked now.
pub fn next_at_bay<'a>(
    jobs: &'a [JobView],
    bay: &Id,
    holder: Option<&Id>,
) -> Option<(&'a JobView, &'a OpView)> {
    let at_bay = pending(jobs)
        .filter(|(j, o)| Some(&j.job) != holder && o.status != OpStatus::Active)
        .filter(|(_, o)| o.assignment.as_ref().and_then(|a| a.bay.as_ref()) == Some(bay))
        .collect();
    queue(at_bay).into_iter().next()
}

/// A badge's queue for `day` (see the module docs), from the views of the jobs.
pub fn queue_of(jobs: &[JobView], badge: &Id, day: Date, today: Date) -> Vec<Queued> {
    let mine = pending(jobs)
        .filter(|(_, o)| {
            let Some(a) = &o.assignment else {
                return false;
            };
            let on_day = match a.day {
                None => true,
                Some(d) if d < today => day == today,
                Some(d) => d == day,
            };
            a.to == Assignee::Badge(badge.clone()) && on_day
        })
        .collect();
    (queue(mine).into_iter())
        .map(|(j, o)| Queued::of(j, o))
        .collect()
}

/// The ops no one has been given yet, earliest promise first.
pub fn unassigned(jobs: &[JobView]) -> Vec<Queued> {
    let mut out: Vec<(&JobView, &OpView)> = pending(jobs)
        .filter(|(_, o)| o.assignment.is_none())
        .collect();
    out.sort_by_key(|(j, o)| (j.promised_at.is_none(), j.promised_at, &j.job, &o.op));
    out.into_iter().map(|(j, o)| Queued::of(j, o)).collect()
}

impl Workshop {
    /// Checks `assignment` against the site's badges, teams and bays and the job's state.
    pub fn check_assignment(
        &self,
        job: &Id,
        op: &Id,
        assignment: Option<&Assignment>,
    ) -> Result<(), AssignError> {
        if self.is_closed(job) {
            return Err(AssignError::Delivered(job.clone()));
        }
        let card =
            (self.catalog().jobs.get(job)).ok_or_else(|| AssignError::UnknownJob(job.clone()))?;
        card.op(op).ok_or_else(|| AssignError::UnknownOp {
            job: job.clone(),
            op: op.clone(),
        })?;
        let Some(a) = assignment else {
            return Ok(());
        };
        match &a.to {
            Assignee::Badge(b) => match self.catalog().badges.get(b) {
                None => return Err(AssignError::UnknownBadge(b.clone())),
                Some(Role::Technician) => {}
                Some(_) => return Err(AssignError::NotATechnician(b.clone())),
            },
            Assignee::Team(t) => {
                let known = (self.settings().roster.values()).any(|p| p.team.as_ref() == Some(t));
                if !known {
                    return Err(AssignError::UnknownTeam(t.clone()));
                }
            }
        }
        if let Some(bay) = &a.bay {
            if !self.catalog().bays.contains_key(bay) {
                return Err(AssignError::UnknownBay(bay.clone()));
            }
        }
        Ok(())
    }

    /// `badge`'s queue for `day` at `now` (see the module docs).
    pub fn queue(&self, badge: &Id, day: Date, now: crate::Time) -> Vec<Queued> {
        let today = self.settings().schedule.date_of(now);
        let to = Assignee::Badge(badge.clone());
        let given = |card: &crate::JobCard| {
            (card.ops.iter()).any(|o| o.assignment.as_ref().is_some_and(|a| a.to == to))
        };
        queue_of(&self.jobs_to_do_of(now, given), badge, day, today)
    }

    /// The team an op's work counts for in the loading: its assignee's.
    pub(crate) fn team_of(&self, a: &Assignment) -> Option<String> {
        match &a.to {
            Assignee::Badge(b) => self.settings().roster.get(b)?.team.clone(),
            Assignee::Team(t) => Some(t.clone()),
        }
    }
}

#[cfg(test)]
mod tests;
