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
//!
//! - [`broker`]: who the broker lets in, and a display that gets its board;
//! - [`search`]: the answers kept as bytes, a secret's spellings, the search;
//! - [`site`]: the site file with unmistakable secrets, and every secret searched for;
//! - [`command_line`]: the command line repeats no broker or database password.

pub mod broker;
mod command_line;
mod search;
mod site;

use bayline_gateway::BrokerUrl;
use bayline_site::SiteConfig;
use serde_json::json;

use super::system::{no_redirects, unpooled};
use crate::binary::{up_on_free_ports, Running};
use crate::helpers::*;
use broker::{display_sees_a_board, refused};
use search::{find, leaks, spellings, Answers};
use site::{secrets, site_text, NOBODYS_PASSWORD, SERVICE_PASSWORD, WRONG_PASSWORD, WRONG_TOKEN};

/// `bayline up` on free ports, logging everything as JSON to `stderr`; its stdout after
/// the ready line is read to the end once it exits.
fn up(
    site: &std::path::Path,
    db: &str,
    stderr: std::fs::File,
) -> (Running, std::thread::JoinHandle<Vec<u8>>) {
    let mut run = Running::start(
        up_on_free_ports(db)
            .arg("--site-config")
            .arg(site)
            .env("RUST_LOG", "trace")
            .env("BAYLINE_LOG_FORMAT", "json")
            .env("BAYLINE_SERVICE_PASSWORD", SERVICE_PASSWORD)
            .stderr(stderr),
    );
    let mut rest = run.stdout.take().unwrap();
    let ready = run.ready.clone().into_bytes();
    let stdout = std::thread::spawn(move || {
        let mut out = ready;
        let _ = std::io::Read::read_to_end(&mut rest, &mut out);
        out
    });
    (run, stdout)
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
    let (mut run, stdout) = up(
        &site_path,
        &db,
        std::fs::File::create(&stderr_path).unwrap(),
    );
    let broker: BrokerUrl = format!("mqtt://{}", run.must("mqtt")).parse().unwrap();
    let http = format!("http://{}", run.must("http"));
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
    run.sigterm();
    let stdout = stdout.join().unwrap();
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

    let secrets = secrets(&site);
    let leaks = leaks(&secrets, &places);
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
