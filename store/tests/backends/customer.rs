//! The customer in the loop (contract §7.5): links found by their token's hash and revoked
//! per job; approval requests kept with their items in order and answered once per item;
//! the webhook outbox read back in order, per receiver, until delivered.

use bayline_store::{ApprovalItem, AtRiskTold, ItemAnswer, Outgoing};

use crate::support::scans::*;
use crate::support::TestDb;

on_both_backends!(
    a_link_is_found_by_its_hash_and_revoked_with_its_job,
    an_approval_keeps_its_items_in_order_and_each_answer_counts_once,
    the_outbox_gives_events_in_order_per_receiver_until_delivered,
    what_receivers_were_told_is_read_back_for_the_jobs_asked_only,
);

async fn a_link_is_found_by_its_hash_and_revoked_with_its_job(db: &TestDb) {
    let store = db.open().await;
    let site = id(SITE);
    store
        .put_link(&site, &id("RO-1"), "aa11", "Li", at(0), None)
        .await
        .unwrap();
    store
        .put_link(&site, &id("RO-1"), "bb22", "Li", at(1), Some(at(90)))
        .await
        .unwrap();
    store
        .put_link(&site, &id("RO-2"), "cc33", "Li", at(2), None)
        .await
        .unwrap();
    let link = store.link("bb22").await.unwrap().unwrap();
    assert_eq!(
        (link.job.as_str(), link.created_by.as_str(), link.created_at),
        ("RO-1", "Li", at(1))
    );
    assert_eq!((link.expires_at, link.revoked_at), (Some(at(90)), None));
    assert_eq!(store.link("dd44").await.unwrap(), None);
    // the same token twice is refused: a hash names one link
    assert!(store
        .put_link(&site, &id("RO-3"), "aa11", "Li", at(3), None)
        .await
        .is_err());

    assert_eq!(
        store.revoke_links(&site, &id("RO-1"), at(5)).await.unwrap(),
        2
    );
    assert_eq!(
        store.revoke_links(&site, &id("RO-1"), at(6)).await.unwrap(),
        0
    );
    assert_eq!(
        store.link("aa11").await.unwrap().unwrap().revoked_at,
        Some(at(5))
    );
    assert_eq!(store.link("cc33").await.unwrap().unwrap().revoked_at, None);
}

fn item(op: &str, title: &str, price: f64) -> ApprovalItem {
    ApprovalItem {
        op: id(op),
        title: title.into(),
        std_hours: 0.5,
        price,
        photo: (op == "90").then(|| "https://example.invalid/pad.jpg".into()),
        answer: None,
    }
}

async fn an_approval_keeps_its_items_in_order_and_each_answer_counts_once(db: &TestDb) {
    let store = db.open().await;
    let site = id(SITE);
    let items = [item("90", "刹车片", 480.0), item("80", "雨刮", 60.0)];
    let first = store
        .open_approval(&site, &id("RO-1"), "前刹车片已到极限", &items, "Li", at(0))
        .await
        .unwrap();
    let second = store
        .open_approval(&site, &id("RO-1"), "again", &items[1..], "Li", at(1))
        .await
        .unwrap();
    assert_ne!(first, second);

    let yes = ItemAnswer {
        approved: true,
        at: at(3),
        by: "customer".into(),
    };
    assert!(store
        .answer_item(&site, first, &id("90"), &yes)
        .await
        .unwrap());
    // a double tap, or a phone answer after the customer's: the first answer stays
    let no = ItemAnswer {
        approved: false,
        at: at(4),
        by: "Li".into(),
    };
    assert!(!store
        .answer_item(&site, first, &id("90"), &no)
        .await
        .unwrap());
    assert!(store
        .answer_item(&site, first, &id("80"), &no)
        .await
        .unwrap());
    // another site cannot answer this site's request
    assert!(!store
        .answer_item(&id("other"), second, &id("80"), &yes)
        .await
        .unwrap());

    let list = store.approvals(&site, &id("RO-1")).await.unwrap();
    assert_eq!(list.len(), 2);
    let a = &list[0];
    assert_eq!(
        (a.id, a.message.as_str(), a.opened_by.as_str(), a.opened_at),
        (first, "前刹车片已到极限", "Li", at(0))
    );
    let ops: Vec<&str> = a.items.iter().map(|i| i.op.as_str()).collect();
    assert_eq!(ops, ["90", "80"]);
    assert_eq!(a.items[0].answer, Some(yes));
    assert_eq!(a.items[1].answer, Some(no));
    assert_eq!(
        a.items[0].photo.as_deref(),
        Some("https://example.invalid/pad.jpg")
    );
    assert!(a.answered());
    assert!(!list[1].answered());
    assert!(store
        .approvals(&site, &id("RO-2"))
        .await
        .unwrap()
        .is_empty());
}

fn outgoing(url: &str, event: &str, job: &str) -> Outgoing {
    Outgoing {
        site: id(SITE),
        url: url.into(),
        event_id: event.into(),
        job: Some(id(job)),
        body: format!(r#"{{"id":"{event}"}}"#),
        at: at(0),
    }
}

async fn the_outbox_gives_events_in_order_per_receiver_until_delivered(db: &TestDb) {
    let store = db.open().await;
    let (a, b) = ("http://a.invalid/hook", "http://b.invalid/hook");
    store
        .enqueue(&[outgoing(a, "e1", "RO-1"), outgoing(b, "e1", "RO-1")])
        .await
        .unwrap();
    store
        .enqueue(&[outgoing(a, "e2", "RO-2"), outgoing(a, "e1", "RO-1")])
        .await
        .unwrap();
    assert_eq!(store.outbox_depth().await.unwrap(), 3);
    let queued = store.queued(a, 10).await.unwrap();
    let ids: Vec<&str> = queued.iter().map(|q| q.event_id.as_str()).collect();
    assert_eq!(
        ids,
        ["e1", "e2"],
        "queue order, the repeat not queued again"
    );
    assert_eq!(queued[0].body, r#"{"id":"e1"}"#);

    store.delivery_failed(queued[0].id, "503").await.unwrap();
    store.delivery_failed(queued[0].id, "503").await.unwrap();
    let again = store.queued(a, 1).await.unwrap();
    assert_eq!((again[0].event_id.as_str(), again[0].attempts), ("e1", 2));

    store.delivered(queued[0].id, at(1)).await.unwrap();
    let next = store.queued(a, 10).await.unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].event_id, "e2");
    assert_eq!(store.queued(b, 10).await.unwrap().len(), 1);
    assert_eq!(store.outbox_depth().await.unwrap(), 2);
}

/// A start asks only for its open jobs: the table keeps a row for every job ever told.
async fn what_receivers_were_told_is_read_back_for_the_jobs_asked_only(db: &TestDb) {
    let store = db.open().await;
    let site = id(SITE);
    let told = |at_risk, changes| AtRiskTold { at_risk, changes };
    let rows: Vec<_> = (0..1200)
        .map(|i| (id(&format!("RO-{i}")), told(i % 2 == 0, 1 + i % 3)))
        .collect();
    store.tell_at_risk(&site, &rows, &[]).await.unwrap();
    // Asked for more jobs than one statement binds, some never told.
    let asked: Vec<_> = (0..1400)
        .step_by(2)
        .map(|i| id(&format!("RO-{i}")))
        .collect();
    let mut back = store.at_risk_told(&site, &asked).await.unwrap();
    back.sort_by(|a, b| a.0.cmp(&b.0));
    let mut expected: Vec<_> = rows.iter().step_by(2).cloned().collect();
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(back, expected);
    assert_eq!(store.at_risk_told(&site, &[]).await.unwrap(), []);
    let other = store.at_risk_told(&id("elsewhere"), &asked).await.unwrap();
    assert_eq!(other, []);
}
