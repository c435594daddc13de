//! The one write lock every writer of the ledger takes, and whether a writer waits for it:
//! an import holds it for a stretch of chunks and lets it go early when one does.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{Mutex, MutexGuard};

#[derive(Default)]
pub(crate) struct WriteLock {
    lock: Mutex<()>,
    waiting: AtomicUsize,
}

impl WriteLock {
    pub async fn lock(&self) -> MutexGuard<'_, ()> {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        // Counted out however the wait ends, also when the waiting future is dropped.
        let _waiting = Waiting(&self.waiting);
        self.lock.lock().await
    }

    /// Whether another writer is waiting for the lock.
    pub fn wanted(&self) -> bool {
        self.waiting.load(Ordering::SeqCst) > 0
    }
}

struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_writer_waiting_is_seen_until_it_has_the_lock() {
        let write = std::sync::Arc::new(WriteLock::default());
        let held = write.lock().await;
        assert!(!write.wanted(), "the holder does not count as waiting");
        let waiter = tokio::spawn({
            let write = write.clone();
            async move {
                let _g = write.lock().await;
            }
        });
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !write.wanted() {
            assert!(
                std::time::Instant::now() < deadline,
                "the waiter never counted"
            );
            tokio::task::yield_now().await;
        }
        drop(held);
        waiter.await.unwrap();
        assert!(!write.wanted());
        // A wait given up is counted out too.
        let held = write.lock().await;
        let gave_up = tokio::time::timeout(std::time::Duration::from_millis(1), write.lock());
        assert!(gave_up.await.is_err());
        assert!(!write.wanted());
        drop(held);
    }
}
