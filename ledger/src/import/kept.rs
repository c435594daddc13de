//! The import's own write path: each chunk judged on the site's state and kept there across
//! its commit, which overlaps the judging of the next chunk.
//!
//! A live batch is judged, taken back out, committed, then applied again for everyone to see
//! ([`Ledger::submit`]). For an import that is every scan folded twice, and judging and
//! storing take turns. Here the import holds the write lock for a *stretch* of chunks and
//! readers are given a copy of the state as it was when the stretch began
//! ([`SiteLive::read`]); so a reader still sees only what is durable while each chunk stays in
//! the state as judged. A chunk's commit runs on the database's side while the next chunk is
//! judged on a blocking thread. At the end of a stretch the last chunk is committed and
//! readers see the state itself again. Everything that reads the site meanwhile reads that
//! copy, the look at the promises of the jobs an imported chunk named too: a change it misses
//! is told by the clock task's look at every job ([`crate::SETTLE_EVERY`]).
//!
//! A stretch ends at the chunk after another writer asks for the lock (a live scan waits for
//! about one chunk's commit behind an import), after [`STRETCH`] at most, and before a chunk
//! that reaches into frozen days or lets the days behind freeze (both rewrite the state from
//! the store). A failed commit takes the chunks not stored back out ([`undo_kept`]). A
//! commit that finds first scans another writer stored (an import of scans already stored,
//! older than the repeats a site remembers) is answered as the live path answers it
//! ([`Ledger::rejudge_taken`], which reads the site again); the chunk judged after it is then
//! judged again from a copy of its scans.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bayline_domain::{EventKey, Time, Workshop};
use tokio_util::sync::CancellationToken;

use super::{Chunk, ImportError, ImportSummary};
use crate::judge::{judge_site, undo_kept, Judged, Leave};
use crate::{lock, Incoming, Ledger, SiteLive};

/// How long an import holds the write lock at a time, at most: readers see the state as it
/// was when a stretch began, so boards and pages run this far behind an import. A writer that
/// waits (a live scan) ends the stretch at the next chunk.
pub const STRETCH: Duration = Duration::from_secs(2);

/// A run of chunks under one hold of the write lock.
pub(super) struct Stretch<'a> {
    live: Arc<SiteLive>,
    _writer: tokio::sync::MutexGuard<'a, ()>,
    began: Instant,
    /// The chunk judged and kept in the state, whose commit comes next.
    pending: Option<Kept>,
}

/// A chunk judged and kept in the state.
struct Kept {
    judged: Vec<Judged>,
    /// Its events new to the timeline.
    new: Vec<EventKey>,
    /// Its scans as they came, to judge again if the chunk before turns out taken.
    scans: Vec<Incoming>,
    lines: Vec<u64>,
    /// Lines stored once the chunks before it are.
    stored_before: u64,
}

impl Ledger {
    /// Judges `chunk` in the import's current stretch (beginning one if there is none) and
    /// commits the chunk judged before it meanwhile.
    pub(super) async fn import_kept<'a>(
        &'a self,
        live: &Arc<SiteLive>,
        stretch: &mut Option<Stretch<'a>>,
        chunk: Chunk,
        summary: &mut ImportSummary,
        cancel: &CancellationToken,
        now: Time,
    ) -> Result<(), ImportError> {
        let failed = chunk.failed();
        let thaw = self.thaw_needed(live, &chunk.scans).await.map_err(failed)?;
        let freeze = (chunk.oldest()).and_then(|oldest| self.freeze_limit(live, oldest, now));
        let long = stretch
            .as_ref()
            .is_some_and(|s| s.began.elapsed() >= STRETCH || self.write.wanted());
        if thaw.is_some() || freeze.is_some() || long || cancel.is_cancelled() {
            if let Some(s) = stretch.take() {
                self.end_stretch(s, summary, cancel).await?;
            }
        }
        if cancel.is_cancelled() {
            let lines = chunk.stored_before();
            return Err(ImportError::Stopped { lines });
        }
        if let Some(from) = thaw {
            self.thaw_from(live, from, now).await.map_err(failed)?;
        }
        if let Some(limit) = freeze {
            self.freeze_site(live, limit, now).await.map_err(failed)?;
        }
        let s = match stretch {
            Some(s) => s,
            None => stretch.insert(self.begin_stretch(live).await),
        };
        let named = (chunk.scans.iter()).filter_map(|i| i.decoded.result.as_ref().ok()?.kind.job());
        self.recall_closed(live, named).await;
        let judging = judge_kept(Arc::clone(live), chunk);
        let kept = match s.pending.take() {
            None => judging.await,
            Some(before) => {
                let (stored, kept) =
                    tokio::join!(self.store_kept(before, summary, cancel), judging);
                match stored {
                    Ok(true) => kept,
                    Ok(false) => {
                        // The chunk before was taken in part and the site read again: this
                        // one was judged on what it no longer holds.
                        undo_kept(live, &kept.new, &records_of(&kept.judged));
                        let chunk = Chunk {
                            done: kept.stored_before + kept.scans.len() as u64,
                            scans: kept.scans,
                            lines: kept.lines,
                        };
                        judge_kept(Arc::clone(live), chunk).await
                    }
                    Err(e) => {
                        undo_kept(live, &kept.new, &records_of(&kept.judged));
                        return Err(e);
                    }
                }
            }
        };
        s.pending = Some(kept);
        Ok(())
    }

    /// Takes the write lock and gives readers a copy of the site's state as it is.
    async fn begin_stretch(&self, live: &Arc<SiteLive>) -> Stretch<'_> {
        let writer = self.write.lock().await;
        let copy = Arc::new(live.working(Workshop::copy_to_read));
        *lock(&live.shown) = Some(copy);
        Stretch {
            live: Arc::clone(live),
            _writer: writer,
            began: Instant::now(),
            pending: None,
        }
    }

    /// Commits the stretch's last chunk; readers see the state itself again (on drop).
    pub(super) async fn end_stretch(
        &self,
        mut stretch: Stretch<'_>,
        summary: &mut ImportSummary,
        cancel: &CancellationToken,
    ) -> Result<(), ImportError> {
        match stretch.pending.take() {
            // Taken or not, what is stored is answered and the state holds it.
            Some(kept) => self.store_kept(kept, summary, cancel).await.map(|_| ()),
            None => Ok(()),
        }
    }

    /// Commits a kept chunk and counts its answers; false if another writer had stored some
    /// of its first scans (answered as it decided, the site read again from the store). A
    /// failed commit takes the chunk back out of the state.
    async fn store_kept(
        &self,
        kept: Kept,
        summary: &mut ImportSummary,
        cancel: &CancellationToken,
    ) -> Result<bool, ImportError> {
        let Kept {
            judged,
            new,
            stored_before,
            lines,
            ..
        } = kept;
        let failed = |source| ImportError::Store {
            lines: stored_before,
            source,
        };
        let mut answers = Vec::with_capacity(judged.len());
        let mut records = Vec::with_capacity(judged.len());
        let mut answer_of = Vec::with_capacity(judged.len());
        for (answer, record) in judged {
            if record.is_some() {
                answer_of.push(answers.len());
            }
            answers.push(answer);
            records.extend(record);
        }
        let started = Instant::now();
        let committed = match self.commit(&records, cancel).await {
            Ok(committed) => committed,
            Err(e) => {
                if let Some(live) = records.first().and_then(|r| self.sites.get(&r.site)) {
                    undo_kept(live, &new, &records);
                }
                return Err(failed(e));
            }
        };
        metrics::histogram!("bayline_commit_seconds").record(started.elapsed().as_secs_f64());
        let whole = committed.taken.is_empty();
        if !whole {
            let taken = (committed.taken, answer_of.as_slice());
            records = (self
                .rejudge_taken(records, taken, &mut answers, cancel)
                .await)
                .map_err(failed)?;
        }
        self.tell_stored(&records);
        for (answer, line) in answers.iter().zip(lines) {
            summary.count(answer, line);
        }
        Ok(whole)
    }
}

impl Drop for Stretch<'_> {
    /// A stretch that ends with a chunk still kept (an error before its commit) takes it back
    /// out; then readers see the state itself again, before the write lock is let go.
    fn drop(&mut self) {
        if let Some(kept) = self.pending.take() {
            undo_kept(&self.live, &kept.new, &records_of(&kept.judged));
        }
        *lock(&self.live.shown) = None;
    }
}

/// Judges `chunk` on a blocking thread (the commit before it goes on meanwhile), keeping it
/// in the site's state.
async fn judge_kept(live: Arc<SiteLive>, chunk: Chunk) -> Kept {
    let stored_before = chunk.stored_before();
    let Chunk { scans, lines, .. } = chunk;
    let judging = tokio::task::spawn_blocking(move || {
        let copy = scans.clone();
        let (judged, new) = judge_site(&live, scans, Leave::Judged);
        Kept {
            judged,
            new,
            scans: copy,
            lines,
            stored_before,
        }
    });
    match judging.await {
        Ok(kept) => kept,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

fn records_of(judged: &[Judged]) -> Vec<bayline_store::ScanRecord> {
    judged.iter().filter_map(|(_, r)| r.clone()).collect()
}
