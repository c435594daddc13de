//! A refused MQTT login leaves one line in the log that says who tried, from where and why
//! (the built-in broker's own two lines per refusal, which named nobody, are left out), and
//! never the secret that was tried.

use bayline_gateway::BrokerUrl;

use super::secrets::broker::refused;
use crate::binary::{up_on_free_ports, Running};

const TRIED: &str = "tried-Xq7-secret";

#[tokio::test]
async fn a_refused_mqtt_login_is_logged_once_with_who_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let stderr_path = dir.path().join("stderr.log");
    let db = format!("sqlite://{}/b.db", dir.path().display());
    let mut run = Running::start(
        up_on_free_ports(&db)
            .env("BAYLINE_LOG_FORMAT", "json")
            .env_remove("RUST_LOG")
            .stderr(std::fs::File::create(&stderr_path).unwrap()),
    );
    let broker: BrokerUrl = format!("mqtt://{}", run.must("mqtt")).parse().unwrap();
    let tries = [
        (Some(("HH-01", TRIED)), "HH-01", "wrong secret"),
        (Some(("HH-77", TRIED)), "HH-77", "unknown user"),
        (None, "", "no user name"),
    ];
    for (login, ..) in tries {
        assert!(refused(&broker, login).await, "{login:?} was let in");
    }
    run.sigterm();

    let log = std::fs::read_to_string(&stderr_path).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
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
