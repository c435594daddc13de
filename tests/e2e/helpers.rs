//! `spawn_app()` and typed helpers: a handheld that scans and waits for its reply, and an
//! HTTP client with the demo site's tokens.

use std::net::SocketAddr;
use std::time::Duration;

use bayline::up::{Mqtt, Ready, Up};
use bayline_gateway::BrokerUrl;
use bayline_proto::{topic, Reply};
use bayline_site::SiteConfig;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

pub const SITE: &str = "demo";
pub const MANAGER: &str = "demo-manager-token";
pub const ADVISOR: &str = "demo-advisor-token";
/// How long any wait in these tests may take before it is a failure.
pub const DEADLINE: Duration = Duration::from_secs(15);

pub fn init_logs() {
    if std::env::var_os("TEST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("info,bayline=debug")
            .with_test_writer()
            .try_init();
    }
}

pub struct TestApp {
    pub http: SocketAddr,
    /// Where handhelds connect.
    pub broker: BrokerUrl,
    /// The built-in broker's MQTT over WebSocket, when it serves it.
    pub ws: Option<SocketAddr>,
    pub db_url: String,
    /// Keeps the database's folder alive as long as the app.
    _dir: tempfile::TempDir,
    pub cancel: CancellationToken,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    pub client: reqwest::Client,
}

/// Starts the whole system on ephemeral ports with a fresh SQLite file.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(None).await
}

/// As [`spawn_app`], against an external broker when `external` is given.
pub async fn spawn_app_with(external: Option<BrokerUrl>) -> TestApp {
    init_logs();
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}/bayline.db", dir.path().display());
    let (app, _) = start(db_url, dir, external, vec![]).await;
    app
}

/// As [`spawn_app`], serving `extra` sites beside the demo site.
pub async fn spawn_app_with_sites(extra: Vec<SiteConfig>) -> TestApp {
    init_logs();
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}/bayline.db", dir.path().display());
    let (app, _) = start(db_url, dir, None, extra).await;
    app
}

/// As [`spawn_app`], on the database at `db_url` (e.g. `postgres://…`).
pub async fn spawn_app_on(db_url: &str) -> TestApp {
    init_logs();
    let (app, _) = start(db_url.into(), tempfile::tempdir().unwrap(), None, vec![]).await;
    app
}

async fn start(
    db_url: String,
    dir: tempfile::TempDir,
    external: Option<BrokerUrl>,
    extra: Vec<SiteConfig>,
) -> (TestApp, Ready) {
    let mqtt = match &external {
        Some(url) => Mqtt::External(url.clone()),
        None => Mqtt::Listen("127.0.0.1:0".parse().unwrap()),
    };
    let up = Up {
        sites: std::iter::once(SiteConfig::demo()).chain(extra).collect(),
        db: db_url.clone(),
        mqtt,
        http: "127.0.0.1:0".parse().unwrap(),
        // The customers' /c/ limit keys on X-Forwarded-For, so that a test can come from
        // several addresses.
        trust_forwarded_for: true,
        https: None,
        mqtt_ws: Some("127.0.0.1:0".parse().unwrap()),
        client_id: format!("bayline-gw-{}", rand_suffix()),
        service_password: None,
    };
    let cancel = CancellationToken::new();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(bayline::up::run(up, cancel.clone(), move |r| {
        let _ = tx.send(r.clone());
    }));
    let ready = tokio::time::timeout(DEADLINE, rx)
        .await
        .expect("bayline did not get ready")
        .expect("bayline stopped before ready");
    let broker = match external {
        Some(url) => BrokerUrl {
            user: None,
            password: None,
            ..url
        },
        None => {
            let addr: SocketAddr = ready.mqtt.parse().unwrap();
            BrokerUrl {
                host: addr.ip().to_string(),
                port: addr.port(),
                user: None,
                password: None,
                tls: None,
            }
        }
    };
    let app = TestApp {
        http: ready.http,
        broker,
        ws: ready.ws.map(|(addr, _)| addr),
        db_url,
        _dir: dir,
        cancel,
        task: Some(task),
        client: reqwest::Client::new(),
    };
    (app, ready)
}

pub fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

impl TestApp {
    pub async fn stop(&mut self) {
        self.cancel.cancel();
        if let Some(t) = self.task.take() {
            tokio::time::timeout(DEADLINE, t)
                .await
                .expect("bayline did not stop")
                .unwrap()
                .unwrap();
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.http)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut req = self.client.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
        self.send(self.client.put(self.url(path)).json(body), token)
            .await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
        self.send(self.client.post(self.url(path)).json(body), token)
            .await
    }

    async fn send(&self, mut req: reqwest::RequestBuilder, token: Option<&str>) -> (u16, Value) {
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Creates a job card with ops `(op, std_hours)`.
    pub async fn put_job(&self, job: &str, ops: &[(&str, f64)]) -> Value {
        let ops: Vec<Value> = ops
            .iter()
            .map(|(op, h)| json!({"op": op, "title": format!("op {op}"), "std_hours": h}))
            .collect();
        let body = json!({"plate": "粤B12345", "vehicle": "Camry", "customer": "Zhang San", "advisor": "A01", "promised_at": ts(-240), "ops": ops});
        let (status, view) = self
            .put(
                &format!("/api/v1/sites/{SITE}/jobs/{job}"),
                Some(ADVISOR),
                &body,
            )
            .await;
        assert!(status == 201 || status == 200, "{status} {view}");
        view
    }

    pub async fn job(&self, job: &str) -> Value {
        let (status, v) = self
            .get(&format!("/api/v1/sites/{SITE}/jobs/{job}"), Some(MANAGER))
            .await;
        assert_eq!(status, 200, "{v}");
        v
    }

    pub async fn bay(&self, bay: &str) -> Value {
        let (status, v) = self
            .get(&format!("/api/v1/sites/{SITE}/bays"), Some(MANAGER))
            .await;
        assert_eq!(status, 200, "{v}");
        v.as_array()
            .unwrap()
            .iter()
            .find(|b| b["bay"] == bay)
            .cloned()
            .unwrap()
    }

    pub async fn handheld(&self, scanner: &str) -> Handheld {
        let secret = SiteConfig::demo().scanner(scanner).unwrap().secret.clone();
        Handheld::connect(&self.broker, scanner, &secret).await
    }

    /// Rows stored for this (scanner, seq), read from the database file itself.
    pub async fn stored(&self, scanner: &str, seq: u64) -> i64 {
        let store = bayline_store::Store::open(&self.db_url).await.unwrap();
        let n = store
            .count_scans(&SITE.parse().unwrap(), scanner, seq)
            .await
            .unwrap();
        store.close().await;
        n
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// RFC 3339 time `minutes` from now (negative = in the past), with the demo site's offset.
pub fn ts(minutes: i64) -> String {
    let t = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(minutes * 60);
    t.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// A handheld: connected with its own credentials, subscribed to its replies.
pub struct Handheld {
    pub id: String,
    client: AsyncClient,
    replies: mpsc::UnboundedReceiver<Reply>,
    next_seq: u64,
    _poll: tokio::task::JoinHandle<()>,
}

impl Handheld {
    pub async fn connect(broker: &BrokerUrl, id: &str, secret: &str) -> Handheld {
        let mut o = MqttOptions::new(format!("{id}-{}", rand_suffix()), &broker.host, broker.port);
        o.set_credentials(id, secret)
            .set_max_packet_size(1 << 20, 1 << 20)
            .set_keep_alive(Duration::from_secs(30));
        let (client, mut events) = AsyncClient::new(o, 64);
        client
            .subscribe(topic::reply(SITE, id), QoS::AtLeastOnce)
            .await
            .unwrap();
        let (tx, replies) = mpsc::unbounded_channel();
        let (subscribed_tx, subscribed) = tokio::sync::oneshot::channel();
        let mut subscribed_tx = Some(subscribed_tx);
        let poll = tokio::spawn(async move {
            loop {
                match events.poll().await {
                    Ok(Event::Incoming(Packet::SubAck(_))) => {
                        if let Some(s) = subscribed_tx.take() {
                            let _ = s.send(());
                        }
                    }
                    Ok(Event::Incoming(Packet::Publish(p))) => {
                        if let Ok(r) = serde_json::from_slice(&p.payload) {
                            let _ = tx.send(r);
                        }
                    }
                    Ok(_) => {}
                    // rumqttc reconnects on the next poll; a refused publish may drop us.
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            }
        });
        tokio::time::timeout(DEADLINE, subscribed)
            .await
            .expect("no SubAck")
            .unwrap();
        Handheld {
            id: id.into(),
            client,
            replies,
            next_seq: 1,
            _poll: poll,
        }
    }

    /// Publishes raw bytes on this scanner's scan topic (or `topic_of` another).
    pub async fn publish_raw(&self, scanner_topic: &str, payload: Vec<u8>) {
        self.client
            .publish(
                topic::scan(SITE, scanner_topic),
                QoS::AtLeastOnce,
                false,
                payload,
            )
            .await
            .unwrap();
    }

    /// The next reply, within the deadline.
    pub async fn reply(&mut self) -> Reply {
        tokio::time::timeout(DEADLINE, self.replies.recv())
            .await
            .expect("no reply in time")
            .expect("handheld closed")
    }

    /// True if no reply comes within `wait` (used after sends that must not be answered,
    /// always followed by a send that must be, so the test cannot pass by being slow).
    pub fn pending_reply(&mut self) -> Option<Reply> {
        self.replies.try_recv().ok()
    }

    /// Sends a scan with the next seq and `fields` merged in; returns the reply.
    pub async fn scan(&mut self, badge: &str, action: &str, fields: Value) -> Reply {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.scan_seq(seq, badge, action, fields).await
    }

    pub async fn scan_seq(&mut self, seq: u64, badge: &str, action: &str, fields: Value) -> Reply {
        let mut body = json!({"v": 1, "seq": seq, "ts": ts(0), "badge": badge, "action": action});
        if let Value::Object(m) = fields {
            for (k, v) in m {
                body[k] = v;
            }
        }
        self.send(body).await
    }

    pub async fn send(&mut self, body: Value) -> Reply {
        let seq = body["seq"].as_u64();
        let id = self.id.clone();
        self.publish_raw(&id, body.to_string().into_bytes()).await;
        let r = self.reply().await;
        assert_eq!(r.seq, seq, "reply to another seq: {r:?}");
        r
    }
}

/// Asserts a reply is an acceptance (without warning).
#[track_caller]
pub fn assert_ok(r: &Reply) {
    assert!(r.ok && r.warning.is_none(), "expected ok, got {r:?}");
    assert!(r.msg.chars().count() <= 64);
}
