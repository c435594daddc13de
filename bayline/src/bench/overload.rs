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

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use bayline_gateway::BrokerUrl;
use bayline_proto::{topic, Reply};
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::load::{self, LaneSpec};
use super::{child, site, BenchArgs};

/// The seqs of each phase start here, so that no phase repeats another's. Even, so that each
/// handheld's pauses and resumes keep alternating.
const OVERLOAD_SEQ: u64 = 1_000_000_000;
const AFTER_SEQ: u64 = 2_000_000_000;
/// First republish of an unanswered scan; doubled each time up to [`RESEND_MAX`].
const RESEND_FIRST: Duration = Duration::from_secs(5);
const RESEND_MAX: Duration = Duration::from_secs(60);
/// How long the drain may take before the run gives up (and reports what is missing).
const DRAIN_LIMIT: Duration = Duration::from_secs(1800);

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
    /// CPU of bayline from the start of the overload to the end of the drain, in cores.
    pub cpu_cores: f64,
}

pub async fn run(args: BenchArgs, factor: f64) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(factor > 0.0, "--overload must be above 0");
    let dir = tempfile::tempdir().context("cannot make a temp dir")?;
    let db = match &args.db {
        // A database of its own: the run counts what it stored.
        Some(db) if super::is_postgres(db) => super::scratch_database(db)?,
        Some(db) => db.clone(),
        None => format!("sqlite://{}", dir.path().join("bench.db").display()),
    };
    let measured = measure(&args, factor, &db, dir.path()).await;
    if super::is_postgres(&db) {
        if let Err(e) = bayline_store::Store::drop_postgres_database(&db).await {
            eprintln!("could not drop the bench's database: {e}");
        }
    }
    let report = measured?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{report}");
    }
    Ok(ExitCode::SUCCESS)
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
        peak_rss_mib: rss as f64 / (1024.0 * 1024.0),
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

/// A scan a handheld has no reply for yet.
struct Pending {
    payload: Vec<u8>,
    next_send: Instant,
    wait: Duration,
}

/// What one handheld of the overload holds: its outbox, and counts.
#[derive(Default)]
struct Outbox {
    pending: HashMap<u64, Pending>,
    sent: u64,
    answered: u64,
    republished: u64,
}

struct Handheld {
    i: usize,
    client: AsyncClient,
    outbox: Arc<Mutex<Outbox>>,
    poll: tokio::task::JoinHandle<()>,
}

/// The overload's handhelds, each with its own connection and outbox.
struct Fleet {
    handhelds: Vec<Handheld>,
    stop: CancellationToken,
    resender: tokio::task::JoinHandle<()>,
}

impl Fleet {
    async fn connect(broker: &BrokerUrl, n: usize) -> anyhow::Result<Fleet> {
        let mut handhelds = Vec::with_capacity(n);
        for i in 0..n {
            handhelds.push(Handheld::connect(broker, i).await?);
        }
        let stop = CancellationToken::new();
        let resender = tokio::spawn(resend(
            handhelds
                .iter()
                .map(|h| (h.i, h.client.clone(), h.outbox.clone()))
                .collect(),
            stop.clone(),
        ));
        Ok(Fleet {
            handhelds,
            stop,
            resender,
        })
    }

    fn total(&self, f: impl Fn(&Outbox) -> u64) -> u64 {
        (self.handhelds.iter())
            .map(|h| f(&h.outbox.lock().unwrap_or_else(|p| p.into_inner())))
            .sum()
    }

    fn sent(&self) -> u64 {
        self.total(|o| o.sent)
    }

    fn answered(&self) -> u64 {
        self.total(|o| o.answered)
    }

    fn republished(&self) -> u64 {
        self.total(|o| o.republished)
    }

    /// Every handheld sends new scans for `window`, `rate` a second in all, spread evenly.
    async fn send(&self, rate: f64, window: Duration) {
        let n = self.handhelds.len();
        let period = Duration::from_secs_f64(n as f64 / rate.max(0.001));
        let until = Instant::now() + window;
        let tasks: Vec<_> = (self.handhelds.iter().enumerate())
            .map(|(k, h)| {
                let (i, client, outbox) = (h.i, h.client.clone(), h.outbox.clone());
                let offset = period.mul_f64(k as f64 / n as f64);
                tokio::spawn(async move {
                    let mut next = Instant::now() + offset;
                    let mut seq = OVERLOAD_SEQ;
                    let topic = topic::scan(site::SITE, &site::scanner(i));
                    while next < until {
                        tokio::time::sleep_until(next.into()).await;
                        seq += 1;
                        let payload = site::scan(i, seq, &jiff::Timestamp::now().to_string());
                        {
                            let mut o = outbox.lock().unwrap_or_else(|p| p.into_inner());
                            o.sent += 1;
                            o.pending.insert(
                                seq,
                                Pending {
                                    payload: payload.clone(),
                                    next_send: Instant::now() + RESEND_FIRST,
                                    wait: RESEND_FIRST,
                                },
                            );
                        }
                        // Waits when the client's queue is full: the offered rate says so.
                        if client
                            .publish(&topic, QoS::AtLeastOnce, false, payload)
                            .await
                            .is_err()
                        {
                            return;
                        }
                        next += period;
                    }
                })
            })
            .collect();
        for t in tasks {
            let _ = t.await;
        }
    }

    /// Waits until no scan is unanswered, or `limit`; how many are left.
    async fn drain(&self, limit: Duration) -> u64 {
        let until = Instant::now() + limit;
        loop {
            let left = self.total(|o| o.pending.len() as u64);
            if left == 0 || Instant::now() > until {
                return left;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn stop(self) {
        self.stop.cancel();
        let _ = self.resender.await;
        for h in self.handhelds {
            let _ = h.client.try_disconnect();
            h.poll.abort();
        }
    }
}

impl Handheld {
    async fn connect(broker: &BrokerUrl, i: usize) -> anyhow::Result<Handheld> {
        let id = site::scanner(i);
        let mut o = MqttOptions::new(format!("bench-ov-o-{i}"), &broker.host, broker.port);
        o.set_credentials(&id, site::secret(i))
            .set_keep_alive(Duration::from_secs(30))
            .set_inflight(100);
        let (client, mut events) = AsyncClient::new(o, 1024);
        client
            .subscribe(topic::reply(site::SITE, &id), QoS::AtLeastOnce)
            .await?;
        let outbox = Arc::new(Mutex::new(Outbox::default()));
        let (ready_tx, ready) = tokio::sync::oneshot::channel::<Result<(), String>>();
        let book = outbox.clone();
        let poll = tokio::spawn(async move {
            let mut ready_tx = Some(ready_tx);
            loop {
                match events.poll().await {
                    Ok(Event::Incoming(Packet::SubAck(_))) => {
                        if let Some(r) = ready_tx.take() {
                            let _ = r.send(Ok(()));
                        }
                    }
                    Ok(Event::Incoming(Packet::Publish(p))) => {
                        // Any reply answers the scan, ok or not (the bench's scans are valid).
                        let Some(seq) = serde_json::from_slice::<Reply>(&p.payload)
                            .ok()
                            .and_then(|r| r.seq)
                        else {
                            continue;
                        };
                        let mut o = book.lock().unwrap_or_else(|p| p.into_inner());
                        if o.pending.remove(&seq).is_some() {
                            o.answered += 1;
                        }
                    }
                    Ok(_) => {}
                    Err(e) => match ready_tx.take() {
                        Some(r) => {
                            let _ = r.send(Err(e.to_string()));
                            return;
                        }
                        None => tokio::time::sleep(Duration::from_millis(100)).await,
                    },
                }
            }
        });
        tokio::time::timeout(Duration::from_secs(10), ready)
            .await
            .context("no SubAck within 10 s")?
            .context("handheld stopped")?
            .map_err(|e| anyhow::anyhow!("{id} cannot connect: {e}"))?;
        Ok(Handheld {
            i,
            client,
            outbox,
            poll,
        })
    }
}

/// Publishes again what waited too long, with a growing wait per scan, until `stop`.
async fn resend(handhelds: Vec<(usize, AsyncClient, Arc<Mutex<Outbox>>)>, stop: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        let now = Instant::now();
        for (i, client, outbox) in &handhelds {
            let topic = topic::scan(site::SITE, &site::scanner(*i));
            let mut o = outbox.lock().unwrap_or_else(|p| p.into_inner());
            let mut again = 0;
            for p in o.pending.values_mut().filter(|p| p.next_send <= now) {
                // A full client queue: try at the next tick.
                if client
                    .try_publish(&topic, QoS::AtLeastOnce, false, p.payload.clone())
                    .is_err()
                {
                    break;
                }
                p.wait = (p.wait * 2).min(RESEND_MAX);
                p.next_send = now + p.wait;
                again += 1;
            }
            o.republished += again;
        }
    }
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
            "{:<34} {:>10.0}",
            "bayline peak RSS (MiB)", self.peak_rss_mib
        )?;
        writeln!(
            f,
            "{:<34} {:>10.2}",
            "bayline CPU, overload+drain (cores)", self.cpu_cores
        )
    }
}
