//! The gateway's tasks. One task owns the event loop and only polls it: it hands publishes
//! to the processor over a channel and never awaits the processor or an ack (that would deadlock the
//! loop that must send it). The processor batches, submits to the ledger (which commits),
//! publishes the replies, and acks every publish in arrival order. A scan is acked to the
//! broker only once it is committed, so a crash before that leaves it with the broker.

use std::sync::Arc;
use std::time::Duration;

use bayline_ledger::{Incoming, Ledger};
use bayline_proto::topic;
use rumqttc::{AsyncClient, Event, EventLoop, Packet, Publish, QoS};
use tokio::sync::{mpsc, Notify};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::BrokerUrl;
use bayline_domain::decode::{decode, kept};

/// Most scans committed in one transaction.
const MAX_BATCH: usize = 512;

#[derive(Debug, Clone)]
pub struct GatewayOptions {
    pub broker: BrokerUrl,
    /// Fixed, so the broker keeps our session (and unacked scans) across reconnects.
    pub client_id: String,
    /// An MQTT 5 shared-subscription group, for several gateways on one broker.
    pub share_group: Option<String>,
    /// Told once the broker has the subscription (or kept it from an earlier session):
    /// from then on scans reach this gateway.
    pub subscribed: Option<Arc<Notify>>,
}

impl GatewayOptions {
    fn filter(&self) -> String {
        match &self.share_group {
            Some(g) => format!("$share/{g}/{}", topic::ALL_SCANS),
            None => topic::ALL_SCANS.to_string(),
        }
    }
}

/// Runs the gateway until `cancel`; then finishes the batch in hand, sends its replies and
/// acks, and disconnects. Returns how many scans it answered.
pub async fn run(ledger: Arc<Ledger>, options: GatewayOptions, cancel: CancellationToken) -> u64 {
    let mut mqtt = options.broker.options(&options.client_id);
    mqtt.set_clean_session(false)
        .set_manual_acks(true)
        .set_inflight(200)
        .set_request_channel_capacity(4096);
    let (client, eventloop) = AsyncClient::new(mqtt, 4096);
    // Unbounded on purpose: the loop that polls the broker must never wait for the
    // processor, since the processor's replies and acks only leave when that loop polls (a
    // bounded channel deadlocks both under a backlog). What bounds it is MQTT's flow
    // control: the broker sends at most its in-flight window of unacknowledged scans.
    let (tx, rx) = mpsc::unbounded_channel();
    let processed = CancellationToken::new();
    let processor = tokio::spawn(
        process(
            ledger,
            client.clone(),
            rx,
            cancel.clone(),
            processed.clone(),
        )
        .instrument(tracing::info_span!("processor")),
    );
    let subscribed = options.subscribed.clone();
    poll(
        eventloop,
        client,
        tx,
        options.filter(),
        subscribed,
        cancel,
        processed,
    )
    .instrument(tracing::info_span!("mqtt"))
    .await;
    processor.await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "gateway processor panicked");
        0
    })
}

async fn poll(
    mut eventloop: EventLoop,
    client: AsyncClient,
    tx: mpsc::UnboundedSender<Publish>,
    filter: String,
    subscribed: Option<Arc<Notify>>,
    cancel: CancellationToken,
    processed: CancellationToken,
) {
    let told = || {
        if let Some(s) = &subscribed {
            s.notify_one();
        }
    };
    let mut backoff = Duration::from_millis(100);
    let mut forwarding = true;
    loop {
        let event = tokio::select! {
            _ = cancel.cancelled(), if forwarding => {
                // Stop taking scans; keep polling so replies and acks of the last batch go out.
                forwarding = false;
                continue;
            }
            _ = processed.cancelled() => break,
            event = eventloop.poll() => event,
        };
        match event {
            Ok(Event::Incoming(Packet::ConnAck(ack))) => {
                backoff = Duration::from_millis(100);
                tracing::info!(session_present = ack.session_present, "connected to broker");
                metrics::counter!("bayline_mqtt_connects_total").increment(1);
                if ack.session_present {
                    told();
                } else if let Err(e) = client.try_subscribe(filter.clone(), QoS::AtLeastOnce) {
                    tracing::error!(error = %e, "cannot queue the subscription");
                }
            }
            Ok(Event::Incoming(Packet::SubAck(_))) => {
                tracing::info!(filter = %filter, "subscribed");
                told();
            }
            Ok(Event::Incoming(Packet::Publish(p))) if forwarding => {
                if tx.send(p).is_err() {
                    break;
                }
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "broker connection lost");
                tokio::select! {
                    _ = processed.cancelled() => break,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
    // Flush what the processor queued (its last acks), then say goodbye.
    let _ = client.try_disconnect();
    let flush = async {
        while let Ok(ev) = eventloop.poll().await {
            if matches!(ev, Event::Outgoing(rumqttc::Outgoing::Disconnect)) {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), flush).await;
}

async fn process(
    ledger: Arc<Ledger>,
    client: AsyncClient,
    mut rx: mpsc::UnboundedReceiver<Publish>,
    cancel: CancellationToken,
    processed: CancellationToken,
) -> u64 {
    let _done = processed.drop_guard();
    let mut answered = 0;
    loop {
        let first = tokio::select! {
            // Stop promptly: what is left in the channel is not acked, so the broker keeps it.
            biased;
            _ = cancel.cancelled() => break,
            p = rx.recv() => match p { Some(p) => p, None => break },
        };
        let mut publishes = vec![first];
        while publishes.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(p) => publishes.push(p),
                Err(_) => break,
            }
        }
        let now = jiff::Timestamp::now();
        let mut batch = Vec::with_capacity(publishes.len());
        let mut routed = Vec::with_capacity(publishes.len());
        for p in publishes {
            match topic::parse_scan_topic(&p.topic) {
                Some(t) => {
                    let decoded = decode(&p.payload, &t.scanner, now);
                    let raw = kept(&p.payload).to_vec();
                    batch.push(Incoming {
                        site: t.site,
                        scanner: t.scanner,
                        received_at: now,
                        size: p.payload.len(),
                        raw,
                        decoded,
                    });
                    routed.push(p);
                }
                None => {
                    // Our subscription cannot match another topic; ack it so it is not redelivered.
                    tracing::warn!(topic = %p.topic, "publish on a topic that is not a scan topic");
                    let _ = client.ack(&p).await;
                }
            }
        }
        let answers = match ledger.submit(batch, &cancel).await {
            Ok(a) => a,
            // Only cancellation ends the retries: leave the batch unacked for the broker.
            Err(e) => {
                tracing::warn!(error = %e, "shutting down with a batch uncommitted; it stays with the broker");
                break;
            }
        };
        answered += answers.len() as u64;
        for (p, answer) in routed.iter().zip(answers) {
            let span = tracing::info_span!("reply", site = %answer.site, scanner = %answer.scanner, seq = ?answer.reply.seq, ok = answer.reply.ok);
            let _enter = span.enter();
            match serde_json::to_vec(&answer.reply) {
                Ok(body) => {
                    let topic = topic::reply(&answer.site, &answer.scanner);
                    if let Err(e) = client.publish(topic, QoS::AtLeastOnce, false, body).await {
                        tracing::warn!(error = %e, "reply not queued");
                    }
                }
                Err(e) => tracing::error!(error = %e, "reply not serialisable"),
            }
            if let Err(e) = client.ack(p).await {
                tracing::warn!(error = %e, "ack not queued");
            }
        }
    }
    answered
}
