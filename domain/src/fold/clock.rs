//! Clocking on and off, bay holds and the bay segments they imply. These are effects only:
//! the rules have checked everything before calling them.

use jiff::SignedDuration;

use super::edit::Edit;
use super::track::{Holding, LastClockOff, OnOp, Washing};
use super::{BayHold, BaySegment, ClockOff, Clocked, Forgotten, State, Wash};
use crate::{Id, PauseReason, Settings, Time};

/// Whether clocking `badge` on `job` at `bay` meets another job holding the bay with someone
/// clocked on there. The badge itself does not count: it is switched off its previous op at
/// the same instant, before it clocks on.
pub(super) fn bay_busy(s: &State, badge: &Id, job: &Id, bay: &Id) -> bool {
    let Some(holder) = s.bays.get(bay).and_then(|b| b.holder.as_ref()) else {
        return false;
    };
    holder.job != *job && s.on_at(&holder.job, bay).any(|(b, _)| b != badge)
}

/// Clocks `badge` on `op` of `job` at `bay`: off its previous op (switched), the bay taken
/// from a job idling there, the job's hold moved here, and a deadline set for a forgotten
/// clock-off.
pub(super) fn clock_on(
    s: &mut Edit<'_>,
    settings: &Settings,
    badge: &Id,
    (job, op, bay): (&Id, &Id, &Id),
    ts: Time,
) {
    clock_off(s, badge, ClockOff::Switched, ts);
    let other = s
        .bays
        .get(bay)
        .and_then(|b| b.holder.as_ref())
        .map(|h| h.job.clone());
    if let Some(other) = other.filter(|o| o != job) {
        release(s, &other, ts);
    }
    let held = s.jobs.get(job).and_then(|j| j.bay.clone());
    if held.as_ref() != Some(bay) {
        release(s, job, ts);
        hold(s, job, bay, ts);
    }
    let rework = s.op(job, op).is_some_and(|o| o.reworked);
    let interval = s.push_clocked(Clocked {
        badge: badge.clone(),
        job: job.clone(),
        op: op.clone(),
        bay: bay.clone(),
        from: ts,
        to: None,
        end: None,
        rework,
    });
    let grace = settings.auto_clock_off_grace.max(SignedDuration::ZERO);
    let closing = settings
        .schedule
        .next_closing(ts)
        .map(|c| (c, c.saturating_add(grace).unwrap_or(Time::MAX)));
    if let Some((_, deadline)) = closing {
        s.add_deadline(deadline, badge);
    }
    s.badge_mut(badge).on = Some(OnOp {
        job: job.clone(),
        op: op.clone(),
        bay: bay.clone(),
        since: ts,
        interval,
        closing,
    });
    let jt = s.job_mut(job);
    jt.ever_started = true;
    let ot = jt.ops.entry(op.clone()).or_default();
    ot.on.insert(badge.clone(), ts);
    ot.started = true;
    ot.last_bay = Some(bay.clone());
    refresh(s, bay, ts);
}

/// Clocks `badge` off whatever it is on, if anything.
pub(super) fn clock_off(s: &mut Edit<'_>, badge: &Id, end: ClockOff, ts: Time) {
    clock_off_at(s, badge, end, ts, ts);
}

/// Clocks `badge` off at `ts`, as the timeline learns at `seen` (later than `ts` only for a
/// forgotten clock-off): the clocked interval ends at `ts`, the bay segments change at `seen`
/// because the segment log only ever grows at the end.
fn clock_off_at(s: &mut Edit<'_>, badge: &Id, end: ClockOff, ts: Time, seen: Time) {
    let Some(on) = s.existing_badge_mut(badge).and_then(|b| b.on.take()) else {
        return;
    };
    if let Some((_, deadline)) = on.closing {
        s.remove_deadline(deadline, badge);
    }
    s.close_clocked(on.interval, ts, end.clone());
    let jt = s.job_mut(&on.job);
    let ot = jt.ops.entry(on.op.clone()).or_default();
    ot.on.remove(badge);
    *ot.clocked.entry(badge.clone()).or_default() +=
        ts.duration_since(on.since).max(SignedDuration::ZERO);
    jt.last_clock_off = Some(LastClockOff {
        op: on.op.clone(),
        end,
        at: ts,
    });
    let held = jt.bay.clone();
    refresh(s, &on.bay, seen);
    if let Some(held) = held {
        refresh(s, &held, seen);
    }
}

/// Clocks off, at their closing time, the badges whose deadline (closing + grace) is at or
/// before `until`, in deadline order, and records each as a forgotten clock-off.
pub(super) fn expire(s: &mut Edit<'_>, until: Time) {
    while let Some((deadline, badge)) = s.pop_deadline(until) {
        let Some(on) = s.badges.get(&badge).and_then(|b| b.on.clone()) else {
            continue;
        };
        let Some((closing, _)) = on.closing else {
            continue;
        };
        clock_off_at(s, &badge, ClockOff::Forgotten, closing, deadline);
        s.push_forgotten(Forgotten {
            badge,
            job: on.job,
            op: on.op,
            bay: on.bay,
            since: on.since,
            closing,
            deadline,
        });
    }
}

fn hold(s: &mut Edit<'_>, job: &Id, bay: &Id, ts: Time) {
    let interval = s.push_hold(BayHold {
        bay: bay.clone(),
        job: job.clone(),
        from: ts,
        to: None,
    });
    let bt = s.bay_mut(bay);
    bt.holder = Some(Holding {
        job: job.clone(),
        since: ts,
        interval,
    });
    bt.idle_since = None;
    s.job_mut(job).bay = Some(bay.clone());
}

/// Ends the job's hold on its bay, if it holds one.
pub(super) fn release(s: &mut Edit<'_>, job: &Id, ts: Time) {
    let Some(bay) = s.existing_job_mut(job).and_then(|j| j.bay.take()) else {
        return;
    };
    let bt = s.bay_mut(&bay);
    if let Some(h) = bt.holder.take_if(|h| h.job == *job) {
        bt.idle_since = Some(ts);
        s.close_hold(h.interval, ts);
    }
    refresh(s, &bay, ts);
}

/// Brings the bay's open segment in line with its holder and who is clocked on there.
fn refresh(s: &mut Edit<'_>, bay: &Id, ts: Time) {
    let want = s.bays.get(bay).and_then(|b| b.holder.as_ref()).map(|h| {
        let working = s.on_at(&h.job, bay).next().is_some();
        let reason = (!working).then(|| {
            s.jobs
                .get(&h.job)
                .and_then(|j| j.last_clock_off.as_ref())
                .map_or(PauseReason::Other.into(), |c| c.end.blocking_reason())
        });
        (h.job.clone(), working, reason)
    });
    let open = s.bays.get(bay).and_then(|b| b.segment);
    let have = open
        .and_then(|i| s.segments.get(i))
        .map(|g| (g.job.clone(), g.working, g.reason.clone()));
    if have == want {
        return;
    }
    if let Some(i) = open {
        s.close_segment(i, ts);
    }
    let segment = want.map(|(job, working, reason)| {
        s.push_segment(BaySegment {
            bay: bay.clone(),
            job,
            working,
            reason,
            from: ts,
            to: None,
        })
    });
    s.bay_mut(bay).segment = segment;
}

/// Starts washing `job` (at `bay` if named), ending any wash it or that bay was in.
pub(super) fn wash_start(s: &mut Edit<'_>, job: &Id, bay: Option<&Id>, ts: Time) {
    wash_end(s, job, ts);
    if let Some(other) = bay
        .and_then(|b| s.bays.get(b)?.washing.as_ref())
        .map(|w| w.job.clone())
    {
        wash_end(s, &other, ts);
    }
    let interval = s.push_wash(Wash {
        job: job.clone(),
        bay: bay.cloned(),
        from: ts,
        to: None,
    });
    s.job_mut(job).washing = Some(interval);
    if let Some(bay) = bay {
        s.bay_mut(bay).washing = Some(Washing {
            job: job.clone(),
            since: ts,
            interval,
        });
    }
}

/// Ends the job's wash, if it is washing.
pub(super) fn wash_end(s: &mut Edit<'_>, job: &Id, ts: Time) {
    let Some(i) = s.existing_job_mut(job).and_then(|j| j.washing.take()) else {
        return;
    };
    let Some(bay) = s.close_wash(i, ts) else {
        return;
    };
    if let Some(bt) = bay.as_ref().and_then(|b| s.existing_bay_mut(b)) {
        bt.washing.take_if(|w| w.job == *job);
    }
}
