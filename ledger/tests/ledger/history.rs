//! Years of history on each backend: a database whose days are older than the late-scan
//! window is rebuilt into frozen days at start, a restart resumes from the checkpoint, and
//! every figure (whole, by badge, bay and day, periods on and off day boundaries) equals a
//! full fold of every stored event.

use std::sync::Arc;

use bayline_domain::kpi::{self, GroupBy, Period};
use bayline_domain::{Event, EventKey, EventKind, JobCard, PauseReason, Time, Workshop};
use bayline_ledger::Ledger;
use bayline_site::SiteConfig;
use jiff::SignedDuration;
use tokio_util::sync::CancellationToken;

use crate::support::scans::*;
use crate::support::TestDb;

on_both_backends!(
    frozen_days_give_the_figures_of_the_full_fold,
    a_scan_of_a_frozen_job_is_job_closed_after_a_restart_though_memory_forgot_it,
    corrections_and_card_changes_in_frozen_days_thaw_them,
    an_import_into_frozen_days_thaws_and_freezes_them_again,
    a_freeze_cut_off_before_its_checkpoint_leaves_nothing_half_frozen,
);

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
                    reason: PauseReason::Parts,
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

async fn seeded(db: &TestDb, now: Time) -> (bayline_store::Store, Vec<Event>) {
    let store = db.open().await;
    let site = id(SITE);
    for i in 0..JOBS {
        store.put_job(&site, &card(i, now), now).await.unwrap();
    }
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
            kpi::comebacks(full, &kpi::Stored::default(), p, now),
            "comebacks in {p:?}"
        );
        for by in GroupBy::ALL {
            assert_eq!(
                ledger.grouped(live, p, now, by).await.unwrap(),
                kpi::grouped(full, p, now, by),
                "{p:?} by {by:?}"
            );
        }
    }
}

async fn frozen_days_give_the_figures_of_the_full_fold(db: &TestDb) {
    let now = jiff::Timestamp::now();
    let (store, events) = seeded(db, now).await;
    let full = full_fold(&SiteConfig::demo(), &events, now);
    // The first start finds no checkpoint and rebuilds the site's frozen days.
    let ledger = open(store.clone()).await;
    let live = ledger.site(SITE).unwrap();
    assert!(
        live.read(|w| w.events().count()) < events.len() / 2,
        "the live timeline holds the recent days only"
    );
    assert_same_figures(&ledger, &full, now).await;
    // A restart resumes from the newest checkpoint and agrees.
    let again = open(store).await;
    assert_same_figures(&again, &full, now).await;
    assert_eq!(
        again.site(SITE).unwrap().read(|w| w.state().clone()),
        live.read(|w| w.state().clone())
    );
}

async fn a_scan_of_a_frozen_job_is_job_closed_after_a_restart_though_memory_forgot_it(db: &TestDb) {
    let now = jiff::Timestamp::now();
    let (store, _) = seeded(db, now).await;
    let ledger = open(store.clone()).await;
    drop(ledger);
    let ledger = open(store).await;
    let live = ledger.site(SITE).unwrap();
    // Memory holds the closed jobs its live events name, not every job ever delivered;
    // the store answers for the others.
    assert!(
        !live.read(|w| w.is_closed("RO-00") || w.catalog().jobs.contains_key("RO-00")),
        "RO-00 was delivered weeks ago and no live event names it"
    );
    let late = event(
        "HH-02",
        1,
        now - SignedDuration::from_hours(1),
        "T01",
        EventKind::Start {
            job: id("RO-00"),
            op: id("10"),
            bay: id("B01"),
        },
    );
    let answer = ledger
        .submit(vec![crate::incoming(&late, "")], &CancellationToken::new())
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        answer.reply.code,
        Some(bayline_proto::RejectCode::JobClosed),
        "{answer:?}"
    );
    assert!(live.read(|w| w.is_closed("RO-00")));
}

async fn corrections_and_card_changes_in_frozen_days_thaw_them(db: &TestDb) {
    let now = jiff::Timestamp::now();
    let (store, mut events) = seeded(db, now).await;
    let ledger = open(store.clone()).await;
    let site = id(SITE);
    // Void the first pause of RO-01, three weeks ago: its hours move from blocked to worked.
    let at = events
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Pause { job, .. } if job.as_str() == "RO-01"))
        .unwrap();
    let target = events.remove(at).key;
    assert!(target.ts < ledger.site(SITE).unwrap().read(|w| w.frozen_to()));
    ledger
        .correct(
            &site,
            id("manager"),
            "scanned by mistake".into(),
            bayline_domain::Amendment::Void { target },
            now,
        )
        .await
        .unwrap();
    assert_same_figures(&ledger, &full_fold(&SiteConfig::demo(), &events, now), now).await;

    // RO-02 was sold at the wrong standard hours, long after it was delivered.
    let mut cards: Vec<JobCard> = (0..JOBS).map(|i| card(i, now)).collect();
    cards[2].ops[0].std_hours = 4.25;
    cards[2].promised_at = None;
    // Not by an advisor: the job was delivered, its hours are what the figures were paid on.
    let advisor = bayline_ledger::Editor {
        who: "advisor-3f2a9c".into(),
        manager: false,
    };
    let refused = ledger.put_job(&site, cards[2].clone(), now, &advisor).await;
    assert!(
        matches!(&refused, Err(bayline_ledger::PutJobError::NeedsManager { fields, .. })
            if fields == &["promised_at", "std_hours"]),
        "{refused:?}"
    );
    let kept = store.job(&site, &cards[2].job).await.unwrap().unwrap();
    assert_eq!(kept, card(2, now));
    ledger
        .put_job(&site, cards[2].clone(), now, &crate::manager())
        .await
        .unwrap();
    // The manager's change is kept as a version put after ready.
    let versions = store.job_versions(&site, &cards[2].job).await.unwrap();
    assert_eq!(versions.len(), 1);
    assert!(versions[0].after_ready && versions[0].who == "Wang");
    let full = full_fold_with(&SiteConfig::demo(), &events, cards);
    assert_same_figures(&ledger, &full, now).await;
    // And the same after a restart.
    let again = open(store).await;
    assert_same_figures(&again, &full, now).await;
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
            if let EventKind::Pause { reason, .. } = k {
                scan["reason"] = reason.as_str().into();
            }
            scan.to_string() + "\n"
        })
        .collect()
}

async fn an_import_into_frozen_days_thaws_and_freezes_them_again(db: &TestDb) {
    let now = jiff::Timestamp::now();
    let all = history(now);
    // The earlier system clocked two jobs of the frozen weeks that never came over MQTT.
    let withheld = |e: &Event| matches!(e.kind.job().map(|j| j.as_str()), Some("RO-02" | "RO-05"));
    let (kept, imported): (Vec<Event>, Vec<Event>) =
        all.iter().cloned().partition(|e| !withheld(e));
    let store = db.open().await;
    let site = id(SITE);
    for i in 0..JOBS {
        store.put_job(&site, &card(i, now), now).await.unwrap();
    }
    let records: Vec<_> = kept.iter().map(|e| accepted(e, "")).collect();
    assert!(store.commit(&records).await.unwrap().taken.is_empty());
    let ledger = open(store.clone()).await;
    let live = ledger.site(SITE).unwrap();
    let frozen_to = live.read(|w| w.frozen_to());
    assert!(
        imported.iter().all(|e| e.key.ts < frozen_to),
        "the imported scans fall in frozen days"
    );
    // In reverse order: each scan is judged in its place of the timeline all the same.
    let body = ndjson(imported.iter().rev());
    let cancel = CancellationToken::new();
    let summary = ledger
        .import(&site, body.clone(), now, &cancel)
        .await
        .unwrap();
    assert_eq!(
        (summary.accepted, summary.rejected, summary.repeats),
        (imported.len() as u64, 0, 0),
        "{summary:?}"
    );
    // The clock task freezes the thawed days again.
    ledger.freeze(now).await.unwrap();
    let full = full_fold(&SiteConfig::demo(), &all, now);
    assert_same_figures(&ledger, &full, now).await;
    // The same file again changes nothing.
    let again = ledger.import(&site, body, now, &cancel).await.unwrap();
    assert_eq!(again.repeats, imported.len() as u64, "{again:?}");
    ledger.freeze(now).await.unwrap();
    assert_same_figures(&ledger, &full, now).await;
    // And a restart resumes from the refrozen checkpoint.
    let restarted = open(store).await;
    assert_same_figures(&restarted, &full, now).await;
}

/// Makes every checkpoint write fail, as a process killed after writing a freeze's day totals
/// and before its checkpoint would leave it (were the two not one transaction).
async fn cut_off_freezes(db: &TestDb) {
    db.execute(match db {
        TestDb::Sqlite { .. } => {
            "CREATE TRIGGER cut_off BEFORE INSERT ON checkpoints \
             BEGIN SELECT RAISE(ABORT, 'killed before the checkpoint'); END"
        }
        TestDb::Postgres(_) => {
            "CREATE OR REPLACE FUNCTION cut_off() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'killed before the checkpoint'; END $$; \
             CREATE TRIGGER cut_off BEFORE INSERT ON checkpoints \
             FOR EACH ROW EXECUTE FUNCTION cut_off()"
        }
    })
    .await;
}

async fn restore_freezes(db: &TestDb) {
    db.execute(match db {
        TestDb::Sqlite { .. } => "DROP TRIGGER cut_off",
        TestDb::Postgres(_) => "DROP TRIGGER cut_off ON checkpoints",
    })
    .await;
}

async fn a_freeze_cut_off_before_its_checkpoint_leaves_nothing_half_frozen(db: &TestDb) {
    let now = jiff::Timestamp::now();
    let (store, events) = seeded(db, now).await;
    let full = full_fold(&SiteConfig::demo(), &events, now);
    // The first start's rebuild is cut off: no day is left frozen without its checkpoint.
    cut_off_freezes(db).await;
    assert!(Ledger::open(store.clone(), vec![SiteConfig::demo()])
        .await
        .is_err());
    assert_eq!(db.count("frozen_days").await, 0);
    assert_eq!(db.count("job_outcomes").await, 0);
    restore_freezes(db).await;
    let ledger = open(store.clone()).await;
    assert_same_figures(&ledger, &full, now).await;

    // Two days on, the clock's freeze is cut off: the live state stays as it was.
    let later = now + SignedDuration::from_hours(48);
    let days = db.count("frozen_days").await;
    let live = ledger.site(SITE).unwrap();
    let frozen_to = live.read(|w| w.frozen_to());
    cut_off_freezes(db).await;
    assert!(ledger.freeze(later).await.is_err());
    assert_eq!(db.count("frozen_days").await, days);
    assert_eq!(live.read(|w| w.frozen_to()), frozen_to);
    assert_same_figures(&ledger, &full, later).await;
    // The next tick freezes them, and a restart agrees.
    restore_freezes(db).await;
    ledger.freeze(later).await.unwrap();
    assert!(live.read(|w| w.frozen_to()) > frozen_to);
    assert_same_figures(&ledger, &full, later).await;
    let restarted = open(store).await;
    assert_same_figures(&restarted, &full, later).await;
}
