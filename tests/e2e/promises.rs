//! Contract §7.2 over HTTP and the events stream: a waiting job has no ETA but says what it
//! waits for; with `waiting_until` its ETA starts there and lies in opening hours; `at_risk`
//! and `late` reach the job view, the lounge and the events stream.

use futures::StreamExt;
use jiff::civil::{time, Weekday};
use serde_json::json;

use crate::helpers::*;

/// Whether `eta` (RFC 3339) lies in the demo site's opening hours, in Shanghai.
fn in_demo_opening_hours(eta: &str) -> bool {
    let t: jiff::Timestamp = eta.parse().expect("an RFC 3339 eta");
    let local = t.to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap());
    let (open, close) = match local.weekday() {
        Weekday::Sunday => return false,
        Weekday::Saturday => (time(9, 0, 0, 0), time(16, 0, 0, 0)),
        _ => (time(8, 30, 0, 0), time(17, 30, 0, 0)),
    };
    (open..=close).contains(&local.time())
}

#[tokio::test]
async fn a_wait_shows_what_it_waits_for_and_its_end_gives_an_eta_in_opening_hours() {
    let app = spawn_app().await;
    let res = (app
        .client
        .get(app.url(&format!("/api/v1/sites/{SITE}/events"))))
    .bearer_auth(MANAGER)
    .send()
    .await
    .unwrap();
    let mut stream = res.bytes_stream();
    let path = format!("/api/v1/sites/{SITE}/jobs/RO-9");
    let card = json!({"plate": "粤B12345", "vehicle": "Camry", "promised_at": ts(10),
        "ops": [{"op": "10", "title": "Brakes", "std_hours": 1.5}]});
    let (s, _) = app.put(&path, Some(ADVISOR), &card).await;
    assert_eq!(s, 201);
    let mut hh = app.handheld("HH-01").await;
    assert_ok(&hh.scan("A01", "check_in", json!({"job": "RO-9"})).await);
    assert_ok(
        &(hh.scan(
            "T01",
            "start",
            json!({"job": "RO-9", "op": "10", "bay": "B01"}),
        ))
        .await,
    );
    let paused = json!({"job": "RO-9", "op": "10", "reason": "parts"});
    assert_ok(&hh.scan("T01", "pause", paused).await);

    let job = app.job("RO-9").await;
    assert_eq!(
        (
            &job["eta"],
            &job["eta_pending"],
            &job["at_risk"],
            &job["late"]
        ),
        (&json!(null), &json!("parts"), &json!(true), &json!(false)),
        "{job}"
    );
    let (_, lounge) = app.get(&format!("/api/v1/sites/{SITE}/lounge"), None).await;
    assert_eq!(
        (&lounge[0]["eta_pending"], &lounge[0]["at_risk"]),
        (&json!("parts"), &json!(true))
    );

    // The parts are expected tomorrow: an ETA from then, in opening hours, after the promise.
    let until = ts(24 * 60);
    let mut card = card;
    card["waiting_until"] = json!(until);
    let (s, job) = app.put(&path, Some(ADVISOR), &card).await;
    assert_eq!(s, 200);
    assert_eq!(
        (&job["eta_pending"], &job["late"]),
        (&json!(null), &json!(true)),
        "{job}"
    );
    let eta = job["eta"].as_str().expect("an eta");
    assert!(in_demo_opening_hours(eta), "{eta} is in closed time");
    let (eta_t, until_t): (jiff::Timestamp, jiff::Timestamp) =
        (eta.parse().unwrap(), until.parse().unwrap());
    assert!(eta_t > until_t, "{eta} before {until}");
    assert_eq!(
        job["waiting_until"]
            .as_str()
            .map(|s| s.parse::<jiff::Timestamp>().unwrap()),
        Some(until_t)
    );

    // The events stream told each change: late and at risk from the first card (1.5 h of
    // work cannot fit in ten minutes), no longer late while the wait has no end, late again
    // once it has one.
    let mut seen = String::new();
    let told = tokio::time::timeout(DEADLINE, async {
        while let Some(Ok(chunk)) = stream.next().await {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            let promises: Vec<(bool, bool)> = (seen.split("\n\n"))
                .filter(|e| e.starts_with("event: promise") && e.contains("\"RO-9\""))
                .map(|e| (e.contains("\"late\":true"), e.contains("\"at_risk\":true")))
                .collect();
            if promises.len() >= 3 {
                return promises;
            }
        }
        Vec::new()
    })
    .await;
    assert_eq!(
        told,
        Ok(vec![(true, true), (false, true), (true, true)]),
        "promise events in: {seen}"
    );
}
