//! The role table ([`super::table`]) against the running system, each cell with the token as a
//! bearer header and as the session cookie a signed-in browser sends; and the guard that
//! keeps the table complete: every operation of the OpenAPI document and every route the
//! server's source declares has a row.

use std::path::Path;

use serde_json::{json, Value};

use super::system::{Presented, Role, System};
use super::table::{Expect, Row, Sends, TABLE};
use crate::helpers::ts;

#[tokio::test]
async fn every_endpoint_answers_every_caller_as_the_table_says() {
    let sys = System::start().await;
    let card = json!({"plate": "粤B12345", "ops": [{"op": "10", "std_hours": 1.0}]});
    let res = (sys.request(
        "PUT",
        "/api/v1/sites/demo/jobs/RO-SEC",
        Role::Manager,
        Presented::Bearer,
    ))
    .json(&card)
    .send()
    .await
    .unwrap();
    assert_eq!(res.status().as_u16(), 201);

    let mut wrong = Vec::new();
    let mut calls = 0u32;
    for row in TABLE {
        for (role, cell) in Role::ALL.into_iter().zip(row.expect) {
            // The sign-in form carries its token in the form, so there is one way to send it.
            let ways: &[Presented] = match row.sends {
                Sends::SignInForm => &[Presented::Bearer],
                _ => &[Presented::Bearer, Presented::Cookie],
            };
            for &how in ways {
                calls += 1;
                if let Err(why) = call(&sys, row, role, how, Expect::parse(cell), calls).await {
                    let name = role.name();
                    wrong.push(format!(
                        "{} {} as {name} ({how:?}): {why}",
                        row.method, row.path
                    ));
                }
            }
        }
    }
    println!("role table: {} rows, {calls} calls", TABLE.len());
    assert!(
        wrong.is_empty(),
        "{} of {calls} calls were answered against the table:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    sys.stop().await;
}

/// One cell: the answer, and for a write whether it took effect.
async fn call(
    sys: &System,
    row: &Row,
    role: Role,
    how: Presented,
    expect: Expect<'_>,
    n: u32,
) -> Result<(), String> {
    // Writes get ids and times no other call uses, so one cell cannot break another.
    let fresh_job = format!("RO-SEC-{n}");
    let job = if row.sends == Sends::JobCard {
        fresh_job.as_str()
    } else {
        "RO-SEC"
    };
    let path = (row.path.replace("{site}", "demo"))
        .replace("{job}", job)
        .replace("{op}", "10")
        .replace("{bay}", "B01");
    let at = ts(-60 - i64::from(n));
    let mut req = match row.sends {
        Sends::SignInForm => sys.request(row.method, &path, Role::None, how),
        _ => sys.request(row.method, &path, role, how),
    };
    req = match row.sends {
        Sends::Nothing => req,
        Sends::JobCard => req.json(&json!({"plate": "粤B12345", "vehicle": "Camry",
            "ops": [{"op": "10", "title": "Brakes", "std_hours": 1.0}]})),
        Sends::Correction => req.json(&json!({"kind": "add", "reason": "role table",
            "event": {"ts": at, "badge": "T01", "action": "shift_start"}})),
        Sends::CorrectionForm => req.form(&[
            ("kind", "add"),
            ("reason", "role table"),
            ("ts", at.as_str()),
            ("badge", "T01"),
            ("action", "shift_start"),
        ]),
        Sends::SignInForm => req.form(&[("token", role.token().unwrap_or(""))]),
        Sends::Assignment => req.json(&json!({"badge": "T01", "bay": "B01", "order": n})),
    };
    let before = effect(sys, row.sends, job).await;
    let res = req.send().await.map_err(|e| e.to_string())?;
    let status = res.status().as_u16();
    let header = |name: &str| {
        (res.headers().get(name))
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let location = header("location");
    let signed_in = header("set-cookie").starts_with("bayline_session=")
        && !header("set-cookie").contains("Max-Age=0");
    if status != expect.status || !expect.location.is_none_or(|l| location.starts_with(l)) {
        return Err(format!(
            "expected {}{}, got {status} {location}",
            expect.status,
            expect.location.map(|l| format!(" {l}")).unwrap_or_default()
        ));
    }
    // A refusal by the API says why in the §5 format; a 401 says how to authenticate.
    if path.starts_with("/api/") && (status == 401 || status == 403) {
        let www = header("www-authenticate");
        let body: Value = res.json().await.unwrap_or_default();
        let code = if status == 401 {
            "unauthorized"
        } else {
            "forbidden"
        };
        if body["error"]["code"] != code || (status == 401 && www != "Bearer") {
            return Err(format!(
                "refusal not in the §5 format: {body} (WWW-Authenticate {www:?})"
            ));
        }
    }
    if row.sends.writes() {
        let took = match row.sends {
            Sends::SignInForm => signed_in,
            _ => effect(sys, row.sends, job).await != before,
        };
        if took != expect.allowed() {
            return Err(format!(
                "the write {} though the answer was {status}",
                if took {
                    "took effect"
                } else {
                    "changed nothing"
                }
            ));
        }
    }
    Ok(())
}

/// What a write changes, as a manager reads it: the job card, or the corrections' trail.
pub(super) async fn effect(sys: &System, sends: Sends, job: &str) -> Value {
    match sends {
        Sends::JobCard => {
            json!(sys.read(&format!("/api/v1/sites/demo/jobs/{job}")).await.0)
        }
        Sends::Correction | Sends::CorrectionForm => {
            let (status, trail) = sys.read("/api/v1/sites/demo/corrections").await;
            assert_eq!(status, 200, "{trail}");
            json!(trail.as_array().map(Vec::len))
        }
        Sends::Assignment => {
            let (_, view) = sys.read(&format!("/api/v1/sites/demo/jobs/{job}")).await;
            view["ops"][0]["assignment"].clone()
        }
        Sends::Nothing | Sends::SignInForm => Value::Null,
    }
}

fn in_table(method: &str, path: &str) -> bool {
    TABLE.iter().any(|r| {
        r.method.eq_ignore_ascii_case(method)
            && match path.split_once("{*") {
                // A wildcard route is covered by the rows of what it serves.
                Some((prefix, _)) => r.path.starts_with(prefix),
                None => r.path == path,
            }
    })
}

#[tokio::test]
async fn every_documented_operation_and_every_routed_path_has_a_row() {
    let sys = System::start().await;
    let (status, doc) = sys.read("/api/openapi.json").await;
    assert_eq!(status, 200);
    let mut missing = Vec::new();
    let mut documented = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch", "head", "options"]
                .contains(&method.as_str())
            {
                documented += 1;
                if !in_table(method, path) {
                    missing.push(format!("{} {path} (OpenAPI)", method.to_uppercase()));
                }
            }
        }
    }
    assert!(documented >= 15, "only {documented} documented operations");
    sys.stop().await;

    // Routes the document does not list (pages, assets, the document itself, previews).
    let src = crate::corpus::root().join("server/src");
    let mut routed = 0;
    for file in rust_files(&src) {
        let text = std::fs::read_to_string(&file).unwrap();
        for (method, path) in routes_in(&text) {
            routed += 1;
            if !in_table(&method, &path) {
                missing.push(format!("{method} {path} ({})", file.display()));
            }
        }
    }
    assert!(
        routed >= 15,
        "only {routed} routes found in {}",
        src.display()
    );
    assert!(
        missing.is_empty(),
        "endpoints without a row in tests/e2e/security/table.rs (decide who may call them):\n{}",
        missing.join("\n")
    );
}

fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// `(METHOD, path)` of every `.route("path", get(…).post(…))` call in `text`.
fn routes_in(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices(".route(") {
        let rest = &text[at + ".route(".len()..];
        // The call's arguments: up to the parenthesis that closes it.
        let mut depth = 1;
        let end = rest
            .char_indices()
            .find(|&(_, c)| {
                depth += match c {
                    '(' => 1,
                    ')' => -1,
                    _ => 0,
                };
                depth == 0
            })
            .map_or(rest.len(), |(i, _)| i);
        let args = &rest[..end];
        let Some(path) = args.split('"').nth(1) else {
            continue;
        };
        for method in ["get", "post", "put", "delete", "patch"] {
            let called = args.match_indices(&format!("{method}(")).any(|(i, _)| {
                !args[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
            });
            if called {
                out.push((method.to_uppercase(), path.to_string()));
            }
        }
    }
    out
}

#[test]
fn routes_are_read_from_source_with_their_methods() {
    let text = r#"Router::new()
        .route("/", get(index))
        .route(
            "/sites/{site}/signin",
            get(session::form).post(session::sign_in),
        )
        .route("/boards/{site}/{*board}", get(preview))"#;
    assert_eq!(
        routes_in(text),
        [
            ("GET", "/"),
            ("GET", "/sites/{site}/signin"),
            ("POST", "/sites/{site}/signin"),
            ("GET", "/boards/{site}/{*board}"),
        ]
        .map(|(m, p)| (m.to_string(), p.to_string()))
    );
    assert!(in_table("GET", "/boards/{site}/{*board}"));
    assert!(!in_table("DELETE", "/api/v1/sites/{site}/jobs/{job}"));
}
