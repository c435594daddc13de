//! The history bench's correction of a frozen day: what a manager waits for when the past
//! has to change.

use std::time::Instant;

use anyhow::Context;
use bayline_domain::{Event, EventKind, Time};
use jiff::SignedDuration;

use super::MANAGER_TOKEN;

/// How long a manager waits for a correction of a frozen day: a finish scanned on the day
/// from `day` moved a second later, then back, so that a kept database holds the same
/// timeline for the next run. The slower of the two, in seconds; `None` without such a scan.
pub(super) async fn correction(
    client: &reqwest::Client,
    http: &str,
    site: &str,
    history: &[Event],
    day: Time,
) -> anyhow::Result<Option<f64>> {
    let day_end = day + SignedDuration::from_hours(24);
    let Some(e) = history.iter().find(|e| {
        matches!(e.kind, EventKind::Finish { .. }) && day <= e.key.ts && e.key.ts < day_end
    }) else {
        return Ok(None);
    };
    let url = format!("{http}/api/v1/sites/{site}/corrections");
    let later = e.key.ts + SignedDuration::from_secs(1);
    let mut slowest: f64 = 0.0;
    for (from, to) in [(e.key.ts, later), (later, e.key.ts)] {
        let body = serde_json::json!({
            "kind": "move",
            "reason": "bench: a correction of a frozen day",
            "target": {"ts": from.to_string(), "scanner": e.key.scanner.as_str(), "seq": e.key.seq},
            "to_ts": to.to_string(),
        });
        let started = Instant::now();
        let res = client
            .post(&url)
            .bearer_auth(MANAGER_TOKEN)
            .json(&body)
            .send()
            .await
            .with_context(|| format!("POST {url}"))?;
        let status = res.status();
        let text = res.text().await?;
        anyhow::ensure!(status.is_success(), "POST {url}: {status} {text}");
        slowest = slowest.max(started.elapsed().as_secs_f64());
    }
    Ok(Some(slowest))
}
