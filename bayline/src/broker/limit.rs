//! Failed MQTT logins, held off per (address, user name): after [`MAX_FAILURES`] wrong
//! secrets within [`WINDOW`], that user from that address is refused without a check until
//! the window has passed. Keyed by both, so a handheld with a stale secret locks out only
//! itself, even behind a NAT that the rest of the workshop shares, and guessing at another
//! user's secret starts that user's count from nothing.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Wrong secrets allowed per (address, user) in one [`WINDOW`].
pub const MAX_FAILURES: u32 = 10;
/// How long failures count, and how long a locked-out pair waits.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Pairs kept at most; past it, the ones whose window has passed are forgotten first, so
/// made-up user names cannot grow the table without bound.
const MAX_PAIRS: usize = 10_000;

#[derive(Default)]
pub struct LoginLimit {
    failures: Mutex<HashMap<(IpAddr, String), Failures>>,
}

struct Failures {
    since: Instant,
    count: u32,
}

impl Failures {
    fn current(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.since) < WINDOW
    }
}

impl LoginLimit {
    /// Whether `user` from `ip` may have its secret checked at `now`.
    pub fn allows(&self, ip: IpAddr, user: &str, now: Instant) -> bool {
        let failures = self.lock();
        match failures.get(&(ip, user.to_string())) {
            Some(f) => f.count < MAX_FAILURES || !f.current(now),
            None => true,
        }
    }

    /// Counts a wrong secret; true when it is the one that locks the pair out.
    pub fn failed(&self, ip: IpAddr, user: &str, now: Instant) -> bool {
        let mut failures = self.lock();
        if failures.len() >= MAX_PAIRS {
            failures.retain(|_, f| f.current(now));
            if failures.len() >= MAX_PAIRS {
                // All current: an attack with made-up names. The oldest count goes.
                if let Some(oldest) = failures.iter().min_by_key(|(_, f)| f.since) {
                    let key = oldest.0.clone();
                    failures.remove(&key);
                }
            }
        }
        let f = failures.entry((ip, user.to_string())).or_insert(Failures {
            since: now,
            count: 0,
        });
        if !f.current(now) {
            *f = Failures {
                since: now,
                count: 0,
            };
        }
        f.count += 1;
        f.count == MAX_FAILURES
    }

    /// A right secret: the pair's count starts again.
    pub fn succeeded(&self, ip: IpAddr, user: &str) {
        self.lock().remove(&(ip, user.to_string()));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(IpAddr, String), Failures>> {
        // A panic elsewhere while holding it leaves only counts behind: still usable.
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HANDHELD: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 7));
    const OTHER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 8));

    #[test]
    fn the_tenth_wrong_secret_locks_out_that_user_from_that_address_for_the_window() {
        let limit = LoginLimit::default();
        let t0 = Instant::now();
        for i in 1..MAX_FAILURES {
            assert!(limit.allows(HANDHELD, "HH-01", t0));
            assert!(!limit.failed(HANDHELD, "HH-01", t0), "locked after {i}");
        }
        assert!(limit.allows(HANDHELD, "HH-01", t0));
        assert!(limit.failed(HANDHELD, "HH-01", t0));
        assert!(!limit.allows(HANDHELD, "HH-01", t0 + WINDOW / 2));
        // Another user from the address, and the user from another address, still try.
        assert!(limit.allows(HANDHELD, "HH-02", t0));
        assert!(limit.allows(OTHER, "HH-01", t0));
        // The window passes: the pair tries again, and one failure does not lock it.
        let later = t0 + WINDOW;
        assert!(limit.allows(HANDHELD, "HH-01", later));
        assert!(!limit.failed(HANDHELD, "HH-01", later));
        assert!(limit.allows(HANDHELD, "HH-01", later));
    }

    #[test]
    fn a_right_secret_clears_the_count() {
        let limit = LoginLimit::default();
        let t0 = Instant::now();
        for _ in 1..MAX_FAILURES {
            limit.failed(HANDHELD, "HH-01", t0);
        }
        limit.succeeded(HANDHELD, "HH-01");
        assert!(!limit.failed(HANDHELD, "HH-01", t0));
        assert!(limit.allows(HANDHELD, "HH-01", t0));
    }

    #[test]
    fn made_up_names_do_not_grow_the_table_past_its_bound() {
        let limit = LoginLimit::default();
        let t0 = Instant::now();
        for i in 0..MAX_PAIRS + 500 {
            limit.failed(OTHER, &format!("nobody-{i}"), t0);
        }
        assert!(limit.lock().len() <= MAX_PAIRS);
        // Past the window the stale names go at once.
        limit.failed(OTHER, "nobody-new", t0 + WINDOW);
        assert_eq!(limit.lock().len(), 1);
    }
}
