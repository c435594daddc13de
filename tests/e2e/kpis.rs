//! The figures of contract §6 over HTTP, from scans that went through the broker. The exact
//! maths is tested in the domain; here: the period, the fields, the groups, the access.

use bayline_domain::present::printed;
use serde_json::{json, Value};

use crate::helpers::*;

/// `base` + `minutes`, RFC 3339 with the site's offset.
fn at(base: jiff::Timestamp, minutes: i64) -> String {
    (base + jiff::SignedDuration::from_mins(minutes))
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// `v` is `want` as the API prints it (four decimals).
fn approx(v: &Value, want: f64) -> bool {
    v.as_f64()
        .is_some_and(|x| (x - printed(want)).abs() < 1e-12)
}

#[tokio::test]
async fn a_technicians_half_hour_on_a_one_hour_op_is_200_percent_efficiency() {
    let app = spawn_app().await;
    app.put_job("RO-K1", &[("10", 1.0)]).await;
    let mut hh = app.handheld("HH-02").await;
    // Whole seconds, so the instants below are exact.
    let base = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second()).unwrap()
        - jiff::SignedDuration::from_mins(60);
    // Shorter than the clock-off grace, so no closing time can cut it whatever the hour.
    let scans = [
        (0, "T07", "shift_start", json!({})),
        (0, "A01", "check_in", json!({"job": "RO-K1"})),
        (
            10,
            "T07",
            "start",
            json!({"job": "RO-K1", "op": "10", "bay": "B01"}),
        ),
        (40, "T07", "finish", json!({"job": "RO-K1", "op": "10"})),
        (50, "T07", "shift_end", json!({})),
    ];
    for (seq, (min, badge, action, fields)) in scans.into_iter().enumerate() {
        let mut body =
            json!({"v": 1, "seq": seq + 1, "ts": at(base, min), "badge": badge, "action": action});
        for (k, v) in fields.as_object().unwrap() {
            body[k] = v.clone();
        }
        assert_ok(&hh.send(body).await);
    }

    let q = |extra: &str| {
        let from = at(base, -60).replace('+', "%2B");
        let to = at(base, 60).replace('+', "%2B");
        format!("/api/v1/sites/{SITE}/kpis?from={from}&to={to}{extra}")
    };
    let (status, k) = app.get(&q(""), Some(MANAGER)).await;
    assert_eq!(status, 200, "{k}");
    // Clocked 10→40 = 0.5 h; sold 1 h at the finish; available = attendance 0→50 = 5/6 h.
    assert!(approx(&k["clocked_hours"], 0.5), "{k}");
    assert!(approx(&k["sold_hours"], 1.0), "{k}");
    assert!(approx(&k["available_hours"], 50.0 / 60.0), "{k}");
    assert!(approx(&k["labour_efficiency"], 2.0), "{k}");
    assert!(approx(&k["labour_utilisation"], 0.6), "{k}");
    assert!(approx(&k["productivity"], 1.2), "{k}");
    assert_eq!(k["jobs_delivered"], 0);
    // No QC result and nothing ready yet: those ratios have no denominator.
    assert_eq!(
        (&k["first_time_fix_rate"], &k["on_time_rate"]),
        (&Value::Null, &Value::Null)
    );
    for field in [
        "bay_utilisation",
        "bay_blocked_hours",
        "bay_blocked_hours_by_reason",
        "rework_hours",
        "avg_cycle_hours",
        "from",
        "to",
    ] {
        assert!(k.get(field).is_some(), "{field} missing from {k}");
    }

    let (status, k) = app.get(&q("&group_by=badge"), Some(MANAGER)).await;
    assert_eq!(status, 200, "{k}");
    let rows = k["rows"].as_array().unwrap();
    let t07 = rows.iter().find(|r| r["key"] == "T07").unwrap();
    assert!(approx(&t07["figures"]["clocked_hours"], 0.5), "{t07}");
    assert!(approx(&t07["figures"]["sold_hours"], 1.0), "{t07}");

    // An earlier period that ends before the work began holds none of it.
    let from = at(base, -120).replace('+', "%2B");
    let to = at(base, 5).replace('+', "%2B");
    let (_, k) = app
        .get(
            &format!("/api/v1/sites/{SITE}/kpis?from={from}&to={to}"),
            Some(MANAGER),
        )
        .await;
    assert!(
        approx(&k["clocked_hours"], 0.0) && approx(&k["sold_hours"], 0.0),
        "{k}"
    );
}

#[tokio::test]
async fn kpis_are_for_managers_and_refuse_nonsense_periods() {
    let app = spawn_app().await;
    let path = format!("/api/v1/sites/{SITE}/kpis");
    assert_eq!(app.get(&path, None).await.0, 401);
    assert_eq!(app.get(&path, Some(ADVISOR)).await.0, 403);
    let (status, today) = app.get(&path, Some(MANAGER)).await;
    assert_eq!(status, 200, "{today}");
    for (query, words) in [
        ("?from=2026-11-02&to=2026-11-01", "not after"),
        ("?from=soon", "RFC 3339"),
        ("?group_by=shift", "badge, bay, day"),
    ] {
        let (status, body) = app.get(&format!("{path}{query}"), Some(MANAGER)).await;
        assert_eq!(status, 400, "{query}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(words), "{query}: {body}");
    }
}
