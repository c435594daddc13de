//! Boards (contract §3.3, §5): a display subscribed with its own credentials sees the retained
//! models follow the workshop, never a full plate or a name; previews draw the live model.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bayline_proto::board::{self, BayState, BayTag, Lounge, Stage, Workshop};
use bayline_proto::topic;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use serde_json::json;
use tokio::sync::Notify;

use crate::helpers::*;

/// A board panel: the latest retained message per topic.
pub(crate) struct Display {
    latest: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    arrived: Arc<Notify>,
    _poll: tokio::task::JoinHandle<()>,
}

impl Display {
    pub(crate) async fn connect(app: &TestApp, id: &str, secret: &str) -> Display {
        let b = &app.broker;
        let mut o = MqttOptions::new(format!("{id}-{}", rand_suffix()), &b.host, b.port);
        o.set_credentials(id, secret);
        let (client, mut events) = AsyncClient::new(o, 64);
        client
            .subscribe(topic::board(SITE, "#"), QoS::AtLeastOnce)
            .await
            .unwrap();
        let latest = Arc::new(Mutex::new(HashMap::new()));
        let arrived = Arc::new(Notify::new());
        let (l, a) = (latest.clone(), arrived.clone());
        let poll = tokio::spawn(async move {
            let _client = client;
            loop {
                match events.poll().await {
                    Ok(Event::Incoming(Packet::Publish(p))) => {
                        l.lock()
                            .unwrap()
                            .insert(p.topic.clone(), p.payload.to_vec());
                        a.notify_waiters();
                    }
                    Ok(_) => {}
                    Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
                }
            }
        });
        Display {
            latest,
            arrived,
            _poll: poll,
        }
    }

    /// Waits until the board on `name` decodes to a model that `ok` accepts; returns it.
    pub(crate) async fn wait_for<M: serde::de::DeserializeOwned>(
        &self,
        name: &str,
        ok: impl Fn(&M) -> bool,
    ) -> (M, Vec<u8>) {
        let topic = topic::board(SITE, name);
        let check = || {
            let bytes = self.latest.lock().unwrap().get(&topic).cloned()?;
            let model: M = board::decode(&bytes).expect("a board the firmware can decode");
            ok(&model).then_some((model, bytes))
        };
        tokio::time::timeout(DEADLINE, async {
            loop {
                let notified = self.arrived.notified();
                if let Some(found) = check() {
                    return found;
                }
                notified.await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("board {name} never showed what was expected"))
    }
}

#[tokio::test]
async fn boards_follow_the_workshop_and_carry_no_plate_or_name() {
    let app = spawn_app().await;
    let display = Display::connect(&app, "lounge-1", "demo-lounge").await;
    // Every board is there from the start, retained.
    display
        .wait_for::<Workshop>("workshop", |w| !w.bays.is_empty())
        .await;
    display
        .wait_for::<BayTag>("bay/B01", |t| t.name.as_str() == "Lift 1")
        .await;

    app.put_job("RO-B1", &[("10", 1.0)]).await;
    let mut hh = app.handheld("HH-01").await;
    assert_ok(&hh.scan("A01", "check_in", json!({"job": "RO-B1"})).await);
    let (lounge, bytes) = display
        .wait_for::<Lounge>("lounge", |l| {
            l.rows.iter().any(|r| r.stage == Stage::CheckedIn)
        })
        .await;
    assert_eq!(lounge.rows[0].plate.as_str(), "粤B***45");
    assert_eq!(lounge.rows[0].vehicle.as_str(), "Camry");
    for secret in ["12345", "Zhang"] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} on a board"
        );
    }

    assert_ok(
        &hh.scan(
            "T07",
            "start",
            json!({"job": "RO-B1", "op": "10", "bay": "B02"}),
        )
        .await,
    );
    let (workshop, _) = display
        .wait_for::<Workshop>("workshop", |w| {
            w.bays
                .iter()
                .any(|b| b.bay.as_str() == "B02" && b.state == BayState::Working)
        })
        .await;
    let b02 = workshop
        .bays
        .iter()
        .find(|b| b.bay.as_str() == "B02")
        .unwrap();
    assert_eq!(b02.job.as_deref(), Some("RO-B1"));
    assert_eq!(
        b02.badges.iter().map(|b| b.as_str()).collect::<Vec<_>>(),
        ["T07"]
    );
    assert_eq!(b02.std_min, 60);
    let (tag, _) = display
        .wait_for::<BayTag>("bay/B02", |t| t.now.is_some())
        .await;
    assert_eq!(tag.now.unwrap().op.as_str(), "op 10");

    assert_ok(
        &hh.scan(
            "T07",
            "pause",
            json!({"job": "RO-B1", "op": "10", "reason": "parts"}),
        )
        .await,
    );
    display
        .wait_for::<Lounge>("lounge", |l| {
            l.rows.iter().any(|r| r.stage == Stage::WaitingParts)
        })
        .await;
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

#[tokio::test]
async fn previews_draw_the_live_boards_at_their_panel_sizes() {
    let app = spawn_app().await;
    app.put_job("RO-P1", &[("10", 1.0)]).await;
    let mut hh = app.handheld("HH-01").await;
    assert_ok(&hh.scan("A01", "check_in", json!({"job": "RO-P1"})).await);

    for (path, size) in [
        ("/boards/demo/lounge.png", (800, 480)),
        ("/boards/demo/bay/B01.png", (296, 128)),
        ("/boards/demo/workshop.png?profile=hub75-256x64", (256, 0)),
    ] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["content-type"], "image/png");
        let png = res.bytes().await.unwrap();
        let (w, h) = png_size(&png);
        assert_eq!(w, size.0, "{path}");
        // A paged workshop board stacks its pages; the lounge and tags are one panel.
        assert!(size.1 == 0 || h == size.1, "{path}: {w}×{h}");
        if let Ok(dir) = std::env::var("BAYLINE_PREVIEW_DIR") {
            let name = path
                .trim_start_matches("/boards/")
                .replace(['/', '?', '='], "_");
            std::fs::write(format!("{dir}/{name}"), &png).unwrap();
        }
    }

    for (path, status, words) in [
        ("/boards/demo/lobby.png", 404, "boards are lounge"),
        ("/boards/demo/bay/B99.png", 404, "no bay"),
        ("/boards/demo/lounge", 404, ".png"),
        ("/boards/nowhere/lounge.png", 404, "nowhere"),
        (
            "/boards/demo/lounge.png?profile=tag-2in9",
            400,
            "lounge-7in5",
        ),
    ] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), status, "{path}");
        let body: serde_json::Value = res.json().await.unwrap();
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(words), "{path}: {body}");
    }
}
