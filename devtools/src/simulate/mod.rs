//! `bayline simulate`: working days of a dealer workshop played as real handhelds against a
//! running bayline — job cards opened over HTTP, then every scan published over MQTT with
//! its handheld's own credentials, each waiting for its reply — and the figures fetched back.
//!
//! # Time
//! The gateway takes a scan only if its `ts` is not in the future and at most 7 days old
//! (contract §3.2). So the simulated days are the most recent open days of the site that are
//! over (closing plus two hours has passed), replayed on a compressed clock: the simulated
//! clock starts at the first scan and runs `--speed` times faster than the real one, skips
//! closed hours (no more than 20 simulated minutes between two scans), and never runs ahead
//! of the real clock — with `--today`, today's scans that lie ahead are sent when their time
//! comes, so the workshop goes on live. A run that would send a scan older than 7 days is
//! refused before it starts. Sequence numbers come from the day (see `plan`): replaying the
//! same day with the same seed sends exact repeats, which change nothing.
//!
//! # Order
//! Scans are sent in timeline order, one at a time: each waits for its reply before the next
//! goes. A real workshop's scans are seconds apart; compressed they are milliseconds apart,
//! and §4 judges `bay_busy` against what has arrived, so racing handhelds would get rejections
//! no workshop sees. An `--offline` handheld keeps its scans and delivers them after the
//! day's last scan, with their original `ts`.
//!
//! # Layout
//! - [`plan`]: what happens when, pure and deterministic from the seed.
//! - [`scanner`]: a handheld: MQTT connection, outbox, resend until the reply.
//! - `clock`: the compressed clock.
//! - `api`: the few HTTP calls (job cards, KPIs).
//! - `report`: the progress bar, the tallies, the summary printed at the end.
//! - `play`: the plan played on the handhelds, scan by scan, with the progress bar.
//! - `command`: `bayline simulate`'s arguments, Ctrl-C, the summary and the exit code.
//! - `demo`: `bayline up --demo`, the simulation behind a running `up`.
//! - this file: options, errors, the run from checks to figures.

mod api;
mod clock;
mod command;
pub mod demo;
pub mod plan;
mod play;
mod report;
pub mod scanner;

use std::time::Duration;

use bayline_domain::Time;
use bayline_gateway::BrokerUrl;
use bayline_site::SiteConfig;
use jiff::civil::Date;
use jiff::SignedDuration;
use tokio_util::sync::CancellationToken;

pub use command::{cli, SimulateArgs};
use plan::{Plan, PlanError, Spec};
use play::{connect, play};
use scanner::{Delivered, ScannerError};

/// The oldest scan the gateway accepts (contract §3.2 `bad_time`).
const MAX_AGE: SignedDuration = SignedDuration::from_hours(24 * 7);

/// What to simulate and against what.
#[derive(Debug, Clone)]
pub struct Options {
    pub site: SiteConfig,
    /// Where the handhelds connect (without credentials: each uses its own).
    pub broker: BrokerUrl,
    /// bayline's HTTP base URL, e.g. `http://127.0.0.1:8080`.
    pub http: String,
    /// Simulated seconds per real second.
    pub speed: f64,
    /// The local dates to play, open days of the site (see [`choose_days`]).
    pub days: Vec<Date>,
    pub seed: u64,
    pub duplicates: f64,
    /// Handhelds that hold their scans until the end of each day.
    pub offline: Vec<String>,
    /// How long a handheld waits for a reply before publishing the scan again.
    pub resend_after: Duration,
    /// Draw a progress bar on stderr.
    pub progress: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("no day to simulate: the site has no open day in the last two weeks that is over (use --today to play today)")]
    NoDay,
    #[error("--speed must be a positive number of simulated seconds per second")]
    Speed,
    #[error("{date} is too long ago: its scans would be more than 7 days old when they arrive, and the gateway rejects those (bad_time); {hint}")]
    TooOld { date: Date, hint: &'static str },
    #[error("--offline {0}: the site has no such handheld")]
    UnknownScanner(String),
    #[error(transparent)]
    Api(#[from] api::ApiError),
    #[error(transparent)]
    Scanner(#[from] ScannerError),
}

/// Tallies of a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub sent: usize,
    pub accepted: usize,
    /// Accepted with a warning (an anomaly when it arrived).
    pub warnings: usize,
    pub rejected: usize,
    /// Publications of a scan again before its reply came.
    pub resends: u32,
    /// Scans sent once more after their reply, and how many of those got the same reply.
    pub repeats: usize,
    pub repeats_same: usize,
    /// Scans delivered late from an offline handheld's backlog, and how many were accepted.
    pub late: usize,
    pub late_accepted: usize,
    pub elapsed: Duration,
}

/// Everything a run did, for the summary and for tests.
#[derive(Debug)]
pub struct Outcome {
    pub plan: Plan,
    /// What became of each planned scan, by its index in `plan.scans`.
    pub deliveries: Vec<Option<Delivered>>,
    pub summary: Summary,
    /// `GET …/kpis` for the plan's period, as the server answered; `None` without a
    /// manager token.
    pub kpis: Option<serde_json::Value>,
}

/// The `n` most recent open days that are over, and today when `today` and it is not over.
pub fn choose_days(site: &SiteConfig, now: Time, n: usize, today: bool) -> Vec<Date> {
    let schedule = site.schedule();
    let mut days = plan::recent_days(&schedule, now, n);
    if today {
        days.extend(plan::today(&schedule, now));
    }
    days
}

/// Like [`choose_days`], but only days the plan of `seed` may play on the system at `http`,
/// looking further back past the others; returns the days to play (oldest first) and the
/// days left out. A day whose job cards the server already holds from another plan (the
/// demo's, or another `--seed`) was lived already: playing a second story onto it would put
/// each technician on two jobs at once, send another car under the same job number and
/// reuse every handheld's sequence numbers (`seq_conflict`), so it is left as it is. A day
/// with nothing yet, or with this very plan's cards (a replay: exact repeats), is free.
pub async fn choose_free_days(
    site: &SiteConfig,
    http: &str,
    seed: u64,
    now: Time,
    n: usize,
    today: bool,
) -> Result<(Vec<Date>, Vec<Date>), SimError> {
    let api = api::Api::new(http, site)?;
    api.healthz().await?;
    let schedule = site.schedule();
    let (mut free, mut taken) = (Vec::new(), Vec::new());
    for date in plan::recent_days(&schedule, now, usize::MAX)
        .into_iter()
        .rev()
    {
        if free.len() == n {
            break;
        }
        match lived_by_another(&api, site, seed, date).await? {
            true => taken.push(date),
            false => free.push(date),
        }
    }
    free.reverse();
    taken.reverse();
    if let Some(date) = plan::today(&schedule, now).filter(|_| today) {
        match lived_by_another(&api, site, seed, date).await? {
            true => taken.push(date),
            false => free.push(date),
        }
    }
    Ok((free, taken))
}

/// Whether the server holds the first job card of `date` from a plan other than `seed`'s.
pub(crate) async fn lived_by_another(
    api: &api::Api,
    site: &SiteConfig,
    seed: u64,
    date: Date,
) -> Result<bool, SimError> {
    let spec = Spec {
        seed,
        days: vec![date],
        duplicates: 0.0,
    };
    let plan = Plan::new(site, &spec)?;
    let Some(first) = plan.jobs.first() else {
        return Ok(false);
    };
    Ok(api.holds(first).await? == api::Held::Other)
}

/// Plays `opts.days`; stops early with [`ScannerError::Cancelled`] on `cancel`.
pub async fn run(opts: Options, cancel: CancellationToken) -> Result<Outcome, SimError> {
    if !(opts.speed.is_finite() && opts.speed > 0.0) {
        return Err(SimError::Speed);
    }
    if opts.days.is_empty() {
        return Err(SimError::NoDay);
    }
    for o in &opts.offline {
        if opts.site.scanner(o).is_none() {
            return Err(SimError::UnknownScanner(o.clone()));
        }
    }
    let spec = Spec {
        seed: opts.seed,
        days: opts.days.clone(),
        duplicates: opts.duplicates,
    };
    let plan = Plan::new(&opts.site, &spec)?;
    check_age(&plan, opts.speed, jiff::Timestamp::now())?;

    let api = api::Api::new(&opts.http, &opts.site)?;
    api.healthz().await?;
    for card in &plan.jobs {
        api.put_job(card).await?;
    }
    let mut handhelds = connect(&opts, &plan).await?;
    let played = play(&opts, &plan, &mut handhelds, &cancel).await;
    for (_, h) in handhelds {
        h.close().await;
    }
    let (deliveries, elapsed) = played?;
    let kpis = api.kpis(plan.from, plan.to).await?;
    let summary = report::tally(&deliveries, elapsed);
    Ok(Outcome {
        plan,
        deliveries,
        summary,
        kpis,
    })
}

/// Refuses a plan whose oldest scan would be older than the gateway accepts by the time the
/// run is over (with ten minutes to spare).
fn check_age(plan: &Plan, speed: f64, now: Time) -> Result<(), SimError> {
    let (Some(first), Some(day)) = (plan.scans.first(), plan.days.first()) else {
        return Ok(());
    };
    let run = clock::compressed(plan.scans.iter().map(|s| s.event.key.ts)).as_secs_f64() / speed;
    let margin =
        SignedDuration::try_from_secs_f64(run).unwrap_or(MAX_AGE) + SignedDuration::from_mins(10);
    let ts = first.event.key.ts;
    if ts < now - MAX_AGE + margin {
        let hint = if ts < now - MAX_AGE + SignedDuration::from_mins(10) {
            "simulate fewer --days"
        } else {
            "simulate fewer --days or use a higher --speed"
        };
        return Err(SimError::TooOld {
            date: day.date,
            hint,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn a_day_the_gateway_would_find_too_old_is_refused_before_anything_is_sent() {
        let spec = Spec {
            seed: 1,
            days: vec![date(2026, 11, 24)],
            duplicates: 0.0,
        };
        let plan = Plan::new(&SiteConfig::demo(), &spec).unwrap();
        let at = |s: &str| s.parse::<Time>().unwrap();
        assert!(check_age(&plan, 600.0, at("2026-11-25T09:00:00+08:00")).is_ok());
        // Six days and 22 hours after the first scan: the day would end past the 7 days.
        let late = at("2026-12-01T06:00:00+08:00");
        assert!(check_age(&plan, 600.0, late).is_ok());
        // Played in real time, the day's last scans would arrive too old.
        assert!(check_age(&plan, 1.0, late).is_err());
        let e = check_age(&plan, 600.0, at("2026-12-02T09:00:00+08:00")).unwrap_err();
        assert!(e.to_string().ends_with("simulate fewer --days"), "{e}");
        let e = check_age(&plan, 1.0, late).unwrap_err();
        assert!(e.to_string().contains("2026-11-24") && e.to_string().contains("higher --speed"));
    }
}
