//! Webhook delivery (contract §7.5): one loop per receiver URL takes the oldest undelivered
//! event from the store's outbox, POSTs it signed, and marks it delivered on a 2xx; anything
//! else is counted, and the same event is tried again after an exponential backoff. One
//! event at a time per receiver keeps each job's events in order (at-least-once: a crash
//! between the 2xx and the mark sends that event again, with the same `id`).
//!
//! Every process that delivers (`bayline up`, each `bayline server` of a fleet) runs the
//! loops; a receiver's loop delivers only while its process holds the receiver's lease in
//! the store ([`LEASE`]), so each event has one deliverer and each receiver's order holds
//! with two servers too. The holder renews the lease well before it runs out, and gives it
//! up when it stops; a holder that dies takes it back when it comes up again (a process is
//! named by its client id), or is replaced once its lease ran out (its event in flight, if
//! any, is then sent again: at-least-once).
//!
//! The signature is `X-Bayline-Signature: sha256=<hex HMAC-SHA256 of the body with the
//! receiver's secret>`; `docs/webhooks.md` shows checking it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use bayline_ledger::{Backoff, Ledger};
use bayline_store::Queued;
use hmac::{Hmac, Mac};
use tokio_util::sync::CancellationToken;

/// The header carrying the signature.
pub const SIGNATURE: &str = "x-bayline-signature";

/// Waits between attempts at one event: from half a second up to a minute, so an
/// hour-long outage costs a receiver one request a minute.
pub const RETRY: Backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(60));

/// How often an idle loop looks at the outbox.
const IDLE: Duration = Duration::from_millis(200);

/// How long a receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// How long a receiver's delivery lease lasts: three times the longest attempt, so a
/// holder renewing before each attempt keeps it however slow the receiver (servers' clocks
/// must agree within the difference, as NTP keeps them).
pub const LEASE: Duration = Duration::from_secs(30);

/// A holder renews its lease once less than this is left.
const RENEW_BELOW: Duration = Duration::from_secs(20);

/// How often a process without a receiver's lease asks for it.
const LEASE_RETRY: Duration = Duration::from_secs(1);

/// `sha256=` and the hex HMAC-SHA256 of `body` under `secret`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(body);
    let hex: String = (mac.finalize().into_bytes().iter())
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// Delivers every configured receiver's events until `cancel`, as `holder` among the
/// processes on the database: the process's MQTT client id, which differs between the
/// processes of a fleet and stays the same across a restart, so a process killed while
/// holding a lease takes it back when it comes up again rather than waiting it out.
pub async fn run(ledger: Arc<Ledger>, holder: String, cancel: CancellationToken) {
    // url → secret; one loop per receiver however many sites name it.
    let receivers: BTreeMap<String, String> = (ledger.sites())
        .flat_map(|s| s.config.webhooks.iter())
        .map(|h| (h.url.clone(), h.secret.clone()))
        .collect();
    let client = match reqwest::Client::builder().timeout(TIMEOUT).build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "no HTTP client: webhooks stay in the outbox");
            return;
        }
    };
    let mut loops = tokio::task::JoinSet::new();
    for (url, secret) in receivers {
        let lease = Lease {
            url: url.clone(),
            holder: holder.clone(),
            until: None,
        };
        loops.spawn(deliver(
            ledger.clone(),
            client.clone(),
            lease,
            secret,
            cancel.clone(),
        ));
    }
    while loops.join_next().await.is_some() {}
}

/// This process's hold on one receiver's delivery.
struct Lease {
    url: String,
    holder: String,
    /// Until when the store gave it to us, as far as we know.
    until: Option<jiff::Timestamp>,
}

impl Lease {
    /// Whether we hold the lease with room for an attempt; renews it when less than
    /// [`RENEW_BELOW`] is left.
    async fn hold(&mut self, store: &bayline_store::Store) -> bool {
        let now = jiff::Timestamp::now();
        let left = |until: jiff::Timestamp| until.duration_since(now);
        let renew_below = jiff::SignedDuration::try_from(RENEW_BELOW).unwrap_or_default();
        if self.until.is_some_and(|u| left(u) > renew_below) {
            return true;
        }
        let lease = jiff::SignedDuration::try_from(LEASE).unwrap_or_default();
        let until = now + lease;
        match store
            .lease_receiver(&self.url, &self.holder, now, until)
            .await
        {
            Ok(true) => {
                if self.until.is_none() {
                    tracing::info!(url = self.url, "delivering this receiver's webhooks");
                }
                self.until = Some(until);
                true
            }
            Ok(false) => {
                if self.until.take().is_some() {
                    tracing::warn!(
                        url = self.url,
                        "another process delivers this receiver's webhooks now"
                    );
                }
                false
            }
            Err(e) => {
                tracing::warn!(error = %e, url = self.url, "webhook lease not renewed");
                // Still ours while it runs, as long as an attempt fits in what is left.
                let timeout = jiff::SignedDuration::try_from(TIMEOUT).unwrap_or_default();
                self.until.is_some_and(|u| left(u) > timeout * 2)
            }
        }
    }
}

async fn deliver(
    ledger: Arc<Ledger>,
    client: reqwest::Client,
    mut lease: Lease,
    secret: String,
    cancel: CancellationToken,
) {
    let store = ledger.store();
    let url = lease.url.clone();
    let mut backoff = RETRY;
    while !cancel.is_cancelled() {
        if !lease.hold(store).await {
            tokio::select! {
                _ = tokio::time::sleep(LEASE_RETRY) => continue,
                _ = cancel.cancelled() => break,
            }
        }
        if let Ok(depth) = store.outbox_depth().await {
            metrics::gauge!("bayline_webhook_outbox_depth").set(depth as f64);
        }
        let next = match store.queued(&url, 1).await {
            Ok(mut q) => q.pop(),
            Err(e) => {
                tracing::warn!(error = %e, "webhook outbox unreadable");
                None
            }
        };
        let Some(event) = next else {
            tokio::select! {
                _ = tokio::time::sleep(IDLE) => continue,
                _ = cancel.cancelled() => break,
            }
        };
        match post(&client, &url, &secret, &event).await {
            Ok(()) => {
                backoff.reset();
                metrics::counter!("bayline_webhook_delivered_total").increment(1);
                if let Err(e) = store.delivered(event.id, jiff::Timestamp::now()).await {
                    // Sent again after a restart; the receiver knows it by its id.
                    tracing::warn!(error = %e, "webhook delivered but not marked");
                }
            }
            Err(why) => {
                metrics::counter!("bayline_webhook_failures_total").increment(1);
                tracing::info!(
                    url,
                    event = event.event_id,
                    attempts = event.attempts + 1,
                    why,
                    "webhook not delivered; retrying"
                );
                let _ = store.delivery_failed(event.id, &why).await;
                if !backoff.wait(&cancel).await {
                    break;
                }
            }
        }
    }
    if lease.until.is_some() {
        // Another server of the fleet takes over at once rather than when the lease runs out.
        if let Err(e) = store.release_receiver(&url, &lease.holder).await {
            tracing::debug!(error = %e, url, "webhook lease not given up; it runs out");
        }
    }
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    secret: &str,
    event: &Queued,
) -> Result<(), String> {
    let answer = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE, sign(secret, event.body.as_bytes()))
        .header("x-bayline-event", &event.event_id)
        .body(event.body.clone())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    match answer.status() {
        s if s.is_success() => Ok(()),
        s => Err(format!("HTTP {s}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_rfc_4231_hmac_sha256() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
