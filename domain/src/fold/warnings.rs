//! Who may scan what (contract §7.6, issue 18): the warnings a scan that makes sense is
//! applied with. Each questions who scanned, or what was skipped or planned, never whether
//! the scan can happen, so the scan is applied, answered with the warning and listed for
//! review; refusing it would only hide the car's real state from the boards. The rules are
//! written down in docs/rules.md ("Roles").

use super::edit::Edit;
use crate::{Assignee, BayKind, Catalog, Event, EventKind, Id, Role, Settings, WarningCode};

/// The warning `ev` is applied with, judged on the state before it: a qc_fail reopens the
/// job it inspects. One warning a scan; where two rules hold, the one a manager must see
/// first: a badge inspecting its own work before one that is not QC, a role that does not
/// do the work before a plan not followed.
pub(super) fn warning(
    s: &Edit<'_>,
    cat: &Catalog,
    settings: &Settings,
    ev: &Event,
) -> Option<WarningCode> {
    let role = cat.badges.get(&ev.badge).copied();
    match &ev.kind {
        EventKind::Start { job, op, bay } => {
            wrong_role(role, labour(role, cat.bays.get(bay).copied()))
                .or_else(|| not_assigned(cat, settings, ev, job, op))
        }
        EventKind::Resume { job, op, bay } => {
            let bay = bay
                .clone()
                .or_else(|| s.op(job, op).and_then(|o| o.last_bay.clone()));
            let kind = bay.and_then(|b| cat.bays.get(&b).copied());
            wrong_role(role, labour(role, kind))
        }
        EventKind::QcPass { job } | EventKind::QcFail { job, .. } => {
            let worked = s.job(job).is_some_and(|jt| jt.ever_clocked(&ev.badge));
            if worked {
                Some(WarningCode::SelfInspection)
            } else if role != Some(Role::Qc) {
                Some(WarningCode::NotQc)
            } else {
                None
            }
        }
        EventKind::Ready { job } | EventKind::Delivered { job } => {
            let passed = s.job(job).is_some_and(|jt| jt.qc_passed());
            if !passed {
                Some(WarningCode::NoQc)
            } else {
                wrong_role(role, front_desk(role))
            }
        }
        EventKind::CheckIn { .. } => wrong_role(role, front_desk(role)),
        EventKind::WashStart { .. } | EventKind::WashDone { .. } => {
            wrong_role(role, matches!(role, Some(Role::Washer | Role::Technician)))
        }
        _ => None,
    }
}

/// `wrong_role` unless the role fits. A badge the catalog does not know has no role to be
/// wrong (a scan from one is refused `unknown_badge` before it gets here).
fn wrong_role(role: Option<Role>, fits: bool) -> Option<WarningCode> {
    (role.is_some() && !fits).then_some(WarningCode::WrongRole)
}

/// Clocking on an op is a technician's work; a washer's at a wash bay and an inspector's at a
/// QC bay are theirs too (a wash or an inspection sold as an op). A bay unknown here (a
/// resume with no bay yet) judges by role alone.
fn labour(role: Option<Role>, bay: Option<BayKind>) -> bool {
    match role {
        Some(Role::Technician) => true,
        Some(Role::Washer) => bay == Some(BayKind::Wash),
        Some(Role::Qc) => bay == Some(BayKind::Qc),
        _ => false,
    }
}

/// Receiving a car and handing it over are the service advisor's (or a manager's): the
/// promise and the customer are theirs.
fn front_desk(role: Option<Role>) -> bool {
    matches!(role, Some(Role::Advisor | Role::Manager))
}

/// A start against the foreman's plan (contract §7.3).
fn not_assigned(
    cat: &Catalog,
    settings: &Settings,
    ev: &Event,
    job: &Id,
    op: &Id,
) -> Option<WarningCode> {
    let planned = cat.jobs.get(job)?.op(op)?.assignment.as_ref()?;
    let theirs = match &planned.to {
        Assignee::Badge(b) => *b == ev.badge,
        Assignee::Team(t) => {
            (settings.roster.get(&ev.badge)).is_some_and(|p| p.team.as_ref() == Some(t))
        }
    };
    (!theirs).then_some(WarningCode::NotAssigned)
}
