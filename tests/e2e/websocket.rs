//! MQTT over WebSocket on the built-in broker (`up --mqtt-ws-listen`, path `/mqtt`): what the
//! handheld app speaks. The same users and rights as the TCP listener; a client here is
//! mqtt5's own, a different MQTT stack from the rumqttc handhelds of the other tests.

use std::net::SocketAddr;
use std::process::{Command, Stdio};

use mqtt5::{ConnectOptions, MqttClient};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::binary::{up_on_free_ports, Running, BIN};
use crate::helpers::*;

/// A client of `ws://ADDR/mqtt` logged in as `user`.
async fn connect(ws: SocketAddr, user: &str, secret: &str) -> Result<MqttClient, mqtt5::MqttError> {
    let id = format!("ws-{}", rand_suffix());
    let client = MqttClient::new(id.clone());
    let options = ConnectOptions::new(id).with_credentials(user, secret.as_bytes());
    tokio::time::timeout(
        DEADLINE,
        client.connect_with_options(&format!("ws://{ws}/mqtt"), options),
    )
    .await
    .expect("the broker neither accepted nor refused in time")?;
    Ok(client)
}

/// Subscribes `client` to HH-01's replies; the replies' JSON arrive on the receiver.
async fn replies(client: &MqttClient) -> mpsc::UnboundedReceiver<Value> {
    let (tx, rx) = mpsc::unbounded_channel();
    client
        .subscribe(format!("bayline/{SITE}/scanners/HH-01/reply"), move |m| {
            let _ = tx.send(serde_json::from_slice(&m.payload).unwrap_or(Value::Null));
        })
        .await
        .unwrap();
    rx
}

fn scan(seq: u64) -> Vec<u8> {
    json!({"v": 1, "seq": seq, "ts": ts(-1), "badge": "T01", "action": "shift_start"})
        .to_string()
        .into_bytes()
}

#[tokio::test]
async fn a_scan_over_websocket_is_stored_once_and_answered() {
    let app = spawn_app().await;
    let ws = app.ws.expect("the built-in broker serves WebSocket");
    let client = connect(ws, "HH-01", "demo-hh01").await.unwrap();
    let mut rx = replies(&client).await;
    let topic = format!("bayline/{SITE}/scanners/HH-01/scan");
    // The outbox resends a scan whose reply it did not see: the same seq and payload.
    let payload = scan(7);
    for _ in 0..2 {
        client.publish_qos1(&topic, payload.clone()).await.unwrap();
        let reply = tokio::time::timeout(DEADLINE, rx.recv())
            .await
            .expect("no reply over WebSocket")
            .unwrap();
        assert_eq!(reply["seq"], 7, "{reply}");
        assert_eq!(reply["ok"], true, "{reply}");
    }
    assert_eq!(app.stored("HH-01", 7).await, 1);
    client.disconnect().await.unwrap();
}

#[tokio::test]
async fn a_wrong_secret_over_websocket_is_refused() {
    let app = spawn_app().await;
    let ws = app.ws.unwrap();
    assert!(connect(ws, "HH-01", "demo-hh0").await.is_err());
    assert!(connect(ws, "nobody", "demo-hh01").await.is_err());
}

#[tokio::test]
async fn a_scanner_over_websocket_keeps_to_its_own_topics() {
    let app = spawn_app().await;
    let client = connect(app.ws.unwrap(), "HH-01", "demo-hh01")
        .await
        .unwrap();
    let other = client
        .subscribe(format!("bayline/{SITE}/scanners/HH-02/reply"), |_| {})
        .await;
    assert!(other.is_err(), "{other:?}");
    // A scan under another scanner's id is dropped by the broker: nothing stored.
    let _ = client
        .publish_qos1(format!("bayline/{SITE}/scanners/HH-02/scan"), scan(3))
        .await;
    let mut rx = replies(&client).await;
    client
        .publish_qos1(format!("bayline/{SITE}/scanners/HH-01/scan"), scan(4))
        .await
        .unwrap();
    let reply = tokio::time::timeout(DEADLINE, rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reply["seq"], 4);
    assert_eq!(app.stored("HH-02", 3).await, 0);
}

#[test]
fn the_binary_names_its_websocket_listener_and_off_turns_it_off() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/b.db", dir.path().display());
    let on = Running::start(up_on_free_ports(&db).stderr(Stdio::null()));
    let ws = on.must("ws");
    assert_ne!(ws.port(), 0, "{}", on.ready);
    drop(on);
    let off = Running::start(
        Command::new(BIN)
            .args(["up", "--db", &db, "--http", "127.0.0.1:0"])
            .args(["--mqtt-listen", "127.0.0.1:0", "--mqtt-ws-listen", "off"])
            .stderr(Stdio::null()),
    );
    assert!(!off.ready.contains("ws="), "{}", off.ready);
}
