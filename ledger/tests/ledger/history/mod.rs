//! Years of history on each backend: a database whose days are older than the late-scan
//! window is rebuilt into frozen days at start, a restart resumes from the checkpoint, and
//! every figure (whole, by badge, bay and day, periods on and off day boundaries) equals a
//! full fold of every stored event.
//!
//! Here: three weeks of a small workshop and the full fold every figure is held to; the
//! tests are `frozen.rs` (rebuild, restart, thawing) and `cut_off.rs` (a freeze cut short).

use std::sync::Arc;

use bayline_domain::kpi::{self, GroupBy, Period};
use bayline_domain::{Event, EventKey, EventKind, JobCard, PauseReason, Time, Workshop};
use bayline_ledger::Ledger;
use bayline_site::SiteConfig;
use jiff::SignedDuration;
use tokio_util::sync::CancellationToken;

use crate::support::scans::*;
use crate::support::TestDb;

mod cut_off;
mod frozen;
mod import;

const JOBS: usize = 12;
const TECHS: [&str; 4] = ["T01", "T02", "T03", "T04"];

const ADVISORS: [&str; 3] = ["李", "王", ""];
const SERVICES: [&str; 2] = ["保养", "事故"];

fn card(i: usize, now: Time) -> JobCard {
    serde_json::from_value(serde_json::json!({
        "job": format!("RO-{i:02}"),
        // One car, back ten hours after each delivery: every job after the first is a
        // comeback by the plate rule, whether the earlier one is frozen or live.
        "plate": "粤B12345",
        "advisor": ADVISORS[i % 3],
        "service": SERVICES[i % 2],
        "promised_at": (now - SignedDuration::from_hours(24 * (20 - i as i64))).to_string(),
        "ops": [{"op": "10", "title": "保养", "std_hours": 1.0 + i as f64 / 8.0},
                {"op": "20", "title": "检查", "std_hours": 0.5}],
    }))
    .expect("job card")
}

/// Three weeks of a small workshop up to yesterday: each job is checked in, worked on two
/// ops by one or two technicians with a pause, QC'd (one in three fails first), and
/// delivered a day later; the last jobs stay open.
fn history(now: Time) -> Vec<Event> {
    let mut events = Vec::new();
    let mut seq = 0;
    let mut push = |ts: Time, badge: &str, kind: EventKind| {
        seq += 1;
        events.push(Event {
            key: EventKey {
                ts,
                scanner: id("HH-01"),
                seq,
            },
            badge: id(badge),
            kind,
        });
    };
    let day0 = now - SignedDuration::from_hours(24 * 21);
    for i in 0..JOBS {
        let job = id(&format!("RO-{i:02}"));
        let bay = id(["B01", "B02", "B03", "B04"][i % 4]);
        let tech = TECHS[i % 4];
        let at = |h: f64| day0 + SignedDuration::from_secs_f64((i as f64 * 40.0 + h) * 3600.0);
        push(at(0.0), "A01", EventKind::CheckIn { job: job.clone() });
        // An andon call without a bay (at the bay the tech is on), answered after a wait
        // that grows with `i` and cleared, except the last one's, still open.
        push(
            at(1.2),
            tech,
            EventKind::Call {
                bay: None,
                reason: bayline_domain::CallReason::ALL[i % 5],
            },
        );
        if i % 3 != 1 {
            push(
                at(1.25 + i as f64 * 0.01),
                TECHS[(i + 2) % 4],
                EventKind::Answer { bay: bay.clone() },
            );
        }
        if i + 1 < JOBS {
            push(
                at(1.45),
                TECHS[(i + 2) % 4],
                EventKind::Clear { bay: bay.clone() },
            );
        }
        for (k, op) in ["10", "20"].iter().enumerate() {
            let op = id(op);
            let start = 1.0 + k as f64 * 3.0;
            let (job, bay) = (job.clone(), bay.clone());
            push(
                at(start),
                tech,
                EventKind::Start {
                    job: job.clone(),
                    op: op.clone(),
                    bay: bay.clone(),
                },
            );
            if i % 2 == 0 {
                let helper = TECHS[(i + 1) % 4];
                push(
                    at(start + 0.5),
                    helper,
                    EventKind::Start {
                        job: job.clone(),
                        op: op.clone(),
                        bay: bay.clone(),
                    },
                );
            }
            push(
                at(start + 1.0),
                tech,
                EventKind::Pause {
                    job: job.clone(),
                    op: op.clone(),
                    reason: PauseReason::Parts.into(),
                },
            );
            push(
                at(start + 1.7),
                tech,
                EventKind::Resume {
                    job: job.clone(),
                    op: op.clone(),
                    bay: None,
                },
            );
            push(at(start + 2.5), tech, EventKind::Finish { job, op });
        }
        if i >= JOBS - 2 {
            continue; // still open
        }
        if i % 3 == 0 {
            push(
                at(8.0),
                "Q01",
                EventKind::QcFail {
                    job: job.clone(),
                    op: Some(id("20")),
                    note: None,
                },
            );
            push(
                at(8.5),
                tech,
                EventKind::Start {
                    job: job.clone(),
                    op: id("20"),
                    bay: bay.clone(),
                },
            );
            push(
                at(9.5),
                tech,
                EventKind::Finish {
                    job: job.clone(),
                    op: id("20"),
                },
            );
        }
        push(at(10.0), "Q01", EventKind::QcPass { job: job.clone() });
        push(at(10.5), "A01", EventKind::Ready { job: job.clone() });
        push(at(30.0), "A01", EventKind::Delivered { job });
    }
    events
}

/// A store with the history's job cards and no scans yet.
async fn carded(db: &TestDb, now: Time) -> bayline_store::Store {
    let store = db.open().await;
    for i in 0..JOBS {
        store.put_job(&id(SITE), &card(i, now), now).await.unwrap();
    }
    store
}

async fn seeded(db: &TestDb, now: Time) -> (bayline_store::Store, Vec<Event>) {
    let store = carded(db, now).await;
    let events = history(now);
    let records: Vec<_> = events.iter().map(|e| accepted(e, "")).collect();
    let committed = store.commit(&records).await.unwrap();
    assert!(committed.taken.is_empty());
    (store, events)
}

/// The full fold of every event: what every figure must equal.
fn full_fold(config: &SiteConfig, events: &[Event], now: Time) -> Workshop {
    let cards: Vec<JobCard> = (0..JOBS).map(|i| card(i, now)).collect();
    full_fold_with(config, events, cards)
}

fn full_fold_with(config: &SiteConfig, events: &[Event], cards: Vec<JobCard>) -> Workshop {
    let mut w = Workshop::new(config.catalog(), config.settings());
    for c in cards {
        w.upsert_job(c);
    }
    w.restore(events.iter().cloned());
    w
}

async fn open(store: bayline_store::Store) -> Arc<Ledger> {
    Arc::new(Ledger::open(store, vec![SiteConfig::demo()]).await.unwrap())
}

async fn assert_same_figures(ledger: &Ledger, full: &Workshop, now: Time) {
    let live = ledger.site(SITE).unwrap();
    let config = &live.config;
    let schedule = config.settings().schedule;
    let day = |n: i64| {
        let d = schedule.date_of(now) - jiff::Span::new().days(n);
        schedule.start_of(d).unwrap()
    };
    let h = |t: Time, hours: i64| t + SignedDuration::from_hours(hours);
    let periods = [
        Period::new(day(30), h(now, 1)),
        Period::new(day(21), day(10)),
        Period::new(h(day(19), 11), h(day(9), 15)),
        Period::new(h(day(15), 3), h(day(15), 13)),
        Period::new(day(12), h(day(2), 17)),
        Period::new(day(3), now),
    ];
    assert!(
        live.read(|w| w.frozen_to()) > day(14),
        "old days are frozen"
    );
    let all = kpi::figures(full, periods[0], now);
    assert_eq!(
        all.comebacks as usize,
        JOBS - 1,
        "every job after the first came back"
    );
    for p in periods {
        assert_eq!(
            ledger.figures(live, p, now).await.unwrap(),
            kpi::figures(full, p, now),
            "{p:?}"
        );
        // The andon calls of the period, frozen ones read back from the store.
        let opened: Vec<_> = (full.state().calls.iter())
            .filter(|c| p.from <= c.opened && c.opened < p.to)
            .cloned()
            .collect();
        assert_eq!(
            ledger.calls(live, p).await.unwrap(),
            opened,
            "calls in {p:?}"
        );
        assert_eq!(
            ledger.comebacks(live, p, now).await.unwrap(),
            kpi::comebacks(full, kpi::Stored::default(), p, now),
            "comebacks in {p:?}"
        );
        for by in GroupBy::ALL {
            let rows = kpi::grouped(full, p, now, by);
            assert_eq!(
                ledger.grouped(live, p, now, by).await.unwrap(),
                rows,
                "{p:?} by {by:?}"
            );
            // Asked together, as GET …/kpis?group_by= does: the same figures and rows.
            assert_eq!(
                ledger.figures_and_rows(live, p, now, by).await.unwrap(),
                (kpi::figures(full, p, now), rows),
                "{p:?} with rows by {by:?}"
            );
        }
    }
}

/// The scans of `events` as an import file: one §3.1 scan a line plus its scanner.
fn ndjson<'a>(events: impl Iterator<Item = &'a Event>) -> String {
    events
        .map(|e| {
            let mut scan = serde_json::json!({
                "v": 1, "scanner": e.key.scanner.as_str(), "seq": e.key.seq,
                "ts": e.key.ts.to_string(), "badge": e.badge.as_str(),
                "action": e.kind.action().as_str(),
            });
            let k = &e.kind;
            for (key, value) in [("job", k.job()), ("op", k.op()), ("bay", k.bay())] {
                if let Some(value) = value {
                    scan[key] = value.as_str().into();
                }
            }
            match k {
                EventKind::Pause { reason, .. } => scan["reason"] = reason.name().into(),
                EventKind::Call { reason, .. } => scan["reason"] = reason.as_str().into(),
                _ => {}
            }
            scan.to_string() + "\n"
        })
        .collect()
}
