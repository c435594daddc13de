//! History import (contract §7.4): a clocking history from an earlier system, as NDJSON (one
//! §3.1 scan a line plus `"scanner"`), taken in through the very write path live scans take.
//!
//! Each line becomes the [`Incoming`] a handheld's publish would have become (the payload
//! without `"scanner"`, so a scan imported after it came over MQTT is a repeat, not a
//! conflict), and the lines go to [`Ledger::submit`] in chunks of [`CHUNK`]: judged together
//! by the domain's batch admission as late arrivals in their place of the timeline, stored in
//! one transaction of multi-row inserts, then shown. So an imported scan is stored with the
//! same row, code and reply as the same scan over MQTT, and restart and every figure agree.
//!
//! The one rule that differs: any age is accepted. The decoder judges `bad_time` against the
//! time a scan arrived; an old line is decoded as if it arrived when it was made, so only a
//! `ts` in the future is refused. `received_at` stays the time of the import.
//!
//! A line that is not a JSON object or names no valid scanner cannot be stored (the scans
//! table keys every row by its scanner): it is counted rejected and named by line number, and
//! the other lines still count. The write lock is taken per chunk, so live scans are answered
//! between chunks of a long import.

use bayline_domain::decode::{decode, kept, MAX_AGE};
use bayline_domain::Time;
use bayline_proto::Id;
use bayline_store::StoreError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;

use crate::{Incoming, Ledger, FREEZE_AFTER};
use std::sync::Arc;

/// Lines judged and committed together. Judging a chunk admits it and takes it back again
/// before the commit; the domain's journal holds the batch being judged for that, however
/// large, but a chunk's every late scan is a walk over the chunk's later ones (10 000
/// measured 19k scans/s on a month of history, 4 000 several times that).
pub const CHUNK: usize = 4_000;

/// How far an import lets the days behind it stay live before it freezes them: a week of
/// the sample site's scans is about 50,000 events in memory.
const FREEZE_BEHIND: jiff::SignedDuration = jiff::SignedDuration::from_hours(24 * 7);

/// How many rejected lines an answer names; the rest are only counted.
pub const MAX_LINE_ERRORS: usize = 100;

/// A progress line in the log every this many lines.
const PROGRESS_EVERY: u64 = 100_000;

/// What an import did: `accepted + rejected + repeats` is the number of non-empty lines;
/// `anomalies` are the accepted scans listed as anomalies (§4).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportSummary {
    pub accepted: u64,
    pub rejected: u64,
    pub repeats: u64,
    /// Accepted scans listed as anomalies (§4); also counted in `accepted`.
    pub anomalies: u64,
    /// The first [`MAX_LINE_ERRORS`] (100) rejected lines, in line order.
    #[serde(default)]
    pub errors: Vec<LineError>,
    /// How many rejected lines there were in all (`errors` may name fewer).
    #[serde(default)]
    pub errors_total: u64,
}

/// One rejected line: its number (from 1, counting every line of the body), the reject code
/// (`bad_json`, `missing_field`, `bad_scanner` when it could not be stored, else the code its
/// scan was stored with) and what the handheld would show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineError {
    pub line: u64,
    pub code: String,
    pub message: String,
}

impl ImportSummary {
    /// Adds `other`, whose lines come after this one's (the CLI sums its chunks' answers).
    pub fn add(&mut self, other: ImportSummary) {
        self.accepted += other.accepted;
        self.rejected += other.rejected;
        self.repeats += other.repeats;
        self.anomalies += other.anomalies;
        self.errors_total += other.errors_total;
        let room = MAX_LINE_ERRORS.saturating_sub(self.errors.len());
        self.errors.extend(other.errors.into_iter().take(room));
    }

    /// Counts a rejected line. Lines that could not be read are named as they are read, the
    /// others when their chunk is judged, so `errors` is put in line order as it fills.
    fn reject(&mut self, line: u64, code: &str, message: String) {
        self.rejected += 1;
        self.errors_total += 1;
        self.errors.push(LineError {
            line,
            code: code.to_string(),
            message,
        });
        if self.errors.len() > 2 * MAX_LINE_ERRORS {
            self.keep_first_errors();
        }
    }

    fn keep_first_errors(&mut self) {
        self.errors.sort_by_key(|e| e.line);
        self.errors.truncate(MAX_LINE_ERRORS);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("site {0} is not served here")]
    UnknownSite(String),
    /// The chunks before the failing one are stored; importing again repeats them harmlessly.
    #[error("storing the import failed after {lines} lines")]
    Store {
        lines: u64,
        #[source]
        source: StoreError,
    },
    /// The caller went away; the chunks before are stored.
    #[error("the import was stopped after {lines} lines")]
    Stopped { lines: u64 },
}

/// Why a line could not become a scan at all.
type Unreadable = (&'static str, String);

impl Ledger {
    /// Imports the NDJSON `body` into `site` at `now`, stopping between chunks once `cancel`
    /// is cancelled (the caller went away). Empty lines are skipped, not counted.
    ///
    /// The lines are parsed on a blocking thread, a chunk or two ahead of the one being
    /// judged and stored: parsing is a fifth of the work, and the other core is free for it.
    pub async fn import<B>(
        &self,
        site: &Id,
        body: B,
        now: Time,
        cancel: &CancellationToken,
    ) -> Result<ImportSummary, ImportError>
    where
        B: AsRef<[u8]> + Send + 'static,
    {
        if self.site(site).is_none() {
            return Err(ImportError::UnknownSite(site.to_string()));
        }
        let started = std::time::Instant::now();
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Parsed>(2);
        let reader = tokio::task::spawn_blocking({
            let site = site.clone();
            move || parse(&site, body.as_ref(), now, &tx)
        });
        let mut summary = ImportSummary::default();
        let mut done = 0u64;
        let imported = async {
            while let Some(mut parsed) = rx.recv().await {
                for (line, code, message) in parsed.unreadable.drain(..) {
                    summary.reject(line, code, message);
                }
                let before = done / PROGRESS_EVERY;
                done += parsed.lines;
                self.import_chunk(
                    &mut parsed.scans,
                    &mut parsed.numbers,
                    &mut summary,
                    cancel,
                    done,
                    now,
                )
                .await?;
                if done / PROGRESS_EVERY > before {
                    progress(site, done, &summary, started);
                }
            }
            Ok::<(), ImportError>(())
        }
        .await;
        // An early end drops the receiver, so the reader stops at its next chunk.
        drop(rx);
        if let Err(e) = reader.await {
            tracing::error!(error = %e, "the import's reader failed");
        }
        imported?;
        summary.keep_first_errors();
        tracing::info!(
            %site, lines = done, accepted = summary.accepted, rejected = summary.rejected,
            repeats = summary.repeats, anomalies = summary.anomalies,
            scans_per_s = (done as f64 / started.elapsed().as_secs_f64().max(1e-9)) as u64,
            "import done"
        );
        Ok(summary)
    }

    /// Submits the chunk (the last of the `done` lines read) and counts its answers, leaving
    /// both vectors empty.
    async fn import_chunk(
        &self,
        chunk: &mut Vec<Incoming>,
        lines: &mut Vec<u64>,
        summary: &mut ImportSummary,
        cancel: &CancellationToken,
        done: u64,
        now: Time,
    ) -> Result<(), ImportError> {
        if chunk.is_empty() {
            return Ok(());
        }
        let stored = done - chunk.len() as u64;
        if cancel.is_cancelled() {
            return Err(ImportError::Stopped { lines: stored });
        }
        let failed = |source| ImportError::Store {
            lines: stored,
            source,
        };
        let oldest = chunk
            .iter()
            .filter_map(|s| s.decoded.result.as_ref().ok().map(|e| e.key.ts))
            .min();
        let live = self.site(&chunk[0].site).map(Arc::clone);
        if let (Some(live), Some(oldest)) = (&live, oldest) {
            let frozen_to = live.read(|w| w.frozen_to());
            if oldest < frozen_to {
                // Only a scan new to the store can change a frozen day: one whose (scanner,
                // seq) is stored is a repeat or a conflict, answered from its first scan.
                let new = (self.new_in_frozen_days(chunk, frozen_to).await).map_err(failed)?;
                if let Some(oldest_new) = new {
                    self.thaw_from(live, oldest_new, now)
                        .await
                        .map_err(failed)?;
                }
            }
        }
        let answers = (self.submit(std::mem::take(chunk), cancel).await).map_err(failed)?;
        // An import in time order keeps memory bounded by freezing behind itself: the days
        // before this chunk's oldest scan that are past the late-scan window, once there are
        // a week of them (each freeze folds the live events again, so not at every chunk).
        // A later chunk reaching back before them thaws them again.
        if let (Some(live), Some(oldest)) = (&live, oldest) {
            let limit = oldest.min(now - FREEZE_AFTER);
            let behind = limit.duration_since(live.read(|w| w.frozen_to()));
            if behind >= FREEZE_BEHIND {
                self.freeze_site(live, limit, now).await.map_err(failed)?;
            }
        }
        for (answer, line) in answers.into_iter().zip(lines.drain(..)) {
            let reply = &answer.reply;
            if !answer.stored {
                summary.repeats += 1;
            } else if reply.ok {
                summary.accepted += 1;
                summary.anomalies += u64::from(reply.warning.is_some());
            } else {
                let code = reply.code.map_or("rejected", |c| c.as_str());
                summary.reject(line, code, reply.msg.to_string());
            }
        }
        Ok(())
    }
}

impl Ledger {
    /// The oldest of `chunk`'s scans before `frozen_to` that the store does not hold yet.
    async fn new_in_frozen_days(
        &self,
        chunk: &[Incoming],
        frozen_to: Time,
    ) -> Result<Option<Time>, StoreError> {
        let old: Vec<((Id, u64), Time)> = (chunk.iter())
            .filter_map(|s| {
                let e = s.decoded.result.as_ref().ok()?;
                (e.key.ts < frozen_to).then(|| ((s.scanner.clone(), e.key.seq), e.key.ts))
            })
            .collect();
        let keys: Vec<(Id, u64)> = old.iter().map(|(key, _)| key.clone()).collect();
        let stored = self.store.stored_among(&chunk[0].site, &keys).await?;
        Ok((old.into_iter())
            .filter(|(key, _)| !stored.contains(key))
            .map(|(_, ts)| ts)
            .min())
    }
}

fn progress(site: &Id, lines: u64, s: &ImportSummary, started: std::time::Instant) {
    tracing::info!(
        %site, lines, accepted = s.accepted, rejected = s.rejected, repeats = s.repeats,
        scans_per_s = (lines as f64 / started.elapsed().as_secs_f64().max(1e-9)) as u64,
        "importing scans"
    );
}

/// A chunk of lines as parsed: the scans with their line numbers, the lines no scan could be
/// made of, and how many non-empty lines it covers.
#[derive(Default)]
struct Parsed {
    scans: Vec<Incoming>,
    numbers: Vec<u64>,
    unreadable: Vec<(u64, &'static str, String)>,
    lines: u64,
}

/// Parses `body` into chunks of [`CHUNK`] scans, sent to `tx` until it is closed.
fn parse(site: &Id, body: &[u8], now: Time, tx: &tokio::sync::mpsc::Sender<Parsed>) {
    let mut parsed = Parsed::default();
    for (at, line) in body.split(|b| *b == b'\n').enumerate() {
        let number = at as u64 + 1;
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        parsed.lines += 1;
        match incoming(site, line, now) {
            Ok(scan) => {
                parsed.scans.push(scan);
                parsed.numbers.push(number);
            }
            Err((code, message)) => parsed.unreadable.push((number, code, message)),
        }
        if parsed.scans.len() == CHUNK && tx.blocking_send(std::mem::take(&mut parsed)).is_err() {
            return;
        }
    }
    let _ = tx.blocking_send(parsed);
}

/// One line as the scan its scanner would have published at `now`, decoded.
fn incoming(site: &Id, line: &[u8], now: Time) -> Result<Incoming, Unreadable> {
    let mut map: Map<String, Value> = serde_json::from_slice(line)
        .map_err(|e| ("bad_json", format!("not a JSON object: {e}")))?;
    let scanner = match map.remove("scanner") {
        Some(Value::String(s)) => {
            Id::new(&s).map_err(|e| ("bad_scanner", format!("scanner {s:?}: {e}")))?
        }
        None | Some(Value::Null) => return Err(("missing_field", "scanner".into())),
        Some(_) => return Err(("bad_scanner", "scanner must be text".into())),
    };
    // Any age is accepted: an old scan is decoded as if it arrived when it was made.
    let arrived = match map
        .get("ts")
        .and_then(Value::as_str)
        .map(str::parse::<Time>)
    {
        Some(Ok(ts)) if now.checked_sub(MAX_AGE).is_ok_and(|oldest| ts < oldest) => ts,
        _ => now,
    };
    let payload = serde_json::to_vec(&Value::Object(map))
        .map_err(|e| ("bad_json", format!("cannot be written again: {e}")))?;
    let decoded = decode(&payload, &scanner, arrived);
    Ok(Incoming {
        site: site.clone(),
        scanner,
        received_at: now,
        raw: kept(&payload).to_vec(),
        size: payload.len(),
        decoded,
    })
}
