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
//! - `demo`: `bayline up --demo`, the simulation behind a running `up`.
//! - this file: options, the run, and the CLI glue.

mod api;
mod clock;
pub mod demo;
pub mod plan;
mod report;
pub mod scanner;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use bayline_domain::Time;
use bayline_gateway::BrokerUrl;
use bayline_proto::Id;
use bayline_site::SiteConfig;
use indicatif::ProgressBar;
use jiff::civil::Date;
use jiff::SignedDuration;
use tokio_util::sync::CancellationToken;

use plan::{Plan, PlanError, Spec};
use scanner::{Delivered, Handheld, Outgoing, ScannerError};

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

async fn connect(opts: &Options, plan: &Plan) -> Result<BTreeMap<Id, Handheld>, SimError> {
    let mut handhelds = BTreeMap::new();
    let used: std::collections::BTreeSet<&Id> =
        plan.scans.iter().map(|s| &s.event.key.scanner).collect();
    for scanner in opts.site.scanners.iter().filter(|s| used.contains(&s.id)) {
        let connected = Handheld::connect(
            &opts.broker,
            opts.site.id.as_str(),
            &scanner.id,
            &scanner.secret,
            opts.resend_after,
        )
        .await;
        match connected {
            Ok(mut h) => {
                h.offline = opts.offline.iter().any(|o| o == scanner.id.as_str());
                handhelds.insert(scanner.id.clone(), h);
            }
            Err(e) => {
                for (_, h) in handhelds {
                    h.close().await;
                }
                return Err(e.into());
            }
        }
    }
    Ok(handhelds)
}

type Played = (Vec<Option<Delivered>>, Duration);

/// Sends every scan at its time on the compressed clock, in timeline order; offline
/// handhelds deliver their backlog after each day's last scan.
async fn play(
    opts: &Options,
    plan: &Plan,
    handhelds: &mut BTreeMap<Id, Handheld>,
    cancel: &CancellationToken,
) -> Result<Played, SimError> {
    let started = Instant::now();
    let mut deliveries: Vec<Option<Delivered>> = vec![None; plan.scans.len()];
    let bar = report::progress_bar(opts.progress, plan.scans.len());
    let Some(first) = plan.scans.first() else {
        return Ok((deliveries, started.elapsed()));
    };
    let tz = opts.site.time_zone.clone();
    let mut clock = clock::SimClock::new(opts.speed, first.event.key.ts);
    for (i, s) in plan.scans.iter().enumerate() {
        if i > 0 && plan.scans[i - 1].day != s.day {
            deliver_backlogs(handhelds, &bar, &mut deliveries, cancel).await?;
        }
        clock.until(s.event.key.ts, cancel).await?;
        let local = s.event.key.ts.to_zoned(tz.clone());
        bar.set_prefix(local.strftime("%a %m-%d %H:%M").to_string());
        let Some(h) = handhelds.get_mut(&s.event.key.scanner) else {
            continue; // every planned scanner is connected by `connect`
        };
        h.queue(Outgoing {
            index: i,
            seq: s.event.key.seq,
            payload: scanner::payload(&s.event, &tz),
            repeat: s.repeat,
        });
        if h.offline {
            bar.set_message(format!("{} holds {} scans", h.id, h.backlog()));
            continue;
        }
        h.flush(false, cancel, |d| record(&bar, plan, &mut deliveries, d))
            .await?;
    }
    deliver_backlogs(handhelds, &bar, &mut deliveries, cancel).await?;
    bar.finish_and_clear();
    Ok((deliveries, started.elapsed()))
}

async fn deliver_backlogs(
    handhelds: &mut BTreeMap<Id, Handheld>,
    bar: &ProgressBar,
    deliveries: &mut [Option<Delivered>],
    cancel: &CancellationToken,
) -> Result<(), ScannerError> {
    for h in handhelds
        .values_mut()
        .filter(|h| h.offline && h.backlog() > 0)
    {
        let (scanner, scans) = (&h.id, h.backlog());
        tracing::debug!(%scanner, scans, "back online: delivering the day's scans");
        bar.set_message(format!("{} back online with {} scans", h.id, h.backlog()));
        h.flush(true, cancel, |d| {
            bar.inc(1);
            let i = d.index;
            if let Some(slot) = deliveries.get_mut(i) {
                *slot = Some(d);
            }
        })
        .await?;
    }
    Ok(())
}

fn record(bar: &ProgressBar, plan: &Plan, deliveries: &mut [Option<Delivered>], d: Delivered) {
    bar.inc(1);
    if let Some(s) = plan.scans.get(d.index) {
        let what = match (d.reply.ok, d.reply.warning, d.reply.code) {
            (true, None, _) => "ok".to_string(),
            (true, Some(w), _) => format!("warning {w}"),
            (false, _, code) => format!("rejected {}", code.map_or("?", |c| c.as_str())),
        };
        let e = &s.event;
        bar.set_message(format!(
            "{} {} {} → {what}",
            e.key.scanner,
            e.badge,
            e.kind.action()
        ));
        if !d.reply.ok {
            let (scanner, seq) = (&e.key.scanner, e.key.seq);
            tracing::warn!(%scanner, seq, reply = ?d.reply, "scan rejected");
        }
    }
    if let Some(slot) = deliveries.get_mut(d.index) {
        *slot = Some(d);
    }
}

/// `bayline simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// The site's TOML file; default: the built-in demo site.
    #[arg(long = "site-config", value_name = "FILE")]
    pub site_config: Option<PathBuf>,
    /// The broker the handhelds publish to; each logs in with its id and secret from the
    /// site file.
    #[arg(long, default_value = "mqtt://127.0.0.1:1883", value_name = "URL")]
    pub broker: BrokerUrl,
    /// bayline's HTTP API, for the job cards and the KPIs (tokens from the site file).
    #[arg(long, default_value = "http://127.0.0.1:8080", value_name = "URL")]
    pub http: String,
    /// Simulated seconds per real second: 600 plays a 9-hour day in about a minute.
    #[arg(long, default_value_t = 600.0)]
    pub speed: f64,
    /// How many working days: the most recent open days that are over, played oldest first.
    #[arg(long, default_value_t = 1)]
    pub days: usize,
    /// Also play today: catch up at --speed, then keep pace with the clock until the day's
    /// last car is handed over.
    #[arg(long)]
    pub today: bool,
    /// Seed of the plan: the same seed and days give the same scans (and replaying them is
    /// harmless: every scan is an exact repeat).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Share of scans (0 to 1) a handheld sends once more after its reply; the system must
    /// answer the same and store nothing new.
    #[arg(long, default_value_t = 0.0, value_name = "RATE")]
    pub duplicates: f64,
    /// A handheld that keeps its scans all day and delivers them after the day's last scan,
    /// with their original times. Repeat for several.
    #[arg(long, value_name = "SCANNER")]
    pub offline: Vec<String>,
    /// Seconds a handheld waits for its reply before it publishes the scan again.
    #[arg(long, default_value_t = 2.0, value_name = "SECS")]
    pub resend_after: f64,
}

/// Runs `bayline simulate` and prints the summary. Exit code 2 when the system rejected a
/// scan or answered a repeat differently: the plan only holds scans a workshop accepts.
pub async fn cli(args: SimulateArgs) -> anyhow::Result<ExitCode> {
    let site = match &args.site_config {
        Some(path) => SiteConfig::load(path)?,
        None => SiteConfig::demo(),
    };
    if !(args.resend_after.is_finite() && args.resend_after > 0.0) {
        anyhow::bail!("--resend-after must be a positive number of seconds");
    }
    let days = choose_days(&site, jiff::Timestamp::now(), args.days, args.today);
    let opts = Options {
        site,
        broker: BrokerUrl {
            user: None,
            password: None,
            ..args.broker
        },
        http: args.http,
        speed: args.speed,
        days,
        seed: args.seed,
        duplicates: args.duplicates,
        offline: args.offline,
        resend_after: Duration::from_secs_f64(args.resend_after),
        progress: true,
    };
    let site = opts.site.clone();
    let cancel = CancellationToken::new();
    let stop = tokio::spawn({
        let cancel = cancel.clone();
        async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                cancel.cancel();
            }
        }
    });
    let outcome = run(opts, cancel).await;
    stop.abort();
    let outcome = outcome.context("bayline simulate")?;
    print!("{}", report::render(&outcome, &site));
    let s = &outcome.summary;
    Ok(if s.rejected > 0 || s.repeats_same < s.repeats {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
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
