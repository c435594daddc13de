//! One function per action (contract §3.1, §4). Each checks first and returns the anomaly
//! before touching anything, so an anomaly leaves the state as it was.

use super::edit::Edit;
use super::track::{OpTrack, QcResult};
use super::{clock, Call, ClockOff};
use crate::{
    CallReason, Catalog, Event, EventKey, EventKind, Id, Reason, Settings, Stage, Time, WarningCode,
};

type Rule = Result<(), WarningCode>;

/// Applies the event, `Ok` with the warning it is applied with (contract §7.6), or `Err`
/// with the anomaly it is kept as.
pub(super) fn apply(
    s: &mut Edit<'_>,
    cat: &Catalog,
    settings: &Settings,
    ev: &Event,
) -> Result<Option<WarningCode>, WarningCode> {
    let ts = ev.key.ts;
    let badge = &ev.badge;
    if let Some(job) = ev.kind.job() {
        let delivered =
            (s.jobs.get(job).and_then(|j| j.delivered_at)).or_else(|| cat.closed.get(job).copied());
        if delivered.is_some_and(|d| ts > d || matches!(ev.kind, EventKind::Delivered { .. })) {
            return Err(WarningCode::JobClosed);
        }
    }
    // Judged on the state before the event: a qc_fail reopens the job it inspects.
    let warning = super::warnings::warning(s, cat, settings, ev);
    match &ev.kind {
        EventKind::CheckIn { job } => check_in(s, job, ts)?,
        EventKind::Start { job, op, bay } => clock_on(s, settings, ev, job, op, Some(bay))?,
        EventKind::Resume { job, op, bay } => clock_on(s, settings, ev, job, op, bay.as_ref())?,
        EventKind::Pause { job, op, reason } => pause(
            s,
            &ev.key,
            badge,
            job,
            op,
            cat.pause_reasons.resolve(reason),
        )?,
        EventKind::Finish { job, op } => finish(s, cat, ev, job, op)?,
        EventKind::QcPass { job } => qc_pass(s, cat, &ev.key, job)?,
        EventKind::QcFail { job, op, .. } => qc_fail(s, cat, &ev.key, job, op.as_ref()),
        EventKind::WashStart { job, bay } => {
            clock::wash_start(s, job, bay.as_ref(), ts);
            s.job_mut(job).last_wash_start = Some(ev.key.clone());
        }
        EventKind::WashDone { job, .. } => {
            clock::wash_end(s, job, ts);
            let jt = s.job_mut(job);
            jt.last_wash_done = Some(ev.key.clone());
            jt.last_ready = Some(ev.key.clone());
        }
        EventKind::Ready { job } => {
            s.job_mut(job).last_ready = Some(ev.key.clone());
        }
        EventKind::Delivered { job } => {
            clock::release(s, job, ts);
            clock::wash_end(s, job, ts);
            s.job_mut(job).delivered_at = Some(ts);
        }
        EventKind::ShiftStart => shift_start(s, badge, ts)?,
        EventKind::ShiftEnd => shift_end(s, badge, ts)?,
        EventKind::Call { bay, reason } => call(s, ev, bay.as_ref(), *reason)?,
        EventKind::Answer { bay } => answer(s, ev, bay)?,
        EventKind::Clear { bay } => clear(s, ev, bay)?,
    }
    // Only these can bring a job to stage `ready` (§4 Stages): a ready or wash_done mark, or
    // a qc_pass of a job not washed. Later events only take it away.
    if let EventKind::QcPass { job } | EventKind::WashDone { job, .. } | EventKind::Ready { job } =
        &ev.kind
    {
        note_ready(s, cat, job, ts);
    }
    if let Some(jt) = ev.kind.job().and_then(|job| s.existing_job_mut(job)) {
        jt.last_moved = jt.last_moved.max(Some(ts));
        jt.first_moved = Some(jt.first_moved.map_or(ts, |f| f.min(ts)));
    }
    Ok(warning)
}

/// Records when the job first reached stage `ready`.
fn note_ready(s: &mut Edit<'_>, cat: &Catalog, job: &Id, ts: Time) {
    let Some(jt) = s.jobs.get(job) else { return };
    if jt.ready_at.is_none() && crate::stage::stage_of(jt, cat.jobs.get(job)) == Stage::Ready {
        if let Some(jt) = s.existing_job_mut(job) {
            jt.ready_at = Some(ts);
        }
    }
}

fn check_in(s: &mut Edit<'_>, job: &Id, ts: Time) -> Rule {
    if s.job(job).is_some_and(|j| j.checked_in_at.is_some()) {
        return Err(WarningCode::AlreadyCheckedIn);
    }
    s.job_mut(job).checked_in_at = Some(ts);
    Ok(())
}

fn clock_on(
    s: &mut Edit<'_>,
    settings: &Settings,
    ev: &Event,
    job: &Id,
    op: &Id,
    bay: Option<&Id>,
) -> Rule {
    let track = s.op(job, op);
    if track.is_some_and(|o| o.finished) {
        return Err(WarningCode::OpFinished);
    }
    if track.is_some_and(|o| o.on.contains_key(&ev.badge)) {
        return Err(WarningCode::AlreadyClockedOn);
    }
    let bay = match bay {
        Some(bay) => bay.clone(),
        None => track
            .and_then(|o| o.last_bay.clone())
            .ok_or(WarningCode::NoBay)?,
    };
    if clock::bay_busy(s, &ev.badge, job, &bay) {
        return Err(WarningCode::BayBusy);
    }
    clock::clock_on(s, settings, &ev.badge, (job, op, &bay), ev.key.ts);
    s.resolve_bay(&ev.key, bay);
    Ok(())
}

fn pause(s: &mut Edit<'_>, key: &EventKey, badge: &Id, job: &Id, op: &Id, reason: Reason) -> Rule {
    if !s.op(job, op).is_some_and(|o| o.on.contains_key(badge)) {
        return Err(WarningCode::NotClockedOn);
    }
    clock::clock_off(s, badge, ClockOff::Paused(reason.clone()), key.ts);
    let ot = s.job_mut(job).ops.entry(op.clone()).or_default();
    ot.last_pause = Some((key.clone(), reason));
    Ok(())
}

fn finish(s: &mut Edit<'_>, cat: &Catalog, ev: &Event, job: &Id, op: &Id) -> Rule {
    let key = &ev.key;
    if s.op(job, op).is_some_and(|o| o.finished) {
        return Err(WarningCode::OpFinished);
    }
    let on: Vec<Id> = s
        .op(job, op)
        .map(|o| o.on.keys().cloned().collect())
        .unwrap_or_default();
    for badge in &on {
        clock::clock_off(s, badge, ClockOff::Finished, key.ts);
    }
    let jt = s.job_mut(job);
    let ot = jt.ops.entry(op.clone()).or_default();
    ot.finished = true;
    if ot.first_finish.is_none() {
        ot.first_finish = Some(key.ts);
        ot.first_finish_by = Some(ev.badge.clone());
    }
    jt.last_finish = Some(key.clone());
    // A finished op was worked on, clocked or not: after rework the job is in progress.
    jt.ever_started = true;
    if jt.all_finished(cat.jobs.get(job)) {
        clock::release(s, job, key.ts);
    }
    Ok(())
}

fn qc_pass(s: &mut Edit<'_>, cat: &Catalog, key: &EventKey, job: &Id) -> Rule {
    let card = cat.jobs.get(job);
    let unfinished = match s.job(job) {
        Some(jt) => jt.any_unfinished(card),
        None => card.is_some_and(|c| !c.ops.is_empty()),
    };
    if unfinished {
        return Err(WarningCode::OpsUnfinished);
    }
    let jt = s.job_mut(job);
    jt.qc.push((QcResult::Pass, key.ts));
    jt.last_qc_pass = Some(key.clone());
    Ok(())
}

/// Always applied: a failed inspection reopens the named op, or every op (rework). A first
/// result that fails one op is the work of the badges that had clocked on that op.
fn qc_fail(s: &mut Edit<'_>, cat: &Catalog, key: &EventKey, job: &Id, op: Option<&Id>) {
    let jt = s.job_mut(job);
    if jt.qc.is_empty() {
        jt.first_fail_crew = op.map(|op| jt.ops.get(op).map(OpTrack::crew).unwrap_or_default());
    }
    jt.qc.push((QcResult::Fail, key.ts));
    jt.last_qc_fail = Some(key.clone());
    // Only work done once is redone: an op never finished is not reworked by the fail.
    let reopen = |ot: &mut OpTrack| {
        ot.reworked |= ot.first_finish.is_some();
        ot.finished = false;
    };
    match op {
        Some(op) => reopen(jt.ops.entry(op.clone()).or_default()),
        None => {
            for card_op in cat.jobs.get(job).into_iter().flat_map(|c| &c.ops) {
                jt.ops.entry(card_op.op.clone()).or_default();
            }
            jt.ops.values_mut().for_each(reopen);
        }
    }
}

/// Opens a call at the named bay, or at the bay the badge is clocked on at.
fn call(s: &mut Edit<'_>, ev: &Event, bay: Option<&Id>, reason: CallReason) -> Rule {
    let bay = match bay {
        Some(bay) => bay.clone(),
        None => (s.badge(&ev.badge).and_then(|b| b.on.as_ref()))
            .map(|on| on.bay.clone())
            .ok_or(WarningCode::NoBay)?,
    };
    if s.bay(&bay).is_some_and(|b| b.call.is_some()) {
        return Err(WarningCode::CallOpen);
    }
    let i = s.push_call(Call {
        bay: bay.clone(),
        badge: ev.badge.clone(),
        reason,
        opened: ev.key.ts,
        answered: None,
        cleared: None,
    });
    s.bay_mut(&bay).call = Some(i);
    s.resolve_bay(&ev.key, bay);
    Ok(())
}

/// The helper has come: the first answer counts, a second one is listed.
fn answer(s: &mut Edit<'_>, ev: &Event, bay: &Id) -> Rule {
    let i = s
        .bay(bay)
        .and_then(|b| b.call)
        .ok_or(WarningCode::NoOpenCall)?;
    if s.calls.get(i).is_some_and(|c| c.answered.is_some()) {
        return Err(WarningCode::AlreadyAnswered);
    }
    if let Some(c) = s.call_mut(i) {
        c.answered = Some((ev.key.ts, ev.badge.clone()));
    }
    Ok(())
}

/// Closes the bay's call. A call cleared without an answer stays unanswered: it was taken
/// back, or nobody said they came, and either way it has no answer time to count.
fn clear(s: &mut Edit<'_>, ev: &Event, bay: &Id) -> Rule {
    let i = s
        .bay(bay)
        .and_then(|b| b.call)
        .ok_or(WarningCode::NoOpenCall)?;
    if let Some(c) = s.call_mut(i) {
        c.cleared = Some((ev.key.ts, ev.badge.clone()));
    }
    s.bay_mut(bay).call = None;
    Ok(())
}

fn shift_start(s: &mut Edit<'_>, badge: &Id, ts: Time) -> Rule {
    if s.badge(badge).is_some_and(|b| b.on_shift()) {
        return Err(WarningCode::AlreadyOnShift);
    }
    let i = s.push_attendance(super::Attendance {
        badge: badge.clone(),
        from: ts,
        to: None,
    });
    s.badge_mut(badge).shift = Some(i);
    Ok(())
}

fn shift_end(s: &mut Edit<'_>, badge: &Id, ts: Time) -> Rule {
    let Some(i) = s.badge(badge).and_then(|b| b.shift) else {
        return Err(WarningCode::NotOnShift);
    };
    clock::clock_off(s, badge, ClockOff::ShiftEnd, ts);
    s.close_attendance(i, ts);
    s.badge_mut(badge).shift = None;
    Ok(())
}
