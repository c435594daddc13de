//! No secret leaves the process: the real `bayline up`, logging everything (`RUST_LOG=trace`,
//! JSON), with a site file whose every scanner and display secret and API token cannot occur
//! by chance, and a known service password. Handhelds connect with right and wrong passwords
//! and scan; a display subscribes; the HTTP API and the pages are used with every token and
//! some wrong ones. Then none of those secrets — nor the wrong passwords and tokens, which are
//! often someone's real one mistyped — may appear in stdout or stderr, in the database files,
//! or in any answer, written plainly or as bytes, hex or base64.
//!
//! The one place a token does travel back is the sign-in answer's `Set-Cookie`, which holds
//! the manager's own token by design (contract: the browser keeps it in an HttpOnly cookie);
//! it is checked to be HttpOnly and SameSite=Strict and left out of the search.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

use base64::Engine;
use bayline_gateway::BrokerUrl;
use bayline_site::SiteConfig;
use rumqttc::{AsyncClient, ConnectionError, Event, MqttOptions, Packet, QoS};
use serde_json::json;

use super::system::{no_redirects, unpooled};
use crate::helpers::*;

const BIN: &str = env!("CARGO_BIN_EXE_bayline");
const SERVICE_PASSWORD: &str = "svc-pw-Hn72Rk";
const WRONG_PASSWORD: &str = "wrong-pw-Kx81Qa";
const NOBODYS_PASSWORD: &str = "nobody-pw-Tz55Lm";
const WRONG_TOKEN: &str = "wrong-token-Pq31Zx";

/// The demo site with every secret and token made unmistakable (`demo-hh01` →
/// `s3c-demo-hh01-q7Wz`).
fn site_text() -> String {
    let mut out = String::new();
    for line in bayline_site::DEMO_SITE.lines() {
        let secret = ["secret = \"", "token = \""]
            .iter()
            .find_map(|key| Some((*key, line.strip_prefix(key)?.strip_suffix('"')?)));
        match secret {
            Some((key, value)) => out.push_str(&format!("{key}s3c-{value}-q7Wz\"\n")),
            None => out.push_str(&format!("{line}\n")),
        }
    }
    out
}

struct Running {
    child: Child,
    http: String,
    mqtt: String,
    /// The rest of stdout after the ready line, read to the end once the process exits.
    stdout: Option<std::thread::JoinHandle<Vec<u8>>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn up(site: &std::path::Path, db: &str, stderr: std::fs::File) -> Running {
    let mut child = Command::new(BIN)
        .args([
            "up",
            "--db",
            db,
            "--http",
            "127.0.0.1:0",
            "--mqtt-listen",
            "127.0.0.1:0",
        ])
        .arg("--site-config")
        .arg(site)
        .env("RUST_LOG", "trace")
        .env("BAYLINE_LOG_FORMAT", "json")
        .env("BAYLINE_SERVICE_PASSWORD", SERVICE_PASSWORD)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let addrs = line
        .trim()
        .strip_prefix("bayline ready ")
        .unwrap_or_else(|| panic!("no ready line: {line:?}"));
    let (http, mqtt) = addrs.split_once(' ').unwrap();
    let (http, mqtt) = (http.to_string(), mqtt.to_string());
    let stdout = std::thread::spawn(move || {
        let mut rest = line.into_bytes();
        let _ = out.read_to_end(&mut rest);
        rest
    });
    Running {
        child,
        http: http.strip_prefix("http=").unwrap().into(),
        mqtt: mqtt.strip_prefix("mqtt=").unwrap().into(),
        stdout: Some(stdout),
    }
}

/// True when the broker refuses `user` with `password`, or no credentials at all (the CONNACK
/// says so, or it hangs up).
async fn refused(broker: &BrokerUrl, login: Option<(&str, &str)>) -> bool {
    let user = login.map_or("anonymous", |(u, _)| u);
    let id = format!("{user}-{}", rand_suffix());
    let mut o = MqttOptions::new(id, &broker.host, broker.port);
    if let Some((user, password)) = login {
        o.set_credentials(user, password);
    }
    let (_client, mut events) = AsyncClient::new(o, 8);
    let verdict = async {
        loop {
            match events.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(_))) => return false,
                Ok(_) => {}
                Err(ConnectionError::ConnectionRefused(_)) => return true,
                Err(ConnectionError::Io(_) | ConnectionError::MqttState(_)) => return true,
                Err(e) => panic!("{user}: {e}"),
            }
        }
    };
    tokio::time::timeout(DEADLINE, verdict)
        .await
        .unwrap_or_else(|_| panic!("{user}: no answer to CONNECT"))
}

/// A display subscribed with its own secret: returns once a retained board arrived.
async fn display_sees_a_board(broker: &BrokerUrl, id: &str, secret: &str) {
    let mut o = MqttOptions::new(format!("{id}-{}", rand_suffix()), &broker.host, broker.port);
    o.set_credentials(id, secret);
    let (client, mut events) = AsyncClient::new(o, 8);
    client
        .subscribe(bayline_proto::topic::board(SITE, "#"), QoS::AtLeastOnce)
        .await
        .unwrap();
    let board = async {
        loop {
            if let Event::Incoming(Packet::Publish(_)) = events.poll().await.unwrap() {
                return;
            }
        }
    };
    tokio::time::timeout(DEADLINE, board)
        .await
        .expect("the display got no board");
}

/// Every answer's status line, headers and body, for the search.
#[derive(Default)]
struct Answers {
    bytes: Vec<u8>,
    count: usize,
    set_cookies: Vec<String>,
}

impl Answers {
    async fn take(&mut self, req: reqwest::RequestBuilder, stream: bool) -> u16 {
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        self.count += 1;
        self.bytes
            .extend_from_slice(format!("{} {status}\n", res.url()).as_bytes());
        for (name, value) in res.headers() {
            if name == "set-cookie" {
                self.set_cookies
                    .push(value.to_str().unwrap_or_default().into());
                continue;
            }
            self.bytes.extend_from_slice(name.as_str().as_bytes());
            self.bytes.extend_from_slice(b": ");
            self.bytes.extend_from_slice(value.as_bytes());
            self.bytes.push(b'\n');
        }
        // An event stream never ends; its headers are its answer.
        if !stream {
            self.bytes
                .extend_from_slice(&res.bytes().await.unwrap_or_default());
        }
        status
    }
}

/// `s` as it could show up: plainly (also inside JSON), as a byte list (`Debug` of a
/// `&[u8]`, with and without spaces), as hex and as base64.
fn spellings(s: &str) -> Vec<(&'static str, Vec<u8>)> {
    let bytes: Vec<String> = s.bytes().map(|b| b.to_string()).collect();
    let hex: String = s.bytes().map(|b| format!("{b:02x}")).collect();
    vec![
        ("plain", s.as_bytes().to_vec()),
        ("byte list", bytes.join(", ").into_bytes()),
        ("byte list", bytes.join(",").into_bytes()),
        ("hex", hex.into_bytes()),
        (
            "base64",
            base64::engine::general_purpose::STANDARD
                .encode(s)
                .trim_end_matches('=')
                .as_bytes()
                .to_vec(),
        ),
    ]
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[tokio::test]
async fn no_secret_shows_in_logs_database_or_answers() {
    let dir = tempfile::tempdir().unwrap();
    let site_path = dir.path().join("site.toml");
    std::fs::write(&site_path, site_text()).unwrap();
    let site = SiteConfig::load(&site_path).unwrap();
    let secret_of = |id: &str| site.scanner(id).unwrap().secret.clone();
    let token_of = |role: &str| {
        (site.tokens.iter())
            .find(|t| format!("{:?}", t.role).eq_ignore_ascii_case(role))
            .unwrap()
            .token
            .clone()
    };
    let (manager, advisor, integration) = (
        token_of("manager"),
        token_of("advisor"),
        token_of("integration"),
    );
    let stderr_path = dir.path().join("stderr.log");
    let db = format!("sqlite://{}/b.db", dir.path().display());
    let mut run = up(
        &site_path,
        &db,
        std::fs::File::create(&stderr_path).unwrap(),
    );
    let broker: BrokerUrl = format!("mqtt://{}", run.mqtt).parse().unwrap();
    let http = format!("http://{}", run.http);
    let client = no_redirects();
    let mut answers = Answers::default();
    let api = format!("{http}/api/v1/sites/{SITE}");

    // Job cards by the advisor and the DMS.
    let card = json!({"plate": "粤B12345", "customer": "Zhang San", "ops": [{"op": "10", "std_hours": 1.0}]});
    let put = |t: &str| {
        client
            .put(format!("{api}/jobs/RO-S1"))
            .bearer_auth(t)
            .json(&card)
    };
    assert_eq!(answers.take(put(&advisor), false).await, 201);
    assert_eq!(answers.take(put(&integration), false).await, 200);

    // Handhelds: the right password scans, wrong ones are refused.
    let mut hh = Handheld::connect(&broker, "HH-01", &secret_of("HH-01")).await;
    assert_ok(&hh.scan("T01", "shift_start", json!({})).await);
    assert_ok(&hh.scan("A01", "check_in", json!({"job": "RO-S1"})).await);
    hh.publish_raw("HH-01", b"not a scan".to_vec()).await;
    assert_eq!(
        hh.reply().await.code.map(|c| c.as_str()),
        Some("bad_payload")
    );
    hh.publish_raw("HH-01", vec![b'{'; 9000]).await;
    assert_eq!(hh.reply().await.code.map(|c| c.as_str()), Some("too_large"));
    for (user, password) in [
        ("HH-02", WRONG_PASSWORD.to_string()),
        ("HH-03", secret_of("HH-01")),
        ("HH-99", NOBODYS_PASSWORD.to_string()),
        ("bayline-service", WRONG_PASSWORD.to_string()),
    ] {
        let login = Some((user, password.as_str()));
        assert!(refused(&broker, login).await, "{user} was let in");
    }
    // The broker's log says "Anonymous authentication enabled" at start; it is not.
    assert!(
        refused(&broker, None).await,
        "a client without credentials was let in"
    );
    let display = site.display("lounge-1").unwrap();
    display_sees_a_board(&broker, "lounge-1", &display.secret).await;
    assert_ok(&hh.scan("T01", "shift_end", json!({})).await);

    // The API with every token, wrong ones, none; refusals and errors too.
    let get = |path: &str, t: Option<&str>| {
        let req = client.get(format!("{http}{path}"));
        match t {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    };
    let site_path = format!("/api/v1/sites/{SITE}");
    for (path, token, status) in [
        (format!("{site_path}/jobs/RO-S1"), Some(&integration), 200),
        (format!("{site_path}/jobs"), Some(&advisor), 200),
        (format!("{site_path}/bays"), Some(&manager), 200),
        (format!("{site_path}/bays"), Some(&advisor), 403),
        (format!("{site_path}/kpis"), Some(&manager), 200),
        (format!("{site_path}/anomalies"), Some(&manager), 200),
        (format!("{site_path}/rejected"), Some(&manager), 200),
        (format!("{site_path}/corrections"), Some(&manager), 200),
        (format!("{site_path}/bays"), None, 401),
        (format!("{site_path}/lounge"), None, 200),
        ("/healthz".into(), None, 200),
        ("/api/openapi.json".into(), None, 200),
        (format!("/boards/{SITE}/lounge.png"), None, 200),
        (format!("/sites/{SITE}/lounge"), None, 200),
        ("/no/such/route".into(), Some(&manager), 404),
    ] {
        let got = answers
            .take(get(&path, token.map(|t| t.as_str())), false)
            .await;
        assert_eq!(got, status, "{path}");
    }
    let wrong = get(&format!("{site_path}/bays"), Some(WRONG_TOKEN));
    assert_eq!(answers.take(wrong, false).await, 401);
    let events = get(&format!("{site_path}/events"), Some(&manager));
    assert_eq!(answers.take(events, true).await, 200);
    let correction = json!({"kind": "add", "reason": "secrets", "event": {"ts": ts(-30), "badge": "T02", "action": "shift_start"}});
    let post = client
        .post(format!("{api}/corrections"))
        .bearer_auth(&manager)
        .json(&correction);
    assert_eq!(answers.take(post, false).await, 201);
    let huge = unpooled()
        .put(format!("{api}/jobs/RO-S2"))
        .bearer_auth(&advisor)
        .header("content-type", "application/json")
        .body(vec![b' '; 70_000]);
    assert_eq!(answers.take(huge, false).await, 413);

    // Signing in: a wrong token is not echoed; the right one becomes the cookie, which the
    // pages then take.
    let signin = format!("{http}/sites/{SITE}/signin");
    let bad = client
        .post(&signin)
        .form(&[("token", WRONG_TOKEN), ("next", "/sites/demo/now")]);
    assert_eq!(answers.take(bad, false).await, 401);
    let good = client.post(&signin).form(&[("token", manager.as_str())]);
    assert_eq!(answers.take(good, false).await, 303);
    let cookie = answers
        .set_cookies
        .pop()
        .expect("signed in without a cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(answers.set_cookies.is_empty(), "{:?}", answers.set_cookies);
    let session = cookie.split(';').next().unwrap().to_string();
    for page in ["now", "figures", "timeline", "review", "boards"] {
        let req = client
            .get(format!("{http}/sites/{SITE}/{page}"))
            .header("cookie", &session);
        assert_eq!(answers.take(req, false).await, 200, "{page}");
    }
    // Last, so it counts everything above.
    assert_eq!(answers.take(get("/metrics", None), false).await, 200);
    drop(hh);

    // Stop it as an operator would, so every log line and page is written.
    let status = Command::new("kill")
        .args(["-TERM", &run.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let code = run.child.wait().unwrap();
    assert!(code.success(), "bayline exited with {code:?}");
    let stdout = run.stdout.take().unwrap().join().unwrap();
    let stderr = std::fs::read(&stderr_path).unwrap();

    let mut places: Vec<(String, Vec<u8>)> = vec![
        ("stdout".into(), stdout),
        ("stderr".into(), stderr.clone()),
        (format!("{} HTTP answers", answers.count), answers.bytes),
    ];
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("b.db") {
            places.push((name, std::fs::read(&path).unwrap()));
        }
    }
    // The search can only pass by looking: everything was logged, and the scans were stored.
    let lines = stderr.split(|b| *b == b'\n').count();
    assert!(
        find(&stderr, br#""level":"TRACE""#).is_some() && lines > 200,
        "not a trace log ({lines} lines)"
    );
    assert!(
        find(&stderr, b"HH-01").is_some(),
        "the handheld's connect was not logged"
    );
    let stored: Vec<u8> = (places.iter())
        .filter(|(n, _)| n.starts_with("b.db"))
        .flat_map(|(_, b)| b.clone())
        .collect();
    assert!(
        find(&stored, b"not a scan").is_some(),
        "the rejected scan is not in the database"
    );

    let mut secrets: Vec<(String, String)> = vec![
        ("service password".into(), SERVICE_PASSWORD.into()),
        ("a wrong password".into(), WRONG_PASSWORD.into()),
        ("an unknown user's password".into(), NOBODYS_PASSWORD.into()),
        ("a wrong token".into(), WRONG_TOKEN.into()),
    ];
    for s in &site.scanners {
        secrets.push((format!("scanner {}'s secret", s.id), s.secret.clone()));
    }
    for d in &site.displays {
        secrets.push((format!("display {}'s secret", d.id), d.secret.clone()));
    }
    for t in &site.tokens {
        secrets.push((format!("the {:?} token", t.role), t.token.clone()));
    }
    let mut leaks = Vec::new();
    for (what, secret) in &secrets {
        for (place, bytes) in &places {
            for (how, needle) in spellings(secret) {
                if let Some(at) = find(bytes, &needle) {
                    let from = at.saturating_sub(160);
                    let to = (at + needle.len() + 80).min(bytes.len());
                    leaks.push(format!(
                        "{what} ({how}) in {place}: …{}…",
                        String::from_utf8_lossy(&bytes[from..to])
                    ));
                }
            }
        }
    }
    println!(
        "searched {} secrets × {} spellings in {} places ({} stderr lines)",
        secrets.len(),
        spellings("x").len(),
        places.len(),
        lines
    );
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n\n")
    );
}

/// The command line, fed a broker URL or database URL with a password (as a service's
/// environment does): a bad one is named without its password, and `--help` does not print
/// the environment's values.
#[test]
fn the_command_line_does_not_repeat_a_broker_or_database_password() {
    let bad: [(&[&str], &str); 4] = [
        (&["up", "--broker", "mqtt://svc:pw-1-Rq8@host:notaport"], ""),
        (&["up"], "http://svc:pw-2-Rq8@host:1883"),
        (
            &["gateway", "--db", "postgres://h/db"],
            "mqtt://svc:pw-3-Rq8@host:port",
        ),
        (
            &["server", "--db", "postgres://h/db"],
            "mqtt://svc:pw-4-Rq8@:1883",
        ),
    ];
    for (args, env) in bad {
        let mut cmd = Command::new(BIN);
        cmd.args(args).env_remove("BAYLINE_BROKER");
        if !env.is_empty() {
            cmd.env("BAYLINE_BROKER", env);
        }
        let out = cmd.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} started: {err}");
        assert!(
            err.contains("--broker") && err.contains("***"),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains("-Rq8"),
            "{args:?} repeats the password: {err}"
        );
    }
    for command in ["up", "gateway", "server"] {
        let out = Command::new(BIN)
            .args([command, "--help"])
            .env("BAYLINE_BROKER", "mqtt://svc:pw-5-Rq8@host:1883")
            .env("BAYLINE_DB", "postgres://svc:pw-6-Rq8@host/db")
            .env("BAYLINE_SERVICE_PASSWORD", "pw-7-Rq8")
            .output()
            .unwrap();
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && help.contains("--broker"), "{help}");
        assert!(
            !help.contains("-Rq8"),
            "`{command} --help` prints a password:\n{help}"
        );
    }
}
