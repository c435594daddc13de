//! `bayline up --demo`: a living workshop behind a running `up`, for a newcomer. It replays
//! the most recent working day that is over in a few minutes, then plays today: catching up
//! to now, then at the pace of the clock; after midnight it does the same for the new day.
//!
//! The seed is fixed, so a restarted demo sends the very same scans again (exact repeats,
//! which change nothing) and carries on where it was.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

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

/// Runs until `cancel`.
pub async fn run(demo: Demo, cancel: CancellationToken) {
    let mut played: BTreeSet<Date> = BTreeSet::new();
    while !cancel.is_cancelled() {
        let now = jiff::Timestamp::now();
        let schedule = demo.site.schedule();
        let mut days: Vec<(Date, bool)> = plan::recent_days(&schedule, now, 1)
            .into_iter()
            .map(|d| (d, false))
            .collect();
        days.extend(plan::today(&schedule, now).map(|d| (d, true)));
        for (day, live) in days {
            if played.contains(&day) || cancel.is_cancelled() {
                continue;
            }
            tracing::info!(%day, live, "demo: playing a workshop day");
            match play(&demo, day, &cancel).await {
                Ok(()) => {
                    played.insert(day);
                }
                Err(SimError::Scanner(ScannerError::Cancelled)) => return,
                Err(e @ SimError::Plan(_)) => {
                    tracing::error!(error = %e, "demo: this site cannot be simulated");
                    return;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "demo: trying again in 30 s");
                    pause(&cancel, Duration::from_secs(30)).await;
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
