//! `bayline up --demo`: a living workshop behind a running `up`, for a newcomer. On a day
//! the site is open it plays today by the site's hours for that weekday: catching up to now,
//! then at the pace of the clock. On a closed day, and once today's work is over, it replays
//! the most recent open day in a few minutes instead; after midnight it looks again.
//!
//! Only one day is played at a time: a past day replayed beside today would show its
//! technicians clocked on at every bay until its replay ends, a weekday's workshop on a
//! Saturday afternoon.
//!
//! The seed is fixed, so a restarted demo sends the very same scans again (exact repeats,
//! which change nothing) and carries on where it was. A day already played by another plan
//! (`bayline simulate --seed N`) is left as it is.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

use bayline_domain::{Schedule, Time};
use bayline_gateway::BrokerUrl;
use bayline_site::SiteConfig;
use jiff::civil::Date;
use tokio_util::sync::CancellationToken;

use super::{plan, Options, SimError};
use crate::simulate::scanner::ScannerError;

/// Simulated seconds per second: a day of the demo site (about eleven hours from the first
/// check-in to the last handover) in under three minutes.
pub const DEFAULT_SPEED: f64 = 240.0;

#[derive(Debug, Clone)]
pub struct Demo {
    pub site: SiteConfig,
    pub broker: BrokerUrl,
    pub http: String,
    pub speed: f64,
}

impl Demo {
    /// The demo against the system `up` just started: its broker (`mqtt`, the `host:port` of
    /// its ready line, or the external one, whose credentials are the service's, not a
    /// handheld's) and its HTTP address.
    pub fn new(
        site: SiteConfig,
        mqtt: &str,
        http: SocketAddr,
        external: Option<BrokerUrl>,
        speed: f64,
    ) -> Demo {
        let broker = match external {
            Some(url) => BrokerUrl {
                user: None,
                password: None,
                ..url
            },
            None => {
                let (host, port) = mqtt.rsplit_once(':').unwrap_or((mqtt, "1883"));
                BrokerUrl {
                    host: reachable(host.trim_matches(['[', ']'])),
                    port: port.parse().unwrap_or(1883),
                    user: None,
                    password: None,
                    tls: None,
                }
            }
        };
        let ip = reachable(&http.ip().to_string());
        let http = if ip.contains(':') {
            format!("http://[{ip}]:{}", http.port())
        } else {
            format!("http://{ip}:{}", http.port())
        };
        Demo {
            site,
            broker,
            http,
            speed,
        }
    }
}

/// A listening address a client can connect to: "any" means this machine.
fn reachable(host: &str) -> String {
    match host {
        "0.0.0.0" => "127.0.0.1".into(),
        "::" => "::1".into(),
        h => h.into(),
    }
}

/// The day the demo plays at `now` and whether it is played live: today while the site is
/// open today and its work is not over; otherwise the most recent open day that is.
pub fn day_at(schedule: &Schedule, now: Time) -> Option<(Date, bool)> {
    if let Some(today) = plan::today(schedule, now) {
        return Some((today, true));
    }
    let last = plan::recent_days(schedule, now, 1).pop()?;
    Some((last, false))
}

/// Runs until `cancel`.
pub async fn run(demo: Demo, cancel: CancellationToken) {
    let mut played: BTreeSet<Date> = BTreeSet::new();
    while !cancel.is_cancelled() {
        let schedule = demo.site.schedule();
        let day = day_at(&schedule, jiff::Timestamp::now()).filter(|(d, _)| !played.contains(d));
        if let Some((day, live)) = day {
            tracing::info!(%day, live, "demo: playing a workshop day");
            match play(&demo, day, &cancel).await {
                Ok(()) => {
                    played.insert(day);
                    continue;
                }
                Err(SimError::Scanner(ScannerError::Cancelled)) => return,
                Err(e @ SimError::Plan(_)) => {
                    tracing::error!(error = %e, "demo: this site cannot be simulated");
                    return;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "demo: trying again in 30 s");
                    pause(&cancel, Duration::from_secs(30)).await;
                    continue;
                }
            }
        }
        // Nothing more to play before the next day: look again in a while.
        pause(&cancel, Duration::from_secs(300)).await;
    }
}

/// Whether `day` was played to its end already (a restarted demo): its last car was
/// handed over.
async fn done_before(demo: &Demo, opts: &Options) -> Result<bool, SimError> {
    let spec = plan::Spec {
        seed: opts.seed,
        days: opts.days.clone(),
        duplicates: opts.duplicates,
    };
    let plan = plan::Plan::new(&demo.site, &spec)?;
    let Some(last) = plan.jobs.last() else {
        return Ok(false);
    };
    let api = super::api::Api::new(&demo.http, &demo.site)?;
    Ok(api.stage(last.job.as_str()).await?.as_deref() == Some("delivered"))
}

async fn play(demo: &Demo, day: Date, cancel: &CancellationToken) -> Result<(), SimError> {
    let opts = Options {
        site: demo.site.clone(),
        broker: demo.broker.clone(),
        http: demo.http.clone(),
        speed: demo.speed,
        days: vec![day],
        seed: 1,
        duplicates: 0.02,
        offline: Vec::new(),
        resend_after: Duration::from_secs(2),
        progress: false,
    };
    if done_before(demo, &opts).await? {
        tracing::info!(%day, "demo: this day was played before");
        return Ok(());
    }
    let api = super::api::Api::new(&demo.http, &demo.site)?;
    if super::lived_by_another(&api, &demo.site, opts.seed, day).await? {
        tracing::info!(%day, "demo: this day was played by another plan; left as it is");
        return Ok(());
    }
    let outcome = super::run(opts, cancel.child_token()).await?;
    let s = &outcome.summary;
    tracing::info!(
        %day,
        sent = s.sent,
        accepted = s.accepted,
        warnings = s.warnings,
        rejected = s.rejected,
        "demo: day played"
    );
    Ok(())
}

async fn pause(cancel: &CancellationToken, d: Duration) {
    tokio::select! {
        _ = cancel.cancelled() => {}
        _ = tokio::time::sleep(d) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Time {
        s.parse().unwrap()
    }

    fn demo_day(now: &str) -> Option<(Date, bool)> {
        day_at(&SiteConfig::demo().schedule(), at(now))
    }

    #[test]
    fn on_a_saturday_the_demo_plays_that_saturday_by_its_short_hours_alone() {
        use jiff::civil::date;
        // Saturday 5 December 2026, 15:00 and 16:00 in Shanghai: today, live, not Friday.
        for now in ["2026-12-05T15:00:00+08:00", "2026-12-05T16:00:00+08:00"] {
            assert_eq!(demo_day(now), Some((date(2026, 12, 5), true)), "{now}");
        }
        let spec = plan::Spec {
            seed: 1,
            days: vec![date(2026, 12, 5)],
            duplicates: 0.02,
        };
        let plan = plan::Plan::new(&SiteConfig::demo(), &spec).unwrap();
        let close = at("2026-12-05T16:00:00+08:00");
        let overtime = jiff::SignedDuration::from_mins(30);
        // Nobody clocks on after closing, and every shift ends soon after it.
        for s in &plan.scans {
            let ts = s.event.key.ts;
            match &s.event.kind {
                bayline_domain::EventKind::Start { .. }
                | bayline_domain::EventKind::Resume { .. } => {
                    assert!(ts < close, "{:?} at {ts}", s.event.kind)
                }
                bayline_domain::EventKind::ShiftEnd => assert!(ts <= close + overtime, "{ts}"),
                _ => {}
            }
        }
    }

    #[test]
    fn on_a_closed_day_or_after_hours_the_demo_replays_the_last_open_day() {
        use jiff::civil::date;
        // Sunday: closed; the Saturday before is replayed.
        let sunday = demo_day("2026-12-06T11:00:00+08:00");
        assert_eq!(sunday, Some((date(2026, 12, 5), false)));
        // Saturday night, once the day's tail is over: that Saturday, replayed.
        let night = demo_day("2026-12-05T18:30:00+08:00");
        assert_eq!(night, Some((date(2026, 12, 5), false)));
        // Monday before opening: Monday, live (its first scans wait for their time).
        let monday = demo_day("2026-12-07T07:00:00+08:00");
        assert_eq!(monday, Some((date(2026, 12, 7), true)));
    }
}
