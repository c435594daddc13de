//! `bayline bench import`: how fast a clocking history goes in through the import path
//! (contract §7.4) into SQLite. The history is `domain::sample`'s busy site (40 work bays, 60
//! technicians) for `--days`, written as the NDJSON an earlier system would export; it goes
//! through [`Ledger::import`] in 64 MiB requests, as `bayline import` sends them, on a fresh
//! database file with the durable settings bayline runs with. The HTTP transfer of the body is
//! not in the figure; parsing, judging, storing and showing are. Then the same file again: every
//! line a repeat.

use std::fmt;
use std::time::Instant;

use anyhow::Context;
use bayline_domain::sample::{site, Size};
use bayline_domain::{Event, Time};
use bayline_ledger::{ImportSummary, Ledger};
use bayline_site::SiteConfig;
use bayline_store::Store;
use jiff::tz::TimeZone;
use tokio_util::sync::CancellationToken;

use crate::simulate::scanner::payload;

/// Largest request `bayline import` sends (the server's limit).
const REQUEST: usize = 64 * 1024 * 1024;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Days of the sample site's history to import (about 7 000 scans a day).
    #[arg(long, default_value_t = 30)]
    pub days: i64,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, serde::Serialize)]
pub struct ImportReport {
    pub days: i64,
    pub scans: usize,
    pub bytes: usize,
    pub requests: usize,
    pub seconds: f64,
    pub scans_per_s: f64,
    pub accepted: u64,
    pub rejected: u64,
    pub anomalies: u64,
    /// The same file once more: every line a repeat.
    pub again_seconds: f64,
    pub again_scans_per_s: f64,
    pub again_repeats: u64,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "import of {} days of the sample site: {} scans, {:.1} MiB in {} request(s)",
            self.days,
            self.scans,
            self.bytes as f64 / (1024.0 * 1024.0),
            self.requests
        )?;
        writeln!(
            f,
            "| run | seconds | scans/s | accepted | rejected | anomalies | repeats |"
        )?;
        writeln!(f, "| --- | --- | --- | --- | --- | --- | --- |")?;
        writeln!(
            f,
            "| first | {:.2} | {:.0} | {} | {} | {} | 0 |",
            self.seconds, self.scans_per_s, self.accepted, self.rejected, self.anomalies
        )?;
        writeln!(
            f,
            "| again | {:.2} | {:.0} | 0 | 0 | 0 | {} |",
            self.again_seconds, self.again_scans_per_s, self.again_repeats
        )
    }
}

pub async fn run(args: ImportArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::ensure!(args.days > 0, "--days must be at least 1");
    let report = measure(&args).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{report}");
    }
    Ok(std::process::ExitCode::SUCCESS)
}

async fn measure(args: &ImportArgs) -> anyhow::Result<ImportReport> {
    let sample = site(Size {
        days: args.days,
        ..Size::MONTH
    });
    let config = SiteConfig::parse("bench import", &site_toml(&sample, "sample"))
        .context("the sample's site file")?;
    let dir = tempfile::tempdir().context("cannot make a temp dir")?;
    let db = format!("sqlite://{}", dir.path().join("import.db").display());
    let store = Store::open(&db).await.context("opening the database")?;
    let ledger = Ledger::open(store, vec![config.clone()]).await?;
    // The import's clock: a day after the history, so every scan is old and none is future.
    let now = sample.to + jiff::SignedDuration::from_hours(24);
    // The cards come from the sample as a DMS would send them, before any scan.
    let dms = bayline_ledger::Editor {
        who: "bench".to_string(),
        manager: false,
    };
    for card in sample.catalog.jobs.values() {
        ledger
            .put_job(&config.id, card.clone(), sample.from, &dms)
            .await?;
    }
    let mut events: Vec<&Event> = sample.events.iter().collect();
    events.sort_by(|a, b| a.key.cmp(&b.key));
    let body = ndjson(&events, &config.time_zone);
    let requests = requests(&body);
    eprintln!(
        "importing {} scans ({:.1} MiB)…",
        events.len(),
        body.len() as f64 / (1024.0 * 1024.0)
    );
    let (first, seconds) = import(&ledger, &config, &requests, now).await?;
    let (again, again_seconds) = import(&ledger, &config, &requests, now).await?;
    let scans = events.len();
    Ok(ImportReport {
        days: args.days,
        scans,
        bytes: body.len(),
        requests: requests.len(),
        seconds,
        scans_per_s: scans as f64 / seconds,
        accepted: first.accepted,
        rejected: first.rejected,
        anomalies: first.anomalies,
        again_seconds,
        again_scans_per_s: scans as f64 / again_seconds,
        again_repeats: again.repeats,
    })
}

async fn import(
    ledger: &Ledger,
    config: &SiteConfig,
    requests: &[&[u8]],
    now: Time,
) -> anyhow::Result<(ImportSummary, f64)> {
    let cancel = CancellationToken::new();
    let started = Instant::now();
    let mut summary = ImportSummary::default();
    for body in requests {
        summary.add(
            ledger
                .import(&config.id, body.to_vec(), now, &cancel)
                .await?,
        );
    }
    Ok((summary, started.elapsed().as_secs_f64()))
}

/// The events as an earlier system's export: one §3.1 scan a line, with its scanner.
fn ndjson(events: &[&Event], tz: &TimeZone) -> Vec<u8> {
    let mut body = Vec::with_capacity(events.len() * 160);
    for e in events {
        let mut line = payload(e, tz);
        line.pop(); // the closing brace: the scanner goes in before it
        body.extend_from_slice(&line);
        body.extend_from_slice(format!(",\"scanner\":\"{}\"}}\n", e.key.scanner).as_bytes());
    }
    body
}

/// `body` cut at line ends into pieces of at most [`REQUEST`] bytes.
fn requests(mut body: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while body.len() > REQUEST {
        let cut = body[..REQUEST]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(REQUEST, |at| at + 1);
        let (head, rest) = body.split_at(cut);
        out.push(head);
        body = rest;
    }
    if !body.is_empty() {
        out.push(body);
    }
    out
}

/// The sample's bays and staff as a site file; open round the clock with a day's grace, so
/// the figures are the sample's work, not clock-offs the site file invented.
pub(super) fn site_toml(sample: &bayline_domain::sample::Site, site: &str) -> String {
    use std::fmt::Write;
    let mut s = format!(
        "[site]\nid = \"{site}\"\nname = \"Sample {site}\"\ntime_zone = \"UTC\"\nlanguage = \"en\"\n\
         auto_clock_off_grace_min = 1440\n\n[site.opening_hours]\n",
    );
    for day in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
        let _ = writeln!(s, "{day} = \"00:00-23:59\"");
    }
    let word = |v: serde_json::Result<serde_json::Value>| {
        v.ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    for (bay, kind) in &sample.catalog.bays {
        let kind = word(serde_json::to_value(kind));
        let _ = write!(s, "\n[[bays]]\nid = \"{bay}\"\nkind = \"{kind}\"\n");
    }
    for (badge, role) in &sample.catalog.badges {
        let role = word(serde_json::to_value(role));
        let _ = write!(s, "\n[[staff]]\nbadge = \"{badge}\"\nrole = \"{role}\"\n");
    }
    s
}
