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

/// Puts a card with the plate, advisor and service given (and `comeback_of` when `Some`).
async fn card(
    app: &TestApp,
    job: &str,
    plate: &str,
    advisor: &str,
    service: &str,
    comeback_of: Option<&str>,
) {
    let mut body = json!({"plate": plate, "advisor": advisor, "service": service, "wash": false,
        "ops": [{"op": "10", "title": "Brakes", "std_hours": 1.0}]});
    if let Some(earlier) = comeback_of {
        body["comeback_of"] = json!(earlier);
    }
    let (status, view) = app
        .put(
            &format!("/api/v1/sites/{SITE}/jobs/{job}"),
            Some(ADVISOR),
            &body,
        )
        .await;
    assert!(status == 201 || status == 200, "{status}: {view}");
}

#[tokio::test]
async fn figures_by_advisor_and_service_add_up_and_comebacks_are_counted_and_exported() {
    let app = spawn_app().await;
    // RO-C1 (李娜, 保养) is worked and delivered; RO-C2, the same car, comes back; RO-C3
    // (王芳, 索赔) names RO-C1 as the job it comes back from, for another plate.
    card(&app, "RO-C1", "粤B12345", "李娜", "保养", None).await;
    card(&app, "RO-C2", "粤b 123-45", "李娜", "事故", None).await;
    card(&app, "RO-C3", "粤B99999", "=王芳", "索赔", Some("RO-C1")).await;
    let mut hh = app.handheld("HH-02").await;
    let base = jiff::Timestamp::from_second(jiff::Timestamp::now().as_second()).unwrap()
        - jiff::SignedDuration::from_mins(60);
    let scans = [
        (0, "A01", "check_in", json!({"job": "RO-C1"})),
        (
            1,
            "T07",
            "start",
            json!({"job": "RO-C1", "op": "10", "bay": "B01"}),
        ),
        (31, "T07", "finish", json!({"job": "RO-C1", "op": "10"})),
        (32, "Q01", "qc_pass", json!({"job": "RO-C1"})),
        (33, "A01", "delivered", json!({"job": "RO-C1"})),
        (40, "A01", "check_in", json!({"job": "RO-C2"})),
        (41, "A01", "check_in", json!({"job": "RO-C3"})),
        (
            42,
            "T07",
            "start",
            json!({"job": "RO-C3", "op": "10", "bay": "B01"}),
        ),
        (
            54,
            "T07",
            "pause",
            json!({"job": "RO-C3", "op": "10", "reason": "parts"}),
        ),
    ];
    for (seq, (min, badge, action, fields)) in scans.into_iter().enumerate() {
        let mut body =
            json!({"v": 1, "seq": seq + 1, "ts": at(base, min), "badge": badge, "action": action});
        for (k, v) in fields.as_object().unwrap() {
            body[k] = v.clone();
        }
        assert_ok(&hh.send(body).await);
    }
    let from = at(base, -60).replace('+', "%2B");
    let to = at(base, 60).replace('+', "%2B");
    let q = |extra: &str| format!("/api/v1/sites/{SITE}/kpis?from={from}&to={to}{extra}");

    // Site: two comebacks over one delivery.
    let (status, k) = app.get(&q(""), Some(MANAGER)).await;
    assert_eq!(status, 200, "{k}");
    assert_eq!(
        (k["jobs_delivered"].as_u64(), k["comebacks"].as_u64()),
        (Some(1), Some(2)),
        "{k}"
    );
    assert!(approx(&k["comeback_rate"], 2.0), "{k}");
    assert!(approx(&k["clocked_hours"], 0.7), "{k}");

    // By advisor: 李娜's RO-C1 (0.5 h, delivered) and RO-C2 (came back); 王芳's RO-C3 (0.2 h,
    // came back). The rows add up to the site.
    let (status, k) = app.get(&q("&group_by=advisor"), Some(MANAGER)).await;
    assert_eq!(status, 200, "{k}");
    assert_eq!(k["group_by"], "advisor");
    let rows: Vec<(String, f64, u64, u64)> = (k["rows"].as_array().unwrap().iter())
        .map(|r| {
            let f = &r["figures"];
            (
                r["key"].as_str().unwrap().to_string(),
                (f["clocked_hours"].as_f64().unwrap() * 1e6).round() / 1e6,
                f["jobs_delivered"].as_u64().unwrap(),
                f["comebacks"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("=王芳".to_string(), 0.2, 0, 1),
            ("李娜".to_string(), 0.5, 1, 1)
        ]
    );
    assert_eq!(k["rows"][0]["figures"]["available_hours"], Value::Null);

    let (status, k) = app.get(&q("&group_by=service"), Some(MANAGER)).await;
    assert_eq!(status, 200, "{k}");
    let keys: Vec<&str> = (k["rows"].as_array().unwrap().iter())
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["事故", "保养", "索赔"]);

    // As CSV: a line per advisor, the formula-looking name made inert.
    let res = app
        .client
        .get(app.url(&q("&group_by=advisor")))
        .bearer_auth(MANAGER)
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("\u{feff}from,to,group_by,key,"),
        "{text}"
    );
    assert!(lines[0].contains(",comeback_rate,comebacks,"), "{text}");
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[2].contains(",advisor,'=王芳,"), "{text}");
    assert!(lines[3].contains(",advisor,李娜,"), "{text}");
}

#[tokio::test]
async fn a_card_naming_itself_or_no_job_as_its_comeback_is_refused() {
    let app = spawn_app().await;
    for (earlier, words) in [("RO-X1", "itself"), ("no spaces allowed", "comeback_of")] {
        let body = json!({"plate": "粤B12345", "comeback_of": earlier, "ops": []});
        let (status, answer) = app
            .put(
                &format!("/api/v1/sites/{SITE}/jobs/RO-X1"),
                Some(ADVISOR),
                &body,
            )
            .await;
        assert_eq!(status, 422, "{answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(words), "{message}");
    }
    let (_, k) = app
        .get(
            &format!("/api/v1/sites/{SITE}/kpis?group_by=team,advisor"),
            Some(MANAGER),
        )
        .await;
    assert!(
        k["error"]["message"]
            .as_str()
            .unwrap()
            .contains("advisor, service"),
        "{k}"
    );
}
