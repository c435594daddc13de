//! One working day, minute by minute (minutes count from opening time).
//!
//! Cars arrive through the morning; each is given to the technician who can start it first,
//! if it fits in his day. He works its labour lines one after another at his bay: he pauses
//! for parts or for the customer's approval (and may help a colleague meanwhile), pauses for
//! lunch, and drops what he is doing (`switched`) to rework a car that failed QC. QC passes
//! it, the washer washes it, the advisor calls the customer (`ready`) and hands it over.

use bayline_domain::{EventKind, JobCard, OpCard, PauseReason, Time};
use bayline_proto::Id;
use jiff::civil::Date;
use jiff::SignedDuration;

use super::cards::{self, Labour, Rng, LABOUR, VEHICLES};
use super::{Draft, Roster};

mod work;

/// Minutes from opening time.
type Min = i64;

pub(crate) struct DayOut {
    pub jobs: Vec<JobCard>,
    pub drafts: Vec<Draft>,
}

/// A stretch a technician was clocked on one op without a break: where a colleague waiting
/// for parts can lend a hand.
struct Segment {
    tech: usize,
    job: usize,
    op: Id,
    from: Min,
    to: Min,
    helped: bool,
}

/// A pause for parts or approval: the technician is free until `to`.
struct Wait {
    tech: usize,
    job: usize,
    from: Min,
    to: Min,
}

/// A reopened op its technician must rework, from minute `due` on.
struct Rework {
    job: usize,
    op: Id,
    due: Min,
}

struct TechDay {
    /// When he is free for the next op.
    cursor: Min,
    /// (at, length) while lunch is still to come.
    lunch: Option<(Min, Min)>,
    rework: Vec<Rework>,
    /// His last scan, for the shift end.
    last: Min,
}

struct JobDraft {
    card: JobCard,
    /// When its last op was finished (after rework, if any).
    done: Min,
}

enum Kind {
    Fresh(f64),
    Rework,
}

struct Day<'a> {
    roster: &'a Roster,
    close: Min,
    rng: &'a mut Rng,
    techs: Vec<TechDay>,
    jobs: Vec<JobDraft>,
    segments: Vec<Segment>,
    waits: Vec<Wait>,
    scans: Vec<(Min, Id, Id, EventKind)>,
    any_fail: bool,
    /// Cars so far that could fail QC and still be reworked today, and which of them fails.
    eligible: i64,
    fail_at: i64,
}

/// Plans the day `date`, open `[open, close)`, with lunch around `noon`.
pub(crate) fn plan(
    roster: &Roster,
    date: Date,
    (open, close, noon): (Time, Time, Time),
    rng: &mut Rng,
) -> DayOut {
    let close_m = close.duration_since(open).as_mins();
    let lunch_base = noon.duration_since(open).as_mins().max(150);
    let techs = (roster.techs.iter())
        .map(|_| {
            let at = lunch_base + rng.between(-10, 25);
            let len = rng.between(40, 60);
            TechDay {
                cursor: 0,
                lunch: (at + len + 60 <= close_m).then_some((at, len)),
                rework: Vec::new(),
                last: 0,
            }
        })
        .collect();
    let mut day = Day {
        roster,
        close: close_m,
        rng,
        techs,
        jobs: Vec::new(),
        segments: Vec::new(),
        waits: Vec::new(),
        scans: Vec::new(),
        any_fail: false,
        eligible: 0,
        fail_at: 0,
    };
    day.fail_at = day.rng.between(0, 2);
    for t in 0..roster.techs.len() {
        let at = -day.rng.between(5, 20);
        day.emit_tech(t, at, EventKind::ShiftStart);
    }
    day.arrivals(date, open);
    for t in 0..roster.techs.len() {
        day.leftover_rework(t);
    }
    day.helpers();
    day.tails();
    for t in 0..roster.techs.len() {
        let end = day.techs[t].last.max(close_m - 3) + day.rng.between(3, 12);
        day.emit_tech(t, end, EventKind::ShiftEnd);
    }
    let jitter = &mut *day.rng;
    let drafts = (day.scans.into_iter())
        .map(|(m, scanner, badge, kind)| Draft {
            // Seconds of jitter below a minute never reorder events a minute apart.
            ts: open
                + SignedDuration::from_mins(m)
                + SignedDuration::from_secs(jitter.between(0, 40)),
            scanner,
            badge,
            kind,
        })
        .collect();
    DayOut {
        jobs: day.jobs.into_iter().map(|j| j.card).collect(),
        drafts,
    }
}

impl Day<'_> {
    fn emit(&mut self, at: Min, scanner: &Id, badge: &Id, kind: EventKind) {
        self.scans.push((at, scanner.clone(), badge.clone(), kind));
    }

    fn emit_tech(&mut self, t: usize, at: Min, kind: EventKind) {
        let tech = &self.roster.techs[t];
        self.scans
            .push((at, tech.scanner.clone(), tech.badge.clone(), kind));
        self.techs[t].last = self.techs[t].last.max(at);
    }

    fn job_id(&self, j: usize) -> Id {
        self.jobs[j].card.job.clone()
    }

    /// Cars arrive, mostly in the morning; each goes to the technician who can start it
    /// first if it fits before closing, else it is not booked today.
    fn arrivals(&mut self, date: Date, open: Time) {
        let n = self.roster.techs.len() * 3 + 2;
        let mut arrivals: Vec<Min> = (0..n)
            .map(|_| {
                // Cubed: most cars come in the first two hours.
                let x = self.rng.between(0, 1000);
                x * x * x * 330 / 1_000_000_000 - 20
            })
            .collect();
        arrivals.sort_unstable();
        for arrival in arrivals {
            let nops = *self.rng.pick(&[1usize, 1, 1, 2, 2, 2, 2, 3, 3, 3]);
            let mut lines: Vec<&'static Labour> = Vec::new();
            while lines.len() < nops {
                let l = self.rng.pick(LABOUR);
                if !lines.iter().any(|x| std::ptr::eq(*x, l)) {
                    lines.push(l);
                }
            }
            let std: Vec<f64> = (lines.iter())
                .map(|l| self.rng.between(l.std_tenths.0, l.std_tenths.1) as f64 / 10.0)
                .collect();
            let work: f64 = std.iter().sum();
            let estimate = (work * 66.0) as Min + 5 * nops as Min;
            let ready = arrival + self.rng.between(8, 15);
            let mut order: Vec<usize> = (0..self.techs.len()).collect();
            order.sort_by_key(|&t| (self.techs[t].cursor.max(ready), t));
            // When he would be done with it, if that is early enough.
            let fits = |d: &TechDay| {
                let start = d.cursor.max(ready);
                let lunch = d
                    .lunch
                    .map_or(0, |(at, len)| if at < start + estimate { len } else { 0 });
                let end = start + estimate + lunch;
                (end <= self.close - 45).then_some(end)
            };
            let Some((t, end)) = order
                .into_iter()
                .find_map(|t| fits(&self.techs[t]).map(|end| (t, end)))
            else {
                continue;
            };
            let j = self.open_card(date, open, end, &lines, &std);
            let job = self.job_id(j);
            let (fd, advisor) = (self.roster.front_desk.clone(), self.roster.advisor.clone());
            self.emit(arrival, &fd, &advisor, EventKind::CheckIn { job });
            let mut at = self.techs[t].cursor.max(ready);
            let ops: Vec<(Id, f64)> = (self.jobs[j].card.ops.iter())
                .map(|o| (o.op.clone(), o.std_hours))
                .collect();
            for (k, (op, std)) in ops.into_iter().enumerate() {
                if k > 0 {
                    at = self.techs[t].cursor + self.rng.between(2, 5);
                }
                at = self.due_rework(t, at);
                at = self.after_lunch(t, at);
                let end = self.work(t, j, &op, Kind::Fresh(std), at);
                self.techs[t].cursor = end;
            }
            let done = self.techs[t].cursor;
            self.jobs[j].done = done;
            self.inspect(t, j, done);
            self.techs[t].cursor = done + self.rng.between(3, 8);
        }
    }

    fn open_card(
        &mut self,
        date: Date,
        open: Time,
        expected: Min,
        lines: &[&Labour],
        std: &[f64],
    ) -> usize {
        let j = self.jobs.len();
        let id = format!(
            "RO-{:02}{:02}{:02}{:02}",
            date.year() % 100,
            date.month(),
            date.day(),
            j + 1
        );
        let language = self.roster.language;
        let ops = (lines.iter().zip(std).enumerate())
            .map(|(k, (l, h))| OpCard {
                op: id_of(&format!("{}", (k + 1) * 10)),
                title: l.title(language).to_string(),
                std_hours: *h,
            })
            .collect();
        // The advisor sees when the workshop can do it and promises that plus time for QC,
        // washing and paperwork, on the quarter hour; parts, approvals and rework make some
        // cars late all the same.
        let promise = (expected + self.rng.between(40, 80)).div_euclid(15) * 15 + 15;
        let card = JobCard {
            job: id_of(&id),
            plate: cards::plate(self.rng),
            vehicle: (*self.rng.pick(VEHICLES)).to_string(),
            customer: cards::customer(self.rng),
            advisor: self.roster.advisor.to_string(),
            service: cards::service(lines[0], language).to_string(),
            promised_at: Some(open + SignedDuration::from_mins(promise.min(self.close + 30))),
            wash: self.roster.washer.is_some() && self.rng.chance(0.9),
            ops,
        };
        self.jobs.push(JobDraft { card, done: 0 });
        j
    }

    /// QC looks at the car some minutes after its last op. Every day one of the first three
    /// cars that can still be reworked in time fails (so each day shows a rework and a
    /// first-time-fix rate below 100 %); later ones fail rarely.
    fn inspect(&mut self, t: usize, j: usize, done: Min) {
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
    fn tails(&mut self) {
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

fn pause(job: &Id, op: &Id, reason: PauseReason) -> EventKind {
    EventKind::Pause {
        job: job.clone(),
        op: op.clone(),
        reason,
    }
}

fn resume(job: &Id, op: &Id) -> EventKind {
    EventKind::Resume {
        job: job.clone(),
        op: op.clone(),
        bay: None,
    }
}

/// Ids built here are short ASCII from fixed formats.
fn id_of(s: &str) -> Id {
    Id::new(s).unwrap_or_else(|e| unreachable!("generated id {s:?}: {e}"))
}
