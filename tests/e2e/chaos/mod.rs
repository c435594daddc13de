//! Chaos: a fleet of handhelds with outboxes sends scans without pause while the
//! suite kills `bayline up` with SIGKILL and starts it again on the same database, restarts
//! Mosquitto (in `--broker` mode), and takes the database away for a while. Then a checker
//! compares what was sent with what was stored and heard: lost, doubled, unexpected,
//! unanswered and mismatched replies must all be 0. While the database is away no new scan
//! may be answered (nothing is acknowledged before it is stored) and bayline must not spin.
//!
//! Three setups: SQLite with the built-in broker (always), SQLite through Mosquitto
//! (`BAYLINE_TEST_MOSQUITTO`), PostgreSQL (`BAYLINE_TEST_POSTGRES`; through Mosquitto when
//! that is enabled too). `BAYLINE_CHAOS_SCALE=k` runs k rounds of faults with k times the
//! handhelds and k times the outage; `BAYLINE_CHAOS_SEED` repeats a run's timing.
//!
//! # Layout
//! - `system`: `bayline up` as a child process: start, SIGKILL, restart, SIGTERM, CPU time.
//! - `fleet`: the handhelds and their outboxes; what each sent and heard.
//! - `mosquitto`: a Mosquitto with persistence that restarts on its port.
//! - `outage`: the database taken away: SQLite frozen (`chattr +i`), PostgreSQL cut at a proxy.
//! - `run`: one run: the system, the fleet, each fault and the recovery after it, the check.
//! - `check`: the total-queue checker and the table.
//! - `overload`: ten times the sustainable rate, through `bayline bench --overload`.

mod check;
mod fleet;
mod mosquitto;
mod outage;
mod overload;
mod run;
pub(crate) mod system;

use std::path::{Path, PathBuf};

use bayline_devtools::bench::site;

use outage::Proxy;
use run::run;
use system::free_port;

use crate::services::{database, Database};

fn scale() -> usize {
    std::env::var("BAYLINE_CHAOS_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&k| k > 0)
        .unwrap_or(1)
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Kill,
    BrokerRestart { graceful: bool },
    Outage,
}

enum Db {
    Sqlite { dir: PathBuf },
    Postgres { db: Database, proxy: Proxy },
}

enum Broker {
    BuiltIn { port: u16 },
    Mosquitto(mosquitto::Mosquitto),
}

impl Broker {
    fn port(&self) -> u16 {
        match self {
            Broker::BuiltIn { port } => *port,
            Broker::Mosquitto(m) => m.port,
        }
    }
}

struct Setup {
    title: &'static str,
    dir: tempfile::TempDir,
    site: PathBuf,
    handhelds: usize,
    db: Db,
    broker: Broker,
    /// One round of faults, repeated `scale()` times.
    round: Vec<Kind>,
}

/// A temp dir with the bench site for `n` handhelds; its site file.
fn site_dir(n: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("bench.toml");
    std::fs::write(&site, site::toml(n)).unwrap();
    (dir, site)
}

fn sqlite(dir: &Path) -> Db {
    let data = dir.join("data");
    std::fs::create_dir(&data).unwrap();
    Db::Sqlite { dir: data }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_with_the_built_in_broker_survives_kills_and_a_frozen_disk() {
    let n = 20 * scale();
    let (dir, site) = site_dir(n);
    let db = sqlite(dir.path());
    run(Setup {
        title: "chaos: SQLite, built-in broker",
        dir,
        site,
        handhelds: n,
        db,
        broker: Broker::BuiltIn { port: free_port() },
        round: vec![Kind::Kill, Kind::Outage, Kind::Kill, Kind::Kill],
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_through_mosquitto_survives_kills_broker_restarts_and_a_frozen_disk() {
    let n = 20 * scale();
    let (dir, site) = site_dir(n);
    let Some(m) = mosquitto::start(&[&site]).await else {
        return;
    };
    let db = sqlite(dir.path());
    run(Setup {
        title: "chaos: SQLite, Mosquitto",
        dir,
        site,
        handhelds: n,
        db,
        broker: Broker::Mosquitto(m),
        round: mixed_round(),
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_survives_kills_broker_restarts_and_a_cut_connection() {
    let Some(db) = database() else { return };
    let n = 20 * scale();
    let (dir, site) = site_dir(n);
    let (broker, round) = if std::env::var_os("BAYLINE_TEST_MOSQUITTO").is_some() {
        let m = mosquitto::start(&[&site]).await.unwrap();
        (Broker::Mosquitto(m), mixed_round())
    } else {
        eprintln!("PostgreSQL chaos with the built-in broker (set BAYLINE_TEST_MOSQUITTO=1 for broker restarts)");
        let round = vec![Kind::Kill, Kind::Outage, Kind::Kill];
        (Broker::BuiltIn { port: free_port() }, round)
    };
    let url = url::Url::parse(&db.url).unwrap();
    let upstream = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    let proxy = Proxy::start(upstream).await;
    run(Setup {
        title: "chaos: PostgreSQL",
        dir,
        site,
        handhelds: n,
        db: Db::Postgres { db, proxy },
        broker,
        round,
    })
    .await;
}

fn mixed_round() -> Vec<Kind> {
    vec![
        Kind::Kill,
        Kind::BrokerRestart { graceful: true },
        Kind::Outage,
        Kind::Kill,
        Kind::BrokerRestart { graceful: false },
    ]
}
