//! A token bucket per address in front of `/c/`: a customer's phone makes a few requests a
//! minute, someone guessing tokens makes thousands. Keyed by the peer address, or, when the
//! server is told it sits behind a proxy (`AppState::trust_forwarded_for`), by the address
//! the proxy appended last to `X-Forwarded-For`.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::ConnectInfo;
use axum::http::request::Parts;

/// Requests an address may make at once.
pub const BURST: f64 = 60.0;
/// Requests an address earns back per second.
pub const PER_SECOND: f64 = 1.0;
/// Addresses remembered before the full buckets are forgotten.
const MAX_ADDRESSES: usize = 10_000;

#[derive(Default)]
pub struct Limiter {
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter").finish_non_exhaustive()
    }
}

impl Limiter {
    /// Takes one request from `addr`'s bucket at `now`: whether it may go on.
    pub fn allow(&self, addr: IpAddr, now: Instant) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_ADDRESSES {
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * PER_SECOND < BURST
            });
        }
        let (tokens, at) = buckets.entry(addr).or_insert((BURST, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * PER_SECOND).min(BURST);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The address a request is counted against; `None` when it has none (a test's `oneshot`).
pub fn address(parts: &Parts, trust_forwarded_for: bool) -> Option<IpAddr> {
    if trust_forwarded_for {
        let forwarded = (parts.headers.get_all("x-forwarded-for").iter())
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .next_back();
        if forwarded.is_some() {
            return forwarded;
        }
    }
    (parts.extensions.get::<ConnectInfo<SocketAddr>>()).map(|ConnectInfo(a)| a.ip())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn an_address_gets_its_burst_then_one_a_second_and_others_are_not_held_up() {
        let limiter = Limiter::default();
        let t0 = Instant::now();
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let allowed = (0..1000).filter(|_| limiter.allow(a, t0)).count();
        assert_eq!(allowed, BURST as usize);
        assert!(limiter.allow(b, t0));
        assert!(!limiter.allow(a, t0 + Duration::from_millis(500)));
        assert!(limiter.allow(a, t0 + Duration::from_millis(1600)));
    }
}
