//! Time passing: forgotten clock-offs fall due (contract §4) without any scan, promised times
//! come near (§7.2), and days grow old enough to freeze; and the promises of the jobs scans
//! named are looked at, a few times a second at most. One task per process applies the first to every site's live state,
//! so that views and boards need not apply them to a copy each time they are computed, and
//! freezes the second ([`Ledger::freeze`]).

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::Ledger;

/// How often the clock task advances every site.
pub const SETTLE_EVERY: Duration = Duration::from_secs(30);

/// Advances every site's state to the current time every `every`, until `cancel`.
pub async fn keep_time(ledger: Arc<Ledger>, every: Duration, cancel: CancellationToken) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = ledger.promises_noted() => {
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(crate::GATHER) => {}
                }
                let now = jiff::Timestamp::now();
                ledger.tell_noted_promises(now);
                ledger.hook_at_risk(now).await;
            }
            _ = tick.tick() => {
                let now = jiff::Timestamp::now();
                ledger.settle(now);
                ledger.tell_all_promises(now);
                // The first tick is at once: what came near while the process was down.
                ledger.hook_at_risk(now).await;
                if let Err(e) = ledger.freeze(now).await {
                    tracing::warn!(error = %e, "freezing old days failed; trying again later");
                }
            }
        }
    }
}
