//! The external services some suites run against, started or created for the test: a real
//! Mosquitto (enabled by `BAYLINE_TEST_MOSQUITTO=1`) and a fresh PostgreSQL database (on the
//! server `BAYLINE_TEST_POSTGRES` names). Both are set by .ci/run; under `CI=true` a missing
//! one fails the suite instead of skipping it.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bayline_gateway::BrokerUrl;

use crate::helpers::*;

pub struct Mosquitto {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub const SERVICE_PASSWORD: &str = "svc-test-password";

/// Starts Mosquitto on a free port with bayline's password and ACL files for the demo site,
/// or `None` when the suite is not enabled.
pub fn mosquitto() -> Option<Mosquitto> {
    mosquitto_for(&[])
}

/// The same for the sites of these files.
pub fn mosquitto_for(site_configs: &[&std::path::Path]) -> Option<Mosquitto> {
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
        .args(
            site_configs
                .iter()
                .flat_map(|p| [std::ffi::OsStr::new("--site-config"), p.as_os_str()]),
        )
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

impl Mosquitto {
    /// The broker as bayline's service user sees it.
    pub fn service_url(&self) -> BrokerUrl {
        BrokerUrl::local(self.port, "bayline", SERVICE_PASSWORD)
    }
}

/// A fresh database name on the test server; the store creates the database on first open.
/// Dropped (WITH FORCE) with `psql` when this is dropped.
pub struct Database {
    server: String,
    name: String,
    pub url: String,
}

pub fn database() -> Option<Database> {
    let server = match std::env::var("BAYLINE_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but BAYLINE_TEST_POSTGRES is not set"
            );
            eprintln!(
                "skipped: set BAYLINE_TEST_POSTGRES=postgres://… to run the PostgreSQL suite"
            );
            return None;
        }
    };
    let name = format!("bayline_e2e_{}", rand_suffix().replace('-', "_"));
    let (base, query) = server.split_once('?').unwrap_or((&server, ""));
    let authority = base.find("://").map_or(0, |i| i + 3);
    let host = base[authority..]
        .find('/')
        .map_or(base, |i| &base[..authority + i]);
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    let url = format!("{host}/{name}{query}");
    Some(Database { server, name, url })
}

impl Drop for Database {
    fn drop(&mut self) {
        let dropped = Command::new("psql")
            .arg(&self.server)
            .args([
                "-qc",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            ])
            .stdout(Stdio::null())
            .status();
        if !dropped.as_ref().is_ok_and(|s| s.success()) {
            eprintln!("could not drop test database {}: {dropped:?}", self.name);
        }
    }
}
