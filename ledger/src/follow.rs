//! Following the other processes of a fleet on one PostgreSQL database: gateways that share
//! the scans (MQTT shared subscription) and servers that take job cards and corrections.
//!
//! Each writer sends a [`Notice`] inside its transaction; here each notice is read back from
//! the store and applied as this process would have: a scan's first (scanner, seq) joins the
//! seen scans, an accepted event is admitted to the timeline (late events are the domain's
//! everyday business), a job card replaces ours, a correction reloads the site. Live clients
//! (SSE, boards) hear of each as of a local change. A lost listener connection means lost
//! notices, so every site is then read again.

use std::sync::Arc;

use bayline_domain::Admission;
use bayline_proto::Id;
use tokio_util::sync::CancellationToken;

use crate::{lock, Backoff, Ledger, Seen, Update, UpdateKind};
use bayline_store::{Notice, StoreError};

impl Ledger {
    /// Applies the notices of the other processes on the database until `cancel`. Returns at
    /// once for SQLite (one process per file). Database errors are retried with a backoff.
    pub async fn follow(self: Arc<Self>, cancel: CancellationToken) {
        let Some(mut listener) = lock(&self.listener).take() else {
            return;
        };
        let mut backoff = Backoff::LINK;
        loop {
            let notice = tokio::select! {
                _ = cancel.cancelled() => return,
                n = listener.next() => n,
            };
            let applied = match notice {
                Ok(notice) => self.apply_notice(notice, &cancel).await,
                Err(e) => Err(e),
            };
            match applied {
                Ok(()) => backoff.reset(),
                Err(e) if cancel.is_cancelled() => {
                    tracing::debug!(error = %e, "stopped following the database");
                    return;
                }
                Err(e) => {
                    // A notice may be lost with the error: read everything again once back.
                    tracing::warn!(error = %e, retry_in_ms = backoff.delay().as_millis() as u64, "following the database failed");
                    metrics::counter!("bayline_follow_failures_total").increment(1);
                    if !backoff.wait(&cancel).await {
                        return;
                    }
                    if let Err(e) = self.apply_notice(Notice::Resync, &cancel).await {
                        tracing::warn!(error = %e, "reading the sites again failed");
                    }
                }
            }
        }
    }

    async fn apply_notice(
        &self,
        notice: Notice,
        cancel: &CancellationToken,
    ) -> Result<(), StoreError> {
        metrics::counter!("bayline_notices_total").increment(1);
        match notice {
            Notice::Scans { site, ids } => self.catch_up(&site, ids, cancel).await,
            Notice::Job { site, job } => self.take_job(&site, &job).await,
            Notice::Corrections { site } => {
                let _writer = self.write.lock().await;
                self.reload(&site, "a correction was made elsewhere", cancel)
                    .await?;
                self.resynced(&site);
                Ok(())
            }
            Notice::Resync => {
                let _writer = self.write.lock().await;
                let sites: Vec<Id> = self.sites.keys().cloned().collect();
                for site in &sites {
                    self.reload(site, "the database's notices were interrupted", cancel)
                        .await?;
                    self.resynced(site);
                }
                Ok(())
            }
        }
    }

    /// Applies the scans another process committed in rows `ids` of `site`.
    async fn catch_up(
        &self,
        site: &Id,
        ids: (i64, i64),
        cancel: &CancellationToken,
    ) -> Result<(), StoreError> {
        let Some(live) = self.sites.get(site) else {
            return Ok(());
        };
        let scans = self.store.scans_between(site, ids).await?;
        let _writer = self.write.lock().await;
        let named = scans.iter().filter_map(|s| s.event.as_ref()?.kind.job());
        self.recall_closed(live, named).await;
        let mut changes = Vec::new();
        let admissions = {
            let mut seen = lock(&live.seen);
            let mut workshop = lock(&live.workshop);
            let mut events = Vec::new();
            for scan in scans {
                if let Some(first) = scan.seen {
                    seen.remember((first.scanner, first.seq), || {
                        Seen::new(first.canonical.as_deref(), &first.reply)
                    });
                }
                let Some(event) = scan.event else { continue };
                if workshop.contains(&event.key) {
                    continue;
                }
                changes.push((
                    Update::of_event(site, &event, heard_at()),
                    event.key.clone(),
                ));
                events.push(event);
            }
            // Together: under a burst a notice brings hundreds of scans, all late behind
            // ours, and one by one each would take ours back and apply them again.
            let admissions = workshop.admit_many(events);
            for (change, key) in &mut changes {
                change.resolve_call_bay(key, &workshop);
            }
            admissions
        };
        let mut diverged = false;
        let changes: Vec<Update> = changes
            .into_iter()
            .zip(admissions)
            .filter_map(|((change, _), admission)| match admission {
                Admission::Accepted(_) => Some(change),
                // Another gateway accepted what this state rejects: the two saw the
                // timeline differently for a moment. The store decides.
                Admission::Rejected(_) => {
                    diverged = true;
                    None
                }
            })
            .collect();
        if diverged {
            self.reload(site, "another gateway judged a scan differently", cancel)
                .await?;
            self.resynced(site);
        }
        {
            // Their replies told of the customer's answer, as ours would have.
            let mut approved = lock(&live.approved);
            for job in changes.iter().filter_map(|c| c.job.as_ref()) {
                approved.remove(job);
            }
        }
        for change in changes {
            let _ = self.changes.send(change);
        }
        Ok(())
    }

    /// Takes a job card another process stored.
    async fn take_job(&self, site: &Id, job: &Id) -> Result<(), StoreError> {
        let Some(live) = self.sites.get(site) else {
            return Ok(());
        };
        let card = self.store.job(site, job).await?;
        // An answered approval comes with a card: the next scan's reply here must say it too.
        let approved = (self.store)
            .approved_unscanned(site, std::slice::from_ref(job))
            .await?;
        let _writer = self.write.lock().await;
        if let Some(card) = card {
            lock(&live.approved).extend(approved);
            lock(&live.workshop).upsert_job(card);
            let _ = self.changes.send(Update::of_job(site, job, heard_at()));
        }
        Ok(())
    }

    /// Tells live clients that a site was read again whole.
    fn resynced(&self, site: &Id) {
        let _ = self.changes.send(Update {
            site: site.clone(),
            kind: UpdateKind::Resync,
            job: None,
            bay: None,
            badge: None,
            action: None,
            reason: None,
            at: heard_at(),
            late: None,
            at_risk: None,
        });
    }
}

/// A change heard from another process is dated when it is heard.
fn heard_at() -> bayline_domain::Time {
    jiff::Timestamp::now()
}
