//! A manager's corrections through the single write path: judged on a copy of the site's
//! state, stored, and only then swapped in, so memory never holds a correction the database
//! does not.

use bayline_domain::{Amendment, Corrected, Correction, CorrectionError, Id, RejectCode, Time};

use crate::{lock, Ledger, Update, UpdateKind};
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
        mut edit: Amendment,
        now: Time,
    ) -> Result<Corrected, CorrectError> {
        let live = self
            .sites
            .get(site)
            .ok_or_else(|| StoreError::UnknownSite(site.to_string()))?;
        let _writer = self.write.lock().await;
        let mut trial = lock(&live.workshop).clone();
        // Numbered from the store: the live state forgets the corrections of frozen days.
        let stored = self.store.corrections(site).await?;
        let id = stored.iter().map(|c| c.id).max().unwrap_or(0) + 1;
        if let Amendment::Add { event } = &mut edit {
            event.key.seq = id;
        }
        let correction = Correction {
            id,
            by,
            at: now,
            reason,
            change: edit,
        };
        let line = if correction.earliest() < trial.frozen_to() {
            self.correct_the_past(live, &stored, correction, now)
                .await?
        } else {
            trial.correct(correction.clone())?;
            self.store.put_correction(site, &correction).await?;
            let line = (trial.corrections().iter())
                .find(|c| c.correction.id == id)
                .cloned()
                .ok_or_else(|| StoreError::Corrupt(format!("correction {id} vanished")))?;
            *lock(&live.workshop) = trial;
            line
        };
        let event = line.after.as_ref().or(line.before.as_ref());
        let _ = self.changes.send(Update {
            site: site.clone(),
            kind: UpdateKind::Correction,
            job: event.and_then(|e| e.kind.job().cloned()),
            bay: event.and_then(|e| e.kind.bay().cloned()),
            badge: event.map(|e| e.badge.clone()),
            action: event.map(|e| e.kind.action().as_str()),
            reason: None,
            at: now,
            late: None,
            at_risk: None,
        });
        Ok(line)
    }

    /// A correction that reaches into frozen days: checked against the stored events, stored,
    /// then the site is refolded from the checkpoint before it (the frozen days since thawed
    /// and frozen again) and reloaded. Rare, and it costs the days since the correction's
    /// earliest instant, not the site's history.
    async fn correct_the_past(
        &self,
        live: &crate::SiteLive,
        prior: &[Correction],
        correction: Correction,
        now: Time,
    ) -> Result<Corrected, CorrectError> {
        let site = &live.config.id;
        if correction.reason.trim().is_empty() {
            return Err(CorrectionError::NoReason.into());
        }
        // The timeline as the earlier corrections left it: an event moved before is found at
        // its new instant, a voided one is gone.
        let (out, put) = crate::history::corrected(&self.store, site, prior).await?;
        let stored = |key: &bayline_domain::EventKey| {
            let key = key.clone();
            let moved = put.iter().find(|e| e.key == key).cloned();
            let gone = out.contains(&key);
            async move {
                if moved.is_some() || gone {
                    return Ok(moved);
                }
                let next = key.ts + jiff::SignedDuration::from_nanos(1);
                let found = self.store.events_in(site, key.ts, Some(next)).await?;
                Ok::<_, StoreError>(found.into_iter().find(|e| e.key == key))
            }
        };
        let (before, after) = match &correction.change {
            Amendment::Add { event } => {
                if stored(&event.key).await?.is_some() {
                    return Err(CorrectionError::KeyTaken(event.key.clone()).into());
                }
                if let Err(code) = self.names_known(live, event).await {
                    return Err(CorrectionError::Rejected(code?).into());
                }
                (None, Some(event.clone()))
            }
            Amendment::Move { target, to_ts } => {
                let event = (stored(target).await?)
                    .ok_or_else(|| CorrectionError::NoSuchEvent(target.clone()))?;
                if *to_ts == target.ts {
                    return Err(CorrectionError::Unchanged.into());
                }
                let mut moved = event.clone();
                moved.key.ts = *to_ts;
                (Some(event), Some(moved))
            }
            Amendment::Void { target } => {
                let event = (stored(target).await?)
                    .ok_or_else(|| CorrectionError::NoSuchEvent(target.clone()))?;
                (Some(event), None)
            }
        };
        self.store.put_correction(site, &correction).await?;
        let from = correction.earliest();
        crate::history::rebuild_from(&self.store, &live.config, from, now).await?;
        let (workshop, seen) = crate::history::load(&self.store, &live.config, now).await?;
        *lock(&live.workshop) = workshop;
        *lock(&live.seen) = seen;
        tracing::info!(site = %site, correction = correction.id, "a correction of a frozen day: the days since refolded");
        Ok(Corrected {
            correction,
            before,
            after,
        })
    }

    /// The name checks of an added event in a frozen day, where a closed job's card is in the
    /// store, not in memory. `Err(Ok(code))`: refused; `Err(Err(_))`: the store failed.
    async fn names_known(
        &self,
        live: &crate::SiteLive,
        event: &bayline_domain::Event,
    ) -> Result<(), Result<RejectCode, StoreError>> {
        let catalog = live.read(|w| w.catalog().clone());
        if !catalog.badges.contains_key(&event.badge) {
            return Err(Ok(RejectCode::UnknownBadge));
        }
        if let Some(job) = event.kind.job() {
            let card = (self.store.job(&live.config.id, job).await)
                .map_err(Err)?
                .ok_or(Ok(RejectCode::UnknownJob))?;
            if event.kind.op().is_some_and(|op| card.op(op).is_none()) {
                return Err(Ok(RejectCode::UnknownOp));
            }
        }
        if event
            .kind
            .bay()
            .is_some_and(|b| !catalog.bays.contains_key(b))
        {
            return Err(Ok(RejectCode::UnknownBay));
        }
        Ok(())
    }
}
