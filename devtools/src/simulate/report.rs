//! What a run shows: the progress bar while it plays, the tallies, and the summary
//! `bayline simulate` prints: what was sent and answered, and the figures the
//! server reports for the simulated period.

use std::fmt::Write;
use std::time::Duration;

use bayline_site::SiteConfig;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::Value;

use super::api::rfc3339;
use super::scanner::Delivered;
use super::{Outcome, Summary};

pub fn render(outcome: &Outcome, site: &SiteConfig) -> String {
    let mut out = String::new();
    let s = &outcome.summary;
    let p = &outcome.plan;
    let days: Vec<String> = (p.days.iter())
        .map(|d| d.date.strftime("%a %Y-%m-%d").to_string())
        .collect();
    let secs = s.elapsed.as_secs_f64();
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "bayline simulate: site {}, {} job cards, {}",
        site.id,
        p.jobs.len(),
        days.join(", ")
    );
    let _ = writeln!(
        out,
        "  scans      {} sent, {} accepted ({} with a warning), {} rejected, {} resends",
        s.sent, s.accepted, s.warnings, s.rejected, s.resends
    );
    if s.repeats > 0 {
        let _ = writeln!(
            out,
            "  repeats    {} sent again after their reply, {} answered the same",
            s.repeats, s.repeats_same
        );
    }
    if s.late > 0 {
        let _ = writeln!(
            out,
            "  offline    {} delivered late from the backlog, {} accepted",
            s.late, s.late_accepted
        );
    }
    let _ = writeln!(
        out,
        "  took       {secs:.1} s ({:.1} scans/s)",
        s.sent as f64 / secs.max(1e-9)
    );
    let Some(k) = &outcome.kpis else {
        let _ = writeln!(out, "KPIs: the site config has no manager token");
        return out;
    };
    let tz = &site.time_zone;
    let _ = writeln!(out, "KPIs [{}, {})", rfc3339(p.from, tz), rfc3339(p.to, tz));
    let h = |f: &str| hours(&k[f]);
    let pc = |f: &str| percent(&k[f]);
    let _ = writeln!(
        out,
        "  clocked {}   sold {}   available {}",
        h("clocked_hours"),
        h("sold_hours"),
        h("available_hours")
    );
    let _ = writeln!(
        out,
        "  labour efficiency {}   labour utilisation {}   productivity {}",
        pc("labour_efficiency"),
        pc("labour_utilisation"),
        pc("productivity")
    );
    let by = &k["bay_blocked_hours_by_reason"];
    let _ = writeln!(
        out,
        "  bay utilisation {}   bay blocked {} (parts {}, approval {}, break {}, shift end {}, other {})",
        pc("bay_utilisation"),
        h("bay_blocked_hours"),
        hours(&by["parts"]),
        hours(&by["approval"]),
        hours(&by["break"]),
        hours(&by["shift_end"]),
        hours(&by["other"])
    );
    let _ = writeln!(
        out,
        "  first-time fix {}   on time {}   avg cycle {}   delivered {}",
        pc("first_time_fix_rate"),
        pc("on_time_rate"),
        h("avg_cycle_hours"),
        k["jobs_delivered"]
    );
    out
}

fn hours(v: &Value) -> String {
    v.as_f64()
        .map_or_else(|| "-".into(), |x| format!("{x:.1} h"))
}

fn percent(v: &Value) -> String {
    v.as_f64()
        .map_or_else(|| "-".into(), |x| format!("{:.1} %", x * 100.0))
}

pub fn progress_bar(show: bool, len: usize) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{prefix:>15} [{bar:30.cyan/blue}] {pos}/{len} scans {per_sec:.dim} {wide_msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar
}

pub fn tally(deliveries: &[Option<Delivered>], elapsed: Duration) -> Summary {
    let mut s = Summary {
        elapsed,
        ..Summary::default()
    };
    for d in deliveries.iter().flatten() {
        s.sent += 1;
        s.resends += d.resends;
        if d.reply.ok {
            s.accepted += 1;
            s.warnings += usize::from(d.reply.warning.is_some());
        } else {
            s.rejected += 1;
        }
        if let Some(again) = &d.repeat_reply {
            s.repeats += 1;
            s.repeats_same += usize::from(*again == d.reply);
        }
        if d.late {
            s.late += 1;
            s.late_accepted += usize::from(d.reply.ok);
        }
    }
    s
}
