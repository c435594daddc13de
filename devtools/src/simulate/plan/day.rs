//! One working day, minute by minute (minutes count from opening time).
//!
//! Cars arrive through the morning; each is given to the technician who can start it first,
//! if it fits in his day. He works its labour lines one after another at his bay: he pauses
//! for parts or for the customer's approval (and may help a colleague meanwhile), pauses for
//! lunch, and drops what he is doing (`switched`) to rework a car that failed QC. QC passes
//! it, the washer washes it, the advisor calls the customer (`ready`) and hands it over.

use bayline_domain::{EventKind, JobCard, PauseReason, Time};
use bayline_proto::Id;
use jiff::civil::Date;
use jiff::SignedDuration;

use super::cards::Rng;
use super::{Draft, Roster};

mod arrivals;
mod handover;
mod work;

/// Minutes from opening time.
type Min = i64;

pub(crate) struct DayOut {
    pub jobs: Vec<JobCard>,
    pub drafts: Vec<Draft>,
}

/// A stretch a technician was clocked on one op without a break: where a colleague waiting
/// for parts can lend a hand.
struct Segment {
    tech: usize,
    job: usize,
    op: Id,
    from: Min,
    to: Min,
    helped: bool,
}

/// A pause for parts or approval: the technician is free until `to`.
struct Wait {
    tech: usize,
    job: usize,
    from: Min,
    to: Min,
}

/// A reopened op its technician must rework, from minute `due` on.
struct Rework {
    job: usize,
    op: Id,
    due: Min,
}

struct TechDay {
    /// When he is free for the next op.
    cursor: Min,
    /// (at, length) while lunch is still to come.
    lunch: Option<(Min, Min)>,
    rework: Vec<Rework>,
    /// His last scan, for the shift end.
    last: Min,
}

struct JobDraft {
    card: JobCard,
    /// When its last op was finished (after rework, if any).
    done: Min,
}

enum Kind {
    Fresh(f64),
    Rework,
}

struct Day<'a> {
    roster: &'a Roster,
    close: Min,
    rng: &'a mut Rng,
    techs: Vec<TechDay>,
    jobs: Vec<JobDraft>,
    segments: Vec<Segment>,
    waits: Vec<Wait>,
    scans: Vec<(Min, Id, Id, EventKind)>,
    any_fail: bool,
    /// Cars so far that could fail QC and still be reworked today, and which of them fails.
    eligible: i64,
    fail_at: i64,
}

/// Plans the day `date`, open `[open, close)`, with lunch around `noon`.
pub(crate) fn plan(
    roster: &Roster,
    date: Date,
    (open, close, noon): (Time, Time, Time),
    rng: &mut Rng,
) -> DayOut {
    let close_m = close.duration_since(open).as_mins();
    let lunch_base = noon.duration_since(open).as_mins().max(150);
    let techs = (roster.techs.iter())
        .map(|_| {
            let at = lunch_base + rng.between(-10, 25);
            let len = rng.between(40, 60);
            TechDay {
                cursor: 0,
                lunch: (at + len + 60 <= close_m).then_some((at, len)),
                rework: Vec::new(),
                last: 0,
            }
        })
        .collect();
    let mut day = Day {
        roster,
        close: close_m,
        rng,
        techs,
        jobs: Vec::new(),
        segments: Vec::new(),
        waits: Vec::new(),
        scans: Vec::new(),
        any_fail: false,
        eligible: 0,
        fail_at: 0,
    };
    day.fail_at = day.rng.between(0, 2);
    for t in 0..roster.techs.len() {
        let at = -day.rng.between(5, 20);
        day.emit_tech(t, at, EventKind::ShiftStart);
    }
    day.arrivals(date, open);
    for t in 0..roster.techs.len() {
        day.leftover_rework(t);
    }
    day.helpers();
    day.tails();
    for t in 0..roster.techs.len() {
        let end = day.techs[t].last.max(close_m - 3) + day.rng.between(3, 12);
        day.emit_tech(t, end, EventKind::ShiftEnd);
    }
    let jitter = &mut *day.rng;
    let drafts = (day.scans.into_iter())
        .map(|(m, scanner, badge, kind)| Draft {
            // Seconds of jitter below a minute never reorder events a minute apart.
            ts: open
                + SignedDuration::from_mins(m)
                + SignedDuration::from_secs(jitter.between(0, 40)),
            scanner,
            badge,
            kind,
        })
        .collect();
    DayOut {
        jobs: day.jobs.into_iter().map(|j| j.card).collect(),
        drafts,
    }
}

impl Day<'_> {
    fn emit(&mut self, at: Min, scanner: &Id, badge: &Id, kind: EventKind) {
        self.scans.push((at, scanner.clone(), badge.clone(), kind));
    }

    fn emit_tech(&mut self, t: usize, at: Min, kind: EventKind) {
        let tech = &self.roster.techs[t];
        self.scans
            .push((at, tech.scanner.clone(), tech.badge.clone(), kind));
        self.techs[t].last = self.techs[t].last.max(at);
    }

    fn job_id(&self, j: usize) -> Id {
        self.jobs[j].card.job.clone()
    }
}

fn pause(job: &Id, op: &Id, reason: PauseReason) -> EventKind {
    EventKind::Pause {
        job: job.clone(),
        op: op.clone(),
        reason: reason.into(),
    }
}

fn resume(job: &Id, op: &Id) -> EventKind {
    EventKind::Resume {
        job: job.clone(),
        op: op.clone(),
        bay: None,
    }
}

/// Ids built here are short ASCII from fixed formats.
fn id_of(s: &str) -> Id {
    Id::new(s).unwrap_or_else(|e| unreachable!("generated id {s:?}: {e}"))
}
