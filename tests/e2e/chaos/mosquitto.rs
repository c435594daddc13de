//! A real Mosquitto that the suite restarts on the same port, with the files
//! `bayline mosquitto-config` writes and persistence on: a stopped broker saves its sessions
//! (the gateway's subscription and the scans queued for it) and a started one reads them
//! back. Enabled like the other Mosquitto suites (see `services`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::DEADLINE;
use crate::services::SERVICE_PASSWORD;

pub struct Mosquitto {
    child: Option<Child>,
    pub port: u16,
    conf: PathBuf,
    _dir: tempfile::TempDir,
}

/// Mosquitto for the sites of `site_configs`, or `None` when the suite is not enabled.
pub async fn start(site_configs: &[&Path]) -> Option<Mosquitto> {
    if std::env::var_os("BAYLINE_TEST_MOSQUITTO").is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but BAYLINE_TEST_MOSQUITTO is not set"
        );
        eprintln!("skipped: set BAYLINE_TEST_MOSQUITTO=1 to run the Mosquitto chaos suite");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = super::system::free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bayline"));
    cmd.args(["mosquitto-config", "--out"]).arg(dir.path());
    for site in site_configs {
        cmd.arg("--site-config").arg(site);
    }
    let status = cmd
        .args(["--service-user", "bayline", "--service-password"])
        .arg(SERVICE_PASSWORD)
        .args(["--port", &port.to_string()])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let conf = dir.path().join("bayline.conf");
    let mut text = std::fs::read_to_string(&conf).unwrap();
    text += &format!(
        "persistence true\npersistence_location {}/\n",
        dir.path().display()
    );
    // Started as root, Mosquitto drops to its own user, which cannot read a private temp dir.
    let uid = Command::new("id").arg("-u").output().unwrap().stdout;
    if String::from_utf8_lossy(&uid).trim() == "0" {
        text += "user root\n";
    }
    std::fs::write(&conf, text).unwrap();
    let mut m = Mosquitto {
        child: None,
        port,
        conf,
        _dir: dir,
    };
    m.spawn().await;
    Some(m)
}

impl Mosquitto {
    async fn spawn(&mut self) {
        let child = Command::new(std::env::var("MOSQUITTO").unwrap_or_else(|_| "mosquitto".into()))
            .arg("-c")
            .arg(&self.conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start mosquitto (install Debian's mosquitto)");
        self.child = Some(child);
        let deadline = Instant::now() + DEADLINE;
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .is_err()
        {
            assert!(
                Instant::now() < deadline,
                "mosquitto did not listen on {}",
                self.port
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops it — SIGTERM, so that it saves its sessions, or SIGKILL, so that what came since
    /// its last save is gone — keeps it down for `down`, and starts it again on the same port.
    pub async fn restart(&mut self, graceful: bool, down: Duration) {
        let mut child = self.child.take().expect("mosquitto is not running");
        let signal = if graceful { "-TERM" } else { "-KILL" };
        Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        child.wait().unwrap();
        tokio::time::sleep(down).await;
        self.spawn().await;
    }

    /// The URL bayline's gateway connects with.
    pub fn service_url(&self) -> String {
        format!("mqtt://bayline:{SERVICE_PASSWORD}@127.0.0.1:{}", self.port)
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
