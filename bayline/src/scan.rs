//! `bayline scan`: one scan, published as a handheld publishes it (with its own credentials,
//! on its own topic, QoS 1), then the reply printed.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};
use bayline_gateway::{BrokerUrl, Session, SessionEvent, SessionOptions};
use bayline_proto::{topic, Reply};
use rumqttc::QoS;
use serde_json::json;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Broker: mqtt://host:port (the scanner's credentials come from --scanner/--secret).
    #[arg(long, default_value = "mqtt://127.0.0.1:1883")]
    pub broker: BrokerUrl,
    #[arg(long, default_value = "demo")]
    pub site: String,
    /// Scanner id (the MQTT username).
    #[arg(long, default_value = "HH-01")]
    pub scanner: String,
    /// Scanner secret (the MQTT password).
    #[arg(
        long,
        env = "BAYLINE_SCANNER_SECRET",
        default_value = "demo-hh01",
        hide_env_values = true
    )]
    pub secret: String,
    /// Who scans.
    #[arg(long)]
    pub badge: String,
    /// check_in, start, pause, resume, finish, qc_pass, qc_fail, wash_start, wash_done, ready,
    /// delivered, shift_start, shift_end.
    #[arg(long)]
    pub action: String,
    #[arg(long)]
    pub job: Option<String>,
    #[arg(long)]
    pub op: Option<String>,
    #[arg(long)]
    pub bay: Option<String>,
    /// Pause reason (parts, approval, break, shift_end, other) or QC failure note.
    #[arg(long)]
    pub reason: Option<String>,
    /// Sequence number; default: milliseconds since 1970, which grows with every scan.
    #[arg(long)]
    pub seq: Option<u64>,
    /// When the scan happened (RFC 3339); default: now.
    #[arg(long)]
    pub ts: Option<String>,
    /// How long to wait for the reply, in seconds.
    #[arg(long, default_value_t = 10)]
    pub timeout: u64,
}

pub async fn run(a: ScanArgs) -> anyhow::Result<ExitCode> {
    let now = jiff::Zoned::now();
    let seq = a
        .seq
        .unwrap_or_else(|| now.timestamp().as_millisecond().max(0) as u64);
    let ts = a.ts.clone().unwrap_or_else(|| {
        now.timestamp()
            .display_with_offset(now.offset())
            .to_string()
    });
    let mut payload = json!({"v": 1, "seq": seq, "ts": ts, "badge": a.badge, "action": a.action});
    for (k, v) in [
        ("job", &a.job),
        ("op", &a.op),
        ("bay", &a.bay),
        ("reason", &a.reason),
    ] {
        if let Some(v) = v {
            payload[k] = json!(v);
        }
    }
    let reply = send(
        &a.broker,
        &a.site,
        &a.scanner,
        &a.secret,
        payload.to_string().into_bytes(),
        seq,
        Duration::from_secs(a.timeout),
    )
    .await?;
    println!("{}", serde_json::to_string(&reply)?);
    Ok(if reply.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// Publishes `payload` as `scanner` and waits for the reply to `seq`.
pub async fn send(
    broker: &BrokerUrl,
    site: &str,
    scanner: &str,
    secret: &str,
    payload: Vec<u8>,
    seq: u64,
    timeout: Duration,
) -> anyhow::Result<Reply> {
    let url = BrokerUrl {
        user: Some(scanner.to_string()),
        password: Some(secret.to_string()),
        ..broker.clone()
    };
    let mut options = SessionOptions::new(format!("{scanner}-cli-{}", std::process::id()))
        .subscribe(topic::reply(site, scanner));
    options.reconnect = false;
    let (tx, mut notices) = mpsc::unbounded_channel();
    let session = Session::start(&url, options, tx, CancellationToken::new());
    let wait = async {
        loop {
            match notices.recv().await {
                Some(SessionEvent::Subscribed) => {
                    session
                        .client
                        .publish(
                            topic::scan(site, scanner),
                            QoS::AtLeastOnce,
                            false,
                            payload.clone(),
                        )
                        .await?;
                }
                Some(SessionEvent::Refused(_)) => {
                    bail!("the broker refused the reply subscription for {scanner}")
                }
                Some(SessionEvent::Lost(why)) => bail!("broker connection: {why}"),
                None => bail!("broker connection closed"),
                Some(SessionEvent::Message(p)) => {
                    let reply: Reply =
                        serde_json::from_slice(&p.payload).context("reply is not JSON")?;
                    if reply.seq == Some(seq) || reply.seq.is_none() {
                        return Ok(reply);
                    }
                }
                Some(SessionEvent::Connected { .. }) => {}
            }
        }
    };
    let reply = tokio::time::timeout(timeout, wait)
        .await
        .with_context(|| format!("no reply within {}s", timeout.as_secs()))??;
    session.close().await;
    Ok(reply)
}
