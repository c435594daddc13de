//! One MQTT connection and the task that polls it: the one adapter every MQTT client of
//! bayline goes through (the gateway's intake, the board publisher, `bayline display`,
//! `bayline scan`). It connects, subscribes (again after a reconnect that lost the session),
//! reconnects with [`Backoff::LINK`] when asked to, hands what arrives to its owner as
//! [`SessionEvent`]s, and on stop disconnects after flushing what the owner queued.
//!
//! The poll task never waits for its owner (the notices channel is unbounded): the owner's
//! publishes and acks only leave while the loop polls, so a loop blocked on its owner would
//! deadlock both. What bounds the channel is MQTT's flow control: the broker sends at most
//! its in-flight window of unacknowledged messages.

use std::time::Duration;

use bayline_ledger::Backoff;
use rumqttc::{AsyncClient, Event, EventLoop, Outgoing, Packet, Publish, QoS, SubscribeReasonCode};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::BrokerUrl;

/// How long the last publishes and the disconnect may take to leave on stop.
const FLUSH: Duration = Duration::from_secs(2);

/// How a session connects and what it does when the connection drops.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    pub client_id: String,
    /// A clean session each connection; `false` keeps the broker's session (and unacked
    /// messages) across reconnects.
    pub clean: bool,
    /// Publishes are acked by the owner ([`AsyncClient::ack`]), once it has dealt with them.
    pub manual_acks: bool,
    /// Unacknowledged QoS 1 publishes either way; `None` is rumqttc's default.
    pub inflight: Option<u16>,
    /// Requests (publishes, acks) the owner may queue before `publish` waits.
    pub capacity: usize,
    /// `None` is rumqttc's default.
    pub keep_alive: Option<Duration>,
    /// Topic filters subscribed at QoS 1 on every connection without a kept session.
    pub filters: Vec<String>,
    /// Reconnect with backoff after a lost connection; `false` ends the session instead,
    /// for an owner that reconnects by itself.
    pub reconnect: bool,
}

impl SessionOptions {
    /// A clean, reconnecting session that subscribes to nothing.
    pub fn new(client_id: impl Into<String>) -> SessionOptions {
        SessionOptions {
            client_id: client_id.into(),
            clean: true,
            manual_acks: false,
            inflight: None,
            capacity: 16,
            keep_alive: None,
            filters: Vec::new(),
            reconnect: true,
        }
    }

    pub fn subscribe(mut self, filter: impl Into<String>) -> SessionOptions {
        self.filters.push(filter.into());
        self
    }
}

/// What the connection tells its owner.
#[derive(Debug)]
pub enum SessionEvent {
    /// Connected; `session_present` when the broker kept the session (and its subscriptions).
    Connected { session_present: bool },
    /// The broker has the subscriptions: messages on them reach this session from now on.
    Subscribed,
    /// The broker refused the subscription to a filter.
    Refused(String),
    /// A message on a subscribed filter.
    Message(Publish),
    /// The connection dropped (or never came up), with why.
    Lost(String),
}

/// A running connection: the client to publish and ack with, and its poll task.
#[derive(Debug)]
pub struct Session {
    pub client: AsyncClient,
    /// Taken by [`Session::close`].
    task: Option<JoinHandle<()>>,
    stop: CancellationToken,
}

impl Session {
    /// Connects and starts polling. Messages are handed over as [`SessionEvent::Message`] until
    /// `forwarding` fires; polling goes on (so the owner's last publishes and acks leave)
    /// until `stop` fires or [`Session::close`] is called.
    pub fn start(
        broker: &BrokerUrl,
        options: SessionOptions,
        notices: mpsc::UnboundedSender<SessionEvent>,
        forwarding: CancellationToken,
    ) -> Session {
        let mut mqtt = broker.options(&options.client_id);
        mqtt.set_clean_session(options.clean)
            .set_manual_acks(options.manual_acks)
            .set_request_channel_capacity(options.capacity);
        if let Some(n) = options.inflight {
            mqtt.set_inflight(n);
        }
        if let Some(k) = options.keep_alive {
            mqtt.set_keep_alive(k);
        }
        let (client, eventloop) = AsyncClient::new(mqtt, options.capacity);
        let stop = CancellationToken::new();
        let task = tokio::spawn(poll(
            eventloop,
            client.clone(),
            options,
            notices,
            forwarding,
            stop.clone(),
        ));
        Session {
            client,
            task: Some(task),
            stop,
        }
    }

    /// A token that ends the session when cancelled, for an owner that stops it from
    /// elsewhere (the gateway's processor, once its last batch is answered).
    pub fn stopper(&self) -> CancellationToken {
        self.stop.clone()
    }

    /// Disconnects after what is queued has left (at most [`FLUSH`]), and waits for the
    /// poll task to end.
    pub async fn close(mut self) {
        self.stop.cancel();
        if let Some(task) = self.task.take() {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "MQTT poll task panicked");
            }
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // A session dropped without `close` still stops polling (and disconnects).
        self.stop.cancel();
    }
}

async fn poll(
    mut eventloop: EventLoop,
    client: AsyncClient,
    options: SessionOptions,
    notices: mpsc::UnboundedSender<SessionEvent>,
    forwarding: CancellationToken,
    stop: CancellationToken,
) {
    let mut backoff = Backoff::LINK;
    let mut forward = true;
    // The filters of the SUBSCRIBE in flight, to name a refused one.
    let filters = options.filters.clone();
    loop {
        let event = tokio::select! {
            _ = forwarding.cancelled(), if forward => {
                forward = false;
                continue;
            }
            _ = stop.cancelled() => break,
            event = eventloop.poll() => event,
        };
        let notice = match event {
            Ok(Event::Incoming(Packet::ConnAck(ack))) => {
                backoff.reset();
                metrics::counter!("bayline_mqtt_connects_total").increment(1);
                tracing::info!(session_present = ack.session_present, "connected to broker");
                if !filters.is_empty() {
                    if ack.session_present {
                        let _ = notices.send(SessionEvent::Connected {
                            session_present: true,
                        });
                        SessionEvent::Subscribed
                    } else {
                        for f in &filters {
                            if let Err(e) = client.try_subscribe(f.clone(), QoS::AtLeastOnce) {
                                tracing::error!(error = %e, filter = %f, "cannot queue the subscription");
                            }
                        }
                        SessionEvent::Connected {
                            session_present: false,
                        }
                    }
                } else {
                    SessionEvent::Connected {
                        session_present: ack.session_present,
                    }
                }
            }
            Ok(Event::Incoming(Packet::SubAck(ack))) => {
                let refused = (ack.return_codes.iter())
                    .position(|c| matches!(c, SubscribeReasonCode::Failure));
                match refused {
                    Some(i) => {
                        let filter = filters.get(i).cloned().unwrap_or_default();
                        tracing::warn!(%filter, "the broker refused the subscription");
                        SessionEvent::Refused(filter)
                    }
                    None => {
                        tracing::info!(filters = ?filters, "subscribed");
                        SessionEvent::Subscribed
                    }
                }
            }
            Ok(Event::Incoming(Packet::Publish(p))) if forward => SessionEvent::Message(p),
            Ok(_) => continue,
            Err(e) => {
                let why = e.to_string();
                let _ = notices.send(SessionEvent::Lost(why.clone()));
                if !options.reconnect {
                    return;
                }
                tracing::warn!(error = %why, retry_in_ms = backoff.delay().as_millis() as u64, "broker connection lost");
                if !backoff.wait(&stop).await {
                    break;
                }
                continue;
            }
        };
        if notices.send(notice).is_err() {
            // The owner is done: only the flush is left.
            break;
        }
    }
    // Flush what the owner queued (its last publishes and acks), then say goodbye.
    let _ = client.try_disconnect();
    let flush = async {
        while let Ok(ev) = eventloop.poll().await {
            if matches!(ev, Event::Outgoing(Outgoing::Disconnect)) {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(FLUSH, flush).await;
}
