//! The board models (contract §3.3) made from the views at `now`: what the lounge, the
//! workshop board and each bay tag show. Plates are masked and staff appear by badge only,
//! so nothing that leaves through here identifies a customer.
//!
//! Readings where the contract is silent:
//! - The lounge shows every row of [`Workshop::lounge`] (by promised time, so the cars whose
//!   owners are most likely waiting come first) in pages of [`MAX_LOUNGE_ROWS`]; the workshop
//!   board every bay in pages of [`MAX_WORKSHOP_BAYS`]. Nothing is dropped: a board with more
//!   than a page is published as several models ([`Page`]), and there is always a first page,
//!   empty when there is nothing to show.
//! - A bay tag's `now` is the job holding the bay and the op being worked (or last clocked
//!   off); `next` is the first op the foreman assigned to the bay, of another job
//!   ([`dispatch::next_at_bay`]).
//! - An open andon call shows on the workshop page that holds its bay and on the bay's tag,
//!   until it is cleared.
//! - A bay's tag is `approved` while the job holding the bay is in [`BoardSite::approved`]:
//!   the customer answered and the technician has not scanned the job since.
//! - A bay blocked for a reason the site named (`[[pause_reasons]]`) carries the site's
//!   label in the board's language as well as the contract category; a display draws the
//!   label. A contract reason carries no text: the display words it itself.
//! - Times are local times of the site; an ETA on a later day counts the days (see [`Clock`]).

use std::collections::{BTreeMap, BTreeSet};

use bayline_proto::board::{
    self, Andon, Badges, BayRow, BayTag, Clock, Lounge, MaskedPlate, Page, ReasonText, RowMark,
    TagJob, MAX_BADGES, MAX_LOUNGE_ROWS, MAX_WORKSHOP_BAYS,
};
use bayline_proto::Language;
use jiff::tz::TimeZone;

use crate::dispatch;
use crate::view::{BayView, JobView, OpStatus, OpView};
use crate::{Id, Time, Workshop};

/// Every board of a site at one instant, ready to encode.
#[derive(Debug, Clone, PartialEq)]
pub struct Boards {
    /// The lounge's pages, at least one; page `i` is published as `lounge` (i = 0) or
    /// `lounge/{i+1}`.
    pub lounge: Vec<Lounge>,
    /// The workshop board's pages, at least one, published like the lounge's.
    pub workshop: Vec<board::Workshop>,
    pub tags: Vec<BayTag>,
}

/// What a site's boards need besides the timeline.
#[derive(Debug, Clone, Copy)]
pub struct BoardSite<'a> {
    pub tz: &'a TimeZone,
    pub language: Language,
    /// Bay names from the site file; a bay without one shows its id.
    pub bay_names: &'a BTreeMap<Id, String>,
    /// Jobs whose customer answered an approval request that no scan of the job has been
    /// told of yet: their bay's tag says "approved" until the technician's next scan.
    pub approved: &'a BTreeSet<Id>,
}

impl Workshop {
    /// The boards at `now`.
    pub fn boards(&self, site: BoardSite<'_>, now: Time) -> Boards {
        let clock = Clocks::new(site.tz, now);
        let list = self.jobs(now);
        let jobs: BTreeMap<&Id, &JobView> = list.iter().map(|j| (&j.job, j)).collect();
        let bays = self.bays(now);

        let rows: Vec<(board::LoungeRow, RowMark)> = (self.lounge(now, site.language).into_iter())
            .map(|row| {
                let mark = RowMark {
                    at_risk: row.at_risk,
                    pending: row.eta_pending.map(|w| w.reason()),
                };
                let row = board::LoungeRow {
                    plate: MaskedPlate::mask(&row.plate),
                    vehicle: board::text(&row.vehicle),
                    stage: row.stage,
                    progress: percent(row.progress),
                    eta: row.eta.map(|t| clock.of(t)),
                    late: row.late,
                };
                (row, mark)
            })
            .collect();
        let lounge = paged(&rows, MAX_LOUNGE_ROWS, |page, rows| Lounge {
            language: site.language,
            updated: clock.of(now),
            rows: rows.iter().map(|(r, _)| r.clone()).collect(),
            page,
            marks: rows.iter().map(|(_, m)| *m).collect(),
        });

        let bay_rows: Vec<BayRow> = (bays.iter())
            .map(|b| BayRow {
                bay: b.bay.clone(),
                state: b.state,
                reason: b.reason.as_ref().map(|r| r.category),
                job: b.job.clone(),
                badges: badges(&b.badges),
                clocked_min: minutes(b.clocked_s),
                std_min: minutes(b.std_s),
                overrun: b.std_s > 0 && b.clocked_s > b.std_s,
            })
            .collect();
        let andon = |b: &BayView| {
            b.call.as_ref().map(|c| Andon {
                bay: b.bay.clone(),
                reason: c.reason,
                opened: clock.of(c.opened),
                answered: c.answered.is_some(),
            })
        };
        let calls: BTreeMap<&Id, Andon> = (bays.iter())
            .filter_map(|b| Some((&b.bay, andon(b)?)))
            .collect();
        // Only a reason the site named carries its own words; a contract category's label
        // is the display's own, in its language.
        let reasons = &self.catalog().pause_reasons;
        let reason_texts: BTreeMap<&Id, board::Text> = (bays.iter())
            .filter_map(|b| {
                let r = b.reason.as_ref().filter(|r| r.site.is_some())?;
                Some((&b.bay, board::text(reasons.label(r, site.language))))
            })
            .collect();
        let workshop = paged(&bay_rows, MAX_WORKSHOP_BAYS, |page, bays| board::Workshop {
            language: site.language,
            updated: clock.of(now),
            bays: bays.iter().cloned().collect(),
            page,
            calls: (bays.iter())
                .filter_map(|b| calls.get(&b.bay).cloned())
                .collect(),
            reason_texts: (bays.iter())
                .filter_map(|b| {
                    let text = reason_texts.get(&b.bay)?.clone();
                    Some(ReasonText {
                        bay: b.bay.clone(),
                        text,
                    })
                })
                .collect(),
        });

        let tags = (bays.iter())
            .map(|b| {
                let holder = b.job.as_ref().and_then(|j| jobs.get(j));
                let now_job = holder.and_then(|job| {
                    let op = b.op.as_ref()?;
                    Some(tag_job(job, job.ops.iter().find(|o| o.op == *op)?))
                });
                let next = dispatch::next_at_bay(&list, &b.bay, b.job.as_ref())
                    .map(|(job, op)| tag_job(job, op));
                BayTag {
                    language: site.language,
                    updated: clock.of(now),
                    bay: b.bay.clone(),
                    name: board::text(site.bay_names.get(&b.bay).map_or(b.bay.as_str(), |n| n)),
                    state: b.state,
                    reason: b.reason.as_ref().map(|r| r.category),
                    now: now_job,
                    next,
                    call: andon(b),
                    approved: b.job.as_ref().is_some_and(|j| site.approved.contains(j)),
                    reason_text: reason_texts.get(&b.bay).cloned(),
                }
            })
            .collect();

        Boards {
            lounge,
            workshop,
            tags,
        }
    }
}

/// `items` in pages of `per_page`, each made by `page`; one empty page when there are none.
/// Page counts beyond `u16` cannot happen on a site (65,535 pages of bays).
fn paged<T, M>(items: &[T], per_page: usize, page: impl Fn(Page, &[T]) -> M) -> Vec<M> {
    let total = u16::try_from(items.len()).unwrap_or(u16::MAX);
    let count = items.len().div_ceil(per_page).max(1);
    let count16 = u16::try_from(count).unwrap_or(u16::MAX);
    (0..count)
        .map(|i| {
            let chunk = items.get(i * per_page..items.len().min((i + 1) * per_page));
            let at = Page {
                index: u16::try_from(i).unwrap_or(u16::MAX),
                count: count16,
                total,
            };
            page(at, chunk.unwrap_or(&[]))
        })
        .collect()
}

fn tag_job(job: &JobView, op: &OpView) -> TagJob {
    let clocked_s = (op.clocked_hours * 3600.0).round() as i64;
    let std_s = (op.std_hours * 3600.0).round() as i64;
    let progress = match op.status {
        OpStatus::Finished => 1.0,
        _ if op.std_hours > 0.0 => (op.clocked_hours / op.std_hours).min(0.95),
        _ => 0.0,
    };
    TagJob {
        job: job.job.clone(),
        plate: MaskedPlate::mask(&job.plate),
        vehicle: board::text(&job.vehicle),
        op: board::text(if op.title.is_empty() {
            op.op.as_str()
        } else {
            &op.title
        }),
        badges: badges(&op.badges),
        clocked_min: minutes(clocked_s),
        std_min: minutes(std_s),
        progress: percent(progress),
        overrun: std_s > 0 && clocked_s > std_s,
    }
}

fn badges(all: &[Id]) -> Badges {
    all.iter().take(MAX_BADGES).cloned().collect()
}

/// Whole minutes, saturating at what a board can show.
fn minutes(seconds: i64) -> u16 {
    u16::try_from(seconds.max(0) / 60).unwrap_or(u16::MAX)
}

/// 0.0..=1.0 as 0..=100.
fn percent(share: f64) -> u8 {
    (share.clamp(0.0, 1.0) * 100.0).round() as u8
}

/// Local times of day relative to the day of `now`.
struct Clocks<'a> {
    tz: &'a TimeZone,
    today: jiff::civil::Date,
}

impl<'a> Clocks<'a> {
    fn new(tz: &'a TimeZone, now: Time) -> Self {
        Clocks {
            tz,
            today: now.to_zoned(tz.clone()).date(),
        }
    }

    /// `t` as the board's clock; a time before today shows as today 00:00, and one beyond
    /// the clock's range as its last minute.
    fn of(&self, t: Time) -> Clock {
        let local = t.to_zoned(self.tz.clone());
        let days = (local.date() - self.today).get_days().max(0);
        let days = u16::try_from(days).unwrap_or(u16::MAX);
        let (hour, minute) = (local.hour() as u16, local.minute() as u16);
        match days {
            0 if local.date() < self.today => Clock(0),
            _ => Clock::at(days, hour, minute).unwrap_or(Clock(u16::MAX)),
        }
    }
}

#[cfg(test)]
mod tests;
