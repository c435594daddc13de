//! Webhook events (contract §7.5): what each site's `[[webhooks]]` are told, written to the
//! store's outbox before the change that causes them is answered, so that nothing told to a
//! scanner or an advisor can be missing from the outbox after a crash. Delivery is the
//! server's (`bayline_server::webhooks`).

use std::collections::BTreeMap;

use bayline_domain::{Stage, Time};
use bayline_proto::Id;
use bayline_site::{HookEvent, SiteConfig};
use bayline_store::{Outgoing, StoreError};
use serde_json::{json, Value};

use crate::{Backoff, Ledger, SiteLive};

/// One event before it is addressed to receivers.
#[derive(Debug, Clone)]
pub struct HookCall {
    pub event: HookEvent,
    pub job: Id,
    pub at: Time,
    /// The event's id when more than one process may queue the same event (made of what
    /// the event is, so that they make the same); else a fresh random one.
    pub id: Option<String>,
    /// The event's own fields, beside `id`, `event`, `site`, `job` and `at`.
    pub fields: Value,
}

/// A fresh event id: 128 random bits, the same for every receiver and attempt.
fn event_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("evt_{hex}")
}

/// The outbox rows of `calls` for the site's receivers that want them.
pub(crate) fn addressed(site: &SiteConfig, calls: &[HookCall]) -> Vec<Outgoing> {
    let mut out = Vec::new();
    for call in calls {
        let wanted: Vec<_> = (site.webhooks.iter())
            .filter(|h| h.events.contains(&call.event))
            .collect();
        if wanted.is_empty() {
            continue;
        }
        let id = call.id.clone().unwrap_or_else(event_id);
        let mut body = json!({
            "id": id,
            "event": call.event.as_str(),
            "site": site.id.as_str(),
            "job": call.job.as_str(),
            "at": call.at.to_string(),
        });
        if let (Some(body), Value::Object(fields)) = (body.as_object_mut(), &call.fields) {
            body.extend(fields.clone());
        }
        let body = body.to_string();
        out.extend(wanted.into_iter().map(|h| Outgoing {
            site: site.id.clone(),
            url: h.url.clone(),
            event_id: id.clone(),
            job: Some(call.job.clone()),
            body: body.clone(),
            at: call.at,
        }));
    }
    out
}

/// Each named job's stage now.
pub(crate) fn stages<'a>(
    live: &SiteLive,
    jobs: impl IntoIterator<Item = &'a Id>,
    now: Time,
) -> BTreeMap<Id, Stage> {
    live.read(|w| {
        (jobs.into_iter())
            .filter_map(|j| w.job(j.as_str(), now).map(|v| (j.clone(), v.stage)))
            .collect()
    })
}

/// The `stage` (and `ready`) events of the jobs whose stage differs from `before`.
pub(crate) fn stage_calls(
    live: &SiteLive,
    before: &BTreeMap<Id, Stage>,
    now: Time,
) -> Vec<HookCall> {
    let after = stages(live, before.keys(), now);
    let mut calls = Vec::new();
    for (job, stage) in after {
        let from = before.get(&job).copied();
        if from == Some(stage) {
            continue;
        }
        calls.push(HookCall {
            event: HookEvent::Stage,
            job: job.clone(),
            at: now,
            id: None,
            fields: json!({ "stage": stage, "from": from }),
        });
        if stage == Stage::Ready {
            calls.push(HookCall {
                event: HookEvent::Ready,
                job,
                at: now,
                id: None,
                fields: json!({}),
            });
        }
    }
    calls
}

impl Ledger {
    /// Writes `calls` to the outbox for the site's receivers, retrying while the database
    /// is away (the caller has committed the change they tell of, and must not answer it
    /// before they are kept).
    pub async fn tell_hooks(
        &self,
        site: &SiteConfig,
        calls: &[HookCall],
    ) -> Result<(), StoreError> {
        let rows = addressed(site, calls);
        if rows.is_empty() {
            return Ok(());
        }
        let mut backoff = Backoff::WRITE;
        let mut tries = 0;
        loop {
            match self.store.enqueue(&rows).await {
                Ok(()) => return Ok(()),
                Err(e) if tries < 20 => {
                    tracing::warn!(error = %e, "webhook events not queued; retrying");
                    tries += 1;
                    backoff
                        .wait(&tokio_util::sync::CancellationToken::new())
                        .await;
                }
                Err(e) => return Err(e),
            }
        }
    }
}
