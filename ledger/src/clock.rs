//! Time passing: forgotten clock-offs fall due (contract §4) without any scan. One task per
//! process applies them to every site's live state, so that views and boards need not apply
//! them to a copy each time they are computed.

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
            _ = tick.tick() => ledger.settle(jiff::Timestamp::now()),
        }
    }
}
