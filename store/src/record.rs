//! What is written for each scan, and how stored rows become domain events again.

use bayline_domain::{Event, EventKey, EventKind, Reason, Time};
use bayline_proto::{Action, CallReason, Id, RejectCode, Reply, WarningCode};

use crate::StoreError;

/// What was decided about a scan.
// Most scans are accepted: boxing the event would cost an allocation for each.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Decision {
    /// Applied: the event, and the warning it was applied with.
    Accepted {
        event: Event,
        warning: Option<WarningCode>,
    },
    /// Refused: why, and the detail its handheld was told.
    Rejected { code: RejectCode, detail: String },
}

impl Decision {
    /// The `status` column.
    pub fn status(&self) -> &'static str {
        match self {
            Decision::Accepted { .. } => "accepted",
            Decision::Rejected { .. } => "rejected",
        }
    }

    /// The `code` column: the reject code, or the warning an accepted scan got.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            Decision::Accepted { warning, .. } => warning.map(WarningCode::as_str),
            Decision::Rejected { code, .. } => Some(code.as_str()),
        }
    }

    /// The event, when it was applied.
    pub fn event(&self) -> Option<&Event> {
        match self {
            Decision::Accepted { event, .. } => Some(event),
            Decision::Rejected { .. } => None,
        }
    }
}

/// One row of the `scans` table: a scan as it arrived, what was decided, and the reply.
#[derive(Debug, Clone)]
pub struct ScanRecord {
    pub site: Id,
    pub scanner: Id,
    pub seq: Option<u64>,
    pub first_of_seq: bool,
    pub received_at: Time,
    pub decision: Decision,
    pub canonical: Option<String>,
    pub size: usize,
    pub raw: Vec<u8>,
    pub reply: Reply,
}

impl ScanRecord {
    /// The event, when it was applied.
    pub fn event(&self) -> Option<&Event> {
        self.decision.event()
    }
}

/// The event's columns: (action, job, op, bay, reason).
pub(crate) fn event_columns(
    kind: &EventKind,
) -> (
    &'static str,
    Option<&str>,
    Option<&str>,
    Option<&str>,
    Option<String>,
) {
    let reason = match kind {
        EventKind::Pause { reason, .. } => Some(reason.name().to_string()),
        EventKind::QcFail { note, .. } => note.clone(),
        EventKind::Call { reason, .. } => Some(reason.as_str().to_string()),
        _ => None,
    };
    (
        kind.action().as_str(),
        kind.job().map(Id::as_str),
        kind.op().map(Id::as_str),
        kind.bay().map(Id::as_str),
        reason,
    )
}

/// The stored columns of an accepted scan, back to its event.
#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    pub scanner: String,
    pub seq: i64,
    pub ts: String,
    pub badge: String,
    pub action: String,
    pub job: Option<String>,
    pub op: Option<String>,
    pub bay: Option<String>,
    pub reason: Option<String>,
}

impl EventRow {
    pub fn into_event(self) -> Result<Event, StoreError> {
        let bad =
            |what: &str| StoreError::Corrupt(format!("scan {}#{}: {what}", self.scanner, self.seq));
        let id = |s: &Option<String>, what: &str| -> Result<Id, StoreError> {
            s.as_deref()
                .and_then(|s| Id::new(s).ok())
                .ok_or_else(|| bad(what))
        };
        let opt = |s: &Option<String>| s.as_deref().and_then(|s| Id::new(s).ok());
        let action = Action::parse(&self.action).ok_or_else(|| bad("action"))?;
        let kind = match action {
            Action::CheckIn => EventKind::CheckIn {
                job: id(&self.job, "job")?,
            },
            Action::Start => EventKind::Start {
                job: id(&self.job, "job")?,
                op: id(&self.op, "op")?,
                bay: id(&self.bay, "bay")?,
            },
            Action::Pause => EventKind::Pause {
                job: id(&self.job, "job")?,
                op: id(&self.op, "op")?,
                reason: self
                    .reason
                    .as_deref()
                    .and_then(Reason::parse)
                    .ok_or_else(|| bad("reason"))?,
            },
            Action::Resume => EventKind::Resume {
                job: id(&self.job, "job")?,
                op: id(&self.op, "op")?,
                bay: opt(&self.bay),
            },
            Action::Finish => EventKind::Finish {
                job: id(&self.job, "job")?,
                op: id(&self.op, "op")?,
            },
            Action::QcPass => EventKind::QcPass {
                job: id(&self.job, "job")?,
            },
            Action::QcFail => EventKind::QcFail {
                job: id(&self.job, "job")?,
                op: opt(&self.op),
                note: self.reason.clone(),
            },
            Action::WashStart => EventKind::WashStart {
                job: id(&self.job, "job")?,
                bay: opt(&self.bay),
            },
            Action::WashDone => EventKind::WashDone {
                job: id(&self.job, "job")?,
                bay: opt(&self.bay),
            },
            Action::Ready => EventKind::Ready {
                job: id(&self.job, "job")?,
            },
            Action::Delivered => EventKind::Delivered {
                job: id(&self.job, "job")?,
            },
            Action::ShiftStart => EventKind::ShiftStart,
            Action::ShiftEnd => EventKind::ShiftEnd,
            Action::Call => EventKind::Call {
                bay: opt(&self.bay),
                reason: self
                    .reason
                    .as_deref()
                    .and_then(CallReason::parse)
                    .ok_or_else(|| bad("reason"))?,
            },
            Action::Answer => EventKind::Answer {
                bay: id(&self.bay, "bay")?,
            },
            Action::Clear => EventKind::Clear {
                bay: id(&self.bay, "bay")?,
            },
        };
        Ok(Event {
            key: EventKey {
                ts: self.ts.parse().map_err(|_| bad("ts"))?,
                scanner: Id::new(&self.scanner).map_err(|_| bad("scanner"))?,
                seq: self.seq as u64,
            },
            badge: Id::new(&self.badge).map_err(|_| bad("badge"))?,
            kind,
        })
    }
}
