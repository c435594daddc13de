//! The system under test, as child processes of this very binary on free ports, with a
//! service password the bench knows (for the echo through the same broker):
//! - one box: `bayline up` (its own broker, gateway and server);
//! - a fleet: a Mosquitto the bench starts, N `bayline gateway`s in one share group and a
//!   `bayline server`, on one PostgreSQL database.
//!
//! CPU and memory are those of the bayline processes (for a fleet, summed); Mosquitto's are
//! not counted, as a fleet's broker is a service of its own.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::SERVICE_USER;

/// Clock ticks per second of `/proc/{pid}/stat` (`USER_HZ`, 100 on every Linux we run on).
const TICKS_PER_SECOND: f64 = 100.0;
/// Debug builds on a loaded machine start slowly, and a first start on years of history
/// rebuilds its frozen days; every wait ends once its line is printed.
const READY_WITHIN: Duration = Duration::from_secs(900);

pub struct System {
    /// The bayline processes.
    processes: Vec<Child>,
    /// The fleet's broker, stopped after them.
    broker: Option<Child>,
    pub http: SocketAddr,
    pub mqtt: SocketAddr,
}

impl System {
    /// Its broker, dialled without credentials as the bench's handhelds do.
    pub fn broker(&self) -> bayline_gateway::BrokerUrl {
        bayline_gateway::BrokerUrl {
            host: self.mqtt.ip().to_string(),
            port: self.mqtt.port(),
            user: None,
            password: None,
            tls: None,
        }
    }

    /// `bayline up` on `db`.
    pub async fn one_box(site: &Path, db: &str, service_password: &str) -> anyhow::Result<System> {
        Self::one_box_of(&[site], db, service_password).await
    }

    /// `bayline up` of several sites on `db`.
    pub async fn one_box_of(
        sites: &[&Path],
        db: &str,
        service_password: &str,
    ) -> anyhow::Result<System> {
        let mut up = Command::new(exe()?);
        up.arg("up");
        for site in sites {
            up.arg("--site-config").arg(site);
        }
        up.args([
            "--db",
            db,
            "--mqtt-listen",
            "127.0.0.1:0",
            "--mqtt-ws-listen",
            "127.0.0.1:0",
            "--http",
            "127.0.0.1:0",
            "--client-id",
            "bench-gateway",
        ]);
        up.env("BAYLINE_SERVICE_PASSWORD", service_password);
        let (child, ready) = spawn(up, "bayline ready ").await?;
        Ok(System {
            processes: vec![child],
            broker: None,
            http: field(&ready, "http=")?,
            mqtt: field(&ready, "mqtt=")?,
        })
    }

    /// A fleet of `gateways` gateways and a server on `db` (PostgreSQL), and a Mosquitto
    /// with the site's rights whose files go in `dir`.
    pub async fn fleet(
        site: &Path,
        db: &str,
        service_password: &str,
        gateways: usize,
        dir: &Path,
    ) -> anyhow::Result<System> {
        let port = free_port()?;
        let conf = mosquitto_config(site, service_password, port, &dir.join("mosquitto")).await?;
        if is_root() {
            // Mosquitto started as root drops to its own user, which cannot read a private
            // temp dir.
            let text = std::fs::read_to_string(&conf)? + "user root\n";
            std::fs::write(&conf, text)?;
        }
        let broker =
            Command::new(std::env::var("MOSQUITTO").unwrap_or_else(|_| "mosquitto".into()))
                .arg("-c")
                .arg(&conf)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .context("cannot start mosquitto (Debian's package mosquitto; or set MOSQUITTO)")?;
        let mqtt = SocketAddr::from(([127, 0, 0, 1], port));
        let listening = async {
            while tokio::net::TcpStream::connect(mqtt).await.is_err() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        tokio::time::timeout(READY_WITHIN, listening)
            .await
            .with_context(|| format!("mosquitto did not listen on {mqtt}"))?;
        let url = format!("mqtt://{SERVICE_USER}:{service_password}@{mqtt}");

        let mut processes = Vec::new();
        let mut server = Command::new(exe()?);
        server.args(["server", "--site-config"]).arg(site).args([
            "--db",
            db,
            "--http",
            "127.0.0.1:0",
            "--client-id",
            "bench-server",
        ]);
        server.env("BAYLINE_BROKER", &url);
        let (child, ready) = spawn(server, "bayline server ready ").await?;
        processes.push(child);
        let http = field(&ready, "http=")?;
        for i in 0..gateways {
            let mut gateway = Command::new(exe()?);
            gateway.args(["gateway", "--site-config"]).arg(site).args([
                "--db",
                db,
                "--client-id",
                &format!("bench-gateway-{i}"),
            ]);
            gateway.env("BAYLINE_BROKER", &url);
            let (child, _) = spawn(gateway, "bayline gateway ready ").await?;
            processes.push(child);
        }
        Ok(System {
            processes,
            broker: Some(broker),
            http,
            mqtt,
        })
    }

    fn pids(&self) -> anyhow::Result<Vec<u32>> {
        (self.processes.iter())
            .map(|c| c.id().context("a bayline process has exited"))
            .collect()
    }

    /// User + system CPU time of the system so far.
    pub fn cpu_seconds(&self) -> anyhow::Result<f64> {
        let mut seconds = 0.0;
        for pid in self.pids()? {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
            // Fields after the command name (which may hold spaces) start at the state,
            // field 3; utime and stime are fields 14 and 15, i.e. 11 and 12 after it.
            let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let ticks =
                |i: usize| -> f64 { fields.get(i).and_then(|f| f.parse().ok()).unwrap_or(0.0) };
            seconds += (ticks(11) + ticks(12)) / TICKS_PER_SECOND;
        }
        Ok(seconds)
    }

    /// Peak resident memory of the system (for a fleet, the sum of each process's peak).
    pub fn peak_rss_bytes(&self) -> anyhow::Result<u64> {
        let mut bytes = 0;
        for pid in self.pids()? {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
            let kib = (status.lines())
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .context("no VmHWM in /proc/…/status")?;
            bytes += kib * 1024;
        }
        Ok(bytes)
    }

    /// SIGTERM to each (a clean stop, as an operator would), then wait; the broker last.
    pub async fn stop(self) {
        for mut child in self.processes {
            if let Some(pid) = child.id() {
                let _ = std::process::Command::new("kill")
                    .arg(pid.to_string())
                    .status();
            }
            if tokio::time::timeout(Duration::from_secs(15), child.wait())
                .await
                .is_err()
            {
                let _ = child.kill().await;
            }
        }
        if let Some(mut broker) = self.broker {
            let _ = broker.kill().await;
        }
    }
}

/// Mosquitto's files for the bench's site, written by `bayline mosquitto-config` as an
/// operator would: the rights the fleet runs under are the product's own, not a copy.
/// Returns the path of the config file.
async fn mosquitto_config(
    site: &Path,
    service_password: &str,
    port: u16,
    out: &Path,
) -> anyhow::Result<std::path::PathBuf> {
    let status = Command::new(exe()?)
        .args(["mosquitto-config", "--site-config"])
        .arg(site)
        .arg("--out")
        .arg(out)
        .args(["--service-user", SERVICE_USER, "--port", &port.to_string()])
        .env("BAYLINE_SERVICE_PASSWORD", service_password)
        .stdout(Stdio::null())
        .status()
        .await
        .context("cannot run bayline mosquitto-config")?;
    if !status.success() {
        bail!("bayline mosquitto-config failed: {status}");
    }
    Ok(out.join("bayline.conf"))
}

fn exe() -> anyhow::Result<std::path::PathBuf> {
    std::env::current_exe().context("cannot find the bayline binary")
}

/// Starts `command` and waits for its stdout line starting with `ready`; returns the rest
/// of that line. Its stdout is read on afterwards, so it never blocks on a full pipe.
async fn spawn(mut command: Command, ready: &str) -> anyhow::Result<(Child, String)> {
    let mut child = command
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .context("cannot start bayline")?;
    let stdout = child.stdout.take().context("no stdout of bayline")?;
    let mut lines = BufReader::new(stdout).lines();
    let found = tokio::time::timeout(READY_WITHIN, async {
        while let Some(line) = lines.next_line().await? {
            if let Some(rest) = line.strip_prefix(ready) {
                return Ok::<_, anyhow::Error>(Some(rest.to_string()));
            }
        }
        Ok(None)
    })
    .await
    .with_context(|| format!("no {ready:?} line within {} s", READY_WITHIN.as_secs()))??;
    let Some(rest) = found else {
        bail!("bayline stopped before it printed {ready:?} (see its errors above)");
    };
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, rest))
}

/// The address after `name` in a ready line.
fn field(ready: &str, name: &str) -> anyhow::Result<SocketAddr> {
    let value = (ready.split_whitespace())
        .find_map(|kv| kv.strip_prefix(name))
        .with_context(|| format!("no {name} in the ready line {ready:?}"))?;
    value
        .parse()
        .with_context(|| format!("bad address {value:?}"))
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|u| u.split_whitespace().next())
            == Some("0")
    })
}
