//! The bench's answer: one table for people, one JSON object for machines.

use std::fmt;

use serde::Serialize;

use super::load::Outcome;
use super::BenchArgs;

#[derive(Debug, Serialize)]
pub struct Phase {
    pub sent: u64,
    pub answered: u64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Phase {
    fn of(o: &Outcome) -> Phase {
        Phase {
            sent: o.sent,
            answered: o.answered,
            per_second: o.rate(),
            p50_ms: o.percentile_ms(0.50),
            p95_ms: o.percentile_ms(0.95),
            p99_ms: o.percentile_ms(0.99),
            max_ms: o.latency.max() as f64 / 1000.0,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub scanners: usize,
    /// Target scans/s, `null` when flat out.
    pub rate: Option<f64>,
    pub seconds: u64,
    /// `sqlite` or `postgres`.
    pub store: String,
    /// How the system ran: `one box` (`bayline up`) or `fleet of N gateways on mosquitto`.
    pub system: String,
    pub echo: Phase,
    pub bayline: Phase,
    /// bayline's scans/s over the echo's messages/s.
    pub ratio_to_echo: f64,
    /// CPU of the bayline process while its phase ran, in cores (1.0 = one core busy).
    pub cpu_cores: f64,
    pub peak_rss_mib: f64,
}

impl Report {
    pub fn new(
        args: &BenchArgs,
        db: &str,
        echo: &Outcome,
        bayline: &Outcome,
        cpu_seconds: f64,
        rss: u64,
    ) -> Report {
        let (echo, bayline_phase) = (Phase::of(echo), Phase::of(bayline));
        Report {
            scanners: args.scanners,
            rate: args.rate,
            seconds: args.seconds,
            store: db.split(':').next().unwrap_or("").to_string(),
            system: match args.fleet {
                Some(n) => format!("fleet of {n} gateway(s) and a server on mosquitto"),
                None => "one box".into(),
            },
            ratio_to_echo: if echo.per_second > 0.0 {
                bayline_phase.per_second / echo.per_second
            } else {
                0.0
            },
            cpu_cores: cpu_seconds / bayline.elapsed.as_secs_f64(),
            peak_rss_mib: rss as f64 / (1024.0 * 1024.0),
            echo,
            bayline: bayline_phase,
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let load = match self.rate {
            Some(r) => format!("{r:.0}/s"),
            None => "flat out".into(),
        };
        writeln!(
            f,
            "{} handhelds, {load}, {} s per phase, store {}, {}",
            self.scanners, self.seconds, self.store, self.system
        )?;
        writeln!(
            f,
            "{:<14} {:>10} {:>10} {:>8} {:>8} {:>8} {:>8}",
            "", "answered", "per s", "p50 ms", "p95 ms", "p99 ms", "max ms"
        )?;
        for (name, p) in [("broker echo", &self.echo), ("bayline", &self.bayline)] {
            writeln!(
                f,
                "{name:<14} {:>10} {:>10.0} {:>8.2} {:>8.2} {:>8.2} {:>8.2}",
                p.answered, p.per_second, p.p50_ms, p.p95_ms, p.p99_ms, p.max_ms
            )?;
        }
        writeln!(
            f,
            "bayline / echo: {:.2}   bayline CPU: {:.2} cores   peak RSS: {:.0} MiB",
            self.ratio_to_echo, self.cpu_cores, self.peak_rss_mib
        )
    }
}
