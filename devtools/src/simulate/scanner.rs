//! A handheld as the simulator plays it: its own MQTT connection with its own credentials
//! (the broker's topic rights apply), an outbox, and the rule a real handheld follows:
//! publish a scan at QoS 1, wait for the reply to its seq, and publish the very same bytes
//! again until that reply comes (contract §3.2).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bayline_domain::{Event, EventKind};
use bayline_gateway::BrokerUrl;
use bayline_proto::{topic, Id, Reply};
use jiff::tz::TimeZone;
use rumqttc::{AsyncClient, Event as MqttEvent, Packet, QoS, SubscribeReasonCode};
use serde_json::{json, Value};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

#[derive(Debug, thiserror::Error)]
pub enum ScannerError {
    #[error("cannot reach the MQTT broker at mqtt://{url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the broker at mqtt://{url} refused handheld {scanner}: {reason}")]
    Refused {
        url: String,
        scanner: Id,
        reason: String,
    },
    #[error("handheld {scanner}: no reply to seq {seq} after {waited:?} and {resends} resends; is bayline running against this broker?")]
    NoReply {
        scanner: Id,
        seq: u64,
        waited: Duration,
        resends: u32,
    },
    #[error("handheld {0}: its MQTT connection is gone")]
    Closed(Id),
    #[error("stopped")]
    Cancelled,
}

/// A scan waiting in the outbox.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// Where the scan stands in the plan.
    pub index: usize,
    pub seq: u64,
    pub payload: Vec<u8>,
    /// Send it once more after its reply (`--duplicates`).
    pub repeat: bool,
}

/// What became of a scan.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivered {
    pub index: usize,
    pub reply: Reply,
    /// How often it was published again before its reply came.
    pub resends: u32,
    /// The reply to the repeat sent after the first reply, for a duplicated scan.
    pub repeat_reply: Option<Reply>,
    /// Delivered from an offline handheld's backlog.
    pub late: bool,
}

/// How long to wait for the broker's first answer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The link's state as the poll task sees it.
#[derive(Debug, Clone, PartialEq)]
enum Link {
    Connecting,
    /// Connected and subscribed to the replies.
    Up,
    Failed(String),
    Refused(String),
}

pub struct Handheld {
    pub id: Id,
    site: String,
    client: AsyncClient,
    replies: mpsc::UnboundedReceiver<Reply>,
    outbox: VecDeque<Outgoing>,
    /// Holding its scans (out of Wi-Fi); they go out at [`Handheld::flush`] with `late`.
    pub offline: bool,
    resend_after: Duration,
    give_up: Duration,
    stop: CancellationToken,
    poll: tokio::task::JoinHandle<()>,
}

impl Handheld {
    /// Connects as `id` with `secret` and subscribes to its replies.
    pub async fn connect(
        broker: &BrokerUrl,
        site: &str,
        id: &Id,
        secret: &str,
        resend_after: Duration,
    ) -> Result<Handheld, ScannerError> {
        let url = BrokerUrl {
            user: Some(id.to_string()),
            password: Some(secret.to_string()),
            ..broker.clone()
        };
        let mut options = url.options(&format!("{id}-sim-{}-{}", std::process::id(), unique()));
        // A fresh session each time: the outbox, not the broker, keeps what is unanswered.
        options.set_clean_session(true);
        let (client, mut events) = AsyncClient::new(options, 64);
        let (tx, replies) = mpsc::unbounded_channel();
        let (link_tx, mut link) = watch::channel(Link::Connecting);
        let stop = CancellationToken::new();
        let reply_topic = topic::reply(site, id);
        let poll = tokio::spawn({
            let (client, stop) = (client.clone(), stop.clone());
            async move {
                loop {
                    let event = tokio::select! {
                        _ = stop.cancelled() => return,
                        e = events.poll() => e,
                    };
                    match event {
                        // Every new connection needs the subscription again (clean session).
                        Ok(MqttEvent::Incoming(Packet::ConnAck(_))) => {
                            let _ = client.try_subscribe(reply_topic.clone(), QoS::AtLeastOnce);
                        }
                        Ok(MqttEvent::Incoming(Packet::SubAck(ack))) => {
                            let refused = (ack.return_codes.iter())
                                .any(|c| matches!(c, SubscribeReasonCode::Failure));
                            let _ = link_tx.send(if refused {
                                Link::Refused("it may not subscribe to its replies".into())
                            } else {
                                Link::Up
                            });
                        }
                        Ok(MqttEvent::Incoming(Packet::Publish(p))) => {
                            match serde_json::from_slice::<Reply>(&p.payload) {
                                Ok(r) => {
                                    let _ = tx.send(r);
                                }
                                Err(e) => tracing::warn!(error = %e, "a reply that is not a reply"),
                            }
                        }
                        Ok(MqttEvent::Outgoing(rumqttc::Outgoing::Disconnect)) => return,
                        Ok(_) => {}
                        Err(e) => {
                            let refused =
                                matches!(e, rumqttc::ConnectionError::ConnectionRefused(_));
                            let _ = link_tx.send(if refused {
                                Link::Refused(e.to_string())
                            } else {
                                Link::Failed(e.to_string())
                            });
                            // rumqttc reconnects on the next poll; the outbox resends.
                            tokio::select! {
                                _ = stop.cancelled() => return,
                                _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                            }
                        }
                    }
                }
            }
        });
        let target = broker.to_string();
        let waited = tokio::time::timeout(CONNECT_TIMEOUT, async {
            loop {
                let state = link.borrow_and_update().clone();
                match state {
                    Link::Up => return Ok(()),
                    Link::Refused(reason) => {
                        return Err(ScannerError::Refused {
                            url: target.clone(),
                            scanner: id.clone(),
                            reason,
                        })
                    }
                    Link::Failed(reason) => {
                        return Err(ScannerError::Unreachable {
                            url: target.clone(),
                            reason,
                        })
                    }
                    Link::Connecting => {}
                }
                if link.changed().await.is_err() {
                    return Err(ScannerError::Closed(id.clone()));
                }
            }
        })
        .await
        .unwrap_or_else(|_| {
            Err(ScannerError::Unreachable {
                url: target.clone(),
                reason: format!("no answer within {CONNECT_TIMEOUT:?}"),
            })
        });
        let handheld = Handheld {
            id: id.clone(),
            site: site.to_string(),
            client,
            replies,
            outbox: VecDeque::new(),
            offline: false,
            resend_after,
            give_up: Duration::from_secs(30).max(resend_after * 5),
            stop,
            poll,
        };
        match waited {
            Ok(()) => Ok(handheld),
            Err(e) => {
                handheld.abort().await;
                Err(e)
            }
        }
    }

    pub fn queue(&mut self, scan: Outgoing) {
        self.outbox.push_back(scan);
    }

    pub fn backlog(&self) -> usize {
        self.outbox.len()
    }

    /// Sends the outbox, oldest first, each scan until its reply; hands each result to
    /// `done`. `late` marks an offline handheld's backlog.
    pub async fn flush(
        &mut self,
        late: bool,
        cancel: &CancellationToken,
        mut done: impl FnMut(Delivered),
    ) -> Result<(), ScannerError> {
        while let Some(scan) = self.outbox.front().cloned() {
            let (reply, resends) = self.exchange(&scan, cancel).await?;
            let repeat_reply = if scan.repeat {
                Some(self.exchange(&scan, cancel).await?.0)
            } else {
                None
            };
            self.outbox.pop_front();
            done(Delivered {
                index: scan.index,
                reply,
                resends,
                repeat_reply,
                late,
            });
        }
        Ok(())
    }

    /// Publishes `scan` and waits for the reply to its seq, publishing it again every
    /// `resend_after`.
    async fn exchange(
        &mut self,
        scan: &Outgoing,
        cancel: &CancellationToken,
    ) -> Result<(Reply, u32), ScannerError> {
        let started = Instant::now();
        let mut resends = 0;
        self.publish(&scan.payload).await?;
        loop {
            let next = tokio::select! {
                _ = cancel.cancelled() => return Err(ScannerError::Cancelled),
                r = tokio::time::timeout(self.resend_after, self.replies.recv()) => r,
            };
            match next {
                Ok(Some(r)) if r.seq == Some(scan.seq) => return Ok((r, resends)),
                // An answer to an earlier scan (a redelivery, a repeat's second reply).
                Ok(Some(_)) => {}
                Ok(None) => return Err(ScannerError::Closed(self.id.clone())),
                Err(_) if started.elapsed() >= self.give_up => {
                    return Err(ScannerError::NoReply {
                        scanner: self.id.clone(),
                        seq: scan.seq,
                        waited: started.elapsed(),
                        resends,
                    })
                }
                Err(_) => {
                    resends += 1;
                    let (scanner, seq) = (&self.id, scan.seq);
                    tracing::debug!(%scanner, seq, resends, "no reply yet: publishing again");
                    self.publish(&scan.payload).await?;
                }
            }
        }
    }

    async fn publish(&self, payload: &[u8]) -> Result<(), ScannerError> {
        self.client
            .publish(
                topic::scan(&self.site, &self.id),
                QoS::AtLeastOnce,
                false,
                payload.to_vec(),
            )
            .await
            .map_err(|_| ScannerError::Closed(self.id.clone()))
    }

    /// Disconnects cleanly and waits for the poll task.
    pub async fn close(self) {
        let _ = self.client.try_disconnect();
        let mut poll = self.poll;
        // The poll task ends once the DISCONNECT is out; a dead link never sends it.
        if tokio::time::timeout(Duration::from_secs(1), &mut poll)
            .await
            .is_err()
        {
            self.stop.cancel();
            let _ = poll.await;
        }
    }

    /// Drops the connection at once (it never came up).
    async fn abort(self) {
        self.stop.cancel();
        let _ = self.poll.await;
    }
}

fn unique() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// The scan as a handheld puts it on the wire (contract §3.1), `ts` in the site's zone.
pub fn payload(event: &Event, tz: &TimeZone) -> Vec<u8> {
    let ts = event.key.ts.to_zoned(tz.clone());
    let mut v = json!({
        "v": 1,
        "seq": event.key.seq,
        "ts": ts.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        "badge": event.badge.as_str(),
        "action": event.kind.action().as_str(),
    });
    let mut set = |k: &str, value: Option<&str>| {
        if let Some(value) = value {
            v[k] = Value::from(value);
        }
    };
    set("job", event.kind.job().map(|j| j.as_str()));
    set("op", event.kind.op().map(|o| o.as_str()));
    set("bay", event.kind.bay().map(|b| b.as_str()));
    match &event.kind {
        EventKind::Pause { reason, .. } => set("reason", Some(reason.name())),
        EventKind::QcFail { note, .. } => set("reason", note.as_deref()),
        _ => {}
    }
    v.to_string().into_bytes()
}
