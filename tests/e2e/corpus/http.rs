//! `tests/corpus/http/`: one bad request per file (method, path, token, body as text, possibly
//! broken) with the status, error code and message fragment the caller must get. A refused
//! write must change nothing, and afterwards the API still takes a valid job card.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};

use super::template;
use crate::helpers::*;

/// One request and its answer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    method: String,
    path: String,
    /// `manager`, `advisor`, `integration`, `none`, or any other text sent as the token.
    token: String,
    /// Defaults to `application/json`; `""` sends no content type.
    content_type: Option<String>,
    /// Sent as it is after the placeholders of [`template`]; absent means no body.
    body: Option<String>,
    status: u16,
    code: String,
    /// A fragment of the error message the caller sees.
    message: String,
    /// A known bug, reported to the code's owner: its failure is printed, not counted, and
    /// the test fails once the answer is right so that the line is removed.
    pending: Option<String>,
}

#[tokio::test]
async fn every_bad_request_gets_its_status_and_message_and_changes_nothing() {
    let dir = super::root().join("tests/corpus/http");
    let names = super::files(&dir, &[]);
    assert!(!names.is_empty(), "{} is empty", dir.display());
    let app = spawn_app().await;
    app.put_job("RO-1", &[("10", 1.0)]).await;
    let now = jiff::Timestamp::now();
    let mut wrong = BTreeMap::new();
    for name in &names {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        let case: Case = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        match (run(&app, &case, now).await, &case.pending) {
            (Ok(()), None) => {}
            (Err(why), None) => {
                wrong.insert(name, why);
            }
            (Err(why), Some(bug)) => println!("pending {name}: {bug}\n    {why}"),
            (Ok(()), Some(_)) => {
                wrong.insert(name, "answered right now: remove its `pending` line".into());
            }
        }
    }
    // A valid card is still taken.
    let view = app.put_job("RO-AFTER", &[("10", 1.5)]).await;
    assert_eq!(view["ops"][0]["std_hours"], 1.5);
    assert!(
        wrong.is_empty(),
        "{} of {} corpus requests were answered wrongly:\n{}",
        wrong.len(),
        names.len(),
        (wrong.iter().map(|(n, w)| format!("{n}: {w}")))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A read without what moves with the clock alone: a job's `eta` counts from now.
fn without_clock((status, mut body): (u16, Value)) -> (u16, Value) {
    if let Some(job) = body.as_object_mut() {
        job.remove("eta");
    }
    (status, body)
}

async fn run(app: &TestApp, case: &Case, now: jiff::Timestamp) -> Result<(), String> {
    // What a manager reads at the same path before and after: a refused write changes nothing.
    let before = without_clock(app.get(&case.path, Some(MANAGER)).await);
    let method = reqwest::Method::from_bytes(case.method.as_bytes()).map_err(|e| e.to_string())?;
    let mut req = app.client.request(method, app.url(&case.path));
    let token = match case.token.as_str() {
        "manager" => Some(MANAGER),
        "advisor" => Some(ADVISOR),
        "integration" => Some("demo-integration-token"),
        "none" => None,
        other => Some(other),
    };
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    match case.content_type.as_deref() {
        Some("") => {}
        Some(ct) => req = req.header("content-type", ct),
        None => req = req.header("content-type", "application/json"),
    }
    if let Some(body) = &case.body {
        req = req.body(template::render(body.as_bytes(), now)?);
    }
    let res = req.send().await.map_err(|e| e.to_string())?;
    let status = res.status().as_u16();
    let text = res.text().await.map_err(|e| e.to_string())?;
    let answer: Value = serde_json::from_str(&text)
        .map_err(|_| format!("{status}, not a JSON error: {:?}", cut(&text)))?;
    let (code, message) = (&answer["error"]["code"], &answer["error"]["message"]);
    let message = message.as_str().unwrap_or_default();
    if status != case.status || code != &json!(case.code) || !message.contains(&case.message) {
        return Err(format!(
            "expected {} {} {:?}, got {status} {code} {message:?}",
            case.status, case.code, case.message
        ));
    }
    let after = without_clock(app.get(&case.path, Some(MANAGER)).await);
    if case.method != "GET" && after != before {
        return Err(format!(
            "the refused request changed {}: {after:?}",
            case.path
        ));
    }
    Ok(())
}

fn cut(s: &str) -> String {
    s.chars().take(200).collect()
}
