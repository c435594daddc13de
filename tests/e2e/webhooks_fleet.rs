//! Webhooks from a fleet (contract §7.5): two `bayline server` processes on one PostgreSQL
//! database both run the delivery loops, and the store's lease lets one deliver each
//! receiver's events: every event arrives once, each row attempted once; when the holder
//! stops, the other server delivers what comes after. Needs `BAYLINE_TEST_POSTGRES`.

use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;

use serde_json::json;

use crate::chaos::system::{free_port, Bayline};
use crate::helpers::*;
use crate::services::database;
use crate::webhooks::{delivered, receiver, site_with_webhook, until_delivered, Received};

/// `sql`'s one value on the fleet's database, through `psql`.
fn scalar(db: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .arg(db)
        .args(["-tAc", sql])
        .output()
        .expect("psql");
    assert!(out.status.success(), "{sql}: {out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Until every outbox row is marked delivered (the mark follows the receiver's answer).
async fn until_marked(db: &str) {
    let pending = "SELECT COUNT(*) FROM webhook_outbox WHERE delivered_at_ns IS NULL";
    let marked = tokio::time::timeout(DEADLINE, async {
        while scalar(db, pending) != "0" {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(marked.is_ok(), "delivered events stay unmarked");
}

/// A job card and an approval request for it, on `server`: one `approval` event.
async fn ask(server: SocketAddr, job: &str) {
    let client = reqwest::Client::new();
    let card = json!({"plate": "粤B12345", "vehicle": "Camry", "advisor": "A01", "wash": false,
        "ops": [{"op": "10", "title": "保养", "std_hours": 1.0}]});
    let res = (client.put(format!("http://{server}/api/v1/sites/{SITE}/jobs/{job}")))
        .bearer_auth(ADVISOR)
        .json(&card)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let ask = json!({"message": "刹车片", "ops": [{"op": "90", "title": "刹车片", "std_hours": 1.0, "price": 500}]});
    let res = (client.post(format!(
        "http://{server}/api/v1/sites/{SITE}/jobs/{job}/approvals"
    )))
    .bearer_auth(ADVISOR)
    .json(&ask)
    .send()
    .await
    .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
}

#[tokio::test]
async fn two_servers_deliver_every_event_once_and_one_goes_on_when_the_other_stops() {
    let Some(db) = database() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (site, hook_addr) = site_with_webhook(dir.path(), &["approval"]);
    let args = |name: &str| -> Vec<String> {
        let http = format!("127.0.0.1:{}", free_port());
        let (site, url) = (site.to_str().unwrap(), db.url.as_str());
        [
            "--site-config",
            site,
            "--db",
            url,
            "--http",
            &http,
            "--client-id",
            name,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let received = Arc::new(Received::default());
    let _receiver = receiver(hook_addr, received.clone()).await;
    let mut a = Bayline::start_server(args("server-a"), &dir.path().join("a.log")).await;
    let mut b = Bayline::start_server(args("server-b"), &dir.path().join("b.log")).await;

    // Events queued through both servers, delivered while both run their loops.
    for i in 0..12 {
        let server = if i % 2 == 0 { a.http } else { b.http };
        ask(server, &format!("RO-{i}")).await;
    }
    until_delivered(&received, 12).await;
    let (ids, _) = delivered(&received);
    assert_eq!(ids.len(), 12);
    let url = db.url.as_str();
    until_marked(url).await;
    // One attempt per row and one request per event: no row had two deliverers.
    assert_eq!(
        scalar(url, "SELECT SUM(attempts) FROM webhook_outbox"),
        "12"
    );
    assert_eq!(received.bodies.lock().unwrap().len(), 12);

    // One server stops (giving its lease up, if it had it): the other delivers the rest.
    a.stop().await;
    for i in 12..16 {
        ask(b.http, &format!("RO-{i}")).await;
    }
    until_delivered(&received, 16).await;
    until_marked(url).await;
    assert_eq!(
        scalar(url, "SELECT SUM(attempts) FROM webhook_outbox"),
        "16"
    );
    assert_eq!(received.bodies.lock().unwrap().len(), 16);
    assert_eq!(*received.forged.lock().unwrap(), 0);
    b.stop().await;
}
