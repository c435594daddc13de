//! The fleet: the same binary as separate `bayline gateway` and `bayline server`
//! processes on one PostgreSQL database and a real Mosquitto. Needs both services (see
//! `services`); skipped without them unless `CI=true`.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use bayline_devtools::bench::site as bench;
use bayline_proto::{topic, Reply};
use futures::StreamExt;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use serde_json::json;

use crate::helpers::*;
use crate::services::{database, mosquitto_for, Database, Mosquitto};

const BIN: &str = env!("CARGO_BIN_EXE_bayline");
/// Long enough for debug builds of a fleet on a loaded 2-core machine; every wait ends as
/// soon as its condition holds.
const SLOW: Duration = Duration::from_secs(300);

/// A bayline process of the fleet; its stdout lines as they come, its log in a file.
struct Process {
    name: String,
    child: Child,
    lines: mpsc::Receiver<String>,
    log: std::path::PathBuf,
}

impl Process {
    fn start(name: &str, dir: &Path, args: &[&str]) -> Process {
        let log = dir.join(format!("{name}.log"));
        let mut child = Command::new(BIN)
            .args(args)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Process {
            name: name.into(),
            child,
            lines,
            log,
        }
    }

    /// The first stdout line starting with `prefix`, within [`SLOW`].
    fn line(&self, prefix: &str) -> String {
        let deadline = Instant::now() + SLOW;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.starts_with(prefix) => return line,
                Ok(_) => {}
                Err(e) => panic!(
                    "{}: no line {prefix:?} ({e}); its log:\n{}",
                    self.name,
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                ),
            }
        }
    }

    /// SIGTERM, then the line it prints as it stops.
    fn stop(&mut self, prefix: &str) -> String {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let line = self.line(prefix);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{} exited with {status}", self.name);
        line
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of `key=` in a line of words.
fn field<'a>(line: &'a str, key: &str) -> &'a str {
    line.split(' ')
        .find_map(|w| w.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {key}= in {line:?}"))
}

fn services() -> Option<(Database, tempfile::TempDir)> {
    let db = database()?;
    Some((db, tempfile::tempdir().unwrap()))
}

/// A gateway of the fleet for the demo site or the site of a file, once it takes scans, and
/// the address of its `/healthz` and `/metrics`.
fn gateway(
    dir: &Path,
    name: &str,
    db: &Database,
    m: &Mosquitto,
    site: Option<&Path>,
) -> (Process, String) {
    let broker = format!(
        "mqtt://bayline:{}@127.0.0.1:{}",
        crate::services::SERVICE_PASSWORD,
        m.port
    );
    let mut args = vec![
        "gateway",
        "--db",
        &db.url,
        "--broker",
        &broker,
        "--client-id",
        name,
        "--http",
        "127.0.0.1:0",
    ];
    if let Some(site) = site {
        args.extend(["--site-config", site.to_str().unwrap()]);
    }
    let p = Process::start(name, dir, &args);
    let http = field(&p.line("bayline gateway ready"), "http").to_string();
    (p, http)
}

/// One handheld of the bench site sending `n` scans back to back (QoS 1, its next scan
/// without waiting for a reply), and the replies it got, by seq.
async fn handheld(m: &Mosquitto, i: usize, n: u64) -> Vec<Reply> {
    let id = bench::scanner(i);
    let mut o = MqttOptions::new(format!("{id}-{}", rand_suffix()), "127.0.0.1", m.port);
    o.set_credentials(&id, bench::secret(i))
        .set_keep_alive(Duration::from_secs(30))
        .set_inflight(100);
    let (client, mut events) = AsyncClient::new(o, 1024);
    client
        .subscribe(topic::reply(bench::SITE, &id), QoS::AtLeastOnce)
        .await
        .unwrap();
    let mut replies = Vec::new();
    let mut sent = false;
    let deadline = tokio::time::Instant::now() + SLOW;
    while (replies.len() as u64) < n {
        // Short of replies at the deadline: the caller says how short.
        let Ok(event) = tokio::time::timeout_at(deadline, events.poll()).await else {
            break;
        };
        match event {
            Ok(Event::Incoming(Packet::SubAck(_))) if !sent => {
                sent = true;
                let c = client.clone();
                let id = id.clone();
                tokio::spawn(async move {
                    for seq in 1..=n {
                        let action = if seq % 2 == 1 {
                            "shift_start"
                        } else {
                            "shift_end"
                        };
                        // Whole seconds, as the contract's example: thousands of scans
                        // share each `ts`, so most are late behind the scans of their
                        // second that sort after them (by scanner), here or at the other
                        // gateway. Each gateway admits a batch at once, so that is cheap.
                        let now = jiff::Timestamp::now().as_second();
                        let now = jiff::Timestamp::from_second(now).unwrap().to_string();
                        let body = json!({"v": 1, "seq": seq, "ts": now,
                            "badge": bench::badge(i), "action": action});
                        c.publish(
                            topic::scan(bench::SITE, &id),
                            QoS::AtLeastOnce,
                            false,
                            body.to_string(),
                        )
                        .await
                        .unwrap();
                    }
                });
            }
            Ok(Event::Incoming(Packet::Publish(p))) => {
                replies.push(serde_json::from_slice(&p.payload).unwrap());
            }
            Ok(_) => {}
            Err(e) => panic!("{id}: connection lost: {e}"),
        }
    }
    let _ = client.disconnect().await;
    replies
}

/// `psql -Atc` on the test database.
fn sql(db: &Database, query: &str) -> String {
    let out = Command::new("psql")
        .arg(&db.url)
        .args(["-Atc", query])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_gateways_in_one_share_group_store_each_scan_once_and_answer_every_one() {
    const SCANNERS: usize = 50;
    // 20,000 scans (400 each): enough for both gateways to take turns under load;
    // `BAYLINE_FLEET_EACH` sends more or fewer.
    let each: u64 = std::env::var("BAYLINE_FLEET_EACH")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(400);
    let Some((db, dir)) = services() else { return };
    let site = dir.path().join("fleet.toml");
    std::fs::write(&site, bench::toml(SCANNERS)).unwrap();
    let Some(m) = mosquitto_for(&[&site]) else {
        return;
    };
    let (mut a, ops_a) = gateway(dir.path(), "fleet-gw-a", &db, &m, Some(&site));
    let (mut b, ops_b) = gateway(dir.path(), "fleet-gw-b", &db, &m, Some(&site));

    let handhelds = (0..SCANNERS).map(|i| {
        let m = &m;
        async move { (i, handheld(m, i, each).await) }
    });
    let replies = futures::future::join_all(handhelds).await;
    let stored = sql(
        &db,
        "SELECT count(*), count(DISTINCT (scanner, seq)) FROM scans WHERE site = 'bench'",
    );
    // What an operator's load balancer and Prometheus see of each gateway: healthy, and
    // following the other's scans through the database's notices.
    for ops in [&ops_a, &ops_b] {
        let health = reqwest::get(format!("http://{ops}/healthz")).await.unwrap();
        assert_eq!(health.status().as_u16(), 200, "{ops}");
        let metrics = reqwest::get(format!("http://{ops}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        // A counter summed over its labels.
        let counter = |name: &str| -> f64 {
            metrics
                .lines()
                .filter(|l| {
                    l.strip_prefix(name)
                        .is_some_and(|r| r.starts_with([' ', '{']))
                })
                .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
                .sum()
        };
        assert!(counter("bayline_notices_total") > 0.0, "{ops}");
        assert!(counter("bayline_scans_total") > 0.0, "{ops}");
        let other = reqwest::get(format!("http://{ops}/api/v1/sites/bench/bays"))
            .await
            .unwrap();
        assert_eq!(other.status().as_u16(), 404, "a gateway serves no API");
    }
    let stop = |p: &mut Process| -> u64 {
        let line = p.stop("bayline gateway stopped");
        field(&line, "answered").parse().unwrap()
    };
    let (answered_a, answered_b) = (stop(&mut a), stop(&mut b));
    eprintln!("stored (rows|scans) {stored}; gateway a answered {answered_a}, b {answered_b}");
    for (i, replies) in replies {
        let seqs: BTreeSet<u64> = replies.iter().filter_map(|r| r.seq).collect();
        let ok = replies.iter().filter(|r| r.ok).count();
        assert_eq!(
            seqs.len() as u64,
            each,
            "scanner {i}: replies for {} seqs",
            seqs.len()
        );
        assert_eq!(
            ok,
            replies.len(),
            "scanner {i}: {:?}",
            replies.iter().find(|r| !r.ok)
        );
    }
    let total = SCANNERS as u64 * each;
    assert_eq!(stored, format!("{total}|{total}"), "rows|distinct scans");
    assert!(
        answered_a > 0 && answered_b > 0,
        "a: {answered_a}, b: {answered_b}"
    );
    // A scan redelivered to the other gateway is answered twice (the same reply).
    assert!(answered_a + answered_b >= total);
}

type Sse = futures::stream::BoxStream<'static, Vec<u8>>;

/// Reads an SSE stream until `wanted` holds for what came so far.
async fn sse_until(stream: &mut Sse, seen: &mut String, wanted: impl Fn(&str) -> bool) -> bool {
    let found = tokio::time::timeout(SLOW, async {
        while let Some(chunk) = stream.next().await {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if wanted(seen) {
                return true;
            }
        }
        false
    })
    .await;
    found == Ok(true)
}

async fn events(client: &reqwest::Client, http: &str) -> Sse {
    let res = client
        .get(format!("http://{http}/api/v1/sites/{SITE}/events"))
        .bearer_auth(MANAGER)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    res.bytes_stream()
        .filter_map(|chunk| async move { chunk.ok().map(|b| b.to_vec()) })
        .boxed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_each_see_every_change_made_through_the_other() {
    let Some((db, dir)) = services() else { return };
    let Some(m) = mosquitto_for(&[]) else { return };
    let server = |name: &str| {
        let p = Process::start(
            name,
            dir.path(),
            &["server", "--db", &db.url, "--http", "127.0.0.1:0"],
        );
        let http = field(&p.line("bayline server ready"), "http").to_string();
        (p, http)
    };
    let (_a, http_a) = server("server-a");
    let (_b, http_b) = server("server-b");
    let client = reqwest::Client::new();
    let mut on_a = events(&client, &http_a).await;
    let mut on_b = events(&client, &http_b).await;
    let (mut seen_a, mut seen_b) = (String::new(), String::new());

    let put = |http: &str, job: &str| {
        let body = json!({"plate": "粤B12345", "vehicle": "Camry", "customer": "Zhang San",
            "advisor": "A01", "service": "10k", "promised_at": ts(240), "wash": false,
            "ops": [{"op": "10", "title": "Oil change", "std_hours": 1.0}]})
        .to_string();
        let client = client.clone();
        let url = format!("http://{http}/api/v1/sites/{SITE}/jobs/{job}");
        async move {
            let res = client
                .put(url)
                .bearer_auth(MANAGER)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success(), "{}", res.text().await.unwrap());
        }
    };
    put(&http_a, "RO-FA").await;
    assert!(
        sse_until(&mut on_b, &mut seen_b, |s| s.contains("event: job")
            && s.contains("RO-FA"))
        .await,
        "server b heard nothing of the job put through a: {seen_b}"
    );
    put(&http_b, "RO-FB").await;
    assert!(
        sse_until(&mut on_a, &mut seen_a, |s| s.contains("RO-FB")).await,
        "server a heard nothing of the job put through b: {seen_a}"
    );
    let job = |http: &str, job: &str| {
        let client = client.clone();
        let url = format!("http://{http}/api/v1/sites/{SITE}/jobs/{job}");
        async move {
            let res = client.get(url).bearer_auth(MANAGER).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 200);
            res.json::<serde_json::Value>().await.unwrap()
        }
    };
    assert_eq!(
        job(&http_b, "RO-FA").await["promised_at"],
        job(&http_a, "RO-FA").await["promised_at"]
    );

    // A scan through a gateway of the fleet reaches both servers' live events and views.
    let (_gw, _) = gateway(dir.path(), "sse-gw", &db, &m, None);
    let mut hh = Handheld::connect(&m.service_url(), "HH-01", "demo-hh01").await;
    assert_ok(&hh.scan("A01", "check_in", json!({"job": "RO-FA"})).await);
    for (seen, stream, name) in [(&mut seen_a, &mut on_a, "a"), (&mut seen_b, &mut on_b, "b")] {
        assert!(
            sse_until(stream, seen, |s| s.contains("event: scan")
                && s.contains("\"check_in\""))
            .await,
            "server {name} heard nothing of the scan: {seen}"
        );
    }
    for http in [&http_a, &http_b] {
        assert_eq!(job(http, "RO-FA").await["stage"], "checked_in", "on {http}");
    }

    // An andon call made without a bay is at the bay its badge works at, on both servers.
    assert_ok(
        &hh.scan(
            "T07",
            "start",
            json!({"job": "RO-FA", "op": "10", "bay": "B03"}),
        )
        .await,
    );
    assert_ok(&hh.scan("T07", "call", json!({"reason": "parts"})).await);
    for (seen, stream, name) in [(&mut seen_a, &mut on_a, "a"), (&mut seen_b, &mut on_b, "b")] {
        let call = |s: &str| {
            s.split("event: call").skip(1).any(|e| {
                e.lines()
                    .nth(1)
                    .is_some_and(|data| data.contains("\"action\":\"call\""))
            })
        };
        assert!(
            sse_until(stream, seen, call).await,
            "server {name} heard nothing of the call: {seen}"
        );
        let data = seen
            .split("event: call")
            .skip(1)
            .filter_map(|e| e.lines().nth(1))
            .find(|d| d.contains("\"action\":\"call\""))
            .unwrap();
        assert!(data.contains("\"bay\":\"B03\""), "server {name}: {data}");
    }
}
