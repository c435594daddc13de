//! The foreman's assignments (contract §7.3) through the single write path: checked on the
//! live state, stored with the job card, and only then applied.

use bayline_domain::{AssignError, Assignment, Id, Time};
use bayline_store::StoreError;

use crate::{lock, Ledger, Update};

/// Why an assignment was not made.
#[derive(Debug, thiserror::Error)]
pub enum AssignFailed {
    #[error(transparent)]
    Refused(#[from] AssignError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Ledger {
    /// Gives `job`'s `op` to `assignment`, or takes it back with `None`.
    pub async fn assign(
        &self,
        site: &Id,
        job: &Id,
        op: &Id,
        assignment: Option<Assignment>,
        now: Time,
    ) -> Result<(), AssignFailed> {
        let live = self
            .sites
            .get(site)
            .ok_or_else(|| StoreError::UnknownSite(site.to_string()))?;
        let _writer = self.write.lock().await;
        self.recall_closed(live, [job]).await;
        let mut card = live.read(|w| {
            w.check_assignment(job, op, assignment.as_ref())?;
            (w.catalog().jobs.get(job).cloned()).ok_or_else(|| AssignError::UnknownJob(job.clone()))
        })?;
        for o in card.ops.iter_mut().filter(|o| &o.op == op) {
            o.assignment = assignment.clone();
        }
        self.store.put_job(site, &card, now).await?;
        lock(&live.workshop).upsert_job(card);
        let _ = self.changes.send(Update::of_job(site, job, now));
        Ok(())
    }
}
