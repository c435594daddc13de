//! The ledger on each backend: repeats, seq conflicts, restarts, and two gateways (two
//! ledgers) sharing one database.

use std::sync::Arc;

use bayline_domain::EventKind;
use bayline_ledger::{Incoming, Ledger};
use bayline_proto::RejectCode;
use bayline_site::SiteConfig;
use tokio_util::sync::CancellationToken;

use crate::incoming;
use crate::support::scans::*;
use crate::support::TestDb;

on_both_backends!(
    a_repeat_is_answered_the_same_and_stored_once,
    a_batch_is_judged_in_timeline_order_with_its_own_repeats_and_conflicts,
    two_gateways_on_one_database_give_each_scan_one_answer,
);

async fn ledger(db: &TestDb) -> Arc<Ledger> {
    Arc::new(
        Ledger::open(db.open().await, vec![SiteConfig::demo()])
            .await
            .unwrap(),
    )
}

async fn submit(ledger: &Ledger, scans: Vec<Incoming>) -> Vec<bayline_ledger::Answer> {
    ledger
        .submit(scans, &CancellationToken::new())
        .await
        .unwrap()
}

async fn a_repeat_is_answered_the_same_and_stored_once(db: &TestDb) {
    let gw = ledger(db).await;
    let e = shift_start("HH-01", 1, "T07");
    let first = submit(&gw, vec![incoming(&e, "a")]).await.remove(0);
    assert!(first.reply.ok && first.stored, "{first:?}");
    // a repeat in the same batch and in a later one
    let again = submit(&gw, vec![incoming(&e, "a"), incoming(&e, "a")]).await;
    for a in &again {
        assert_eq!((&a.reply, a.stored), (&first.reply, false));
    }
    let site = id(SITE);
    assert_eq!(gw.store().count_scans(&site, "HH-01", 1).await.unwrap(), 1);
    let conflict = submit(&gw, vec![incoming(&e, "b")]).await.remove(0);
    assert_eq!(conflict.reply.code, Some(RejectCode::SeqConflict));
    assert_eq!(gw.store().count_scans(&site, "HH-01", 1).await.unwrap(), 2);

    // After a restart the first scan and its reply are still known.
    gw.store().close().await;
    let gw = ledger(db).await;
    let after = submit(&gw, vec![incoming(&e, "a")]).await.remove(0);
    assert_eq!((&after.reply, after.stored), (&first.reply, false));
    assert_eq!(gw.store().count_scans(&site, "HH-01", 1).await.unwrap(), 2);
    assert_eq!(gw.site(SITE).unwrap().read(|w| w.events().count()), 1);
    gw.store().close().await;
}

/// Contract §4: the state after a set of events does not depend on the order they arrived
/// in, and a batch is such a set. Within it, a scan is a repeat or a seq conflict of an
/// earlier one in the batch as it would be of a stored one.
async fn a_batch_is_judged_in_timeline_order_with_its_own_repeats_and_conflicts(db: &TestDb) {
    let gw = ledger(db).await;
    let site = id(SITE);
    for job in ["RO-1", "RO-2"] {
        gw.put_job(&site, job_card(job, "brakes"), at(0), &crate::manager())
            .await
            .unwrap();
    }
    let start = |scanner: &str, minute: i64, badge: &str, job: &str| {
        let kind = EventKind::Start {
            job: id(job),
            op: id("10"),
            bay: id("B01"),
        };
        event(scanner, 1, at(minute), badge, kind)
    };
    // Arriving in this order, RO-2 (started later) would take the bay and RO-1 would be
    // slotted in before it; in timeline order RO-1 holds B01 with T01 on it.
    let later = start("HH-02", 5, "T02", "RO-2");
    let earlier = start("HH-01", 3, "T01", "RO-1");
    let answers = submit(
        &gw,
        vec![
            incoming(&later, "a"),
            incoming(&earlier, "a"),
            incoming(&earlier, "a"),
            incoming(&later, "b"),
        ],
    )
    .await;
    let codes: Vec<_> = answers.iter().map(|a| (a.reply.code, a.stored)).collect();
    assert_eq!(
        codes,
        [
            (Some(RejectCode::BayBusy), true),
            (None, true),
            (None, false),
            (Some(RejectCode::SeqConflict), true),
        ]
    );
    assert_eq!(
        answers[2].reply, answers[1].reply,
        "a repeat gets the first reply"
    );
    assert_eq!(gw.store().count_scans(&site, "HH-01", 1).await.unwrap(), 1);
    assert_eq!(gw.store().count_scans(&site, "HH-02", 1).await.unwrap(), 2);
    let holder = gw.site(SITE).unwrap().read(|w| {
        let job = |j: &str| w.state().jobs.get(j).and_then(|t| t.bay.clone());
        (job("RO-1"), job("RO-2"))
    });
    assert_eq!(holder, (Some(id("B01")), None));
    gw.store().close().await;
}

async fn two_gateways_on_one_database_give_each_scan_one_answer(db: &TestDb) {
    let (a, b) = (ledger(db).await, ledger(db).await);
    let site = id(SITE);

    // A redelivery reaches the second gateway after the first stored it.
    let e1 = shift_start("HH-01", 1, "T07");
    let first = submit(&a, vec![incoming(&e1, "a")]).await.remove(0);
    assert!(first.stored);
    let e2 = shift_start("HH-01", 2, "T01");
    let answers = submit(&b, vec![incoming(&e1, "a"), incoming(&e2, "a")]).await;
    assert_eq!(
        (&answers[0].reply, answers[0].stored),
        (&first.reply, false)
    );
    assert!(answers[1].reply.ok && answers[1].stored);
    assert_eq!(b.store().count_scans(&site, "HH-01", 1).await.unwrap(), 1);
    assert_eq!(
        b.site(SITE).unwrap().read(|w| w.events().count()),
        2,
        "the second gateway reloaded what the first stored"
    );
    // Other content under a seq the other gateway used is a seq_conflict.
    let other = submit(&b, vec![incoming(&e1, "b")]).await.remove(0);
    assert_eq!(other.reply.code, Some(RejectCode::SeqConflict));

    // Both at once, same content and other content: one first scan, each answered once.
    for seq in 10..20 {
        let e = shift_start("HH-03", seq, "T03");
        let extra_b = if seq % 2 == 0 { "a" } else { "b" };
        let (ia, ib) = (incoming(&e, "a"), incoming(&e, extra_b));
        let (ga, gb) = (a.clone(), b.clone());
        let ta = tokio::spawn(async move { submit(&ga, vec![ia]).await.remove(0) });
        let tb = tokio::spawn(async move { submit(&gb, vec![ib]).await.remove(0) });
        let (ra, rb) = (ta.await.unwrap(), tb.await.unwrap());
        let firsts = [&ra, &rb].iter().filter(|r| r.reply.ok).count();
        if extra_b == "a" {
            assert_eq!(
                ra.reply, rb.reply,
                "seq {seq}: a repeat gets the same reply"
            );
            assert_eq!(firsts, 2);
            assert_eq!(u8::from(ra.stored) + u8::from(rb.stored), 1);
            assert_eq!(a.store().count_scans(&site, "HH-03", seq).await.unwrap(), 1);
        } else {
            assert_eq!(firsts, 1, "seq {seq}: {ra:?} {rb:?}");
            let loser = if ra.reply.ok { &rb } else { &ra };
            assert_eq!(loser.reply.code, Some(RejectCode::SeqConflict));
            assert_eq!(a.store().count_scans(&site, "HH-03", seq).await.unwrap(), 2);
        }
    }
    let seen = sorted_seen(a.store()).await;
    assert_eq!(
        seen.iter()
            .filter(|s| s.scanner.as_str() == "HH-03")
            .count(),
        10
    );
    a.store().close().await;
    b.store().close().await;
}
