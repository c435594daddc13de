//! Webhook delivery (contract §7.5): one loop per receiver URL takes the oldest undelivered
//! event from the store's outbox, POSTs it signed, and marks it delivered on a 2xx; anything
//! else is counted, and the same event is tried again after an exponential backoff. One
//! event at a time per receiver keeps each job's events in order (at-least-once: a crash
//! between the 2xx and the mark sends that event again, with the same `id`).
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

/// Delivers every configured receiver's events until `cancel`.
pub async fn run(ledger: Arc<Ledger>, cancel: CancellationToken) {
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
        loops.spawn(deliver(
            ledger.clone(),
            client.clone(),
            url,
            secret,
            cancel.clone(),
        ));
    }
    while loops.join_next().await.is_some() {}
}

async fn deliver(
    ledger: Arc<Ledger>,
    client: reqwest::Client,
    url: String,
    secret: String,
    cancel: CancellationToken,
) {
    let store = ledger.store();
    let mut backoff = RETRY;
    while !cancel.is_cancelled() {
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
                _ = cancel.cancelled() => return,
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
                    return;
                }
            }
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
