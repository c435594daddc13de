//! A freeze cut off before its checkpoint: nothing is left half frozen, and the next tick
//! freezes the days.

use super::*;

on_both_backends!(a_freeze_cut_off_before_its_checkpoint_leaves_nothing_half_frozen);

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
