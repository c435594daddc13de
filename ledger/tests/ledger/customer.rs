//! What the customer's answers and the promises owe, kept by the store across restarts: the
//! "approved" of the next reply and of the bay's tag, and the `at_risk` webhook events.

use std::sync::Arc;

use bayline_domain::{EventKind, Time};
use bayline_ledger::{Incoming, Ledger};
use bayline_proto::PauseReason;
use bayline_site::{HookEvent, SiteConfig, Webhook};
use bayline_store::ApprovalItem;
use jiff::SignedDuration;
use tokio_util::sync::CancellationToken;

use crate::incoming;
use crate::support::scans::*;
use crate::support::TestDb;

on_both_backends!(
    an_answer_before_a_restart_is_still_told_by_the_tag_and_the_next_reply,
    a_job_that_came_at_risk_while_down_gets_one_at_risk_event_after_the_restart,
);

const HOOK: &str = "http://127.0.0.1:9/hook";

fn config() -> SiteConfig {
    let mut config = SiteConfig::demo();
    config.webhooks.push(Webhook {
        url: HOOK.to_string(),
        secret: "s3cret-for-the-test".to_string(),
        events: vec![HookEvent::AtRisk],
    });
    config
}

async fn ledger(db: &TestDb) -> Arc<Ledger> {
    Arc::new(Ledger::open(db.open().await, vec![config()]).await.unwrap())
}

fn scan(seq: u64, minute: i64, kind: EventKind) -> Incoming {
    incoming(&event("HH-01", seq, at(minute), "T07", kind), "")
}

/// Whether B01's tag says approved at `now`.
fn tag_approved(gw: &Ledger, now: Time) -> bool {
    let boards = gw.site(SITE).unwrap().boards(now);
    let tag = boards
        .tags
        .iter()
        .find(|t| t.bay.as_str() == "B01")
        .unwrap();
    assert_eq!(tag.now.as_ref().map(|j| j.job.as_str()), Some("RO-1"));
    tag.approved
}

async fn an_answer_before_a_restart_is_still_told_by_the_tag_and_the_next_reply(db: &TestDb) {
    let (site, job) = (id(SITE), id("RO-1"));
    let gw = ledger(db).await;
    gw.put_job(&site, job_card("RO-1", "brakes"), at(0), &crate::manager())
        .await
        .unwrap();
    let (op, bay) = (id("10"), id("B01"));
    let start = EventKind::Start {
        job: job.clone(),
        op: op.clone(),
        bay: bay.clone(),
    };
    let pause = EventKind::Pause {
        job: job.clone(),
        op: op.clone(),
        reason: PauseReason::Approval.into(),
    };
    let cancel = CancellationToken::new();
    let answers = (gw.submit(vec![scan(1, 1, start), scan(2, 2, pause)], &cancel))
        .await
        .unwrap();
    assert!(answers.iter().all(|a| a.reply.ok), "{answers:?}");
    let item = ApprovalItem {
        op: id("90"),
        title: "刹车盘".into(),
        std_hours: 1.0,
        price: 800.0,
        photo: None,
        answer: None,
    };
    let request = (gw.open_approval(&site, &job, "刹车盘磨损", &[item], "A01", at(3)))
        .await
        .unwrap();
    assert!(!tag_approved(&gw, at(3)), "asked, not answered");
    (gw.answer_approval(
        &site,
        &job,
        request.id,
        &[(id("90"), true)],
        "customer",
        at(4),
    ))
    .await
    .unwrap();
    assert!(tag_approved(&gw, at(4)));

    // Restarted before any scan: the tag still says so, and the next reply does.
    gw.store().close().await;
    let gw = ledger(db).await;
    assert!(tag_approved(&gw, at(5)), "the answer outlives the restart");
    let resume = EventKind::Resume {
        job: job.clone(),
        op: op.clone(),
        bay: Some(bay.clone()),
    };
    let reply = gw.submit(vec![scan(3, 6, resume)], &cancel).await.unwrap();
    assert!(
        reply[0].reply.ok && reply[0].reply.msg.starts_with("客户已确认"),
        "{reply:?}"
    );
    assert!(!tag_approved(&gw, at(6)), "the scan has told it");

    // Told once: not again after another restart.
    gw.store().close().await;
    let gw = ledger(db).await;
    assert!(!tag_approved(&gw, at(7)));
    let finish = EventKind::Finish { job, op };
    let reply = gw.submit(vec![scan(4, 8, finish)], &cancel).await.unwrap();
    assert!(!reply[0].reply.msg.contains("客户已确认"), "{reply:?}");
    gw.store().close().await;
}

/// The bodies queued for the receiver.
async fn at_risk_events(gw: &Ledger) -> Vec<serde_json::Value> {
    let queued = gw.store().queued(HOOK, 100).await.unwrap();
    (queued.iter())
        .map(|q| serde_json::from_str::<serde_json::Value>(&q.body).unwrap())
        .filter(|b| b["event"] == "at_risk")
        .collect()
}

async fn a_job_that_came_at_risk_while_down_gets_one_at_risk_event_after_the_restart(db: &TestDb) {
    let site = id(SITE);
    let now = jiff::Timestamp::now();
    let promised = now + SignedDuration::from_hours(24 * 30);
    let gw = ledger(db).await;
    let mut card = job_card("RO-1", "brakes");
    card.promised_at = Some(promised);
    gw.put_job(&site, card, now, &crate::manager())
        .await
        .unwrap();
    gw.hook_at_risk(now).await;
    assert_eq!(at_risk_events(&gw).await, Vec::<serde_json::Value>::new());
    // Down while the promise comes near (1.5 h of work, twenty minutes left).
    gw.store().close().await;
    let near = promised - SignedDuration::from_mins(20);

    // Two processes come up; the second has not heard of the first's event.
    let first = ledger(db).await;
    let second = ledger(db).await;
    first.hook_at_risk(near).await;
    let events = at_risk_events(&first).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(
        (&events[0]["job"], &events[0]["at_risk"]),
        (&serde_json::json!("RO-1"), &serde_json::json!(true))
    );
    second.hook_at_risk(near).await;
    first
        .hook_at_risk(near + SignedDuration::from_mins(1))
        .await;
    assert_eq!(
        at_risk_events(&second).await,
        events,
        "the same event, once"
    );
    first.store().close().await;
    second.store().close().await;

    // And once more after another restart: told is told.
    let gw = ledger(db).await;
    gw.hook_at_risk(near + SignedDuration::from_mins(2)).await;
    assert_eq!(at_risk_events(&gw).await, events);
    assert_eq!(db.count("webhook_outbox").await, 1);
    gw.store().close().await;
}
