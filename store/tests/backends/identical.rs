//! The same writes give the same rows on SQLite and on PostgreSQL, value for value.

use bayline_domain::EventKind;
use bayline_proto::{RejectCode, WarningCode};
use bayline_store::{Decision, RejectedRow, SeenRow, Store};

use crate::support::scans::*;
use crate::support::scans::{sorted_events, sorted_seen};
use crate::support::TestDb;

type Rows = (
    Vec<bayline_domain::Event>,
    Vec<SeenRow>,
    Vec<RejectedRow>,
    Vec<bayline_domain::JobCard>,
    Vec<usize>,
);

async fn scenario(store: &Store) -> Rows {
    let site = id(SITE);
    store
        .put_job(&site, &job_card("RO-1", "Brakes"), at(0))
        .await
        .unwrap();
    store
        .put_job(&site, &job_card("RO-1", "Brakes, pads"), at(1))
        .await
        .unwrap();
    store
        .put_job(&site, &job_card("RO-a", "Oil"), at(1))
        .await
        .unwrap();
    let check_in = event(
        "HH-01",
        1,
        at(1),
        "A01",
        EventKind::CheckIn { job: id("RO-1") },
    );
    let start = event(
        "HH-01",
        2,
        at(2),
        "T07",
        EventKind::Start {
            job: id("RO-1"),
            op: id("10"),
            bay: id("B03"),
        },
    );
    let mut warned = accepted(&start, "a");
    warned.decision = Decision::Accepted {
        event: start.clone(),
        warning: Some(WarningCode::NotClockedOn),
    };
    let batch = vec![
        accepted(&check_in, "a"),
        warned,
        rejected("HH-01", None, RejectCode::BadPayload, b"{not json"),
        rejected(
            "HH-01",
            Some(3),
            RejectCode::UnknownBay,
            "车 B99".as_bytes(),
        ),
    ];
    let c1 = store.commit(&batch).await.unwrap();
    let c2 = store.commit(&[accepted(&check_in, "b")]).await.unwrap();
    let taken = c1.taken.iter().chain(&c2.taken).map(|t| t.index).collect();
    (
        sorted_events(store).await,
        sorted_seen(store).await,
        store.rejected(&site, 100).await.unwrap(),
        store.jobs(&site).await.unwrap(),
        taken,
    )
}

#[tokio::test]
async fn both_backends_return_the_same_rows() {
    let Some(pg) = TestDb::postgres().await else {
        return;
    };
    let sqlite = TestDb::sqlite();
    let (on_sqlite, on_postgres) = (sqlite.open().await, pg.open().await);
    let want = scenario(&on_sqlite).await;
    let got = scenario(&on_postgres).await;
    assert_eq!(got, want);
    assert_eq!(want.4, [0], "the repeat of a first scan is taken on both");
    on_sqlite.close().await;
    on_postgres.close().await;
}
