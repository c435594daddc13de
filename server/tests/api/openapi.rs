//! Every GET route of the OpenAPI document, asked of a site with real data, answers what the
//! document says: a status it lists, its content type, and for JSON a body that validates
//! against the schema it gives that route and status (formats checked, `$ref`s resolved in
//! the document) and carries no field the schema does not name.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bayline_domain::decode::{decode, kept};
use bayline_ledger::Incoming;
use bayline_proto::Id;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::support::{App, ADVISOR, JOB, MANAGER};

const SITE: &str = "/api/v1/sites/demo";

/// The OpenAPI document as the server serves it.
struct Doc(Value);

impl Doc {
    async fn of(app: &App) -> Doc {
        let a = app
            .api("GET", "/api/openapi.json", MANAGER, Value::Null)
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        Doc(a.json())
    }

    /// Every path with a GET operation.
    fn gets(&self) -> Vec<String> {
        let paths = self.0["paths"].as_object().expect("paths");
        (paths.iter())
            .filter(|(_, item)| item.get("get").is_some())
            .map(|(path, _)| path.clone())
            .collect()
    }

    /// What the document says `GET path` answers with `status`: content type → schema.
    fn answer(&self, path: &str, status: StatusCode) -> Option<BTreeMap<String, Value>> {
        let response = &self.0["paths"][path]["get"]["responses"][status.as_str()];
        let response = response.as_object()?;
        let content = response.get("content").and_then(Value::as_object);
        Some(
            (content.into_iter().flatten())
                .map(|(kind, c)| (kind.clone(), c["schema"].clone()))
                .collect(),
        )
    }

    /// `schema` with its `$ref` followed (and the ref's, and so on).
    fn resolve<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        while let Some(name) = (schema.get("$ref").and_then(Value::as_str))
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            schema = &self.0["components"]["schemas"][name];
        }
        schema
    }

    /// Where `value` does not fit `schema`: the JSON Schema validator's findings, and every
    /// field no branch of the schema names (the document's objects are open; answers are
    /// not allowed to be).
    fn misfits(&self, schema: &Value, value: &Value) -> Vec<String> {
        let mut root = schema.clone();
        root["components"] = self.0["components"].clone();
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&root)
            .expect("the document's schema compiles");
        let mut found: Vec<String> = (validator.iter_errors(value))
            .map(|e| format!("{}: {e}", pointer(&e.instance_path().to_string())))
            .collect();
        self.unnamed(schema, value, "", &mut found);
        found
    }

    fn unnamed(&self, schema: &Value, value: &Value, at: &str, found: &mut Vec<String>) {
        let mut shape = Shape::default();
        self.shape(schema, &mut shape);
        match value {
            Value::Object(fields) => {
                for (name, v) in fields {
                    let at = format!("{at}/{name}");
                    match shape.properties.get(name).or(shape.additional.as_ref()) {
                        Some(s) => self.unnamed(s, v, &at, found),
                        None => found.push(format!("{at}: a field the schema does not name")),
                    }
                }
            }
            Value::Array(list) => {
                if let Some(items) = &shape.items {
                    for (n, v) in list.iter().enumerate() {
                        self.unnamed(items, v, &format!("{at}/{n}"), found);
                    }
                }
            }
            _ => {}
        }
    }

    /// What `schema` allows in any of its branches (`allOf`, `oneOf`, `anyOf`).
    fn shape(&self, schema: &Value, shape: &mut Shape) {
        let schema = self.resolve(schema);
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, s) in props {
                shape.properties.entry(name.clone()).or_insert(s.clone());
            }
        }
        match schema.get("additionalProperties") {
            Some(Value::Bool(true)) => shape.additional = Some(json!({})),
            Some(s @ Value::Object(_)) => shape.additional = Some(s.clone()),
            _ => {}
        }
        if let Some(items) = schema.get("items") {
            shape.items.get_or_insert(items.clone());
        }
        for branches in ["allOf", "oneOf", "anyOf"] {
            for s in schema
                .get(branches)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                self.shape(s, shape);
            }
        }
    }
}

#[derive(Default)]
struct Shape {
    properties: BTreeMap<String, Value>,
    additional: Option<Value>,
    items: Option<Value>,
}

/// The validator's location as a JSON pointer (`""` is the whole answer).
fn pointer(location: &str) -> String {
    match location {
        "" => "/".into(),
        l => l.into(),
    }
}

/// A morning at the demo site, made through the API and the scan intake as the workshop
/// would make it: two cars, one working, paused, dispatched and asked about extra work, one
/// through QC; andon calls; corrections of every kind; rejected scans.
async fn morning(app: &App) {
    let put = |uri: String, token, body| async move {
        let a = app.api("PUT", &uri, token, body).await;
        assert!(a.status.is_success(), "PUT {uri}: {} {}", a.status, a.text);
    };
    let post = |uri: String, body| async move {
        let a = app.api("POST", &uri, ADVISOR, body).await;
        assert!(a.status.is_success(), "POST {uri}: {} {}", a.status, a.text);
        a.json()
    };
    let now = jiff::Timestamp::now();
    let at = |min: i64| (now - jiff::SignedDuration::from_mins(min)).to_string();
    let ahead = |hours: i64| (now + jiff::SignedDuration::from_hours(hours)).to_string();
    put(JOB.into(), ADVISOR, json!({"plate": "粤B12345", "vehicle": "Camry", "customer": "Zhang San",
        "advisor": "A01", "service": "保养", "promised_at": ahead(6),
        "ops": [{"op": "10", "title": "Brakes", "std_hours": 1.5}, {"op": "20", "std_hours": 0.5}]}))
    .await;
    put(
        format!("{SITE}/jobs/RO-2"),
        ADVISOR,
        json!({"plate": "粤B12345", "comeback_of": "RO-1",
        "service": "索赔", "waiting_until": ahead(2), "wash": false,
        "ops": [{"op": "10", "title": "Check", "std_hours": 1.0/3.0}]}),
    )
    .await;
    put(
        format!("{JOB}/ops/20/assignment"),
        ADVISOR,
        json!({"badge": "T02", "bay": "B02", "order": 1}),
    )
    .await;

    let events = [
        json!({"ts": at(120), "badge": "A01", "action": "check_in", "job": "RO-1"}),
        json!({"ts": at(110), "badge": "T01", "action": "start", "job": "RO-1", "op": "10", "bay": "B01"}),
        json!({"ts": at(100), "badge": "A01", "action": "check_in", "job": "RO-2"}),
        json!({"ts": at(95), "badge": "T03", "action": "start", "job": "RO-2", "op": "10", "bay": "B03"}),
        json!({"ts": at(70), "badge": "T03", "action": "finish", "job": "RO-2", "op": "10"}),
        // Not the QC badge: applied with a warning, listed as an anomaly.
        json!({"ts": at(60), "badge": "T03", "action": "qc_pass", "job": "RO-2"}),
        json!({"ts": at(20), "badge": "T01", "action": "pause", "job": "RO-1", "op": "10", "reason": "parts"}),
        json!({"ts": at(9), "badge": "T01", "action": "call", "bay": "B01", "reason": "parts"}),
        json!({"ts": at(5), "badge": "T02", "action": "answer", "bay": "B01"}),
        json!({"ts": at(4), "badge": "T02", "action": "clear", "bay": "B01"}),
        json!({"ts": at(3), "badge": "T01", "action": "call", "bay": "B01", "reason": "foreman"}),
    ];
    for event in events {
        let body = json!({"kind": "add", "reason": "entered by hand", "event": event});
        let a = app
            .api("POST", &format!("{SITE}/corrections"), MANAGER, body)
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    }
    // A move and a void of scans that came from a handheld.
    scan(
        app,
        "HH-01",
        1,
        json!({"v": 1, "ts": at(30), "badge": "T02", "action": "shift_start"}),
    )
    .await;
    scan(
        app,
        "HH-01",
        2,
        json!({"v": 1, "ts": at(25), "badge": "T04", "action": "shift_start"}),
    )
    .await;
    let target = |ts: String, seq: u64| json!({"ts": ts, "scanner": "HH-01", "seq": seq});
    for body in [
        json!({"kind": "move", "reason": "clock was off", "target": target(at(30), 1), "to_ts": at(29)}),
        json!({"kind": "void", "reason": "wrong badge", "target": target(at(25), 2)}),
    ] {
        let a = app
            .api("POST", &format!("{SITE}/corrections"), MANAGER, body)
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    }
    // Rejected: not JSON at all, and a badge the site does not have.
    scan_bytes(app, "HH-02", b"\x00not json\xff").await;
    scan(
        app,
        "HH-02",
        7,
        json!({"v": 1, "ts": at(1), "badge": "X99", "action": "shift_start"}),
    )
    .await;

    // Extra work asked of the customer: one op approved by phone, one still open.
    post(format!("{JOB}/link"), Value::Null).await;
    let approval = post(
        format!("{JOB}/approvals"),
        json!({"message": "刹车盘磨损",
        "ops": [{"op": "30", "title": "Brake discs", "std_hours": 2.0, "price": 1280.5,
                 "photo": "https://example.test/disc.jpg"},
                {"op": "40", "title": "Wipers", "std_hours": 0.25, "price": 99.0}]}),
    )
    .await;
    let id = approval["id"].as_i64().expect("an approval id");
    post(
        format!("{JOB}/approvals/{id}/answer"),
        json!({"answers": [{"op": "30", "approved": true}]}),
    )
    .await;
}

/// A scan from a handheld, as the gateway hands it to the ledger.
async fn scan(app: &App, scanner: &str, seq: u64, mut payload: Value) {
    payload["scanner"] = json!(scanner);
    payload["seq"] = json!(seq);
    scan_bytes(app, scanner, payload.to_string().as_bytes()).await;
}

async fn scan_bytes(app: &App, scanner: &str, payload: &[u8]) {
    let scanner = Id::new(scanner).unwrap();
    let now = jiff::Timestamp::now();
    let incoming = Incoming {
        site: Id::new("demo").unwrap(),
        received_at: now,
        raw: kept(payload).to_vec(),
        size: payload.len(),
        decoded: decode(payload, &scanner, now),
        scanner,
    };
    let answers = (app.ledger)
        .submit(vec![incoming], &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(answers.len(), 1);
}

/// What to ask of each GET path: every query that changes the answer's shape.
fn asks() -> BTreeMap<&'static str, Vec<String>> {
    let groups = ["badge", "bay", "day", "team", "advisor", "service"];
    let mut kpis = vec![format!("{SITE}/kpis")];
    kpis.extend(groups.map(|g| format!("{SITE}/kpis?group_by={g}")));
    BTreeMap::from([
        (
            "/api/v1/sites/{site}/jobs/{job}",
            vec![JOB.to_string(), format!("{SITE}/jobs/RO-2")],
        ),
        ("/api/v1/sites/{site}/jobs", vec![format!("{SITE}/jobs")]),
        (
            "/api/v1/sites/{site}/jobs/{job}/history",
            vec![format!("{JOB}/history")],
        ),
        (
            "/api/v1/sites/{site}/jobs/{job}/approvals",
            vec![format!("{JOB}/approvals")],
        ),
        ("/api/v1/sites/{site}/bays", vec![format!("{SITE}/bays")]),
        (
            "/api/v1/sites/{site}/lounge",
            vec![format!("{SITE}/lounge")],
        ),
        ("/api/v1/sites/{site}/kpis", kpis),
        (
            "/api/v1/sites/{site}/anomalies",
            vec![format!("{SITE}/anomalies")],
        ),
        (
            "/api/v1/sites/{site}/rejected",
            vec![format!("{SITE}/rejected")],
        ),
        ("/api/v1/sites/{site}/calls", vec![format!("{SITE}/calls")]),
        (
            "/api/v1/sites/{site}/corrections",
            vec![format!("{SITE}/corrections")],
        ),
        (
            "/api/v1/sites/{site}/dispatch",
            vec![format!("{SITE}/dispatch")],
        ),
        (
            "/api/v1/sites/{site}/loading",
            vec![format!("{SITE}/loading?days=3")],
        ),
        (
            "/api/v1/sites/{site}/promise",
            vec![format!("{SITE}/promise?std_hours=2.5")],
        ),
        (
            "/api/v1/sites/{site}/events",
            vec![format!("{SITE}/events")],
        ),
        (
            "/boards/{site}/lounge.png",
            vec!["/boards/demo/lounge.png".into()],
        ),
        (
            "/boards/{site}/workshop.png",
            vec!["/boards/demo/workshop.png".into()],
        ),
        (
            "/boards/{site}/bay/{bay}.png",
            vec!["/boards/demo/bay/B01.png".into()],
        ),
        ("/healthz", vec!["/healthz".into()]),
        ("/metrics", vec!["/metrics".into()]),
    ])
}

/// Asks `GET uri` as `token` (none: `""`); for a stream, the head only.
async fn get(app: &App, uri: &str, token: &str) -> (StatusCode, String, Value) {
    let mut req = Request::builder()
        .uri(uri)
        .header("host", crate::support::HOST);
    if !token.is_empty() {
        req = req.header("authorization", format!("Bearer {token}"));
    }
    let res = (app.router.clone())
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let kind = (res.headers().get("content-type"))
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    if kind.starts_with("text/event-stream") {
        return (status, kind, Value::Null);
    }
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    (
        status,
        kind,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Where the answer to `GET uri` does not fit what the document says of `path`.
fn check(
    doc: &Doc,
    path: &str,
    uri: &str,
    (status, kind, body): &(StatusCode, String, Value),
) -> Vec<String> {
    let Some(documented) = doc.answer(path, *status) else {
        return vec![format!(
            "GET {uri}: {status} is not a status the document lists"
        )];
    };
    let media = kind.split(';').next().unwrap_or_default().trim();
    let Some(schema) = documented.get(media) else {
        let listed: Vec<&String> = documented.keys().collect();
        return vec![format!(
            "GET {uri}: {status} answered {kind:?}; the document lists {listed:?}"
        )];
    };
    if media != "application/json" {
        return Vec::new();
    }
    (doc.misfits(schema, body).into_iter())
        .map(|m| format!("GET {uri} ({status}) at {m}\n  in {body}"))
        .collect()
}

#[tokio::test]
async fn every_get_route_answers_what_the_document_says() {
    let app = App::new(&[(MANAGER, "王经理")]).await;
    morning(&app).await;
    let doc = Doc::of(&app).await;
    let asks = asks();
    let mut wrong = Vec::new();
    for path in doc.gets() {
        let Some(uris) = asks.get(path.as_str()) else {
            wrong.push(format!(
                "GET {path} is documented but this test does not ask it"
            ));
            continue;
        };
        for uri in uris {
            let answer = get(&app, uri, MANAGER).await;
            if answer.0 != StatusCode::OK {
                wrong.push(format!("GET {uri}: {} {}", answer.0, answer.2));
            }
            wrong.extend(check(&doc, &path, uri, &answer));
            // A refusal fits the document too: no token, or a site that does not exist.
            let refused = get(&app, uri, "").await;
            wrong.extend(check(&doc, &path, uri, &refused));
            let elsewhere = uri.replacen("/demo", "/nowhere", 1);
            if elsewhere != *uri {
                let refused = get(&app, &elsewhere, MANAGER).await;
                wrong.extend(check(&doc, &path, &elsewhere, &refused));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The data is not so thin that anything fits: each list the check walked has entries.
#[tokio::test]
async fn the_morning_fills_every_list_it_is_checked_on() {
    let app = App::new(&[]).await;
    morning(&app).await;
    for list in [
        "jobs",
        "bays",
        "lounge",
        "anomalies",
        "rejected",
        "calls",
        "corrections",
    ] {
        let a = app
            .api("GET", &format!("{SITE}/{list}"), MANAGER, Value::Null)
            .await;
        let n = a.json().as_array().map_or(0, Vec::len);
        assert!(n > 0, "{list} is empty: {}", a.text);
    }
    let history = app
        .api("GET", &format!("{JOB}/history"), MANAGER, Value::Null)
        .await;
    let kinds: Vec<Value> = (history.json().as_array().unwrap().iter())
        .map(|v| v["kind"].clone())
        .collect();
    for kind in ["card", "approval_opened", "approval_answered"] {
        assert!(
            kinds.contains(&json!(kind)),
            "{kind} missing: {}",
            history.text
        );
    }
    let corrections = app
        .api("GET", &format!("{SITE}/corrections"), MANAGER, Value::Null)
        .await;
    for kind in ["add", "move", "void"] {
        let has = (corrections.json().as_array().unwrap().iter())
            .any(|c| c["correction"]["change"]["kind"] == kind);
        assert!(has, "no {kind}: {}", corrections.text);
    }
    let job = app.api("GET", JOB, MANAGER, Value::Null).await;
    assert!(
        job.json()["ops"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["assignment"].is_object()),
        "{}",
        job.text
    );
}

#[tokio::test]
async fn an_answer_of_the_wrong_shape_is_found_with_its_path() {
    let app = App::new(&[]).await;
    let doc = Doc::of(&app).await;
    let schema = &doc
        .answer("/api/v1/sites/{site}/bays", StatusCode::OK)
        .unwrap()["application/json"];
    let wrong = json!([{"bay": "B01", "state": "asleep"}]);
    let found = doc.misfits(schema, &wrong);
    assert!(found.iter().any(|m| m.starts_with("/0/state")), "{found:?}");
    let extra = json!({"error": {"code": "not_found", "message": "no", "hint": "x"}});
    let schema = &doc
        .answer("/api/v1/sites/{site}/bays", StatusCode::NOT_FOUND)
        .unwrap()["application/json"];
    let found = doc.misfits(schema, &extra);
    assert_eq!(found, ["/error/hint: a field the schema does not name"]);
}
