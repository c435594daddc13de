//! `at_risk` webhook events (contract §7.5), kept by the store rather than by a moment: the
//! store has each job's `at_risk` as its receivers were last told, written in the
//! transaction that queues the event. Whenever a job's `at_risk` now differs from that, an
//! event is owed and queued, so a crash just before the write, or a promise that came near
//! while bayline was down, leaves nothing untold: the next look (at start-up, on each clock
//! tick, after a job card) queues it.
//!
//! The event's id is made of the site, the job and how many `at_risk` events the job had
//! before, so two processes of a fleet that see the same change queue one event between
//! them (the outbox keeps one row per receiver and event id).

use std::collections::BTreeSet;

use bayline_domain::Time;
use bayline_proto::Id;
use bayline_site::HookEvent;
use bayline_store::{AtRiskTold, StoreError};
use sha2::{Digest, Sha256};

use crate::{hooks, lock, HookCall, Ledger, SiteLive};

/// The id of `job`'s `changes`-th `at_risk` event: the same in every process.
fn event_id(site: &Id, job: &Id, changes: i64) -> String {
    let mut h = Sha256::new();
    for part in [site.as_str(), job.as_str(), "at_risk", &changes.to_string()] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let hex: String = h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("evt_{hex}")
}

impl Ledger {
    /// Queues the `at_risk` events owed at `now` by every site's jobs; a site whose write
    /// fails is tried again on the next call.
    pub async fn hook_at_risk(&self, now: Time) {
        for live in self.sites.values() {
            if let Err(e) = self.hook_at_risk_of(live, now, None).await {
                tracing::warn!(error = %e, site = %live.config.id, "at_risk events not queued; trying again later");
            }
        }
    }

    /// Queues the `at_risk` events owed at `now` by the jobs of `live` in `only` (all when
    /// `None`), and records what they tell.
    pub(crate) async fn hook_at_risk_of(
        &self,
        live: &SiteLive,
        now: Time,
        only: Option<&BTreeSet<Id>>,
    ) -> Result<(), StoreError> {
        let wanted = (live.config.webhooks.iter()).any(|h| h.events.contains(&HookEvent::AtRisk));
        if !wanted {
            return Ok(());
        }
        let shown = live.read(|w| w.promises(now, only));
        let site = &live.config.id;
        let mut told = Vec::new();
        let mut calls = Vec::new();
        {
            let hooked = lock(&live.hooked);
            for (job, late, at_risk) in shown {
                let before = hooked.get(&job).copied().unwrap_or(AtRiskTold {
                    at_risk: false,
                    changes: 0,
                });
                if before.at_risk == at_risk {
                    continue;
                }
                let changes = before.changes + 1;
                calls.push(HookCall {
                    event: HookEvent::AtRisk,
                    job: job.clone(),
                    at: now,
                    id: Some(event_id(site, &job, changes)),
                    fields: serde_json::json!({ "at_risk": at_risk, "late": late }),
                });
                told.push((job, AtRiskTold { at_risk, changes }));
            }
        }
        if told.is_empty() {
            return Ok(());
        }
        let rows = hooks::addressed(&live.config, &calls);
        self.store.tell_at_risk(site, &told, &rows).await?;
        let mut hooked = lock(&live.hooked);
        for (job, t) in told {
            let e = hooked.entry(job).or_insert(t);
            if e.changes < t.changes {
                *e = t;
            }
        }
        Ok(())
    }
}
