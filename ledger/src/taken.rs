//! First scans that another writer stored first.
//!
//! Several gateways may share one PostgreSQL database (MQTT shared subscriptions), and a scan
//! redelivered to a second gateway can be committed there while the first still holds it.
//! The unique index lets one first scan per (site, scanner, seq) in; the store reports the
//! others as [`Taken`]. This ledger's memory did not know what the other writer stored, so
//! the sites concerned are reloaded from the store and each taken scan is judged again: an
//! exact repeat gets the first scan's reply and is not stored, other content is stored as a
//! `seq_conflict`, the answers one gateway alone would have given.

use std::collections::BTreeSet;

use bayline_domain::decode::Decoded;
use bayline_proto::Id;
use bayline_store::{Decision, ScanRecord, StoreError, Taken};
use tokio_util::sync::CancellationToken;

use crate::seen::Seen;
use crate::{lock, Answer, Backoff, Incoming, Ledger};

impl Ledger {
    /// Reloads the sites of the `taken` records, judges those records again, commits what
    /// that judgement stores, and puts its answers in place of theirs (`answer_of[i]` is the
    /// answer of `records[i]`). Returns the records that are now stored.
    pub(super) async fn rejudge_taken(
        &self,
        records: Vec<ScanRecord>,
        (taken, answer_of): (Vec<Taken>, &[usize]),
        answers: &mut [Answer],
        cancel: &CancellationToken,
    ) -> Result<Vec<ScanRecord>, StoreError> {
        metrics::counter!("bayline_scans_taken_total").increment(taken.len() as u64);
        let firsts: Vec<(Id, bayline_store::SeenRow)> = (taken.iter())
            .map(|t| (records[t.index].site.clone(), t.first.clone()))
            .collect();
        let taken: BTreeSet<usize> = taken.iter().map(|t| t.index).collect();
        let sites: BTreeSet<&Id> = taken.iter().map(|&at| &records[at].site).collect();
        for site in sites {
            self.reload(
                site,
                "another writer stored scans of this site first",
                cancel,
            )
            .await?;
        }
        // A start remembers only recent first scans: the taken ones may be older.
        for (site, first) in firsts {
            if let Some(live) = self.sites.get(&site) {
                let seen = Seen::new(first.canonical.as_deref(), &first.reply);
                lock(&live.seen).insert((first.scanner, first.seq), seen);
            }
        }
        let mut stored = Vec::with_capacity(records.len());
        let (mut places, mut judge_again) = (Vec::new(), Vec::new());
        for (at, record) in records.into_iter().enumerate() {
            if taken.contains(&at) {
                places.push(at);
                judge_again.push(incoming_of(record));
            } else {
                stored.push(record);
            }
        }
        let mut again = Vec::new();
        for (at, (answer, record)) in places.into_iter().zip(self.judge(judge_again)) {
            answers[answer_of[at]] = answer;
            again.extend(record);
        }
        // Judged against the first scans just loaded, none of these is a first scan.
        let committed = self.commit(&again, cancel).await?;
        if !committed.taken.is_empty() {
            tracing::error!(taken = ?committed.taken, "a re-judged scan was taken again");
        }
        stored.extend(again);
        Ok(stored)
    }

    /// Replaces a site's state and seen scans with what the store holds, retrying while the
    /// database is away (only the cancel token ends the retries). The caller holds the write
    /// lock; `why` is for the log.
    pub(super) async fn reload(
        &self,
        site: &Id,
        why: &str,
        cancel: &CancellationToken,
    ) -> Result<(), StoreError> {
        let Some(live) = self.sites.get(site) else {
            return Ok(());
        };
        let mut backoff = Backoff::WRITE;
        let (workshop, seen) = loop {
            match crate::history::load(&self.store, &live.config, jiff::Timestamp::now()).await {
                Ok(state) => break state,
                Err(e) => {
                    tracing::warn!(error = %e, %site, "reloading the site failed; retrying");
                    if !backoff.wait(cancel).await {
                        return Err(e);
                    }
                }
            }
        };
        *lock(&live.workshop) = workshop;
        *lock(&live.seen) = seen;
        tracing::warn!(%site, why, "site read again from the store");
        Ok(())
    }
}

/// A record back to the scan it was judged from.
fn incoming_of(r: ScanRecord) -> Incoming {
    let result = match r.decision {
        Decision::Accepted { event, .. } => Ok(event),
        Decision::Rejected { code, detail } => Err((code, detail)),
    };
    Incoming {
        site: r.site,
        scanner: r.scanner,
        received_at: r.received_at,
        raw: r.raw,
        size: r.size,
        decoded: Decoded {
            seq: r.seq,
            canonical: r.canonical,
            result,
        },
    }
}
