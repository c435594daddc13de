//! A manager's corrections through the single write path: judged on a copy of the site's
//! state, stored, and only then swapped in, so memory never holds a correction the database
//! does not.

use bayline_domain::{Change as Edit, Corrected, Correction, CorrectionError, Id, Time};

use crate::{lock, Change, Ledger};
use bayline_store::StoreError;

/// Why a correction was not made.
#[derive(Debug, thiserror::Error)]
pub enum CorrectError {
    #[error(transparent)]
    Refused(#[from] CorrectionError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Ledger {
    /// Makes a correction at `now` by `by` for `reason`; returns the audit trail's new line.
    /// Corrections are numbered 1, 2, … per site; an added event takes its correction's
    /// number as its seq, so its key is new whatever scanner id the caller gave it.
    pub async fn correct(
        &self,
        site: &Id,
        by: Id,
        reason: String,
        mut edit: Edit,
        now: Time,
    ) -> Result<Corrected, CorrectError> {
        let live = self
            .sites
            .get(site)
            .ok_or_else(|| StoreError::UnknownSite(site.to_string()))?;
        let _writer = self.write.lock().await;
        let mut trial = lock(&live.workshop).clone();
        let id = trial
            .corrections()
            .iter()
            .map(|c| c.correction.id)
            .max()
            .unwrap_or(0)
            + 1;
        if let Edit::Add { event } = &mut edit {
            event.key.seq = id;
        }
        let correction = Correction {
            id,
            by,
            at: now,
            reason,
            change: edit,
        };
        trial.correct(correction.clone())?;
        self.store.put_correction(site, &correction).await?;
        let line = (trial.corrections().iter())
            .find(|c| c.correction.id == id)
            .cloned()
            .ok_or_else(|| StoreError::Corrupt(format!("correction {id} vanished")))?;
        *lock(&live.workshop) = trial;
        let event = line.after.as_ref().or(line.before.as_ref());
        let _ = self.changes.send(Change {
            site: site.clone(),
            kind: "correction",
            job: event.and_then(|e| e.kind.job().cloned()),
            bay: event.and_then(|e| e.kind.bay().cloned()),
            badge: event.map(|e| e.badge.clone()),
            action: event.map(|e| e.kind.action().as_str()),
            at: now,
        });
        Ok(line)
    }
}
