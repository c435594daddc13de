//! A technician at work: one op from start to finish with its interruptions (parts,
//! approval, lunch, a rework he switches to), reworks between ops, and colleagues who lend a
//! hand while they wait.

use bayline_domain::{EventKind, PauseReason};
use bayline_proto::Id;

use super::{pause, resume, Day, Kind, Min, Segment, Wait};

impl Day<'_> {
    /// Lunch taken while idle: a technician free at lunch time eats before his next op.
    pub(super) fn after_lunch(&mut self, t: usize, at: Min) -> Min {
        match self.techs[t].lunch {
            Some((l, len)) if at >= l => {
                self.techs[t].lunch = None;
                at.max(l + len)
            }
            _ => at,
        }
    }

    /// Reworks that fell due while the technician was between ops come first.
    pub(super) fn due_rework(&mut self, t: usize, mut at: Min) -> Min {
        while let Some(i) = self.techs[t].rework.iter().position(|r| r.due < at) {
            let r = self.techs[t].rework.remove(i);
            let start = self.after_lunch(t, at);
            let end = self.work(t, r.job, &r.op, Kind::Rework, start);
            self.jobs[r.job].done = end;
            at = end + self.rng.between(2, 4);
        }
        at
    }

    /// Reworks still open when his last car is done.
    pub(super) fn leftover_rework(&mut self, t: usize) {
        while let Some(r) = self.techs[t].rework.pop() {
            let at = self.techs[t].cursor.max(r.due) + self.rng.between(2, 5);
            let at = self.after_lunch(t, at);
            let end = self.work(t, r.job, &r.op, Kind::Rework, at);
            self.jobs[r.job].done = end;
            self.techs[t].cursor = end;
        }
    }

    /// Technician `t` works `op` of job `j` from `at` until it is finished; returns when.
    pub(super) fn work(&mut self, t: usize, j: usize, op: &Id, kind: Kind, at: Min) -> Min {
        let job = self.job_id(j);
        let bay = self.roster.techs[t].bay.clone();
        let start = EventKind::Start {
            job: job.clone(),
            op: op.clone(),
            bay,
        };
        self.emit_tech(t, at, start);
        let fresh = matches!(kind, Kind::Fresh(_));
        let need = match kind {
            Kind::Fresh(std) => ((std * 60.0) as Min * self.rng.between(75, 135) / 100).max(8),
            Kind::Rework => self.rng.between(15, 35),
        };
        // Interruptions by worked minutes: parts, then (maybe) the customer's approval.
        let mut stops: Vec<(Min, PauseReason, Min)> = Vec::new();
        if fresh && self.rng.chance(0.14) {
            let off = need * self.rng.between(20, 60) / 100;
            stops.push((off, PauseReason::Parts, self.rng.between(20, 70)));
        }
        if fresh && self.rng.chance(0.09) {
            let off = need * self.rng.between(10, 50) / 100;
            stops.push((off, PauseReason::Approval, self.rng.between(15, 45)));
        }
        stops.sort_by_key(|s| s.0);
        let latest = self.close + self.roster.overtime_min;
        let (mut cur, mut worked, mut from) = (at, 0, at);
        loop {
            let finish = cur + (need - worked).max(1);
            let stop = stops.first().map(|s| cur + (s.0 - worked).max(1));
            let lunch = (self.techs[t].lunch).map(|(l, _)| l.max(cur + 1));
            let rework = (fresh)
                .then(|| self.techs[t].rework.iter().map(|r| r.due).min())
                .flatten()
                .map(|due| (due + 2).max(cur + 1));
            let next = [stop, lunch, rework].into_iter().flatten().min();
            if next.is_none_or(|n| finish <= n) {
                let end = finish.min(latest).max(cur + 1);
                self.emit_tech(
                    t,
                    end,
                    EventKind::Finish {
                        job,
                        op: op.clone(),
                    },
                );
                self.segment(t, j, op, from, end);
                return end;
            }
            let Some(n) = next else { return finish };
            if Some(n) == stop {
                let (_, reason, wait) = stops.remove(0);
                if n + wait > self.close - 15 {
                    continue; // too late in the day to wait: he carries on
                }
                self.segment(t, j, op, from, n);
                self.emit_tech(t, n, pause(&job, op, reason));
                let back = n + wait;
                if self.techs[t].lunch.is_some_and(|(l, _)| l < back) {
                    self.techs[t].lunch = None; // he eats while he waits
                }
                self.waits.push(Wait {
                    tech: t,
                    job: j,
                    from: n,
                    to: back,
                });
                self.emit_tech(t, back, resume(&job, op));
                (worked, cur, from) = (worked + n - cur, back, back);
            } else if Some(n) == lunch {
                let len = self.techs[t].lunch.map_or(45, |(_, len)| len);
                self.techs[t].lunch = None;
                self.segment(t, j, op, from, n);
                self.emit_tech(t, n, pause(&job, op, PauseReason::Break));
                let back = n + len;
                self.emit_tech(t, back, resume(&job, op));
                (worked, cur, from) = (worked + n - cur, back, back);
            } else {
                // A car he finished failed QC: he leaves this op for the rework (`switched`)
                // and comes back to it afterwards.
                self.segment(t, j, op, from, n);
                let i = (self.techs[t].rework.iter().enumerate())
                    .min_by_key(|(_, r)| r.due)
                    .map_or(0, |(i, _)| i);
                let r = self.techs[t].rework.remove(i);
                let end = self.work(t, r.job, &r.op, Kind::Rework, n);
                self.jobs[r.job].done = end;
                let back = end + self.rng.between(1, 3);
                self.emit_tech(t, back, resume(&job, op));
                (worked, cur, from) = (worked + n - cur, back, back);
            }
        }
    }

    fn segment(&mut self, tech: usize, job: usize, op: &Id, from: Min, to: Min) {
        self.segments.push(Segment {
            tech,
            job,
            op: op.clone(),
            from,
            to,
            helped: false,
        });
    }

    /// A technician waiting half an hour or more for parts or approval lends a colleague a
    /// hand: he clocks on the colleague's op and leaves it (`switched`) when he resumes his
    /// own, which is always before the colleague stops.
    pub(super) fn helpers(&mut self) {
        let waits = std::mem::take(&mut self.waits);
        for w in &waits {
            if w.to - w.from < 25 {
                continue;
            }
            let join = w.from + self.rng.between(3, 8);
            let found = self.segments.iter().position(|s| {
                let t1 = join.max(s.from + 3);
                !s.helped
                    && s.tech != w.tech
                    && s.job != w.job
                    && t1 + 10 <= w.to
                    && s.to >= w.to + 3
            });
            let Some(i) = found else { continue };
            self.segments[i].helped = true;
            let s = &self.segments[i];
            let at = join.max(s.from + 3);
            let kind = EventKind::Start {
                job: self.jobs[s.job].card.job.clone(),
                op: s.op.clone(),
                bay: self.roster.techs[s.tech].bay.clone(),
            };
            self.emit_tech(w.tech, at, kind);
        }
        self.waits = waits;
    }
}
