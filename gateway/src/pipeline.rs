//! The gateway's intake. Its [`Session`] polls the broker and hands scans over; the
//! processor batches them, submits them to the ledger (which commits), publishes the replies,
//! and acks every publish in arrival order. A scan is acked to the broker only once it is
//! committed, so a crash before that leaves it with the broker.

use std::sync::Arc;

use bayline_ledger::{Incoming, Ledger};
use bayline_proto::topic;
use rumqttc::{AsyncClient, QoS};
use tokio::sync::{mpsc, Notify};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::session::{Session, SessionEvent, SessionOptions};
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
    let mut session = SessionOptions::new(options.client_id.clone()).subscribe(options.filter());
    session.clean = false;
    session.manual_acks = true;
    session.inflight = Some(200);
    session.capacity = 4096;
    let (tx, rx) = mpsc::unbounded_channel();
    // Scans stop being handed over at `cancel`; the session polls on until `close`, so the
    // replies and acks of the last batch go out.
    let session = Session::start(&options.broker, session, tx, cancel.clone());
    let answered = process(ledger, &session.client, rx, options.subscribed, cancel)
        .instrument(tracing::info_span!("processor"))
        .await;
    session.close().await;
    answered
}

async fn process(
    ledger: Arc<Ledger>,
    client: &AsyncClient,
    mut rx: mpsc::UnboundedReceiver<SessionEvent>,
    subscribed: Option<Arc<Notify>>,
    cancel: CancellationToken,
) -> u64 {
    let mut answered = 0;
    loop {
        let notice = tokio::select! {
            // Stop promptly: what is left in the channel is not acked, so the broker keeps it.
            biased;
            _ = cancel.cancelled() => break,
            n = rx.recv() => match n { Some(n) => n, None => break },
        };
        // Scans to batch; of the rest, only "subscribed" is worth telling.
        let scan = |event: SessionEvent| match event {
            SessionEvent::Message(p) => Some(p),
            SessionEvent::Subscribed => {
                if let Some(s) = &subscribed {
                    s.notify_one();
                }
                None
            }
            _ => None,
        };
        let Some(first) = scan(notice) else {
            continue;
        };
        let mut publishes = vec![first];
        while publishes.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(event) => publishes.extend(scan(event)),
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
