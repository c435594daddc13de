//! Publishes every site's boards as retained messages (contract §3.3) when what they show
//! changes: a change in the ledger marks its site dirty, changes within
//! [`BoardOptions::coalesce`] go out as one publish per board, and a board whose content is
//! the same as the last one published is not sent at all. A periodic tick catches what
//! changes with time alone (clocked minutes, ETAs).
//!
//! A board's `updated` clock says when its content last changed, so it is left out of the
//! comparison: the clock moving on alone is not a change worth waking an e-ink panel for.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use bayline_domain::boards::Boards;
use bayline_ledger::Ledger;
use bayline_proto::board::{self, BoardError, Clock};
use bayline_proto::topic;
use bayline_proto::Id;
use rumqttc::{AsyncClient, Event, EventLoop, Packet, QoS};
use serde::Serialize;
use tokio::sync::{broadcast, Notify};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::BrokerUrl;

/// Room for the largest model (24 bays with three badges each stays under 5 KiB).
const MAX_MODEL_BYTES: usize = 8 * 1024;

pub struct BoardOptions {
    pub broker: BrokerUrl,
    pub client_id: String,
    /// How long to gather changes before publishing (the contract's "a few times per second").
    pub coalesce: Duration,
    /// How often to look again without a change.
    pub tick: Duration,
}

impl BoardOptions {
    pub fn new(broker: BrokerUrl, client_id: String) -> BoardOptions {
        BoardOptions {
            broker,
            client_id,
            coalesce: Duration::from_millis(250),
            tick: Duration::from_secs(30),
        }
    }
}

/// One board message, ready to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub topic: String,
    /// What the board shows, without its `updated` clock: the thing compared.
    key: Vec<u8>,
    pub payload: Vec<u8>,
}

/// The messages of one site's boards.
pub fn messages(site: &str, boards: &Boards) -> Result<Vec<Message>, BoardError> {
    let mut out = Vec::with_capacity(2 + boards.tags.len());
    out.push(message(
        topic::board(site, "lounge"),
        &boards.lounge,
        |m| m.updated = Clock(0),
    )?);
    out.push(message(
        topic::board(site, "workshop"),
        &boards.workshop,
        |m| m.updated = Clock(0),
    )?);
    for tag in &boards.tags {
        let topic = topic::board(site, &format!("bay/{}", tag.bay));
        out.push(message(topic, tag, |m| m.updated = Clock(0))?);
    }
    Ok(out)
}

fn message<M: Serialize + Clone>(
    topic: String,
    model: &M,
    unstamp: fn(&mut M),
) -> Result<Message, BoardError> {
    let mut buf = vec![0u8; MAX_MODEL_BYTES];
    let payload = board::encode(model, &mut buf)?.to_vec();
    let mut bare = model.clone();
    unstamp(&mut bare);
    let key = board::encode(&bare, &mut buf)?.to_vec();
    Ok(Message {
        topic,
        key,
        payload,
    })
}

/// What the broker holds, as far as we know: the last content published per topic.
#[derive(Debug, Default)]
pub struct Retained {
    last: HashMap<String, Vec<u8>>,
}

impl Retained {
    /// The messages whose content differs from what was last published, remembered as
    /// published.
    pub fn changed(&mut self, messages: Vec<Message>) -> Vec<Message> {
        let mut out = Vec::new();
        for m in messages {
            if self.last.get(&m.topic) != Some(&m.key) {
                self.last.insert(m.topic.clone(), m.key.clone());
                out.push(m);
            }
        }
        out
    }

    /// Forgets everything, so the next round publishes every board (after a reconnect, the
    /// broker may have restarted without its retained messages).
    pub fn forget(&mut self) {
        self.last.clear();
    }
}

/// Publishes boards until `cancel`.
pub async fn run(ledger: Arc<Ledger>, options: BoardOptions, cancel: CancellationToken) {
    let mut mqtt = options.broker.options(&options.client_id);
    mqtt.set_clean_session(true);
    let (client, eventloop) = AsyncClient::new(mqtt, 1024);
    let connected = Arc::new(Notify::new());
    let poller = tokio::spawn(
        poll(eventloop, connected.clone(), cancel.clone())
            .instrument(tracing::info_span!("boards_mqtt")),
    );
    publish(ledger, &client, &options, connected, cancel)
        .instrument(tracing::info_span!("boards"))
        .await;
    let _ = client.try_disconnect();
    if let Err(e) = poller.await {
        tracing::error!(error = %e, "board poller panicked");
    }
}

async fn publish(
    ledger: Arc<Ledger>,
    client: &AsyncClient,
    options: &BoardOptions,
    connected: Arc<Notify>,
    cancel: CancellationToken,
) {
    let all: BTreeSet<Id> = ledger.sites().map(|s| s.config.id.clone()).collect();
    let mut changes = ledger.subscribe();
    let mut retained = Retained::default();
    let mut tick = tokio::time::interval(options.tick);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut dirty = BTreeSet::new();
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {
                // Time passing is a change too: ETAs move, forgotten clock-offs fall due.
                dirty.extend(all.iter().cloned());
            }
            _ = connected.notified() => {
                retained.forget();
                dirty.extend(all.iter().cloned());
            }
            change = changes.recv() => match change {
                Ok(c) => { dirty.insert(c.site); }
                Err(broadcast::error::RecvError::Lagged(_)) => dirty.extend(all.iter().cloned()),
                Err(broadcast::error::RecvError::Closed) => return,
            },
        }
        // Gather what else changes in the window, then publish once.
        let window = tokio::time::sleep(options.coalesce);
        tokio::pin!(window);
        loop {
            tokio::select! {
                _ = &mut window => break,
                _ = cancel.cancelled() => return,
                change = changes.recv() => match change {
                    Ok(c) => { dirty.insert(c.site); }
                    Err(broadcast::error::RecvError::Lagged(_)) => dirty.extend(all.iter().cloned()),
                    Err(broadcast::error::RecvError::Closed) => return,
                },
            }
        }
        let now = jiff::Timestamp::now();
        for site in std::mem::take(&mut dirty) {
            let Some(live) = ledger.site(&site) else {
                continue;
            };
            let messages = match messages(&site, &live.boards(now)) {
                Ok(m) => m,
                Err(e) => {
                    tracing::error!(%site, error = %e, "cannot encode the boards");
                    continue;
                }
            };
            for m in retained.changed(messages) {
                tracing::debug!(%site, topic = %m.topic, bytes = m.payload.len(), "board published");
                metrics::counter!("bayline_board_publishes_total").increment(1);
                if client
                    .publish(m.topic, QoS::AtLeastOnce, true, m.payload)
                    .await
                    .is_err()
                {
                    return;
                }
            }
        }
    }
}

async fn poll(mut eventloop: EventLoop, connected: Arc<Notify>, cancel: CancellationToken) {
    let mut backoff = Duration::from_millis(100);
    loop {
        let event = tokio::select! {
            _ = cancel.cancelled() => break,
            event = eventloop.poll() => event,
        };
        match event {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                backoff = Duration::from_millis(100);
                connected.notify_one();
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "board link lost");
                tokio::select! {
                    _ = cancel.cancelled() => break,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
    // Let the last publishes and the disconnect out.
    let flush = async {
        while let Ok(ev) = eventloop.poll().await {
            if matches!(ev, Event::Outgoing(rumqttc::Outgoing::Disconnect)) {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), flush).await;
}

#[cfg(test)]
mod tests {
    use bayline_proto::board::{BayState, BayTag, Lounge, Workshop};
    use bayline_proto::Language;

    use super::*;

    fn boards(updated: u16, bay_state: BayState) -> Boards {
        Boards {
            lounge: Lounge {
                language: Language::Zh,
                updated: Clock(updated),
                rows: heapless::Vec::new(),
            },
            workshop: Workshop {
                language: Language::Zh,
                updated: Clock(updated),
                bays: heapless::Vec::new(),
            },
            tags: vec![BayTag {
                language: Language::Zh,
                updated: Clock(updated),
                bay: Id::new("B01").unwrap(),
                name: board::text("Lift 1"),
                state: bay_state,
                reason: None,
                now: None,
                next: None,
            }],
        }
    }

    fn topics(m: &[Message]) -> Vec<&str> {
        m.iter().map(|m| m.topic.as_str()).collect()
    }

    #[test]
    fn every_board_goes_out_first_then_only_what_changed() {
        let mut retained = Retained::default();
        let first = retained.changed(messages("demo", &boards(600, BayState::Idle)).unwrap());
        assert_eq!(
            topics(&first),
            [
                "bayline/demo/boards/lounge",
                "bayline/demo/boards/workshop",
                "bayline/demo/boards/bay/B01"
            ]
        );
        let tag: BayTag = board::decode(&first[2].payload).unwrap();
        assert_eq!((tag.updated, tag.state), (Clock(600), BayState::Idle));

        let same = retained.changed(messages("demo", &boards(600, BayState::Idle)).unwrap());
        assert!(same.is_empty());
        let later = retained.changed(messages("demo", &boards(601, BayState::Idle)).unwrap());
        assert!(later.is_empty(), "the clock alone is not a change");

        let busy = retained.changed(messages("demo", &boards(602, BayState::Working)).unwrap());
        assert_eq!(topics(&busy), ["bayline/demo/boards/bay/B01"]);
        let tag: BayTag = board::decode(&busy[0].payload).unwrap();
        assert_eq!((tag.updated, tag.state), (Clock(602), BayState::Working));
    }

    #[test]
    fn after_forgetting_everything_goes_out_again() {
        let mut retained = Retained::default();
        let b = boards(600, BayState::Idle);
        retained.changed(messages("demo", &b).unwrap());
        retained.forget();
        assert_eq!(retained.changed(messages("demo", &b).unwrap()).len(), 3);
    }
}
