//! The real binary: the README's commands, a port already taken, and SIGTERM mid-stream.

use std::process::Command;

use serde_json::json;

use crate::binary::{up_on_free_ports, Running, BIN};
use crate::helpers::*;

/// Starts `bayline up` on free ports and waits for its ready line.
fn up(db: &str) -> Running {
    Running::start(up_on_free_ports(db).stderr(std::process::Stdio::null()))
}

/// The built-in broker of `run`, without credentials.
fn broker(run: &Running) -> bayline_gateway::BrokerUrl {
    let addr = run.must("mqtt");
    bayline_gateway::BrokerUrl {
        host: addr.ip().to_string(),
        port: addr.port(),
        user: None,
        password: None,
        tls: None,
    }
}

#[test]
fn a_port_in_use_is_one_line_naming_the_port_and_the_flag() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/b.db", dir.path().display());
    for (flag, words) in [
        ("--mqtt-listen", "MQTT port"),
        ("--mqtt-ws-listen", "MQTT WebSocket port"),
        ("--http", "HTTP port"),
    ] {
        let mut args = vec![
            "up",
            "--db",
            &db,
            "--http",
            "127.0.0.1:0",
            "--mqtt-listen",
            "127.0.0.1:0",
            "--mqtt-ws-listen",
            "127.0.0.1:0",
        ];
        let addr = format!("127.0.0.1:{port}");
        let i = args.iter().position(|a| *a == flag).unwrap();
        args[i + 1] = &addr;
        let out = Command::new(BIN).args(&args).output().unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err.lines().last().unwrap_or("");
        assert!(
            last.contains(&format!("{words} {port} is already in use")) && last.contains(flag),
            "{err}"
        );
        assert!(
            !err.contains("panicked") && !err.contains("backtrace"),
            "{err}"
        );
    }
}

#[test]
fn a_bad_site_config_names_file_and_line_and_does_not_start() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site.toml");
    std::fs::write(
        &site,
        "[site]\nid = \"s\"\nname = \"S\"\ntime_zone = \"Nowhere/City\"\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args([
            "up",
            "--http",
            "127.0.0.1:0",
            "--mqtt-listen",
            "127.0.0.1:0",
            "--mqtt-ws-listen",
            "127.0.0.1:0",
            "--site-config",
        ])
        .arg(&site)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:4: time_zone \"Nowhere/City\"", site.display())),
        "{err}"
    );
}

#[tokio::test]
async fn sigterm_mid_stream_loses_no_acknowledged_scan() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/b.db", dir.path().display());
    let mut run = up(&db);
    let http = format!("http://{}", run.must("http"));
    let client = reqwest::Client::new();
    let card = json!({"plate": "粤B12345", "ops": [{"op": "10", "std_hours": 1.0}]});
    let res = client
        .put(format!("{http}/api/v1/sites/{SITE}/jobs/RO-1"))
        .bearer_auth(ADVISOR)
        .json(&card)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);

    // A stream of shift scans; SIGTERM lands in the middle of it.
    let mut hh = Handheld::connect(&broker(&run), "HH-01", "demo-hh01").await;
    let total = 400u64;
    let at = ts(-60);
    for seq in 1..=total {
        let action = if seq % 2 == 1 {
            "shift_start"
        } else {
            "shift_end"
        };
        let body = json!({"v": 1, "seq": seq, "ts": at, "badge": "T01", "action": action});
        hh.publish_raw("HH-01", body.to_string().into_bytes()).await;
    }
    let mut acked = vec![];
    while acked.len() < 50 {
        acked.push(hh.reply().await.seq.unwrap());
    }
    run.sigterm();
    while let Some(r) = hh.pending_reply() {
        acked.push(r.seq.unwrap());
    }
    drop(hh);

    let run2 = up(&db);
    let store = bayline_store::Store::open(&db).await.unwrap();
    for seq in &acked {
        assert_eq!(
            store
                .count_scans(&SITE.parse().unwrap(), "HH-01", *seq)
                .await
                .unwrap(),
            1,
            "acknowledged seq {seq}"
        );
    }
    // Resend everything, as a handheld's outbox would: each seq ends up stored exactly once.
    let mut hh = Handheld::connect(&broker(&run2), "HH-01", "demo-hh01").await;
    for seq in 1..=total {
        let action = if seq % 2 == 1 {
            "shift_start"
        } else {
            "shift_end"
        };
        let r = hh
            .send(json!({"v": 1, "seq": seq, "ts": at, "badge": "T01", "action": action}))
            .await;
        assert!(r.ok && r.warning.is_none(), "seq {seq}: {r:?}");
    }
    for seq in 1..=total {
        assert_eq!(
            store
                .count_scans(&SITE.parse().unwrap(), "HH-01", seq)
                .await
                .unwrap(),
            1,
            "seq {seq}"
        );
    }
    let res = client
        .get(format!(
            "http://{}/api/v1/sites/{SITE}/anomalies",
            run2.must("http")
        ))
        .bearer_auth(MANAGER)
        .send()
        .await
        .unwrap();
    let anomalies: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        anomalies,
        json!([]),
        "the state after restart is what the scans make it"
    );
    store.close().await;
}

#[tokio::test]
async fn bayline_scan_prints_the_reply() {
    let dir = tempfile::tempdir().unwrap();
    let run = up(&format!("sqlite://{}/b.db", dir.path().display()));
    let out = tokio::process::Command::new(BIN)
        .args([
            "scan",
            "--broker",
            &format!("mqtt://{}", run.must("mqtt")),
            "--scanner",
            "HH-01",
            "--secret",
            "demo-hh01",
            "--badge",
            "T07",
            "--action",
            "shift_start",
        ])
        .output()
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reply: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(reply["ok"], true);
    assert_eq!(reply["msg"], "T07 上班打卡");
}
