//! Two writers on one database (two gateways sharing PostgreSQL, or two processes on one
//! SQLite file) committing the same identities at once: exactly one first scan each.

use bayline_store::{Committed, Store};

use crate::support::scans::sorted_seen;
use crate::support::scans::*;
use crate::support::TestDb;

on_both_backends!(
    two_handles_racing_on_one_seq_store_exactly_one_first_scan,
    batches_racing_in_opposite_orders_store_each_first_scan_once,
);

async fn race(
    a: &Store,
    b: &Store,
    ra: Vec<bayline_store::ScanRecord>,
    rb: Vec<bayline_store::ScanRecord>,
) -> (Committed, Committed) {
    let (a, b) = (a.clone(), b.clone());
    let ta = tokio::spawn(async move { a.commit(&ra).await });
    let tb = tokio::spawn(async move { b.commit(&rb).await });
    (ta.await.unwrap().unwrap(), tb.await.unwrap().unwrap())
}

async fn two_handles_racing_on_one_seq_store_exactly_one_first_scan(db: &TestDb) {
    let (a, b) = (db.open().await, db.open().await);
    for seq in 1..=30 {
        let e = shift_start("HH-01", seq, "T07");
        let (ra, rb) = (accepted(&e, "a"), accepted(&e, "b"));
        let (ca, cb) = race(&a, &b, vec![ra.clone()], vec![rb.clone()]).await;
        let winner = match (ca.taken.len(), cb.taken.len()) {
            (0, 1) => &ra,
            (1, 0) => &rb,
            other => panic!("seq {seq}: taken {other:?}, want exactly one"),
        };
        let first = &ca.taken.iter().chain(&cb.taken).next().unwrap().first;
        assert_eq!(
            (&first.canonical, &first.reply),
            (&winner.canonical, &winner.reply)
        );
        assert_eq!(a.count_scans(&id(SITE), "HH-01", seq).await.unwrap(), 1);
    }
    let seen = sorted_seen(&b).await;
    assert_eq!(
        seen.iter().map(|s| s.seq).collect::<Vec<_>>(),
        (1..=30).collect::<Vec<_>>()
    );
    a.close().await;
    b.close().await;
}

async fn batches_racing_in_opposite_orders_store_each_first_scan_once(db: &TestDb) {
    let (a, b) = (db.open().await, db.open().await);
    let events: Vec<_> = (1..=100)
        .map(|seq| shift_start("HH-02", seq, "T01"))
        .collect();
    let ra: Vec<_> = events.iter().map(|e| accepted(e, "a")).collect();
    let rb: Vec<_> = events.iter().rev().map(|e| accepted(e, "b")).collect();
    let (ca, cb) = race(&a, &b, ra, rb).await;
    assert_eq!(
        ca.taken.len() + cb.taken.len(),
        100,
        "each identity lost by exactly one"
    );
    let mut lost: Vec<u64> = (ca.taken.iter().chain(&cb.taken))
        .map(|t| t.first.seq)
        .collect();
    lost.sort_unstable();
    assert_eq!(lost, (1..=100).collect::<Vec<_>>());
    let seen = sorted_seen(&a).await;
    assert_eq!(seen.len(), 100);
    for seq in [1, 50, 100] {
        assert_eq!(a.count_scans(&id(SITE), "HH-02", seq).await.unwrap(), 1);
    }
    a.close().await;
    b.close().await;
}
