//! The compressed clock: simulated time runs `speed` times faster than real time, skips the
//! hours the workshop is closed, and never runs ahead of the real clock (a scan's `ts` may
//! not lie in the future).

use std::time::{Duration, Instant};

use bayline_domain::Time;
use jiff::{SignedDuration, Timestamp};
use tokio_util::sync::CancellationToken;

use super::scanner::ScannerError;

/// The longest simulated wait between two scans: longer quiet stretches (nights, Sundays)
/// are skipped.
pub const MAX_IDLE: SignedDuration = SignedDuration::from_mins(20);

/// The simulated time the scans at `times` (in order) take to play, quiet stretches cut to
/// [`MAX_IDLE`].
pub fn compressed(times: impl IntoIterator<Item = Time>) -> Duration {
    let mut total = SignedDuration::ZERO;
    let mut last: Option<Time> = None;
    for t in times {
        if let Some(l) = last {
            total += t.duration_since(l).clamp(SignedDuration::ZERO, MAX_IDLE);
        }
        last = Some(t);
    }
    total.unsigned_abs()
}

pub struct SimClock {
    speed: f64,
    /// Simulated time at `real`.
    sim: Time,
    real: Instant,
}

impl SimClock {
    pub fn new(speed: f64, start: Time) -> SimClock {
        SimClock {
            speed,
            sim: start.min(Timestamp::now()),
            real: Instant::now(),
        }
    }

    /// Simulated now: never past the real now.
    pub fn now(&self) -> Time {
        let run = SignedDuration::try_from_secs_f64(self.real.elapsed().as_secs_f64() * self.speed)
            .unwrap_or(SignedDuration::MAX);
        self.sim
            .checked_add(run)
            .unwrap_or(Timestamp::MAX)
            .min(Timestamp::now())
    }

    /// Waits until simulated time reaches `ts`.
    pub async fn until(
        &mut self,
        ts: Time,
        cancel: &CancellationToken,
    ) -> Result<(), ScannerError> {
        let now = self.now();
        if ts.duration_since(now) > MAX_IDLE {
            self.sim = now.max(ts - MAX_IDLE);
            self.real = Instant::now();
        }
        loop {
            let now = self.now();
            if now >= ts {
                return Ok(());
            }
            // Either the compressed clock or the real one holds us back: wait for the later.
            let compressed = ts.duration_since(now).as_secs_f64() / self.speed;
            let wall = ts.duration_since(Timestamp::now()).as_secs_f64();
            let wait = compressed.max(wall).clamp(0.001, 1.0);
            tokio::select! {
                _ = cancel.cancelled() => return Err(ScannerError::Cancelled),
                _ = tokio::time::sleep(Duration::from_secs_f64(wait)) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Time {
        s.parse().unwrap()
    }

    #[test]
    fn nights_are_cut_to_twenty_minutes() {
        let times = [
            at("2026-11-24T08:00:00+08:00"),
            at("2026-11-24T08:10:00+08:00"),
            at("2026-11-25T08:00:00+08:00"),
        ];
        assert_eq!(compressed(times), Duration::from_secs(30 * 60));
    }

    #[tokio::test]
    async fn the_clock_runs_fast_but_never_ahead_of_the_real_one() {
        let start = Timestamp::now() - SignedDuration::from_hours(2);
        let mut clock = SimClock::new(3600.0 * 10.0, start);
        let cancel = CancellationToken::new();
        // Ten simulated hours per real second: an hour ago is reached within a second.
        let target = Timestamp::now() - SignedDuration::from_hours(1);
        tokio::time::timeout(Duration::from_secs(5), clock.until(target, &cancel))
            .await
            .unwrap()
            .unwrap();
        assert!(clock.now() >= target);
        assert!(clock.now() <= Timestamp::now());
    }
}
