//! Approval requests for extra work (contract §7.5) through the single write path: opened by
//! an advisor, answered per op by the customer on the link or by the advisor from a phone
//! call. An answer is kept once (a double tap counts once); approved ops join the job card as
//! a new version naming who answered; a request answered in full ends an `approval` wait (the
//! card's `waiting_until` becomes the answer's time, so the ETA runs again from there).

use std::collections::BTreeSet;

use bayline_domain::view::Wait;
use bayline_domain::{Id, OpCard, Stage, Time, Workshop};
use bayline_site::HookEvent;
use bayline_store::{Approval, ApprovalItem, ItemAnswer, Store, StoreError};
use serde_json::json;

use crate::{Editor, HookCall, Ledger, PutJobError};

/// Why an approval was not opened or answered.
#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    #[error("no job {0}")]
    NoJob(Id),
    #[error("no approval request {0} for this job")]
    NoRequest(i64),
    #[error("op {0} is already on the job card")]
    OpOnCard(Id),
    #[error("op {0} is not an item of this request")]
    NotAnItem(Id),
    #[error(transparent)]
    Card(#[from] PutJobError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the customer's or advisor's answer did.
#[derive(Debug, Clone)]
pub struct Answered {
    pub approval: Approval,
    /// The items this answer settled (those answered before are not among them).
    pub counted: Vec<Id>,
}

/// The jobs of `workshop` whose customer answered a request after their last accepted scan:
/// the answer the next scan's reply and the bay's tag still owe the technician. Read from
/// the store, so that a restart, or another process of a fleet, tells it all the same.
pub(crate) async fn approved_unscanned(
    store: &Store,
    site: &Id,
    workshop: &Workshop,
) -> Result<BTreeSet<Id>, StoreError> {
    let jobs: Vec<Id> = workshop.catalog().jobs.keys().cloned().collect();
    Ok(store
        .approved_unscanned(site, &jobs)
        .await?
        .into_iter()
        .collect())
}

fn item_json(i: &ApprovalItem) -> serde_json::Value {
    json!({
        "op": i.op.as_str(),
        "title": i.title,
        "std_hours": i.std_hours,
        "price": i.price,
        "answer": i.answer.as_ref().map(|a| if a.approved { "approved" } else { "declined" }),
    })
}

impl Ledger {
    /// Opens a request for `items` on `job`; returns it as stored.
    pub async fn open_approval(
        &self,
        site: &Id,
        job: &Id,
        message: &str,
        items: &[ApprovalItem],
        by: &str,
        now: Time,
    ) -> Result<Approval, ApprovalError> {
        let live =
            (self.sites.get(site)).ok_or_else(|| StoreError::UnknownSite(site.to_string()))?;
        let card = live
            .read(|w| w.catalog().jobs.get(job).cloned())
            .ok_or_else(|| ApprovalError::NoJob(job.clone()))?;
        if let Some(i) = items.iter().find(|i| card.ops.iter().any(|o| o.op == i.op)) {
            return Err(ApprovalError::OpOnCard(i.op.clone()));
        }
        let id = self
            .store
            .open_approval(site, job, message, items, by, now)
            .await?;
        let approval = self.approval(site, job, id).await?;
        let call = HookCall {
            event: HookEvent::Approval,
            job: job.clone(),
            at: now,
            id: None,
            fields: json!({
                "approval": id,
                "state": "opened",
                "message": message,
                "items": approval.items.iter().map(item_json).collect::<Vec<_>>(),
            }),
        };
        self.tell_hooks(&live.config, &[call]).await?;
        let _ = self.changes.send(crate::Update::of_job(site, job, now));
        Ok(approval)
    }

    async fn approval(&self, site: &Id, job: &Id, id: i64) -> Result<Approval, ApprovalError> {
        (self.store.approvals(site, job).await?.into_iter())
            .find(|a| a.id == id)
            .ok_or(ApprovalError::NoRequest(id))
    }

    /// Records `answers` (op, approved) to request `id` of `job`, each unless answered
    /// before. `by` names who answered: `customer`, or the advisor who took a phone call.
    pub async fn answer_approval(
        &self,
        site: &Id,
        job: &Id,
        id: i64,
        answers: &[(Id, bool)],
        by: &str,
        now: Time,
    ) -> Result<Answered, ApprovalError> {
        let live =
            (self.sites.get(site)).ok_or_else(|| StoreError::UnknownSite(site.to_string()))?;
        let request = self.approval(site, job, id).await?;
        if let Some((op, _)) = answers
            .iter()
            .find(|(op, _)| !request.items.iter().any(|i| &i.op == op))
        {
            return Err(ApprovalError::NotAnItem(op.clone()));
        }
        let mut counted = Vec::new();
        for (op, approved) in answers {
            let answer = ItemAnswer {
                approved: *approved,
                at: now,
                by: by.to_string(),
            };
            if self.store.answer_item(site, id, op, &answer).await? {
                counted.push(op.clone());
            }
        }
        let approval = self.approval(site, job, id).await?;
        if counted.is_empty() {
            return Ok(Answered { approval, counted });
        }
        let card = live.read(|w| w.catalog().jobs.get(job).cloned());
        if let Some(mut card) = card {
            let joining: Vec<&ApprovalItem> = (approval.items.iter())
                .filter(|i| counted.contains(&i.op))
                .filter(|i| i.answer.as_ref().is_some_and(|a| a.approved))
                .filter(|i| !card.ops.iter().any(|o| o.op == i.op))
                .collect();
            card.ops.extend(joining.iter().map(|i| OpCard {
                op: i.op.clone(),
                title: i.title.clone(),
                std_hours: i.std_hours,
                assignment: None,
            }));
            let waiting = live.read(|w| {
                w.job(job.as_str(), now).is_some_and(|v| {
                    v.eta_pending == Some(Wait::Approval) || v.stage == Stage::WaitingApproval
                })
            });
            if approval.answered() && waiting {
                card.waiting_until = Some(now);
            }
            // The customer's yes is what lets extra hours onto a card, even after `ready`.
            let editor = Editor {
                who: by.to_string(),
                manager: true,
            };
            self.put_job(site, card, now, &editor).await?;
        }
        if approval.answered() {
            crate::lock(&live.approved).insert(job.clone());
        }
        let call = HookCall {
            event: HookEvent::Approval,
            job: job.clone(),
            at: now,
            id: None,
            fields: json!({
                "approval": id,
                "state": if approval.answered() { "answered" } else { "partly_answered" },
                "by": by,
                "items": approval.items.iter().map(item_json).collect::<Vec<_>>(),
            }),
        };
        self.tell_hooks(&live.config, &[call]).await?;
        let _ = self.changes.send(crate::Update::of_job(site, job, now));
        Ok(Answered { approval, counted })
    }
}
