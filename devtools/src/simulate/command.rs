//! The `bayline simulate` command: its arguments, the run behind Ctrl-C, the summary and
//! the exit code.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use bayline_gateway::BrokerUrl;
use bayline_site::SiteConfig;
use tokio_util::sync::CancellationToken;

use super::{choose_free_days, report, run, Options};

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
    let (days, taken) = choose_free_days(
        &site,
        &args.http,
        args.seed,
        jiff::Timestamp::now(),
        args.days,
        args.today,
    )
    .await
    .context("bayline simulate")?;
    for day in taken {
        eprintln!(
            "{day}: already played by another plan (the demo's, or another --seed); left as it is"
        );
    }
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
