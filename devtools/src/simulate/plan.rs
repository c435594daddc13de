//! The plan of a simulated workshop: every scan of N working days, when it happens, on which
//! handheld and by whom, plus the job cards the advisor opens first. Pure: the same site,
//! seed and dates give the same plan, and nothing here reads the clock or touches the network.
//!
//! Who does what (from the site file, so any site can be simulated):
//! - each technician works at a home bay (the site's work bays in order; technicians beyond
//!   the number of work bays stay home — two on one bay would queue for it all day);
//! - handhelds: the one whose id ends in `FD` is the front desk (advisor: check-in, ready,
//!   delivered), the one ending in `QC` serves QC and the wash bay, the others are shared by
//!   the technicians in order (T01+T02 on HH-01, …); missing ones fall back to the front desk;
//! - the first advisor, QC inspector and washer do those jobs; without a washer nothing is
//!   washed.
//!
//! The rules a plan keeps, so that every scan is accepted without a warning when the scans
//! arrive in timeline order (the unit tests fold plans with the domain to check it):
//! - every op started is finished, before closing plus half the clock-off grace (so no
//!   forgotten clock-off), and every job is delivered the same day;
//! - a badge is on one op at a time; it only leaves one op for another by `switched` (a
//!   technician waiting for parts helps a colleague, then resumes his own op);
//! - a second technician on an op always leaves it before it is finished, and a rework starts
//!   only at an op boundary, so a late backlog from one handheld can never make another
//!   handheld's scan `bay_busy` (contract §4 judges a start against what has arrived);
//! - events that depend on each other are at least a minute apart, so seconds of jitter never
//!   reorder them.
//!
//! # Layout
//! - this file: the roster, the choice of days, sequence numbers, the assembled [`Plan`].
//! - `day`: one working day, minute by minute; `day/arrivals`: the cars and who takes each;
//!   `day/work`: a technician at work on an op; `day/handover`: QC, washing, ready, handover.
//! - `cards`: vehicles, plates, labour lines, and the seeded generator.

mod cards;
mod day;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use bayline_domain::{BayKind, Event, EventKey, EventKind, JobCard, Role, Schedule, Time};
use bayline_proto::{Id, Language};
use bayline_site::SiteConfig;
use jiff::civil::Date;
use jiff::{SignedDuration, ToSpan};

pub use cards::Rng;

/// How long after closing a day's last scan may come: QC, washing and handover of the last
/// cars. A day is only played once this much time past its closing has passed, so no scan of
/// it lies in the future.
pub const DAY_TAIL: SignedDuration = SignedDuration::from_hours(2);

/// What to plan.
#[derive(Debug, Clone)]
pub struct Spec {
    pub seed: u64,
    /// The local dates to simulate, each an open day of the site.
    pub days: Vec<Date>,
    /// Share of scans (0..=1) a handheld sends once more after its reply.
    pub duplicates: f64,
}

/// One planned scan.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// The scan as the domain will store it: `(ts, scanner, seq)`, badge, what happened.
    pub event: Event,
    /// Index into [`Plan::days`].
    pub day: usize,
    /// Sent again after its reply (`--duplicates`).
    pub repeat: bool,
}

/// One simulated working day.
#[derive(Debug, Clone, PartialEq)]
pub struct Day {
    pub date: Date,
    pub open: Time,
    pub close: Time,
}

/// Everything that will happen, in timeline order.
#[derive(Debug, Clone)]
pub struct Plan {
    pub site: Id,
    pub days: Vec<Day>,
    /// The job cards, to be opened before the first scan.
    pub jobs: Vec<JobCard>,
    /// Sorted by `(ts, scanner, seq)`: the order the contract folds them in.
    pub scans: Vec<Planned>,
    /// `[from, to)`: local midnight before the first day to local midnight after the last.
    pub from: Time,
    pub to: Time,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PlanError {
    #[error("the site has no {0}")]
    Missing(&'static str),
    #[error("{0} is not an open day of the site")]
    Closed(Date),
    #[error("--duplicates must be between 0 and 1, not {0}")]
    Duplicates(f64),
    #[error("handheld {0} would send more than {MAX_SCANS_PER_DAY} scans in a day")]
    TooBusy(Id),
    #[error("no day to simulate")]
    NoDay,
}

/// Sequence numbers are `local midnight (Unix seconds) × 1000 + n`: they grow from day to
/// day, and a replay of the same day and seed sends the very same (scanner, seq) again, which
/// the system answers as a repeat.
const MAX_SCANS_PER_DAY: u64 = 1000;

/// A technician, where he works and which handheld he scans with.
#[derive(Debug, Clone, PartialEq)]
pub struct Tech {
    pub badge: Id,
    pub bay: Id,
    pub scanner: Id,
}

/// Who does what at the site (see the module doc).
#[derive(Debug, Clone)]
pub struct Roster {
    pub techs: Vec<Tech>,
    pub advisor: Id,
    pub qc: Id,
    pub washer: Option<Id>,
    pub wash_bay: Option<Id>,
    pub front_desk: Id,
    pub qc_desk: Id,
    pub language: Language,
    /// Minutes after closing a technician may still finish his op: half the site's
    /// clock-off grace, at most 30.
    pub overtime_min: i64,
}

impl Roster {
    pub fn of(site: &SiteConfig) -> Result<Roster, PlanError> {
        let staff = |role: Role| -> Vec<Id> {
            (site.staff.iter().filter(|s| s.role == role))
                .map(|s| s.badge.clone())
                .collect()
        };
        let scanners: Vec<Id> = site.scanners.iter().map(|s| s.id.clone()).collect();
        let ends = |suffix: &str| {
            (scanners.iter())
                .find(|s| s.as_str().to_ascii_uppercase().ends_with(suffix))
                .cloned()
        };
        let front_desk = ends("FD")
            .or_else(|| scanners.last().cloned())
            .ok_or(PlanError::Missing("handheld scanner"))?;
        let qc_desk = ends("QC").unwrap_or_else(|| front_desk.clone());
        let mut desks: Vec<Id> = (scanners.iter())
            .filter(|s| **s != front_desk && **s != qc_desk)
            .cloned()
            .collect();
        if desks.is_empty() {
            desks.push(front_desk.clone());
        }
        let work_bays: Vec<Id> = (site.bays.iter())
            .filter(|b| b.kind.is_work_bay())
            .map(|b| b.id.clone())
            .collect();
        let techs = staff(Role::Technician);
        let n = techs.len().min(work_bays.len());
        if n == 0 {
            return Err(PlanError::Missing(if techs.is_empty() {
                "technician"
            } else {
                "work bay"
            }));
        }
        // Technicians share handhelds in consecutive groups of (about) equal size.
        let per = n.div_ceil(desks.len());
        let techs = (techs.into_iter().zip(work_bays).enumerate())
            .map(|(i, (badge, bay))| Tech {
                badge,
                bay,
                scanner: desks[(i / per).min(desks.len() - 1)].clone(),
            })
            .collect();
        let first = |role: Role, what: &'static str| {
            staff(role)
                .into_iter()
                .next()
                .ok_or(PlanError::Missing(what))
        };
        Ok(Roster {
            techs,
            advisor: first(Role::Advisor, "service advisor")?,
            qc: first(Role::Qc, "QC inspector")?,
            washer: staff(Role::Washer).into_iter().next(),
            wash_bay: (site.bays.iter())
                .find(|b| b.kind == BayKind::Wash)
                .map(|b| b.id.clone()),
            front_desk,
            qc_desk,
            language: site.language,
            overtime_min: i64::from(site.auto_clock_off_grace_min / 2).min(30),
        })
    }
}

/// The `n` most recent open days whose day (closing plus [`DAY_TAIL`]) is over at `now`,
/// oldest first. Looks back two weeks at most.
pub fn recent_days(schedule: &Schedule, now: Time, n: usize) -> Vec<Date> {
    let mut days = Vec::new();
    let mut date = schedule.date_of(now);
    for _ in 0..14 {
        if days.len() == n {
            break;
        }
        if let Some((_, close)) = schedule.open_on(date) {
            if close + DAY_TAIL <= now {
                days.push(date);
            }
        }
        match date.checked_sub(1.day()) {
            Ok(d) => date = d,
            Err(_) => break,
        }
    }
    days.reverse();
    days
}

/// Today, if the site opens today and today's work is not over at `now`.
pub fn today(schedule: &Schedule, now: Time) -> Option<Date> {
    let date = schedule.date_of(now);
    let (_, close) = schedule.open_on(date)?;
    (now < close + DAY_TAIL).then_some(date)
}

impl Plan {
    pub fn new(site: &SiteConfig, spec: &Spec) -> Result<Plan, PlanError> {
        if !(0.0..=1.0).contains(&spec.duplicates) {
            return Err(PlanError::Duplicates(spec.duplicates));
        }
        let roster = Roster::of(site)?;
        let schedule = site.schedule();
        let mut dates = spec.days.clone();
        dates.sort();
        dates.dedup();
        let (Some(first), Some(last)) = (dates.first().copied(), dates.last().copied()) else {
            return Err(PlanError::NoDay);
        };
        let mut days = Vec::new();
        let mut jobs = Vec::new();
        let mut scans = Vec::new();
        for (i, date) in dates.into_iter().enumerate() {
            let (open, close) = schedule.open_on(date).ok_or(PlanError::Closed(date))?;
            // One stream per date: a day's plan does not change when --days grows.
            let stream = u64::try_from(
                i64::from(date.year()) * 10_000
                    + i64::from(date.month()) * 100
                    + i64::from(date.day()),
            )
            .unwrap_or(0);
            let mut rng = Rng::new(spec.seed, stream);
            let noon = (date.at(12, 0, 0, 0).to_zoned(schedule.tz.clone()).ok())
                .map_or(open + SignedDuration::from_mins(210), |z| z.timestamp());
            let out = day::plan(&roster, date, (open, close, noon), &mut rng);
            let midnight = schedule.start_of(date).unwrap_or(open);
            let base = u64::try_from(midnight.as_second()).unwrap_or(0) * MAX_SCANS_PER_DAY;
            scans.extend(number(out.drafts, base, i)?);
            jobs.extend(out.jobs);
            days.push(Day { date, open, close });
        }
        let mut rng = Rng::new(spec.seed, u64::MAX);
        for s in &mut scans {
            s.repeat = spec.duplicates > 0.0 && rng.chance(spec.duplicates);
        }
        scans.sort_by(|a, b| a.event.key.cmp(&b.event.key));
        let from = schedule.start_of(first).unwrap_or(days[0].open);
        let to = (last.checked_add(1.day()).ok())
            .and_then(|d| schedule.start_of(d))
            .unwrap_or(from + SignedDuration::from_hours(24));
        Ok(Plan {
            site: site.id.clone(),
            days,
            jobs,
            scans,
            from,
            to,
        })
    }

    /// The scans of handheld `scanner`, in its seq order.
    pub fn of_scanner<'a>(&'a self, scanner: &'a str) -> impl Iterator<Item = &'a Planned> {
        (self.scans.iter()).filter(move |s| s.event.key.scanner.as_str() == scanner)
    }
}

/// A scan before its sequence number: minutes are already turned into instants.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub ts: Time,
    pub scanner: Id,
    pub badge: Id,
    pub kind: EventKind,
}

/// Gives each handheld's scans increasing seqs in time order (a device numbers its scans
/// as it makes them).
fn number(mut drafts: Vec<Draft>, base: u64, day: usize) -> Result<Vec<Planned>, PlanError> {
    // Stable: scans of one handheld at the same instant keep the order they were made in.
    drafts.sort_by(|a, b| (a.ts, &a.scanner).cmp(&(b.ts, &b.scanner)));
    let mut next: BTreeMap<Id, u64> = BTreeMap::new();
    let mut out = Vec::with_capacity(drafts.len());
    for d in drafts {
        let n = next.entry(d.scanner.clone()).or_default();
        *n += 1;
        if *n >= MAX_SCANS_PER_DAY {
            return Err(PlanError::TooBusy(d.scanner));
        }
        out.push(Planned {
            event: Event {
                key: EventKey {
                    ts: d.ts,
                    scanner: d.scanner,
                    seq: base + *n,
                },
                badge: d.badge,
                kind: d.kind,
            },
            day,
            repeat: false,
        });
    }
    Ok(out)
}
