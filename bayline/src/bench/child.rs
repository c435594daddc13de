//! The system under test: `bayline up` of this binary as a child process, on free ports, with
//! a service password the bench knows (for the echo through the same broker).

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Clock ticks per second of `/proc/{pid}/stat` (`USER_HZ`, 100 on every Linux we run on).
const TICKS_PER_SECOND: f64 = 100.0;

pub struct System {
    child: Child,
    pub http: SocketAddr,
    pub mqtt: SocketAddr,
}

impl System {
    pub async fn start(site: &Path, db: &str, service_password: &str) -> anyhow::Result<System> {
        let exe = std::env::current_exe().context("cannot find the bayline binary")?;
        let mut child = Command::new(exe)
            .args(["up", "--site-config"])
            .arg(site)
            .args([
                "--db",
                db,
                "--mqtt-listen",
                "127.0.0.1:0",
                "--http",
                "127.0.0.1:0",
            ])
            .args(["--client-id", "bench-gateway"])
            .env("BAYLINE_SERVICE_PASSWORD", service_password)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .context("cannot start bayline up")?;
        let stdout = child.stdout.take().context("no stdout of bayline up")?;
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await? {
                if let Some(rest) = line.strip_prefix("bayline ready ") {
                    return Ok::<_, anyhow::Error>(Some(rest.to_string()));
                }
            }
            Ok(None)
        })
        .await
        .context("bayline up did not get ready within 60 s")??;
        let Some(ready) = ready else {
            bail!("bayline up stopped before it was ready (see its errors above)");
        };
        let field = |name: &str| -> anyhow::Result<SocketAddr> {
            let value = (ready.split_whitespace())
                .find_map(|kv| kv.strip_prefix(name))
                .with_context(|| format!("no {name} in the ready line {ready:?}"))?;
            value
                .parse()
                .with_context(|| format!("bad address {value:?}"))
        };
        let (http, mqtt) = (field("http=")?, field("mqtt=")?);
        // Keep reading its stdout so it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(System { child, http, mqtt })
    }

    fn pid(&self) -> anyhow::Result<u32> {
        self.child.id().context("bayline up has exited")
    }

    /// User + system CPU time of the system so far.
    pub fn cpu_seconds(&self) -> anyhow::Result<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid()?))?;
        // Fields after the command name (which may hold spaces) start at the state, field 3.
        let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| -> f64 { fields.get(i).and_then(|f| f.parse().ok()).unwrap_or(0.0) };
        // utime and stime are fields 14 and 15, i.e. 11 and 12 after the state.
        Ok((ticks(11) + ticks(12)) / TICKS_PER_SECOND)
    }

    /// Peak resident memory of the system.
    pub fn peak_rss_bytes(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()?))?;
        let kib = (status.lines())
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .context("no VmHWM in /proc/…/status")?;
        Ok(kib * 1024)
    }

    /// SIGTERM (a clean stop, as an operator would), then wait.
    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .arg(pid.to_string())
                .status();
        }
        if tokio::time::timeout(Duration::from_secs(15), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}
