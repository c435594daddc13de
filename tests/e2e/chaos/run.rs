//! One chaos run: `bayline up` and the fleet, then each fault in turn with ordinary traffic
//! before it and, after it, a wait until every scan sent so far has its reply; at the end
//! the fleet stops, the system stops, and the checker reads the database.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bayline_devtools::bench::site;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use super::check::{self, Fault, Stored, Table};
use super::fleet::{Fleet, Log, Pace};
use super::system::{free_port, Bayline};
use super::{outage, scale, Broker, Db, Kind, Setup};

/// How long the backlog after one fault may take to be answered before the run fails.
const RECOVERY_WITHIN: Duration = Duration::from_secs(180);

/// A fault's window, to check that nothing was answered inside it that could not have been
/// stored.
struct Outage {
    start: Instant,
    end: Instant,
}

pub(super) async fn run(mut s: Setup) {
    let seed = std::env::var("BAYLINE_CHAOS_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| rand::thread_rng().gen());
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let k = scale();
    let outage_for = Duration::from_secs(8 * k as u64);
    // Far above a workshop's pace (a scan every few minutes per handheld), yet well within
    // what a debug build answers on a shared 2-core machine: the faults, not the load, are
    // under test.
    let pace = Pace {
        every: Duration::from_millis(250),
        outbox: 40,
        resend: Duration::from_secs(3),
        resend_max: Duration::from_secs(24),
    };

    let (db_url, direct_url) = match &s.db {
        Db::Sqlite { dir } => {
            let url = format!("sqlite://{}/bayline.db", dir.display());
            (url.clone(), url)
        }
        Db::Postgres { db, proxy } => {
            let mut url = url::Url::parse(&db.url).unwrap();
            url.set_port(Some(proxy.port)).unwrap();
            (url.to_string(), db.url.clone())
        }
    };
    let mut args: Vec<String> = vec!["--site-config".into(), path(&s.site)];
    args.extend(["--db".into(), db_url]);
    args.extend(["--http".into(), format!("127.0.0.1:{}", free_port())]);
    args.extend(["--client-id".into(), "chaos-gw".into()]);
    match &s.broker {
        Broker::BuiltIn { port } => {
            args.extend(["--mqtt-listen".into(), format!("127.0.0.1:{port}")]);
            args.extend(["--mqtt-ws-listen".into(), "off".into()]);
        }
        Broker::Mosquitto(m) => args.extend(["--broker".into(), m.service_url()]),
    }
    // bayline's log, in the temp dir unless `CHAOS_LOG_DIR` keeps it (`CHAOS_LOG` filters).
    let log = std::env::var_os("CHAOS_LOG_DIR")
        .map_or_else(|| s.dir.path().to_path_buf(), PathBuf::from)
        .join(format!("bayline-{seed}.log"));
    let mut system = Bayline::start(args, &log).await;
    let client = reqwest::Client::new();
    create_jobs(&client, &system, s.handhelds).await;

    let fleet = Fleet::start("127.0.0.1", s.broker.port(), s.handhelds, pace);
    // Under way: every handheld has been answered a few times.
    fleet
        .answered_at_least(s.handhelds * 5, Duration::from_secs(120))
        .await;

    let mut faults = Vec::new();
    let mut outages = Vec::new();
    let mut outage_cpu = None;
    let (mut kills, mut restarts) = (0, 0);
    for kind in s.round.repeat(k) {
        // Ordinary traffic between faults, for a random while.
        let calm = Duration::from_millis(rng.gen_range(1000..3000));
        tokio::time::sleep(calm).await;
        let t0 = Instant::now();
        let what = match kind {
            Kind::Kill => {
                kills += 1;
                system.kill().await;
                system.restart().await;
                format!("SIGKILL bayline #{kills}, restart")
            }
            Kind::BrokerRestart { graceful } => {
                let Broker::Mosquitto(m) = &mut s.broker else {
                    unreachable!("broker restarts need Mosquitto")
                };
                restarts += 1;
                let down = Duration::from_millis(rng.gen_range(300..1500));
                m.restart(graceful, down).await;
                let how = if graceful { "SIGTERM" } else { "SIGKILL" };
                format!("Mosquitto {how} #{restarts}, restart")
            }
            Kind::Outage => {
                let (what, cpu) = outage(&s.db, &system, &fleet, outage_for).await;
                outages.push(Outage {
                    start: t0,
                    end: Instant::now(),
                });
                outage_cpu = Some(outage_cpu.unwrap_or(0.0_f64).max(cpu));
                what
            }
        };
        let end = Instant::now();
        let recovery = fleet
            .all_answered_before(end, RECOVERY_WITHIN)
            .await
            .unwrap_or_else(|left| {
                panic!(
                    "{left} scans sent before the end of {what:?} still unanswered {RECOVERY_WITHIN:?} \
                     later (seed {seed}); bayline's log:\n{}",
                    system.log_tail()
                )
            });
        eprintln!(
            "{what}: down {:.2} s, recovered in {recovery:.2} s",
            (end - t0).as_secs_f64()
        );
        faults.push(Fault {
            what,
            down_s: (end - t0).as_secs_f64(),
            recovery_s: recovery,
        });
    }

    fleet.stop_generating();
    let all = Instant::now() + Duration::from_millis(50);
    if let Err(left) = fleet.all_answered_before(all, RECOVERY_WITHIN).await {
        panic!("{left} scans unanswered at the end (seed {seed})");
    }
    let states = job_states(&client, &system, s.handhelds).await;
    let logs = fleet.stop().await;
    system.stop().await;

    let store = bayline_store::Store::open(&direct_url).await.unwrap();
    let stored = Stored::read(&store, site::SITE).await;
    store.close().await;
    let verdict = check::check(&logs, &stored);
    let answered_while_down = answered_while_down(&logs, &outages);
    let table = Table {
        title: format!(
            "{}, {} handhelds, seed {seed}, scale {k}",
            s.title, s.handhelds
        ),
        kills,
        broker_restarts: restarts,
        outage_s: outages
            .iter()
            .map(|o| (o.end - o.start).as_secs_f64())
            .sum(),
        outage_cpu,
        faults: &faults,
        verdict: &verdict,
    };
    eprintln!("{table}");
    assert!(verdict.clean(), "{table}\n{:#?}", verdict.examples);
    let (fresh, early) = answered_while_down;
    assert!(
        fresh > 0,
        "no scan was first sent while the database was away: the outage proved nothing"
    );
    assert!(
        early.is_empty(),
        "answered while the database was away, though first sent after it went: {early:?}"
    );
    if let Some(cpu) = outage_cpu {
        // A correctness bound, not a speed figure: retrying must wait, not loop.
        assert!(
            cpu < 0.5,
            "bayline used {cpu:.2} cores while the database was away"
        );
    }
    let wrong = expected_states(&logs, &states);
    assert!(
        wrong.is_empty(),
        "the API shows other states than the scans make: {wrong:?}"
    );
}

fn path(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

/// Takes the database away for `len` and gives it back; bayline's CPU over the outage (after
/// its first second, which may still finish work in hand), in cores.
async fn outage(db: &Db, system: &Bayline, fleet: &Fleet, len: Duration) -> (String, f64) {
    let settle = Duration::from_secs(1);
    let start = Instant::now();
    let measure =
        |cpu0: f64, t0: Instant| (system.cpu_seconds() - cpu0) / t0.elapsed().as_secs_f64();
    match db {
        Db::Sqlite { dir } => {
            let frozen = outage::freeze(dir);
            tokio::time::sleep(settle).await;
            let (cpu0, t0) = (system.cpu_seconds(), Instant::now());
            tokio::time::sleep(len.saturating_sub(start.elapsed())).await;
            let cpu = measure(cpu0, t0);
            let waiting = fleet.unanswered_before(Instant::now());
            drop(frozen);
            (format!("SQLite frozen ({waiting} waiting)"), cpu)
        }
        Db::Postgres { proxy, .. } => {
            proxy.cut();
            tokio::time::sleep(settle).await;
            let (cpu0, t0) = (system.cpu_seconds(), Instant::now());
            tokio::time::sleep(len.saturating_sub(start.elapsed())).await;
            let cpu = measure(cpu0, t0);
            let waiting = fleet.unanswered_before(Instant::now());
            proxy.restore();
            (format!("PostgreSQL cut ({waiting} waiting)"), cpu)
        }
    }
}

/// Scans first sent inside an outage; and those of them answered before it ended (which
/// would mean an answer without a commit).
fn answered_while_down(logs: &[(String, Log)], outages: &[Outage]) -> (usize, Vec<String>) {
    let mut fresh = 0;
    let mut early = Vec::new();
    for o in outages {
        for (scanner, log) in logs {
            for (seq, sent) in &log.sent {
                if sent.first <= o.start || sent.first >= o.end {
                    continue;
                }
                fresh += 1;
                if sent.replies.iter().any(|(at, _)| *at < o.end) {
                    early.push(format!("{scanner} seq {seq}"));
                }
            }
        }
    }
    (fresh, early)
}

/// One job card per handheld, as an advisor would put it.
async fn create_jobs(client: &reqwest::Client, system: &Bayline, n: usize) {
    for i in 0..n {
        let body = json!({"plate": format!("粤B{i:05}"), "vehicle": "Chaos",
            "ops": [{"op": "10", "title": "chaos", "std_hours": 1000.0}]});
        let res = client
            .put(format!(
                "http://{}/api/v1/sites/{}/jobs/{}",
                system.http,
                site::SITE,
                site::job(i)
            ))
            .bearer_auth(site::ADVISOR_TOKEN)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.status());
    }
}

/// Each job's op 10 status, as the API shows it.
async fn job_states(client: &reqwest::Client, system: &Bayline, n: usize) -> Vec<String> {
    let res = client
        .get(format!(
            "http://{}/api/v1/sites/{}/jobs",
            system.http,
            site::SITE
        ))
        .bearer_auth(site::ADVISOR_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let jobs: Vec<Value> = res.json().await.unwrap();
    (0..n)
        .map(|i| {
            let job = jobs.iter().find(|j| j["job"] == site::job(i)).unwrap();
            job["ops"][0]["status"].as_str().unwrap().to_string()
        })
        .collect()
}

/// Handhelds whose job the API shows otherwise than its last scan leaves it: open after
/// the shift start alone, active after a start or resume, paused after a pause.
fn expected_states(logs: &[(String, Log)], states: &[String]) -> Vec<String> {
    let mut wrong = Vec::new();
    for ((scanner, log), state) in logs.iter().zip(states) {
        let last = log.sent.keys().next_back().copied().unwrap_or(0);
        let expected = match last {
            0 | 1 => "open",
            n if n % 2 == 0 => "active",
            _ => "paused",
        };
        if state != expected {
            wrong.push(format!(
                "{scanner}: {last} scans, op {state}, expected {expected}"
            ));
        }
    }
    wrong
}
