//! The scan contract again, through a real Mosquitto started by the test with the files
//! `bayline mosquitto-config` writes. Enabled by `BAYLINE_TEST_MOSQUITTO=1` (set by .ci/run);
//! under `CI=true` a missing Mosquitto fails the suite instead of skipping it.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bayline_gateway::BrokerUrl;

use crate::helpers::*;
use crate::scans;

struct Mosquitto {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const SERVICE_PASSWORD: &str = "svc-test-password";

/// Starts Mosquitto on a free port with bayline's password and ACL files, or `None` when the
/// suite is not enabled.
fn mosquitto() -> Option<Mosquitto> {
    if std::env::var_os("BAYLINE_TEST_MOSQUITTO").is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but BAYLINE_TEST_MOSQUITTO is not set"
        );
        eprintln!("skipped: set BAYLINE_TEST_MOSQUITTO=1 to run the Mosquitto suite");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let status = Command::new(env!("CARGO_BIN_EXE_bayline"))
        .args(["mosquitto-config", "--out"])
        .arg(dir.path())
        .args([
            "--service-user",
            "bayline",
            "--service-password",
            SERVICE_PASSWORD,
            "--port",
            &port.to_string(),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    // Mosquitto started as root drops to its own user, which cannot read a private temp dir.
    let uid = Command::new("id").arg("-u").output().unwrap().stdout;
    if String::from_utf8_lossy(&uid).trim() == "0" {
        let conf = dir.path().join("bayline.conf");
        let text = std::fs::read_to_string(&conf).unwrap() + "user root\n";
        std::fs::write(&conf, text).unwrap();
    }
    let child = Command::new(std::env::var("MOSQUITTO").unwrap_or_else(|_| "mosquitto".into()))
        .arg("-c")
        .arg(dir.path().join("bayline.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cannot start mosquitto (install Debian's mosquitto)");
    let deadline = std::time::Instant::now() + DEADLINE;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "mosquitto did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(Mosquitto {
        child,
        port,
        _dir: dir,
    })
}

async fn app_on(m: &Mosquitto) -> TestApp {
    spawn_app_with(Some(BrokerUrl::local(m.port, "bayline", SERVICE_PASSWORD))).await
}

#[tokio::test]
async fn the_contract_suite_passes_through_mosquitto() {
    let Some(m) = mosquitto() else { return };
    // One app at a time: a gateway still subscribed would answer scans too.
    let mut app = app_on(&m).await;
    scans::every_action_walks_a_job_through_every_stage(&app).await;
    app.stop().await;
    let mut app = app_on(&m).await;
    scans::every_reject_code_is_answered_and_stored(&app).await;
    app.stop().await;
    let mut app = app_on(&m).await;
    scans::a_repeat_gets_the_same_reply_and_changes_nothing(&app).await;
    app.stop().await;
    let mut app = app_on(&m).await;
    scans::nonsense_is_kept_with_a_warning_and_listed(&app).await;
    app.stop().await;
    let mut app = app_on(&m).await;
    scans::wrong_credentials_and_foreign_topics_get_nothing(&app).await;
    app.stop().await;
}
