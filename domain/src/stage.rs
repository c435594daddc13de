//! A job's stage (contract §4 "Stages"), and its words for customers.

use crate::fold::JobTrack;
use crate::{JobCard, PauseReason};

/// One definition for the API, the views and the boards.
pub use bayline_proto::board::Stage;

/// A job's stage now, by the contract's first-rule-that-holds list (§4 "Stages"). `card` is
/// `None` for a job the catalog no longer knows (washed, no ops).
///
/// "After X" means an X more recent than the last `qc_fail`, which sends the job back to work;
/// for `qc_pass` also more recent than the last `finish`.
pub fn stage_of(job: &JobTrack, card: Option<&JobCard>) -> Stage {
    let wash = card.is_none_or(|c| c.wash);
    if job.delivered_at.is_some() {
        Stage::Delivered
    } else if job.since_rework(&job.last_ready) {
        Stage::Ready
    } else if job.since_rework(&job.last_wash_start) {
        Stage::Washing
    } else if job.qc_passed() {
        if wash {
            Stage::Washing
        } else {
            Stage::Ready
        }
    } else if job.all_finished(card) {
        Stage::QualityCheck
    } else if job.anyone_on() {
        Stage::InProgress
    } else if let Some(waiting) = job
        .last_pause_reason()
        .and_then(|r| waiting_stage(r.category))
    {
        waiting
    } else if job.ever_started {
        Stage::InProgress
    } else if job.checked_in_at.is_some() {
        Stage::CheckedIn
    } else {
        Stage::Booked
    }
}

fn waiting_stage(reason: PauseReason) -> Option<Stage> {
    match reason {
        PauseReason::Parts => Some(Stage::WaitingParts),
        PauseReason::Approval => Some(Stage::WaitingApproval),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::*;
    use crate::Event;

    /// The stage of `job` after each prefix of `events`.
    fn stages(job: &str, events: &[Event]) -> Vec<Stage> {
        (1..=events.len())
            .map(|n| {
                shop(events[..n].iter().cloned())
                    .state()
                    .stage(&catalog(), job)
            })
            .collect()
    }

    #[test]
    fn a_washed_job_goes_through_every_stage_in_order() {
        let events = [
            ev(0, "A1", check_in("J1")),
            ev(10, "T1", start("J1", "10", "B01")),
            ev(20, "T1", pause("J1", "10", PauseReason::Parts)),
            ev(30, "T1", resume("J1", "10", None)),
            ev(40, "T1", pause("J1", "10", PauseReason::Approval)),
            ev(50, "T1", pause("J1", "10", PauseReason::Break)),
            ev(60, "T1", resume("J1", "10", None)),
            ev(70, "T1", pause("J1", "10", PauseReason::Break)),
            ev(80, "T1", finish("J1", "10")),
            ev(90, "T1", finish("J1", "20")),
            ev(100, "Q1", qc_pass("J1")),
            ev(110, "T3", wash_start("J1", Some("W1"))),
            ev(120, "T3", wash_done("J1")),
            ev(130, "A1", delivered("J1")),
        ];
        use Stage::*;
        assert_eq!(
            stages("J1", &events),
            [
                CheckedIn,
                InProgress,
                WaitingParts,
                InProgress,
                WaitingApproval,
                WaitingApproval, // a pause when not clocked on is an anomaly
                InProgress,
                InProgress, // a break is not a waiting stage
                InProgress,
                QualityCheck,
                Washing,
                Washing,
                Ready,
                Delivered,
            ]
        );
    }

    #[test]
    fn a_job_with_no_events_is_booked() {
        assert_eq!(shop([]).state().stage(&catalog(), "J1"), Stage::Booked);
    }

    #[test]
    fn a_job_not_washed_is_ready_after_qc_pass() {
        let events = [
            ev(10, "T1", finish("J2", "10")),
            ev(20, "Q1", qc_pass("J2")),
        ];
        assert_eq!(stages("J2", &events), [Stage::QualityCheck, Stage::Ready]);
    }

    #[test]
    fn the_ready_scan_makes_a_job_ready_whatever_came_before() {
        let events = [ev(0, "A1", check_in("J1")), ev(10, "A1", ready("J1"))];
        assert_eq!(stages("J1", &events), [Stage::CheckedIn, Stage::Ready]);
    }

    #[test]
    fn rework_after_a_failed_qc_goes_back_to_quality_check() {
        let events = [
            ev(10, "T1", finish("J2", "10")),
            ev(20, "Q1", qc_fail("J2", None)),
            ev(30, "T1", resume("J2", "10", Some("B01"))),
            ev(40, "T1", finish("J2", "10")),
            ev(50, "Q1", qc_pass("J2")),
        ];
        use Stage::*;
        assert_eq!(
            stages("J2", &events),
            [QualityCheck, InProgress, InProgress, QualityCheck, Ready]
        );
    }

    #[test]
    fn a_failed_qc_after_washing_sends_the_job_back_to_work() {
        let events = [
            ev(10, "T1", finish("J1", "10")),
            ev(11, "T1", finish("J1", "20")),
            ev(20, "Q1", qc_pass("J1")),
            ev(30, "T3", wash_start("J1", None)),
            ev(40, "Q1", qc_fail("J1", Some("20"))),
        ];
        assert_eq!(
            stages("J1", &events)[3..],
            [Stage::Washing, Stage::InProgress]
        );
    }

    #[test]
    fn a_job_with_no_ops_never_reaches_quality_check_by_itself() {
        let mut track = JobTrack {
            checked_in_at: Some(crate::testkit::t(0)),
            ..Default::default()
        };
        let empty = card("J0", &[], true);
        assert_eq!(stage_of(&track, Some(&empty)), Stage::CheckedIn);
        track.ever_started = true;
        assert_eq!(stage_of(&track, None), Stage::InProgress);
    }
}
