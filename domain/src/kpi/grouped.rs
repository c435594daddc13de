//! The figures split into rows (contract §6 `group_by`, §7.2): per badge, work bay, local
//! day, team, advisor or service, each row measured like the site's figures over its part.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::assemble::{self, site_figures, Measured};
use super::{
    counts_in, live_totals_in, measure, open_in, period_calls, period_outcomes, totals, Figures,
    Outcome, Period, Stored,
};
use crate::{Id, Time, Workshop};

/// How [`grouped`] splits the figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum GroupBy {
    Badge,
    Bay,
    Day,
    /// The badges' teams of the site file (§7.2 `[[staff]] team`).
    Team,
    /// The job card's advisor.
    Advisor,
    /// The job card's service type (保养, 事故, 索赔…).
    Service,
}

impl GroupBy {
    pub const ALL: [GroupBy; 6] = [
        GroupBy::Badge,
        GroupBy::Bay,
        GroupBy::Day,
        GroupBy::Team,
        GroupBy::Advisor,
        GroupBy::Service,
    ];

    /// Its name in a query and in the answer (`group_by=advisor`).
    pub fn name(self) -> &'static str {
        match self {
            GroupBy::Badge => "badge",
            GroupBy::Bay => "bay",
            GroupBy::Day => "day",
            GroupBy::Team => "team",
            GroupBy::Advisor => "advisor",
            GroupBy::Service => "service",
        }
    }

    pub fn parse(name: &str) -> Option<GroupBy> {
        GroupBy::ALL.into_iter().find(|g| g.name() == name)
    }
}

/// One group's figures: `key` is the badge, the bay, the local date `YYYY-MM-DD`, the team,
/// the advisor or the service (`""` for the badges or cards without one).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = KpiRow))]
pub struct Row {
    pub key: String,
    pub figures: Figures,
}

/// The figures per badge, per work bay or per local day (see the module doc for what each
/// row means), from the live state alone. Rows are sorted by key.
pub fn grouped(workshop: &Workshop, period: Period, now: Time, by: GroupBy) -> Vec<Row> {
    grouped_with(workshop, Stored::default(), period, now, by)
}

/// [`grouped`], the frozen part from `stored`.
pub fn grouped_with(
    workshop: &Workshop,
    stored: Stored,
    period: Period,
    now: Time,
    by: GroupBy,
) -> Vec<Row> {
    match by {
        GroupBy::Day => by_day(workshop, stored, period, now),
        _ => rows(
            workshop,
            &measure(workshop, stored, period, now, crews(by)),
            by,
        ),
    }
}

/// The site's figures and the rows by `by` (not by day), each measured once: what the
/// figures asked with `group_by` answer, for half the cost of asking the two apart.
pub fn figures_and_rows(
    workshop: &Workshop,
    stored: Stored,
    period: Period,
    now: Time,
    by: GroupBy,
) -> (Figures, Vec<Row>) {
    match by {
        // Each day is measured on its own: the whole period is one more measure.
        GroupBy::Day => (
            site_figures(&measure(workshop, stored.clone(), period, now, false)),
            by_day(workshop, stored, period, now),
        ),
        _ => {
            let m = measure(workshop, stored, period, now, crews(by));
            (site_figures(&m), rows(workshop, &m, by))
        }
    }
}

/// Whether the rows by `by` need who worked on each live job.
fn crews(by: GroupBy) -> bool {
    matches!(by, GroupBy::Badge | GroupBy::Bay | GroupBy::Team)
}

/// The rows by `by` (not by day) of a measured period.
fn rows(workshop: &Workshop, m: &Measured, by: GroupBy) -> Vec<Row> {
    let rows = |r: Vec<(&Id, Figures)>| r.into_iter().map(|(k, f)| row(k, f)).collect();
    match by {
        GroupBy::Badge => rows(assemble::badge_rows(m)),
        GroupBy::Bay => rows(assemble::bay_rows(m)),
        GroupBy::Team => by_team(workshop, m),
        GroupBy::Advisor | GroupBy::Service => by_card(m, by == GroupBy::Advisor),
        GroupBy::Day => Vec::new(),
    }
}

/// One row per team with a busy member (as [`GroupBy::Badge`] picks badges), the badges
/// without a team in the row keyed `""`. Every badge is in one row, so the rows' labour adds
/// up to the site's.
fn by_team(workshop: &Workshop, m: &Measured) -> Vec<Row> {
    let roster = &workshop.settings().roster;
    let team_of = |b: &Id| {
        roster
            .get(b)
            .and_then(|p| p.team.clone())
            .unwrap_or_default()
    };
    let mut teams: BTreeMap<String, BTreeSet<&Id>> = BTreeMap::new();
    for b in m.totals.busy_badges() {
        teams.entry(team_of(b)).or_default().insert(b);
    }
    // Members with no time in the period still share their team's jobs and calls.
    let known = workshop
        .catalog()
        .badges
        .keys()
        .chain(m.totals.badges.keys());
    for b in known {
        if let Some(members) = teams.get_mut(&team_of(b)) {
            members.insert(b);
        }
    }
    (teams.into_iter())
        .map(|(key, members)| Row {
            key,
            figures: assemble::team_figures(m, &members),
        })
        .collect()
}

/// One row per advisor (or service type) with work or a counted job in the period, the
/// cards without one keyed `""`. Every job has one advisor and one service, so the rows'
/// labour and job counts add up to the site's.
fn by_card(m: &Measured, advisor: bool) -> Vec<Row> {
    let (work, key): (_, fn(&Outcome) -> &String) = if advisor {
        (&m.totals.advisors, |o| &o.advisor)
    } else {
        (&m.totals.services, |o| &o.service)
    };
    let keys: BTreeSet<&String> = (work.keys()).chain(m.outcomes.iter().map(key)).collect();
    (keys.into_iter())
        .map(|k| Row {
            key: k.clone(),
            figures: assemble::card_figures(m, work.get(k).copied().unwrap_or_default(), |o| {
                key(o) == k
            }),
        })
        .collect()
}

fn row(key: &Id, figures: Figures) -> Row {
    Row {
        key: key.to_string(),
        figures,
    }
}

/// The local days of the period that have begun by `now`, each measured on its own: a frozen
/// day from its stored totals, a live one on the state.
fn by_day(workshop: &Workshop, stored: Stored, period: Period, now: Time) -> Vec<Row> {
    let schedule = &workshop.settings().schedule;
    let Some((from, end)) = period.window(now) else {
        return Vec::new();
    };
    let outcomes = period_outcomes(workshop, stored.outcomes, period, now, false);
    let calls = period_calls(workshop, stored.calls, period, now);
    let work_bays: Vec<&Id> = totals::work_bays(workshop.catalog()).collect();
    let state = workshop.state_at(now);
    let mut rows = Vec::new();
    let mut day = schedule.date_of(from);
    let mut start = from;
    while start < end {
        let next = day.tomorrow().ok();
        let day_end = next
            .and_then(|d| schedule.start_of(d))
            .map_or(period.to, |t| t.min(period.to));
        if day_end <= start {
            break;
        }
        let part = Period::new(start, day_end);
        let totals = match stored.days.iter().find(|(d, _)| *d == day) {
            Some((_, t)) => t.clone(),
            None => live_totals_in(workshop, &state, part, now),
        };
        let m = Measured {
            period: part,
            now,
            totals,
            open: open_in(workshop, part.window(now)),
            work_bays: work_bays.clone(),
            site_reasons: workshop.catalog().pause_reasons.ids().collect(),
            outcomes: (outcomes.iter())
                .filter(|o| o.counts_in(part, now))
                .cloned()
                .collect(),
            calls: (calls.iter())
                .filter(|c| counts_in(c, part, now))
                .cloned()
                .collect(),
        };
        rows.push(Row {
            key: day.to_string(),
            figures: site_figures(&m),
        });
        match next {
            Some(d) => (day, start) = (d, day_end),
            None => break,
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::sample::{site, Size};

    /// The badge and bay rows gather each row's jobs and calls once for all rows; each must
    /// be what searching the period's jobs and calls for that badge or bay alone gives.
    #[test]
    fn gathered_rows_equal_each_badge_and_bay_measured_alone() {
        let s = site(Size {
            work_bays: 6,
            technicians: 9,
            days: 10,
            seed: 3,
        });
        let mut w = Workshop::new(s.catalog, s.settings);
        w.restore(s.events);
        let period = Period::new(s.from + jiff::SignedDuration::from_hours(30), s.to);
        let m = measure(&w, Stored::default(), period, s.to, true);
        let badges = assemble::badge_rows(&m);
        assert!(badges.len() >= 9, "{} badge rows", badges.len());
        for (badge, f) in badges {
            assert_eq!(f, assemble::team_figures(&m, &BTreeSet::from([badge])));
        }
        let bays = assemble::bay_rows(&m);
        assert_eq!(bays.len(), 6);
        for (bay, f) in bays {
            let alone = Measured {
                outcomes: (m.outcomes.iter())
                    .filter(|o| o.bays.contains(bay))
                    .cloned()
                    .collect(),
                calls: (m.calls.iter())
                    .filter(|c| &c.bay == bay)
                    .cloned()
                    .collect(),
                work_bays: vec![bay],
                site_reasons: m.site_reasons.clone(),
                totals: m.totals.clone(),
                ..m
            };
            let mut site = site_figures(&alone);
            // A bay's labour is its own; the site's of `alone` is still the whole site's.
            let b = m.totals.bays.get(bay).cloned().unwrap_or_default();
            assert_eq!(f.clocked_hours, b.clocked as f64 / 3.6e12);
            (site.clocked_hours, site.rework_hours, site.sold_hours) =
                (f.clocked_hours, f.rework_hours, f.sold_hours);
            (site.available_hours, site.labour_efficiency) = (None, f.labour_efficiency);
            (site.labour_utilisation, site.productivity) = (None, None);
            assert_eq!(f, site, "{bay}");
            assert!(f.jobs_delivered > 0 || f.calls > 0, "{bay} has work");
        }
    }
}
