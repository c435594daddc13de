//! Job cards through the single write path (contract §7.6): each change is kept as a version
//! with who made it and when, and once a job has reached `ready` its promise and sold hours,
//! which on-time rate and labour efficiency are paid on, change only by a manager.

use std::collections::BTreeSet;

use bayline_domain::{Id, JobCard, Time};
use bayline_store::{Edit, StoreError};

use crate::{history, hooks, lock, Ledger, Update};

/// Who puts a card.
#[derive(Debug, Clone, PartialEq)]
pub struct Editor {
    /// What the version names: the token's `[[tokens]] name`, else its role and fingerprint.
    pub who: String,
    /// A manager may change the counted fields after `ready`.
    pub manager: bool,
}

/// Why a card was not put.
#[derive(Debug, thiserror::Error)]
pub enum PutJobError {
    #[error(
        "job {job} has reached ready: only a manager token may change {}",
        .fields.join(" and ")
    )]
    NeedsManager { job: Id, fields: Vec<&'static str> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The card's fields that differ between two versions, by their names in the API. Ops are
/// compared without the foreman's assignments, which are not the card's to change.
pub fn changed_fields(before: &JobCard, after: &JobCard) -> Vec<&'static str> {
    let ops = |c: &JobCard| -> Vec<(Id, String, f64)> {
        (c.ops.iter())
            .map(|o| (o.op.clone(), o.title.clone(), o.std_hours))
            .collect()
    };
    [
        ("plate", before.plate != after.plate),
        ("vehicle", before.vehicle != after.vehicle),
        ("customer", before.customer != after.customer),
        ("advisor", before.advisor != after.advisor),
        ("service", before.service != after.service),
        ("comeback_of", before.comeback_of != after.comeback_of),
        ("promised_at", before.promised_at != after.promised_at),
        ("waiting_until", before.waiting_until != after.waiting_until),
        ("wash", before.wash != after.wash),
        ("ops", ops(before) != ops(after)),
    ]
    .into_iter()
    .filter_map(|(name, changed)| changed.then_some(name))
    .collect()
}

/// The changes the figures are paid on: `promised_at` (on-time rate) and `std_hours`, each
/// op's sold hours, which adding or removing an op changes too. Titles and order are free.
pub fn counted_changes(before: &JobCard, after: &JobCard) -> Vec<&'static str> {
    let hours = |c: &JobCard| -> Vec<(Id, u64)> {
        let mut h: Vec<(Id, u64)> = (c.ops.iter())
            .map(|o| (o.op.clone(), o.std_hours.to_bits()))
            .collect();
        h.sort();
        h
    };
    let mut fields = Vec::new();
    if before.promised_at != after.promised_at {
        fields.push("promised_at");
    }
    if hours(before) != hours(after) {
        fields.push("std_hours");
    }
    fields
}

impl Ledger {
    /// Creates or replaces a job card: stored first, with a version naming `by` when it
    /// changes, then applied. Returns whether it was new. The card's ops keep the foreman's
    /// assignments (the DMS does not know them).
    pub async fn put_job(
        &self,
        site: &Id,
        mut card: JobCard,
        now: Time,
        by: &Editor,
    ) -> Result<bool, PutJobError> {
        let live = self
            .sites
            .get(site)
            .ok_or_else(|| StoreError::UnknownSite(site.to_string()))?;
        let _writer = self.write.lock().await;
        self.tell_noted(live, now);
        self.recall_closed(live, [&card.job]).await;
        let closed = live.read(|w| w.is_closed(&card.job));
        let before = match closed {
            true => self.store.job(site, &card.job).await?,
            false => None,
        };
        let kept = match &before {
            Some(b) => Some(b.clone()),
            None => live.read(|w| w.catalog().jobs.get(&card.job).cloned()),
        };
        if let Some(kept) = &kept {
            card.keep_assignments(kept);
        }
        // Under the write lock, so a scan cannot make the job ready between check and write.
        let after_ready = closed
            || live.read(|w| {
                (w.job(card.job.as_str(), now))
                    .is_some_and(|v| v.ready_at.is_some() || v.delivered_at.is_some())
            });
        if let Some(kept) = kept.as_ref().filter(|_| after_ready && !by.manager) {
            let fields = counted_changes(kept, &card);
            if !fields.is_empty() {
                return Err(PutJobError::NeedsManager {
                    job: card.job.clone(),
                    fields,
                });
            }
        }
        let created = match kept.as_ref() == Some(&card) {
            // The same card again is no change: no version.
            true => self.store.put_job(site, &card, now).await?,
            false => {
                let edit = Edit {
                    who: by.who.clone(),
                    after_ready,
                };
                self.store.put_job_edited(site, &card, now, &edit).await?
            }
        };
        let job = card.job.clone();
        let stages_before = match live.config.webhooks.is_empty() {
            true => Default::default(),
            false => hooks::stages(live, [&job], now),
        };
        let counted = |c: &JobCard| {
            let ops: Vec<(&str, f64)> =
                c.ops.iter().map(|o| (o.op.as_str(), o.std_hours)).collect();
            (c.promised_at, c.wash, format!("{ops:?}"))
        };
        if closed && before.as_ref().map(counted) != Some(counted(&card)) {
            // A closed job's figures are in frozen days: thaw them, from its first event on
            // (an outcome frozen without it, from the site's first).
            let outcome = self.store.outcome_of(site, &card.job).await?;
            let from = outcome.and_then(|o| o.first_moved).unwrap_or(Time::MIN);
            history::rebuild_from(&self.store, &live.config, from, now).await?;
            let (workshop, seen) = history::load(&self.store, &live.config, now).await?;
            *lock(&live.workshop) = workshop;
            *lock(&live.seen) = seen;
        } else {
            lock(&live.workshop).upsert_job(card);
        }
        let calls = hooks::stage_calls(live, &stages_before, now);
        self.tell_hooks(&live.config, &calls).await?;
        let _ = self.changes.send(Update::of_job(site, &job, now));
        let only = BTreeSet::from([job]);
        self.tell_promises(live, now, Some(&only));
        if let Err(e) = self.hook_at_risk_of(live, now, Some(&only)).await {
            // Owed, and queued by the clock's next look.
            tracing::warn!(error = %e, %site, "at_risk event not queued yet");
        }
        Ok(created)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card() -> JobCard {
        serde_json::from_value(serde_json::json!({
            "job": "RO-1",
            "promised_at": "2027-03-01T09:00:00Z",
            "ops": [{"op": "10", "title": "Brakes", "std_hours": 1.5},
                    {"op": "20", "title": "Oil", "std_hours": 0.5}],
        }))
        .unwrap()
    }

    #[test]
    fn a_title_or_the_order_of_ops_is_no_counted_change() {
        let mut after = card();
        after.ops.reverse();
        after.ops[0].title = "Oil and filter".into();
        after.customer = "Zhang San".into();
        assert_eq!(counted_changes(&card(), &after), Vec::<&str>::new());
        assert_eq!(changed_fields(&card(), &after), ["customer", "ops"]);
    }

    #[test]
    fn promise_hours_and_added_or_removed_ops_are_counted_changes() {
        let mut later = card();
        later.promised_at = Some("2027-03-01T12:00:00Z".parse().unwrap());
        assert_eq!(counted_changes(&card(), &later), ["promised_at"]);
        let mut more = card();
        more.ops[1].std_hours = 0.75;
        assert_eq!(counted_changes(&card(), &more), ["std_hours"]);
        let mut fewer = card();
        fewer.ops.pop();
        assert_eq!(counted_changes(&card(), &fewer), ["std_hours"]);
        assert_eq!(changed_fields(&card(), &fewer), ["ops"]);
    }

    #[test]
    fn an_assignment_is_no_change_of_the_card() {
        let mut assigned = card();
        assigned.ops[0].assignment = Some(serde_json::from_str(r#"{"badge":"T07"}"#).unwrap());
        assert!(changed_fields(&card(), &assigned).is_empty());
    }
}
