//! What a site sets besides its catalog: its calendar, its roster and the tunables of the
//! views, read from the site file.

use std::collections::BTreeMap;

use jiff::SignedDuration;

use crate::{Id, Planned, Schedule};

/// What a site sets besides its catalog: its calendar and the tunables of the views.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Hours added to a job's remaining work for QC and washing when computing its ETA.
    pub eta_allowance_hours: f64,
    /// How many of a badge's most recent finished ops its measured efficiency is learned from
    /// (the ETA's divisor).
    pub eta_sample_ops: usize,
    /// Opening hours in the site's zone: bay figures (§6), forgotten clock-offs (§4) and
    /// ETAs (§7.2).
    pub schedule: Schedule,
    /// Badges' planned hours, teams and absences (§7.2); a badge not listed works the
    /// opening hours.
    pub roster: BTreeMap<Id, Planned>,
    /// A job not ready this long before its promised time is at risk (§7.2, site key
    /// `at_risk_min`).
    pub at_risk: SignedDuration,
    /// How long after closing time a badge still clocked on is clocked off at closing time
    /// (contract §4 "Forgotten clock-offs", site key `auto_clock_off_grace_min`).
    pub auto_clock_off_grace: SignedDuration,
    /// A car whose job has had no event for longer than this leaves the lounge (site key
    /// `lounge_stale_days`): a car forgotten in the yard is not a customer waiting.
    pub lounge_stale: SignedDuration,
    /// A car checked in this soon after an earlier delivery of its plate is a comeback
    /// (contract §7.6, site key `comeback_days`).
    pub comeback_within: SignedDuration,
}

impl Default for Settings {
    /// Half an hour for QC and washing, 20 ops of history, a workshop's usual week in UTC
    /// ([`Schedule::default`]) for everyone, at risk 30 minutes before the promise, the
    /// contract's 60 minutes of grace and a week before a car
    /// that does not move leaves the lounge; a comeback within 30 days.
    fn default() -> Self {
        Settings {
            eta_allowance_hours: 0.5,
            eta_sample_ops: 20,
            schedule: Schedule::default(),
            roster: BTreeMap::new(),
            at_risk: SignedDuration::from_mins(30),
            auto_clock_off_grace: SignedDuration::from_mins(60),
            lounge_stale: SignedDuration::from_hours(24 * 7),
            comeback_within: SignedDuration::from_hours(24 * 30),
        }
    }
}
