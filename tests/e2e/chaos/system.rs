//! The system under test as the operator runs it: `bayline up` of the real binary, a child
//! process on fixed ports so that a restarted one is found where the killed one was. Its log
//! goes to one file across restarts; its CPU time is read from `/proc`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_bayline");
/// A debug build reading a few thousand scans back on a loaded 2-core machine.
const READY_WITHIN: Duration = Duration::from_secs(120);
/// `USER_HZ`: clock ticks per second in `/proc/{pid}/stat` on every Linux we run on.
const TICKS_PER_SECOND: f64 = 100.0;

/// A port no one listens on now (bound and released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Bayline {
    /// `up`, or `server` of a fleet.
    command: &'static str,
    args: Vec<String>,
    log: PathBuf,
    child: Option<Child>,
    pub http: SocketAddr,
}

impl Bayline {
    /// `bayline up` with these arguments (after `up`), once it prints its ready line.
    pub async fn start(args: Vec<String>, log: &Path) -> Bayline {
        Bayline::start_as("up", args, log).await
    }

    /// `bayline server` (of a fleet) with these arguments, once it prints its ready line.
    pub async fn start_server(args: Vec<String>, log: &Path) -> Bayline {
        Bayline::start_as("server", args, log).await
    }

    async fn start_as(command: &'static str, args: Vec<String>, log: &Path) -> Bayline {
        let mut b = Bayline {
            command,
            args,
            log: log.to_path_buf(),
            child: None,
            http: "127.0.0.1:0".parse().unwrap(),
        };
        b.spawn().await;
        b
    }

    async fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let mut child = Command::new(BIN)
            .arg(self.command)
            .args(&self.args)
            .env(
                "RUST_LOG",
                std::env::var("CHAOS_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let prefix = match self.command {
            "up" => "bayline ready ".to_string(),
            other => format!("bayline {other} ready "),
        };
        let ready = tokio::time::timeout(READY_WITHIN, async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(rest) = line.strip_prefix(prefix.as_str()) {
                    return Some(rest.to_string());
                }
            }
            None
        })
        .await;
        let Ok(Some(ready)) = ready else {
            panic!(
                "bayline {} did not get ready; its log:\n{}",
                self.command,
                self.log_tail()
            );
        };
        // Keep its stdout drained so that it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let http = ready
            .split(' ')
            .find_map(|w| w.strip_prefix("http="))
            .unwrap();
        self.http = http.parse().unwrap();
        self.child = Some(child);
    }

    pub fn pid(&self) -> u32 {
        self.child
            .as_ref()
            .and_then(Child::id)
            .expect("bayline is not running")
    }

    /// SIGKILL: no chance to finish a batch, reply or ack.
    pub async fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().await.unwrap();
        }
    }

    /// Starts it again with the same arguments (same ports, same database); returns when it
    /// is ready, and when that was.
    pub async fn restart(&mut self) -> Instant {
        assert!(self.child.is_none(), "restart of a running bayline");
        self.spawn().await;
        Instant::now()
    }

    /// SIGTERM, as an operator stops it; it must exit cleanly.
    pub async fn stop(&mut self) {
        let Some(mut c) = self.child.take() else {
            return;
        };
        let pid = c.id().unwrap().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = tokio::time::timeout(Duration::from_secs(60), c.wait())
            .await
            .expect("bayline did not stop within 60 s of SIGTERM")
            .unwrap();
        assert!(
            status.success(),
            "bayline exited with {status}; its log:\n{}",
            self.log_tail()
        );
    }

    /// User + system CPU seconds of the running process so far.
    pub fn cpu_seconds(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap();
        // The command name may hold spaces; the fields after it start with the state.
        let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // utime and stime are fields 14 and 15 of the line: 11 and 12 after the state.
        let ticks = |i: usize| -> f64 { fields[i].parse().unwrap() };
        (ticks(11) + ticks(12)) / TICKS_PER_SECOND
    }

    /// The end of its log, for a failure message.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(60)..].join("\n")
    }
}
