//! Lanes of load: each lane is one MQTT client that publishes numbered messages and hears
//! the answers, stamped the moment they arrive. The same driver runs the handhelds against
//! bayline and the echo clients against the bare broker, so the two figures compare.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bayline_gateway::BrokerUrl;
use hdrhistogram::Histogram;
use rumqttc::{AsyncClient, QoS};
use tokio::sync::mpsc;

use super::client::{self, Login};

/// How long a lane waits for its last answers after the run.
const DRAIN: Duration = Duration::from_secs(10);

/// Makes the payload of message `n`.
pub type Payload = Box<dyn Fn(u64) -> Vec<u8> + Send + Sync>;
/// Reads the number back out of an answer.
pub type Answer = fn(&[u8]) -> Option<u64>;

pub struct Lane {
    client: AsyncClient,
    topic: String,
    payload: Payload,
    answers: mpsc::UnboundedReceiver<(u64, Instant)>,
    poll: tokio::task::JoinHandle<()>,
}

pub struct LaneSpec {
    pub client_id: String,
    pub user: String,
    pub password: String,
    pub publish: String,
    pub subscribe: String,
    pub payload: Payload,
    pub answer: Answer,
}

impl Lane {
    pub async fn connect(broker: &BrokerUrl, spec: LaneSpec) -> anyhow::Result<Lane> {
        let (tx, answers) = mpsc::unbounded_channel();
        let answer = spec.answer;
        let login = Login {
            client_id: &spec.client_id,
            user: &spec.user,
            password: &spec.password,
            subscribe: &spec.subscribe,
            inflight: 100,
            queue: 256,
        };
        let (client, poll) = client::connect(broker, login, move |p| {
            if let Some(n) = answer(&p.payload) {
                let _ = tx.send((n, Instant::now()));
            }
        })
        .await?;
        Ok(Lane {
            client,
            topic: spec.publish,
            payload: spec.payload,
            answers,
            poll,
        })
    }
}

impl Drop for Lane {
    fn drop(&mut self) {
        self.poll.abort();
    }
}

/// What a run measured.
pub struct Outcome {
    pub sent: u64,
    pub answered: u64,
    pub elapsed: Duration,
    /// Publish → answer, microseconds.
    pub latency: Histogram<u64>,
}

impl Outcome {
    pub fn rate(&self) -> f64 {
        self.answered as f64 / self.elapsed.as_secs_f64()
    }

    pub fn percentile_ms(&self, q: f64) -> f64 {
        self.latency.value_at_quantile(q) as f64 / 1000.0
    }
}

/// Drives every lane for `duration`: closed loop (one message in flight per lane, like a
/// handheld waiting for its reply) without `rate`, else open loop at `rate` messages per
/// second in all. `progress` counts answers as they come.
pub async fn drive(
    lanes: Vec<Lane>,
    rate: Option<f64>,
    duration: Duration,
    progress: Arc<AtomicU64>,
) -> anyhow::Result<Outcome> {
    let histogram = Arc::new(Mutex::new(Histogram::<u64>::new_with_bounds(
        1, 60_000_000, 3,
    )?));
    let sent = Arc::new(AtomicU64::new(0));
    let last_answer = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let until = start + duration;
    let n_lanes = lanes.len().max(1);
    let per_lane = rate.map(|r| Duration::from_secs_f64(lanes.len() as f64 / r.max(0.001)));
    let mut tasks = Vec::new();
    for (i, lane) in lanes.into_iter().enumerate() {
        let counters = Counters {
            histogram: histogram.clone(),
            sent: sent.clone(),
            progress: progress.clone(),
            last_answer: last_answer.clone(),
            start,
        };
        // Spread the lanes' first sends over one period so they do not all fire at once.
        let offset = per_lane.map(|p| p.mul_f64(i as f64 / n_lanes as f64));
        tasks.push(tokio::spawn(run_lane(
            lane, per_lane, offset, until, counters,
        )));
    }
    for t in tasks {
        t.await??;
    }
    let latency = std::mem::replace(
        &mut *histogram
            .lock()
            .map_err(|_| anyhow::anyhow!("histogram lock poisoned"))?,
        Histogram::new(1)?,
    );
    // Over the sending window, or up to the last answer when answers trailed behind it.
    let last = Duration::from_micros(last_answer.load(Ordering::Relaxed));
    Ok(Outcome {
        sent: sent.load(Ordering::Relaxed),
        answered: latency.len(),
        elapsed: duration.max(last),
        latency,
    })
}

/// What every lane adds to.
struct Counters {
    histogram: Arc<Mutex<Histogram<u64>>>,
    sent: Arc<AtomicU64>,
    progress: Arc<AtomicU64>,
    /// Microseconds from `start` to the latest answer.
    last_answer: Arc<AtomicU64>,
    start: Instant,
}

impl Counters {
    fn answer(&self, pending: &mut HashMap<u64, Instant>, n: u64, at: Instant) {
        if let Some(t0) = pending.remove(&n) {
            let us = at.duration_since(t0).as_micros().max(1) as u64;
            if let Ok(mut h) = self.histogram.lock() {
                let _ = h.record(us.min(60_000_000));
            }
            self.progress.fetch_add(1, Ordering::Relaxed);
            let since = at.duration_since(self.start).as_micros() as u64;
            self.last_answer.fetch_max(since, Ordering::Relaxed);
        }
    }
}

async fn run_lane(
    mut lane: Lane,
    period: Option<Duration>,
    offset: Option<Duration>,
    until: Instant,
    counters: Counters,
) -> anyhow::Result<()> {
    let sent = &counters.sent;
    let mut pending: HashMap<u64, Instant> = HashMap::new();
    let record =
        |pending: &mut HashMap<u64, Instant>, n: u64, at: Instant| counters.answer(pending, n, at);
    let mut n = 0u64;
    let mut next = Instant::now() + offset.unwrap_or_default();
    while Instant::now() < until {
        if period.is_some() {
            // Open loop: send on schedule, take answers in between.
            tokio::select! {
                _ = tokio::time::sleep_until(next.into()) => {
                    n += 1;
                    pending.insert(n, Instant::now());
                    lane.client.publish(&lane.topic, QoS::AtLeastOnce, false, (lane.payload)(n)).await?;
                    sent.fetch_add(1, Ordering::Relaxed);
                    next += period.unwrap_or_default();
                }
                answer = lane.answers.recv() => match answer {
                    Some((k, at)) => record(&mut pending, k, at),
                    None => break,
                },
            }
        } else {
            n += 1;
            pending.insert(n, Instant::now());
            lane.client
                .publish(&lane.topic, QoS::AtLeastOnce, false, (lane.payload)(n))
                .await?;
            sent.fetch_add(1, Ordering::Relaxed);
            // Wait for this scan's reply (earlier ones may still trickle in first).
            let deadline = until.max(Instant::now());
            while let Ok(Some((k, at))) =
                tokio::time::timeout_at(deadline.into(), lane.answers.recv()).await
            {
                record(&mut pending, k, at);
                if k == n {
                    break;
                }
            }
        }
    }
    // The answers still on their way.
    let drain_until = Instant::now() + DRAIN;
    while !pending.is_empty() {
        match tokio::time::timeout_at(drain_until.into(), lane.answers.recv()).await {
            Ok(Some((k, at))) => record(&mut pending, k, at),
            _ => break,
        }
    }
    let _ = lane.client.try_disconnect();
    Ok(())
}

/// The bare broker's echo: one client that answers every request on its reply topic.
pub struct Echo {
    poll: tokio::task::JoinHandle<()>,
    answer: tokio::task::JoinHandle<()>,
}

/// Topics of the echo, inside `bayline/` where the service user may publish.
pub fn echo_request(i: usize) -> String {
    format!("bayline/_bench/echo/{i}/req")
}

pub fn echo_reply(i: usize) -> String {
    format!("bayline/_bench/echo/{i}/rep")
}

impl Echo {
    pub async fn start(broker: &BrokerUrl, user: &str, password: &str) -> anyhow::Result<Echo> {
        let (tx, mut rx) = mpsc::unbounded_channel::<rumqttc::Publish>();
        let login = Login {
            client_id: &format!("bench-echo-{}", std::process::id()),
            user,
            password,
            subscribe: "bayline/_bench/echo/+/req",
            inflight: 1000,
            queue: 10_000,
        };
        // Answers go out from a task of their own: a publish waiting for room in the client's
        // queue must not hold up the poll that empties it.
        let (client, poll) = client::connect(broker, login, move |p| {
            let _ = tx.send(p);
        })
        .await?;
        let answer = tokio::spawn(async move {
            while let Some(p) = rx.recv().await {
                let topic = p.topic.replace("/req", "/rep");
                if client
                    .publish(topic, QoS::AtLeastOnce, false, p.payload)
                    .await
                    .is_err()
                {
                    return;
                }
            }
        });
        Ok(Echo { poll, answer })
    }
}

impl Drop for Echo {
    fn drop(&mut self) {
        self.poll.abort();
        self.answer.abort();
    }
}
