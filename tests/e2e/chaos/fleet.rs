//! Simulated handhelds with outboxes, as real ones behave (contract §3): each makes a new
//! scan at its own pace, keeps every scan it has no reply for in its outbox, and publishes it
//! again (same bytes, same seq) on every reconnect and whenever it has waited too long (each
//! scan's wait doubling up to a cap, so that an outage does not turn into a storm of
//! repeats), until the reply comes. Each remembers what it sent and every reply it heard.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bayline_devtools::bench::site;
use bayline_proto::{topic, Reply};
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// A new scan this often, while the outbox has room.
    pub every: Duration,
    /// Most unanswered scans one handheld holds; then it waits (the technician does too).
    pub outbox: usize,
    /// Unanswered this long: publish again; the wait doubles with every try…
    pub resend: Duration,
    /// …up to this.
    pub resend_max: Duration,
}

/// One scan as its handheld sent it, and what came back.
pub struct Sent {
    pub payload: Vec<u8>,
    /// When it was first published.
    pub first: Instant,
    pub replies: Vec<(Instant, Reply)>,
}

/// What one handheld sent, by seq, and heard.
#[derive(Default)]
pub struct Log {
    pub sent: BTreeMap<u64, Sent>,
    /// Replies that answer no scan it sent (unreadable, no seq, or a seq it never used).
    pub strays: Vec<Vec<u8>>,
}

pub struct Fleet {
    logs: Vec<(String, Arc<Mutex<Log>>)>,
    generate: Arc<AtomicBool>,
    cancel: CancellationToken,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Fleet {
    /// `n` handhelds of the bench site on the broker at `host:port`, sending at once.
    pub fn start(host: &str, port: u16, n: usize, pace: Pace) -> Fleet {
        let generate = Arc::new(AtomicBool::new(true));
        let cancel = CancellationToken::new();
        let mut logs = Vec::new();
        let mut tasks = Vec::new();
        for i in 0..n {
            let log = Arc::new(Mutex::new(Log::default()));
            logs.push((site::scanner(i), log.clone()));
            let hh = Handheld {
                i,
                pace,
                log,
                generate: generate.clone(),
                cancel: cancel.clone(),
            };
            tasks.push(tokio::spawn(hh.run(host.to_string(), port)));
        }
        Fleet {
            logs,
            generate,
            cancel,
            tasks,
        }
    }

    /// No new scans from now on; the outboxes still empty themselves.
    pub fn stop_generating(&self) {
        self.generate.store(false, Ordering::Relaxed);
    }

    /// Scans first sent before `t` that have no reply yet.
    pub fn unanswered_before(&self, t: Instant) -> usize {
        self.count(|s| s.first < t && s.replies.is_empty())
    }

    pub fn answered(&self) -> usize {
        self.count(|s| !s.replies.is_empty())
    }

    fn count(&self, f: impl Fn(&Sent) -> bool) -> usize {
        let mut n = 0;
        for (_, log) in &self.logs {
            n += log.lock().unwrap().sent.values().filter(|s| f(s)).count();
        }
        n
    }

    /// Waits until every scan first sent before `t` has its reply; how long that took, or
    /// how many were still unanswered at the deadline.
    pub async fn all_answered_before(&self, t: Instant, within: Duration) -> Result<f64, usize> {
        let start = Instant::now();
        loop {
            let left = self.unanswered_before(t);
            if left == 0 {
                return Ok(start.elapsed().as_secs_f64());
            }
            if start.elapsed() > within {
                return Err(left);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until the fleet has `n` replies in all.
    pub async fn answered_at_least(&self, n: usize, within: Duration) {
        let start = Instant::now();
        while self.answered() < n {
            assert!(
                start.elapsed() < within,
                "only {} of {n} replies within {within:?}",
                self.answered()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops every handheld; what each sent and heard.
    pub async fn stop(self) -> Vec<(String, Log)> {
        self.cancel.cancel();
        for t in self.tasks {
            t.await.unwrap();
        }
        self.logs
            .into_iter()
            .map(|(id, log)| (id, std::mem::take(&mut *log.lock().unwrap())))
            .collect()
    }
}

struct Handheld {
    i: usize,
    pace: Pace,
    log: Arc<Mutex<Log>>,
    generate: Arc<AtomicBool>,
    cancel: CancellationToken,
}

enum Heard {
    Connected,
    Reply(Instant, Vec<u8>),
}

impl Handheld {
    async fn run(self, host: String, port: u16) {
        let id = site::scanner(self.i);
        let mut o = MqttOptions::new(format!("chaos-{id}"), host, port);
        o.set_credentials(&id, site::secret(self.i))
            .set_keep_alive(Duration::from_secs(5))
            .set_clean_session(false)
            .set_inflight(100);
        let (client, mut events) = AsyncClient::new(o, 4096);
        // The event loop in its own task: it only polls (reconnecting after an error), so a
        // publish here never waits for it.
        let (tx, mut heard) = mpsc::unbounded_channel();
        let poll = tokio::spawn(async move {
            loop {
                let h = match events.poll().await {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => Heard::Connected,
                    Ok(Event::Incoming(Packet::Publish(p))) => {
                        Heard::Reply(Instant::now(), p.payload.to_vec())
                    }
                    Ok(_) => continue,
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        continue;
                    }
                };
                if tx.send(h).is_err() {
                    return;
                }
            }
        });
        let scan_topic = topic::scan(site::SITE, &id);
        let reply_topic = topic::reply(site::SITE, &id);
        // seq → when to publish it (again), and the wait after that
        let mut outbox: BTreeMap<u64, (Instant, Duration)> = BTreeMap::new();
        let mut n = 0u64;
        let mut next_scan = Instant::now();
        let mut tick = tokio::time::interval(Duration::from_millis(25));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = self.cancel.cancelled() => break,
                h = heard.recv() => match h {
                    Some(Heard::Connected) => {
                        // A new session has no subscription; an old one keeps it (no harm).
                        let _ = client.try_subscribe(&reply_topic, QoS::AtLeastOnce);
                        let now = Instant::now();
                        let first = self.pace.resend;
                        outbox.values_mut().for_each(|due| *due = (now, first));
                    }
                    Some(Heard::Reply(at, payload)) => {
                        let reply = serde_json::from_slice::<Reply>(&payload).ok();
                        let mut log = self.log.lock().unwrap();
                        let sent = reply.as_ref().and_then(|r| r.seq).and_then(|seq| {
                            outbox.remove(&seq);
                            log.sent.get_mut(&seq)
                        });
                        match (sent, reply) {
                            (Some(s), Some(r)) => s.replies.push((at, r)),
                            _ => log.strays.push(payload),
                        }
                    }
                    None => break,
                },
                _ = tick.tick() => {
                    let now = Instant::now();
                    if self.generate.load(Ordering::Relaxed)
                        && outbox.len() < self.pace.outbox
                        && now >= next_scan
                    {
                        n += 1;
                        let ts = jiff::Timestamp::now().to_string();
                        let payload = site::scan(self.i, n, &ts);
                        let sent = Sent { payload, first: now, replies: Vec::new() };
                        self.log.lock().unwrap().sent.insert(n, sent);
                        outbox.insert(n, (now, self.pace.resend));
                        next_scan = (next_scan + self.pace.every).max(now);
                    }
                    let log = self.log.lock().unwrap();
                    for (seq, (due, wait)) in outbox.iter_mut() {
                        if *due > now {
                            continue;
                        }
                        let payload = log.sent[seq].payload.clone();
                        // A full request queue (long disconnected): try at the next tick.
                        if client.try_publish(&scan_topic, QoS::AtLeastOnce, false, payload).is_ok() {
                            *due = now + *wait;
                            *wait = (*wait * 2).min(self.pace.resend_max);
                        }
                    }
                }
            }
        }
        poll.abort();
    }
}
