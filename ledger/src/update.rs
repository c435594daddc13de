//! [`Update`]: what live clients (SSE, boards) are told of, local or heard from another
//! process.

use bayline_domain::{Event, EventKey, EventKind, Time, Workshop};
use bayline_proto::Id;

/// A change worth telling live clients about (SSE, boards).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Update {
    pub site: Id,
    pub kind: UpdateKind,
    pub job: Option<Id>,
    pub bay: Option<Id>,
    pub badge: Option<Id>,
    pub action: Option<&'static str>,
    /// Who a call asks for.
    pub reason: Option<&'static str>,
    pub at: Time,
    /// A `promise` change: the job's `late` and `at_risk` now (contract §7.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub late: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_risk: Option<bool>,
}

/// What an [`Update`] is about; its name is the SSE event's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateKind {
    /// A scan was applied.
    Scan,
    /// An andon call was made, answered or cleared.
    Call,
    /// A job card was created, replaced or assigned.
    Job,
    /// A correction was made.
    Correction,
    /// A job's `late` or `at_risk` changed.
    Promise,
    /// The site was read again whole from the store.
    Resync,
}

impl UpdateKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UpdateKind::Scan => "scan",
            UpdateKind::Call => "call",
            UpdateKind::Job => "job",
            UpdateKind::Correction => "correction",
            UpdateKind::Promise => "promise",
            UpdateKind::Resync => "resync",
        }
    }
}

impl Update {
    pub(super) fn of_event(site: &Id, e: &Event, at: Time) -> Update {
        let (kind, reason) = match &e.kind {
            EventKind::Call { reason, .. } => (UpdateKind::Call, Some(reason.as_str())),
            EventKind::Answer { .. } | EventKind::Clear { .. } => (UpdateKind::Call, None),
            _ => (UpdateKind::Scan, None),
        };
        Update {
            site: site.clone(),
            kind,
            job: e.kind.job().cloned(),
            bay: e.kind.bay().cloned(),
            badge: Some(e.badge.clone()),
            action: Some(e.kind.action().as_str()),
            reason,
            at,
            late: None,
            at_risk: None,
        }
    }

    /// A call made without a bay is at the bay its badge was clocked on at: says which, as
    /// the timeline resolved it on admitting the event `key`.
    pub(super) fn resolve_call_bay(&mut self, key: &EventKey, workshop: &Workshop) {
        if self.kind == UpdateKind::Call && self.bay.is_none() {
            self.bay = workshop.resolved_bay(key);
        }
    }

    pub(super) fn of_job(site: &Id, job: &Id, at: Time) -> Update {
        Update {
            site: site.clone(),
            kind: UpdateKind::Job,
            job: Some(job.clone()),
            bay: None,
            badge: None,
            action: None,
            reason: None,
            at,
            late: None,
            at_risk: None,
        }
    }

    pub(super) fn of_promise(
        site: &Id,
        job: &Id,
        (late, at_risk): (bool, bool),
        at: Time,
    ) -> Update {
        Update {
            kind: UpdateKind::Promise,
            late: Some(late),
            at_risk: Some(at_risk),
            ..Update::of_job(site, job, at)
        }
    }
}
