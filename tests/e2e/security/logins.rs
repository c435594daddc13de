//! A refused MQTT login leaves one line in the log that says who tried, from where and why
//! (the built-in broker's own two lines per refusal, which named nobody, are left out), and
//! never the secret that was tried; and after ten wrong secrets in a minute, that user is held
//! off from that address, even with the right one, while others still get in.

use std::path::Path;

use bayline_gateway::BrokerUrl;
use bayline_site::SiteConfig;

use super::secrets::broker::refused;
use crate::binary::{up_on_free_ports, Running};

const TRIED: &str = "tried-Xq7-secret";

/// `bayline up` with the demo site, logging JSON at the default levels to a file in `dir`.
fn up(dir: &Path) -> (Running, BrokerUrl) {
    let db = format!("sqlite://{}/b.db", dir.display());
    let run = Running::start(
        up_on_free_ports(&db)
            .env("BAYLINE_LOG_FORMAT", "json")
            .env_remove("RUST_LOG")
            .stderr(std::fs::File::create(dir.join("stderr.log")).unwrap()),
    );
    let broker = format!("mqtt://{}", run.must("mqtt")).parse().unwrap();
    (run, broker)
}

/// The log's lines, once bayline has stopped.
fn log_of(dir: &Path) -> (String, Vec<serde_json::Value>) {
    let log = std::fs::read_to_string(dir.join("stderr.log")).unwrap();
    let lines = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (log, lines)
}

#[tokio::test]
async fn a_refused_mqtt_login_is_logged_once_with_who_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let (mut run, broker) = up(dir.path());
    let tries = [
        (Some(("HH-01", TRIED)), "HH-01", "wrong secret"),
        (Some(("HH-77", TRIED)), "HH-77", "unknown user"),
        (None, "", "no user name"),
    ];
    for (login, ..) in tries {
        assert!(refused(&broker, login).await, "{login:?} was let in");
    }
    run.sigterm();

    let (log, lines) = log_of(dir.path());
    let refusals: Vec<_> = lines
        .iter()
        .filter(|l| l["fields"]["message"] == "MQTT login refused")
        .collect();
    assert_eq!(refusals.len(), tries.len(), "{log}");
    for (line, (_, user, why)) in refusals.iter().zip(tries) {
        assert_eq!(line["level"], "WARN", "{line}");
        assert_eq!(line["fields"]["why"], why, "{line}");
        // Debug-quoted, so that a name with a line break cannot forge a log line.
        assert_eq!(line["fields"]["user"], format!("{user:?}"), "{line}");
        let addr = line["fields"]["addr"].as_str().unwrap_or_default();
        assert!(addr.starts_with("127.0.0.1:"), "{line}");
    }
    assert!(
        !log.contains("Authentication failed"),
        "the broker's own refusal lines are still there:\n{log}"
    );
    assert!(
        !log.contains(TRIED),
        "the tried secret is in the log:\n{log}"
    );
}

#[tokio::test]
async fn ten_wrong_secrets_hold_off_that_user_from_that_address() {
    let dir = tempfile::tempdir().unwrap();
    let (mut run, broker) = up(dir.path());
    let site = SiteConfig::demo();
    let secret = |id: &str| site.scanner(id).unwrap().secret.clone();
    for _ in 0..10 {
        assert!(refused(&broker, Some(("HH-02", TRIED))).await);
    }
    let right = secret("HH-02");
    assert!(
        refused(&broker, Some(("HH-02", &right))).await,
        "HH-02 got in with its secret right after ten wrong ones"
    );
    // Another handheld from the same address is not held off.
    let other = secret("HH-01");
    assert!(
        !refused(&broker, Some(("HH-01", &other))).await,
        "HH-01 was held off for HH-02's wrong secrets"
    );
    run.sigterm();

    let (log, lines) = log_of(dir.path());
    let said = |message: &str| {
        (lines.iter())
            .filter(|l| l["fields"]["message"] == message)
            .count()
    };
    assert_eq!(said("MQTT login refused"), 10, "{log}");
    assert_eq!(
        said("MQTT logins held off: too many wrong secrets"),
        1,
        "{log}"
    );
}
