//! Judging a batch of incoming scans against what each site has seen and its timeline: each
//! scan's answer, and the record to store (none for an exact repeat).
//!
//! A batch is judged in three steps per site. First the checks that need no timeline
//! (repeat, seq conflict, payload), a scan against the scans before it in the batch as much
//! as against those already stored. Then the site's events are admitted together
//! ([`Workshop::admit_many`]): the contract orders a timeline by (ts, scanner, seq), not by
//! arrival, and a batch that is late behind events already admitted (a backlog at the broker,
//! or another gateway's scans followed meanwhile) takes those back once, not once per scan.
//! Then the replies, from each admission and the state after the batch; then the batch is
//! retracted again. Nothing judged here is visible until [`Ledger::show`] applies it after
//! the commit: a reader never sees a scan that is not durable.

use std::collections::{BTreeMap, HashMap};

use bayline_domain::{Admission, Event, EventKey, EventKind, Judgement, Workshop};
use bayline_proto::{Id, RejectCode, Reply};
use bayline_site::reply::reply_for;
use bayline_site::SiteConfig;
use bayline_store::{Decision, ScanRecord};

use crate::seen::{Fingerprint, Seen, SeenScans};
use crate::{lock, Answer, Incoming, Ledger, SiteLive};

/// One scan's answer and the record to store.
pub(super) type Judged = (Answer, Option<ScanRecord>);

/// Where a scan stands after the checks that need no timeline.
enum Step {
    Done(Box<Judged>),
    /// An exact repeat of the scan at this earlier place in the site's part of the batch.
    RepeatOf(usize, Arrived),
    /// To be admitted; its event is in the site's batch of events.
    Admit(Arrived),
}

impl Ledger {
    /// Judges `batch`, returning one [`Judged`] per scan in the order given.
    pub(super) fn judge(&self, batch: Vec<Incoming>) -> Vec<Judged> {
        let mut out: Vec<Option<Judged>> = (0..batch.len()).map(|_| None).collect();
        let mut by_site: BTreeMap<Id, Vec<(usize, Incoming)>> = BTreeMap::new();
        for (at, incoming) in batch.into_iter().enumerate() {
            if self.sites.contains_key(&incoming.site) {
                by_site
                    .entry(incoming.site.clone())
                    .or_default()
                    .push((at, incoming));
            } else {
                out[at] = Some(unknown_site(incoming));
            }
        }
        for (site, scans) in by_site {
            let Some(live) = self.sites.get(&site) else {
                continue;
            };
            let (places, scans): (Vec<usize>, Vec<Incoming>) = scans.into_iter().unzip();
            let (judged, _) = judge_site(live, scans, Leave::Nothing);
            for (at, judged) in places.into_iter().zip(judged) {
                out[at] = Some(judged);
            }
        }
        out.into_iter().flatten().collect()
    }
}

/// What judging leaves in the site's state.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Leave {
    /// Nothing: the batch is taken back out, to be shown after its commit.
    Nothing,
    /// The batch as judged, its events admitted and its first scans remembered, for a writer
    /// that keeps readers on a copy until the commit ([`crate::import`]); it takes the batch
    /// back with [`undo_kept`] if the commit fails.
    Judged,
}

/// Judges one site's scans, in the order given; with [`Leave::Judged`] also returns the keys
/// of the events new to the timeline.
pub(super) fn judge_site(
    live: &SiteLive,
    scans: Vec<Incoming>,
    leave: Leave,
) -> (Vec<Judged>, Vec<EventKey>) {
    let config = &live.config;
    let seen = lock(&live.seen);
    // The first scan of each (scanner, seq) in this batch, by place, with its payload.
    let mut firsts: HashMap<(Id, u64), (usize, Option<Fingerprint>)> = HashMap::new();
    let mut steps = Vec::with_capacity(scans.len());
    let mut events = Vec::new();
    for (place, incoming) in scans.into_iter().enumerate() {
        let (mut arrived, result) = arrived(incoming);
        if let Some(seq) = arrived.seq {
            let key = (arrived.scanner.clone(), seq);
            let payload = arrived.canonical.as_deref().map(Fingerprint::of);
            let earlier = match (seen.get(&key), firsts.get(&key)) {
                (Some(first), _) => Some((first.repeated_by(payload), Err(first))),
                (None, Some((place, first))) => Some((*first == payload, Ok(*place))),
                (None, None) => None,
            };
            if let Some((repeat, first)) = earlier {
                let step = if repeat {
                    match first {
                        Err(first) => Step::Done(Box::new(not_stored(arrived, first.reply()))),
                        Ok(place) => Step::RepeatOf(place, arrived),
                    }
                } else {
                    let detail = format!("seq {seq} was already used for another scan");
                    arrived.first_of_seq = false;
                    let record = arrived.refused(RejectCode::SeqConflict, detail, config);
                    Step::Done(Box::new(stored(record)))
                };
                steps.push(step);
                continue;
            }
            firsts.insert(key, (place, payload));
        }
        steps.push(match result {
            Err((code, detail)) => {
                Step::Done(Box::new(stored(arrived.refused(code, detail, config))))
            }
            Ok(event) => {
                events.push(event);
                Step::Admit(arrived)
            }
        });
    }

    drop(seen);
    let mut workshop = lock(&live.workshop);
    let new: Vec<EventKey> = (events.iter())
        .filter(|e| !workshop.contains(&e.key))
        .map(|e| e.key.clone())
        .collect();
    let admissions = workshop.admit_many(events.clone());
    let mut admitted = events.into_iter().zip(admissions);
    let mut out: Vec<Judged> = Vec::with_capacity(steps.len());
    for step in steps {
        let judged = match step {
            Step::Done(judged) => *judged,
            Step::RepeatOf(place, arrived) => {
                // An earlier place of this loop, so already answered.
                let first = out[place].0.reply.clone();
                not_stored(arrived, first)
            }
            Step::Admit(arrived) => match admitted.next() {
                Some((event, admission)) => {
                    let mut record = decide(arrived, event, admission, &workshop, config);
                    tell_approved(live, &mut record);
                    stored(record)
                }
                // One admission per event: not reached.
                None => {
                    stored(arrived.refused(RejectCode::BadPayload, "not judged".into(), config))
                }
            },
        };
        out.push(judged);
    }
    match leave {
        Leave::Nothing => {
            workshop.retract(&new);
            (out, Vec::new())
        }
        Leave::Judged => {
            drop(workshop);
            remember(
                &mut lock(&live.seen),
                out.iter().filter_map(|(_, r)| r.as_ref()),
            );
            (out, new)
        }
    }
}

/// Takes a batch judged with [`Leave::Judged`] back out of the site: its events (`new`) and
/// the first scans of its `records`.
pub(super) fn undo_kept(live: &SiteLive, new: &[EventKey], records: &[ScanRecord]) {
    lock(&live.workshop).retract(new);
    let mut seen = lock(&live.seen);
    for r in records {
        if let (true, Some(seq)) = (r.first_of_seq, r.seq) {
            seen.forget(&(r.scanner.clone(), seq));
        }
    }
}

/// Remembers each first scan among `records` with its reply, for repeats to be answered.
fn remember<'a>(seen: &mut SeenScans, records: impl Iterator<Item = &'a ScanRecord>) {
    for r in records {
        if let (true, Some(seq)) = (r.first_of_seq, r.seq) {
            seen.insert(
                (r.scanner.clone(), seq),
                Seen::new(r.canonical.as_deref(), &r.reply),
            );
        }
    }
}

impl Ledger {
    /// Makes committed records visible: their events applied to their sites' state, each
    /// first scan remembered with its reply. The caller holds the write lock, so each event
    /// gets the admission it was judged with.
    pub(super) fn show(&self, records: &[ScanRecord]) {
        let mut by_site: BTreeMap<&Id, Vec<&ScanRecord>> = BTreeMap::new();
        for r in records {
            by_site.entry(&r.site).or_default().push(r);
        }
        for (site, records) in by_site {
            let Some(live) = self.sites.get(site) else {
                continue;
            };
            let events: Vec<Event> = records.iter().filter_map(|r| r.event().cloned()).collect();
            lock(&live.workshop).admit_many(events);
            remember(&mut lock(&live.seen), records.into_iter());
        }
    }
}

/// A scan as it arrived, before it is judged.
struct Arrived {
    site: Id,
    scanner: Id,
    seq: Option<u64>,
    /// Whether it is stored as the first scan of its (scanner, seq).
    first_of_seq: bool,
    received_at: bayline_domain::Time,
    canonical: Option<String>,
    size: usize,
    raw: Vec<u8>,
}

/// The scan as it arrived, and its decoded event or why it has none.
fn arrived(incoming: Incoming) -> (Arrived, Result<Event, (RejectCode, String)>) {
    let Incoming {
        site,
        scanner,
        received_at,
        raw,
        size,
        decoded,
    } = incoming;
    let arrived = Arrived {
        site,
        scanner,
        seq: decoded.seq,
        first_of_seq: decoded.seq.is_some(),
        received_at,
        canonical: decoded.canonical,
        size,
        raw,
    };
    (arrived, decoded.result)
}

impl Arrived {
    fn judged(self, decision: Decision, reply: Reply) -> ScanRecord {
        ScanRecord {
            site: self.site,
            scanner: self.scanner,
            seq: self.seq,
            first_of_seq: self.first_of_seq,
            received_at: self.received_at,
            decision,
            canonical: self.canonical,
            size: self.size,
            raw: self.raw,
            reply,
        }
    }

    /// The record of the scan refused with `code`, and the reply in the site's words that
    /// tells its handheld why.
    fn refused(self, code: RejectCode, detail: String, config: &SiteConfig) -> ScanRecord {
        let judgement = Judgement::Rejected {
            seq: self.seq,
            code,
            detail: &detail,
        };
        let reply = reply_for(config, &judgement);
        self.judged(Decision::Rejected { code, detail }, reply)
    }
}

/// The record of an admitted or refused event, with its reply.
fn decide(
    arrived: Arrived,
    event: Event,
    admission: Admission,
    workshop: &Workshop,
    config: &SiteConfig,
) -> ScanRecord {
    match admission {
        Admission::Rejected(code) => {
            let detail = rejected_detail(code, &event, workshop);
            arrived.refused(code, detail, config)
        }
        Admission::Accepted(verdict) => {
            let warning = verdict.warning();
            let bay = workshop.resolved_bay(&event.key);
            let first_assigned = match (&event.kind, warning) {
                (EventKind::ShiftStart, None) => first_assigned(workshop, &event),
                _ => None,
            };
            let judgement = Judgement::Accepted {
                event: &event,
                warning,
                bay,
                first_assigned,
            };
            let reply = reply_for(config, &judgement);
            arrived.judged(Decision::Accepted { event, warning }, reply)
        }
    }
}

/// The first accepted scan of a job after its customer answered an approval request says
/// so (contract §7.5), first, so that the cut to 64 bytes keeps it.
fn tell_approved(live: &SiteLive, record: &mut ScanRecord) {
    // Only an accepted scan has an event.
    let job = record.event().and_then(|e| e.kind.job());
    let (Some(job), Some(seq)) = (job, record.reply.seq) else {
        return;
    };
    if !lock(&live.approved).remove(job) {
        return;
    }
    let said = match live.config.language {
        bayline_proto::Language::Zh => "客户已确认",
        bayline_proto::Language::En => "approved",
    };
    let msg = format!("{said} · {}", record.reply.msg);
    record.reply = match record.reply.warning {
        Some(w) => Reply::warned(seq, w, &msg),
        None => Reply::accepted(seq, &msg),
    };
}

/// The first op on `event`'s badge's queue for the day of its scan.
fn first_assigned(workshop: &Workshop, event: &Event) -> Option<(Id, Id)> {
    let day = workshop.settings().schedule.date_of(event.key.ts);
    let queue = workshop.queue(&event.badge, day, event.key.ts);
    queue.into_iter().next().map(|q| (q.job, q.op.op))
}

fn unknown_site(incoming: Incoming) -> Judged {
    let (mut arrived, _) = arrived(incoming);
    // No site's words to answer in: the contract's own.
    let detail = format!("site {} is not served here", arrived.site);
    let reply = Reply::rejected(arrived.seq, RejectCode::UnknownSite, &detail);
    arrived.first_of_seq = false;
    let code = RejectCode::UnknownSite;
    stored(arrived.judged(Decision::Rejected { code, detail }, reply))
}

/// The answer for a record that is written.
fn stored(record: ScanRecord) -> Judged {
    let answer = Answer {
        site: record.site.clone(),
        scanner: record.scanner.clone(),
        reply: record.reply.clone(),
        stored: true,
    };
    (answer, Some(record))
}

/// The answer for an exact repeat: the first scan's reply, nothing written.
fn not_stored(arrived: Arrived, reply: Reply) -> Judged {
    let answer = Answer {
        site: arrived.site,
        scanner: arrived.scanner,
        reply,
        stored: false,
    };
    (answer, None)
}

/// The id a domain rejection is about, for the reply ("RO-1 is not an open job").
fn rejected_detail(code: RejectCode, event: &Event, workshop: &Workshop) -> String {
    let k = &event.kind;
    if let (RejectCode::BadPayload, EventKind::Pause { reason, .. }) = (code, k) {
        // The only payload the site judges: a pause reason its table does not list. Short,
        // for the handheld's screen; the site file and the roster list the reasons.
        return format!("reason {:?} is not one of the site's", reason.name());
    }
    let id = match code {
        RejectCode::UnknownBadge => Some(&event.badge),
        RejectCode::UnknownOp => k.op(),
        RejectCode::UnknownBay | RejectCode::BayBusy => k.bay(),
        _ => k.job(),
    };
    match (code, id) {
        (RejectCode::BayBusy, None) => workshop
            .resolved_bay(&event.key)
            .map(|b| b.to_string())
            .unwrap_or_default(),
        (_, Some(id)) => id.to_string(),
        (_, None) => String::new(),
    }
}
