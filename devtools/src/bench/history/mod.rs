//! `bayline bench history`: what years of history cost. For each length asked, the sample
//! site's history (`domain::sample`: 40 work bays, 60 technicians, about 7 000 scans an open
//! day) is written straight through the store into a database of its own, ending before today,
//! as a site that has run that long would hold it. Then `bayline up` is started on it twice:
//! the first start rebuilds the frozen days of a database that has none (once in a site's
//! life), the second is the start a workshop sees every morning. On that second process the
//! bench times the figures of the last month and year (whole, by badge, bay and day) over HTTP
//! and a handheld load at a fixed rate on a second site of the same process and database.
//!
//! Figures are medians of [`QUERY_RUNS`] requests after a first, unmeasured one. Memory is the
//! process's peak resident size (VmHWM) after start-up and after the figures.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use bayline_domain::kpi::{self, GroupBy, Period};
use bayline_domain::present;
use bayline_domain::sample::{site as sample_site, Size};
use bayline_domain::{Time, Workshop};
use bayline_proto::Id;
use bayline_site::SiteConfig;
use bayline_store::Store;
use jiff::SignedDuration;

mod correction;
mod fill;
mod report;

use correction::correction;
use fill::{fill, history};
pub use report::{HistoryReport, HistoryRow};

use super::child::System;
use super::load::Outcome;
use crate::bench::{create_jobs, handhelds, is_postgres, phase, rand_hex, scratch_database, site};

const MANAGER_TOKEN: &str = "bench-manager-token";
/// Measured requests per figure.
const QUERY_RUNS: usize = 7;
/// Handhelds of the reply-latency load.
const HANDHELDS: usize = 50;

#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// History lengths to measure, in days, each on a database of its own (1092 is three
    /// years in whole weeks: about 7.7 million scans). Lengths in whole weeks end on the same
    /// day, so they differ only in history, not in the open days after it.
    #[arg(long, value_delimiter = ',', default_values_t = [28, 364])]
    pub days: Vec<i64>,
    /// Database: a temp SQLite file (default), or a PostgreSQL server postgres://…/DB on
    /// which the bench makes a scratch database per length and drops it afterwards.
    #[arg(long)]
    pub db: Option<String>,
    /// Scans per second of the reply-latency load on the second site.
    #[arg(long, default_value_t = 1000.0)]
    pub rate: f64,
    /// Seconds of that load; 0 skips it.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Also fold the whole history in the bench and check that the month's and the year's
    /// figures (and the month by badge) bayline answers equal that full fold.
    #[arg(long)]
    pub check: bool,
    /// Print one JSON array instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Sites in the one process and database, each with a history of every length asked: a
    /// dealer group's server (`--sites 50 --bays 8 --days 90`). The figures and the full-fold
    /// check are the first site's.
    #[arg(long, default_value_t = 1)]
    pub sites: usize,
    /// Work bays of each site, with one and a half technicians a bay.
    #[arg(long, default_value_t = 40)]
    pub bays: usize,
    /// Keep each length's SQLite database in DIR (`history-DAYS.db`), and measure one left
    /// there by an earlier run instead of filling it again: for profiling a start or a query.
    #[arg(long, value_name = "DIR")]
    pub keep: Option<std::path::PathBuf>,
}

pub async fn run(args: HistoryArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::ensure!(
        !args.days.is_empty() && args.days.iter().all(|d| *d > 0),
        "--days takes lengths of at least 1 day"
    );
    anyhow::ensure!(args.rate > 0.0, "--rate must be above 0");
    anyhow::ensure!(args.sites > 0, "--sites takes at least 1");
    anyhow::ensure!(args.bays > 0, "--bays takes at least 1");
    let mut rows = Vec::new();
    for &days in &args.days {
        let temp = tempfile::tempdir().context("cannot make a temp dir")?;
        let dir = match &args.keep {
            Some(keep) => {
                std::fs::create_dir_all(keep)
                    .with_context(|| format!("cannot make {}", keep.display()))?;
                keep.clone()
            }
            None => temp.path().to_path_buf(),
        };
        let db = match &args.db {
            Some(db) if is_postgres(db) => {
                anyhow::ensure!(args.keep.is_none(), "--keep is for SQLite only");
                scratch_database(db)?
            }
            Some(db) => {
                anyhow::bail!("--db {db:?}: give a postgres:// server, or nothing for SQLite")
            }
            None => format!(
                "sqlite://{}",
                dir.join(format!("{}.db", name(&args, days))).display()
            ),
        };
        let measured = measure(&args, days, &db, &dir).await;
        if is_postgres(&db) {
            if let Err(e) = Store::drop_postgres_database(&db).await {
                eprintln!("could not drop the bench's database: {e}");
            }
        }
        rows.push(measured?);
    }
    let report = HistoryReport(rows);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{report}");
    }
    Ok(std::process::ExitCode::SUCCESS)
}

async fn measure(
    args: &HistoryArgs,
    days: i64,
    db: &str,
    dir: &Path,
) -> anyhow::Result<HistoryRow> {
    let size = |n: usize| Size {
        work_bays: args.bays,
        technicians: (args.bays * 3).div_ceil(2),
        days,
        seed: Size::MONTH.seed + n as u64,
    };
    let ids: Vec<Id> = (0..args.sites)
        .map(|n| match args.sites {
            1 => Id::new("sample"),
            _ => Id::new(&format!("sample-{:02}", n + 1)),
        })
        .collect::<Result<_, _>>()?;
    let site_id = ids[0].as_str();
    let mut files = Vec::new();
    for (n, id) in ids.iter().enumerate() {
        let file = dir.join(format!("{id}.toml"));
        let sample = sample_site(Size { days: 1, ..size(n) });
        let mut text = super::import::site_toml(&sample, id);
        if n == 0 {
            text += &format!("\n[[tokens]]\ntoken = \"{MANAGER_TOKEN}\"\nrole = \"manager\"\n");
        }
        std::fs::write(&file, text).context("cannot write a history's site file")?;
        files.push(file);
    }
    let history_file = files[0].clone();
    let bench_file = dir.join("bench.toml");
    std::fs::write(&bench_file, site::toml(HANDHELDS)).context("cannot write the bench site")?;
    files.push(bench_file);
    let sites: Vec<&Path> = files.iter().map(|f| f.as_path()).collect();

    // The first site's history, kept for the full-fold check; the others written one by one.
    let (history, cards, from) = history(size(0));
    eprintln!(
        "{days} days from {from}: {} site(s) of {} work bays, the first {} scans and {} job cards, into {}",
        args.sites,
        args.bays,
        history.len(),
        cards.len(),
        if is_postgres(db) {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    // A kept database is whole once its marker is written after the fill.
    let marker = dir.join(format!("{}.filled", name(args, days)));
    let filled = Instant::now();
    let (mut events_total, mut jobs_total) = (history.len(), cards.len());
    // A kept database measured again already holds the reply load's scans of its first run:
    // the handhelds' seqs would all be taken, so that load is not run again.
    let reused = args.keep.is_some() && marker.exists();
    if !reused {
        if args.keep.is_some() {
            // What an interrupted fill left.
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(dir.join(format!("{}.db{suffix}", name(args, days))));
            }
        }
        fill(db, &ids[0], &history, &cards).await?;
        for (n, id) in ids.iter().enumerate().skip(1) {
            let (events, cards, _) = self::history(size(n));
            events_total += events.len();
            jobs_total += cards.len();
            fill(db, id, &events, &cards).await?;
        }
        if args.keep.is_some() {
            // The marker holds the totals, for the table of a later run.
            std::fs::write(&marker, format!("{events_total} {jobs_total}"))
                .context("cannot mark the kept database filled")?;
        }
    } else {
        eprintln!("measuring the database kept in {}", dir.display());
        let totals = std::fs::read_to_string(&marker).unwrap_or_default();
        if let Some((events, jobs)) = totals.trim().split_once(' ') {
            events_total = events.parse().unwrap_or(events_total);
            jobs_total = jobs.parse().unwrap_or(jobs_total);
        }
    }
    let fill_s = filled.elapsed().as_secs_f64();

    let password = format!("bench-{}", rand_hex());
    let started = Instant::now();
    let first = System::one_box_of(&sites, db, &password).await?;
    let rebuild_s = started.elapsed().as_secs_f64();
    first.stop().await;
    // A database in use has its statistics: on PostgreSQL autovacuum analyses the tables a
    // minute or so after the fill and the rebuild wrote them; measured before that, a start
    // and a year's figures are planned on guesses.
    let store = Store::open(db).await.context("opening the database")?;
    store.analyze().await.context("analysing the database")?;
    store.close().await;
    let started = Instant::now();
    let system = System::one_box_of(&sites, db, &password).await?;
    let startup_s = started.elapsed().as_secs_f64();
    let rss_mib = mib(system.peak_rss_bytes()?);

    let http = format!("http://{}", system.http);
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .start_of_day()?
        .timestamp();
    let ago = |d: i64| today - SignedDuration::from_hours(24 * d);
    let client = reqwest::Client::new();
    let kpis = |from: Time, group: Option<&str>| {
        let mut url = format!(
            "{http}/api/v1/sites/{site_id}/kpis?from={}&to={}",
            from.strftime("%Y-%m-%dT%H:%M:%SZ"),
            today.strftime("%Y-%m-%dT%H:%M:%SZ")
        );
        if let Some(g) = group {
            url += &format!("&group_by={g}");
        }
        url
    };
    let kpi_month_ms = median_ms(&client, &kpis(ago(30), None)).await?;
    let kpi_month_by_badge_ms = median_ms(&client, &kpis(ago(30), Some("badge"))).await?;
    let kpi_month_by_bay_ms = median_ms(&client, &kpis(ago(30), Some("bay"))).await?;
    let kpi_month_by_day_ms = median_ms(&client, &kpis(ago(30), Some("day"))).await?;
    let rss_mib_after_figures = mib(system.peak_rss_bytes()?);
    let kpi_year_ms = median_ms(&client, &kpis(ago(365), None)).await?;
    let rss_mib_after_year = mib(system.peak_rss_bytes()?);
    // Last: the check asks for the year too, which would count in the month's memory.
    let equal_to_full_fold = if args.check {
        let config = SiteConfig::parse("bench history", &std::fs::read_to_string(&history_file)?)
            .context("the history's site file")?;
        let mut full = Workshop::new(config.catalog(), config.settings());
        for card in &cards {
            full.upsert_job(card.clone());
        }
        full.restore(history.iter().cloned());
        let mut equal = true;
        let asked = [
            (ago(30), None),
            (ago(365), None),
            (ago(30), Some(("badge", GroupBy::Badge))),
        ];
        for (from, group) in asked {
            let answer = get(&client, &kpis(from, group.map(|(name, _)| name))).await?;
            let by = group.map(|(_, by)| by);
            let period = Period::new(from, today);
            let now = jiff::Timestamp::now();
            let mut expected = serde_json::to_value(kpi::figures(&full, period, now))?;
            if let Some(by) = by {
                expected["rows"] = serde_json::to_value(kpi::grouped(&full, period, now, by))?;
            }
            // As the API prints it: in the site's offset, four decimals.
            present::in_site_terms(&mut expected, &config.time_zone);
            let same = expected
                .as_object()
                .is_some_and(|e| e.iter().all(|(k, v)| answer.get(k) == Some(v)));
            if !same {
                eprintln!("{} days, from {from} by {by:?}: bayline answered {answer}, the full fold is {expected}", days);
            }
            equal &= same;
        }
        Some(equal)
    } else {
        None
    };

    let correction_s = correction(&client, &http, site_id, &history, ago(11)).await?;

    if reused && args.seconds > 0 {
        eprintln!("no reply load on a kept database measured again (its seqs are taken)");
    }
    let load = if args.seconds > 0 && !reused {
        Some(reply_load(&system, args).await?)
    } else {
        None
    };
    system.stop().await;
    Ok(HistoryRow {
        days,
        years: days as f64 / 365.0,
        sites: args.sites,
        events: events_total,
        jobs: jobs_total,
        backend: if is_postgres(db) {
            "postgres"
        } else {
            "sqlite"
        },
        fill_s,
        rebuild_s,
        startup_s,
        rss_mib,
        rss_mib_after_figures,
        rss_mib_after_year,
        kpi_month_ms,
        kpi_year_ms,
        kpi_month_by_badge_ms,
        kpi_month_by_bay_ms,
        kpi_month_by_day_ms,
        correction_s,
        reply_p99_ms: load.as_ref().map(|o| o.percentile_ms(0.99)),
        reply_rate: load.as_ref().map(Outcome::rate),
        equal_to_full_fold,
    })
}

/// The name of a kept database and its marker.
fn name(args: &HistoryArgs, days: i64) -> String {
    match (args.sites, args.bays) {
        (1, 40) => format!("history-{days}"),
        (sites, bays) => format!("history-{days}-{sites}x{bays}"),
    }
}

async fn get(client: &reqwest::Client, url: &str) -> anyhow::Result<serde_json::Value> {
    let res = client
        .get(url)
        .bearer_auth(MANAGER_TOKEN)
        .send()
        .await
        .with_context(|| format!("GET {url}"))?;
    let status = res.status();
    let body = res.bytes().await?;
    anyhow::ensure!(
        status.is_success(),
        "GET {url}: {status} {}",
        String::from_utf8_lossy(&body)
    );
    serde_json::from_slice(&body).with_context(|| format!("GET {url}: not JSON"))
}

/// The median time of [`QUERY_RUNS`] requests of `url`, after one unmeasured.
async fn median_ms(client: &reqwest::Client, url: &str) -> anyhow::Result<f64> {
    let mut times = Vec::with_capacity(QUERY_RUNS);
    for run in 0..=QUERY_RUNS {
        let started = Instant::now();
        get(client, url).await?;
        if run > 0 {
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// Handhelds of the bench's own site at `args.rate` for `args.seconds`.
async fn reply_load(system: &System, args: &HistoryArgs) -> anyhow::Result<Outcome> {
    create_jobs(&format!("http://{}", system.http), HANDHELDS).await?;
    let broker = system.broker();
    let lanes = handhelds(&broker, HANDHELDS, "bench-history-hh").await?;
    phase(
        "scans",
        lanes,
        Some(args.rate),
        Duration::from_secs(args.seconds),
        args.json,
    )
    .await
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}
