//! The overload's handhelds: each its own MQTT connection, sending on a schedule whatever
//! becomes of its earlier scans, and an outbox as real handhelds have: a scan without a
//! reply is published again (same bytes) after 5 s, then after 10, 20 … up to 60 s.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bayline_gateway::BrokerUrl;
use bayline_proto::{topic, Reply};
use rumqttc::{AsyncClient, QoS};
use tokio_util::sync::CancellationToken;

use super::client::{self, Login};
use super::overload::OVERLOAD_SEQ;
use super::site;

/// First republish of an unanswered scan; doubled each time up to [`RESEND_MAX`].
const RESEND_FIRST: Duration = Duration::from_secs(5);
const RESEND_MAX: Duration = Duration::from_secs(60);

/// A scan a handheld has no reply for yet.
struct Pending {
    payload: Vec<u8>,
    next_send: Instant,
    wait: Duration,
}

/// What one handheld of the overload holds: its outbox, and counts.
#[derive(Default)]
struct Outbox {
    pending: HashMap<u64, Pending>,
    sent: u64,
    answered: u64,
    republished: u64,
}

struct Handheld {
    i: usize,
    client: AsyncClient,
    outbox: Arc<Mutex<Outbox>>,
    poll: tokio::task::JoinHandle<()>,
}

/// The overload's handhelds, each with its own connection and outbox.
pub(super) struct Fleet {
    handhelds: Vec<Handheld>,
    stop: CancellationToken,
    resender: tokio::task::JoinHandle<()>,
}

impl Fleet {
    pub(super) async fn connect(broker: &BrokerUrl, n: usize) -> anyhow::Result<Fleet> {
        let mut handhelds = Vec::with_capacity(n);
        for i in 0..n {
            handhelds.push(Handheld::connect(broker, i).await?);
        }
        let stop = CancellationToken::new();
        let resender = tokio::spawn(resend(
            handhelds
                .iter()
                .map(|h| (h.i, h.client.clone(), h.outbox.clone()))
                .collect(),
            stop.clone(),
        ));
        Ok(Fleet {
            handhelds,
            stop,
            resender,
        })
    }

    fn total(&self, f: impl Fn(&Outbox) -> u64) -> u64 {
        (self.handhelds.iter())
            .map(|h| f(&h.outbox.lock().unwrap_or_else(|p| p.into_inner())))
            .sum()
    }

    pub(super) fn sent(&self) -> u64 {
        self.total(|o| o.sent)
    }

    pub(super) fn answered(&self) -> u64 {
        self.total(|o| o.answered)
    }

    pub(super) fn republished(&self) -> u64 {
        self.total(|o| o.republished)
    }

    /// Every handheld sends new scans for `window`, `rate` a second in all, spread evenly.
    pub(super) async fn send(&self, rate: f64, window: Duration) {
        let n = self.handhelds.len();
        let period = Duration::from_secs_f64(n as f64 / rate.max(0.001));
        let until = Instant::now() + window;
        let tasks: Vec<_> = (self.handhelds.iter().enumerate())
            .map(|(k, h)| {
                let (i, client, outbox) = (h.i, h.client.clone(), h.outbox.clone());
                let offset = period.mul_f64(k as f64 / n as f64);
                tokio::spawn(async move {
                    let mut next = Instant::now() + offset;
                    let mut seq = OVERLOAD_SEQ;
                    let topic = topic::scan(site::SITE, &site::scanner(i));
                    // On the clock, not on the schedule: a publish that waits (the broker
                    // pushing back) costs the scans that would have followed it.
                    while next < until && Instant::now() < until {
                        tokio::time::sleep_until(next.into()).await;
                        seq += 1;
                        let payload = site::scan(i, seq, &jiff::Timestamp::now().to_string());
                        {
                            let mut o = outbox.lock().unwrap_or_else(|p| p.into_inner());
                            o.sent += 1;
                            o.pending.insert(
                                seq,
                                Pending {
                                    payload: payload.clone(),
                                    next_send: Instant::now() + RESEND_FIRST,
                                    wait: RESEND_FIRST,
                                },
                            );
                        }
                        // Waits when the client's queue is full: the offered rate says so.
                        if client
                            .publish(&topic, QoS::AtLeastOnce, false, payload)
                            .await
                            .is_err()
                        {
                            return;
                        }
                        next += period;
                    }
                })
            })
            .collect();
        for t in tasks {
            let _ = t.await;
        }
    }

    /// Waits until no scan is unanswered, or `limit`; how many are left.
    pub(super) async fn drain(&self, limit: Duration) -> u64 {
        let until = Instant::now() + limit;
        loop {
            let left = self.total(|o| o.pending.len() as u64);
            if left == 0 || Instant::now() > until {
                return left;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub(super) async fn stop(self) {
        self.stop.cancel();
        let _ = self.resender.await;
        for h in self.handhelds {
            let _ = h.client.try_disconnect();
            h.poll.abort();
        }
    }
}

impl Handheld {
    async fn connect(broker: &BrokerUrl, i: usize) -> anyhow::Result<Handheld> {
        let id = site::scanner(i);
        let outbox = Arc::new(Mutex::new(Outbox::default()));
        let book = outbox.clone();
        let login = Login {
            client_id: &format!("bench-ov-o-{i}"),
            user: &id,
            password: &site::secret(i),
            subscribe: &topic::reply(site::SITE, &id),
            inflight: 100,
            queue: 1024,
        };
        let (client, poll) = client::connect(broker, login, move |p| {
            // Any reply answers the scan, ok or not (the bench's scans are valid).
            let Some(seq) = serde_json::from_slice::<Reply>(&p.payload)
                .ok()
                .and_then(|r| r.seq)
            else {
                return;
            };
            let mut o = book.lock().unwrap_or_else(|p| p.into_inner());
            if o.pending.remove(&seq).is_some() {
                o.answered += 1;
            }
        })
        .await?;
        Ok(Handheld {
            i,
            client,
            outbox,
            poll,
        })
    }
}

/// Publishes again what waited too long, with a growing wait per scan, until `stop`.
async fn resend(handhelds: Vec<(usize, AsyncClient, Arc<Mutex<Outbox>>)>, stop: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        let now = Instant::now();
        for (i, client, outbox) in &handhelds {
            let topic = topic::scan(site::SITE, &site::scanner(*i));
            let mut o = outbox.lock().unwrap_or_else(|p| p.into_inner());
            let mut again = 0;
            for p in o.pending.values_mut().filter(|p| p.next_send <= now) {
                // A full client queue: try at the next tick.
                if client
                    .try_publish(&topic, QoS::AtLeastOnce, false, p.payload.clone())
                    .is_err()
                {
                    break;
                }
                p.wait = (p.wait * 2).min(RESEND_MAX);
                p.next_send = now + p.wait;
                again += 1;
            }
            o.republished += again;
        }
    }
}
