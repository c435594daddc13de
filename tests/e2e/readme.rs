//! The README's commands, run in the order it shows them, against the real binary: every
//! ```sh block is read from README.md itself, so a README change that breaks a command
//! breaks this test.
//!
//! What is rewritten, and only that: `cargo run --release --` and `target/release/bayline`
//! become the binary under test; each `up` gets a SQLite file in a temp dir and free ports,
//! and `127.0.0.1:8080` / the broker become that `up`'s addresses (`scan` and `simulate` get
//! `--broker`, `simulate` also `--http`); `--speed` of `simulate` is raised so the test is
//! short; `curl` gets `-f` so an HTTP error fails the line. `cargo test` is not run from
//! inside the tests. An `up` line starts a system in the background, as a second terminal
//! would; the block's other lines then run as one `sh -eu` script against it, or against the
//! first block's `up` (the README's "with `bayline up` running"). A block's own systems are
//! stopped with SIGTERM at its end and must exit cleanly.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use bayline_devtools::simulate::{demo, plan};
use bayline_site::SiteConfig;

use crate::binary::{up_on_free_ports, Running, BIN};

/// The README's first `up` comes up, the demo's first job card appears: the failure line.
const DEADLINE: Duration = Duration::from_secs(120);

/// A `bayline up` the README started, and where it listens.
struct System {
    run: Running,
    http: String,
    mqtt: String,
}

/// The ```sh blocks of a Markdown text, each as its logical lines (continuations joined).
fn sh_blocks(markdown: &str) -> Vec<Vec<String>> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<String>> = None;
    let mut pending = String::new();
    for line in markdown.lines() {
        match (&mut current, line.trim()) {
            (None, "```sh") => current = Some(Vec::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(lines), text) => {
                if let Some(head) = text.strip_suffix('\\') {
                    pending.push_str(head);
                    continue;
                }
                pending.push_str(text);
                if !pending.trim().is_empty() {
                    lines.push(std::mem::take(&mut pending));
                }
                pending.clear();
            }
            (None, _) => {}
        }
    }
    blocks
}

/// The line with the binary under test for `cargo run --release --` and the release path.
fn with_binary(line: &str) -> String {
    line.replace("cargo run --release --", BIN)
        .replace("target/release/bayline", BIN)
}

/// Starts the `up` of `line` (already `with_binary`) on free ports with a database in `dir`.
fn start_up(line: &str, dir: &Path, n: usize) -> System {
    let args: Vec<&str> = line
        .split('#')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip_while(|w| *w != "up")
        .collect();
    let mut cmd = up_on_free_ports(&format!("sqlite://{}/readme-{n}.db", dir.display()));
    // The README's own flags after `up` (`--demo`).
    cmd.args(args.iter().skip(1));
    let run = Running::start(&mut cmd);
    let (http, mqtt) = (run.must("http").to_string(), run.must("mqtt").to_string());
    System { run, http, mqtt }
}

/// The line aimed at `system`: its HTTP address, its broker, a fast simulation, curl failing
/// on an HTTP error.
fn aimed(line: &str, system: &System) -> String {
    let broker = format!("--broker mqtt://{}", system.mqtt);
    let mut line = with_binary(line).replace("127.0.0.1:8080", &system.http);
    for bin in [BIN, "$B"] {
        line = line.replace(&format!("{bin} scan "), &format!("{bin} scan {broker} "));
        line = line.replace(
            &format!("{bin} simulate "),
            &format!("{bin} simulate {broker} --http http://{} ", system.http),
        );
    }
    if line.contains(" simulate ") {
        line = line.replace("--speed 600", "--speed 100000");
    }
    line.replace("curl ", "curl -f ")
}

/// Waits until the demo of `system` has opened the job cards of the day it plays, so what
/// runs next meets a workshop already at work (a user types the next command seconds later).
async fn demo_begun(system: &System) {
    let site = SiteConfig::demo();
    let (day, _) = demo::day_at(&site.schedule(), jiff::Timestamp::now()).unwrap();
    let spec = plan::Spec {
        seed: 1,
        days: vec![day],
        duplicates: 0.0,
    };
    let first = plan::Plan::new(&site, &spec).unwrap().jobs[0].job.clone();
    let url = format!("http://{}/api/v1/sites/demo/jobs/{first}", system.http);
    let client = reqwest::Client::new();
    let start = Instant::now();
    loop {
        let res = client
            .get(&url)
            .bearer_auth("demo-advisor-token")
            .send()
            .await;
        if res.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        assert!(start.elapsed() < DEADLINE, "the demo opened no job card");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Whether `name` is a shell variable as the README sets them: `B`, `API`.
fn is_shell_var(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_')
}

/// Runs `script` with `sh -eu` in `dir`; returns stdout and stderr, asserting success.
fn run_script(script: &str, dir: &Path) -> (String, String) {
    let out = Command::new("sh")
        .args(["-euc", script])
        .current_dir(dir)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    );
    assert!(
        out.status.success(),
        "README lines failed ({}):\n{script}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    (stdout, stderr)
}

#[test]
fn the_readme_finds_its_sh_blocks_with_continuations_joined() {
    let md = "text\n```sh\na \\\n  b\n\nc\n```\n```toml\nx\n```\n```sh\nd\n```\n";
    assert_eq!(sh_blocks(md), vec![vec!["a b", "c"], vec!["d"]]);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_command_the_readme_shows_works_in_the_order_it_shows_them() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let blocks = sh_blocks(&readme);
    let dir = tempfile::tempdir().unwrap();
    let mut first: Option<System> = None;
    let mut shell_vars: Vec<String> = Vec::new();
    let (mut ups, mut lines_run, mut simulated) = (0, 0, false);
    for block in blocks {
        let mut own: Vec<System> = Vec::new();
        let mut script = Vec::new();
        for line in block {
            let line = with_binary(&line);
            if line.trim_start().starts_with("cargo test") {
                continue;
            }
            if line.trim_start().starts_with(&format!("{BIN} up")) {
                ups += 1;
                let system = start_up(&line, dir.path(), ups);
                if line.contains("--demo") {
                    demo_begun(&system).await;
                }
                match first {
                    None => first = Some(system),
                    Some(_) => own.push(system),
                }
                continue;
            }
            script.push(line);
        }
        if !script.is_empty() {
            let system = own
                .last()
                .or(first.as_ref())
                .expect("a line before any `up`");
            let script: Vec<String> = script.iter().map(|l| aimed(l, system)).collect();
            lines_run += script.len();
            // One terminal: variables a block sets (`B=…; API=…`) hold in the blocks after it.
            let script = (shell_vars.iter().chain(&script).cloned())
                .collect::<Vec<_>>()
                .join("\n");
            shell_vars.extend(
                (script.lines())
                    .filter(|l| l.split(['=', ' ']).next().is_some_and(is_shell_var))
                    .map(str::to_string),
            );
            let (stdout, stderr) = run_script(&script, dir.path());
            if script.contains(" simulate ") {
                simulated = true;
                // Beside `up --demo`: every scan accepted (exit 0 above), none a seq_conflict.
                assert!(
                    !stdout.contains("seq_conflict") && !stderr.contains("seq_conflict"),
                    "{stdout}\n{stderr}"
                );
            }
        }
        for mut system in own {
            system.run.sigterm();
        }
    }
    // The README as written today: two `up`s, a simulation, the five lines and the boards.
    assert!(ups >= 2 && simulated && lines_run >= 8, "{ups} {lines_run}");
    assert!(dir.path().join("lounge.png").exists());
    first.expect("the README starts bayline").run.sigterm();
}
