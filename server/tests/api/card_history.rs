//! Job-card history and the manager-only rule (contract §7.6): once a job is ready, an
//! advisor may no longer move its promise or its sold hours, a manager may, and every change
//! is listed with its author.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::support::{App, ADVISOR, INTEGRATION, JOB, MANAGER};

impl App {
    async fn put(&self, token: &str, card: &Value) -> (StatusCode, Value) {
        self.send("PUT", JOB, token, card.clone()).await
    }
}

fn card(promised: &str, ops: &[(&str, f64)]) -> Value {
    let ops: Vec<Value> = (ops.iter())
        .map(|(op, h)| json!({"op": op, "title": "Brakes", "std_hours": h}))
        .collect();
    json!({"plate": "粤B12345", "customer": "Mr Li", "advisor": "A01", "wash": false,
           "promised_at": promised, "ops": ops})
}

const NOON: &str = "2030-01-01T12:00:00+08:00";
const EVENING: &str = "2030-01-01T18:00:00+08:00";

#[tokio::test]
async fn after_ready_only_a_manager_moves_the_promise_or_the_hours_and_each_change_is_kept() {
    let app = App::new(&[(MANAGER, "王经理")]).await;
    let (status, body) = app.put(MANAGER, &card(NOON, &[("10", 1.0)])).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Before ready an advisor may move the promise.
    let (status, body) = app.put(ADVISOR, &card(EVENING, &[("10", 1.0)])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The same card again is no change.
    let (status, _) = app.put(ADVISOR, &card(EVENING, &[("10", 1.0)])).await;
    assert_eq!(status, StatusCode::OK);

    app.scan(60, "A01", "check_in", json!({})).await;
    app.scan(50, "T01", "start", json!({"op": "10", "bay": "B01"}))
        .await;
    app.scan(20, "T01", "finish", json!({"op": "10"})).await;
    app.scan(10, "Q01", "qc_pass", json!({})).await;
    let (_, job) = app.send("GET", JOB, ADVISOR, Value::Null).await;
    assert_eq!(job["stage"], "ready", "{job}");

    // Now the promise and the sold hours are the manager's.
    let refused = [
        (ADVISOR, card(NOON, &[("10", 1.0)]), "promised_at"),
        (ADVISOR, card(EVENING, &[("10", 2.5)]), "std_hours"),
        (
            INTEGRATION,
            card(EVENING, &[("10", 1.0), ("20", 0.5)]),
            "std_hours",
        ),
        (ADVISOR, card(EVENING, &[]), "std_hours"),
    ];
    for (token, body, field) in refused {
        let (status, answer) = app.put(token, &body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], "forbidden");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("RO-1") && message.contains("manager") && message.contains(field),
            "{message}"
        );
    }
    let (_, job) = app.send("GET", JOB, ADVISOR, Value::Null).await;
    assert_eq!(job["ops"][0]["std_hours"], 1.0, "{job}");
    // Other fields stay open to the advisor.
    let mut renamed = card(EVENING, &[("10", 1.0)]);
    renamed["customer"] = json!("Li Wei");
    let (status, answer) = app.put(ADVISOR, &renamed).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    // The manager may.
    let (status, answer) = app.put(MANAGER, &card(EVENING, &[("10", 1.5)])).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["ops"][0]["std_hours"], 1.5, "{answer}");

    let (status, history) = app
        .send("GET", &format!("{JOB}/history"), INTEGRATION, Value::Null)
        .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    let rows: Vec<(String, Value, Value)> = (history.as_array().unwrap().iter())
        .map(|v| {
            (
                v["who"].as_str().unwrap().to_string(),
                v["changed"].clone(),
                v["card"].clone(),
            )
        })
        .collect();
    let who: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let advisor = who[1];
    assert!(
        advisor.starts_with("advisor-") && advisor.len() == "advisor-".len() + 6,
        "{advisor}"
    );
    assert_eq!(who, ["王经理", advisor, advisor, "王经理"]);
    let changed: Vec<&Value> = rows.iter().map(|r| &r.1).collect();
    assert_eq!(
        changed,
        [
            &json!([]),
            &json!(["promised_at"]),
            &json!(["customer"]),
            &json!(["customer", "ops"])
        ]
    );
    assert_eq!(rows[3].2["ops"][0]["std_hours"], 1.5);
    assert_eq!(rows[3].2["customer"], "Mr Li");
    let times: Vec<&str> = (history.as_array().unwrap().iter())
        .map(|v| v["at"].as_str().unwrap())
        .collect();
    let parsed: Vec<jiff::Timestamp> = times.iter().map(|t| t.parse().unwrap()).collect();
    assert!(parsed.windows(2).all(|w| w[0] <= w[1]), "{times:?}");

    // Then the manager brings the promise forward.
    let (status, answer) = app.put(MANAGER, &card(NOON, &[("10", 1.5)])).await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    // The review page lists the manager's changes after ready, newest first, with their
    // author; the advisor's change of the customer's name is no figure's input.
    let (status, page) = app
        .send("GET", "/sites/demo/review", MANAGER, Value::Null)
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = page.as_str().unwrap();
    let table = &page[page.find(r#"id="card-changes""#).expect("the table")..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(
        table.matches("<tr>").count(),
        3,
        "a header and two changes: {table}"
    );
    let promise = table.find("<td>承诺交车</td><td>2030-01-01 18:00</td><td>2030-01-01 12:00</td>");
    let hours = table.find("<td>标准工时 · 10</td><td>1</td><td>1.5</td><td>王经理</td>");
    assert!(promise.is_some() && hours.is_some(), "{table}");
    assert!(promise < hours, "newest first: {table}");
    assert_eq!(table.matches("王经理").count(), 2, "{table}");
}

#[tokio::test]
async fn the_history_of_an_unknown_job_is_not_found_and_needs_a_staff_token() {
    let app = App::new(&[(MANAGER, "王经理")]).await;
    let (status, answer) = app
        .send(
            "GET",
            "/api/v1/sites/demo/jobs/RO-9/history",
            ADVISOR,
            Value::Null,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    let (status, _) = app
        .send(
            "GET",
            "/api/v1/sites/demo/jobs/RO-9/history",
            "nobody-token",
            Value::Null,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
