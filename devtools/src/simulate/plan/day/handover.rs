//! A car after its work: QC (which fails one early car a day, for a rework), washing,
//! the advisor's call that it is ready, and the handover.

use bayline_domain::EventKind;

use super::super::cards;
use super::{Day, Min, Rework};

impl Day<'_> {
    /// QC looks at the car some minutes after its last op. Every day one of the first three
    /// cars that can still be reworked in time fails (so each day shows a rework and a
    /// first-time-fix rate below 100 %); later ones fail rarely.
    pub(super) fn inspect(&mut self, t: usize, j: usize, done: Min) {
        if done + 150 > self.close {
            return;
        }
        self.eligible += 1;
        let fail = match self.any_fail {
            false => self.eligible > self.fail_at,
            true => self.rng.chance(0.04),
        };
        if !fail {
            return;
        }
        self.any_fail = true;
        let at = done + self.rng.between(10, 25);
        let ops = &self.jobs[j].card.ops;
        let op = self.rng.pick(ops).op.clone();
        let note = cards::qc_note(self.roster.language, self.rng).to_string();
        let (desk, qc) = (self.roster.qc_desk.clone(), self.roster.qc.clone());
        let job = self.job_id(j);
        let kind = EventKind::QcFail {
            job,
            op: Some(op.clone()),
            note: Some(note),
        };
        self.emit(at, &desk, &qc, kind);
        self.techs[t].rework.push(Rework {
            job: j,
            op,
            due: at,
        });
    }

    /// QC, washing, ready and handover of every car, in the order their work was done.
    pub(super) fn tails(&mut self) {
        let mut order: Vec<usize> = (0..self.jobs.len()).collect();
        order.sort_by_key(|&j| (self.jobs[j].done, j));
        let mut washer_free = 0;
        let r = self.roster;
        for j in order {
            let job = self.job_id(j);
            // Late in the day everyone hurries: the last cars leave within two hours of closing.
            let late = self.jobs[j].done > self.close - 30;
            let qc_at = self.jobs[j].done
                + if late {
                    self.rng.between(5, 10)
                } else {
                    self.rng.between(8, 25)
                };
            self.emit(
                qc_at,
                &r.qc_desk,
                &r.qc,
                EventKind::QcPass { job: job.clone() },
            );
            let mut after = qc_at;
            if let (true, Some(washer)) = (self.jobs[j].card.wash, &r.washer) {
                let start =
                    (qc_at + if late { 3 } else { self.rng.between(5, 15) }).max(washer_free);
                // After closing the washer hurries.
                let done = start
                    + if start > self.close {
                        8
                    } else {
                        self.rng.between(12, 25)
                    };
                washer_free = done + 1;
                let kind = EventKind::WashStart {
                    job: job.clone(),
                    bay: r.wash_bay.clone(),
                };
                self.emit(start, &r.qc_desk, washer, kind);
                let kind = EventKind::WashDone {
                    job: job.clone(),
                    bay: None,
                };
                self.emit(done, &r.qc_desk, washer, kind);
                after = done;
            }
            let ready = after + if late { 2 } else { self.rng.between(3, 12) };
            self.emit(
                ready,
                &r.front_desk,
                &r.advisor,
                EventKind::Ready { job: job.clone() },
            );
            // Customers come within the hour or so; after closing they are waiting already.
            let wait = if ready < self.close - 20 {
                self.rng.between(10, 80).min(self.close + 30 - ready).max(5)
            } else {
                self.rng.between(5, 15)
            };
            self.emit(
                ready + wait,
                &r.front_desk,
                &r.advisor,
                EventKind::Delivered { job },
            );
        }
    }
}
