//! Publishes every site's boards as retained messages (contract §3.3) when what they show
//! changes: a change in the ledger marks its site dirty, changes within
//! [`BoardOptions::coalesce`] go out as one publish per board, and a board whose content is
//! the same as the last one published is not sent at all. A periodic tick catches what
//! changes with time alone (clocked minutes, ETAs).
//!
//! A board with more than one page goes out as one retained message per page: page 1 on the
//! board's topic, page n on `{board}/n`. When a board has fewer pages than before, the pages
//! gone are cleared (an empty retained message), so a display that subscribes to
//! `{board}/#` never rotates through a page that no longer exists.
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
use rumqttc::{AsyncClient, QoS};
use serde::Serialize;
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::session::{Session, SessionEvent, SessionOptions};
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
    let mut out =
        Vec::with_capacity(boards.lounge.len() + boards.workshop.len() + boards.tags.len());
    for page in &boards.lounge {
        let topic = topic::board(site, &paged("lounge", page.page));
        out.push(message(topic, page, |m| m.updated = Clock(0))?);
    }
    for page in &boards.workshop {
        let topic = topic::board(site, &paged("workshop", page.page));
        out.push(message(topic, page, |m| m.updated = Clock(0))?);
    }
    for tag in &boards.tags {
        let topic = topic::board(site, &format!("bay/{}", tag.bay));
        out.push(message(topic, tag, |m| m.updated = Clock(0))?);
    }
    Ok(out)
}

/// Texts on a site's boards with a character the displays have no glyph for: they show a
/// box there, and the gauge tells the operator a DMS sends such text.
pub fn texts_outside_glyphs(boards: &Boards) -> usize {
    use bayline_display::Board;
    let lounge = (boards.lounge.iter()).map(|p| Board::Lounge(p.clone()).texts_outside_glyphs());
    let tags = (boards.tags.iter()).map(|t| Board::Tag(t.clone()).texts_outside_glyphs());
    lounge.chain(tags).sum()
}

/// The board name of one page: `lounge` for the first, `lounge/2` for the second.
fn paged(board: &str, page: board::Page) -> String {
    match page.index {
        0 => board.to_string(),
        _ => format!("{board}/{}", page.number()),
    }
}

/// Whether `topic` is a second or later page of a paged board (`…/boards/lounge/3`).
fn is_later_page(topic: &str) -> bool {
    let Some((_, board)) = topic.split_once("/boards/") else {
        return false;
    };
    matches!(board.split_once('/'), Some(("lounge" | "workshop", n)) if n.parse::<u16>().is_ok())
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
    ///
    /// Later pages published before, of a site these messages are for, that are not among
    /// them are cleared with an empty retained message.
    pub fn changed(&mut self, messages: Vec<Message>) -> Vec<Message> {
        let mut out = Vec::new();
        let sites: std::collections::HashSet<&str> = (messages.iter())
            .filter_map(|m| m.topic.split_once("/boards/").map(|(s, _)| s))
            .collect();
        let now: std::collections::HashSet<&str> =
            messages.iter().map(|m| m.topic.as_str()).collect();
        let gone: Vec<String> = (self.last.keys())
            .filter(|t| is_later_page(t) && !now.contains(t.as_str()))
            .filter(|t| {
                t.split_once("/boards/")
                    .is_some_and(|(s, _)| sites.contains(s))
            })
            .cloned()
            .collect();
        let mut gone = gone;
        gone.sort();
        for topic in gone {
            self.last.remove(&topic);
            out.push(Message {
                topic,
                key: Vec::new(),
                payload: Vec::new(),
            });
        }
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
    let (tx, notices) = mpsc::unbounded_channel();
    let session = Session::start(
        &options.broker,
        SessionOptions::new(options.client_id.clone()),
        tx,
        cancel.clone(),
    );
    publish(ledger, &session.client, &options, notices, cancel)
        .instrument(tracing::info_span!("boards"))
        .await;
    session.close().await;
}

async fn publish(
    ledger: Arc<Ledger>,
    client: &AsyncClient,
    options: &BoardOptions,
    mut notices: mpsc::UnboundedReceiver<SessionEvent>,
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
            notice = notices.recv() => match notice {
                // After a reconnect the broker may have restarted without its retained
                // messages: publish every board again.
                Some(SessionEvent::Connected { .. }) => {
                    retained.forget();
                    dirty.extend(all.iter().cloned());
                }
                Some(_) => continue,
                None => return,
            },
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
            let boards = live.boards(now);
            metrics::gauge!("bayline_board_texts_outside_glyphs", "site" => site.to_string())
                .set(texts_outside_glyphs(&boards) as f64);
            let messages = match messages(&site, &boards) {
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

#[cfg(test)]
mod tests;
