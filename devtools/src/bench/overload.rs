//! `bayline bench --overload F`: F times the sustainable rate for `--seconds`, then back to
//! normal. Four phases against one system:
//!
//! 1. before: the handhelds flat out (closed loop) for a while: the sustainable rate;
//! 2. overload: F times that rate (or F × `--rate`), open loop, each handheld with an outbox as
//!    real ones have: a scan without a reply is published again (same bytes) after 5 s, then
//!    after 10, 20 … up to 60 s;
//! 3. drain: no new scans; until every scan of the overload has its reply;
//! 4. after: flat out again, to compare with the rate before.
//!
//! Then the system is stopped and its database read: every scan of the run must be stored
//! exactly once. Reported: the rates, the drain time, the republished scans, bayline's peak
//! RSS (`VmHWM`), lost and doubled.

use std::process::ExitCode;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use bayline_gateway::BrokerUrl;
use bayline_proto::{topic, Reply};
use serde::Serialize;

use super::load::{self, LaneSpec};
use super::outbox::Fleet;
use super::{child, site, BenchArgs};

/// The seqs of each phase start here, so that no phase repeats another's. Even, so that each
/// handheld's pauses and resumes keep alternating.
pub(super) const OVERLOAD_SEQ: u64 = 1_000_000_000;
const AFTER_SEQ: u64 = 2_000_000_000;
/// How long the drain may take before the run gives up (and reports what is missing).
const DRAIN_LIMIT: Duration = Duration::from_secs(1800);
const MIB: f64 = 1024.0 * 1024.0;

#[derive(Debug, Serialize)]
pub struct OverloadReport {
    pub scanners: usize,
    pub factor: f64,
    pub seconds: u64,
    pub store: String,
    /// Answers/s flat out before the overload.
    pub before_per_second: f64,
    /// What the overload aimed at: factor × (--rate, or the rate before).
    pub target_per_second: f64,
    /// New scans/s actually published during the overload.
    pub offered_per_second: f64,
    /// Answers/s during the overload window.
    pub answered_per_second: f64,
    /// From the end of the overload until its last scan was answered.
    pub drain_seconds: f64,
    /// Answers/s flat out after the drain.
    pub after_per_second: f64,
    pub after_to_before: f64,
    /// Scans of the overload phase.
    pub overload_scans: u64,
    /// Times a handheld published a scan again for want of a reply.
    pub republished: u64,
    /// Every scan of the run (all phases) and what the database holds of them.
    pub total_scans: u64,
    pub unanswered: u64,
    pub lost: u64,
    pub doubled: u64,
    pub peak_rss_mib: f64,
    /// Peak RSS when the overload began (after the phase before).
    pub rss_before_overload_mib: f64,
    /// CPU of bayline from the start of the overload to the end of the drain, in cores.
    pub cpu_cores: f64,
}

pub async fn run(args: BenchArgs, factor: f64) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(factor > 0.0, "--overload must be above 0");
    let dir = tempfile::tempdir().context("cannot make a temp dir")?;
    let db = super::database(&args, dir.path())?;
    let measured = measure(&args, factor, &db, dir.path()).await;
    super::finish(&db, measured, args.json).await
}

/// The four phases on a system of its own, and the count of what it stored.
async fn measure(
    args: &BenchArgs,
    factor: f64,
    db: &str,
    dir: &std::path::Path,
) -> anyhow::Result<OverloadReport> {
    let site_file = dir.join("bench.toml");
    std::fs::write(&site_file, site::toml(args.scanners)).context("cannot write the bench site")?;
    let password = format!("bench-{}", super::rand_hex());
    let system = child::System::one_box(&site_file, db, &password).await?;
    super::create_jobs(&format!("http://{}", system.http), args.scanners).await?;
    // Each handheld brings its own credentials.
    let broker: BrokerUrl = format!("mqtt://{}", system.mqtt).parse()?;
    // The closed-loop phases are as long as the overload, within 3..=10 s.
    let window = Duration::from_secs(args.seconds.clamp(3, 10));
    let say = |line: String| {
        if !args.json {
            eprintln!("{line}");
        }
    };

    let lanes = super::connect_lanes(&broker, args.scanners, |i| flat_out(i, 0, "b")).await?;
    let before = load::drive(lanes, None, window, Arc::new(AtomicU64::new(0))).await?;
    say(format!("before: {:.0} answers/s flat out", before.rate()));

    let base = args.rate.unwrap_or(before.rate());
    let target = base * factor;
    let fleet = Fleet::connect(&broker, args.scanners).await?;
    let cpu0 = system.cpu_seconds()?;
    let rss_before = system.peak_rss_bytes()?;
    say(format!(
        "overload: {target:.0} scans/s for {} s",
        args.seconds
    ));
    let window_overload = Duration::from_secs(args.seconds);
    let started = Instant::now();
    let answered_at_start = fleet.answered();
    fleet.send(target, window_overload).await;
    let sent_window = started.elapsed();
    let answered_in_window = fleet.answered() - answered_at_start;
    let overload_scans = fleet.sent();
    say(format!(
        "overload: {overload_scans} scans sent, {answered_in_window} answered in the window; draining"
    ));
    let drain_start = Instant::now();
    let unanswered = fleet.drain(DRAIN_LIMIT).await;
    let drain = drain_start.elapsed();
    let cpu = (system.cpu_seconds()? - cpu0) / started.elapsed().as_secs_f64();
    let republished = fleet.republished();
    fleet.stop().await;
    say(format!(
        "drained in {:.1} s ({unanswered} unanswered, {republished} republished)",
        drain.as_secs_f64()
    ));

    let lanes =
        super::connect_lanes(&broker, args.scanners, |i| flat_out(i, AFTER_SEQ, "a")).await?;
    let after = load::drive(lanes, None, window, Arc::new(AtomicU64::new(0))).await?;
    say(format!("after: {:.0} answers/s flat out", after.rate()));
    let rss = system.peak_rss_bytes()?;
    system.stop().await;

    let total = before.sent + overload_scans + after.sent;
    let (stored, rows) = count_stored(db).await?;
    Ok(OverloadReport {
        scanners: args.scanners,
        factor,
        seconds: args.seconds,
        store: db.split(':').next().unwrap_or("").to_string(),
        before_per_second: before.rate(),
        target_per_second: target,
        offered_per_second: overload_scans as f64 / sent_window.as_secs_f64(),
        answered_per_second: answered_in_window as f64 / sent_window.as_secs_f64(),
        drain_seconds: drain.as_secs_f64(),
        after_per_second: after.rate(),
        after_to_before: after.rate() / before.rate().max(f64::MIN_POSITIVE),
        overload_scans,
        republished,
        total_scans: total,
        unanswered: unanswered + (before.sent - before.answered) + (after.sent - after.answered),
        lost: total.saturating_sub(stored),
        doubled: rows.saturating_sub(stored),
        peak_rss_mib: rss as f64 / MIB,
        rss_before_overload_mib: rss_before as f64 / MIB,
        cpu_cores: cpu,
    })
}

/// A closed-loop handheld whose seqs start after `offset`; `tag` keeps client ids apart.
fn flat_out(i: usize, offset: u64, tag: &str) -> LaneSpec {
    LaneSpec {
        client_id: format!("bench-ov-{tag}-{i}"),
        user: site::scanner(i),
        password: site::secret(i),
        publish: topic::scan(site::SITE, &site::scanner(i)),
        subscribe: topic::reply(site::SITE, &site::scanner(i)),
        payload: Box::new(move |n| site::scan(i, n + offset, &jiff::Timestamp::now().to_string())),
        answer: if offset == 0 {
            answer_before
        } else {
            answer_after
        },
    }
}

fn answer_before(b: &[u8]) -> Option<u64> {
    let r: Reply = serde_json::from_slice(b).ok()?;
    r.ok.then_some(r.seq?)
}

fn answer_after(b: &[u8]) -> Option<u64> {
    answer_before(b)?.checked_sub(AFTER_SEQ)
}

/// The scans stored for the bench site (first of their seq) and all its rows.
async fn count_stored(db: &str) -> anyhow::Result<(u64, u64)> {
    let store = bayline_store::Store::open(db).await?;
    let site: bayline_proto::Id = site::SITE.parse()?;
    let first = store.seen(&site).await?.len() as u64;
    let rows = store.scans_between(&site, (0, i64::MAX)).await?.len() as u64;
    store.close().await;
    Ok((first, rows))
}

impl std::fmt::Display for OverloadReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} handhelds, overload {}× for {} s, store {}",
            self.scanners, self.factor, self.seconds, self.store
        )?;
        writeln!(
            f,
            "{:<34} {:>10.0}",
            "before, flat out (answers/s)", self.before_per_second
        )?;
        writeln!(
            f,
            "{:<34} {:>10.0}",
            "overload target (scans/s)", self.target_per_second
        )?;
        writeln!(
            f,
            "{:<34} {:>10.0}",
            "overload offered (scans/s)", self.offered_per_second
        )?;
        writeln!(
            f,
            "{:<34} {:>10.0}",
            "overload answered (answers/s)", self.answered_per_second
        )?;
        writeln!(
            f,
            "{:<34} {:>10.1}",
            "drain after it (s)", self.drain_seconds
        )?;
        writeln!(
            f,
            "{:<34} {:>10.0}",
            "after, flat out (answers/s)", self.after_per_second
        )?;
        writeln!(f, "{:<34} {:>10.2}", "after / before", self.after_to_before)?;
        writeln!(f, "{:<34} {:>10}", "overload scans", self.overload_scans)?;
        writeln!(
            f,
            "{:<34} {:>10}",
            "republished by handhelds", self.republished
        )?;
        writeln!(f, "{:<34} {:>10}", "scans of the run", self.total_scans)?;
        writeln!(
            f,
            "{:<34} {:>10} / {} / {}",
            "unanswered / lost / doubled", self.unanswered, self.lost, self.doubled
        )?;
        writeln!(
            f,
            "{:<34} {:>10.0} (when the overload began: {:.0})",
            "bayline peak RSS (MiB)", self.peak_rss_mib, self.rss_before_overload_mib
        )?;
        writeln!(
            f,
            "{:<34} {:>10.2}",
            "bayline CPU, overload+drain (cores)", self.cpu_cores
        )
    }
}
