//! How every retry in bayline waits — a commit while the database is away, a broker link
//! that dropped, the fleet follower — doubling from a first delay up to a cap, and starting
//! over after a success.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// The delay before the next attempt.
#[derive(Debug, Clone)]
pub struct Backoff {
    first: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    /// A broker link or a follower: 100 ms, doubling to 5 s.
    pub const LINK: Backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
    /// A write a handheld is waiting on: 50 ms, doubling to 5 s.
    pub const WRITE: Backoff = Backoff::new(Duration::from_millis(50), Duration::from_secs(5));

    pub const fn new(first: Duration, max: Duration) -> Backoff {
        Backoff {
            first,
            max,
            next: first,
        }
    }

    /// After a success: the next failure waits the first delay again.
    pub fn reset(&mut self) {
        self.next = self.first;
    }

    /// What the next [`Backoff::wait`] waits, for the log.
    pub fn delay(&self) -> Duration {
        self.next
    }

    /// Waits the current delay and doubles the next one; `false` when `cancel` fired first.
    pub async fn wait(&mut self, cancel: &CancellationToken) -> bool {
        let delay = self.next;
        self.next = (self.next * 2).min(self.max);
        tokio::select! {
            _ = cancel.cancelled() => false,
            _ = tokio::time::sleep(delay) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn delays_double_to_the_cap_and_start_over_after_a_success() {
        let cancel = CancellationToken::new();
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_millis(500));
        let mut seen = Vec::new();
        for _ in 0..5 {
            seen.push(b.delay().as_millis());
            assert!(b.wait(&cancel).await);
        }
        assert_eq!(seen, [100, 200, 400, 500, 500]);
        b.reset();
        assert_eq!(b.delay(), Duration::from_millis(100));
    }

    #[tokio::test]
    async fn a_cancelled_wait_returns_false_at_once() {
        let cancel = CancellationToken::new();
        cancel.cancel();
        let mut b = Backoff::new(Duration::from_secs(3600), Duration::from_secs(3600));
        assert!(!b.wait(&cancel).await);
    }
}
