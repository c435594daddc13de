//! The examples in `docs/` are run against the real code, so a page cannot drift from what
//! the system does.
//!
//! Every page is played as one short story on a fresh system (the site file of
//! `docs/protocol.md`, SQLite in a temporary folder, the real ledger and HTTP router), its
//! fenced blocks in order:
//! - ```` ```toml site ````: the site file every page runs on (in `protocol.md`).
//! - ```` ```json scan ```` (or ```` ```text scan ```` for a payload that is not JSON), with
//!   optional `scanner=ID`: published by that scanner (default `HH-01`), decoded by the
//!   gateway's decoder, judged and stored by the ledger, answered with the gateway's words.
//!   The next block must be ```` ```json reply ````: the reply, byte for byte.
//! - ```` ```http ````: a request line, headers, a blank line, a body; sent to the router. The
//!   next block may be ```` ```json response STATUS ````: the status, and the body as JSON
//!   with every field named (numbers to within the two decimals the pages show).
//! - ```` ```json ```` alone: an illustration; when it is a scan, the decoder must accept it.
//!
//! Scans are decoded as if they arrived at [`ARRIVED`]. Besides the examples, the pages must
//! name every action, reject code, warning code, route and figure the code has.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bayline_domain::Time;
use bayline_ledger::{Incoming, Ledger};
use bayline_proto::{Action, Id, RejectCode, WarningCode};
use bayline_server::AppState;
use bayline_site::SiteConfig;
use bayline_store::Store;
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// When the pages' scans reach the gateway: the clock `bad_time` is judged against.
const ARRIVED: &str = "2026-11-23T18:00:00+08:00";

/// The pages that carry examples, each played on its own system.
const PAGES: [&str; 5] = ["protocol.md", "mqtt.md", "rules.md", "http.md", "kpis.md"];

struct Block {
    page: String,
    line: usize,
    info: Vec<String>,
    body: String,
}

impl Block {
    fn kind(&self) -> (&str, &str) {
        let word = |i: usize| self.info.get(i).map(String::as_str).unwrap_or("");
        (word(0), word(1))
    }

    fn option(&self, name: &str) -> Option<&str> {
        self.info
            .iter()
            .find_map(|w| w.strip_prefix(name)?.strip_prefix('='))
    }

    fn at(&self) -> String {
        format!("docs/{}:{}", self.page, self.line)
    }
}

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs")
}

fn page(name: &str) -> String {
    std::fs::read_to_string(docs_dir().join(name)).unwrap_or_else(|e| panic!("docs/{name}: {e}"))
}

/// The fenced blocks of a page, in order.
fn blocks(name: &str) -> Vec<Block> {
    let text = page(name);
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in text.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => {
                open = Some(Block {
                    page: name.to_string(),
                    line: i + 1,
                    info: info.split_whitespace().map(str::to_string).collect(),
                    body: String::new(),
                })
            }
            (Some(_), Some(_)) => out.extend(open.take()),
            (Some(b), None) => {
                b.body.push_str(line);
                b.body.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "docs/{name}: a fenced block is not closed");
    out
}

fn site_file() -> String {
    let site = blocks("protocol.md")
        .into_iter()
        .find(|b| b.kind() == ("toml", "site"))
        .expect("docs/protocol.md has a ```toml site block");
    site.body
}

/// A running system for one page: the ledger and the router on it.
struct System {
    _dir: tempfile::TempDir,
    config: SiteConfig,
    ledger: Arc<Ledger>,
    state: AppState,
}

impl System {
    async fn start() -> System {
        let config = SiteConfig::parse("docs/protocol.md", &site_file())
            .unwrap_or_else(|e| panic!("the site file of docs/protocol.md: {e}"));
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("docs.db").display());
        let store = Store::open(&url).await.unwrap();
        let ledger = Arc::new(Ledger::open(store, vec![config.clone()]).await.unwrap());
        let state = AppState::new(ledger.clone());
        System {
            _dir: dir,
            config,
            ledger,
            state,
        }
    }

    /// Publishes `payload` as `scanner` and returns the reply as JSON text.
    async fn scan(&self, scanner: &str, payload: &[u8]) -> String {
        let scanner = Id::new(scanner).unwrap();
        let now: Time = ARRIVED.parse().unwrap();
        let decoded = bayline_domain::decode::decode(payload, &scanner, now);
        let incoming = Incoming {
            site: self.config.id.clone(),
            scanner,
            received_at: now,
            raw: bayline_domain::decode::kept(payload).to_vec(),
            size: payload.len(),
            decoded,
        };
        let mut answers = self
            .ledger
            .submit(vec![incoming], &CancellationToken::new())
            .await
            .unwrap();
        assert_eq!(answers.len(), 1);
        serde_json::to_string(&answers.remove(0).reply).unwrap()
    }

    /// Sends the request a ```http block writes; returns the status and the body.
    async fn http(&self, block: &Block) -> (StatusCode, Vec<u8>) {
        let (head, body) = block
            .body
            .split_once("\n\n")
            .unwrap_or((block.body.as_str(), ""));
        let mut lines = head.lines();
        let request_line = lines.next().unwrap_or("");
        let (method, path) = request_line
            .split_once(' ')
            .unwrap_or_else(|| panic!("{}: `METHOD PATH` first", block.at()));
        let mut req = Request::builder().method(method).uri(path.trim());
        for header in lines {
            let (name, value) = header
                .split_once(':')
                .unwrap_or_else(|| panic!("{}: header {header:?}", block.at()));
            req = req.header(name.trim(), value.trim());
        }
        let req = req.body(Body::from(body.trim().to_string())).unwrap();
        let app = bayline_server::http::router(self.state.clone());
        let res = app.oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, bytes.to_vec())
    }
}

/// Whether `actual` is what the page shows: the same fields everywhere, numbers within the
/// two decimals the pages round to, `"…"` anything present.
fn same(doc: &Value, actual: &Value, at: &str, path: &str) -> Result<(), String> {
    match (doc, actual) {
        // The page's stand-in for what the clock of the request decides (a history's `at`).
        (Value::String(d), a) if d == "…" && !a.is_null() => Ok(()),
        (Value::Number(d), Value::Number(a)) => {
            let (d, a) = (d.as_f64().unwrap(), a.as_f64().unwrap());
            if (d - a).abs() <= 0.005 + 1e-9 {
                Ok(())
            } else {
                Err(format!("{at}: {path} is {a}, the page says {d}"))
            }
        }
        (Value::Object(d), Value::Object(a)) => {
            let (dk, ak): (Vec<_>, Vec<_>) = (d.keys().collect(), a.keys().collect());
            if dk != ak {
                return Err(format!(
                    "{at}: {path} has fields {ak:?}, the page shows {dk:?}"
                ));
            }
            for (k, v) in d {
                same(v, &a[k], at, &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        (Value::Array(d), Value::Array(a)) => {
            if d.len() != a.len() {
                return Err(format!(
                    "{at}: {path} has {} items, the page shows {}",
                    a.len(),
                    d.len()
                ));
            }
            for (i, (d, a)) in d.iter().zip(a).enumerate() {
                same(d, a, at, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (d, a) if d == a => Ok(()),
        (d, a) => Err(format!("{at}: {path} is {a}, the page says {d}")),
    }
}

/// Plays one page; returns how many examples it checked, and what differed.
async fn play(name: &str) -> (usize, Vec<String>) {
    let system = System::start().await;
    let mut wrong = Vec::new();
    let blocks = blocks(name);
    let mut checked = 0;
    let mut i = 0;
    while i < blocks.len() {
        let block = &blocks[i];
        let next = blocks.get(i + 1);
        match block.kind() {
            (_, "scan") => {
                let reply = next
                    .filter(|n| n.kind() == ("json", "reply"))
                    .unwrap_or_else(|| panic!("{}: a scan is followed by its reply", block.at()));
                let scanner = block.option("scanner").unwrap_or("HH-01");
                let payload = block.body.trim_end_matches('\n').replace('\n', "");
                let got = system.scan(scanner, payload.as_bytes()).await;
                if got != reply.body.trim() {
                    wrong.push(format!("{}: the reply is\n{got}", reply.at()));
                }
                checked += 1;
                i += 2;
            }
            ("http", _) => {
                let (status, body) = system.http(block).await;
                match next.filter(|n| n.kind() == ("json", "response")) {
                    Some(response) => {
                        let want: u16 = response
                            .info
                            .get(2)
                            .and_then(|s| s.parse().ok())
                            .unwrap_or_else(|| panic!("{}: json response STATUS", response.at()));
                        let doc: Value = serde_json::from_str(&response.body).unwrap_or_else(|e| {
                            panic!("{}: not JSON: {e}", response.at());
                        });
                        let actual: Value = serde_json::from_slice(&body).unwrap_or_default();
                        if status.as_u16() != want {
                            wrong.push(format!("{}: status {status}, {actual}", response.at()));
                        } else if let Err(e) = same(&doc, &actual, &response.at(), "$") {
                            wrong.push(format!("{e}\nthe answer: {actual}"));
                        }
                        i += 2;
                    }
                    None => {
                        if !status.is_success() {
                            let body = String::from_utf8_lossy(&body);
                            wrong.push(format!("{}: {status} {body}", block.at()));
                        }
                        i += 1;
                    }
                }
                checked += 1;
            }
            ("json", "") => {
                // An illustration, not part of the story: if it is a scan, it must decode.
                let value: Value = serde_json::from_str(&block.body)
                    .unwrap_or_else(|e| panic!("{}: not JSON: {e}", block.at()));
                if value.get("v").is_some() && value.get("action").is_some() {
                    let scanner = Id::new("HH-01").unwrap();
                    let now: Time = ARRIVED.parse().unwrap();
                    let payload = block.body.replace('\n', "");
                    let decoded = bayline_domain::decode::decode(payload.as_bytes(), &scanner, now);
                    if let Err((code, detail)) = decoded.result {
                        wrong.push(format!("{}: refused {code}: {detail}", block.at()));
                    }
                    checked += 1;
                }
                i += 1;
            }
            ("json", "reply") | ("json", "response") => {
                panic!("{}: a reply or response with nothing before it", block.at())
            }
            _ => i += 1,
        }
    }
    (checked, wrong)
}

#[tokio::test]
async fn every_example_in_the_docs_is_what_the_code_does() {
    let (mut total, mut wrong) = (0, Vec::new());
    for name in PAGES {
        let (n, w) = play(name).await;
        if name == "mqtt.md" {
            assert!(
                n >= 20,
                "docs/mqtt.md checks {n} examples; it shows every action and code"
            );
        }
        total += n;
        wrong.extend(w);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
    assert!(total >= 40, "the pages check {total} examples in all");
}

/// Whether `word` appears in `text` as code: `` `word` ``.
fn names(text: &str, word: &str) -> bool {
    text.contains(&format!("`{word}`"))
}

#[test]
fn the_mqtt_page_names_every_action_and_code() {
    let text = page("mqtt.md");
    let mut missing = Vec::new();
    let actions = Action::ALL.iter().map(|a| a.as_str());
    let rejects = RejectCode::ALL.iter().map(|c| c.as_str());
    let warnings = WarningCode::ALL.iter().map(|c| c.as_str());
    for word in actions.chain(rejects).chain(warnings) {
        if !names(&text, word) {
            missing.push(word);
        }
    }
    assert!(missing.is_empty(), "docs/mqtt.md does not name {missing:?}");
}

#[test]
fn the_http_page_names_every_route() {
    let text = page("http.md");
    let doc = bayline_server::http::openapi();
    let mut missing: Vec<String> = doc
        .paths
        .paths
        .keys()
        .filter(|p| !text.contains(p.as_str()))
        .cloned()
        .collect();
    for route in ["/boards/{site}/{board}.png", "/api/openapi.json"] {
        if !text.contains(route) {
            missing.push(route.into());
        }
    }
    assert!(missing.is_empty(), "docs/http.md does not name {missing:?}");
}

#[test]
fn the_kpi_page_names_every_figure() {
    let text = page("kpis.md");
    let figures = bayline_domain::kpi::Figures {
        clocked_hours: 0.0,
        rework_hours: 0.0,
        sold_hours: 0.0,
        available_hours: None,
        labour_efficiency: None,
        labour_utilisation: None,
        productivity: None,
        bay_utilisation: None,
        bay_blocked_hours: None,
        bay_blocked_hours_by_reason: Some(Default::default()),
        first_time_fix_rate: None,
        on_time_rate: None,
        avg_cycle_hours: None,
        jobs_delivered: 0,
        comebacks: 0,
        comeback_rate: None,
        calls: 0,
        call_answer_minutes_avg: None,
        call_answer_minutes_p90: None,
    };
    let json = serde_json::to_value(&figures).unwrap();
    let mut missing = Vec::new();
    let by_reason = json["bay_blocked_hours_by_reason"].as_object().unwrap();
    for field in json.as_object().unwrap().keys().chain(by_reason.keys()) {
        if !names(&text, field) {
            missing.push(field.clone());
        }
    }
    assert!(missing.is_empty(), "docs/kpis.md does not name {missing:?}");
}

#[test]
fn the_docs_link_only_to_pages_that_exist() {
    for name in PAGES.iter().chain(&["deploy.md"]) {
        let text = page(name);
        for (at, _) in text.match_indices("](") {
            let target = &text[at + 2..];
            let target = &target[..target.find(')').unwrap_or(target.len())];
            let (file, anchor) = target.split_once('#').unwrap_or((target, ""));
            if target.contains("://") {
                continue;
            }
            let file = if file.is_empty() { *name } else { file };
            assert!(
                docs_dir().join(file).exists(),
                "docs/{name} links to {target}, which does not exist"
            );
            if !anchor.is_empty() {
                assert!(
                    anchors(&page(file)).iter().any(|a| a == anchor),
                    "docs/{name} links to {target}, a heading docs/{file} does not have"
                );
            }
        }
        assert!(
            !text.contains("shared/contract"),
            "docs/{name} sends the reader outside the repository"
        );
    }
}

/// The anchors a page's headings get: lower case, spaces as `-`, other punctuation dropped.
fn anchors(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix('#'))
        .map(|h| {
            h.trim_start_matches('#')
                .trim()
                .to_lowercase()
                .chars()
                .filter_map(|c| match c {
                    ' ' => Some('-'),
                    c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                    _ => None,
                })
                .collect()
        })
        .collect()
}
