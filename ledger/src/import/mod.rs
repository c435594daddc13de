//! History import (contract §7.4): a clocking history from an earlier system, as NDJSON (one
//! §3.1 scan a line plus `"scanner"`), judged and stored as live scans are.
//!
//! Each line becomes the [`Incoming`] a handheld's publish would have become (the payload
//! without `"scanner"`, so a scan imported after it came over MQTT is a repeat, not a
//! conflict), and the lines go in by chunks of [`CHUNK`]: judged together by the domain's
//! batch admission as late arrivals in their place of the timeline (the judge of
//! [`Ledger::submit`]), stored in one transaction of multi-row inserts. So an imported scan
//! is stored with the same row, code and reply as the same scan over MQTT, and restart and
//! every figure agree. How the chunks keep readers off what is not stored yet while the next
//! one is judged is in `kept.rs`; a site whose webhooks hear of stage changes takes each
//! chunk through [`Ledger::submit`] itself.
//!
//! The one rule that differs: any age is accepted. The decoder judges `bad_time` against the
//! time a scan arrived; an old line is decoded as if it arrived when it was made, so only a
//! `ts` in the future is refused. `received_at` stays the time of the import.
//!
//! A line that is not a JSON object or names no valid scanner cannot be stored (the scans
//! table keys every row by its scanner): it is counted rejected and named by line number, and
//! the other lines still count. The write lock is let go between stretches of chunks, so
//! live scans are answered during a long import. [`Ledger::import`] is meant to run to its
//! end: it is stopped through its cancel token, not by dropping it mid-commit.

use std::sync::Arc;

use bayline_domain::Time;
use bayline_proto::Id;
use bayline_store::StoreError;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::{Answer, Incoming, Ledger, SiteLive, FREEZE_AFTER};
use lines::Parsed;

mod kept;
mod lines;

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
        let Some(live) = self.site(site).map(Arc::clone) else {
            return Err(ImportError::UnknownSite(site.to_string()));
        };
        let started = std::time::Instant::now();
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Parsed>(2);
        let reader = tokio::task::spawn_blocking({
            let site = site.clone();
            move || lines::parse(&site, body.as_ref(), now, &tx)
        });
        let mut summary = ImportSummary::default();
        let mut done = 0u64;
        let mut stretch = None;
        let imported = async {
            while let Some(mut parsed) = rx.recv().await {
                for (line, code, message) in parsed.unreadable.drain(..) {
                    summary.reject(line, code, message);
                }
                let before = done / PROGRESS_EVERY;
                done += parsed.lines;
                let chunk = Chunk {
                    scans: std::mem::take(&mut parsed.scans),
                    lines: std::mem::take(&mut parsed.numbers),
                    done,
                };
                if !chunk.scans.is_empty() {
                    if live.config.webhooks.is_empty() {
                        self.import_kept(&live, &mut stretch, chunk, &mut summary, cancel, now)
                            .await?;
                    } else {
                        self.import_chunk(&live, chunk, &mut summary, cancel, now)
                            .await?;
                    }
                }
                if done / PROGRESS_EVERY > before {
                    progress(site, done, &summary, started);
                }
            }
            if let Some(stretch) = stretch.take() {
                self.end_stretch(stretch, &mut summary, cancel).await?;
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

    /// Submits the chunk through the live write path and counts its answers: for a site
    /// whose webhooks are told each batch's stage changes, measured around the batch.
    async fn import_chunk(
        &self,
        live: &Arc<SiteLive>,
        chunk: Chunk,
        summary: &mut ImportSummary,
        cancel: &CancellationToken,
        now: Time,
    ) -> Result<(), ImportError> {
        if cancel.is_cancelled() {
            let lines = chunk.stored_before();
            return Err(ImportError::Stopped { lines });
        }
        let failed = chunk.failed();
        let oldest = chunk.oldest();
        if let Some(from) = self.thaw_needed(live, &chunk.scans).await.map_err(failed)? {
            self.thaw_from(live, from, now).await.map_err(failed)?;
        }
        let answers = (self.submit(chunk.scans, cancel).await).map_err(failed)?;
        if let Some(oldest) = oldest {
            self.freeze_behind(live, oldest, now)
                .await
                .map_err(failed)?;
        }
        for (answer, line) in answers.into_iter().zip(chunk.lines) {
            summary.count(&answer, line);
        }
        Ok(())
    }

    /// The oldest of `scans` that would change a frozen day, if any: before the site's
    /// frozen days end and new to the store (one whose (scanner, seq) is stored is a repeat
    /// or a conflict, answered from its first scan).
    async fn thaw_needed(
        &self,
        live: &SiteLive,
        scans: &[Incoming],
    ) -> Result<Option<Time>, StoreError> {
        let frozen_to = live.working(|w| w.frozen_to());
        let old: Vec<((Id, u64), Time)> = (scans.iter())
            .filter_map(|s| {
                let e = s.decoded.result.as_ref().ok()?;
                (e.key.ts < frozen_to).then(|| ((s.scanner.clone(), e.key.seq), e.key.ts))
            })
            .collect();
        if old.is_empty() {
            return Ok(None);
        }
        let keys: Vec<(Id, u64)> = old.iter().map(|(key, _)| key.clone()).collect();
        let stored = self.store.stored_among(&live.config.id, &keys).await?;
        Ok((old.into_iter())
            .filter(|(key, _)| !stored.contains(key))
            .map(|(_, ts)| ts)
            .min())
    }

    /// Whether the days behind an import whose next scans begin at `oldest` are due to be
    /// frozen: past the late-scan window, and a week of them.
    fn freeze_limit(&self, live: &SiteLive, oldest: Time, now: Time) -> Option<Time> {
        let limit = oldest.min(now - FREEZE_AFTER);
        let behind = limit.duration_since(live.working(|w| w.frozen_to()));
        (behind >= FREEZE_BEHIND).then_some(limit)
    }

    /// An import in time order keeps memory bounded by freezing behind itself: the days
    /// before its `oldest` scan that are past the late-scan window, once there are a week of
    /// them (each freeze folds the live events again, so not at every chunk). A later chunk
    /// reaching back before them thaws them again.
    async fn freeze_behind(
        &self,
        live: &SiteLive,
        oldest: Time,
        now: Time,
    ) -> Result<(), StoreError> {
        if let Some(limit) = self.freeze_limit(live, oldest, now) {
            self.freeze_site(live, limit, now).await?;
        }
        Ok(())
    }
}

/// A chunk of scans to import, with their line numbers; `done` lines are read with it.
struct Chunk {
    scans: Vec<Incoming>,
    lines: Vec<u64>,
    done: u64,
}

impl Chunk {
    /// The lines stored if this chunk and those after it are not.
    fn stored_before(&self) -> u64 {
        self.done - self.scans.len() as u64
    }

    /// What a store failure while storing this chunk is.
    fn failed(&self) -> impl Fn(StoreError) -> ImportError + Copy {
        let lines = self.stored_before();
        move |source| ImportError::Store { lines, source }
    }

    fn oldest(&self) -> Option<Time> {
        (self.scans.iter())
            .filter_map(|s| s.decoded.result.as_ref().ok().map(|e| e.key.ts))
            .min()
    }
}

impl ImportSummary {
    /// Counts one line's answer.
    fn count(&mut self, answer: &Answer, line: u64) {
        let reply = &answer.reply;
        if !answer.stored {
            self.repeats += 1;
        } else if reply.ok {
            self.accepted += 1;
            self.anomalies += u64::from(reply.warning.is_some());
        } else {
            let code = reply.code.map_or("rejected", |c| c.as_str());
            self.reject(line, code, reply.msg.to_string());
        }
    }
}

fn progress(site: &Id, lines: u64, s: &ImportSummary, started: std::time::Instant) {
    tracing::info!(
        %site, lines, accepted = s.accepted, rejected = s.rejected, repeats = s.repeats,
        scans_per_s = (lines as f64 / started.elapsed().as_secs_f64().max(1e-9)) as u64,
        "importing scans"
    );
}
