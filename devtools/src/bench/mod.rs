//! `bayline bench`: handhelds flat out (or at a rate) against a bayline it starts itself, and
//! in the same run the bare broker's echo through the same broker as the physical limit.
//!
//! The system under test runs as a child process (`bayline up` of this very binary) so its CPU
//! and memory are its own; the load comes from this process. Every scan is a real handheld
//! scan: its own credentials, its own topic, QoS 1, and a reply only after the commit.
//!
//! # Layout
//! - `site`: the bench's site (a bay, a badge, a job per handheld) and its scans.
//! - `load`: lanes of MQTT load, the driver, the echo client.
//! - `client`: a bench client's connection, subscribed, what it hears handed on.
//! - `child`: the system under test as a child process; its CPU and RSS.
//! - `report`: the table and `--json`.
//! - `overload`: `--overload F`: F times the sustainable rate, then back; lost, doubled, RSS.
//! - `outbox`: the overload's handhelds, which republish what has no reply.
//! - `import`: `bayline bench import`, the history import's throughput into SQLite.
//! - `history`: `bayline bench history`, what years of stored history cost at start-up, in
//!   memory and per figure.

mod child;
mod client;
pub mod history;
pub mod import;
mod load;
mod outbox;
mod overload;
mod report;
pub mod site;

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use load::{Echo, Lane, LaneSpec, Outcome};
pub use report::Report;

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Simulated handhelds, each with its own MQTT connection.
    #[arg(long, default_value_t = 200)]
    pub scanners: usize,
    /// Scans per second in all; without it, flat out (each handheld sends its next scan as
    /// soon as it has the reply to the last, like a technician).
    #[arg(long)]
    pub rate: Option<f64>,
    /// How long each phase (echo, then bayline) sends, in seconds.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Database of the system under test: sqlite://PATH (default: a temp file), or a
    /// PostgreSQL server postgres://…/DB, on which the bench makes a database of its own for
    /// the run and drops it afterwards.
    #[arg(long)]
    pub db: Option<String>,
    /// Run the system as a fleet instead of one `bayline up`: N `bayline gateway`s in one
    /// share group and a `bayline server`, on a Mosquitto the bench starts (`mosquitto` on
    /// the PATH, or $MOSQUITTO) and the PostgreSQL server of --db. CPU and RSS are then
    /// those of the bayline processes together.
    #[arg(long, value_name = "N")]
    pub fleet: Option<usize>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Overload instead: measure the rate flat out, offer FACTOR times it (or times --rate)
    /// for --seconds with handhelds that republish unanswered scans, wait until all are
    /// answered, measure flat out again; then check the database (lost, doubled) and report
    /// bayline's peak memory.
    #[arg(long, value_name = "FACTOR", conflicts_with = "fleet")]
    pub overload: Option<f64>,
    /// Another measurement instead of the scan load.
    #[command(subcommand)]
    pub mode: Option<BenchMode>,
}

#[derive(Debug, clap::Subcommand)]
pub enum BenchMode {
    /// The history import (contract §7.4): scans/s of the sample site's history into SQLite.
    Import(import::ImportArgs),
    /// Years of history: start-up, memory and figure times of the sample
    /// site's history of each length, on SQLite or PostgreSQL.
    History(history::HistoryArgs),
}

const SERVICE_USER: &str = "bayline-service";

pub async fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    match args.mode {
        Some(BenchMode::Import(import)) => return import::run(import).await,
        Some(BenchMode::History(history)) => return history::run(history).await,
        None => {}
    }
    anyhow::ensure!(args.scanners > 0, "--scanners must be at least 1");
    anyhow::ensure!(args.rate.is_none_or(|r| r > 0.0), "--rate must be above 0");
    if let Some(factor) = args.overload {
        return overload::run(args, factor).await;
    }
    anyhow::ensure!(args.fleet != Some(0), "--fleet must be at least 1 gateway");
    let dir = tempfile::tempdir().context("cannot make a temp dir")?;
    let db = database(&args, dir.path())?;
    if args.fleet.is_some() && !is_postgres(&db) {
        anyhow::bail!(
            "--fleet runs gateways and a server on one PostgreSQL: give --db postgres://…"
        );
    }
    let site_file = dir.path().join("bench.toml");
    std::fs::write(&site_file, site::toml(args.scanners)).context("cannot write the bench site")?;
    let password = format!("bench-{}", rand_hex());
    let measured = measure(&args, &db, &site_file, &password, dir.path()).await;
    finish(&db, measured, args.json).await
}

/// The run's database: a scratch database on the PostgreSQL server of --db (a run starts
/// from nothing and counts what it stored), the SQLite file of --db, or a temp file in `dir`.
fn database(args: &BenchArgs, dir: &std::path::Path) -> anyhow::Result<String> {
    Ok(match &args.db {
        Some(db) if is_postgres(db) => scratch_database(db)?,
        Some(db) => db.clone(),
        None => format!("sqlite://{}", dir.join("bench.db").display()),
    })
}

/// Drops the run's scratch database, then prints the report (table or `--json`).
async fn finish<R: serde::Serialize + std::fmt::Display>(
    db: &str,
    measured: anyhow::Result<R>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    if is_postgres(db) {
        if let Err(e) = bayline_store::Store::drop_postgres_database(db).await {
            eprintln!("could not drop the bench's database: {e}");
        }
    }
    let report = measured?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{report}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Starts the system, runs both phases, stops it.
async fn measure(
    args: &BenchArgs,
    db: &str,
    site_file: &std::path::Path,
    password: &str,
    dir: &std::path::Path,
) -> anyhow::Result<Report> {
    let system = match args.fleet {
        Some(n) => child::System::fleet(site_file, db, password, n, dir).await?,
        None => child::System::one_box(site_file, db, password).await?,
    };
    let password = password.to_string();
    let http = format!("http://{}", system.http);
    create_jobs(&http, args.scanners).await?;

    let broker = system.broker();
    let window = Duration::from_secs(args.seconds);

    let _echo = Echo::start(&broker, SERVICE_USER, &password).await?;
    let lanes = connect_lanes(&broker, args.scanners, |i| LaneSpec {
        client_id: format!("bench-echo-lane-{i}"),
        user: SERVICE_USER.into(),
        password: password.clone(),
        publish: load::echo_request(i),
        subscribe: load::echo_reply(i),
        payload: Box::new(|n| n.to_be_bytes().to_vec()),
        answer: |b| Some(u64::from_be_bytes(b.try_into().ok()?)),
    })
    .await?;
    let echo = phase("broker echo", lanes, args.rate, window, args.json).await?;

    let lanes = handhelds(&broker, args.scanners, "bench-hh").await?;
    let cpu_before = system.cpu_seconds()?;
    let bayline = phase("bayline", lanes, args.rate, window, args.json).await?;
    let cpu = system.cpu_seconds()? - cpu_before;
    let rss = system.peak_rss_bytes()?;
    system.stop().await;
    Ok(Report::new(args, db, &echo, &bayline, cpu, rss))
}

fn is_postgres(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// A database of the bench's own on the server of `url`: a run starts from nothing (a
/// handheld's seq 1 of an earlier run would be a repeat) and leaves nothing behind.
fn scratch_database(url: &str) -> anyhow::Result<String> {
    let mut url = url::Url::parse(url).with_context(|| format!("--db {url:?} is not a URL"))?;
    url.set_path(&format!("bayline_bench_{}", rand_hex()));
    Ok(url.to_string())
}

/// `n` handhelds of the bench's site, connected, each sending its scans and counting the
/// accepted replies.
async fn handhelds(
    broker: &bayline_gateway::BrokerUrl,
    n: usize,
    client_prefix: &str,
) -> anyhow::Result<Vec<Lane>> {
    connect_lanes(broker, n, |i| LaneSpec {
        client_id: format!("{client_prefix}-{i}"),
        user: site::scanner(i),
        password: site::secret(i),
        publish: bayline_proto::topic::scan(site::SITE, &site::scanner(i)),
        subscribe: bayline_proto::topic::reply(site::SITE, &site::scanner(i)),
        payload: Box::new(move |n| site::scan(i, n, &jiff::Timestamp::now().to_string())),
        answer: |b| {
            let r: bayline_proto::Reply = serde_json::from_slice(b).ok()?;
            r.ok.then_some(r.seq?)
        },
    })
    .await
}

/// One connected lane per handheld, `spec` saying who and where.
async fn connect_lanes(
    broker: &bayline_gateway::BrokerUrl,
    n: usize,
    spec: impl Fn(usize) -> LaneSpec,
) -> anyhow::Result<Vec<Lane>> {
    let mut lanes = Vec::with_capacity(n);
    for i in 0..n {
        lanes.push(Lane::connect(broker, spec(i)).await?);
    }
    Ok(lanes)
}

/// Runs one phase with a progress bar of answers.
async fn phase(
    name: &str,
    lanes: Vec<Lane>,
    rate: Option<f64>,
    window: Duration,
    quiet: bool,
) -> anyhow::Result<Outcome> {
    let answered = Arc::new(AtomicU64::new(0));
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(window.as_secs())
    };
    bar.set_style(
        ProgressStyle::with_template("{prefix:>12} [{bar:30}] {pos}/{len} s  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(name.to_string());
    let ticker = {
        let (bar, answered) = (bar.clone(), answered.clone());
        tokio::spawn(async move {
            let start = std::time::Instant::now();
            loop {
                tokio::time::sleep(Duration::from_millis(250)).await;
                let secs = start.elapsed().as_secs_f64();
                bar.set_position(secs as u64);
                let n = answered.load(Ordering::Relaxed);
                bar.set_message(format!("{n} answers, {:.0}/s", n as f64 / secs.max(0.001)));
            }
        })
    };
    let outcome = load::drive(lanes, rate, window, answered).await;
    ticker.abort();
    bar.finish_and_clear();
    outcome
}

/// One job card per handheld, through the API as an advisor would.
async fn create_jobs(http: &str, n: usize) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    for i in 0..n {
        let body = serde_json::json!({
            "plate": format!("粤B{:05}", i), "vehicle": "Bench",
            "ops": [{"op": "10", "title": "bench", "std_hours": 1000.0}],
        });
        let res = client
            .put(format!(
                "{http}/api/v1/sites/{}/jobs/{}",
                site::SITE,
                site::job(i)
            ))
            .bearer_auth(site::ADVISOR_TOKEN)
            .json(&body)
            .send()
            .await
            .context("cannot reach the system under test")?;
        anyhow::ensure!(
            res.status().is_success(),
            "job card refused: {}",
            res.status()
        );
    }
    Ok(())
}

fn rand_hex() -> String {
    use rand::Rng;
    let bytes: [u8; 12] = rand::thread_rng().gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
