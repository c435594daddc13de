//! Overload: ten times the sustainable rate, through `bayline bench --overload`,
//! short: a few seconds of it in a debug build. Asserted is what must hold whatever the
//! machine: nothing lost or doubled, every scan answered, memory under a generous bound. The
//! rates (before, during, after) are printed, not judged; the full one-minute run is
//! `bayline bench --overload 10 --seconds 60` on a release build.

use std::process::Command;

use serde_json::Value;

/// The seconds of overload; `BAYLINE_OVERLOAD_SECONDS` for a longer run.
fn seconds() -> u64 {
    std::env::var("BAYLINE_OVERLOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
}

#[tokio::test]
async fn ten_times_the_sustainable_rate_loses_nothing_and_memory_stays_bounded() {
    let seconds = seconds().to_string();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_bayline"))
            .args(["bench", "--overload", "10", "--scanners", "20", "--json"])
            .args(["--seconds", &seconds])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "bench failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_str(&stdout).unwrap();
    eprintln!(
        "overload {}×: before {:.0}/s, offered {:.0}/s (target {:.0}), answered {:.0}/s during, \
         drained in {:.1} s, after {:.0}/s ({:.2} of before); {} scans, {} republished; peak RSS {:.0} MiB",
        r["factor"], f(&r, "before_per_second"), f(&r, "offered_per_second"),
        f(&r, "target_per_second"), f(&r, "answered_per_second"), f(&r, "drain_seconds"),
        f(&r, "after_per_second"), f(&r, "after_to_before"), r["total_scans"],
        r["republished"], f(&r, "peak_rss_mib"),
    );
    assert!(r["overload_scans"].as_u64().unwrap() > 0, "{r}");
    for key in ["unanswered", "lost", "doubled"] {
        assert_eq!(r[key], 0, "{key}: {r}");
    }
    assert!(f(&r, "peak_rss_mib") < 1024.0, "{r}");
}

fn f(r: &Value, key: &str) -> f64 {
    r[key].as_f64().unwrap_or(f64::NAN)
}
