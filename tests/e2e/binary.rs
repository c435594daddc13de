//! The real `bayline` binary as a child process: started, its ready line read, stopped with
//! SIGTERM as an operator would, killed when a test ends first.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, ChildStdout, Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_bayline");

/// `bayline up --db DB` with HTTP and the built-in broker on free ports of 127.0.0.1.
pub fn up_on_free_ports(db: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(["up", "--db", db]).args([
        "--http",
        "127.0.0.1:0",
        "--mqtt-listen",
        "127.0.0.1:0",
        "--mqtt-ws-listen",
        "127.0.0.1:0",
    ]);
    cmd
}

/// A `bayline` past its ready line. Killed when dropped, so a failing test leaves no process.
pub struct Running {
    pub child: Child,
    /// `bayline ready http=ADDR mqtt=ADDR [mqtts=ADDR]`, as printed.
    pub ready: String,
    /// Its stdout after the ready line, not read yet.
    pub stdout: Option<BufReader<ChildStdout>>,
}

impl Running {
    /// Starts `cmd` (a `bayline up …`) with stdout piped and waits for its ready line.
    pub fn start(cmd: &mut Command) -> Running {
        let mut child = cmd.stdout(Stdio::piped()).spawn().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut ready = String::new();
        let read = stdout.read_line(&mut ready);
        // Held before the checks, so a bayline that did not get ready is killed too.
        let run = Running {
            child,
            ready,
            stdout: Some(stdout),
        };
        read.unwrap();
        assert!(
            run.ready.starts_with("bayline ready "),
            "no ready line: {:?}",
            run.ready
        );
        run
    }

    /// The address after `field=` on the ready line: `http`, `mqtt` (an address only with the
    /// built-in broker) or `mqtts` (only with its TLS listener).
    pub fn addr(&self, field: &str) -> Option<SocketAddr> {
        self.ready
            .split_whitespace()
            .find_map(|f| f.strip_prefix(field)?.strip_prefix('=')?.parse().ok())
    }

    /// `addr(field)` for a field the ready line must have.
    pub fn must(&self, field: &str) -> SocketAddr {
        self.addr(field)
            .unwrap_or_else(|| panic!("the ready line names no {field}= address: {}", self.ready))
    }

    /// Stops it as an operator would (SIGTERM) and checks that it exited cleanly.
    pub fn sigterm(&mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let code = self.child.wait().unwrap();
        assert!(code.success(), "bayline exited with {code:?} after SIGTERM");
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
