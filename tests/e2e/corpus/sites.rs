//! `tests/corpus/sites/`: every file given to the real `bayline up --site-config`; each starts
//! with a line `# expect: LINE: MESSAGE` (what `bayline up` must print as `FILE:LINE: MESSAGE`
//! before it exits without starting) or `# expect: ready` (it must start).

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::helpers::DEADLINE;

const BIN: &str = env!("CARGO_BIN_EXE_bayline");

#[test]
fn every_bad_site_file_is_refused_with_its_file_line_and_message() {
    let dir = super::root().join("tests/corpus/sites");
    let names = super::files(&dir, &[]);
    assert!(names.iter().any(|n| expectation(&dir.join(n)) == "ready"));
    let mut wrong = vec![];
    for name in &names {
        let path = dir.join(name);
        let expect = expectation(&path);
        let outcome = up(&path);
        let ok = match (expect.as_str(), &outcome) {
            ("ready", Outcome::Ready) => true,
            (_, Outcome::Exited { code, stderr }) if expect != "ready" && *code != Some(0) => {
                let last = stderr.lines().last().unwrap_or("");
                let (line, message) = expect.split_once(": ").unwrap_or(("?", &expect));
                let at = match line {
                    "0" => format!("{}: {message}", path.display()),
                    _ => format!("{}:{line}: {message}", path.display()),
                };
                last.contains(&at) && !stderr.contains("panicked")
            }
            _ => false,
        };
        if !ok {
            wrong.push(format!("{name}: expected {expect:?}, got {outcome:?}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} corpus site files:\n{}",
        wrong.len(),
        names.len(),
        wrong.join("\n")
    );
}

/// The file's `# expect: …` line.
fn expectation(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    text.lines()
        .find_map(|l| l.strip_prefix("# expect: "))
        .unwrap_or_else(|| panic!("{} has no `# expect: ` line", path.display()))
        .trim_end()
        .to_string()
}

#[derive(Debug)]
enum Outcome {
    Ready,
    Exited { code: Option<i32>, stderr: String },
}

/// Runs `bayline up` with the site file on free ports and a fresh database until it either
/// prints its ready line (then stops it) or exits.
fn up(site: &Path) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/b.db", dir.path().display());
    let mut child = Command::new(BIN)
        .args(["up", "--db", &db, "--http", "127.0.0.1:0"])
        .args([
            "--mqtt-listen",
            "127.0.0.1:0",
            "--mqtt-ws-listen",
            "127.0.0.1:0",
            "--site-config",
        ])
        .arg(site)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let start = Instant::now();
    loop {
        if let Ok(line) = rx.try_recv() {
            if line.starts_with("bayline ready ") {
                let _ = child.kill();
                let _ = child.wait();
                return Outcome::Ready;
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
            return Outcome::Exited {
                code: status.code(),
                stderr,
            };
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{}: bayline neither started nor exited", site.display());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
