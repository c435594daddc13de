//! Job-card versions (contract §7.6): kept with the card, who and when, oldest first; the
//! changes made after `ready` listed newest first with the card they replaced.

use bayline_domain::JobCard;
use bayline_store::{Edit, Store};

use crate::support::scans::*;
use crate::support::TestDb;

on_both_backends!(
    each_edit_keeps_a_version_oldest_first_without_assignments,
    changes_after_ready_come_newest_first_with_the_card_they_replaced,
    a_card_is_not_stored_when_its_version_cannot_be,
);

fn edit(who: &str, after_ready: bool) -> Edit {
    Edit {
        who: who.to_string(),
        after_ready,
    }
}

fn card(job: &str, std_hours: f64) -> JobCard {
    let mut c = job_card(job, "Brakes");
    c.ops[0].std_hours = std_hours;
    c
}

async fn each_edit_keeps_a_version_oldest_first_without_assignments(db: &TestDb) {
    let store = db.open().await;
    let site = id(SITE);
    let first = card("RO-1", 1.5);
    assert!(store
        .put_job_edited(&site, &first, at(0), &edit("王经理", false))
        .await
        .unwrap());
    // the foreman's assignment goes through put_job: the card changes, no version
    let mut assigned = first.clone();
    assigned.ops[0].assignment = Some(serde_json::from_str(r#"{"badge":"T07"}"#).unwrap());
    assert!(!store.put_job(&site, &assigned, at(1)).await.unwrap());
    let mut second = assigned.clone();
    second.ops[0].std_hours = 2.0;
    assert!(!store
        .put_job_edited(&site, &second, at(2), &edit("advisor-3f2a9c", false))
        .await
        .unwrap());
    store
        .put_job_edited(&site, &card("RO-2", 1.0), at(3), &edit("Li", false))
        .await
        .unwrap();

    let versions = store.job_versions(&site, &id("RO-1")).await.unwrap();
    let seen: Vec<(&str, _, f64)> = (versions.iter())
        .map(|v| (v.who.as_str(), v.at, v.card.ops[0].std_hours))
        .collect();
    assert_eq!(
        seen,
        [("王经理", at(0), 1.5), ("advisor-3f2a9c", at(2), 2.0)]
    );
    assert!(versions
        .iter()
        .all(|v| v.job == id("RO-1") && !v.after_ready));
    assert_eq!(versions[1].card.ops[0].assignment, None);
    // the card itself keeps the assignment
    let stored = store.job(&site, &id("RO-1")).await.unwrap().unwrap();
    assert_eq!(stored, second);
    assert!(stored.ops[0].assignment.is_some());

    assert_eq!(
        store.job_versions(&site, &id("RO-2")).await.unwrap().len(),
        1
    );
    assert!(store
        .job_versions(&site, &id("RO-3"))
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .job_versions(&id("other"), &id("RO-1"))
        .await
        .unwrap()
        .is_empty());
    store.close().await;
}

async fn changes_after_ready_come_newest_first_with_the_card_they_replaced(db: &TestDb) {
    let store = db.open().await;
    let site = id(SITE);
    let put = |job: &'static str, hours: f64, minute: i64, after_ready: bool| {
        let store: &Store = &store;
        let site = site.clone();
        async move {
            store
                .put_job_edited(
                    &site,
                    &card(job, hours),
                    at(minute),
                    &edit("Wang", after_ready),
                )
                .await
                .unwrap();
        }
    };
    put("RO-1", 1.0, 0, false).await;
    put("RO-1", 2.0, 1, true).await;
    put("RO-2", 4.0, 2, true).await; // its first version: nothing before it
    put("RO-1", 3.0, 3, true).await;
    put("RO-3", 1.0, 4, false).await;

    let late = store.late_edits(&site, 10).await.unwrap();
    let seen: Vec<(&str, f64, Option<f64>)> = (late.iter())
        .map(|e| {
            (
                e.version.job.as_str(),
                e.version.card.ops[0].std_hours,
                e.before.as_ref().map(|b| b.ops[0].std_hours),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("RO-1", 3.0, Some(2.0)),
            ("RO-2", 4.0, None),
            ("RO-1", 2.0, Some(1.0)),
        ]
    );
    assert_eq!(late[0].version.at, at(3));
    assert_eq!(late[0].version.who, "Wang");
    assert_eq!(store.late_edits(&site, 1).await.unwrap(), late[..1]);
    assert!(store.late_edits(&id("other"), 10).await.unwrap().is_empty());
    store.close().await;
}

async fn a_card_is_not_stored_when_its_version_cannot_be(db: &TestDb) {
    let store = db.open().await;
    let site = id(SITE);
    store
        .put_job_edited(&site, &card("RO-1", 1.0), at(0), &edit("Wang", false))
        .await
        .unwrap();
    // An operator's mistake: the version table is gone. The card must not change unseen.
    db.execute("DROP TABLE job_versions").await;
    assert!(store
        .put_job_edited(&site, &card("RO-1", 9.0), at(1), &edit("Wang", true))
        .await
        .is_err());
    let kept = store.job(&site, &id("RO-1")).await.unwrap().unwrap();
    assert_eq!(kept.ops[0].std_hours, 1.0);
    store.close().await;
}
