//! MQTT over TLS, with a workshop CA and a broker certificate for 127.0.0.1 and localhost made
//! for each test: the built-in broker's TLS listener (`up --mqtt-tls-listen`), the clients of
//! `mqtts://` URLs (`--broker-ca`), and what happens to clients that should not get in.
//!
//! - [`pki`]: the certificates;
//! - [`figures`]: reply latency over the plain and the TLS listener (`BAYLINE_TLS_FIGURES`).

mod figures;
mod pki;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bayline_gateway::BrokerUrl;
use bayline_proto::Reply;
use rumqttc::{AsyncClient, ConnectionError, Event, Packet};
use serde_json::json;

use crate::binary::{up_on_free_ports, Running, BIN};
use crate::helpers::*;
use pki::{pki, Pki};

const SERVICE_PASSWORD: &str = "tls-test-service";

/// A `bayline up` of these tests, with a database of its own.
struct Up {
    bayline: Running,
    db: String,
    _dir: tempfile::TempDir,
}

/// Starts `bayline up` on free ports with `extra` arguments and waits for its ready line.
fn up(extra: &[&str]) -> Up {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/b.db", dir.path().display());
    let bayline = Running::start(
        Command::new(BIN)
            .args(["up", "--db", &db, "--http", "127.0.0.1:0"])
            .args(["--client-id", &format!("gw-{}", rand_suffix())])
            .args(extra)
            .env("BAYLINE_SERVICE_PASSWORD", SERVICE_PASSWORD)
            .stderr(Stdio::null()),
    );
    Up {
        bayline,
        db,
        _dir: dir,
    }
}

/// `bayline up` with a TLS listener on a free port beside its plain one, and that port.
fn up_with_tls(pki: &Pki) -> (Up, u16) {
    let (cert, key) = (pki.cert.to_str().unwrap(), pki.key.to_str().unwrap());
    let run = up(&[
        "--mqtt-listen",
        "127.0.0.1:0",
        "--mqtt-ws-listen",
        "127.0.0.1:0",
        "--mqtt-tls-listen",
        "127.0.0.1:0",
        "--tls-cert",
        cert,
        "--tls-key",
        key,
    ]);
    let port = run.bayline.must("mqtts").port();
    (run, port)
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

/// HH-01 sends a `shift_start` (seq 1) over `url` and waits for its reply.
async fn send_shift_start(url: &BrokerUrl) -> Reply {
    bayline::scan::send(url, SITE, "HH-01", "demo-hh01", shift_scan(1), 1, DEADLINE)
        .await
        .unwrap()
}

fn shift_scan(seq: u64) -> Vec<u8> {
    json!({"v": 1, "seq": seq, "ts": ts(-60), "badge": "T01", "action": "shift_start"})
        .to_string()
        .into_bytes()
}

#[tokio::test]
async fn a_handheld_over_tls_gets_its_reply_and_the_scan_is_stored() {
    let pki = pki();
    let (run, port) = up_with_tls(&pki);

    let reply = send_shift_start(&mqtts(port, &pki.ca)).await;
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
    let (run, port) = up_with_tls(&pki);

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
        let db = format!("sqlite://{}/b.db", pki.dir.path().display());
        let out = up_on_free_ports(&db)
            .args(["--mqtt-tls-listen", "127.0.0.1:0"])
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
    let (broker, port) = up_with_tls(&pki);
    // A second bayline whose gateway uses the first one's broker over TLS, by host name.
    let url = format!("mqtts://bayline-service:{SERVICE_PASSWORD}@localhost:{port}");
    let ca = pki.ca.to_str().unwrap();
    let gateway = up(&["--broker", &url, "--broker-ca", ca]);

    // Both gateways hear the scan and answer it; the second one's database has it only over
    // TLS. Its ready line comes before its subscription, so the handheld re-sends the scan
    // until it is there, as a handheld's outbox would (a repeat is answered, not stored).
    let handheld = mqtts(port, &pki.ca);
    let deadline = Instant::now() + DEADLINE;
    // The same bytes each time, as an outbox re-sends them (a new `ts` would be another scan
    // under the same seq: a seq_conflict).
    let scan = shift_scan(1);
    loop {
        let reply = bayline::scan::send(
            &handheld,
            SITE,
            "HH-01",
            "demo-hh01",
            scan.clone(),
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
