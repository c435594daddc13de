//! Workshop loading (contract §7.3): per local day and per team, the technicians' planned
//! hours, the standard hours booked on open jobs, and what is left free; and the earliest
//! instant at which more hours fit.
//!
//! Readings where the contract is silent:
//! - Available hours are the technicians' (role `technician`): each one's planned hours within
//!   the opening hours, less absences ([`Schedule::for_crew`] of one).
//! - Booked hours of an op are the standard hours still to do on it, at the standard pace
//!   (`std − clocked`, never below 0), on the day it is assigned to, else on the local day of
//!   its job's promise; a day before today counts as today. Its team is its assignee's, else
//!   that of the first badge who clocked on the job with a team; work of no team counts only
//!   in the total. An op with neither a day nor a promise is booked nowhere.
//! - The promise counts today's hours from `now` on; more hours fit on the first day at which
//!   the free hours since now reach them, at the instant within that day the team's
//!   technicians, working side by side, have done the day's booked hours and what is missing.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::SignedDuration;
use serde::Serialize;

use crate::fold::JobTrack;
use crate::{Id, Role, Schedule, Stage, Time, Workshop};

/// How far [`Workshop::promise`] looks ahead.
pub const PROMISE_DAYS: usize = 60;

/// Hours of one team (or of all) on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Load {
    pub available_hours: f64,
    pub booked_hours: f64,
    /// `available − booked`; negative when the day is overbooked.
    pub free_hours: f64,
}

impl Load {
    fn add(&mut self, available: f64, booked: f64) {
        self.available_hours += available;
        self.booked_hours += booked;
        self.free_hours = self.available_hours - self.booked_hours;
    }
}

/// One local day's loading, by team and in total.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayLoad {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: Date,
    #[serde(flatten)]
    pub total: Load,
    pub teams: BTreeMap<String, Load>,
}

/// The earliest instant more hours fit, with the loading that gives it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Promise {
    /// `null` when they do not fit within [`PROMISE_DAYS`] days.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub at: Option<Time>,
    pub loading: Vec<DayLoad>,
}

fn hours(d: SignedDuration) -> f64 {
    d.as_secs_f64() / 3600.0
}

/// A technician's calendar and team.
struct Tech {
    team: Option<String>,
    calendar: Schedule,
}

impl Workshop {
    fn technicians(&self) -> Vec<Tech> {
        let site = &self.settings().schedule;
        (self.catalog().badges.iter())
            .filter(|(_, role)| **role == Role::Technician)
            .map(|(badge, _)| match self.settings().roster.get(badge) {
                Some(p) => Tech {
                    team: p.team.clone(),
                    calendar: site.for_crew([p]),
                },
                None => Tech {
                    team: None,
                    calendar: site.clone(),
                },
            })
            .collect()
    }

    /// Open jobs' remaining standard hours by the local day they are booked on (see the
    /// module docs), with their team.
    fn booked(&self, today: Date, now: Time) -> BTreeMap<Date, Vec<(Option<String>, f64)>> {
        let state = self.state_at(now);
        let schedule = &self.settings().schedule;
        let empty = JobTrack::default();
        let mut out: BTreeMap<Date, Vec<(Option<String>, f64)>> = BTreeMap::new();
        for card in self.catalog().jobs.values() {
            let track = state.job(&card.job).unwrap_or(&empty);
            let stage = crate::stage::stage_of(track, Some(card));
            if matches!(stage, Stage::Ready | Stage::Delivered) {
                continue;
            }
            let promised = card.promised_at.map(|p| schedule.date_of(p).max(today));
            let team = (track.ops.values())
                .flat_map(|o| o.clocked.keys().chain(o.on.keys()))
                .find_map(|b: &Id| self.settings().roster.get(b)?.team.clone());
            for o in &card.ops {
                let ot = track.ops.get(&o.op);
                if ot.is_some_and(|t| t.finished) {
                    continue;
                }
                let clocked = ot.map_or(0.0, |t| hours(t.clocked_at(now)));
                let left = (o.std_hours - clocked).max(0.0);
                let planned = o.assignment.as_ref();
                let day = match planned.and_then(|a| a.day) {
                    Some(d) => d.max(today),
                    None => match promised {
                        Some(d) => d,
                        None => continue,
                    },
                };
                let team = planned
                    .and_then(|a| self.team_of(a))
                    .or_else(|| team.clone());
                out.entry(day).or_default().push((team, left));
            }
        }
        out
    }

    /// The loading of `days` local days from `from` (contract §7.3), measured at `now`.
    pub fn loading(&self, from: Date, days: usize, now: Time) -> Vec<DayLoad> {
        let techs = self.technicians();
        let today = self.settings().schedule.date_of(now);
        let booked = self.booked(today, now);
        let mut out = Vec::with_capacity(days);
        let mut day = from;
        for _ in 0..days {
            out.push(self.day_load(&techs, booked.get(&day), day, None));
            match day.tomorrow() {
                Ok(d) => day = d,
                Err(_) => break,
            }
        }
        out
    }

    /// Today's loading from `now` on: the hours still available today against the work
    /// booked on it.
    pub fn today_left(&self, now: Time) -> DayLoad {
        let techs = self.technicians();
        let today = self.settings().schedule.date_of(now);
        let booked = self.booked(today, now);
        self.day_load(&techs, booked.get(&today), today, Some(now))
    }

    /// One day's loading; with `since`, available hours count only from then on.
    fn day_load(
        &self,
        techs: &[Tech],
        booked: Option<&Vec<(Option<String>, f64)>>,
        day: Date,
        since: Option<Time>,
    ) -> DayLoad {
        let schedule = &self.settings().schedule;
        let (start, end) = day_bounds(schedule, day);
        let start = since.map_or(start, |s| s.max(start));
        let mut load = DayLoad {
            date: day,
            total: Load::default(),
            teams: BTreeMap::new(),
        };
        for t in techs {
            let available = hours(t.calendar.between(start, end.max(start)));
            load.total.add(available, 0.0);
            if let Some(team) = &t.team {
                load.teams
                    .entry(team.clone())
                    .or_default()
                    .add(available, 0.0);
            }
        }
        for (team, h) in booked.into_iter().flatten() {
            load.total.add(0.0, *h);
            if let Some(team) = team {
                load.teams.entry(team.clone()).or_default().add(0.0, *h);
            }
        }
        load
    }

    /// The earliest instant at which `std_hours` more hours fit, for `team` or the whole
    /// workshop, with the loading of the days up to it (contract §7.3).
    pub fn promise(&self, std_hours: f64, team: Option<&str>, now: Time) -> Promise {
        let schedule = &self.settings().schedule;
        let techs: Vec<Tech> = (self.technicians().into_iter())
            .filter(|t| team.is_none_or(|team| t.team.as_deref() == Some(team)))
            .collect();
        let today = schedule.date_of(now);
        let booked = self.booked(today, now);
        let mut loading = Vec::new();
        let mut free_before = 0.0;
        let mut day = today;
        for _ in 0..PROMISE_DAYS {
            let since = (day == today).then_some(now);
            let load = self.day_load(&techs, booked.get(&day), day, since);
            let load_of = |l: &DayLoad| match team {
                Some(team) => l.teams.get(team).copied().unwrap_or_default(),
                None => l.total,
            };
            let this = load_of(&load);
            loading.push(load);
            if free_before + this.free_hours >= std_hours && this.available_hours > 0.0 {
                let need = std_hours + this.booked_hours - free_before;
                let (start, end) = day_bounds(schedule, day);
                let at = side_by_side(&techs, since.map_or(start, |s| s.max(start)), end, need);
                return Promise { at, loading };
            }
            free_before += this.free_hours;
            match day.tomorrow() {
                Ok(d) => day = d,
                Err(_) => break,
            }
        }
        Promise { at: None, loading }
    }
}

/// The first and the last instant of local day `day`.
fn day_bounds(schedule: &Schedule, day: Date) -> (Time, Time) {
    let start = schedule.start_of(day).unwrap_or(Time::MIN);
    let end = (day.tomorrow().ok())
        .and_then(|d| schedule.start_of(d))
        .unwrap_or(Time::MAX);
    (start, end)
}

/// The instant within `[from, to)` at which `techs` working side by side have done `need`
/// hours; the first working instant when `need` is 0 or less.
fn side_by_side(techs: &[Tech], from: Time, to: Time, need: f64) -> Option<Time> {
    let mut edges: Vec<(Time, i32)> = Vec::new();
    for t in techs {
        for (a, b) in t.calendar.open_spans(from, to) {
            edges.push((a, 1));
            edges.push((b, -1));
        }
    }
    edges.sort();
    let mut working = 0;
    let mut done = 0.0;
    let mut last = from;
    for (at, step) in edges {
        if working > 0 {
            let span = hours(at.duration_since(last)) * f64::from(working);
            if done + span >= need {
                let rest = (need - done).max(0.0) / f64::from(working);
                let d = SignedDuration::try_from_secs_f64(rest * 3600.0).ok()?;
                return last.checked_add(d).ok();
            }
            done += span;
        } else if need <= 0.0 && step > 0 {
            return Some(at);
        }
        working += step;
        last = at;
    }
    None
}

#[cfg(test)]
mod tests;
