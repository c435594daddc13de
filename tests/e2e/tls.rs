//! MQTT over TLS, with a workshop CA and a broker certificate for 127.0.0.1 and localhost made
//! for each test: the built-in broker's TLS listener (`up --mqtt-tls-listen`), the clients of
//! `mqtts://` URLs (`--broker-ca`), and what happens to clients that should not get in.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bayline_gateway::BrokerUrl;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rumqttc::{AsyncClient, ConnectionError, Event, Packet};
use serde_json::json;

use crate::helpers::*;

const BIN: &str = env!("CARGO_BIN_EXE_bayline");
const SERVICE_PASSWORD: &str = "tls-test-service";

/// A workshop CA, the broker's certificate and key signed by it, and a stranger's CA.
struct Pki {
    dir: tempfile::TempDir,
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
    other_ca: PathBuf,
}

fn ca(name: &str) -> (rcgen::Certificate, Issuer<'static, KeyPair>) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let cert = params.self_signed(&key).unwrap();
    (cert, Issuer::new(params, key))
}

fn pki() -> Pki {
    let dir = tempfile::tempdir().unwrap();
    let (ca_cert, issuer) = ca("bayline test workshop CA");
    let (other_cert, _) = ca("someone else's CA");
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "bayline broker");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.signed_by(&key, &issuer).unwrap();
    let file = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    Pki {
        ca: file("ca.pem", ca_cert.pem()),
        cert: file("broker.pem", cert.pem()),
        key: file("broker-key.pem", key.serialize_pem()),
        other_ca: file("other-ca.pem", other_cert.pem()),
        dir,
    }
}

struct Running {
    child: Child,
    db: String,
    mqtt: u16,
    mqtts: Option<u16>,
    _dir: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `bayline up` on free ports with `extra` arguments and waits for its ready line.
fn up(extra: &[&str]) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/b.db", dir.path().display());
    let mut child = Command::new(BIN)
        .args(["up", "--db", &db, "--http", "127.0.0.1:0"])
        .args(["--client-id", &format!("gw-{}", rand_suffix())])
        .args(extra)
        .env("BAYLINE_SERVICE_PASSWORD", SERVICE_PASSWORD)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(
        line.starts_with("bayline ready "),
        "no ready line: {line:?}"
    );
    let port = |field: &str| {
        line.split_whitespace().find_map(|f| {
            let addr: std::net::SocketAddr = f.strip_prefix(field)?.parse().ok()?;
            Some(addr.port())
        })
    };
    Running {
        child,
        db,
        mqtt: port("mqtt=").unwrap_or(0),
        mqtts: port("mqtts="),
        _dir: dir,
    }
}

/// `bayline up` with a TLS listener on a free port beside its plain one.
fn up_with_tls(pki: &Pki) -> Running {
    let (cert, key) = (pki.cert.to_str().unwrap(), pki.key.to_str().unwrap());
    let run = up(&[
        "--mqtt-listen",
        "127.0.0.1:0",
        "--mqtt-tls-listen",
        "127.0.0.1:0",
        "--tls-cert",
        cert,
        "--tls-key",
        key,
    ]);
    assert!(
        run.mqtts.is_some(),
        "the ready line names no mqtts= address"
    );
    run
}

fn mqtts(port: u16, ca: &Path) -> BrokerUrl {
    format!("mqtts://127.0.0.1:{port}")
        .parse::<BrokerUrl>()
        .unwrap()
        .trusting(ca)
        .unwrap()
}

async fn stored(db: &str, seq: u64) -> i64 {
    let store = bayline_store::Store::open(db).await.unwrap();
    let n = store
        .count_scans(&SITE.parse().unwrap(), "HH-01", seq)
        .await
        .unwrap();
    store.close().await;
    n
}

/// The first thing a client of `url` hears from the broker: its ConnAck, or why not.
async fn first_answer(url: &BrokerUrl, user: &str, secret: &str) -> Result<(), ConnectionError> {
    let url = BrokerUrl {
        user: Some(user.into()),
        password: Some(secret.into()),
        ..url.clone()
    };
    let (_client, mut events) = AsyncClient::new(url.options(&format!("tls-{}", rand_suffix())), 8);
    tokio::time::timeout(DEADLINE, async {
        loop {
            match events.poll().await? {
                Event::Incoming(Packet::ConnAck(_)) => return Ok(()),
                _ => continue,
            }
        }
    })
    .await
    .expect("the broker neither accepted nor refused in time")
}

fn shift_scan(seq: u64) -> Vec<u8> {
    json!({"v": 1, "seq": seq, "ts": ts(-60), "badge": "T01", "action": "shift_start"})
        .to_string()
        .into_bytes()
}

#[tokio::test]
async fn a_handheld_over_tls_gets_its_reply_and_the_scan_is_stored() {
    let pki = pki();
    let run = up_with_tls(&pki);
    let port = run.mqtts.unwrap();

    let reply = bayline::scan::send(
        &mqtts(port, &pki.ca),
        SITE,
        "HH-01",
        "demo-hh01",
        shift_scan(1),
        1,
        DEADLINE,
    )
    .await
    .unwrap();
    assert!(reply.ok, "{reply:?}");
    assert_eq!(stored(&run.db, 1).await, 1);

    // The same from the command line, by host name, with the CA as the global flag.
    let out = Command::new(BIN)
        .args(["scan", "--broker", &format!("mqtts://localhost:{port}")])
        .args(["--broker-ca".as_ref(), pki.ca.as_os_str()])
        .args(["--badge", "T01", "--action", "shift_end", "--seq", "2"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reply: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(
        (reply["ok"].clone(), reply["seq"].clone()),
        (json!(true), json!(2))
    );
    assert_eq!(stored(&run.db, 2).await, 1);
}

#[tokio::test]
async fn clients_that_do_not_trust_the_ca_or_speak_plain_mqtt_are_refused() {
    let pki = pki();
    let run = up_with_tls(&pki);
    let port = run.mqtts.unwrap();

    // The right CA: the handheld is in (the baseline for the refusals below).
    first_answer(&mqtts(port, &pki.ca), "HH-01", "demo-hh01")
        .await
        .unwrap();

    for (who, url) in [
        ("another CA", mqtts(port, &pki.other_ca)),
        (
            "the system's roots",
            format!("mqtts://127.0.0.1:{port}").parse().unwrap(),
        ),
    ] {
        let err = first_answer(&url, "HH-01", "demo-hh01").await.unwrap_err();
        assert!(
            matches!(err, ConnectionError::Tls(_)),
            "trusting {who}: {err:?}"
        );
    }

    let plain: BrokerUrl = format!("mqtt://127.0.0.1:{port}").parse().unwrap();
    let err = first_answer(&plain, "HH-01", "demo-hh01").await;
    assert!(err.is_err(), "plain MQTT was accepted on the TLS port");
    assert_eq!(stored(&run.db, 1).await, 0);
}

#[test]
fn bad_certificate_files_are_one_line_naming_the_file() {
    let pki = pki();
    let missing = pki.dir.path().join("missing.pem");
    let stranger = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let wrong_key = pki.dir.path().join("wrong-key.pem");
    std::fs::write(&wrong_key, stranger.signing_key.serialize_pem()).unwrap();
    for (cert, key, named) in [
        (&missing, &pki.key, &missing),
        (&pki.key, &pki.key, &pki.key),
        (&pki.cert, &pki.cert, &pki.cert),
        (&pki.cert, &wrong_key, &wrong_key),
    ] {
        let out = Command::new(BIN)
            .args([
                "up",
                "--http",
                "127.0.0.1:0",
                "--mqtt-listen",
                "127.0.0.1:0",
            ])
            .args(["--mqtt-tls-listen", "127.0.0.1:0", "--db"])
            .arg(format!("sqlite://{}/b.db", pki.dir.path().display()))
            .args(["--tls-cert".as_ref(), cert.as_os_str()])
            .args(["--tls-key".as_ref(), key.as_os_str()])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err.lines().last().unwrap_or("");
        assert!(last.contains(&*named.to_string_lossy()), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[tokio::test]
async fn a_gateway_takes_its_scans_from_a_broker_over_tls() {
    let pki = pki();
    let broker = up_with_tls(&pki);
    let port = broker.mqtts.unwrap();
    // A second bayline whose gateway uses the first one's broker over TLS, by host name.
    let url = format!("mqtts://bayline-service:{SERVICE_PASSWORD}@localhost:{port}");
    let ca = pki.ca.to_str().unwrap();
    let gateway = up(&["--broker", &url, "--broker-ca", ca]);

    // Both gateways hear the scan and answer it; the second one's database has it only over
    // TLS. Its ready line comes before its subscription, so the handheld re-sends the scan
    // until it is there, as a handheld's outbox would (a repeat is answered, not stored).
    let handheld = mqtts(port, &pki.ca);
    let deadline = Instant::now() + DEADLINE;
    loop {
        let reply = bayline::scan::send(
            &handheld,
            SITE,
            "HH-01",
            "demo-hh01",
            shift_scan(1),
            1,
            DEADLINE,
        )
        .await
        .unwrap();
        assert!(reply.ok, "{reply:?}");
        if stored(&gateway.db, 1).await == 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the gateway over TLS did not store the scan"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(stored(&broker.db, 1).await, 1);
}

/// Figures, not a check: scan→reply latency at a fixed rate through the plain listener and
/// then the TLS listener of the same bayline. `BAYLINE_TLS_FIGURES=RATE` (scans/s) runs it,
/// `BAYLINE_TLS_SECONDS` sets each phase's length (default 5).
#[tokio::test]
async fn figures_reply_latency_plain_and_tls() {
    let Some(rate) = std::env::var("BAYLINE_TLS_FIGURES")
        .ok()
        .and_then(|r| r.parse::<f64>().ok())
    else {
        eprintln!("skipped: set BAYLINE_TLS_FIGURES=1000 to measure");
        return;
    };
    let seconds: u64 = std::env::var("BAYLINE_TLS_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let pki = pki();
    let run = up_with_tls(&pki);
    let plain: BrokerUrl = format!("mqtt://127.0.0.1:{}", run.mqtt).parse().unwrap();
    let tls = mqtts(run.mqtts.unwrap(), &pki.ca);
    for (i, (name, url)) in [("plain", plain), ("tls", tls)].into_iter().enumerate() {
        let first_seq = 1 + i as u64 * 10_000_000;
        let h = figures::load(&url, rate, seconds, first_seq).await;
        println!(
            "{name:5}: {} scans at {rate}/s, reply latency mean {:.2} ms, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            h.len(),
            h.mean() / 1000.0,
            h.value_at_quantile(0.5) as f64 / 1000.0,
            h.value_at_quantile(0.99) as f64 / 1000.0,
            h.max() as f64 / 1000.0,
        );
    }
}

mod figures {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use bayline_gateway::BrokerUrl;
    use bayline_proto::{topic, Reply};
    use hdrhistogram::Histogram;
    use rumqttc::{AsyncClient, Event, Packet, QoS};

    use crate::helpers::*;

    const SCANNERS: [(&str, &str); 4] = [
        ("HH-01", "demo-hh01"),
        ("HH-02", "demo-hh02"),
        ("HH-03", "demo-hh03"),
        ("HH-04", "demo-hh04"),
    ];

    type Sent = Arc<Mutex<HashMap<(usize, u64), Instant>>>;

    /// `rate` scans a second for `seconds`, spread over four handhelds, each scan's latency
    /// from its publish to its reply in microseconds.
    pub async fn load(url: &BrokerUrl, rate: f64, seconds: u64, first_seq: u64) -> Histogram<u64> {
        let sent: Sent = Arc::default();
        let latencies = Arc::new(Mutex::new(
            Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap(),
        ));
        let mut clients = vec![];
        let mut polls = vec![];
        for (i, (id, secret)) in SCANNERS.into_iter().enumerate() {
            let url = BrokerUrl {
                user: Some(id.into()),
                password: Some(secret.into()),
                ..url.clone()
            };
            let mut o = url.options(&format!("fig-{id}-{}", rand_suffix()));
            o.set_inflight(1000);
            let (client, mut events) = AsyncClient::new(o, 1000);
            client
                .subscribe(topic::reply(SITE, id), QoS::AtLeastOnce)
                .await
                .unwrap();
            let (subscribed, ready) = tokio::sync::oneshot::channel();
            let (sent, latencies) = (sent.clone(), latencies.clone());
            polls.push(tokio::spawn(async move {
                let mut subscribed = Some(subscribed);
                loop {
                    match events.poll().await {
                        Ok(Event::Incoming(Packet::SubAck(_))) => {
                            if let Some(s) = subscribed.take() {
                                let _ = s.send(());
                            }
                        }
                        Ok(Event::Incoming(Packet::Publish(p))) => {
                            let Ok(r) = serde_json::from_slice::<Reply>(&p.payload) else {
                                continue;
                            };
                            let at = r.seq.and_then(|s| sent.lock().unwrap().remove(&(i, s)));
                            if let Some(at) = at {
                                let us = at.elapsed().as_micros() as u64;
                                latencies.lock().unwrap().saturating_record(us);
                            }
                        }
                        Ok(_) => {}
                        Err(e) => panic!("{id}: {e}"),
                    }
                }
            }));
            tokio::time::timeout(DEADLINE, ready)
                .await
                .expect("no SubAck")
                .unwrap();
            clients.push(client);
        }
        let total = (rate * seconds as f64) as u64;
        let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let at = ts(-60);
        for n in 0..total {
            tick.tick().await;
            let i = (n % SCANNERS.len() as u64) as usize;
            let seq = first_seq + n;
            let action = if (n / SCANNERS.len() as u64) % 2 == 0 {
                "shift_start"
            } else {
                "shift_end"
            };
            let badge = format!("T0{}", i + 1);
            let body =
                serde_json::json!({"v": 1, "seq": seq, "ts": at, "badge": badge, "action": action});
            sent.lock().unwrap().insert((i, seq), Instant::now());
            clients[i]
                .publish(
                    topic::scan(SITE, SCANNERS[i].0),
                    QoS::AtLeastOnce,
                    false,
                    body.to_string(),
                )
                .await
                .unwrap();
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while !sent.lock().unwrap().is_empty() {
            assert!(Instant::now() < deadline, "replies missing");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        for p in polls {
            p.abort();
        }
        let h = latencies.lock().unwrap().clone();
        h
    }
}
