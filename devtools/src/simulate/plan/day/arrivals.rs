//! The cars of the day: when they arrive, which technician takes each (the one who can
//! start it first, if it fits before closing), its job card, and its ops worked in turn.

use bayline_domain::{EventKind, JobCard, OpCard, Time};
use bayline_proto::Id;
use jiff::civil::Date;
use jiff::SignedDuration;

use super::super::cards::{self, Labour, LABOUR, VEHICLES};
use super::{id_of, Day, JobDraft, Kind, Min, TechDay};

impl Day<'_> {
    /// Cars arrive, mostly in the morning; each goes to the technician who can start it
    /// first if it fits before closing, else it is not booked today.
    pub(super) fn arrivals(&mut self, date: Date, open: Time) {
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
                assignment: None,
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
            comeback_of: None,
            promised_at: Some(open + SignedDuration::from_mins(promise.min(self.close + 30))),
            waiting_until: None,
            wash: self.roster.washer.is_some() && self.rng.chance(0.9),
            ops,
        };
        self.jobs.push(JobDraft { card, done: 0 });
        j
    }
}
