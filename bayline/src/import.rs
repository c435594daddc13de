//! `bayline import FILE`: an earlier system's clocking history (NDJSON, one §3.1 scan a line
//! plus `"scanner"`) sent to a running bayline's `POST …/scans/import` (contract §7.4).
//!
//! The file is streamed: read up to the server's 64 MiB a request, cut at a line end, sent,
//! and the next piece read only then, so a file of any size takes one request's memory. The
//! server numbers each request's lines from 1; the numbers printed are the file's. An import
//! stopped half way may simply be run again: what was stored comes back as repeats.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use bayline_ledger::{ImportSummary, LineError};
use indicatif::{ProgressBar, ProgressStyle};

/// The server's limit on one import request.
const MAX_REQUEST: usize = 64 * 1024 * 1024;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The history: NDJSON, one scan a line with its "scanner".
    pub file: PathBuf,
    #[arg(long, default_value = "demo")]
    pub site: String,
    /// The bayline server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub server: url::Url,
    /// An integration or manager token of the site.
    #[arg(long, env = "BAYLINE_TOKEN", hide_env_values = true)]
    pub token: String,
    /// Print the summed answer as JSON instead of a summary.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let file = std::fs::File::open(&args.file)
        .with_context(|| format!("cannot open {}", args.file.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let url = args
        .server
        .join(&format!("api/v1/sites/{}/scans/import", args.site))
        .context("the server URL")?;
    let client = reqwest::Client::new();
    let bar = ProgressBar::new(size).with_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut reader = BufReader::new(file);
    let mut total = ImportSummary::default();
    // Lines of the file before the request being filled.
    let mut lines_before = 0u64;
    let mut request = Vec::with_capacity(MAX_REQUEST.min(size as usize + 1));
    let mut request_lines = 0u64;
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .with_context(|| format!("reading {}", args.file.display()))?;
        if read > 0 && !line.ends_with(b"\n") {
            line.push(b'\n');
        }
        if request.len() + line.len() > MAX_REQUEST || (read == 0 && !request.is_empty()) {
            let answer = send(&client, &url, &args.token, std::mem::take(&mut request))
                .await
                .with_context(|| {
                    format!("importing the lines after line {lines_before}; the lines before are stored, importing again repeats them harmlessly")
                })?;
            total.add(renumbered(answer, lines_before));
            bar.inc(0);
            bar.set_message(format!(
                "{} accepted, {} rejected, {} repeats",
                total.accepted, total.rejected, total.repeats
            ));
            lines_before += request_lines;
            request_lines = 0;
        }
        if read == 0 {
            break;
        }
        bar.inc(read as u64);
        if line.len() > MAX_REQUEST {
            // Not even alone does it fit a request: named here, as the server would.
            lines_before += 1;
            let mut alone = ImportSummary {
                rejected: 1,
                errors_total: 1,
                ..ImportSummary::default()
            };
            alone.errors.push(LineError {
                line: lines_before,
                code: "too_large".into(),
                message: format!("{} bytes, over a request's {MAX_REQUEST}", line.len()),
            });
            total.add(alone);
            continue;
        }
        request.extend_from_slice(&line);
        request_lines += 1;
    }
    bar.finish_and_clear();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&total)?);
    } else {
        print_summary(&total);
    }
    Ok(ExitCode::SUCCESS)
}

async fn send(
    client: &reqwest::Client,
    url: &url::Url,
    token: &str,
    body: Vec<u8>,
) -> anyhow::Result<ImportSummary> {
    let res = client
        .post(url.clone())
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, "application/x-ndjson")
        .body(body)
        .send()
        .await
        .with_context(|| format!("cannot reach {url}"))?;
    let status = res.status();
    let text = res.text().await.context("reading the answer")?;
    if !status.is_success() {
        let message = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
            .unwrap_or(text);
        bail!("the server answered {status}: {message}");
    }
    serde_json::from_str(&text).with_context(|| format!("the server's answer {text:?}"))
}

/// A request's answer with its line numbers made the file's.
fn renumbered(mut answer: ImportSummary, lines_before: u64) -> ImportSummary {
    for e in &mut answer.errors {
        e.line += lines_before;
    }
    answer
}

fn print_summary(s: &ImportSummary) {
    println!(
        "accepted {}, rejected {}, repeats {}, anomalies {}",
        s.accepted, s.rejected, s.repeats, s.anomalies
    );
    for e in &s.errors {
        println!("line {}: {} {}", e.line, e.code, e.message);
    }
    let unnamed = s.errors_total.saturating_sub(s.errors.len() as u64);
    if unnamed > 0 {
        println!("… and {unnamed} more rejected lines");
    }
}
